"""The sitting's record, built from its exported event log.

Every line of the Hansard comes from the log: speeches are the turns the
floor control granted, with the transcript's latest version; procedural
notes are the chair's actions; divisions are the sealed votes. Nothing is
typed in by hand, so the record says what the log says. The sitting as it
stands (titles, place, date, roster, guests, the agenda with its edits,
moves and removals, documents' latest versions) is the log folded by the
same rules the hall runs (``procedure.sitting.apply_sitting``), never a
copy of the first events.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

from hansard.record import (
    AgendaItem,
    Attendance,
    Bilingual,
    Division,
    DivisionKind,
    Entry,
    NamedVote,
    OptionCount,
    Person,
    ProceduralNote,
    Quorum,
    SittingHeader,
    SittingKind,
    SittingRecord,
    Speech,
    SpeechStatus,
    Verification,
)
from procedure.agenda import Item
from procedure.sitting import SittingState, apply_sitting
from protocol.events import (
    BallotCast,
    CheckedIn,
    CheckedOut,
    FloorGranted,
    ItemTakenUp,
    NoticePosted,
    PageShown,
    PresidingChanged,
    Record,
    SegmentAdded,
    SegmentRevised,
    SittingClosed,
    SittingOpened,
    SittingResumed,
    SittingSuspended,
    SpeechStopped,
    TurnFlagged,
    VoteClosed,
    VoteOpened,
    VoteSealed,
)
from protocol.types import SegmentStatus, SpeechType, VoteKind

BODY = Bilingual("ព្រឹទ្ធសភានៃព្រះរាជាណាចក្រកម្ពុជា", "Senate of the Kingdom of Cambodia")
PRESIDING = Person("presiding-officer", "ប្រធានអង្គប្រជុំ", "Presiding officer", "",
                   Bilingual("ប្រធានអង្គប្រជុំ", "Presiding officer"))
OPENING = ("0", Bilingual("ការបើកអង្គប្រជុំ", "Opening of the sitting"))
NO_TEXT = "[មិនទាន់មានអត្ថបទ / No text yet]"  # no segment yet: the recorder may be late, or none ran
FLAGGED_TEXT = {  # a turn the recorder flagged and nobody typed yet (transcript.turn_flagged)
    "no_speech_heard": "[គ្មានសំឡេងនិយាយ / No speech was heard]",
    "language_not_covered": "[រង់ចាំអត្ថបទដែលស្មៀនវាយ ({language}) / Awaiting the clerk's text ({language})]",
}
STATUS_ORDER = [SegmentStatus.DRAFT, SegmentStatus.CORRECTED, SegmentStatus.APPROVED]


def _time(ms: int, zone: dt.tzinfo = dt.UTC) -> dt.datetime:
    """A log time (ms since the epoch, UTC) on the hall's clock."""
    return dt.datetime.fromtimestamp(ms / 1000, tz=zone)


def _place(text: str) -> Bilingual:
    km, _, en = text.partition(" / ")
    return Bilingual(km, en or km)


