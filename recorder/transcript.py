"""A turn's machine transcript as the record takes it: integers, bounded commands, stable ids.

The pipeline gives a turn's :class:`~recorder.stt.Segment` in wall-clock
seconds with confidences in [0, 1]; the record wants epoch milliseconds and
thousandths (floats never enter the hash chain), and the hall server refuses
a command over 16 KiB, so a long speech becomes several
``transcript.add_segment`` commands, cut between words.

Ids depend only on the sitting, the turn and the part's position, never on
the clock or a counter: a recorder that restarts and transcribes a turn
again sends the same segment and command ids, so the server replays its
first answer or refuses the duplicate (``already_exists``), and nothing is
stored twice.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from protocol.commands import AddSegment, FlagTurn
from protocol.commands import Word as WireWord
from recorder.stt import Segment, Word

__all__ = [
    "SegmentCommand",
    "TurnRef",
    "command_id",
    "flag_command",
    "model_label",
    "segment_commands",
    "segment_id",
    "to_ms",
]

# The server refuses commands over 16,384 bytes of JSON; leave room for the envelope.
COMMAND_BUDGET: Final = 12_000
_MAX_WORD: Final = 200  # protocol limit on one word's text


@dataclass(frozen=True, slots=True)
class TurnRef:
    """Who spoke, on what: the attribution every segment of a turn carries."""

    stream: str
    turn_id: str
    member_id: str
    item_id: str | None


@dataclass(frozen=True, slots=True)
class SegmentCommand:
    """One command to send, with the id that makes re-sending it harmless."""

    command_id: str
    command: AddSegment


def to_ms(seconds: float) -> int:
    """Wall-clock seconds -> integer epoch milliseconds (rounded, not truncated)."""
    return round(seconds * 1000)


def segment_id(turn_id: str, part: int) -> str:
    """The id of part ``part`` of a turn's transcript: ``t4.0``, ``t4.1``, ..."""
    return f"{turn_id}.{part}"


def command_id(stream: str, seg_id: str) -> str:
    """A command id fixed by the sitting and segment (the protocol allows 8-64 of [A-Za-z0-9_-])."""
    digest = hashlib.sha256(f"{stream}|{seg_id}".encode()).hexdigest()
    return f"rec-{digest[:40]}"


def model_label(path: Path) -> str:
    """A model's name for the record: its directory, or the package holding a ``model`` dir."""
    name = path.name
    if name == "model" and path.parent.name:
        name = path.parent.name
    return (name or str(path))[:200] or "unknown"


def _wire_word(word: Word) -> WireWord:
    start = to_ms(word.start)
    return WireWord(
        w=word.text[:_MAX_WORD],
        start_ms=start,
        end_ms=max(start, to_ms(word.end)),
        conf=min(1000, max(0, round(word.conf * 1000))),
    )


def _size(cmd: AddSegment) -> int:
    return len(json.dumps(cmd.model_dump(mode="json"), ensure_ascii=False).encode())


def segment_commands(
    turn: TurnRef, segment: Segment, engine: str, model: str, *, budget: int = COMMAND_BUDGET
) -> list[SegmentCommand]:
    """The commands that store ``segment`` as the machine transcript of ``turn``.

    One command when it fits in ``budget`` bytes (the usual case: a few
    minutes of speech); otherwise consecutive parts of whole words. A turn
    where nothing was recognised still gets one empty segment, so the record
    shows the recorder heard it.
    """
    words = [_wire_word(w) for w in segment.words]
    start, end = to_ms(segment.start), to_ms(segment.end)

    def make(part: int, text: str, chunk: list[WireWord], lo: int, hi: int) -> AddSegment:
        return AddSegment(
            segment_id=segment_id(turn.turn_id, part),
            turn_id=turn.turn_id,
            member_id=turn.member_id,
            item_id=turn.item_id,
            start_ms=lo,
            end_ms=max(lo, hi),
            text=text,
            words=chunk,
            engine=engine,
            model=model,
        )

    whole = make(0, segment.text[:10_000], words, start, end)
    if _size(whole) <= budget and len(segment.text) <= 10_000:
        return [SegmentCommand(command_id(turn.stream, whole.segment_id), whole)]

    # Too long for one command: greedy parts of whole words, each under the budget.
    parts: list[list[WireWord]] = [[]]
    used = _size(make(0, "", [], start, end))
    for word in words:
        cost = len(json.dumps(word.model_dump(mode="json"), ensure_ascii=False).encode())
        cost += len(word.w.encode()) + 2  # the word again in the text, a space, a comma
        if parts[-1] and used + cost > budget:
            parts.append([])
            used = _size(make(0, "", [], start, end))
        parts[-1].append(word)
        used += cost
    out = []
    for i, chunk in enumerate(parts):
        lo = start if i == 0 else chunk[0].start_ms
        hi = end if i == len(parts) - 1 else chunk[-1].end_ms
        cmd = make(i, " ".join(w.w for w in chunk), chunk, lo, hi)
        out.append(SegmentCommand(command_id(turn.stream, cmd.segment_id), cmd))
    return out


def flag_command(turn: TurnRef, segment: Segment) -> tuple[str, FlagTurn] | None:
    """The command that flags ``turn`` for a clerk to type, if the machine wrote nothing.

    ``language_not_covered`` when no model writes the turn's language,
    ``no_speech_heard`` when the turn has no words at all. Sent after the
    turn's (empty) segment; its id, like a segment's, depends only on the
    sitting and turn. The language is named only if it is a plain ISO 639
    code (what Whisper names).
    """
    if segment.covered and (segment.text or segment.words):
        return None
    language = segment.language if segment.language and re.fullmatch(r"[a-z]{2,3}", segment.language) else None
    reason: Literal["language_not_covered", "no_speech_heard"] = (
        "no_speech_heard" if segment.covered else "language_not_covered"
    )
    return (
        command_id(turn.stream, f"{turn.turn_id}.flag"),
        FlagTurn(turn_id=turn.turn_id, language=language, reason=reason),
    )
