"""Named accounts for the people who run the hall: clerks, editors of the record, operators.

    Account(name, roles)                  roles: a non-empty subset of ROLES
    Accounts(engine)                      the private tables (``store.tables`` AccountRow, SessionRow)
      .add(name, password, roles, by)   -> Account; ALREADY_EXISTS, MALFORMED (name, roles, password)
      .sign_in(name, password)          -> Session | None          (argon2id: slow, run it off the loop)
      .session(token)                   -> Account | None          (unknown, expired or signed out: None)
      .sign_out(token)
      .listing()                        -> [Account]
    may_command(roles, kind) / may(roles, act)   what each role may do (pure)

A clerk does everything; an editor of the record revises and types the transcript and
reads the review and the exports; an operator enrols and revokes devices. The admin
token and clerk device keys are not accounts and keep a clerk's full powers.

Passwords are hashed with argon2id (argon2-cffi's ``PasswordHasher``, RFC 9106 low-memory
defaults), rehashed on sign-in when those parameters change. A session is a random
256-bit token, kept only as its SHA-256, valid ``SESSION_S`` seconds; the page holds it in
an HttpOnly, SameSite=Strict cookie (``SESSION_COOKIE``), Secure when served over https.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, cast, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete
from sqlmodel import Session as Db
from sqlmodel import select

from hall_server.store.tables import AccountRow, SessionRow
from protocol.errors import ErrorCode, ProtocolError

AccountRole = Literal["clerk", "editor", "operator"]
ROLES: tuple[AccountRole, ...] = get_args(AccountRole)
Act = Literal["review", "prepare", "accounts", "audit", "pairings"]
NAME = re.compile(r"[a-z][a-z0-9._-]{1,31}")
RESERVED = {"admin", "system"}  # the bootstrap token's and the server's own names in the log
MIN_PASSWORD = 10
SESSION_S = 12 * 3600
SESSION_COOKIE = "hemicycle_session"

COMMANDS: dict[AccountRole, tuple[str, ...]] = {  # command kinds by prefix; "" is every kind
    "clerk": ("",),
    "editor": ("transcript.revise", "transcript.type"),
    "operator": ("device.",),
}
ACTS: dict[AccountRole, frozenset[Act]] = {
    "clerk": frozenset(get_args(Act)),
    "editor": frozenset({"review"}),
    "operator": frozenset({"pairings"}),
}


def may_command(roles: Iterable[AccountRole], kind: str) -> bool:
    """Whether an account with these roles may send a command of this kind (``transcript.revise``)."""
    return any(kind.startswith(prefix) for role in roles for prefix in COMMANDS[role])


def may(roles: Iterable[AccountRole], act: Act) -> bool:
    """Whether an account with these roles may do ``act`` over HTTP or the socket (review, audit ...)."""
    return any(act in ACTS[role] for role in roles)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True)
class Account:
    name: str
    roles: frozenset[AccountRole]

    def public(self) -> dict[str, object]:
        return {"name": self.name, "roles": sorted(self.roles)}


@dataclass(frozen=True)
class Session:
    account: Account
    token: str
    expires_ms: int


def _account(row: AccountRow) -> Account:
    return Account(row.name, frozenset(cast(AccountRole, r) for r in row.roles.split()))


def check_new(name: str, password: str, roles: Iterable[str]) -> frozenset[AccountRole]:
    """The roles of a new account, or MALFORMED naming what is wrong with its name, password or roles."""
    wanted = frozenset(roles)
    if not NAME.fullmatch(name) or name in RESERVED:
        raise ProtocolError(ErrorCode.MALFORMED, "an account name is 2-32 of a-z 0-9 . _ -, starting with a letter",
                            name=name[:64])
    if len(password) < MIN_PASSWORD:
        raise ProtocolError(ErrorCode.MALFORMED, f"a password has at least {MIN_PASSWORD} characters")
    if not wanted or not wanted <= set(ROLES):
        raise ProtocolError(ErrorCode.MALFORMED, "roles are some of clerk, editor, operator", roles=sorted(wanted))
    return cast(frozenset[AccountRole], wanted)


class Accounts:
    """Accounts and sessions in the hall's database. Every method does I/O: call it off the event loop."""

    def __init__(self, engine: Engine, hasher: PasswordHasher | None = None) -> None:
        self.engine = engine
        self.hasher = hasher or PasswordHasher()
        self._absent = self.hasher.hash(secrets.token_hex(16))  # verified against for unknown names: same time

    def add(self, name: str, password: str, roles: Iterable[str], by: str) -> Account:
        wanted = check_new(name, password, roles)
        row = AccountRow(name=name, roles=" ".join(sorted(wanted)), password_hash=self.hasher.hash(password),
                         created_by=by, created_ms=now_ms())
        with Db(self.engine) as db:
            if db.get(AccountRow, name) is not None:
                raise ProtocolError(ErrorCode.ALREADY_EXISTS, "an account by that name exists", name=name)
            db.add(row)
            db.commit()
        return Account(name, wanted)

    def sign_in(self, name: str, password: str) -> Session | None:
        with Db(self.engine) as db:
            row = db.get(AccountRow, name)
            try:
                self.hasher.verify(row.password_hash if row else self._absent, password)
            except (VerificationError, InvalidHashError):
                return None
            if row is None:
                return None
            if self.hasher.check_needs_rehash(row.password_hash):
                row.password_hash = self.hasher.hash(password)
                db.add(row)
            token = secrets.token_urlsafe(32)
            expires = now_ms() + SESSION_S * 1000
            db.add(SessionRow(token_sha256=token_digest(token), account=name, expires_ms=expires))
            db.exec(delete(SessionRow).where(SessionRow.expires_ms < now_ms()))  # type: ignore[call-overload,arg-type]
            db.commit()
            return Session(_account(row), token, expires)

    def session(self, token: str) -> Account | None:
        with Db(self.engine) as db:
            found = db.get(SessionRow, token_digest(token))
            if found is None or found.expires_ms <= now_ms():
                return None
            row = db.get(AccountRow, found.account)
        return _account(row) if row else None

    def sign_out(self, token: str) -> None:
        with Db(self.engine) as db:
            found = db.get(SessionRow, token_digest(token))
            if found is not None:
                db.delete(found)
                db.commit()

    def listing(self) -> list[Account]:
        with Db(self.engine) as db:
            return [_account(r) for r in db.exec(select(AccountRow).order_by(AccountRow.name))]


__all__ = ["ROLES", "SESSION_COOKIE", "Account", "AccountRole", "Accounts", "Act", "Session", "may", "may_command"]
