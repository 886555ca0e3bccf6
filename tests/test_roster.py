"""Roster import: the pure plan of each row, and the hall's POST /api/roster with CSV and XLSX files."""

from __future__ import annotations

import io
import json
import re
import stat
import subprocess
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from hemicycle.seed import seed_senate
from procedure import decide, fold
from procedure.registry import RegistryState, apply_registry
from procedure.roster import plan_roster
from protocol.commands import CheckIn, CreateSitting, RegisterMember, SetCredential, UpdateMember
from protocol.errors import ErrorCode, ProtocolError
from protocol.events import MemberRegistered
from protocol.types import Body, Role
from seat_client.client import HallClient
from tests.hall import ServerProcess
from tests.test_admin import admin

SOK = MemberRegistered(member_id="m1", name_km="សុខ", name_latin="Sok", group="A", title_en="Senator")
REGISTRY = apply_registry(RegistryState(), SOK)


@pytest.mark.parametrize(("row", "kind", "member", "credential"), [
    ({"member_id": "m2", "name_km": "ចាន់", "name_latin": "Chan", "group": "B"}, "added",
     RegisterMember(member_id="m2", name_km="ចាន់", name_latin="Chan", group="B"), None),
    ({"member_id": "m1", "name_latin": "Sok Chann"}, "updated", UpdateMember(member_id="m1", name_latin="Sok Chann"),
     None),
    ({"member_id": "m1", "pin": "4321"}, "unchanged", None, SetCredential(member_id="m1", pin="4321")),
    ({"member_id": "m1", "name_km": "សុខ", "group": "A"}, "unchanged", None, None),
    ({"member_id": "m1", "group": "C", "card_id": "CARD0001"}, "updated", UpdateMember(member_id="m1", group="C"),
     SetCredential(member_id="m1", card_id="CARD0001")),
])
def test_a_row_does_what_its_cells_say(row: dict[str, str], kind: str, member: object, credential: object) -> None:
    (plan,) = plan_roster(REGISTRY, [(2, row)])
    assert (plan.kind, plan.member, plan.credential) == (kind, member, credential)


@pytest.mark.parametrize(("row", "loc"), [
    ({"member_id": "m3", "name_latin": "No Khmer name", "group": "A"}, "name_km"),
    ({"member_id": "m1", "pin": "12"}, "pin"),
    ({"member_id": "bad id!", "name_km": "ក", "name_latin": "K", "group": "A"}, "member_id"),
    ({"name_km": "ក", "name_latin": "K", "group": "A"}, "member_id"),
])
def test_a_bad_row_is_reported_by_line_and_field(row: dict[str, str], loc: str) -> None:
    good = {"member_id": "m9", "name_km": "ក", "name_latin": "K", "group": "A"}
    bad, after = plan_roster(REGISTRY, [(7, row), (8, good)])
    assert (bad.line, bad.kind) == (7, "bad") and bad.problems[0]["loc"] == loc
    assert after.kind == "added", "the other rows still go in"


def test_a_member_twice_is_bad_the_second_time() -> None:
    rows = [(2, {"member_id": "m1", "group": "B"}), (3, {"member_id": "m1", "group": "C"})]
    assert [p.kind for p in plan_roster(REGISTRY, rows)] == ["updated", "bad"]


def test_update_member_changes_only_what_differs_and_replays() -> None:
    from procedure.context import Context
    from protocol.events import Actor, Record
    from protocol.types import Role

    clerk = Context(Actor(role=Role.CLERK, device_id="admin"), now_ms=1)
    assert decide(REGISTRY, UpdateMember(member_id="m1", name_latin="Sok"), clerk, REGISTRY) == []
    (event,) = decide(REGISTRY, UpdateMember(member_id="m1", name_latin="Sok Chann", group="A"), clerk, REGISTRY)
    assert event.model_dump(exclude_none=True) == {"type": "member.updated", "member_id": "m1",
                                                   "name_latin": "Sok Chann"}
    record = Record.seal(stream="registry", seq=1, at_ms=1, command_id=None, actor=clerk.actor, event=event,
                         prev_hash=REGISTRY.head)
    after = fold(REGISTRY, record)
    assert isinstance(after, RegistryState)
    assert after.members["m1"] == SOK.model_copy(update={"name_latin": "Sok Chann"})
    with pytest.raises(ProtocolError) as e:
        decide(REGISTRY, UpdateMember(member_id="m404", group="A"), clerk, REGISTRY)
    assert e.value.code is ErrorCode.UNKNOWN_MEMBER


