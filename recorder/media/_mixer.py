"""The floor gate and the floor mix, one 20 ms tick at a time (48 kHz mono int16).

Each remote member's decoded audio is pushed in (any length) from the event
loop; the hall feed's clock calls :meth:`FloorMixer.tick` with 960 samples of
the hall feed from the mixing thread. A member's audio is kept only while
floor control has given that member the floor (:meth:`FloorMixer.set_floor`);
before the grant and after the stop it is dropped on arrival, and what was
buffered is discarded when the floor is taken away. Every tick yields::

    floor        hall + every remote member holding the floor   -> archive, speech-to-text
    loudspeaker  every remote member holding the floor           -> the hall's loudspeakers
    members[d]   floor minus device d's own voice (mix-minus)    -> what device d hears

Pure numpy, guarded by one lock; no I/O.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Final

import numpy as np
import numpy.typing as npt

__all__ = ["FRAME_SAMPLES", "RATE", "FloorMixer", "InboundStats", "Mix"]

log = logging.getLogger("hemicycle.media.mixer")

RATE: Final = 48_000
FRAME_SAMPLES: Final = 960  # 20 ms at 48 kHz
Pcm = npt.NDArray[np.int16]


@dataclass(frozen=True, slots=True)
class InboundStats:
    """One remote device's audio so far, in 48 kHz samples.

    ``gated`` were dropped because the member did not hold the floor;
    ``overflow`` were dropped because the network delivered faster than the
    hall clock took them (the buffer keeps at most ``max_buffer`` samples);
    ``underruns`` are ticks on the floor that found less than a frame.
    """

    member_id: str
    received: int = 0
    gated: int = 0
    passed: int = 0
    overflow: int = 0
    underruns: int = 0


@dataclass(frozen=True, slots=True)
class Mix:
    """One tick's output, each 960 samples of int16."""

    floor: Pcm
    loudspeaker: Pcm
    members: dict[str, Pcm]  # device id -> its mix-minus


class _Inbound:
    def __init__(self, member_id: str) -> None:
        self.member_id = member_id
        self.buffer: Pcm = np.zeros(0, dtype=np.int16)
        self.stats = InboundStats(member_id)

    def count(self, **delta: int) -> None:
        s = self.stats
        self.stats = replace(s, **{k: getattr(s, k) + v for k, v in delta.items()})


def _clip(x: npt.NDArray[np.int32]) -> Pcm:
    return np.clip(x, -32768, 32767).astype(np.int16)


class FloorMixer:
    """Gate and mix remote members' audio against the hall feed; thread-safe.

    ``max_buffer`` (samples, default 200 ms) bounds how far a member's audio
    may run ahead of the hall clock: older samples are dropped first.
    """

    def __init__(self, max_buffer: int = 10 * FRAME_SAMPLES) -> None:
        if max_buffer < FRAME_SAMPLES:
            raise ValueError(f"max_buffer must hold at least one frame ({FRAME_SAMPLES} samples)")
        self.max_buffer = max_buffer
        self._lock = threading.Lock()
        self._inbound: dict[str, _Inbound] = {}  # device id -> its audio
        self._floor: frozenset[str] = frozenset()  # member ids holding the floor
        self.ticks = 0

    def add(self, device_id: str, member_id: str) -> None:
        """A remote device joined for ``member_id``; a device joining again starts afresh."""
        with self._lock:
            self._inbound[device_id] = _Inbound(member_id)

    def remove(self, device_id: str) -> None:
        with self._lock:
            self._inbound.pop(device_id, None)

    def set_floor(self, members: Iterable[str]) -> None:
        """The members who hold the floor now; anyone buffered who lost it is discarded."""
        floor = frozenset(members)
        with self._lock:
            if floor == self._floor:
                return
            log.info("floor gate %s -> %s", sorted(self._floor), sorted(floor))
            self._floor = floor
            for inbound in self._inbound.values():
                if inbound.member_id not in floor:
                    inbound.buffer = inbound.buffer[:0]

    @property
    def floor(self) -> frozenset[str]:
        return self._floor

    def push(self, device_id: str, pcm: Pcm) -> bool:
        """Decoded audio from a device (48 kHz mono int16); False if the gate dropped it."""
        with self._lock:
            inbound = self._inbound.get(device_id)
            if inbound is None:
                return False
            n = len(pcm)
            if inbound.member_id not in self._floor:
                inbound.count(received=n, gated=n)
                return False
            buffer = np.concatenate((inbound.buffer, pcm))
            over = max(0, len(buffer) - self.max_buffer)
            inbound.buffer = buffer[over:]
            inbound.count(received=n, overflow=over)
            return True

    def tick(self, hall: Pcm) -> Mix:
        """Mix one frame: ``hall`` is 960 samples of the hall feed."""
        if hall.shape != (FRAME_SAMPLES,):
            raise ValueError(f"a tick takes {FRAME_SAMPLES} mono samples, got shape {hall.shape}")
        with self._lock:
            own: dict[str, npt.NDArray[np.int32]] = {}
            remote = np.zeros(FRAME_SAMPLES, dtype=np.int32)
            for device_id, inbound in self._inbound.items():
                if inbound.member_id not in self._floor:
                    continue
                take = inbound.buffer[:FRAME_SAMPLES].astype(np.int32)
                inbound.buffer = inbound.buffer[FRAME_SAMPLES:]
                if len(take) < FRAME_SAMPLES:
                    inbound.count(underruns=1)
                    take = np.pad(take, (0, FRAME_SAMPLES - len(take)))
                inbound.count(passed=FRAME_SAMPLES)
                own[device_id] = take
                remote += take
            floor = remote + hall.astype(np.int32)
            members = {
                device_id: _clip(floor - own[device_id]) if device_id in own else _clip(floor)
                for device_id in self._inbound
            }
            self.ticks += 1
        return Mix(floor=_clip(floor), loudspeaker=_clip(remote), members=members)

    def stats(self) -> dict[str, InboundStats]:
        """Per device id."""
        with self._lock:
            return {device_id: inbound.stats for device_id, inbound in self._inbound.items()}
