"""The ASGI application: Starlette routes and the Socket.IO server, one process.

Scale-out: with ``redis_url`` the Socket.IO manager fans out across workers
(websocket transport only, no sticky sessions needed).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import math
import os
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import socketio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hall_server.accounts import Accounts
from hall_server.clock import run_clock
from hall_server.hall import Hall
from hall_server.media import CutAudio
from hall_server.refusals import protocol_document
from hall_server.store import EventLog
from hall_server.store.notes import PrivateNotes, notes_key
from hall_server.transport.challenge import Challenges
from hall_server.transport.fair import Doorman, Limiter
from hall_server.transport.namespaces import ROLES, Broadcaster, RoleNamespace
from hall_server.transport.openapi import openapi_document
from hall_server.transport.pairing import Pairings
from hall_server.transport.remote_links import LinkTable
from hall_server.transport.review import review_routes
from hall_server.transport.sessions import Identify, csrf_middleware, session_routes
from hall_server.transport.wire import HallPacket
from hall_server.web import DocumentPasses, web_routes
from protocol.errors import ErrorCode, ProtocolError
from protocol.keyfile import load_or_create_key
from protocol.limits import MAX_MESSAGE_BYTES
from protocol.types import Role
from protocol.version import PROTOCOL_VERSION

log = logging.getLogger("hemicycle.server")
STATUS = {ErrorCode.ALREADY_EXISTS: 409, ErrorCode.RATE_LIMITED: 429}


@dataclass(frozen=True)
class ServerConfig:
    db_url: str
    admin_token: str
    server_key: Path
    data_dir: Path
    archive_dir: Path
    redis_url: str | None = None
    cut_audio: CutAudio | None = None
    metrics_token: str | None = field(default_factory=lambda: os.environ.get("HEMICYCLE_METRICS_TOKEN"))
    """Bearer token a Prometheus scraper sends for /metrics; from ``HEMICYCLE_METRICS_TOKEN``,
    else the admin token. /metrics answers 401 without it."""
    rate_scale: float = field(default_factory=lambda: float(os.environ.get("HEMICYCLE_RATE_SCALE", "1")))
    """Multiplies every rate limit (``fair.RATES``); from ``HEMICYCLE_RATE_SCALE``, default 1."""


def make_sio(redis_url: str | None) -> socketio.AsyncServer:
    manager = None
    if redis_url:
        manager = socketio.AsyncRedisManager(redis_url, redis_options={"socket_timeout": None})
    return socketio.AsyncServer(
        async_mode="asgi",
        cors_allowed_origins=[],
        client_manager=manager,
        serializer=HallPacket,
        max_http_buffer_size=MAX_MESSAGE_BYTES,
        ping_interval=10,
        ping_timeout=10,
        transports=["websocket"] if redis_url else ["polling", "websocket"],
    )


def guard_door(sio: socketio.AsyncServer, doorman: Doorman) -> None:
    """Put the doorman in front of Socket.IO's own Engine.IO connect and disconnect handlers."""
    enter, leave = sio.eio.handlers["connect"], sio.eio.handlers["disconnect"]

    async def connect(eio_sid: str, environ: dict[str, Any]) -> Any:
        client = environ.get("asgi.scope", {}).get("client")
        if not doorman.admit(eio_sid, str(client[0]) if client else "unknown", time.monotonic()):
            log.warning("refused a connection: %d are open without a namespace joined", doorman.waiting)
            return False
        return await enter(eio_sid, environ)

    async def disconnect(eio_sid: str, reason: Any = None) -> Any:
        doorman.gone(eio_sid)
        return await leave(eio_sid, reason)

    sio.eio.on("connect", connect)
    sio.eio.on("disconnect", disconnect)


async def close_late(sio: socketio.AsyncServer, doorman: Doorman) -> None:
    """Close connections that joined no namespace within ``AUTH_TIMEOUT_S``; runs for the app's life."""
    while True:
        await asyncio.sleep(1.0)
        for eio_sid in doorman.overdue(time.monotonic()):
            try:
                await sio.eio.disconnect(eio_sid)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("closing a late connection failed")


