"""Named accounts for the people who run the hall: clerks, editors of the record, operators.

    Account(name, roles, disabled, last_change)   roles: a non-empty subset of ROLES
    Accounts(engine)                      the private tables (``store.tables`` AccountRow, SessionRow,
                                          AccountChangeRow)
      .add(name, password, roles, by)   -> Account; ALREADY_EXISTS, MALFORMED (name, roles, password)
      .sign_in(name, password)          -> Session | None          (argon2id: slow, run it off the loop;
                                                                     None for a disabled account too)
      .session(token)                   -> Account | None          (unknown, expired, signed out or
                                                                     disabled: None)
      .sign_out(token)
      .listing()                        -> [Account]               (disabled ones too, marked)
      .change_password(token, current, new) -> Account   the session's own; its other sessions end;
                                          UNAUTHENTICATED, BAD_CREDENTIAL (current), MALFORMED (new)
      .reset_password(name, new, by)    -> Account   another's; all its sessions end;
                                          UNKNOWN_ACCOUNT, MALFORMED, INVALID_STATE (reason "self")
      .set_disabled(name, disabled, by) -> Account   disabling ends its sessions at once; UNKNOWN_ACCOUNT,
                                          INVALID_STATE (reason "self", or "last_manager": the last
                                          enabled account that may manage accounts)
    may_command(roles, kind) / may(roles, act)   what each role may do (pure)

A clerk does everything; an editor of the record revises and types the transcript and
reads the review and the exports; an operator enrols and revokes devices. The admin
token and clerk device keys are not accounts and keep a clerk's full powers.

Passwords are hashed with argon2id (argon2-cffi's ``PasswordHasher``, RFC 9106 low-memory
defaults), rehashed on sign-in when those parameters change. A session is a random
256-bit token, kept only as its SHA-256, valid ``SESSION_S`` seconds; the page holds it in
an HttpOnly, SameSite=Strict cookie (``SESSION_COOKIE``), Secure when served over https.

Accounts are never deleted (the log names them as authors): an account that should no longer
act is disabled. Each change after ``add`` is a row of ``account_changes`` (what, by whom, when,
``Change``); ``by`` is an account's name or "admin", as ``add``'s ``created_by``.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, cast, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete
from sqlmodel import Session as Db
from sqlmodel import select

from hall_server.store.tables import AccountChangeRow, AccountRow, SessionRow
from protocol.errors import ErrorCode, ProtocolError

AccountRole = Literal["clerk", "editor", "operator"]
ROLES: tuple[AccountRole, ...] = get_args(AccountRole)
Act = Literal["review", "prepare", "accounts", "audit", "pairings"]
Change = Literal["password_changed", "password_reset", "disabled", "enabled"]
STANDING: tuple[Change, ...] = ("disabled", "enabled")  # the changes that say whether an account may act
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
class AccountChange:
    """One change to an account after it was added: what, by whom ("admin" for the admin token), when (ms)."""

    change: Change
    by: str
    at_ms: int

    def public(self) -> dict[str, object]:
        return {"change": self.change, "by": self.by, "at_ms": self.at_ms}


@dataclass(frozen=True)
class Account:
    name: str
    roles: frozenset[AccountRole]
    disabled: bool = False
    last_change: AccountChange | None = None  # the latest change after ``add``, None if never changed

    def public(self) -> dict[str, object]:
        """``{"name", "roles": [sorted], "disabled": bool, "last_change": {"change", "by", "at_ms"} | null}``."""
        return {"name": self.name, "roles": sorted(self.roles), "disabled": self.disabled,
                "last_change": self.last_change.public() if self.last_change else None}


@dataclass(frozen=True)
class Session:
    account: Account
    token: str
    expires_ms: int


def _roles(row: AccountRow) -> frozenset[AccountRole]:
    return frozenset(cast(AccountRole, r) for r in row.roles.split())


def _account(row: AccountRow, changes: Sequence[AccountChangeRow] = ()) -> Account:
    """The account of a row, given its changes oldest first."""
    standing = [c.change for c in changes if c.change in STANDING]
    last = changes[-1] if changes else None
    return Account(row.name, _roles(row), bool(standing) and standing[-1] == "disabled",
                   AccountChange(cast(Change, last.change), last.by, last.at_ms) if last else None)


def check_password(password: str) -> None:
    """MALFORMED unless a new password is strong enough: at least ``MIN_PASSWORD`` characters."""
    if len(password) < MIN_PASSWORD:
        raise ProtocolError(ErrorCode.MALFORMED, f"a password has at least {MIN_PASSWORD} characters")


def check_new(name: str, password: str, roles: Iterable[str]) -> frozenset[AccountRole]:
    """The roles of a new account, or MALFORMED naming what is wrong with its name, password or roles."""
    wanted = frozenset(roles)
    if not NAME.fullmatch(name) or name in RESERVED:
        raise ProtocolError(ErrorCode.MALFORMED, "an account name is 2-32 of a-z 0-9 . _ -, starting with a letter",
                            name=name[:64])
    check_password(password)
    if not wanted or not wanted <= set(ROLES):
        raise ProtocolError(ErrorCode.MALFORMED, "roles are some of clerk, editor, operator", roles=sorted(wanted))
    return cast(frozenset[AccountRole], wanted)


class Accounts:
    """Accounts and sessions in the hall's database. Every method does I/O: call it off the event loop.

    Changes to existing accounts hold ``_changing`` and lock the account rows (PostgreSQL ``FOR UPDATE``),
    so two managers disabling each other at once cannot leave the hall without one.
    """

    def __init__(self, engine: Engine, hasher: PasswordHasher | None = None) -> None:
        self.engine = engine
        self.hasher = hasher or PasswordHasher()
        self._absent = self.hasher.hash(secrets.token_hex(16))  # verified against for unknown names: same time
        self._changing = threading.Lock()

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
            if row is None or _disabled(db, name):
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
            # A sign-in racing a disable may have written a session after the disable ended the others.
            if row is None or _disabled(db, row.name):
                return None
        return _account(row)

    def sign_out(self, token: str) -> None:
        with Db(self.engine) as db:
            found = db.get(SessionRow, token_digest(token))
            if found is not None:
                db.delete(found)
                db.commit()

    def listing(self) -> list[Account]:
        with Db(self.engine) as db:
            changes: dict[str, list[AccountChangeRow]] = {}
            for c in db.exec(select(AccountChangeRow).order_by(AccountChangeRow.id)):  # type: ignore[arg-type]
                changes.setdefault(c.account, []).append(c)
            return [_account(r, changes.get(r.name, [])) for r in db.exec(select(AccountRow).order_by(AccountRow.name))]

    def change_password(self, token: str, current: str, new: str) -> Account:
        """The session's own account gets a new password; its other sessions end, this one stays."""
        check_password(new)
        with self._changing, Db(self.engine) as db:
            found = db.get(SessionRow, token_digest(token))
            row = db.get(AccountRow, found.account, with_for_update=True) if found else None
            if found is None or found.expires_ms <= now_ms() or row is None or _disabled(db, row.name):
                raise ProtocolError(ErrorCode.UNAUTHENTICATED, "not signed in")
            try:
                self.hasher.verify(row.password_hash, current)
            except (VerificationError, InvalidHashError):
                raise ProtocolError(ErrorCode.BAD_CREDENTIAL, "the current password is wrong") from None
            row.password_hash = self.hasher.hash(new)
            db.add(row)
            _end_sessions(db, row.name, keep=found.token_sha256)
            return self._record(db, row, "password_changed", row.name)

    def reset_password(self, name: str, new: str, by: str) -> Account:
        """Another account gets a new password, set by a manager (``by``); all its sessions end."""
        check_password(new)
        if name == by:
            raise ProtocolError(ErrorCode.INVALID_STATE, "change your own password with your current one, "
                                "not by a reset", name=name, reason="self")
        with self._changing, Db(self.engine) as db:
            row = _existing(db, name)
            row.password_hash = self.hasher.hash(new)
            db.add(row)
            _end_sessions(db, name)
            return self._record(db, row, "password_reset", by)

    def set_disabled(self, name: str, disabled: bool, by: str) -> Account:
        """Disable (its sessions end at once; it can no longer sign in) or enable an account.

        Changes nothing and records nothing when the account already is so. Refuses to disable the
        caller's own account, and the last enabled account that may manage accounts.
        """
        if disabled and name == by:
            raise ProtocolError(ErrorCode.INVALID_STATE, "an account cannot disable itself", name=name, reason="self")
        with self._changing, Db(self.engine) as db:
            rows = {r.name: r for r in db.exec(select(AccountRow).with_for_update())}  # every manager, locked
            row = rows.get(name)
            if row is None:
                raise ProtocolError(ErrorCode.UNKNOWN_ACCOUNT, "no account by that name", name=name[:64])
            off = _disabled_names(db)
            if (name in off) == disabled:
                return _account(row, _changes(db, name))
            if disabled and may(_roles(row), "accounts") and not any(
                    may(_roles(r), "accounts") and n not in off for n, r in rows.items() if n != name):
                raise ProtocolError(ErrorCode.INVALID_STATE, "the last enabled account that manages accounts "
                                    "cannot be disabled", name=name, reason="last_manager")
            if disabled:
                _end_sessions(db, name)
            return self._record(db, row, "disabled" if disabled else "enabled", by)

    @staticmethod
    def _record(db: Db, row: AccountRow, change: Change, by: str) -> Account:
        """Append the change, commit everything done in ``db`` with it, and answer the account as it is now."""
        db.add(AccountChangeRow(account=row.name, change=change, by=by, at_ms=now_ms()))
        db.commit()
        return _account(row, _changes(db, row.name))


