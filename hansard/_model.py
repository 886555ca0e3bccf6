"""The record of one sitting: what the Hansard builders print and publish.

One model serves the PDF, the Akoma Ntoso XML and the JSON export, so all
three always say the same thing. It knows nothing about storage: the
control plane maps its event log onto these value objects, and each value
object checks its own invariants when it is made (a secret division with a
named list, or a final record with a draft speech, is refused).

Shape::

    SittingRecord
    ├── header: SittingHeader      body, kind, number, date, place, chair, times
    ├── persons: (Person, ...)     everyone the record names, by id
    ├── attendance: Attendance     present / absent / remote person ids
    ├── agenda: (AgendaItem, ...)  each with entries and nested sub-items
    │     entries: Speech | ProceduralNote | Division, in order
    └── verification               log head hash, seal signature, server key

``record_to_dict`` / ``record_from_dict`` (in ``_codec``) give a JSON-ready
form that round-trips exactly; ``hansard.record`` re-exports both.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from protocol.rules import Outcome
from protocol.types import Body, SegmentStatus

__all__ = [
    "AgendaItem",
    "Attendance",
    "Bilingual",
    "Division",
    "DivisionKind",
    "Entry",
    "NamedVote",
    "OptionCount",
    "Outcome",
    "Person",
    "ProceduralNote",
    "Quorum",
    "RecordError",
    "SittingHeader",
    "SittingKind",
    "SittingRecord",
    "Speech",
    "SpeechStatus",
    "Verification",
]

# The same identifier alphabet as protocol.types.Id, so ids from the event
# log pass unchanged; it is also valid inside an Akoma Ntoso eId reference.
_ID = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")
_HEX = re.compile(r"^(?:[0-9a-f]{2})+$")
_ITEM_NUMBER = re.compile(r"^[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*$")


class RecordError(ValueError):
    """A record, or a dict meant to become one, that contradicts itself."""


def _check_id(what: str, value: str) -> None:
    if not isinstance(value, str) or not _ID.match(value):
        raise RecordError(f"{what} must match {_ID.pattern}, got {value!r}")


def _check_aware(what: str, value: dt.datetime) -> None:
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        raise RecordError(f"{what} must be a timezone-aware datetime, got {value!r}")


# Which body sat, and how far a turn's text has come: the protocol's own enums.
SittingKind = Body
SpeechStatus = SegmentStatus


class DivisionKind(StrEnum):
    ROLL_CALL = "roll-call"
    SECRET = "secret"


@dataclass(frozen=True, slots=True)
class Bilingual:
    """The same words in Khmer and in English."""

    km: str
    en: str

    def __post_init__(self) -> None:
        if not isinstance(self.km, str) or not isinstance(self.en, str):
            raise RecordError(f"bilingual text must be two strings, got {self!r}")


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name_km: str
    name_latin: str
    group: str = ""
    role: Bilingual | None = None

    def __post_init__(self) -> None:
        _check_id("person id", self.id)
        if not self.name_km.strip() and not self.name_latin.strip():
            raise RecordError(f"person {self.id} has no name")


@dataclass(frozen=True, slots=True)
class SittingHeader:
    body: Bilingual
    kind: SittingKind
    number: int
    date: dt.date
    place: Bilingual
    presiding_officer_id: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None = None
    # e.g. "Commission on Legislation and Justice" for a commission sitting
    organ: Bilingual | None = None
    # e.g. "Fifth legislature, seventh session"
    session: Bilingual | None = None
    # The hall's clock (an IANA name): every time in the record is given in it.
    time_zone: str | None = None

    def __post_init__(self) -> None:
        if self.number < 1:
            raise RecordError(f"sitting number must be positive, got {self.number}")
        if isinstance(self.date, dt.datetime) or not isinstance(self.date, dt.date):
            raise RecordError(f"sitting date must be a date, got {self.date!r}")
        _check_id("presiding officer id", self.presiding_officer_id)
        _check_aware("opened_at", self.opened_at)
        if self.closed_at is not None:
            _check_aware("closed_at", self.closed_at)
            if self.closed_at < self.opened_at:
                raise RecordError("can't close a sitting before it opened")


@dataclass(frozen=True, slots=True)
class Attendance:
    """Person ids; remote members are present, but over the network.

    Guests (ministers, experts, staff) were heard but are not members: never present or absent.
    """

    present: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    remote: tuple[str, ...] = ()
    guests: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for pid in (*self.present, *self.absent, *self.remote, *self.guests):
            _check_id("attendance person id", pid)
            if pid in seen:
                raise RecordError(f"person {pid} is listed twice in the attendance")
            seen.add(pid)


@dataclass(frozen=True, slots=True)
class Speech:
    """One speaker turn, cut from the floor events and transcribed."""

    id: str
    speaker_id: str
    start: dt.datetime
    end: dt.datetime
    text: str
    status: SpeechStatus = SpeechStatus.DRAFT
    # The capacity and group at the time of speaking, when they differ
    # from the person's own (a minister answering, a member changing group).
    role: Bilingual | None = None
    group: str | None = None
    # A point of order: it interrupts the debate and is printed and marked up as one.
    point_of_order: bool = False
    # Who corrected or approved its text (the clerk's account, else the device), in the order
    # each first did: the version history's authors, in the JSON export.
    revised_by: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_id("speech id", self.id)
        _check_id("speaker id", self.speaker_id)
        _check_aware("speech start", self.start)
        _check_aware("speech end", self.end)
        if self.end < self.start:
            raise RecordError(f"speech {self.id} ends before it starts")

    @property
    def paragraphs(self) -> tuple[str, ...]:
        """The text split at blank lines, each paragraph's lines joined."""
        parts = re.split(r"\n\s*\n", self.text.strip())
        return tuple(" ".join(p.split()) for p in parts if p.strip())


