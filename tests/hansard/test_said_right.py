"""The record says what happened: outcomes by meaning, in the hall's own time.

Each sitting here is played through the pure rules (decide, seal, fold, as
the hall does) and published from its log, so the Hansard's PDF, Akoma Ntoso
and JSON are checked against a log whose facts are known.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from hall_server.export import write_hansard
from hansard.from_log import record_from_export
from hansard.record import Bilingual
from procedure import SittingState
from procedure.context import Context
from protocol.ballots import Ballot, encode_ballot
from protocol.commands import (
    AddItem,
    CastBallot,
    CheckIn,
    CloseVote,
    Command,
    CreateSitting,
    NextItem,
    OpenSitting,
    OpenVote,
)
from protocol.events import Record
from protocol.types import Body, Question, Role
from tests.domain_support import SITTING, T0, chair, clerk, ctx, member_id, records_of, registry_with
from tests.hansard.test_pdf import run

NS = {"a": "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"}
# 2026-11-30 11:46 UTC is 18:46 in Phnom Penh
OPENED = int(dt.datetime(2026, 11, 30, 11, 46, tzinfo=dt.UTC).timestamp() * 1000)


def ballot(n: int, vote: str, choice: str, now: int) -> tuple[Command, Context]:
    b = Ballot(sitting=SITTING, vote=vote, member=member_id(n), seat=f"s{n}", choice=choice, nonce=f"{n:032x}")
    return (CastBallot(ballot=encode_ballot(b), signature="0" * 128),
            ctx(Role.SEAT, seat=f"s{n}", device=f"console-s{n}", signature_ok=True, now=now))


def play(members: int, vote: OpenVote, choices: Sequence[str], *, opened: int = OPENED,
         create: dict[str, Any] | None = None) -> dict[str, Any]:
    """A sitting of ``members`` members, all present; one vote; ``choices[i]`` is member i+1's ballot."""
    reg = registry_with(members)
    t = opened
    steps: list[tuple[Command, Context]] = [
        (CreateSitting(body=Body.PLENARY, number=3, title_km="សម័យប្រជុំ", title_en="Plenary", date="2026-11-30",
                       place="Chamber", **(create or {})), clerk(T0)),
        (AddItem(item_id="i1", parent_id=None, title_km="ចំណុច ១", title_en="Item 1"), clerk(T0)),
        *[(CheckIn(member_id=member_id(n), pin="1234"), ctx(Role.SEAT, seat=f"s{n}", device=f"console-s{n}", now=t))
          for n in range(1, members + 1)],
        (OpenSitting(), chair(t)),
        (NextItem(), chair(t + 1000)),
        (vote, chair(t + 2000)),
        *[ballot(n, vote.vote_id, c, t + 3000) for n, c in enumerate(choices, start=1)],
        (CloseVote(vote_id=vote.vote_id), chair(t + 60_000)),
    ]
    _, records = records_of(SittingState(stream=SITTING), steps, reg)
    return export(records)


def export(records: list[Record]) -> dict[str, Any]:
    return {"format": "hemicycle-record", "version": 1, "sitting": SITTING, "head": records[-1].hash,
            "records": [r.model_dump(mode="json") for r in records], "registry": []}


def publish(doc: dict[str, Any], tmp: Path) -> tuple[str, etree._Element, str]:
    """The PDF's text, the AKN root and the JSON text of the record."""
    for fmt in ("pdf", "akn", "json"):
        write_hansard(doc, fmt, tmp / f"h.{fmt}")
    return run("pdftotext", str(tmp / "h.pdf"), "-"), etree.parse(str(tmp / "h.akn")).getroot(), \
        (tmp / "h.json").read_text()


def akn_outcomes(root: etree._Element) -> list[str]:
    return [" ".join("".join(o.itertext()).split()) for o in root.findall(".//a:outcome", NS)]


def test_a_rejected_motion_is_printed_rejected_whatever_the_order(tmp_path: Path) -> None:
    """["no", "yes", "abstain"], 3 yes, 6 no, 1 abstain: rejected everywhere (it was printed Adopted)."""
    vote = OpenVote(vote_id="v1", motion_km="សំណើ", motion_en="The motion", options=["no", "yes", "abstain"],
                    majority="simple")
    doc = play(10, vote, ["yes"] * 3 + ["no"] * 6 + ["abstain"])
    record = record_from_export(doc)
    (division,) = record.divisions()
    assert division.outcome.value == "rejected" and division.elected is None
    text, root, js = publish(doc, tmp_path)
    assert akn_outcomes(root) == ["មិនអនុម័ត / Rejected"]
    assert "Adopted" not in text and "Rejected" in text
    assert '"outcome": "rejected"' in js


