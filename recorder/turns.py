"""Speaker turns from floor events, and audio conversion for the recognisers.

Pure functions: no clocks, no threads, no I/O. Floor control says who speaks
from when to when; a turn's audio window adds a small guard margin on each
side because microphones open a little late and people trail off. Margins
never reach into another turn's own speech: between two turns the silence is
split at its midpoint, so adjacent windows touch but do not overlap. Turns
that truly overlap (an interruption, two open microphones) keep their
overlap — both speakers are in that audio.

Recognisers want 16 kHz mono int16; :class:`StreamResampler` converts a
stream chunk by chunk with a windowed-sinc (band-limited) interpolator whose
output is identical however the input is chunked.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from recorder.errors import TurnError

__all__ = [
    "DEFAULT_GUARD",
    "STT_RATE",
    "StreamResampler",
    "Turn",
    "TurnEnded",
    "TurnStarted",
    "TurnWindow",
    "to_mono_16k",
    "turn_windows",
    "turns_from_events",
]

DEFAULT_GUARD = 0.3  # seconds each side of a turn
STT_RATE = 16000


# -- turns --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TurnStarted:
    """The floor was given: ``member_id`` speaks on ``item_id`` from ``at``."""

    turn_id: str
    member_id: str
    item_id: str | None
    at: float


@dataclass(frozen=True, slots=True)
class TurnEnded:
    """The microphone of ``turn_id`` closed at ``at``."""

    turn_id: str
    at: float


@dataclass(frozen=True, slots=True)
class Turn:
    """One speech: wall-clock start and end (None while the member still speaks)."""

    turn_id: str
    member_id: str
    item_id: str | None
    start: float
    end: float | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise TurnError(self.turn_id, f"can't end at {self.end} before its start {self.start}")


@dataclass(frozen=True, slots=True)
class TurnWindow:
    """The audio a turn's transcript is made from: ``[start, end)``, end None if open."""

    turn: Turn
    start: float
    end: float | None

    def contains(self, t: float) -> bool:
        return self.start <= t and (self.end is None or t < self.end)


def turns_from_events(events: Iterable[TurnStarted | TurnEnded]) -> list[Turn]:
    """Fold floor events into turns, in order of start.

    Re-delivered events are harmless (the same start or end again changes
    nothing); contradictions raise :class:`TurnError`.
    """
    turns: dict[str, Turn] = {}
    for event in events:
        current = turns.get(event.turn_id)
        if isinstance(event, TurnStarted):
            if current is None:
                turns[event.turn_id] = Turn(event.turn_id, event.member_id, event.item_id, event.at)
            elif (current.member_id, current.item_id, current.start) != (
                event.member_id,
                event.item_id,
                event.at,
            ):
                raise TurnError(event.turn_id, "can't start again: already started differently")
        else:
            if current is None:
                raise TurnError(event.turn_id, "can't end a turn that never started")
            if current.end is None:
                turns[event.turn_id] = Turn(
                    current.turn_id, current.member_id, current.item_id, current.start, event.at
                )
            elif current.end != event.at:
                raise TurnError(event.turn_id, f"can't end at {event.at}: ended at {current.end}")
    return sorted(turns.values(), key=lambda t: (t.start, t.turn_id))


def turn_windows(turns: Sequence[Turn], guard: float = DEFAULT_GUARD) -> list[TurnWindow]:
    """Each turn's audio window: its speech plus ``guard`` seconds, clipped by neighbours.

    A margin stops at the midpoint of the silence to the nearest turn that
    ends before this one starts (or starts after it ends). Quadratic in the
    number of turns, which is fine for the handful a live pipeline holds.
    """
    if guard < 0:
        raise ValueError("guard must be >= 0")
    windows = []
    for turn in sorted(turns, key=lambda t: (t.start, t.turn_id)):
        lo = turn.start - guard
        hi = None if turn.end is None else turn.end + guard
        for other in turns:
            if other.turn_id == turn.turn_id:
                continue
            if other.end is not None and other.end <= turn.start:
                lo = max(lo, (other.end + turn.start) / 2)
            if hi is not None and turn.end is not None and other.start >= turn.end:
                hi = min(hi, (turn.end + other.start) / 2)
        windows.append(TurnWindow(turn, lo, hi))
    return windows


# -- resampling ---------------------------------------------------------------


def _as_samples(pcm: bytes | npt.NDArray[np.int16], channels: int) -> npt.NDArray[np.int16]:
    if isinstance(pcm, bytes | bytearray | memoryview):
        return np.frombuffer(pcm, dtype="<i2").reshape(-1, channels)
    arr = np.asarray(pcm, dtype=np.int16)
    return arr.reshape(-1, channels)


