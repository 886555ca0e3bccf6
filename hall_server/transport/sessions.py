"""Who is calling over HTTP, signing in and out, accounts, the audit view; and CSRF protection.

    POST   /api/session   {"name", "password"}  -> {"ok", "account": {"name", "roles"}, "expires"}
                          and the session cookie (HttpOnly, SameSite=Strict, Secure over https); 401;
                          429 past ``SignInThrottle``'s rates (Retry-After)
    GET    /api/session   -> {"ok", "account"} for a signed-in page; 401
    DELETE /api/session   -> {"ok"}: the session ends, its cookie is cleared
    POST   /api/session/password {"password", "new_password"} -> {"ok", "account"}: the signed-in
                          account's own password; its other sessions end; 400 (new too short), 401,
                          403 ``bad_credential`` (current wrong), 429 (as sign-in)
    GET    /api/accounts  -> {"ok", "accounts": [account]}    (a clerk)
    POST   /api/accounts  {"name", "password", "roles"} -> 201 {"ok", "account"} (a clerk, or the admin token:
                          the first account and scripts, ``hemicycle admin add-account``); 400, 409
    POST   /api/accounts/<name>/password {"password"} -> {"ok", "account"}: another account's password,
                          reset; all its sessions end (a clerk or the admin token); 400, 401, 404,
                          409 ``invalid_state`` (reason "self")
    POST   /api/accounts/<name>/disabled {"disabled": bool} -> {"ok", "account"}: disabled (its sessions
                          end, its sockets are dropped) or enabled again (a clerk or the admin token); 400,
                          401, 404, 409 ``invalid_state`` (reason "self" or "last_manager")

An account is ``{"name", "roles", "disabled", "last_change": {"change", "by", "at_ms"} | null}``
(``Account.public``). "A clerk" is any account that may manage accounts (``may(roles, "accounts")``).
    GET    /api/audit?sitting=S&author=A&kind=K&limit=N -> {"ok", "stream", ...``audit.audit``} (a clerk)

A caller is, in this order: the admin token (``Authorization: Bearer <token>`` or
``X-Hemicycle-Token``), a clerk device's signed challenge (``X-Hemicycle-Device/-Nonce/-Signature``),
or a signed-in account's session cookie. Every state-changing request (POST, PUT, PATCH, DELETE)
that carries any cookie must echo the ``csrftoken`` cookie in an ``X-CSRFToken`` header
(double submit, ``asgi-csrf``) or is refused 403 ``forbidden``; requests with no cookie at all, or
that name their credentials in their own headers (Bearer, the admin token, a device signature:
``explicit_credentials``), carry no ambient authority and pass to their own checks. The socket's clerk
namespace takes a session the same way: the cookie, and the csrftoken echoed in ``auth.csrf``.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Scope, Send

from hall_server.accounts import SESSION_COOKIE, SESSION_S, Account, Accounts
from hall_server.audit import MAX_AUDIT, audit
from hall_server.hall import Caller, Hall
from hall_server.transport.fair import Rate, TokenBucket
from hall_server.web.documents import auth_from_headers, refusal
from protocol.commands import REGISTRY_STREAM
from protocol.errors import ErrorCode, ProtocolError
from protocol.events import Actor
from protocol.types import Role

log = logging.getLogger("hemicycle.accounts")
CSRF_COOKIE = "csrftoken"
CSRF_HEADER = "x-csrftoken"
STREAM_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:-")
STATUS = {ErrorCode.ALREADY_EXISTS: 409, ErrorCode.MALFORMED: 400, ErrorCode.UNAUTHENTICATED: 401,
          ErrorCode.BAD_CREDENTIAL: 403, ErrorCode.UNKNOWN_ACCOUNT: 404, ErrorCode.INVALID_STATE: 409}


def account_caller(account: Account) -> Caller:
    """A signed-in account, as the log names it: the clerk role and the account."""
    return Caller(Actor(role=Role.CLERK, account=account.name), roles=account.roles)


def cookie_of(header: str, name: str) -> str | None:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except Exception:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel else None


class Identify:
    """Who is calling: ``await identify(request)`` -> Caller | None (see the module's order)."""

    def __init__(self, authenticate: Callable[[dict[str, Any]], Caller | None], accounts: Accounts) -> None:
        self.authenticate = authenticate
        self.accounts = accounts

    async def __call__(self, request: Request) -> Caller | None:
        caller = self.authenticate(auth_from_headers(request))
        if caller is not None:
            return caller
        token = request.cookies.get(SESSION_COOKIE)
        return await session_caller(self.accounts, token) if token else None


async def session_caller(accounts: Accounts, token: str) -> Caller | None:
    account = await run_in_threadpool(accounts.session, token)
    return account_caller(account) if account else None


def socket_token(environ: dict[str, Any], auth: dict[str, Any]) -> str | None:
    """The session of a page's socket connect: the cookie in its handshake, when ``auth.csrf`` echoes
    the csrftoken cookie (so another site's page cannot open the socket with the clerk's cookie)."""
    header = str(environ.get("HTTP_COOKIE", ""))
    token, csrf, echoed = cookie_of(header, SESSION_COOKIE), cookie_of(header, CSRF_COOKIE), auth.get("csrf")
    if not token or not csrf or not isinstance(echoed, str) or not hmac.compare_digest(csrf, echoed):
        return None
    return token


def csrf_middleware(secret: str) -> Middleware:
    """``asgi-csrf`` in front of every route: double-submit cookie, refusals as JSON."""
    from asgi_csrf import asgi_csrf

    async def failed(scope: Scope, send: Send, message_id: Any) -> None:
        body = json.dumps({"ok": False, "error": ProtocolError(
            ErrorCode.FORBIDDEN, "this request needs the page's csrftoken in an X-CSRFToken header").to_wire()})
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body.encode()})

    return Middleware(asgi_csrf, signing_secret=secret, always_set_cookie=True, cookie_samesite="Strict",
                      send_csrf_failed=failed, skip_if_scope=explicit_credentials)


