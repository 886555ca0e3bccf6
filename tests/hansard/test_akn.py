"""The Akoma Ntoso export validates against the OASIS schema and carries
the whole record: speeches, notes, divisions with counts and named lists."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from hansard.akn import AKN_NS, HEMICYCLE_NS, build_akn
from hansard.record import DivisionKind, SittingRecord, Speech

from .samples import EN_REPORT, KM_MINISTER, MIXED, ROLL_CALL_CHOICES

Factory = Callable[..., SittingRecord]
NS = {"a": AKN_NS, "hz": HEMICYCLE_NS}


@pytest.fixture(scope="module")
def schema(standards_dir: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(standards_dir / "akomantoso30.xsd")))


def validated(schema: etree.XMLSchema, xml: bytes) -> etree._Element:
    doc = etree.fromstring(xml)
    if not schema.validate(doc):
        errors = "\n".join(f"{e.line}: {e.message}" for e in schema.error_log)
        pytest.fail(f"Akoma Ntoso document is not valid:\n{errors}")
    return doc


@pytest.mark.parametrize(("draft", "sealed"), [(True, True), (True, False), (False, True)])
def test_sample_validates(schema: etree.XMLSchema, sample_record: Factory, draft: bool, sealed: bool) -> None:
    validated(schema, build_akn(sample_record(draft=draft, sealed=sealed)))


def test_the_kenya_example_validates_too(schema: etree.XMLSchema, standards_dir: Path) -> None:
    # guards the test itself: the schema accepts the reference debate
    raw = (standards_dir / "example-kenya-debate-2011-06-10.wd17.xml").read_bytes()
    validated(schema, raw.replace(f"{AKN_NS}/WD17".encode(), AKN_NS.encode()))


def test_identification_and_references(schema: etree.XMLSchema, sample_record: Factory) -> None:
    record = sample_record()
    doc = validated(schema, build_akn(record))
    assert doc.xpath("string(//a:FRBRWork/a:FRBRuri/@value)", namespaces=NS) == ("/akn/kh/debate/senate/2026-11-29/5")
    assert doc.xpath("string(//a:FRBRManifestation/a:FRBRthis/@value)", namespaces=NS) == (
        "/akn/kh/debate/senate/2026-11-29/5/khm@/!main.xml"
    )
    people = doc.xpath("//a:references/a:TLCPerson/@eId", namespaces=NS)
    assert sorted(people) == sorted(p.id for p in record.persons)
    roles = doc.xpath("//a:references/a:TLCRole/@showAs", namespaces=NS)
    assert "ប្រធានព្រឹទ្ធសភា / President of the Senate" in roles


def test_speeches(schema: etree.XMLSchema, sample_record: Factory) -> None:
    record = sample_record()
    doc = validated(schema, build_akn(record))
    speeches = doc.xpath("//a:speech", namespaces=NS)
    expected = [s for s in record.speeches() if isinstance(s, Speech)]
    assert len(speeches) == len(expected)
    for el, s in zip(speeches, expected, strict=True):
        assert el.get("by") == f"#{s.speaker_id}"
        assert el.get("startTime") == s.start.isoformat()
        assert el.get("endTime") == s.end.isoformat()
        assert el.get("class") == s.status.value
        assert record.person(s.speaker_id).name_latin in el.findtext("a:from", namespaces=NS)
        assert [p.text for p in el.findall("a:p", namespaces=NS)] == list(s.paragraphs)
    texts = "\n".join(doc.xpath("//a:speech/a:p/text()", namespaces=NS))
    for sentence in (KM_MINISTER, EN_REPORT, MIXED):
        assert sentence in texts
    minister = doc.xpath("//a:speech[@by='#gov-mef']", namespaces=NS)[0]
    assert minister.get("as") == "#role-minister-of-economy-and-finance"


def test_sections_nest_like_the_agenda(schema: etree.XMLSchema, sample_record: Factory) -> None:
    doc = validated(schema, build_akn(sample_record()))
    items = doc.xpath("//a:debateSection[@name='agendaItem']/a:num/text()", namespaces=NS)
    assert items == ["1", "2", "2.1", "2.2", "2.3", "3"]
    sub = doc.xpath("//a:debateSection[a:num='2.2']", namespaces=NS)[0]
    assert sub.getparent().findtext("a:num", namespaces=NS) == "2"
    notes = doc.xpath("//a:narrative", namespaces=NS)
    assert any("The sitting was opened" in "".join(n.itertext()) for n in notes)


def test_divisions(schema: etree.XMLSchema, sample_record: Factory) -> None:
    record = sample_record()
    doc = validated(schema, build_akn(record))
    votings = doc.xpath("//a:analysis/a:parliamentary/a:voting", namespaces=NS)
    assert [v.get("outcome") for v in votings] == ["#concept-adopted", "#concept-adopted"]
    first = votings[0]
    counts = {c.get("refersTo"): int(c.get("value")) for c in first.findall("a:count", namespaces=NS)}
    assert counts == {
        "#concept-option-yes": 9,
        "#concept-option-no": 1,
        "#concept-option-abstain": 1,
        "#concept-voted": 11,
        "#concept-eligible": 12,
    }
    assert first.find("a:quorum", namespaces=NS).get("value") == "9"
    quorum = doc.xpath("//a:quorumVerification", namespaces=NS)
    assert [q.get("outcome") for q in quorum] == ["#concept-quorumMet"] * 2
    # the voting points at its division section in the body
    section = doc.xpath(f"//*[@eId='{first.get('href')[1:]}']", namespaces=NS)[0]
    assert section.get("name") == "division"
    # named list: every roll-call vote, each choice pointing at its count
    votes = section.xpath(".//a:vote", namespaces=NS)
    got = {v.get("by")[1:]: v.get("choice") for v in votes}
    want = {pid: f"#voting_1__count_{c}" for pid, c in ROLL_CALL_CHOICES.items()}
    assert got == want
    count_ids = set(first.xpath("a:count/@eId", namespaces=NS))
    assert {c[1:] for c in got.values()} <= count_ids
    # a secret division names nobody
    secret = next(d for d in record.divisions() if d.kind is DivisionKind.SECRET)
    assert secret.id == "vote-2"
    secret_section = doc.xpath(f"//*[@eId='{votings[1].get('href')[1:]}']", namespaces=NS)[0]
    assert not secret_section.xpath(".//a:vote", namespaces=NS)


def test_verification_in_proprietary(schema: etree.XMLSchema, sample_record: Factory) -> None:
    record = sample_record()
    doc = validated(schema, build_akn(record))
    v = record.verification
    assert v is not None
    found = doc.xpath("//a:proprietary/hz:record/hz:verification", namespaces=NS)[0]
    assert found.findtext("hz:logHeadHash", namespaces=NS) == v.log_head_hash
    assert found.findtext("hz:sealSignature", namespaces=NS) == v.seal_signature
    assert found.findtext("hz:serverPublicKey", namespaces=NS) == v.server_public_key


def test_clashing_ids_are_refused(sample_record: Factory) -> None:
    record = sample_record()
    # a person whose id is also the eId of the first speech
    clash = dataclasses.replace(
        record,
        persons=tuple(dataclasses.replace(p, id="speech_1") if p.id == "sen-11" else p for p in record.persons),
        attendance=dataclasses.replace(record.attendance, absent=("speech_1",)),
    )
    with pytest.raises(ValueError, match="speech_1"):
        build_akn(clash)
