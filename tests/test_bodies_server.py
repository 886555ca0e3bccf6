"""A commission's sitting over real sockets: its members, a minister heard, its record and the search.

The Ninth Commission is defined through the protocol (as the seed does) with
nine of twelve senators; its sitting's quorum, attendance and Hansard are the
commission's, the minister is given the floor and is a guest in Akoma Ntoso,
and the clerks' search finds the words of past sittings.
"""

from __future__ import annotations

import asyncio
import json
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from lxml import etree

from hall_server.export import export_json, write_hansard
from hall_server.store import EventLog
from hemicycle.seed import seed_senate
from protocol.commands import (
    REGISTRY_STREAM,
    AddGuest,
    CheckIn,
    CloseSitting,
    GrantFloor,
    Membership,
    Officer,
    OpenSitting,
    SetMembership,
    StopSpeech,
    TakeUpItem,
    UpdateMember,
)
from protocol.errors import ErrorCode, ProtocolError
from protocol.types import GuestKind, Office, Role
from seat_client.client import HallClient
from tests.hall import ServerProcess
from tests.hansard.test_pdf import run

AKN = {"a": "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"}
SCHEMA = Path(__file__).resolve().parents[1] / "standards" / "akoma-ntoso-3.0" / "akomantoso30.xsd"


