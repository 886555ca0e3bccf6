"""What the clerks' review needs over HTTP: the record, a turn's audio, the exports.

    GET /api/review/<sitting>          -> {"record": the Hansard model, "transcript": turn -> segments}
    GET /api/audio/<sitting>/<turn>    -> WAV of the turn, cut from the recorder's archive
    GET /api/export/<sitting>.<fmt>    -> json | pdf | akn (Akoma Ntoso XML), as a download
    GET /api/search?q=words             -> {"hits": [{stream, seq, kind, snippet, sitting}]}, newest sitting first
All need a clerk or an editor of the record: the same auth as document upload (admin token,
signed challenge or a session). Building runs in a separate process or a worker thread,
never on the event loop that runs the sitting.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import re
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from hall_server.export import UnknownSitting, export_json, write_hansard
from hall_server.hall import Hall
from hall_server.media import CutAudio
from hall_server.store import EventLog
from hall_server.web import Authenticate
from hall_server.web.documents import refusal
from procedure import SittingState
from procedure.views import sitting_summary, transcript_view

MAX_QUERY = 200  # characters of a search query
MAX_HITS = 100
FORMATS = {"json": ("application/json", "json"), "pdf": ("application/pdf", "pdf"),
           "akn": ("application/akn+xml", "akn.xml")}
TURN = re.compile(r"[A-Za-z0-9_.:\-]{1,64}")


def build_export(db_url: str, stream: str, fmt: str, out: str) -> None:
    """In a worker process: the sitting's export in one format, written to ``out``."""
    log = EventLog(db_url)
    try:
        doc = export_json(log, stream)
    finally:
        log.close()
    write_hansard(doc, fmt, Path(out))


def build_record(db_url: str, stream: str) -> dict[str, Any]:
    from hansard import record_to_dict
    from hansard.from_log import record_from_export

    log = EventLog(db_url)
    try:
        return record_to_dict(record_from_export(export_json(log, stream)))
    finally:
        log.close()


def review_routes(hall: Hall, archive_root: Path, cut_audio: CutAudio | None,
                  authenticate_clerk: Authenticate) -> list[BaseRoute]:
    """The clerks' review routes; ``cut_audio`` reads the media plane's archive (None: no audio served)."""
    pool: list[ProcessPoolExecutor] = []

    def exporter() -> ProcessPoolExecutor:
        if not pool:
            pool.append(ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")))
        return pool[0]

    def sitting_of(request: Request) -> SittingState | None:
        state = hall.states.get(request.path_params["sitting"])
        return state if isinstance(state, SittingState) and state.created else None

    async def clerk(request: Request) -> bool:
        caller = await authenticate_clerk(request)
        return caller is not None and caller.may("review")

    async def review(request: Request) -> Response:
        if not await clerk(request):
            return refusal(401, "unauthenticated", "only a clerk reviews the transcript")
        state = sitting_of(request)
        if state is None or state.opened_ms is None:
            return refusal(404, "unknown_sitting", "no opened sitting by that id")
        record = await asyncio.get_running_loop().run_in_executor(
            exporter(), build_record, hall.store.log.url, state.stream)
        return JSONResponse({"ok": True, "record": record, "transcript": transcript_view(state)})

    async def audio(request: Request) -> Response:
        if not await clerk(request):
            return refusal(401, "unauthenticated", "only a clerk listens to the archive")
        state = sitting_of(request)
        turn_id = request.path_params["turn"]
        segments = transcript_view(state).get(turn_id) if state else None
        if state is None or not TURN.fullmatch(turn_id) or not segments:
            return refusal(404, "unknown_item", "no transcribed turn by that id")
        t0 = min(s["start_ms"] for s in segments) / 1000 - 0.3
        t1 = max(s["end_ms"] for s in segments) / 1000 + 0.3
        out = Path(tempfile.mkdtemp(prefix="hc-audio-")) / f"{turn_id}.wav"
        found = cut_audio is not None and await run_in_threadpool(cut_audio, archive_root / state.stream, t0, t1, out)
        if not found:
            shutil.rmtree(out.parent, ignore_errors=True)
            return refusal(404, "unknown_item", "the archive has no audio for this sitting")
        return FileResponse(out, media_type="audio/wav", headers={"Cache-Control": "private, max-age=3600"},
                            background=BackgroundTask(shutil.rmtree, out.parent, True))

    async def export(request: Request) -> Response:
        if not await clerk(request):
            return refusal(401, "unauthenticated", "only a clerk exports the record")
        state = sitting_of(request)
        fmt = request.path_params["fmt"]
        if state is None or fmt not in FORMATS:
            return refusal(404, "unknown_sitting", "no such sitting or format", formats=sorted(FORMATS))
        media, suffix = FORMATS[fmt]
        out = Path(tempfile.mkdtemp(prefix="hc-export-")) / f"{state.stream}.{suffix}"
        try:
            await asyncio.get_running_loop().run_in_executor(
                exporter(), build_export, hall.store.log.url, state.stream, fmt, str(out))
        except (UnknownSitting, ValueError) as exc:
            shutil.rmtree(out.parent, ignore_errors=True)
            return refusal(409, "invalid_state", str(exc))
        return FileResponse(out, media_type=media, filename=out.name,
                            background=BackgroundTask(shutil.rmtree, out.parent, True))

    async def search(request: Request) -> Response:
        """Every word of ``q`` in the records' texts; each hit with its sitting's summary."""
        if not await clerk(request):
            return refusal(401, "unauthenticated", "only a clerk searches the records")
        query = request.query_params.get("q", "").strip()
        if not query or len(query) > MAX_QUERY:
            return refusal(400, "malformed", f"give q, 1 to {MAX_QUERY} characters", max_length=MAX_QUERY)
        hits = await hall.store.run(hall.store.log.search, query, MAX_HITS)
        found = []
        for hit in hits:
            state = hall.states.get(hit.stream)
            if isinstance(state, SittingState) and state.created:
                found.append({"stream": hit.stream, "seq": hit.seq, "kind": hit.kind, "snippet": hit.snippet,
                              "sitting": sitting_summary(state, hall.registry)})
        found.sort(key=lambda f: (f["sitting"]["date"], f["stream"]), reverse=True)
        return JSONResponse({"ok": True, "hits": found})

    return [
        Route("/api/search", search),
        Route("/api/review/{sitting}", review),
        Route("/api/audio/{sitting}/{turn}", audio),
        Route("/api/export/{sitting}.{fmt}", export),
    ]


__all__ = ["review_routes"]
