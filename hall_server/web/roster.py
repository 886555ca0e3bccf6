"""Roster import over HTTP: a clerk sends a CSV or XLSX file, every row becomes commands.

    POST /api/roster   body: the file (CSV, UTF-8; or XLSX, its first sheet), at most 2 MiB
        auth headers: as document upload (admin token or a clerk device's signed challenge)
        -> 200 {"ok": true, "added": [id], "updated": [id], "unchanged": [id], "credentials": [id],
                "bad": [{"line", "member_id", "problems": [{"loc", "type", "msg"}]}]}
        -> 400 malformed (not CSV/XLSX, no member_id column), 401, 413 too_large

Which row does what is ``procedure.roster`` (pure); the commands run through the hall as
the clerk who sent the file, so each is in the log under their name. PINs and card ids
are never echoed back.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from hall_server.hall import Caller, Hall
from hall_server.web.documents import refusal
from procedure.roster import plan_roster
from protocol.commands import REGISTRY_STREAM, CommandEnvelope
from protocol.errors import ProtocolError

MAX_ROSTER_BYTES = 2 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"


class RosterFileError(ValueError):
    """The file cannot be read as a roster at all (not one bad row)."""


def _cell(value: Any) -> str:
    """A spreadsheet cell as text: 1234.0 (a number typed into Excel) is "1234"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _rows(header: list[str], body: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, dict[str, str]]]:
    names = [h.strip().lower() for h in header]
    if "member_id" not in names:
        raise RosterFileError("the first row must name the columns, member_id among them")
    for line, values in body:
        row = {name: v.strip() for name, v in zip(names, values, strict=False) if name and v and v.strip()}
        if row:
            yield line, row


def read_roster(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """(line, row) of a CSV (UTF-8, with or without BOM) or XLSX file; RosterFileError when unreadable."""
    if data.startswith(XLSX_MAGIC):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = book.worksheets[0]
            values = [[_cell(c) for c in row] for row in sheet.iter_rows(values_only=True)]
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise RosterFileError(f"not a readable XLSX file ({type(exc).__name__})") from exc
        if not values:
            raise RosterFileError("the sheet is empty")
        return list(_rows(values[0], ((i, v) for i, v in enumerate(values[1:], start=2))))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterFileError("a CSV roster must be UTF-8") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise RosterFileError("the file is empty")
        body = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise RosterFileError(f"not a CSV file: {exc}") from exc
    return list(_rows(header, iter(body)))


async def import_roster(hall: Hall, caller: Caller, rows: list[tuple[int, dict[str, str]]]) -> dict[str, Any]:
    """Run every good row's commands as ``caller``; the report of the module docstring."""
    report: dict[str, Any] = {"added": [], "updated": [], "unchanged": [], "credentials": [], "bad": []}

    async def run(cmd: Any) -> None:
        env = CommandEnvelope(id=uuid.uuid4().hex, stream=REGISTRY_STREAM, cmd=cmd)
        await hall.execute(env, caller)

    for plan in plan_roster(hall.registry, rows):
        if plan.kind == "bad":
            report["bad"].append({"line": plan.line, "member_id": plan.member_id, "problems": plan.problems})
            continue
        try:
            if plan.member is not None:
                await run(plan.member)
            if plan.credential is not None:
                await run(plan.credential)
        except ProtocolError as err:
            report["bad"].append({"line": plan.line, "member_id": plan.member_id, "error": err.to_wire()})
            continue
        report[plan.kind].append(plan.member_id)
        if plan.credential is not None:
            report["credentials"].append(plan.member_id)
    return report


def roster_routes(hall: Hall, authenticate_clerk: Any) -> list[BaseRoute]:
    async def upload(request: Request) -> Response:
        caller = await authenticate_clerk(request)
        if caller is None or not caller.may("prepare"):
            return refusal(401, "unauthenticated", "only a clerk imports the roster")
        data = bytearray()
        async for chunk in request.stream():
            data += chunk
            if len(data) > MAX_ROSTER_BYTES:
                return refusal(413, "too_large", "roster file too large", limit=MAX_ROSTER_BYTES)
        try:
            rows = await run_in_threadpool(read_roster, bytes(data))
        except RosterFileError as exc:
            return refusal(400, "malformed", str(exc))
        return JSONResponse({"ok": True, **await import_roster(hall, caller, rows)})

    return [Route("/api/roster", upload, methods=["POST"])]


__all__ = ["import_roster", "read_roster", "roster_routes"]
