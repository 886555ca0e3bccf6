"""The record model: invariants refused at construction, and an exact
round trip through the JSON-ready dict form."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hansard.record import (
    FORMAT,
    AgendaItem,
    Attendance,
    Bilingual,
    Division,
    DivisionKind,
    Entry,
    NamedVote,
    OptionCount,
    Outcome,
    Person,
    ProceduralNote,
    Quorum,
    RecordError,
    SittingHeader,
    SittingKind,
    SittingRecord,
    Speech,
    SpeechStatus,
    Verification,
    record_from_dict,
    record_to_dict,
)

Factory = Callable[..., SittingRecord]


def _json_round_trip(record: SittingRecord) -> SittingRecord:
    return record_from_dict(json.loads(json.dumps(record_to_dict(record), ensure_ascii=False)))


def test_sample_round_trips(sample_record: Factory) -> None:
    for draft in (True, False):
        for sealed in (True, False):
            record = sample_record(draft=draft, sealed=sealed)
            assert _json_round_trip(record) == record


def test_dict_is_plain_json(sample_record: Factory) -> None:
    data = record_to_dict(sample_record())
    assert data["format"] == FORMAT
    # json.dumps would raise on anything that is not plain JSON
    assert json.loads(json.dumps(data)) == data
    kinds = [e["type"] for i in data["agenda"] for e in i["entries"]]
    assert {"note", "speech", "division"} <= set(kinds) | {
        e["type"] for i in data["agenda"] for s in i["items"] for e in s["entries"]
    }


def test_walk_and_queries(sample_record: Factory) -> None:
    record = sample_record()
    assert [item.number for _, item in record.walk()] == ["1", "2", "2.1", "2.2", "2.3", "3"]
    assert [d.kind for d in record.divisions()] == [DivisionKind.ROLL_CALL, DivisionKind.SECRET]
    assert record.pending_approval == 2
    assert record.person("gov-mef").name_latin == "Ouk Ravy"
    first = next(record.divisions())
    assert first.count("yes") == 9


def _division(**changes: Any) -> Division:
    base = Division(
        id="v1",
        motion=Bilingual("សំណើ", "Motion"),
        kind=DivisionKind.ROLL_CALL,
        time=dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC),
        counts=(OptionCount("yes", 1), OptionCount("no", 1)),
        eligible=3,
        voted=2,
        quorum=Quorum(2, 2, True),
        majority_rule="Simple majority",
        outcome=Outcome.TIE,
        named_list=(NamedVote("a", "yes"), NamedVote("b", "no")),
    )
    return dataclasses.replace(base, **changes)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": DivisionKind.SECRET}, "can't carry a named list"),
        ({"named_list": (NamedVote("a", "yes"), NamedVote("b", "yes"))}, "does not match"),
        ({"named_list": (NamedVote("a", "maybe"),)}, "not offered"),
        ({"named_list": (NamedVote("a", "yes"), NamedVote("a", "no"))}, "named twice"),
        ({"voted": 1}, "does not hold"),
        ({"eligible": 1}, "does not hold"),
        ({"counts": (OptionCount("yes", 1), OptionCount("yes", 1))}, "repeats an option"),
    ],
)
def test_division_invariants(changes: dict[str, Any], message: str) -> None:
    _division()  # the base is valid
    with pytest.raises(RecordError, match=message):
        _division(**changes)


def test_record_invariants(sample_record: Factory) -> None:
    record = sample_record()
    with pytest.raises(RecordError, match="can't be a final record while speech turn-3"):
        dataclasses.replace(record, draft=False)
    with pytest.raises(RecordError, match="not among the record's persons"):
        dataclasses.replace(record, persons=record.persons[1:])
    with pytest.raises(RecordError, match="listed twice"):
        Attendance(present=("a",), absent=("a",))
    with pytest.raises(RecordError, match="timezone-aware"):
        ProceduralNote(dt.datetime(2026, 11, 29, 9, 0), Bilingual("", "naive"))
    t = dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.UTC)
    with pytest.raises(RecordError, match="ends before it starts"):
        Speech("s1", "a", t, t - dt.timedelta(seconds=1), "text")
    with pytest.raises(RecordError, match="must match"):
        Person("has space", "ក", "A")
    with pytest.raises(RecordError, match="lower-case hex"):
        Verification("XYZ", "00", "00")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(format="other/1"), "record.format"),
        (lambda d: d["header"].pop("date"), r"record\.header\.date: missing"),
        (lambda d: d["header"].update(number=True), r"record\.header\.number: expected"),
        (lambda d: d["header"].update(kind="senate"), "is not one of"),
        (lambda d: d["agenda"][0]["entries"][0].update(type="song"), "is not speech"),
        (
            lambda d: d["agenda"][0]["entries"][1].update(start="yesterday"),
            r"record\.agenda\[0\]\.entries\[1\]\.start: not an ISO 8601",
        ),
        (lambda d: d["attendance"].update(present=[1]), "list of ids"),
    ],
)
def test_from_dict_names_the_bad_value(
    sample_record: Factory, mutate: Callable[[dict[str, Any]], None], message: str
) -> None:
    data = record_to_dict(sample_record())
    mutate(data)
    with pytest.raises(RecordError, match=message):
        record_from_dict(data)


# ------------------------------------------------------------------ property

_TEXT = st.text(
    alphabet=st.sampled_from(list("abc XYZ.,—\n") + [chr(c) for c in range(0x1780, 0x17DE)]),
    max_size=40,
)
_NAME = _TEXT.filter(lambda s: s.strip() != "")
_BI = st.builds(Bilingual, _TEXT, _TEXT)
_TZ = st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=7)), dt.timezone(dt.timedelta(hours=-3, minutes=-30))])
_WHEN = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 1, 1), timezones=_TZ)


@st.composite
def records(draw: st.DrawFn) -> SittingRecord:
    n = draw(st.integers(1, 6))
    ids = [f"p{i}" for i in range(n)]
    persons = tuple(
        Person(pid, draw(_NAME), draw(_TEXT), draw(st.sampled_from(["", "CPP", "KWP"])), draw(st.none() | _BI))
        for pid in ids
    )
    placement = [draw(st.sampled_from(["present", "absent", "remote", "none"])) for _ in ids]
    attendance = Attendance(
        present=tuple(p for p, w in zip(ids, placement, strict=True) if w == "present"),
        absent=tuple(p for p, w in zip(ids, placement, strict=True) if w == "absent"),
        remote=tuple(p for p, w in zip(ids, placement, strict=True) if w == "remote"),
    )
    draft = draw(st.booleans())
    counter = iter(range(10_000))

    def entry() -> Entry:
        kind = draw(st.sampled_from(["speech", "note", "division"]))
        start = draw(_WHEN)
        if kind == "speech":
            status = draw(st.sampled_from(list(SpeechStatus))) if draft else SpeechStatus.APPROVED
            return Speech(
                f"s{next(counter)}",
                draw(st.sampled_from(ids)),
                start,
                start + draw(st.timedeltas(dt.timedelta(0), dt.timedelta(hours=2))),
                draw(_TEXT),
                status,
                draw(st.none() | _BI),
                draw(st.none() | st.sampled_from(["", "FUNCINPEC"])),
            )
        if kind == "note":
            return ProceduralNote(start, draw(_BI))
        options = ["yes", "no", "abstain"][: draw(st.integers(1, 3))]
        secret = draw(st.booleans())
        if secret:
            counts = tuple(OptionCount(o, draw(st.integers(0, 50))) for o in options)
            named: tuple[NamedVote, ...] = ()
        else:
            voters = draw(st.lists(st.sampled_from(ids), unique=True))
            named = tuple(NamedVote(v, draw(st.sampled_from(options))) for v in voters)
            counts = tuple(OptionCount(o, sum(1 for x in named if x.choice == o)) for o in options)
        voted = sum(c.count for c in counts) + draw(st.integers(0, 3))
        outcome = draw(st.sampled_from(list(Outcome)))
        return Division(
            f"d{next(counter)}",
            draw(_BI),
            DivisionKind.SECRET if secret else DivisionKind.ROLL_CALL,
            start,
            counts,
            voted + draw(st.integers(0, 5)),
            voted,
            Quorum(draw(st.integers(0, 60)), draw(st.integers(0, 60)), draw(st.booleans())),
            draw(st.sampled_from(["Simple majority", "Absolute majority"])),
            outcome,
            named,
            draw(st.sampled_from(options)) if outcome is Outcome.ELECTED else None,
        )

    def item(number: str, depth: int) -> AgendaItem:
        subs = draw(st.integers(0, 2)) if depth < 2 else 0
        return AgendaItem(
            number,
            draw(_BI),
            tuple(entry() for _ in range(draw(st.integers(0, 3)))),
            tuple(item(f"{number}.{k}", depth + 1) for k in range(1, subs + 1)),
        )

    opened = draw(_WHEN)
    closed = draw(st.none() | st.just(opened + dt.timedelta(hours=3)))
    return SittingRecord(
        header=SittingHeader(
            body=draw(_BI),
            kind=draw(st.sampled_from(list(SittingKind))),
            number=draw(st.integers(1, 500)),
            date=opened.date(),
            place=draw(_BI),
            presiding_officer_id=draw(st.sampled_from(ids)),
            opened_at=opened,
            closed_at=closed,
            organ=draw(st.none() | _BI),
            session=draw(st.none() | _BI),
        ),
        persons=persons,
        attendance=attendance,
        agenda=tuple(item(str(k), 0) for k in range(1, draw(st.integers(0, 3)) + 1)),
        verification=draw(
            st.none()
            | st.builds(
                Verification,
                st.binary(min_size=32, max_size=32).map(bytes.hex),
                st.binary(min_size=64, max_size=64).map(bytes.hex),
                st.binary(min_size=32, max_size=32).map(bytes.hex),
                st.just("Ed25519"),
                st.none() | st.integers(0, 10**9),
            )
        ),
        draft=draft,
    )


@settings(max_examples=150, deadline=None)
@given(records())
def test_any_record_round_trips(record: SittingRecord) -> None:
    back = _json_round_trip(record)
    assert back == record
    # equal instants are not enough: the offsets survive too
    assert back.header.opened_at.utcoffset() == record.header.opened_at.utcoffset()
    assert record_to_dict(back) == record_to_dict(record)