def create_app(config: ServerConfig) -> Any:
    """Build the hall server; its lifespan loads the log and starts the clock."""
    sio = make_sio(config.redis_url)
    key = load_or_create_key(config.server_key)
    event_log = EventLog(config.db_url)
    hall = Hall(event_log, key)
    notes = PrivateNotes(event_log.engine, notes_key(key.private_bytes_raw()))
    broadcaster = Broadcaster(sio, hall)
    hall.subscribe(broadcaster.publish)
    secret = hashlib.sha256(b"hemicycle/challenge-secret\x00" + key.private_bytes_raw()).digest()
    challenges = Challenges(secret)
    passes = DocumentPasses(hashlib.sha256(b"hemicycle/document-pass\x00" + key.private_bytes_raw()).digest())
    pairings = Pairings()
    limiter = Limiter(config.rate_scale)
    doorman = Doorman()
    guard_door(sio, doorman)
    accounts = Accounts(hall.store.log.engine)
    links = LinkTable(sio)
    namespaces = {
        role: RoleNamespace(role, hall, config.admin_token, challenges, pairings, broadcaster, limiter, doorman,
                             passes, links, notes, accounts)
        for role in ROLES
    }
    identify = Identify(namespaces[Role.CLERK].authenticate, accounts)
    for ns in namespaces.values():
        sio.register_namespace(ns)

    async def healthz(request: Request) -> JSONResponse:
        db_ok = True
        try:
            await hall.store.run(hall.store.log.head_seq, "registry")
        except Exception:
            db_ok = False
        body = {
            "ok": db_ok,
            "protocol": PROTOCOL_VERSION,
            "streams": len(hall.states),
            "sittings": len(hall.sittings()),
            "footprint": hall.footprint(),
        }
        return JSONResponse(body, status_code=200 if db_ok else 503)

    async def metrics(request: Request) -> Response:
        """Prometheus text, for a scraper holding the token (``Authorization: Bearer <token>``)."""
        scrape_token = config.metrics_token or config.admin_token
        given = request.headers.get("authorization", "").removeprefix("Bearer ").encode()
        if not hmac.compare_digest(given, scrape_token.encode()):
            return JSONResponse({"ok": False, "error": {"code": "unauthenticated",
                                                        "message": "metrics need the scrape token"}},
                                status_code=401, headers={"WWW-Authenticate": "Bearer"})
        hall.metrics.broadcast_queue.set(broadcaster.queue.qsize())
        return Response(hall.metrics.exposition(), media_type=hall.metrics.content_type)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await hall.start()
        broadcaster.start()
        clock = asyncio.create_task(run_clock(hall), name="clock")
        door = asyncio.create_task(close_late(sio, doorman), name="doorman")
        try:
            yield
        finally:
            for task in (clock, door):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await broadcaster.stop()
            await hall.close()

    async def challenge(request: Request) -> JSONResponse:
        return JSONResponse({"nonce": challenges.issue()}, headers={"Cache-Control": "no-store"})

    async def server_info(request: Request) -> JSONResponse:
        return JSONResponse({"protocol": PROTOCOL_VERSION, "server_key": hall.server_public})

    async def asyncapi(request: Request) -> JSONResponse:
        return JSONResponse(protocol_document())

    async def openapi(request: Request) -> JSONResponse:
        return JSONResponse(openapi_document())

    async def pair(request: Request) -> JSONResponse:
        source = request.client.host if request.client else "unknown"
        try:
            body = await request.json()
            req = pairings.request(str(body["public_key"]), str(body["role"]), str(body.get("label", "")), source)
        except ProtocolError as err:
            status, headers = STATUS[err.code], {}
            if err.code is ErrorCode.RATE_LIMITED:
                headers["Retry-After"] = str(math.ceil(err.details["retry_after_s"]))
            return JSONResponse({"ok": False, "error": err.to_wire()}, status_code=status, headers=headers)
        except (ValueError, KeyError, TypeError) as exc:
            return JSONResponse({"ok": False, "error": {"code": "malformed", "message": str(exc)[:200]}},
                                status_code=400)
        return JSONResponse({"ok": True, "code": req.code})

    async def pairing_status(request: Request) -> JSONResponse:
        status = pairings.status(request.path_params["code"], hall.registry)
        if status is None:
            return JSONResponse({"ok": False, "error": {"code": "unknown_device"}}, status_code=404)
        return JSONResponse({"ok": True, **status})

    routes = [
        Route("/healthz", healthz),
        Route("/metrics", metrics),
        Route("/api/challenge", challenge),
        Route("/api/server", server_info),
        Route("/api/asyncapi.json", asyncapi),
        Route("/api/openapi.json", openapi),
        Route("/api/pairings", pair, methods=["POST"]),
        Route("/api/pairings/{code}", pairing_status),
        *web_routes(hall, config.data_dir, identify, passes),
        *review_routes(hall, config.archive_dir, config.cut_audio, identify),
        *session_routes(hall, accounts, identify, config.rate_scale, namespaces[Role.CLERK].drop_ended_sessions),
    ]
    csrf_secret = hashlib.sha256(b"hemicycle/csrf\x00" + key.private_bytes_raw()).hexdigest()
    web = Starlette(routes=routes, lifespan=lifespan, middleware=[csrf_middleware(csrf_secret)])
    web.state.hall = hall
    web.state.sio = sio
    return socketio.ASGIApp(sio, other_asgi_app=web)


def new_admin_token() -> str:
    return secrets.token_urlsafe(24)
