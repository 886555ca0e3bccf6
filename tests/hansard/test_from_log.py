"""The Hansard of a real sitting: played over sockets, exported from the log.

Khmer and English speeches, two votes (roll-call and secret), a clerk's
correction: the Akoma Ntoso validates, the PDF gives back the exact text,
nothing overflows, and the machine draft stays in the record's history.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from hall_server.export import export_json, write_hansard
from hall_server.store import EventLog
from hansard.akn import HEMICYCLE_NS
from hansard.from_log import record_from_export
from hemicycle.senate import SPEECHES, senators
from hemicycle.simulate import simulate
from tests.hall import ServerProcess
from tests.hansard.test_pdf import LAYOUT, TOLERANCE, _words, assert_extracted, run

CORRECTED = SPEECHES[0].replace("សូមគោរព", "សូមគោរពដ៏ខ្ពង់ខ្ពស់")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Path]]:
    tmp = tmp_path_factory.mktemp("hansard")
    srv = ServerProcess(f"sqlite:///{tmp / 'hall.db'}", tmp / "srv")
    srv.start()
    try:
        summary = asyncio.run(simulate(srv.url, 8, srv.admin_token, progress=False))
    finally:
        srv.stop()
    assert summary["errors"] == 0, summary["error_messages"]
    log = EventLog(srv.db_url)
    doc = export_json(log, summary["sitting"])
    log.close()
    files = {fmt: tmp / f"sitting.{fmt}" for fmt in ("pdf", "akn", "json")}
    for fmt, path in files.items():
        write_hansard(doc, fmt, path)
    return doc, files


def test_akoma_ntoso_validates(exported: tuple[dict[str, Any], dict[str, Path]], standards_dir: Path) -> None:
    schema = etree.XMLSchema(etree.parse(str(standards_dir / "akomantoso30.xsd")))
    root = etree.parse(str(exported[1]["akn"]))
    assert schema.validate(root), schema.error_log
    ns = {"a": "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"}
    assert len(root.findall(".//a:speech", ns)) >= 8
    assert len(root.findall(".//a:voting", ns)) == 2
    revised = root.findall(f".//{{{HEMICYCLE_NS}}}revisions/{{{HEMICYCLE_NS}}}speech")
    assert [[b.text for b in sp] for sp in revised] == [["admin"]]  # the clerk who corrected, then approved


def test_pdf_gives_back_khmer_names_and_speeches(exported: tuple[dict[str, Any], dict[str, Path]]) -> None:
    text = run("pdftotext", str(exported[1]["pdf"]), "-")
    record = record_from_export(exported[0])
    speakers = {s.speaker_id for s in record.speeches()}
    for m in senators(8):
        if m.member_id in speakers:
            assert_extracted(text, m.name_km)
            assert_extracted(text, m.name_latin)
    assert_extracted(text, CORRECTED)
    for sentence in SPEECHES[1:4]:
        assert_extracted(text, sentence)


def test_pdf_has_no_overflowing_text(exported: tuple[dict[str, Any], dict[str, Path]]) -> None:
    x0, _, x1, _ = LAYOUT.text_box
    for page, xmin, _ymin, xmax, _ymax, word in _words(exported[1]["pdf"]):
        assert x0 - TOLERANCE <= xmin and xmax <= x1 + TOLERANCE, f"page {page}: {word!r} overflows"


def test_a_correction_shows_and_the_machine_draft_stays(exported: tuple[dict[str, Any], dict[str, Path]]) -> None:
    doc = json.loads(exported[1]["json"].read_text())
    added = [r["event"] for r in doc["records"] if r["event"]["type"] == "transcript.segment_added"]
    revised = [r["event"] for r in doc["records"] if r["event"]["type"] == "transcript.segment_revised"]
    assert SPEECHES[0] in [e["text"] for e in added]  # the machine draft, never overwritten
    assert [e["status"] for e in revised] == ["corrected", "approved"] and revised[0]["text"] == CORRECTED
    speeches = [s for item in doc["hansard"]["agenda"] for s in _speeches(item)]
    assert [s["revised_by"] for s in speeches if s["text"] == CORRECTED] == [["admin"]]
    assert SPEECHES[0] not in [s["text"] for s in speeches]


def _speeches(item: dict[str, Any]) -> list[dict[str, Any]]:
    own = [e for e in item["entries"] if e.get("kind") == "speech" or "speaker_id" in e]
    return own + [s for sub in item.get("items", []) for s in _speeches(sub)]
