"""Where the floor's remote voices go in the hall: a loudspeaker output, or a file.

A sink takes the mixer's ``loudspeaker`` frames (48 kHz mono int16, 20 ms
each, one per tick of the hall clock, silence included) from the mixing
thread. It must never block that thread for long: the PortAudio sink hands
frames to its own writer thread and drops (and counts) what the device
cannot take.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import wave
from pathlib import Path
from typing import Any, Protocol

from recorder.errors import CaptureError
from recorder.media._mixer import FRAME_SAMPLES, RATE

__all__ = ["FloorSink", "PortAudioSink", "WavSink"]

log = logging.getLogger("hemicycle.media.sink")


class FloorSink(Protocol):
    """The hall loudspeakers' feed."""

    def write(self, pcm: bytes) -> None:
        """One frame of 48 kHz mono int16 PCM."""

    def close(self) -> None:
        """Flush and release; idempotent."""


class WavSink:
    """The loudspeaker feed as a 48 kHz mono WAV file, for tests and for the operator's check.

    ``started`` is the wall time of its first sample (sample ``i`` was played
    at ``started + i / 48000``).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._wav: wave.Wave_write | None = wave.open(str(self.path), "wb")
        self._wav.setnchannels(1)
        self._wav.setsampwidth(2)
        self._wav.setframerate(RATE)
        self._lock = threading.Lock()
        self.started: float | None = None

    def write(self, pcm: bytes) -> None:
        with self._lock:
            if self._wav is None:
                return
            if self.started is None:
                self.started = time.time() - len(pcm) / 2 / RATE
            self._wav.writeframes(pcm)

    def close(self) -> None:
        with self._lock:
            if self._wav is not None:
                self._wav.close()
                self._wav = None


class PortAudioSink:
    """A PortAudio output device (by index or part of its name) playing the loudspeaker feed.

    Raises :class:`~recorder.errors.CaptureError` at construction if the
    device does not exist or will not open at 48 kHz mono. ``dropped`` counts
    frames the device could not take in time (at most ``queue_frames`` wait).
    """

    def __init__(self, device: str | int, queue_frames: int = 25) -> None:
        import pyaudio  # type: ignore[import-untyped]

        from recorder.capture import quiet_audio_libraries

        quiet_audio_libraries()
        self._pa: Any = pyaudio.PyAudio()
        try:
            index = self._find(device)
            self._stream: Any = self._pa.open(format=pyaudio.paInt16, channels=1, rate=RATE, output=True,
                                              output_device_index=index, frames_per_buffer=FRAME_SAMPLES)
        except (OSError, ValueError) as exc:
            self._pa.terminate()
            raise CaptureError(f"can't open output device {device!r}: {exc}") from exc
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=queue_frames)
        self.dropped = 0
        self._thread = threading.Thread(target=self._play, name="media-loudspeaker", daemon=True)
        self._thread.start()

    def _find(self, device: str | int) -> int:
        for index in range(self._pa.get_device_count()):
            info = self._pa.get_device_info_by_index(index)
            if int(info["maxOutputChannels"]) <= 0:
                continue
            if device == index or (isinstance(device, str) and device in str(info["name"])):
                return index
        raise ValueError("no such output device")

    def write(self, pcm: bytes) -> None:
        try:
            self._queue.put_nowait(pcm)
        except queue.Full:
            self.dropped += 1

    def _play(self) -> None:
        while (pcm := self._queue.get()) is not None:
            try:
                self._stream.write(pcm)
            except OSError:
                log.exception("loudspeaker output failed; frame dropped")
                self.dropped += 1

    def close(self) -> None:
        if not self._thread.is_alive():
            return
        self._queue.put(None)
        self._thread.join(5)
        self._stream.close()
        self._pa.terminate()