def test_an_election_prints_whom_it_elected_and_never_abstain(tmp_path: Path, standards_dir: Path) -> None:
    vote = OpenVote(vote_id="e1", motion_km="ការបោះឆ្នោតជ្រើសរើស", motion_en="Election of the rapporteur",
                    question=Question.ELECTION, options=["Sok Dara", "Chea Vanna", "abstain"], majority="simple")
    doc = play(10, vote, ["Sok Dara"] * 2 + ["Chea Vanna"] + ["abstain"] * 7)
    (division,) = record_from_export(doc).divisions()
    assert division.outcome.value == "elected" and division.elected == "Sok Dara"
    text, root, js = publish(doc, tmp_path)
    schema = etree.XMLSchema(etree.parse(str(standards_dir / "akomantoso30.xsd")))
    assert schema.validate(root), schema.error_log
    assert akn_outcomes(root) == ["ជាប់ឆ្នោត៖ Sok Dara (2 សំឡេង) / Elected: Sok Dara (2 votes)"]
    assert "Elected: Sok Dara (2 votes)" in " ".join(text.split())
    assert '"elected": "Sok Dara"' in js


def test_the_akn_builder_still_guards_its_boundary(sample_record: Any, standards_dir: Path) -> None:
    """A record made before the protocol refused controls (an old log) still exports valid XML."""
    from dataclasses import replace

    from hansard import build_akn
    from hansard.record import Bilingual

    record = sample_record()
    record = replace(record, header=replace(record.header, place=Bilingual("សាល\x0bប្រជុំ", "Hall\x00\ufffe")))
    root = etree.fromstring(build_akn(record))
    schema = etree.XMLSchema(etree.parse(str(standards_dir / "akomantoso30.xsd")))
    assert schema.validate(root), schema.error_log
    assert "Hall\ufffd\ufffd" in "".join(root.itertext())


@pytest.mark.parametrize("zone,local,offset", [
    (None, "18:46", "+07:00"),  # the Senate's own clock, by default
    ("Europe/Paris", "12:46", "+01:00"),
    ("America/New_York", "06:46", "-05:00"),
])
def test_times_are_printed_on_the_halls_clock(tmp_path: Path, zone: str | None, local: str, offset: str) -> None:
    """A sitting opened at 18:46 Phnom Penh time (11:46 UTC) is printed as 18:46, the zone named once."""
    vote = OpenVote(vote_id="v1", motion_km="សំណើ", motion_en="The motion", majority="simple")
    doc = play(3, vote, ["yes", "yes", "no"], create={"time_zone": zone} if zone else None)
    record = record_from_export(doc)
    assert record.header.opened_at.strftime("%H:%M") == local
    text, root, js = publish(doc, tmp_path)
    flat = " ".join(text.split())
    name = zone or "Asia/Phnom_Penh"
    assert f"Opened at {local}" in flat or f"{local}" in flat.split("Opened at", 1)[1][:40]
    assert flat.count(f"{name} (UTC{offset})") == 1
    assert "11:46" not in flat or zone == "America/New_York"
    times = [el.get("time") for el in root.iter("{*}recordedTime")]
    assert times and all(t.endswith(offset) for t in times), times
    assert json.loads(js)["hansard"]["header"]["opened_at"].endswith(offset)


def test_an_unknown_time_zone_is_refused() -> None:
    from pydantic import ValidationError
    with pytest.raises(ValidationError, match="no such IANA time zone"):
        CreateSitting(body=Body.PLENARY, number=3, title_km="ក", title_en="P", date="2026-11-30", place="C",
                      time_zone="Asia/Atlantis")


def test_a_sitting_opened_on_another_day_is_noted() -> None:
    """Scheduled for 2026-11-30, opened at 00:30 on 1 December in Phnom Penh (17:30 UTC the day before)."""
    late = int(dt.datetime(2026, 11, 30, 17, 30, tzinfo=dt.UTC).timestamp() * 1000)
    vote = OpenVote(vote_id="v1", motion_km="សំណើ", motion_en="The motion", majority="simple")
    record = record_from_export(play(3, vote, ["yes"] * 3, opened=late))
    notes = [e.text.en for e in record.agenda[0].entries if hasattr(e, "text") and isinstance(e.text, Bilingual)]
    assert "The sitting, scheduled for 2026-11-30, was opened on 2026-12-01." in notes
    on_time = record_from_export(play(3, vote, ["yes"] * 3))
    assert not any("scheduled for" in e.text.en for e in on_time.agenda[0].entries
                   if hasattr(e, "text") and isinstance(e.text, Bilingual))


