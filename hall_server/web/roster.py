"""Roster import over HTTP: a clerk sends a CSV or XLSX file, every row becomes commands.

    POST /api/roster[?new_pins=missing|all]   body: the file (CSV, UTF-8; or XLSX, its first sheet), at most 2 MiB
        auth headers: as document upload (admin token or a clerk device's signed challenge)
        -> 200 {"ok": true, "added": [id], "updated": [id], "unchanged": [id], "credentials": [id],
                "bad": [{"line", "member_id", "problems": [{"loc", "type", "msg"}]}],
                "rosters_renewed": [stream] (scheduled sittings whose roster took the import, once each),
                with new_pins: "new_pins": [id], "sheet": sheet id | null}
        -> 400 malformed (not CSV/XLSX, no member_id column, another new_pins), 401, 413 too_large
    GET /api/roster/sheets/<sheet id>   clerk auth as above
        -> 200 application/pdf the PIN slips (``hansard.slips``), once; 404 gone after, or after 10 minutes

With ``new_pins=missing`` every member the file names (on a good row) who still has no PIN
after the import gets a random 6-digit one, set as any other credential (stored hashed);
``new_pins=all`` gives every member named a new one (a lost or expired sheet).
The new PINs live only in the sheet, in this process's memory, until it is fetched once or
expires; they are never in the log, the report or an export.

Which row does what is ``procedure.roster`` (pure); the commands run through the hall as
the clerk who sent the file, so each is in the log under their name. PINs and card ids
are never echoed back.
"""

from __future__ import annotations

import csv
import io
import secrets
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from hall_server.hall import Caller, Hall
from hall_server.web.documents import refusal
from hansard.slips import PinSlip
from procedure.roster import plan_roster
from protocol.commands import REGISTRY_STREAM, CommandEnvelope, SetCredential
from protocol.errors import ProtocolError

MAX_ROSTER_BYTES = 2 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"
SHEET_TTL_S = 600.0


def new_pin() -> str:
    """A random 6-digit PIN (the protocol takes 4 to 8 digits)."""
    return f"{secrets.randbelow(10**6):06d}"


@dataclass
class PinSheets:
    """Unfetched PIN sheets by their id, in memory only: ``take`` hands a sheet out once."""

    ttl_s: float = SHEET_TTL_S
    _sheets: dict[str, tuple[float, list[PinSlip]]] = field(default_factory=dict)

    def put(self, slips: list[PinSlip]) -> str:
        self._drop_expired()
        sheet_id = secrets.token_urlsafe(18)
        self._sheets[sheet_id] = (time.monotonic() + self.ttl_s, slips)
        return sheet_id

    def take(self, sheet_id: str) -> list[PinSlip] | None:
        """The sheet's slips, forgotten here; None when unknown, already taken or expired."""
        self._drop_expired()
        found = self._sheets.pop(sheet_id, None)
        return found[1] if found else None

    def _drop_expired(self) -> None:
        now = time.monotonic()
        for sheet_id in [k for k, (until, _) in self._sheets.items() if until <= now]:
            del self._sheets[sheet_id]


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


async def import_roster(hall: Hall, caller: Caller, rows: list[tuple[int, dict[str, str]]],
                        sheets: PinSheets | None = None, new_pins: str = "missing") -> dict[str, Any]:
    """Run every good row's commands as ``caller``; the report of the module docstring.

    With ``sheets``, members named without a PIN (``new_pins="all"``: every member named) get a
    new one, kept in ``sheets`` for printing."""
    report: dict[str, Any] = {"added": [], "updated": [], "unchanged": [], "credentials": [], "bad": []}
    before, cause = hall.registry, uuid.uuid4().hex

    async def run(cmd: Any) -> None:
        env = CommandEnvelope(id=uuid.uuid4().hex, stream=REGISTRY_STREAM, cmd=cmd)
        await hall.execute(env, caller, renew_rosters=False)  # once for the whole file, below

    plans = plan_roster(hall.registry, rows)
    for plan in plans:
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
    changes = [p.member for p in plans if p.member is not None and p.member_id in report["updated"]]
    report["rosters_renewed"] = await hall.renew_rosters(before, changes, cause, caller)
    if sheets is not None:
        slips = []
        for member_id in report["added"] + report["updated"] + report["unchanged"]:
            pin_hash, _ = await hall.store.run(hall.store.log.credential, member_id)
            if pin_hash is None or new_pins == "all":
                pin = new_pin()
                await run(SetCredential(member_id=member_id, pin=pin))
                m = hall.registry.members[member_id]
                slips.append(PinSlip(member_id, m.name_km, m.name_latin, m.group, pin))
        report["new_pins"] = [s.member_id for s in slips]
        report["sheet"] = sheets.put(slips) if slips else None
    return report


def roster_routes(hall: Hall, authenticate_clerk: Any) -> list[BaseRoute]:
    sheets = PinSheets()

    async def upload(request: Request) -> Response:
        caller = await authenticate_clerk(request)
        if caller is None or not caller.may("prepare"):
            return refusal(401, "unauthenticated", "only a clerk imports the roster")
        new_pins = request.query_params.get("new_pins")
        if new_pins not in (None, "missing", "all"):
            return refusal(400, "malformed", "new_pins is missing or all")
        data = bytearray()
        async for chunk in request.stream():
            data += chunk
            if len(data) > MAX_ROSTER_BYTES:
                return refusal(413, "too_large", "roster file too large", limit=MAX_ROSTER_BYTES)
        try:
            rows = await run_in_threadpool(read_roster, bytes(data))
        except RosterFileError as exc:
            return refusal(400, "malformed", str(exc))
        report = await import_roster(hall, caller, rows, sheets if new_pins else None, new_pins or "missing")
        return JSONResponse({"ok": True, **report})

    async def sheet(request: Request) -> Response:
        caller = await authenticate_clerk(request)
        if caller is None or not caller.may("prepare"):
            return refusal(401, "unauthenticated", "only a clerk prints PIN sheets")
        slips = sheets.take(request.path_params["sheet"])
        if slips is None:
            return refusal(404, "gone", "this PIN sheet was printed already, expired or never existed")
        from hansard.slips import build_pin_sheet

        pdf = await run_in_threadpool(build_pin_sheet, slips)
        return Response(pdf, media_type="application/pdf", headers={
            "Content-Disposition": 'attachment; filename="pin-sheet.pdf"', "Cache-Control": "no-store"})

    return [Route("/api/roster", upload, methods=["POST"]),
            Route("/api/roster/sheets/{sheet}", sheet, methods=["GET"])]


__all__ = ["PinSheets", "import_roster", "new_pin", "read_roster", "roster_routes"]
