"""Roster import: the pure plan of each row, and the hall's POST /api/roster with CSV and XLSX files."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from openpyxl import Workbook

from procedure import decide, fold
from procedure.registry import RegistryState, apply_registry
from procedure.roster import plan_roster
from protocol.commands import RegisterMember, SetCredential, UpdateMember
from protocol.errors import ErrorCode, ProtocolError
from protocol.events import MemberRegistered
from tests.hall import ServerProcess

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


def post(server: ServerProcess, data: bytes, token: str | None = None) -> tuple[int, dict[str, object]]:
    req = urllib.request.Request(f"{server.url}/api/roster", data=data, method="POST",
                                 headers={"X-Hemicycle-Token": token or server.admin_token})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


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