def explicit_credentials(scope: Scope) -> bool:
    """A request that names its credentials in its own headers (the admin token, a device's signature).

    A browser never adds these by itself, and another site's page cannot send them here without a
    CORS preflight, which this server never grants: such a request is not forgeable, cookie or not.
    """
    names = {k for k, _ in scope.get("headers", ())}
    return b"x-hemicycle-token" in names or b"x-hemicycle-signature" in names


async def json_body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError as exc:
        raise ProtocolError(ErrorCode.MALFORMED, "the body is a JSON object") from exc
    if not isinstance(body, dict):
        raise ProtocolError(ErrorCode.MALFORMED, "the body is a JSON object")
    return body


class SignInThrottle:
    """Sign-in attempts, right or wrong: per account name ``NAME_RATE``, per source address ``SOURCE_RATE``.

    Guessing passwords then takes months per account even before argon2's cost; a clerk who
    mistypes a few times is not held up. Pure bookkeeping (times in monotonic seconds); the
    tables are dropped whole past ``MAX_KEYS`` names, so a flood of made-up names cannot grow them.
    """

    NAME_RATE = Rate(1 / 30, 10)
    SOURCE_RATE = Rate(1 / 2, 30)
    MAX_KEYS = 10_000

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = scale
        self.names: dict[str, TokenBucket] = {}
        self.sources: dict[str, TokenBucket] = {}

    def _take(self, table: dict[str, TokenBucket], key: str, rate: Rate, now: float) -> float:
        if len(table) > self.MAX_KEYS:
            table.clear()
        bucket = table.setdefault(key, TokenBucket(rate.per_second * self.scale, rate.burst * self.scale,
                                                   rate.burst * self.scale, now))
        return bucket.take(now)

    def wait(self, name: str, source: str, now: float) -> float:
        """0.0 when this attempt may go ahead, else the seconds to wait."""
        return max(self._take(self.sources, source, self.SOURCE_RATE, now),
                   self._take(self.names, name[:32], self.NAME_RATE, now))


