"""Transcript values: words with times and confidence, grouped into segments.

Times are seconds on whatever clock the producer uses: a recogniser stream
counts from its first sample, the live pipeline shifts them to wall-clock
time, and offline transcription counts from the start of the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Segment", "Word"]


@dataclass(frozen=True, slots=True)
class Word:
    """One recognised word; ``conf`` in [0, 1] as the engine reports it."""

    text: str
    start: float
    end: float
    conf: float

    def shifted(self, dt: float) -> Word:
        return Word(self.text, self.start + dt, self.end + dt, self.conf)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end, "conf": self.conf}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Word:
        return cls(str(data["text"]), float(data["start"]), float(data["end"]), float(data["conf"]))


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of transcript: a turn, or one utterance within it.

    ``words`` is a tuple so the value stays immutable; :meth:`to_dict` gives
    a JSON-ready list (``language`` and ``covered`` only when they say
    something: identified, not covered). ``language`` is the turn's identified language (a
    Whisper code such as ``km``), None if not identified; ``covered`` is
    False when no configured model writes that language, so the turn has no
    machine text and waits for a clerk to type it.
    """

    text: str
    start: float
    end: float
    words: tuple[Word, ...] = ()
    language: str | None = None
    covered: bool = True

    def shifted(self, dt: float) -> Segment:
        """The same segment on a clock ``dt`` seconds later."""
        return Segment(
            self.text,
            self.start + dt,
            self.end + dt,
            tuple(w.shifted(dt) for w in self.words),
            self.language,
            self.covered,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "words": [w.to_dict() for w in self.words],
            **({"language": self.language} if self.language is not None else {}),
            **({} if self.covered else {"covered": False}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Segment:
        return cls(
            str(data["text"]),
            float(data["start"]),
            float(data["end"]),
            tuple(Word.from_dict(w) for w in data.get("words", ())),
            None if data.get("language") is None else str(data["language"]),
            bool(data.get("covered", True)),
        )

    @classmethod
    def merge(cls, parts: Iterable[Segment], *, start: float = 0.0, end: float = 0.0) -> Segment:
        """One segment spanning ``parts``; ``start``/``end`` are used if nothing was said.

        The language is the first one named; the whole is covered only if every part is.
        """
        parts = list(parts)
        language = next((p.language for p in parts if p.language is not None), None)
        covered = all(p.covered for p in parts)
        said = [p for p in parts if p.text or p.words]
        if not said:
            return cls("", start, end, (), language, covered)
        return cls(
            " ".join(p.text for p in said if p.text),
            min(p.start for p in said),
            max(p.end for p in said),
            tuple(w for p in said for w in p.words),
            language,
            covered,
        )