def _existing(db: Db, name: str) -> AccountRow:
    row = db.get(AccountRow, name, with_for_update=True)
    if row is None:
        raise ProtocolError(ErrorCode.UNKNOWN_ACCOUNT, "no account by that name", name=name[:64])
    return row


def _changes(db: Db, name: str) -> list[AccountChangeRow]:
    return list(db.exec(select(AccountChangeRow).where(AccountChangeRow.account == name)
                        .order_by(AccountChangeRow.id)))  # type: ignore[arg-type]


def _disabled(db: Db, name: str) -> bool:
    latest = db.exec(select(AccountChangeRow.change).where(AccountChangeRow.account == name)
                     .where(AccountChangeRow.change.in_(STANDING))  # type: ignore[attr-defined]
                     .order_by(AccountChangeRow.id.desc()).limit(1)).first()  # type: ignore[union-attr]
    return latest == "disabled"


def _disabled_names(db: Db) -> set[str]:
    standing: dict[str, str] = {}
    for account, change in db.exec(select(AccountChangeRow.account, AccountChangeRow.change)
                                   .where(AccountChangeRow.change.in_(STANDING))  # type: ignore[attr-defined]
                                   .order_by(AccountChangeRow.id)):  # type: ignore[arg-type]
        standing[account] = change
    return {a for a, c in standing.items() if c == "disabled"}


def _end_sessions(db: Db, name: str, keep: str | None = None) -> None:
    """Delete the account's sessions (but ``keep``, a token's SHA-256), in ``db``'s transaction."""
    ending = delete(SessionRow).where(SessionRow.account == name)  # type: ignore[arg-type]
    if keep is not None:
        ending = ending.where(SessionRow.token_sha256 != keep)  # type: ignore[arg-type]
    db.exec(ending)


__all__ = ["ROLES", "SESSION_COOKIE", "Account", "AccountChange", "AccountRole", "Accounts", "Act", "Change", "Session",
           "may", "may_command"]