def session_routes(hall: Hall, accounts: Accounts, identify: Identify, rate_scale: float = 1.0,
                   sessions_ended: Callable[[], Awaitable[None]] | None = None) -> list[BaseRoute]:
    """Sign-in, sign-out, accounts and the audit view (see the module's docstring).

    ``sessions_ended`` is awaited after a change that ends sessions (a password changed or reset, an
    account disabled): it drops the sockets that were signed in by them.
    """
    throttle = SignInThrottle(rate_scale)

    def wait_response(wait: float) -> Response:
        response = refusal(429, "rate_limited", "too many sign-in attempts: wait and try again",
                           retry_after_s=round(wait, 1))
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response

    async def ended() -> None:
        if sessions_ended is not None:
            await sessions_ended()

    def answer(err: ProtocolError) -> Response:
        return JSONResponse({"ok": False, "error": err.to_wire()}, status_code=STATUS.get(err.code, 400))

    async def sign_in(request: Request) -> Response:
        try:
            body = await json_body(request)
        except ProtocolError as err:
            return answer(err)
        name, password = body.get("name"), body.get("password")
        if not isinstance(name, str) or not isinstance(password, str):
            return refusal(400, "malformed", "sign in with {name, password}")
        wait = throttle.wait(name, request.client.host if request.client else "unknown", time.monotonic())
        if wait:
            return wait_response(wait)
        session = await run_in_threadpool(accounts.sign_in, name, password)
        if session is None:
            log.warning("a sign-in as %r failed", name[:32])
            return refusal(401, "unauthenticated", "unknown account or wrong password")
        log.info("%s signed in", session.account.name)
        response = JSONResponse({"ok": True, "account": session.account.public(), "expires": session.expires_ms})
        response.set_cookie(SESSION_COOKIE, session.token, max_age=SESSION_S, path="/", httponly=True,
                            samesite="strict", secure=request.url.scheme == "https")
        return response

    async def whoami(request: Request) -> Response:
        token = request.cookies.get(SESSION_COOKIE)
        account = await run_in_threadpool(accounts.session, token) if token else None
        if account is None:
            return refusal(401, "unauthenticated", "not signed in")
        return JSONResponse({"ok": True, "account": account.public()})

    async def sign_out(request: Request) -> Response:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await run_in_threadpool(accounts.sign_out, token)
        response = JSONResponse({"ok": True})
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict",
                               secure=request.url.scheme == "https")
        return response

    async def listing(request: Request) -> Response:
        caller = await identify(request)
        if caller is None or not caller.may("accounts"):
            return refusal(401, "unauthenticated", "only a clerk lists the accounts")
        return JSONResponse({"ok": True, "accounts": [a.public() for a in
                                                      await run_in_threadpool(accounts.listing)]})

    async def add(request: Request) -> Response:
        caller = await identify(request)
        if caller is None or not caller.may("accounts"):
            return refusal(401, "unauthenticated", "only a clerk or the admin token adds accounts")
        try:
            body = await json_body(request)
            roles = body.get("roles", ["clerk"])
            if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
                raise ProtocolError(ErrorCode.MALFORMED, "roles is a list of clerk, editor, operator")
            account = await run_in_threadpool(accounts.add, str(body.get("name", "")), str(body.get("password", "")),
                                              roles, caller.actor.author or "admin")
        except ProtocolError as err:
            return answer(err)
        log.info("%s added the account %s (%s)", caller.actor.author, account.name, " ".join(sorted(account.roles)))
        return JSONResponse({"ok": True, "account": account.public()}, status_code=201)

    async def change_password(request: Request) -> Response:
        token = request.cookies.get(SESSION_COOKIE)
        account = await run_in_threadpool(accounts.session, token) if token else None
        if token is None or account is None:
            return refusal(401, "unauthenticated", "not signed in")
        try:
            body = await json_body(request)
            current, new = body.get("password"), body.get("new_password")
            if not isinstance(current, str) or not isinstance(new, str):
                raise ProtocolError(ErrorCode.MALFORMED, "change a password with {password, new_password}")
            wait = throttle.wait(account.name, request.client.host if request.client else "unknown",
                                 time.monotonic())
            if wait:  # a wrong current password is a guess like a wrong sign-in
                return wait_response(wait)
            changed = await run_in_threadpool(accounts.change_password, token, current, new)
        except ProtocolError as err:
            if err.code is ErrorCode.BAD_CREDENTIAL:
                log.warning("%s gave a wrong current password", account.name)
            return answer(err)
        log.info("%s changed their password", changed.name)
        await ended()
        return JSONResponse({"ok": True, "account": changed.public()})

    async def reset_password(request: Request) -> Response:
        caller = await identify(request)
        if caller is None or not caller.may("accounts"):
            return refusal(401, "unauthenticated", "only a clerk or the admin token resets passwords")
        name = request.path_params["name"]
        try:
            body = await json_body(request)
            password = body.get("password")
            if not isinstance(password, str):
                raise ProtocolError(ErrorCode.MALFORMED, "reset a password with {password}")
            account = await run_in_threadpool(accounts.reset_password, name, password, caller.actor.author or "admin")
        except ProtocolError as err:
            return answer(err)
        log.info("%s reset the password of %s", caller.actor.author or "admin", name)
        await ended()
        return JSONResponse({"ok": True, "account": account.public()})

    async def set_disabled(request: Request) -> Response:
        caller = await identify(request)
        if caller is None or not caller.may("accounts"):
            return refusal(401, "unauthenticated", "only a clerk or the admin token disables accounts")
        name = request.path_params["name"]
        try:
            body = await json_body(request)
            disabled = body.get("disabled")
            if not isinstance(disabled, bool):
                raise ProtocolError(ErrorCode.MALFORMED, "disable or enable with {disabled: true | false}")
            account = await run_in_threadpool(accounts.set_disabled, name, disabled, caller.actor.author or "admin")
        except ProtocolError as err:
            return answer(err)
        log.info("%s %s the account %s", caller.actor.author or "admin", "disabled" if disabled else "enabled", name)
        if disabled:
            await ended()
        return JSONResponse({"ok": True, "account": account.public()})

    async def audit_view(request: Request) -> Response:
        caller = await identify(request)
        if caller is None or not caller.may("audit"):
            return refusal(401, "unauthenticated", "only a clerk reads the audit")
        q = request.query_params
        stream = q.get("sitting") or REGISTRY_STREAM
        limit = q.get("limit", "200")
        if not 1 <= len(stream) <= 64 or not set(stream) <= STREAM_ID_CHARS or not limit.isdigit():
            return refusal(400, "malformed", "audit takes sitting=<stream id>, author, kind, limit=1..1000")
        if await hall.store.run(hall.store.log.head_seq, stream) == 0:
            return refusal(404, "unknown_sitting", "no such stream", stream=stream)

        def read() -> dict[str, Any]:
            return audit(hall.store.log.iter_records(stream), q.get("author") or None, q.get("kind") or None,
                         min(int(limit), MAX_AUDIT) or 1)

        found = await asyncio.get_running_loop().run_in_executor(None, read)
        return JSONResponse({"ok": True, "stream": stream, **found})

    return [
        Route("/api/session", sign_in, methods=["POST"]),
        Route("/api/session", whoami, methods=["GET"]),
        Route("/api/session", sign_out, methods=["DELETE"]),
        Route("/api/session/password", change_password, methods=["POST"]),
        Route("/api/accounts", listing, methods=["GET"]),
        Route("/api/accounts", add, methods=["POST"]),
        Route("/api/accounts/{name}/password", reset_password, methods=["POST"]),
        Route("/api/accounts/{name}/disabled", set_disabled, methods=["POST"]),
        Route("/api/audit", audit_view),
    ]


__all__ = ["CSRF_COOKIE", "CSRF_HEADER", "Identify", "account_caller", "csrf_middleware", "session_caller",
           "session_routes", "socket_token"]