class _Builder:
    def __init__(self, records: list[Record]) -> None:
        self.records = records
        self.entries: dict[str, list[Entry]] = defaultdict(list)
        self.current: str | None = None
        self.opened: dt.datetime | None = None
        self.closed: dt.datetime | None = None
        self.state = SittingState(stream=records[0].stream if records else "")  # the sitting as folded so far
        self.present: dict[str, bool] = {}  # member -> remote
        self.turns: dict[str, tuple[FloorGranted, int]] = {}
        self.segments: dict[str, list[str]] = defaultdict(list)  # turn -> segment ids
        self.texts: dict[str, tuple[str, SegmentStatus]] = {}
        self.revisers: dict[str, list[str]] = defaultdict(list)  # segment -> who revised it, first time each
        self.flags: dict[str, TurnFlagged] = {}  # turn -> why the machine wrote nothing
        self.votes: dict[str, VoteOpened] = {}
        self.seal: VoteSealed | None = None
        self.zone: dt.tzinfo = dt.UTC
        self.positions: dict[str, int] = {}  # sub-item -> its parent's entries before it was taken up
        self.presiding: str | None = None  # the first member in the chair
        self.shown: str | None = None  # the document on the hall display now

    def take_chair(self, at_ms: int, member_id: str) -> None:
        """The first member in the chair presides (the title page names them); changes are noted."""
        first = self.presiding is None
        if first:
            self.presiding = member_id
        if first and self.opened is None:
            return
        m = self.state.roster.get(member_id)
        name_km, name_en = (m.name_km, m.name_latin) if m else (member_id, member_id)
        self.note(at_ms, f"{name_km} ដឹកនាំអង្គប្រជុំ។", f"{name_en} took the chair.")

    def at(self, ms: int) -> dt.datetime:
        return _time(ms, self.zone)

    def note(self, at_ms: int, km: str, en: str) -> None:
        self.entries[self.current or OPENING[0]].append(ProceduralNote(self.at(at_ms), Bilingual(km, en)))

    def run(self) -> None:
        for r in self.records:
            self.take(r)

    def take(self, r: Record) -> None:
        ev = r.event
        self.state = apply_sitting(self.state, ev, r.at_ms, r.seq, r.actor.author)
        self.zone = ZoneInfo(self.state.time_zone)
        match ev:
            case SittingOpened():
                self.opened = self.at(r.at_ms)
                self.note(r.at_ms, "ប្រធានបើកអង្គប្រជុំ។", "The President opened the sitting.")
                if ev.day is not None and ev.day != self.state.date:
                    self.note(r.at_ms, f"អង្គប្រជុំនេះគ្រោងធ្វើនៅថ្ងៃ {self.state.date} ហើយបានបើកនៅថ្ងៃ {ev.day}។",
                              f"The sitting, scheduled for {self.state.date}, was opened on {ev.day}.")
            case PresidingChanged():
                self.take_chair(r.at_ms, ev.member_id)
            case NoticePosted():
                self.note(r.at_ms, f"សេចក្តីជូនដំណឹងពីប្រធាន៖ {ev.text}", f"Notice from the chair: {ev.text}")
            case PageShown():
                # A document put on the hall display is noted once; its page turns stay in the log only.
                found = self.state.document(ev.document_id) if ev.document_id is not None else None
                if found is not None and ev.document_id != self.shown:
                    title = found[1].title
                    self.note(r.at_ms, f"ឯកសារដែលបានបង្ហាញក្នុងសាល៖ {title}", f"Shown in the hall: {title}")
                self.shown = ev.document_id
            case SittingSuspended():
                self.note(r.at_ms, "អង្គប្រជុំត្រូវបានផ្អាក។", "The sitting was suspended.")
            case SittingResumed():
                self.note(r.at_ms, "អង្គប្រជុំបន្តវិញ។", "The sitting resumed.")
            case SittingClosed():
                self.closed = self.at(r.at_ms)
                self.note(r.at_ms, "ប្រធានបិទអង្គប្រជុំ។", "The President closed the sitting.")
            case ItemTakenUp():
                self.current = ev.item_id
                item = self.state.item(ev.item_id)
                assert item is not None  # the rules take up only an item on the agenda
                if item.parent_id is not None and item.item_id not in self.positions:
                    self.positions[item.item_id] = len(self.entries[item.parent_id])
                self.note(r.at_ms, f"អង្គប្រជុំពិនិត្យ៖ {item.title_km}", f"Item taken up: {item.title_en}")
            case CheckedIn():
                self.present[ev.member_id] = ev.remote
            case CheckedOut() if self.opened is None:  # left before the sitting opened: was not at it
                self.present.pop(ev.member_id, None)
            case FloorGranted():
                self.turns[ev.turn_id] = (ev, r.at_ms)
            case SpeechStopped():
                granted, start = self.turns[ev.turn_id]
                self.entries[granted.item_id or OPENING[0]].append(self.speech(granted, start, r.at_ms))
            case SegmentAdded():
                self.segments[ev.turn_id].append(ev.segment_id)
                self.texts[ev.segment_id] = (ev.text, SegmentStatus.DRAFT)
            case SegmentRevised():
                self.texts[ev.segment_id] = (ev.text, ev.status)
                if r.actor.author and r.actor.author not in self.revisers[ev.segment_id]:
                    self.revisers[ev.segment_id].append(r.actor.author)
            case TurnFlagged():
                self.flags[ev.turn_id] = ev
            case VoteOpened():
                self.votes[ev.vote_id] = ev
            case VoteClosed():
                self.entries[self.votes[ev.vote_id].item_id or OPENING[0]].append(
                    self.division(self.votes[ev.vote_id], ev, r.at_ms))
            case VoteSealed():
                self.seal = ev
            case BallotCast():
                pass

    def speech(self, granted: FloorGranted, start: int, end: int) -> Speech:
        """A turn's speech: placeholder until the recorder's segments arrive (they may come later)."""
        return Speech(id=granted.turn_id, speaker_id=granted.member_id, start=self.at(start),
                      end=self.at(max(end, start)), text=NO_TEXT,
                      point_of_order=granted.speech_type is SpeechType.POINT_OF_ORDER)

    def division(self, opened: VoteOpened, closed: VoteClosed, at_ms: int) -> Division:
        res = closed.result
        return Division(
            id=opened.vote_id,
            motion=Bilingual(opened.motion_km, opened.motion_en),
            kind=DivisionKind.ROLL_CALL if opened.kind is VoteKind.ROLL_CALL else DivisionKind.SECRET,
            time=self.at(at_ms),
            counts=tuple(OptionCount(o, res.counts.get(o, 0)) for o in opened.options),
            eligible=res.eligible,
            voted=res.voted,
            quorum=Quorum(required=res.quorum_needed, present=res.present, met=res.quorum_met),
            majority_rule=opened.majority.name,
            outcome=res.outcome,
            named_list=tuple(NamedVote(m, c) for m, c in closed.named.items()),
            elected=res.elected,
        )

    def with_text(self, entry: Entry) -> Entry:
        """Fill a speech with its segments' latest text and the least advanced status."""
        if not isinstance(entry, Speech) or not self.segments.get(entry.id):
            return entry
        parts = [self.texts[s] for s in self.segments[entry.id]]
        status = min((st for _, st in parts), key=STATUS_ORDER.index)
        flag = self.flags.get(entry.id)
        empty = FLAGGED_TEXT[flag.reason].format(language=flag.language or "?") if flag else NO_TEXT
        revisers = [a for s in self.segments[entry.id] for a in self.revisers.get(s, ())]
        return Speech(id=entry.id, speaker_id=entry.speaker_id, start=entry.start, end=entry.end,
                      text=" ".join(t for t, _ in parts if t) or empty, status=status,
                      group=entry.group, role=entry.role, point_of_order=entry.point_of_order,
                      revised_by=tuple(dict.fromkeys(revisers)))

    def agenda(self) -> tuple[AgendaItem, ...]:
        def build(item: Item, number: str) -> AgendaItem:
            children = [c for c in self.state.items if c.parent_id == item.item_id]
            entries = tuple(self.with_text(e) for e in self.entries.get(item.item_id, []))
            positions, last = [], 0
            for c in children:  # in agenda order, each no earlier than the one before
                last = max(last, self.positions.get(c.item_id, len(entries)))
                positions.append(last)
            return AgendaItem(
                number=number,
                heading=Bilingual(item.title_km, item.title_en),
                entries=entries,
                items=tuple(build(c, f"{number}.{i + 1}") for i, c in enumerate(children)),
                positions=tuple(positions),
            )

        top = [i for i in self.state.items if i.parent_id is None]
        agenda = [build(item, str(n + 1)) for n, item in enumerate(top)]
        if self.entries.get(OPENING[0]):
            agenda.insert(0, AgendaItem(OPENING[0], OPENING[1],
                                        tuple(self.with_text(e) for e in self.entries[OPENING[0]])))
        return tuple(agenda)