def post(server: ServerProcess, data: bytes, token: str | None = None, query: str = "") -> tuple[int, dict[str, Any]]:
    req = urllib.request.Request(f"{server.url}/api/roster{query}", data=data, method="POST",
                                 headers={"X-Hemicycle-Token": token or server.admin_token})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def get(server: ServerProcess, path: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
    req = urllib.request.Request(f"{server.url}{path}", headers=headers)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type", ""), err.read()


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_roster_over_http_from_xlsx_and_csv(tmp_path: Path) -> None:
    server = ServerProcess(f"sqlite:///{tmp_path / 'hall.db'}", tmp_path / "srv")
    server.start()
    try:
        status, report = post(server, xlsx([
            ["member_id", "name_km", "name_latin", "group", "pin"],
            ["x1", "សុខ", "Sok", "A", 1234],  # a PIN typed into Excel arrives as a number
            ["x2", "ចាន់", "Chan", "B", None],
            ["x3", None, "No Khmer", "B", None],
        ]))
        assert status == 200, report
        assert (report["added"], report["credentials"]) == (["x1", "x2"], ["x1"])
        assert [(b["line"], b["member_id"]) for b in report["bad"]] == [(4, "x3")]  # type: ignore[index, union-attr]
        status, report = post(server, "\ufeffmember_id,name_latin,pin\r\nx2,Chan Dara,\r\nx1,,5678\r\n".encode())
        assert status == 200 and (report["updated"], report["credentials"]) == (["x2"], ["x1"])
        assert post(server, b"name,group\nA,B\n")[0] == 400
        assert post(server, b"PK\x03\x04 not a zip")[1]["error"]["code"] == "malformed"  # type: ignore[index]
        assert post(server, b"\xff\xfe bad")[0] == 400
        assert post(server, b"member_id\nx1\n", token="wrong")[0] == 401
    finally:
        server.stop()


PIN_ROSTER = (
    "member_id,name_km,name_latin,group,pin\n"
    "p1,សុខ ស្រីមុំ,Sok Sreymom,CPP,\n"
    "p2,ចាន់ សុភ័ក្ត្រ,Chan Sopheak,FUNCINPEC,\n"
    "p3,ហេង សុខា,Heng Sokha,CPP,4321\n"
)


async def test_new_pins_are_set_and_printed_once_as_a_sheet(tmp_path: Path) -> None:
    server = ServerProcess(f"sqlite:///{tmp_path / 'hall.db'}", tmp_path / "srv")
    server.start()
    try:
        assert post(server, PIN_ROSTER.encode(), query="?new_pins=some")[0] == 400
        status, report = post(server, PIN_ROSTER.encode(), query="?new_pins=missing")
        assert status == 200, report
        assert (report["added"], report["credentials"], report["new_pins"]) == (["p1", "p2", "p3"], ["p3"],
                                                                                  ["p1", "p2"])
        sheet = f"/api/roster/sheets/{report['sheet']}"
        assert get(server, sheet, {})[0] == 401, "no sheet without a clerk"
        assert get(server, sheet, {"X-Hemicycle-Token": "wrong"})[0] == 401
        as_clerk = {"X-Hemicycle-Token": server.admin_token}
        status, media, pdf = get(server, sheet, as_clerk)
        assert (status, media, pdf[:5]) == (200, "application/pdf", b"%PDF-")
        status, _, body = get(server, sheet, as_clerk)
        assert (status, json.loads(body)["error"]["code"]) == (404, "gone"), "answered once only"
        (tmp_path / "sheet.pdf").write_bytes(pdf)
        text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "sheet.pdf"), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert "Sok Sreymom" in text and "Chan Sopheak" in text and "Heng Sokha" not in text
        assert "Keep this secret" in text
        pins = [p.replace(" ", "") for p in re.findall(r"(?<!\d)(?<!\d )\d(?: ?\d){5}(?! ?\d)", text)]
        assert len(pins) == 2 and all(len(p) == 6 for p in pins), text  # left slip (p1) first, then p2

        again = post(server, PIN_ROSTER.encode(), query="?new_pins=missing")[1]
        assert (again["new_pins"], again["sheet"]) == ([], None), "who has a PIN keeps it"
        (tmp_path / "p3.csv").write_text("member_id\np3\n")
        assert admin(server, "import-members", str(tmp_path / "p3.csv"), "--new-pins", "all").returncode == 2
        out = admin(server, "import-members", str(tmp_path / "p3.csv"), "--new-pins", "all",
                    "--pin-sheet", str(tmp_path / "p3.pdf"))
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["new_pins"] == ["p3"], "all: a new PIN even for who had one"
        assert stat.S_IMODE((tmp_path / "p3.pdf").stat().st_mode) == 0o600
        assert "Heng Sokha" in subprocess.run(["pdftotext", str(tmp_path / "p3.pdf"), "-"], capture_output=True,
                                              text=True, check=True).stdout

        clerk = HallClient(server.url, Role.CLERK, server.admin_token)
        await clerk.connect()
        seeded = await seed_senate(clerk, seats=2, prefix=f"p{uuid.uuid4().hex[:4]}", commission=False)
        sitting = f"{seeded.prefix}-pins"
        await clerk.command(sitting, CreateSitting(body=Body.PLENARY, number=2, title_km="ក", title_en="T",
                                                   date="2026-01-01", place="P"))
        seats = [HallClient(server.url, Role.SEAT, seeded.device(f"seat-{m.seat}")) for m in seeded.members]
        for seat in seats:
            await seat.connect()
        with pytest.raises(ProtocolError) as refused:
            await seats[1].command(sitting, CheckIn(member_id="p2", pin=pins[0]))
        assert refused.value.code is ErrorCode.BAD_CREDENTIAL, "each PIN is its member's own"
        for seat, member_id, pin in zip(seats, ("p1", "p2"), pins, strict=True):
            await seat.command(sitting, CheckIn(member_id=member_id, pin=pin))
        for c in (*seats, clerk):
            await c.close()

        status, _, export = get(server, f"/api/export/{sitting}.json", as_clerk)
        assert status == 200 and b"Sok Sreymom" in export
        kept = [export, *(f.read_bytes() for f in [tmp_path / "srv" / "server.log", *tmp_path.glob("hall.db*")])]
        for pin in pins:  # as a word: a hash may hold the same six digits inside it
            word = re.compile(rf"(?<![0-9A-Za-z]){pin}(?![0-9A-Za-z])".encode())
            assert not any(word.search(b) for b in kept), "the PINs are only on the sheet, never in the log"
    finally:
        server.stop()


