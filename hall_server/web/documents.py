"""Documents for the agenda: uploaded by a clerk, stored by content, read by every seat.

A document is stored once under ``documents/<sha256>`` (the hash of its
bytes), so the ``agenda.attach_document`` event that names the hash says
exactly which bytes the members read. Upload and hashing run in a worker
thread: the event loop that runs the sitting only forwards chunks.

    POST /api/documents   body: the PDF bytes (Content-Type: application/pdf)
        auth: Authorization: Bearer <admin token> (or X-Hemicycle-Token: <admin token>)
                  or  a signed-in clerk's session cookie (and X-CSRFToken, ``transport.sessions``)
                  or  X-Hemicycle-Device, X-Hemicycle-Nonce, X-Hemicycle-Signature
                      (a clerk device, signing a challenge as on connect)
        -> 201 {"ok": true, "sha256", "size", "media_type"}
    GET  /documents/<sha256>  -> the PDF, inline; immutable (the name is its hash)
        for an enrolled device or a clerk: the cookie ``hemicycle_doc`` (or ``?pass=``)
        holding a document pass, or the clerk's auth headers above; else 401

A document pass is ``<device_id>.<expiry, unix s>.<HMAC-SHA256>``, issued over the
device's authenticated socket (event ``documents``), so an iframe can load a document
without headers; it dies with its expiry or its device's key (revocation).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import IO, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from hall_server.hall import Caller
from protocol.types import Role
from protocol.version import PROTOCOL_VERSION

MAX_BYTES = 64 * 1024 * 1024
PASS_TTL_S = 12 * 3600  # a sitting's day: the page asks again on every reconnect
PASS_COOKIE = "hemicycle_doc"
PDF_MAGIC = b"%PDF-"
SHA256 = re.compile(r"[0-9a-f]{64}")


def refusal(status: int, code: str, message: str, **details: Any) -> JSONResponse:
    return JSONResponse({"ok": False, "error": {"code": code, "message": message, "details": details}},
                        status_code=status)


class DocumentStore:
    """Files named by the SHA-256 of their bytes; written through a temp file and a rename."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, sha256: str) -> Path | None:
        if not SHA256.fullmatch(sha256):
            return None
        p = self.folder / sha256
        return p if p.is_file() else None

    def begin(self) -> tuple[IO[bytes], Any]:
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = tempfile.NamedTemporaryFile(dir=self.folder, prefix=".upload-", delete=False)
        return tmp, hashlib.sha256()

    @staticmethod
    def write(tmp: IO[bytes], digest: Any, chunk: bytes) -> None:
        tmp.write(chunk)
        digest.update(chunk)

    def finish(self, tmp: IO[bytes], digest: Any) -> str:
        tmp.flush()
        os.fsync(tmp.fileno())
        tmp.close()
        sha = str(digest.hexdigest())
        os.replace(tmp.name, self.folder / sha)
        return sha

    @staticmethod
    def discard(tmp: IO[bytes]) -> None:
        tmp.close()
        Path(tmp.name).unlink(missing_ok=True)


class DocumentPasses:
    """Issues and checks document passes: HMAC over device id and expiry, no table kept."""

    def __init__(self, secret: bytes, clock: Callable[[], float] = time.time) -> None:
        self._secret = secret
        self._clock = clock

    def _mac(self, device_id: str, expiry: int) -> str:
        return hmac.new(self._secret, f"{device_id}.{expiry}".encode(), hashlib.sha256).hexdigest()

    def issue(self, device_id: str) -> tuple[str, int]:
        """(pass, expiry in unix seconds) for an authenticated device ("": the bootstrap clerk,
        a name no device can have)."""
        expiry = int(self._clock()) + PASS_TTL_S
        return f"{device_id}.{expiry}.{self._mac(device_id, expiry)}", expiry

    def holder(self, token: str) -> str | None:
        """The device a valid, unexpired pass was issued to; None for anything else."""
        parts = token.rsplit(".", 2)  # device ids may hold dots
        if len(parts) != 3 or not parts[1].isdigit() or len(parts[1]) > 12:
            return None
        device_id, expiry, mac = parts[0], int(parts[1]), parts[2]
        if expiry < self._clock() or not hmac.compare_digest(mac, self._mac(device_id, expiry)):
            return None
        return device_id


def auth_from_headers(request: Request) -> dict[str, Any]:
    """The socket's auth dict, carried in headers, so one check serves both."""
    h = request.headers
    bearer = h.get("authorization", "")
    if bearer.startswith("Bearer "):
        return {"v": PROTOCOL_VERSION, "token": bearer.removeprefix("Bearer ")}
    if "x-hemicycle-token" in h:
        return {"v": PROTOCOL_VERSION, "token": h["x-hemicycle-token"]}
    return {
        "v": PROTOCOL_VERSION,
        "device_id": h.get("x-hemicycle-device"),
        "nonce": h.get("x-hemicycle-nonce"),
        "signature": h.get("x-hemicycle-signature"),
    }


def document_routes(
    store: DocumentStore, authenticate_clerk: Callable[[Request], Awaitable[Caller | None]],
    passes: DocumentPasses, enrolled: Callable[[str], bool],
) -> list[BaseRoute]:
    async def reader(request: Request) -> bool:
        token = request.cookies.get(PASS_COOKIE) or request.query_params.get("pass") or ""
        holder = passes.holder(token)
        if holder is not None and (holder == "" or enrolled(holder)):  # "": the bootstrap clerk
            return True
        caller = await authenticate_clerk(request)
        return caller is not None and caller.actor.role is Role.CLERK

    async def upload(request: Request) -> Response:
        caller = await authenticate_clerk(request)
        if caller is None or not caller.may("prepare"):
            return refusal(401, "unauthenticated", "only a clerk can upload documents")
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BYTES:
            return refusal(413, "too_large", "document too large", limit=MAX_BYTES)
        tmp, digest = await run_in_threadpool(store.begin)
        size, head = 0, b""
        try:
            async for chunk in request.stream():
                size += len(chunk)
                if size > MAX_BYTES:
                    await run_in_threadpool(store.discard, tmp)
                    return refusal(413, "too_large", "document too large", limit=MAX_BYTES)
                if len(head) < len(PDF_MAGIC):
                    head += chunk[: len(PDF_MAGIC)]
                if chunk:
                    await run_in_threadpool(store.write, tmp, digest, chunk)
        except ClientDisconnect:
            await run_in_threadpool(store.discard, tmp)
            return refusal(400, "malformed", "upload interrupted")
        if not head.startswith(PDF_MAGIC):
            await run_in_threadpool(store.discard, tmp)
            return refusal(415, "malformed", "only PDF documents are accepted")
        sha = await run_in_threadpool(store.finish, tmp, digest)
        return JSONResponse({"ok": True, "sha256": sha, "size": size, "media_type": "application/pdf"},
                            status_code=201)

    async def download(request: Request) -> Response:
        if not await reader(request):
            return refusal(401, "unauthenticated", "documents are for enrolled devices and clerks")
        path = store.path(request.path_params["sha256"])
        if path is None:
            return refusal(404, "unknown_document", "no such document")
        return FileResponse(
            path,
            media_type="application/pdf",
            content_disposition_type="inline",
            filename=f"{path.name[:16]}.pdf",
            headers={"Cache-Control": "private, max-age=31536000, immutable",
                     "X-Content-Type-Options": "nosniff"},
        )

    return [
        Route("/api/documents", upload, methods=["POST"]),
        Route("/documents/{sha256}", download),
    ]