def get_json(srv: ServerProcess, path: str, token: str | None) -> tuple[int, dict[str, Any]]:
    req = urllib.request.Request(srv.url + path, headers={"X-Hemicycle-Token": token} if token else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


async def play(srv: ServerProcess) -> tuple[str, list[dict[str, Any]]]:
    """Seed, hear the minister in the commission, close; the commission's sitting and the clerk's list."""
    clerk = HallClient(srv.url, Role.CLERK, srv.admin_token)
    await clerk.connect()
    seeded = await seed_senate(clerk, seats=12, prefix=f"b{uuid.uuid4().hex[:4]}")
    chair = HallClient(srv.url, Role.CHAIR, seeded.device("chair"))
    await chair.connect()
    try:
        c9 = seeded.commission
        await clerk.command(c9, AddGuest(guest_id="minister-commerce", kind=GuestKind.MINISTER,
                                         name_km="ឯកឧត្តម ប៉ាន សូរស័ក្តិ", name_latin="H.E. Pan Sorasak",
                                         title_km="រដ្ឋមន្ត្រីក្រសួងពាណិជ្ជកម្ម", title_en="Minister of Commerce",
                                         item_id="c2"))
        try:
            await clerk.command(c9, CheckIn(member_id="minister-commerce"))
            raise AssertionError("a guest checked in")
        except ProtocolError as err:
            assert err.code is ErrorCode.GUEST
        try:
            await clerk.command(c9, CheckIn(member_id=seeded.members[10].member_id))
            raise AssertionError("a senator outside the commission checked in")
        except ProtocolError as err:
            assert err.code is ErrorCode.UNKNOWN_MEMBER
        for m in seeded.members[:4]:
            await clerk.command(c9, CheckIn(member_id=m.member_id))
        try:
            await chair.command(c9, OpenSitting())
            raise AssertionError("opened without the commission's quorum")
        except ProtocolError as err:
            assert (err.code, err.details) == (ErrorCode.NO_QUORUM, {"present": 4, "needed": 5})
        await clerk.command(c9, CheckIn(member_id=seeded.members[4].member_id))
        await chair.command(c9, OpenSitting())
        await chair.command(c9, TakeUpItem(item_id="c2"))
        await chair.command(c9, GrantFloor(member_id="minister-commerce"))
        view = (await chair.call("view", {"stream": c9}))["view"]
        assert [t["member_id"] for t in view["floor"]["speaking"]] == ["minister-commerce"]
        assert view["attendance"] | {"presence": None} == {
            "members": 9, "present": 5, "remote": 0, "quorum_needed": 5, "has_quorum": True, "presence": None}
        assert [g["guest_id"] for g in view["guests"]] == ["minister-commerce"]
        await asyncio.sleep(0.05)
        await chair.command(c9, StopSpeech(member_id="minister-commerce"))
        await chair.command(c9, CloseSitting())
        return c9, await clerk.sittings()
    finally:
        await chair.close()
        await clerk.close()


def test_a_commission_hears_a_minister_and_its_record_is_its_own(tmp_path: Path) -> None:
    srv = ServerProcess(f"sqlite:///{tmp_path / 'hall.db'}", tmp_path / "srv")
    srv.start()
    try:
        c9, listed = asyncio.run(play(srv))
        mine = next(s for s in listed if s["stream"] == c9)
        assert {k: mine[k] for k in ("body", "body_en", "number", "status", "simulated")} == {
            "body": "commission", "body_en": "Ninth Commission", "number": 9, "status": "closed", "simulated": False}
        status, found = get_json(srv, "/api/search?" + urllib.parse.urlencode({"q": "ពាណិជ្ជកម្ម minister"}),
                                 srv.admin_token)
        assert status == 200 and found["ok"]
        assert [(h["stream"], h["kind"]) for h in found["hits"]] == [(c9, "sitting.guest_added")]
        assert "Minister of Commerce" in found["hits"][0]["snippet"]
        assert found["hits"][0]["sitting"]["body_id"].endswith("commission-9")
        assert get_json(srv, "/api/search?q=minister", None)[0] == 401
        assert get_json(srv, "/api/search?q=", srv.admin_token)[0] == 400
    finally:
        srv.stop()
    log = EventLog(srv.db_url)
    doc = export_json(log, c9)
    log.close()
    write_hansard(doc, "akn", tmp_path / "c9.akn.xml")
    root = etree.parse(str(tmp_path / "c9.akn.xml"))
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(root), schema.error_log
    absent = root.findall(".//a:debateSection[@name='absent']/a:p/a:person", AKN)
    guests = root.findall(".//a:debateSection[@name='guests']/a:p/a:person", AKN)
    assert len(absent) == 4, "only the commission's members can be absent"
    assert [(g.get("refersTo"), g.get("as")) for g in guests] == [("#minister-commerce", "#role-guest")]
    assert root.find(".//a:TLCRole[@eId='role-guest']", AKN) is not None
    speech = root.find(".//a:speech", AKN)
    assert speech is not None and speech.get("by") == "#minister-commerce"
    write_hansard(doc, "pdf", tmp_path / "c9.pdf")
    text = run("pdftotext", str(tmp_path / "c9.pdf"), "-")
    assert "Guests (1)" in text and "H.E. Pan Sorasak" in text and "Absent (4)" in text


async def change_the_commission(srv: ServerProcess) -> None:
    """The clerk changes the Ninth Commission after its sitting is scheduled; the sitting follows until it opens."""
    clerk = HallClient(srv.url, Role.CLERK, srv.admin_token)
    await clerk.connect()
    chair = None
    try:
        seeded = await seed_senate(clerk, seats=12, prefix=f"r{uuid.uuid4().hex[:4]}")
        c9, body, m = seeded.commission, f"{seeded.prefix}-commission-9", seeded.members

        async def roster() -> dict[str, dict[str, Any]]:
            ack = await clerk.call("view", {"stream": c9})
            return {e["member_id"]: e for e in ack["roster"]}

        assert len(await roster()) == 9
        await clerk.command(c9, CheckIn(member_id=m[8].member_id))
        # m[8] leaves before the sitting's day and m[10] joins; m[0] is renamed; the bureau moves.
        change = SetMembership(body_id=body, members=[
            *(Membership(member_id=x.member_id) for x in m[:8]),
            Membership(member_id=m[8].member_id, end="2000-01-01"),
            Membership(member_id=m[10].member_id),
        ], officers=[Officer(member_id=m[1].member_id, office=Office.PRESIDENT)])
        await clerk.command(REGISTRY_STREAM, change, "membership-change-1")
        await clerk.command(REGISTRY_STREAM, UpdateMember(member_id=m[0].member_id, name_latin="H.E. Corrected"))
        now = await roster()
        assert sorted(now) == sorted(x.member_id for x in [*m[:8], m[10]])
        assert now[m[0].member_id]["name_latin"] == "H.E. Corrected"
        assert now[m[1].member_id]["office"] == "president" and now[m[0].member_id]["office"] is None
        view = (await clerk.call("view", {"stream": c9}))["view"]
        assert view["attendance"]["present"] == 0  # m[8] left the roster: checked out with it
        # A re-sent change (same id) is answered again and renews nothing twice; the plenary never moved.
        async def seq() -> int:
            return int((await clerk.call("view", {"stream": c9}))["view"]["seq"])

        head = await seq()
        await clerk.command(REGISTRY_STREAM, change, "membership-change-1")
        assert await seq() == head
        assert len((await clerk.call("view", {"stream": seeded.plenary}))["roster"]) == 12
        # Opened, the sitting keeps its roster: the record names members as they were.
        for x in m[:5]:
            await clerk.command(c9, CheckIn(member_id=x.member_id))
        chair = HallClient(srv.url, Role.CHAIR, seeded.device("chair"))
        await chair.connect()
        await chair.command(c9, OpenSitting())
        await clerk.command(REGISTRY_STREAM, UpdateMember(member_id=m[0].member_id, name_latin="H.E. Later"))
        assert (await roster())[m[0].member_id]["name_latin"] == "H.E. Corrected"
    finally:
        if chair is not None:
            await chair.close()
        await clerk.close()


def test_a_scheduled_sitting_follows_its_body_until_it_opens(tmp_path: Path) -> None:
    srv = ServerProcess(f"sqlite:///{tmp_path / 'hall.db'}", tmp_path / "srv")
    srv.start()
    try:
        asyncio.run(change_the_commission(srv))
    finally:
        srv.stop()
