"""The JSON-ready dict form of a sitting record, and back.

``record_from_dict`` accepts only what ``record_to_dict`` writes: every key
present, every value of the right JSON type; anything else raises
``RecordError`` naming the path of the bad value (``record.agenda[0].entries[3].start``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from enum import StrEnum
from typing import Any, Final, TypeVar

from hansard._model import (
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
)

__all__ = ["FORMAT", "record_from_dict", "record_to_dict"]

FORMAT: Final = "hemicycle.hansard.record/1"


def _bi(b: Bilingual | None) -> dict[str, str] | None:
    return None if b is None else {"km": b.km, "en": b.en}


def _ts(t: dt.datetime | None) -> str | None:
    return None if t is None else t.isoformat()


def _entry_to_dict(e: Entry) -> dict[str, Any]:
    if isinstance(e, Speech):
        return {
            "type": "speech",
            "id": e.id,
            "speaker_id": e.speaker_id,
            "start": _ts(e.start),
            "end": _ts(e.end),
            "text": e.text,
            "status": e.status.value,
            "role": _bi(e.role),
            "group": e.group,
            "point_of_order": e.point_of_order,
            "revised_by": list(e.revised_by),
        }
    if isinstance(e, ProceduralNote):
        return {"type": "note", "time": _ts(e.time), "text": _bi(e.text)}
    return {
        "type": "division",
        "id": e.id,
        "motion": _bi(e.motion),
        "kind": e.kind.value,
        "time": _ts(e.time),
        "counts": [{"option": c.option, "count": c.count} for c in e.counts],
        "eligible": e.eligible,
        "voted": e.voted,
        "quorum": {
            "required": e.quorum.required,
            "present": e.quorum.present,
            "met": e.quorum.met,
        },
        "majority_rule": e.majority_rule,
        "outcome": e.outcome.value,
        "elected": e.elected,
        "named_list": [{"person_id": v.person_id, "choice": v.choice} for v in e.named_list],
    }


def _item_to_dict(item: AgendaItem) -> dict[str, Any]:
    return {
        "number": item.number,
        "heading": _bi(item.heading),
        "entries": [_entry_to_dict(e) for e in item.entries],
        "items": [_item_to_dict(i) for i in item.items],
        "positions": list(item.positions),
    }


def record_to_dict(record: SittingRecord) -> dict[str, Any]:
    """A JSON-ready dict (str, int, bool, None, list, dict only)."""
    h = record.header
    v = record.verification
    return {
        "format": FORMAT,
        "draft": record.draft,
        "header": {
            "body": _bi(h.body),
            "kind": h.kind.value,
            "number": h.number,
            "date": h.date.isoformat(),
            "place": _bi(h.place),
            "presiding_officer_id": h.presiding_officer_id,
            "opened_at": _ts(h.opened_at),
            "closed_at": _ts(h.closed_at),
            "organ": _bi(h.organ),
            "session": _bi(h.session),
            "time_zone": h.time_zone,
        },
        "persons": [
            {
                "id": p.id,
                "name_km": p.name_km,
                "name_latin": p.name_latin,
                "group": p.group,
                "role": _bi(p.role),
            }
            for p in record.persons
        ],
        "attendance": {
            "present": list(record.attendance.present),
            "absent": list(record.attendance.absent),
            "remote": list(record.attendance.remote),
            "guests": list(record.attendance.guests),
        },
        "agenda": [_item_to_dict(i) for i in record.agenda],
        "verification": None
        if v is None
        else {
            "log_head_hash": v.log_head_hash,
            "seal_signature": v.seal_signature,
            "server_public_key": v.server_public_key,
            "algorithm": v.algorithm,
            "log_head_seq": v.log_head_seq,
        },
    }


_E = TypeVar("_E", bound=StrEnum)


class _Reader:
    """Typed access to one dict of the JSON form; errors name the path."""

    def __init__(self, data: object, path: str) -> None:
        if not isinstance(data, Mapping):
            raise RecordError(f"{path}: expected an object, got {type(data).__name__}")
        self.data = data
        self.path = path

    def _get(self, key: str, types: type | tuple[type, ...], optional: bool = False) -> Any:
        if key not in self.data:
            if optional:
                return None
            raise RecordError(f"{self.path}.{key}: missing")
        value = self.data[key]
        if value is None and optional:
            return None
        # bool is an int subclass; never accept it where a number is meant
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in _tuple(types)):
            raise RecordError(f"{self.path}.{key}: expected {types}, got {value!r}")
        return value

    def text(self, key: str) -> str:
        return str(self._get(key, str))

    def opt_text(self, key: str) -> str | None:
        value = self._get(key, str, optional=True)
        return None if value is None else str(value)

    def number(self, key: str) -> int:
        return int(self._get(key, int))

    def opt_number(self, key: str) -> int | None:
        value = self._get(key, int, optional=True)
        return None if value is None else int(value)

    def flag(self, key: str) -> bool:
        return bool(self._get(key, bool))

    def opt_flag(self, key: str) -> bool:
        """A flag that older records leave out: False when missing."""
        return bool(self._get(key, bool, optional=True))

    def opt_numbers(self, key: str) -> tuple[int, ...]:
        """A list of whole numbers that older records leave out: empty when missing."""
        values = self._get(key, list, optional=True) or []
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            raise RecordError(f"{self.path}.{key}: expected whole numbers, got {values!r}")
        return tuple(values)

    def array(self, key: str) -> list[Any]:
        return list(self._get(key, list))

    def sub(self, key: str) -> _Reader:
        return _Reader(self._get(key, Mapping), f"{self.path}.{key}")

    def opt_sub(self, key: str) -> _Reader | None:
        value = self._get(key, Mapping, optional=True)
        return None if value is None else _Reader(value, f"{self.path}.{key}")

    def bi(self, key: str) -> Bilingual:
        r = self.sub(key)
        return Bilingual(km=r.text("km"), en=r.text("en"))

    def opt_bi(self, key: str) -> Bilingual | None:
        r = self.opt_sub(key)
        return None if r is None else Bilingual(km=r.text("km"), en=r.text("en"))

    def time(self, key: str) -> dt.datetime:
        raw = self.text(key)
        try:
            return dt.datetime.fromisoformat(raw)
        except ValueError as exc:
            raise RecordError(f"{self.path}.{key}: not an ISO 8601 datetime: {raw!r}") from exc

    def opt_time(self, key: str) -> dt.datetime | None:
        return None if self.opt_text(key) is None else self.time(key)

    def ids(self, key: str) -> tuple[str, ...]:
        values = self.array(key)
        if not all(isinstance(v, str) for v in values):
            raise RecordError(f"{self.path}.{key}: expected a list of ids")
        return tuple(values)

    def opt_ids(self, key: str) -> tuple[str, ...]:
        """A list of ids that older records leave out: empty when missing."""
        return self.ids(key) if self.data.get(key) is not None else ()

    def enum(self, key: str, kind: type[_E]) -> _E:
        raw = self.text(key)
        try:
            return kind(raw)
        except ValueError as exc:
            allowed = [m.value for m in kind]
            raise RecordError(f"{self.path}.{key}: {raw!r} is not one of {allowed}") from exc

    def each(self, key: str) -> Iterator[_Reader]:
        for i, value in enumerate(self.array(key)):
            yield _Reader(value, f"{self.path}.{key}[{i}]")


def _tuple(types: type | tuple[type, ...]) -> tuple[type, ...]:
    return types if isinstance(types, tuple) else (types,)


def _entry_from(r: _Reader) -> Entry:
    kind = r.text("type")
    if kind == "speech":
        return Speech(
            id=r.text("id"),
            speaker_id=r.text("speaker_id"),
            start=r.time("start"),
            end=r.time("end"),
            text=r.text("text"),
            status=r.enum("status", SpeechStatus),
            role=r.opt_bi("role"),
            group=r.opt_text("group"),
            point_of_order=r.opt_flag("point_of_order"),
            revised_by=r.opt_ids("revised_by"),
        )
    if kind == "note":
        return ProceduralNote(time=r.time("time"), text=r.bi("text"))
    if kind == "division":
        q = r.sub("quorum")
        return Division(
            id=r.text("id"),
            motion=r.bi("motion"),
            kind=r.enum("kind", DivisionKind),
            time=r.time("time"),
            counts=tuple(OptionCount(c.text("option"), c.number("count")) for c in r.each("counts")),
            eligible=r.number("eligible"),
            voted=r.number("voted"),
            quorum=Quorum(required=q.number("required"), present=q.number("present"), met=q.flag("met")),
            majority_rule=r.text("majority_rule"),
            outcome=r.enum("outcome", Outcome),
            named_list=tuple(NamedVote(v.text("person_id"), v.text("choice")) for v in r.each("named_list")),
            elected=r.opt_text("elected"),
        )
    raise RecordError(f"{r.path}.type: {kind!r} is not speech, note or division")


def _item_from(r: _Reader) -> AgendaItem:
    return AgendaItem(
        number=r.text("number"),
        heading=r.bi("heading"),
        entries=tuple(_entry_from(e) for e in r.each("entries")),
        items=tuple(_item_from(i) for i in r.each("items")),
        positions=r.opt_numbers("positions"),
    )


def record_from_dict(data: Mapping[str, Any]) -> SittingRecord:
    """Rebuild a record from ``record_to_dict`` output; raises RecordError."""
    r = _Reader(data, "record")
    if r.text("format") != FORMAT:
        raise RecordError(f"record.format: expected {FORMAT!r}, got {data['format']!r}")
    h = r.sub("header")
    header = SittingHeader(
        body=h.bi("body"),
        kind=h.enum("kind", SittingKind),
        number=h.number("number"),
        date=_date(h, "date"),
        place=h.bi("place"),
        presiding_officer_id=h.text("presiding_officer_id"),
        opened_at=h.time("opened_at"),
        closed_at=h.opt_time("closed_at"),
        organ=h.opt_bi("organ"),
        session=h.opt_bi("session"),
        time_zone=h.opt_text("time_zone"),
    )
    persons = tuple(
        Person(
            id=p.text("id"),
            name_km=p.text("name_km"),
            name_latin=p.text("name_latin"),
            group=p.text("group"),
            role=p.opt_bi("role"),
        )
        for p in r.each("persons")
    )
    a = r.sub("attendance")
    attendance = Attendance(present=a.ids("present"), absent=a.ids("absent"), remote=a.ids("remote"),
                            guests=a.opt_ids("guests"))
    v = r.opt_sub("verification")
    verification = (
        None
        if v is None
        else Verification(
            log_head_hash=v.text("log_head_hash"),
            seal_signature=v.text("seal_signature"),
            server_public_key=v.text("server_public_key"),
            algorithm=v.text("algorithm"),
            log_head_seq=v.opt_number("log_head_seq"),
        )
    )
    return SittingRecord(
        header=header,
        persons=persons,
        attendance=attendance,
        agenda=tuple(_item_from(i) for i in r.each("agenda")),
        verification=verification,
        draft=r.flag("draft"),
    )


def _date(r: _Reader, key: str) -> dt.date:
    raw = r.text(key)
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise RecordError(f"{r.path}.{key}: not an ISO 8601 date: {raw!r}") from exc
