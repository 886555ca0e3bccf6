"""Frames and the threaded source base every capture path shares.

The capture thread blocks on the bounded queue when the consumer is slow
(back-pressure) instead of dropping; only a device overflow loses audio,
and each loss is counted. Timestamps follow the source's sample clock,
anchored once to the wall clock and re-anchored after a loss, so frames
abut exactly and a gap in time always means a gap in audio.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, replace
from types import TracebackType
from typing import Final

import numpy as np
import numpy.typing as npt

from recorder.errors import CaptureError

__all__ = ["SAMPLE_BYTES", "AudioFrame", "AudioSource", "CaptureStats"]

log = logging.getLogger("hemicycle.recorder.capture")

SAMPLE_BYTES: Final = 2  # int16
_END: Final = object()  # queue sentinel: the source has no more frames


@dataclass(frozen=True, slots=True)
class AudioFrame:
    """Interleaved little-endian int16 PCM and the wall time of its first sample."""

    pcm: bytes
    sample_rate: int
    channels: int
    wall_time: float

    @property
    def samples(self) -> int:
        """Samples per channel."""
        return len(self.pcm) // (SAMPLE_BYTES * self.channels)

    @property
    def duration(self) -> float:
        return self.samples / self.sample_rate

    @property
    def end_time(self) -> float:
        """Wall time just after the last sample."""
        return self.wall_time + self.duration

    def to_array(self) -> npt.NDArray[np.int16]:
        """The samples as a ``(samples, channels)`` array (a view, read-only)."""
        return np.frombuffer(self.pcm, dtype="<i2").reshape(-1, self.channels)


@dataclass(frozen=True, slots=True)
class CaptureStats:
    """Counters of a source; ``dropped_frames`` must stay 0 in a healthy hall."""

    frames: int = 0
    samples: int = 0
    dropped_frames: int = 0
    overflows: int = 0
    backpressure_waits: int = 0

class AudioSource(ABC):
    """Capture on a dedicated thread; the consumer iterates :meth:`frames`.

    Subclasses implement ``_open`` (on the caller's thread, so a bad device
    fails ``start()`` itself), ``_read`` and ``_close`` (on the capture thread).
    """

    def __init__(
        self,
        sample_rate: int,
        channels: int,
        *,
        frame_ms: float = 20.0,
        queue_frames: int = 500,
        start_wall: float | None = None,
    ) -> None:
        if sample_rate <= 0 or channels <= 0:
            raise ValueError("sample_rate and channels must be positive")
        if not 5.0 <= frame_ms <= 200.0:
            raise ValueError("frame_ms must be within 5..200 ms")
        self.sample_rate = sample_rate
        self.channels = channels
        self.frame_samples = max(1, round(sample_rate * frame_ms / 1000.0))
        self._queue: queue.Queue[object] = queue.Queue(maxsize=queue_frames)
        self._fixed_origin = start_wall
        self._anchor: float | None = start_wall
        self._anchor_sample = 0
        self._position = 0  # samples delivered since start
        self._stats = CaptureStats()
        self._stats_lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    # -- subclass hooks -----------------------------------------------------

    @abstractmethod
    def _open(self) -> None:
        """Acquire the device or file; raise a :class:`CaptureError` if impossible."""

    @abstractmethod
    def _read(self) -> bytes | None:
        """Up to ``frame_samples`` samples; ``b""`` after a loss; None at the end."""

    @abstractmethod
    def _close(self) -> None:
        """Release what ``_open`` acquired."""

    # -- public -------------------------------------------------------------

    @property
    def stats(self) -> CaptureStats:
        with self._stats_lock:
            return self._stats

    @property
    def start_wall(self) -> float | None:
        """Wall time of the first sample once known."""
        if self._anchor is None:
            return None
        return self._anchor - self._anchor_sample / self.sample_rate

    def start(self) -> None:
        """Open the device and start the capture thread."""
        if self._thread is not None:
            raise CaptureError(f"can't start {type(self).__name__}: already started")
        self._open()
        self._thread = threading.Thread(
            target=self._run, name=f"capture-{type(self).__name__}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop capturing and join the thread; safe to call more than once."""
        self._stopping.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def frames(self, timeout: float | None = None) -> Iterator[AudioFrame]:
        """Frames in order until the source ends or is stopped.

        Raises the capture thread's error, if it failed, after the frames it
        delivered; raises :class:`CaptureError` if no frame comes in ``timeout``.
        """
        while True:
            try:
                item = self._queue.get(timeout=timeout)
            except queue.Empty:
                raise CaptureError(f"no audio frame for {timeout} s") from None
            if item is _END:
                if isinstance(self._error, CaptureError):
                    raise self._error
                if self._error is not None:
                    raise CaptureError(f"capture failed: {self._error}") from self._error
                return
            assert isinstance(item, AudioFrame)
            yield item

    def __enter__(self) -> AudioSource:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- capture thread -----------------------------------------------------

    def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                pcm = self._read()
                if pcm is None:
                    break
                if not pcm:
                    self._lost()
                    continue
                frame = AudioFrame(pcm, self.sample_rate, self.channels, self._stamp(len(pcm)))
                if not self._put(frame):
                    break
        except Exception as exc:  # surfaced to the consumer by frames()
            log.exception("capture thread failed")
            self._error = exc
        finally:
            try:
                self._close()
            except Exception:
                log.exception("closing the audio source failed")
            self._put_end()

    def _stamp(self, nbytes: int) -> float:
        """Wall time of the first sample of the next ``nbytes`` of PCM."""
        n = nbytes // (SAMPLE_BYTES * self.channels)
        if self._anchor is None:
            # The read just returned, so its first sample was taken ~n samples ago.
            self._anchor = time.time() - n / self.sample_rate
            self._anchor_sample = self._position
        wall = self._anchor + (self._position - self._anchor_sample) / self.sample_rate
        self._position += n
        return wall

    def _lost(self) -> None:
        """Count a lost frame and re-anchor the clock: the next frame starts a new run."""
        with self._stats_lock:
            s = self._stats
            self._stats = replace(s, dropped_frames=s.dropped_frames + 1, overflows=s.overflows + 1)
        if self._fixed_origin is None:
            self._anchor = None
        else:
            self._position += self.frame_samples

    def _put(self, frame: AudioFrame) -> bool:
        """Queue a frame, waiting (never dropping) while the consumer catches up."""
        try:
            self._queue.put_nowait(frame)
        except queue.Full:
            with self._stats_lock:
                s = self._stats
                self._stats = replace(s, backpressure_waits=s.backpressure_waits + 1)
            while True:
                if self._stopping.is_set():
                    return False
                try:
                    self._queue.put(frame, timeout=0.1)
                    break
                except queue.Full:
                    continue
        with self._stats_lock:
            s = self._stats
            self._stats = replace(s, frames=s.frames + 1, samples=s.samples + frame.samples)
        return True

    def _put_end(self) -> None:
        """Queue the end marker behind every frame; drop frames only for a gone consumer."""
        idle_since = time.monotonic()
        size = self._queue.qsize()
        while True:
            try:
                self._queue.put(_END, timeout=0.1)
                return
            except queue.Full:
                pass
            now = time.monotonic()
            if self._queue.qsize() < size:  # the consumer is still draining
                idle_since, size = now, self._queue.qsize()
            elif self._stopping.is_set() and now - idle_since > 1.0:
                try:  # stopped and nobody draining: make room
                    self._queue.get_nowait()
                except queue.Empty:
                    pass