def test_a_complete_record_without_a_recorder(tmp_path: Path, standards_dir: Path) -> None:
    """The presiding member named and a change of chair noted; a point of order, a notice and a
    suspension in the PDF and the AKN; a sub-item taken up inside an item kept in its place."""
    from protocol.commands import (
        GrantFloor,
        PostNotice,
        RequestFloor,
        ResumeSitting,
        StopSpeech,
        SuspendSitting,
        TakeChair,
        TakeUpItem,
    )
    from protocol.types import SpeechType

    reg = registry_with(4)
    t = OPENED
    president = ctx(Role.CHAIR, member=member_id(1), device="chair-console-m1", now=t)
    shared = ctx(Role.CHAIR, device="chair-console", now=t)

    def speak(n: int, kind: SpeechType = SpeechType.CONTRIBUTION) -> list[tuple[Command, Context]]:
        return [(RequestFloor(member_id=member_id(n), speech_type=kind), shared),
                (GrantFloor(member_id=member_id(n)), shared), (StopSpeech(member_id=member_id(n)), shared)]

    steps: list[tuple[Command, Context]] = [
        (CreateSitting(body=Body.PLENARY, number=4, title_km="សម័យប្រជុំ", title_en="Plenary", date="2026-11-30",
                       place="Chamber"), clerk(T0)),
        (AddItem(item_id="i1", parent_id=None, title_km="ច្បាប់", title_en="The bill"), clerk(T0)),
        (AddItem(item_id="i1.1", parent_id="i1", title_km="មាត្រា ១", title_en="Article 1"), clerk(T0)),
        *[(CheckIn(member_id=member_id(n), pin="1234"), ctx(Role.SEAT, seat=f"s{n}", device=f"console-s{n}", now=t))
          for n in range(1, 5)],
        (OpenSitting(), president),
        (TakeUpItem(item_id="i1"), shared),
        *speak(2),
        (TakeUpItem(item_id="i1.1"), shared),
        *speak(3),
        *speak(4, SpeechType.POINT_OF_ORDER),
        (TakeUpItem(item_id="i1"), shared),
        (PostNotice(text="The sitting resumes at 15:00."), shared),
        (SuspendSitting(), shared),
        (ResumeSitting(), shared),
        (TakeChair(member_id=member_id(2)), shared),
        *speak(3),
    ]
    _, records = records_of(SittingState(stream=SITTING), steps, reg)
    doc = export(records)
    record = record_from_export(doc)
    assert record.header.presiding_officer_id == member_id(1)
    text, root, _ = publish(doc, tmp_path)
    schema = etree.XMLSchema(etree.parse(str(standards_dir / "akomantoso30.xsd")))
    assert schema.validate(root), schema.error_log
    flat = " ".join(text.split())
    for said in ("Member 2 took the chair.", "Notice from the chair: The sitting resumes at 15:00.",
                 "The sitting was suspended.", "The sitting resumed.", "Point of order"):
        assert said in flat, said
    assert "Presiding សមាជិក 1 (Member 1)" in flat
    (poo,) = root.findall(".//a:pointOfOrder", NS)
    assert [sp.get("by") for sp in poo.findall("a:speech", NS)] == ["#m4"]
    # the order things happened: m2 on the bill, then Article 1 (m3, m4's point of order), then m3 on the bill
    speakers = [sp.get("by") for sp in root.iter("{*}speech")]
    assert speakers == ["#m2", "#m3", "#m4", "#m3"]
    body_text = flat[flat.index("Item taken up: The bill"):]
    assert body_text.index("Article 1") < body_text.index("Notice from the chair")


@pytest.mark.parametrize("members", [21, 38, 47, 62, 83, 101])
def test_no_page_holds_a_lone_line(tmp_path: Path, members: int) -> None:
    """Whatever the length of the named list, every page after the title page carries at least
    two lines of the record besides its running head (two lines) and foot (one)."""
    vote = OpenVote(vote_id="v1", motion_km="សំណើ", motion_en="The motion", majority="simple")
    doc = play(members, vote, (["yes", "no", "abstain"] * members)[:members])
    write_hansard(doc, "pdf", tmp_path / "h.pdf")
    pages = [p for p in run("pdftotext", "-layout", str(tmp_path / "h.pdf"), "-").split("\f") if p.strip()]
    body = [len([line for line in p.splitlines() if line.strip()]) - 3 for p in pages[1:]]
    assert min(body) >= 2, body
