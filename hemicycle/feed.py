"""The demo's hall feed: the simulated sitting's speeches as audio, one file, made once.

English speeches are spoken by espeak-ng (140 words a minute, the pace
Whisper tiny.en follows best on its voice); Khmer ones, which no installed
voice speaks, are stood in for by a quiet 220 Hz tone, as an unintelligible
feed would carry them: the recorder hears no speech there and flags the turn
for the clerk to type. Speeches are separated by silence; the file is 48 kHz
mono, like a hall mixer's output, and cached in the demo's data folder under
a hash of its script.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from tqdm import tqdm

__all__ = ["Feed", "FeedTurn", "build_feed", "is_khmer", "word_error_rate"]

RATE: Final = 48000
GAP: Final = 2.0  # seconds of silence before, between and after speeches
TONE_S: Final = 3.0  # length of the stand-in for a Khmer speech
_VERSION: Final = 1  # bump when the way the feed is made changes


def is_khmer(text: str) -> bool:
    """Whether ``text`` is Khmer (any character of the Khmer block, U+1780-U+17FF)."""
    return any("\u1780" <= ch <= "\u17ff" for ch in text)


@dataclass(frozen=True, slots=True)
class FeedTurn:
    """One speech of the script and where it is in the feed (seconds from its first sample)."""

    text: str
    start: float
    end: float

    @property
    def spoken(self) -> bool:
        """True for a speech espeak-ng spoke (English), False for a stand-in tone (Khmer)."""
        return not is_khmer(self.text)


@dataclass(frozen=True, slots=True)
class Feed:
    path: Path
    turns: tuple[FeedTurn, ...]
    duration: float


def _run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True)


def _length(path: Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def build_feed(texts: list[str], folder: Path, *, progress: bool = True) -> Feed:
    """The feed for ``texts`` in ``folder`` (made with espeak-ng and sox, or taken from the cache).

    Raises ``FileNotFoundError`` if espeak-ng or sox is missing and
    ``subprocess.CalledProcessError`` if either fails.
    """
    key = hashlib.sha256(json.dumps([_VERSION, texts], ensure_ascii=False).encode()).hexdigest()[:16]
    out = folder / f"feed-{key}.wav"
    index = folder / f"feed-{key}.json"
    if out.is_file() and index.is_file():
        turns = tuple(FeedTurn(**t) for t in json.loads(index.read_text(encoding="utf-8")))
        return Feed(out, turns, _length(out))
    folder.mkdir(parents=True, exist_ok=True)
    parts: list[Path] = []
    turns_made: list[FeedTurn] = []
    gap = folder / "gap.wav"
    _run("sox", "-n", "-r", str(RATE), "-c", "1", "-b", "16", str(gap), "trim", "0", str(GAP))
    at = GAP
    parts.append(gap)
    for i, text in enumerate(tqdm(texts, desc="speaking the script", disable=not progress)):
        part = folder / f"part-{key}-{i}.wav"
        if is_khmer(text):
            _run("sox", "-n", "-r", str(RATE), "-c", "1", "-b", "16", str(part),
                 "synth", str(TONE_S), "sine", "220", "vol", "0.1", "fade", "0.2", str(TONE_S), "0.2")
        else:
            raw = folder / f"part-{key}-{i}.espeak.wav"
            _run("espeak-ng", "-v", "en", "-s", "140", "-w", str(raw), text)
            _run("sox", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(part))
            raw.unlink()
        length = _length(part)
        turns_made.append(FeedTurn(text, at, at + length))
        at += length + GAP
        parts += [part, gap]
    _run("sox", *map(str, parts), str(out))
    for part in parts:
        part.unlink(missing_ok=True)
    index.write_text(json.dumps([{"text": t.text, "start": t.start, "end": t.end} for t in turns_made],
                                ensure_ascii=False), encoding="utf-8")
    return Feed(out, tuple(turns_made), _length(out))


def _words(text: str) -> list[str]:
    cleaned = "".join(ch.lower() if ch.isalnum() or ch.isspace() else " " for ch in text)
    return cleaned.split()


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word edit distance / reference words, case and punctuation ignored (1.0 for an empty reference)."""
    ref, hyp = _words(reference), _words(hypothesis)
    if not ref:
        return 1.0
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1] / len(ref)
