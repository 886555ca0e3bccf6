"""The transcript: machine segments from the recorder, clerks' versions on top.

The machine text (version 0, in ``transcript.segment_added``) is never
changed; each correction or approval is a new version, so the record keeps
who changed what and when, and the draft is always recoverable.

A turn in a language no installed model writes gets an empty machine
segment and a flag naming its language (``transcript.turn_flagged``); a
clerk then types its text (``transcript.type``): a corrected version like
any other, followed by ``transcript.segment_typed`` marking it typed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from protocol.commands import AddSegment, FlagTurn, ReviseSegment, TypeSegment
from protocol.errors import ErrorCode, ProtocolError
from protocol.events import Event, SegmentAdded, SegmentRevised, SegmentTyped, TurnFlagged
from protocol.types import SegmentStatus


@dataclass(frozen=True)
class Version:
    version: int
    text: str
    status: SegmentStatus
    at_ms: int
    by: str | None
    typed: bool = False  # a clerk typed it for a turn the machine could not write


@dataclass(frozen=True)
class Segment:
    added: SegmentAdded
    versions: tuple[Version, ...]
    flag: TurnFlagged | None = None  # set on every segment of a turn flagged for typing

    @property
    def latest(self) -> Version:
        return self.versions[-1]


def add_segment(cmd: AddSegment, segments: dict[str, Segment], turns: set[str]) -> list[Event]:
    if cmd.segment_id in segments:
        raise ProtocolError(ErrorCode.ALREADY_EXISTS, "segment already stored", segment_id=cmd.segment_id)
    if cmd.turn_id not in turns:
        raise ProtocolError(ErrorCode.INVALID_STATE, "no such turn in this sitting", turn_id=cmd.turn_id)
    if cmd.end_ms < cmd.start_ms or any(w.end_ms < w.start_ms for w in cmd.words):
        raise ProtocolError(ErrorCode.MALFORMED, "times run backwards")
    return [SegmentAdded(**cmd.model_dump(exclude={"type"}))]


def revise_segment(cmd: ReviseSegment, segments: dict[str, Segment]) -> list[Event]:
    seg = segments.get(cmd.segment_id)
    if seg is None:
        raise ProtocolError(ErrorCode.UNKNOWN_ITEM, "no such segment", segment_id=cmd.segment_id)
    text = seg.latest.text if cmd.text is None else cmd.text
    if cmd.status is SegmentStatus.DRAFT:
        raise ProtocolError(ErrorCode.MALFORMED, "a revision is corrected or approved, not draft")
    if text == seg.latest.text and cmd.status is seg.latest.status:
        raise ProtocolError(ErrorCode.INVALID_STATE, "nothing changes", segment_id=cmd.segment_id)
    return [SegmentRevised(segment_id=cmd.segment_id, version=seg.latest.version + 1, text=text,
                           status=cmd.status)]


def flag_turn(cmd: FlagTurn, segments: dict[str, Segment]) -> list[Event]:
    """Flag a turn for typing; its (empty) machine segment must be stored first."""
    mine = [s for s in segments.values() if s.added.turn_id == cmd.turn_id]
    if not mine:
        raise ProtocolError(ErrorCode.INVALID_STATE, "can't flag a turn with no segment", turn_id=cmd.turn_id)
    if any(s.flag is not None for s in mine):
        raise ProtocolError(ErrorCode.ALREADY_EXISTS, "turn already flagged", turn_id=cmd.turn_id)
    return [TurnFlagged(turn_id=cmd.turn_id, language=cmd.language, reason=cmd.reason)]


@dataclass(frozen=True)
class GrantedTurn:
    """What the record needs of a turn floor control granted: who, on which item, from when (ms)."""

    member_id: str
    item_id: str | None
    at_ms: int


def typed_segment_id(turn_id: str) -> str:
    """The id of the segment a clerk types for a turn that had none: ``t4.typed``."""
    return f"{turn_id}.typed"


def type_segment(cmd: TypeSegment, segments: dict[str, Segment], granted: dict[str, GrantedTurn]) -> list[Event]:
    """A clerk's typed text: a corrected version marked typed.

    Into an existing segment (``segment_id``: a turn flagged for typing, or any draft), or,
    for a turn no recorder transcribed (``turn_id``: a room without a recorder), as that
    turn's first segment: an empty machine draft, then the typed version.
    """
    if not cmd.text.strip():
        raise ProtocolError(ErrorCode.MALFORMED, "can't type an empty text")
    if cmd.turn_id is not None:
        turn = granted.get(cmd.turn_id)
        if turn is None:
            raise ProtocolError(ErrorCode.UNKNOWN_ITEM, "no such turn in this sitting", turn_id=cmd.turn_id)
        existing = sorted(s.added.segment_id for s in segments.values() if s.added.turn_id == cmd.turn_id)
        if existing:
            raise ProtocolError(ErrorCode.ALREADY_EXISTS, "this turn has a transcript: type into its segment",
                                turn_id=cmd.turn_id, segment_ids=existing)
        segment_id = typed_segment_id(cmd.turn_id)
        return [
            SegmentAdded(segment_id=segment_id, turn_id=cmd.turn_id, member_id=turn.member_id,
                         item_id=turn.item_id, start_ms=turn.at_ms, end_ms=turn.at_ms, text="", words=[],
                         engine="clerk", model="typed"),
            SegmentRevised(segment_id=segment_id, version=1, text=cmd.text, status=SegmentStatus.CORRECTED),
            SegmentTyped(segment_id=segment_id, version=1),
        ]
    seg = segments.get(cmd.segment_id or "")
    if seg is None:
        raise ProtocolError(ErrorCode.UNKNOWN_ITEM, "no such segment", segment_id=cmd.segment_id)
    if cmd.text == seg.latest.text:
        raise ProtocolError(ErrorCode.INVALID_STATE, "nothing changes", segment_id=cmd.segment_id)
    version = seg.latest.version + 1
    return [
        SegmentRevised(segment_id=seg.added.segment_id, version=version, text=cmd.text,
                       status=SegmentStatus.CORRECTED),
        SegmentTyped(segment_id=seg.added.segment_id, version=version),
    ]


def apply_transcript(
    segments: dict[str, Segment], event: Event, at_ms: int, by: str | None
) -> dict[str, Segment]:
    match event:
        case SegmentAdded():
            first = Version(0, event.text, SegmentStatus.DRAFT, at_ms, by)
            return {**segments, event.segment_id: Segment(event, (first,))}
        case SegmentRevised():
            seg = segments[event.segment_id]
            version = Version(event.version, event.text, event.status, at_ms, by)
            return {**segments, event.segment_id: Segment(seg.added, (*seg.versions, version), seg.flag)}
        case TurnFlagged():
            return {
                sid: replace(seg, flag=event) if seg.added.turn_id == event.turn_id else seg
                for sid, seg in segments.items()
            }
        case SegmentTyped():
            seg = segments[event.segment_id]
            versions = tuple(replace(v, typed=True) if v.version == event.version else v for v in seg.versions)
            return {**segments, event.segment_id: replace(seg, versions=versions)}
    return segments
