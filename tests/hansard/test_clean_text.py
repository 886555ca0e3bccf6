"""Clean text at the edge, over real sockets: a pasted vertical tab in a motion or a
clerk's correction is refused with a typed error naming the field and changes nothing;
hostile but legal text (bidi overrides, zero-width joiners, a very long Khmer run) is
kept exactly and goes through every export, the Akoma Ntoso still valid."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from hall_server.export import export_json, write_hansard
from hall_server.store import EventLog
from protocol.commands import AddSegment, GrantFloor, ReviseSegment, StopSpeech
from protocol.types import Role, SegmentStatus
from seat_client.client import HallClient
from tests.hall import ServerProcess
from tests.hansard.test_pdf import run
from tests.test_voting import Sitting, make_sitting

NS = {"a": "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"}
HOSTILE = ("\u202eevil override\u202c, \u2067isolate\u2069, ក្ម\u200dែរ zero\u200bwidth, "
           + "ព្រឹទ្ធសភាកម្ពុជា" * 120)


@pytest.fixture
async def sitting(server: ServerProcess) -> AsyncIterator[Sitting]:
    s = await make_sitting(server, seats=4)
    yield s
    for c in [s.clerk, s.chair, *s.seats]:
        with contextlib.suppress(Exception):
            await c.close()


def refusal(ack: Any) -> tuple[str, list[str]]:
    assert ack["ok"] is False, ack
    return ack["error"]["code"], [p["loc"] for p in ack["error"]["details"].get("problems", [])]


def raw(stream: str, cmd: dict[str, Any], n: int) -> dict[str, Any]:
    return {"v": 1, "id": f"clean-text-{n:04d}", "stream": stream, "cmd": cmd}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_unclean_text_is_refused_and_the_record_stays_exportable(
    sitting: Sitting, tmp_path: Path, standards_dir: Path
) -> None:
    s = sitting
    member = s.member(0).member_id
    await s.chair.command(s.id, GrantFloor(member_id=member))
    await s.chair.command(s.id, StopSpeech(member_id=member))
    await s.settle()
    turn = next(iter(s.state().granted))
    recorder = HallClient(s.server.url, Role.RECORDER, s.seeded.device("recorder"), give_up_after=5)
    await recorder.connect()
    try:
        await recorder.command(s.id, AddSegment(segment_id=f"{turn}-0", turn_id=turn, member_id=member,
                                                item_id=s.state().current_item, start_ms=0, end_ms=1000,
                                                text="machine draft", engine="scripted", model="none"))
    finally:
        await recorder.close()
    before = await s.settle()

    motion = {"type": "vote.open", "vote_id": "v-vt", "motion_km": "សំណើ", "motion_en": "Line one\x0bline two"}
    code, locs = refusal(await s.chair.send_raw(raw(s.id, motion, 1)))
    assert code == "malformed" and any(loc.endswith("motion_en") for loc in locs), locs
    correction = {"type": "transcript.revise", "segment_id": f"{turn}-0", "text": "pasted\x0btext",
                  "status": "corrected"}
    code, locs = refusal(await s.clerk.send_raw(raw(s.id, correction, 2)))
    assert code == "malformed" and any(loc.endswith("text") for loc in locs), locs
    assert await s.settle() == before  # nothing changed

    await s.clerk.command(s.id, ReviseSegment(segment_id=f"{turn}-0", text=HOSTILE, status=SegmentStatus.CORRECTED))
    await s.settle()
    log = EventLog(s.server.db_url)
    doc = export_json(log, s.id)
    log.close()
    files = {fmt: tmp_path / f"sitting.{fmt}" for fmt in ("json", "akn", "pdf")}
    for fmt, path in files.items():
        write_hansard(doc, fmt, path)
    speeches = json.loads(files["json"].read_text())["hansard"]
    assert HOSTILE in json.dumps(speeches, ensure_ascii=False)
    schema = etree.XMLSchema(etree.parse(str(standards_dir / "akomantoso30.xsd")))
    root = etree.parse(str(files["akn"]))
    assert schema.validate(root), schema.error_log
    akn_texts = ["".join(sp.itertext()) for sp in root.findall(".//a:speech", NS)]
    assert any(HOSTILE in t for t in akn_texts)
    pdf = "".join(run("pdftotext", str(files["pdf"]), "-").split())
    assert "ព្រឹទ្ធសភាកម្ពុជា" * 20 in pdf
    assert "eviloverride" in pdf.replace("\u202e", "").replace("\u202c", "")