@dataclass(frozen=True, slots=True)
class ProceduralNote:
    """What the chair or the system did: opened, took up an item, announced a result."""

    time: dt.datetime
    text: Bilingual

    def __post_init__(self) -> None:
        _check_aware("note time", self.time)


@dataclass(frozen=True, slots=True)
class OptionCount:
    option: str
    count: int

    def __post_init__(self) -> None:
        if not self.option or self.count < 0:
            raise RecordError(f"bad option count {self!r}")


@dataclass(frozen=True, slots=True)
class NamedVote:
    person_id: str
    choice: str

    def __post_init__(self) -> None:
        _check_id("voter id", self.person_id)


@dataclass(frozen=True, slots=True)
class Quorum:
    required: int
    present: int
    met: bool

    def __post_init__(self) -> None:
        if self.required < 0 or self.present < 0:
            raise RecordError(f"quorum counts must not be negative: {self!r}")


@dataclass(frozen=True, slots=True)
class Division:
    """A vote and its sealed result.

    ``counts`` keeps the options in the order they were offered. A roll-call
    names every voter; a secret division never does.
    """

    id: str
    motion: Bilingual
    kind: DivisionKind
    time: dt.datetime
    counts: tuple[OptionCount, ...]
    eligible: int
    voted: int
    quorum: Quorum
    majority_rule: str
    outcome: Outcome
    named_list: tuple[NamedVote, ...] = ()
    # The elected option of an election; its count is ``count(elected)``.
    elected: str | None = None

    def __post_init__(self) -> None:
        _check_id("division id", self.id)
        _check_aware("division time", self.time)
        options = [c.option for c in self.counts]
        if len(set(options)) != len(options):
            raise RecordError(f"division {self.id} repeats an option: {options}")
        total = sum(c.count for c in self.counts)
        if not 0 <= total <= self.voted <= self.eligible:
            raise RecordError(
                f"division {self.id}: counts {total} <= voted {self.voted} <= eligible {self.eligible} does not hold"
            )
        if (self.elected is not None) != (self.outcome is Outcome.ELECTED):
            raise RecordError(f"division {self.id}: an elected option goes with the outcome 'elected' only")
        if self.elected is not None and self.elected not in options:
            raise RecordError(f"division {self.id}: elected {self.elected!r} was not offered")
        if self.kind is DivisionKind.SECRET and self.named_list:
            raise RecordError(f"secret division {self.id} can't carry a named list")
        if self.kind is DivisionKind.ROLL_CALL:
            voters = [v.person_id for v in self.named_list]
            if len(set(voters)) != len(voters):
                raise RecordError(f"division {self.id}: a member is named twice")
            tally = Counter(v.choice for v in self.named_list)
            unknown = set(tally) - set(options)
            if unknown:
                raise RecordError(f"division {self.id}: choices {sorted(unknown)} not offered")
            if self.named_list and any(tally[c.option] != c.count for c in self.counts):
                raise RecordError(f"division {self.id}: named list does not match the counts")

    def count(self, option: str) -> int:
        for c in self.counts:
            if c.option == option:
                return c.count
        raise KeyError(option)


Entry = Speech | ProceduralNote | Division