class StreamResampler:
    """Interleaved int16 at any rate and channel count -> mono int16 at ``out_rate``.

    Output sample ``j`` is the input signal evaluated at input position
    ``j * in_rate / out_rate`` (kept as exact integers, so hours of audio do
    not drift) through a Kaiser-windowed sinc low-pass at 0.92 x the lower
    Nyquist frequency. Channels are averaged first. Output lags input by the
    filter's half-width (about a millisecond); :meth:`flush` drains it.
    """

    ZERO_CROSSINGS = 16
    ROLLOFF = 0.92
    KAISER_BETA = 8.6

    def __init__(self, in_rate: int, channels: int = 1, out_rate: int = STT_RATE) -> None:
        if in_rate <= 0 or out_rate <= 0 or channels <= 0:
            raise ValueError("rates and channels must be positive")
        self.in_rate = in_rate
        self.out_rate = out_rate
        self.channels = channels
        g = math.gcd(in_rate, out_rate)
        self._up = out_rate // g  # this many output samples ...
        self._down = in_rate // g  # ... span this many input samples
        self._passthrough = in_rate == out_rate
        cutoff = min(1.0, out_rate / in_rate) * self.ROLLOFF
        self._half = math.ceil(self.ZERO_CROSSINGS / cutoff)
        taps = np.arange(-self._half, self._half + 1, dtype=np.float64)
        phases = np.arange(self._up, dtype=np.float64)[:, None] / self._up
        x = phases - taps[None, :]  # distance from output position to each tap
        window = np.kaiser(2 * self._half + 3, self.KAISER_BETA)
        w = np.interp(x, np.arange(-self._half - 1, self._half + 2), window)
        table = cutoff * np.sinc(cutoff * x) * w
        self._table = (table / table.sum(axis=1, keepdims=True)).astype(np.float32)
        self._offsets = np.arange(-self._half, self._half + 1)
        # Input history: _buf[i] is input sample (_base + i); starts with zero padding.
        self._buf = np.zeros(self._half, dtype=np.float32)
        self._base = -self._half
        self._received = 0  # input samples so far
        self._emitted = 0  # output samples so far
        self._flushed = False

    @property
    def emitted(self) -> int:
        """Output samples produced so far."""
        return self._emitted

    def process(self, pcm: bytes | npt.NDArray[np.int16]) -> npt.NDArray[np.int16]:
        """Convert the next chunk; returns whatever output is now complete."""
        if self._flushed:
            raise ValueError("can't process after flush()")
        samples = _as_samples(pcm, self.channels)
        mono = samples.mean(axis=1, dtype=np.float32) if self.channels > 1 else samples[:, 0]
        if self._passthrough:
            self._received += len(mono)
            self._emitted += len(mono)
            return np.round(mono).astype(np.int16) if self.channels > 1 else mono.copy()
        self._buf = np.concatenate([self._buf, mono.astype(np.float32)])
        self._received += len(mono)
        return self._produce(final=False)

    def flush(self) -> npt.NDArray[np.int16]:
        """The remaining output, treating the signal as silent after the last input."""
        if self._flushed:
            raise ValueError("can't flush twice")
        self._flushed = True
        if self._passthrough:
            return np.zeros(0, dtype=np.int16)
        self._buf = np.concatenate([self._buf, np.zeros(self._half + 1, dtype=np.float32)])
        return self._produce(final=True)

    def _produce(self, *, final: bool) -> npt.NDArray[np.int16]:
        available = self._base + len(self._buf)  # one past the last buffered input index
        if final:
            # Every output whose position lies within the input received.
            stop = -(-self._received * self._up // self._down)
        else:
            # Output j needs input up to floor(j*down/up) + half.
            stop = max(-(-(available - self._half) * self._up // self._down), self._emitted)
        j = np.arange(self._emitted, stop, dtype=np.int64)
        if len(j) == 0:
            return np.zeros(0, dtype=np.int16)
        pos = j * self._down
        q = pos // self._up - self._base
        phase = pos % self._up
        out = np.empty(len(j), dtype=np.float32)
        block = 8192
        for s in range(0, len(j), block):
            idx = q[s : s + block, None] + self._offsets[None, :]
            out[s : s + block] = np.einsum(
                "ij,ij->i", self._buf[idx], self._table[phase[s : s + block]]
            )
        self._emitted = int(stop)
        keep_from = (self._emitted * self._down // self._up) - self._half - self._base
        if keep_from > 0:
            self._buf = self._buf[keep_from:]
            self._base += keep_from
        return np.clip(np.round(out), -32768, 32767).astype(np.int16)


def to_mono_16k(
    pcm: bytes | npt.NDArray[np.int16], sample_rate: int, channels: int = 1
) -> npt.NDArray[np.int16]:
    """Whole-buffer conversion to 16 kHz mono int16 (what every recogniser takes)."""
    resampler = StreamResampler(sample_rate, channels)
    head = resampler.process(pcm)
    return np.concatenate([head, resampler.flush()])