def test_a_pin_sheet_is_handed_out_once_and_expires() -> None:
    from hall_server.web.roster import PinSheets, new_pin
    from hansard.slips import PinSlip

    slips = [PinSlip("p1", "សុខ", "Sok", "A", new_pin())]
    sheets = PinSheets()
    sheet = sheets.put(slips)
    assert sheets.take(sheet) == slips and sheets.take(sheet) is None
    stale = PinSheets(ttl_s=0)
    assert stale.take(stale.put(slips)) is None, "expired: forgotten"
    assert re.fullmatch(r"[0-9]{6}", new_pin())


async def test_an_import_renews_each_scheduled_sitting_once(tmp_path: Path) -> None:
    """A file of many rows is one change to the rosters of the scheduled sittings: one renewal each."""
    server = ServerProcess(f"sqlite:///{tmp_path / 'hall.db'}", tmp_path / "srv")
    server.start()
    clerk = HallClient(server.url, Role.CLERK, server.admin_token)
    try:
        await clerk.connect()
        seeded = await seed_senate(clerk, seats=4, prefix=f"r{uuid.uuid4().hex[:4]}", commission=False)
        m = seeded.members
        rows = "".join(f"{x.member_id},,Renamed {n},\n" for n, x in enumerate(m))
        status, report = post(server, f"member_id,name_km,name_latin,group\n{rows}n1,ថ្មី,New One,CPP\n".encode())
        assert status == 200, report
        assert (len(report["updated"]), report["added"], report["rosters_renewed"]) == (4, ["n1"], [seeded.plenary])
        records = (await clerk.call("sync", {"stream": seeded.plenary, "after": 0}))["records"]
        renewals = [r["event"] for r in records if r["event"]["type"] == "sitting.roster_renewed"]
        assert len(renewals) == 1 and records[-1]["actor"]["role"] == "clerk"
        # renewed for the renamed members, it takes the registry as it is: the senator added by the file too
        assert [e["name_latin"] for e in renewals[0]["roster"]] == [*(f"Renamed {n}" for n in range(4)), "New One"]
        again = post(server, f"member_id,name_km,name_latin,group\n{rows}".encode())[1]
        assert (again["unchanged"], again["rosters_renewed"]) == ([x.member_id for x in m], [])
    finally:
        await clerk.close()
        server.stop()
