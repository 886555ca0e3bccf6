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
from protocol.commands import AddGuest, CheckIn, CloseSitting, GrantFloor, OpenSitting, StopSpeech, TakeUpItem
from protocol.errors import ErrorCode, ProtocolError
from protocol.types import GuestKind, Role
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