@dataclass(frozen=True, slots=True)
class AgendaItem:
    """An agenda item: its entries in order, and its sub-items where they were taken up.

    ``positions[k]`` is how many of this item's entries come before sub-item
    k, so an item resumed after a sub-item reads in the order things happened;
    empty means every sub-item comes after all the entries.
    """

    number: str
    heading: Bilingual
    entries: tuple[Entry, ...] = ()
    items: tuple[AgendaItem, ...] = ()
    positions: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if not _ITEM_NUMBER.match(self.number):
            raise RecordError(f"agenda item number must look like 1 or 2.1, got {self.number!r}")
        for e in self.entries:
            if not isinstance(e, Speech | ProceduralNote | Division):
                raise RecordError(f"item {self.number}: {type(e).__name__} is not an entry")
        if self.positions and (
            len(self.positions) != len(self.items)
            or list(self.positions) != sorted(self.positions)
            or not all(0 <= p <= len(self.entries) for p in self.positions)
        ):
            raise RecordError(f"item {self.number}: sub-item positions {self.positions} do not fit its entries")

    def in_order(self) -> Iterator[Entry | AgendaItem]:
        """Entries and sub-items interleaved in the order they happened."""
        positions = self.positions or (len(self.entries),) * len(self.items)
        done = 0
        for pos, sub in zip(positions, self.items, strict=True):
            yield from self.entries[done:pos]
            done = pos
            yield sub
        yield from self.entries[done:]

    def walk(self, depth: int = 0) -> Iterator[tuple[int, AgendaItem]]:
        """This item and every sub-item, depth first, with their depth."""
        yield depth, self
        for sub in self.items:
            yield from sub.walk(depth + 1)


@dataclass(frozen=True, slots=True)
class Verification:
    """What lets anyone re-check the record offline against the event log."""

    log_head_hash: str
    seal_signature: str
    server_public_key: str
    algorithm: str = "Ed25519"
    log_head_seq: int | None = None

    def __post_init__(self) -> None:
        for name in ("log_head_hash", "seal_signature", "server_public_key"):
            if not _HEX.match(getattr(self, name)):
                raise RecordError(f"{name} must be lower-case hex")


@dataclass(frozen=True, slots=True)
class SittingRecord:
    header: SittingHeader
    persons: tuple[Person, ...]
    attendance: Attendance
    agenda: tuple[AgendaItem, ...]
    verification: Verification | None = None
    # A draft record is printed and published marked "not yet approved".
    draft: bool = True

    def __post_init__(self) -> None:
        ids = [p.id for p in self.persons]
        if len(set(ids)) != len(ids):
            raise RecordError("a person id is used twice")
        known = set(ids)

        def need(what: str, pid: str) -> None:
            if pid not in known:
                raise RecordError(f"{what} {pid} is not among the record's persons")

        need("presiding officer", self.header.presiding_officer_id)
        for pid in (*self.attendance.present, *self.attendance.absent, *self.attendance.remote,
                    *self.attendance.guests):
            need("attendee", pid)
        numbers: set[str] = set()
        entry_ids: set[str] = set()
        for _, item in self.walk():
            if item.number in numbers:
                raise RecordError(f"agenda item number {item.number} is used twice")
            numbers.add(item.number)
            for e in item.entries:
                if isinstance(e, Speech):
                    need("speaker", e.speaker_id)
                    if not self.draft and e.status is not SpeechStatus.APPROVED:
                        raise RecordError(f"can't be a final record while speech {e.id} is {e.status}")
                elif isinstance(e, Division):
                    for v in e.named_list:
                        need("voter", v.person_id)
                if isinstance(e, Speech | Division):
                    if e.id in entry_ids:
                        raise RecordError(f"entry id {e.id} is used twice")
                    entry_ids.add(e.id)

    def person(self, person_id: str) -> Person:
        for p in self.persons:
            if p.id == person_id:
                return p
        raise KeyError(person_id)

    def walk(self) -> Iterator[tuple[int, AgendaItem]]:
        """Every agenda item, depth first, with its depth (0 for top level)."""
        for item in self.agenda:
            yield from item.walk()

    def entries(self) -> Iterator[Entry]:
        for _, item in self.walk():
            yield from item.entries

    def speeches(self) -> Iterator[Speech]:
        return (e for e in self.entries() if isinstance(e, Speech))

    def divisions(self) -> Iterator[Division]:
        return (e for e in self.entries() if isinstance(e, Division))

    @property
    def pending_approval(self) -> int:
        """How many speeches are not yet approved."""
        return sum(1 for s in self.speeches() if s.status is not SpeechStatus.APPROVED)