def record_from_export(doc: dict[str, Any]) -> SittingRecord:
    """The Hansard model of an exported sitting (the JSON that ``hemicycle verify`` reads)."""
    records = [Record.model_validate(r) for r in doc["records"]]
    b = _Builder(records)
    b.run()
    c = b.state
    if not c.created or b.opened is None:
        raise ValueError("the sitting was never opened: there is no record to publish")
    persons = (*(() if b.presiding else (PRESIDING,)), *(
        Person(m.member_id, m.name_km, m.name_latin, m.group, Bilingual(m.title_km, m.title_en))
        for m in c.roster.values()
    ), *(Person(g.guest_id, g.name_km, g.name_latin, role=Bilingual(g.title_km, g.title_en))
         for g in c.guests.values()))
    attendance = Attendance(
        present=tuple(m for m, remote in b.present.items() if not remote),
        absent=tuple(m for m in c.roster if m not in b.present),
        remote=tuple(m for m, remote in b.present.items() if remote),
        guests=tuple(c.guests),
    )
    head = records[-1]
    verification = (
        Verification(log_head_hash=head.hash, seal_signature=b.seal.signature,
                     server_public_key=b.seal.server_key, log_head_seq=head.seq)
        if b.seal else None
    )
    agenda = b.agenda()
    speeches = [e for item in agenda for _, it in item.walk() for e in it.entries if isinstance(e, Speech)]
    final = b.closed is not None and all(s.status is SpeechStatus.APPROVED for s in speeches)
    return SittingRecord(
        header=SittingHeader(
            body=BODY, kind=SittingKind(c.body.value), number=c.number, date=dt.date.fromisoformat(c.date),
            place=_place(c.place), presiding_officer_id=b.presiding or PRESIDING.id, opened_at=b.opened,
            closed_at=b.closed,
            organ=None if c.body.value == "plenary" else Bilingual(c.title_km, c.title_en),
            time_zone=c.time_zone,
        ),
        persons=persons,
        attendance=attendance,
        agenda=agenda,
        verification=verification,
        draft=not final,
    )
