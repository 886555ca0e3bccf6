"""The floor as an audio source: what the mixer hears becomes the recorder's input.

The recorder's pipeline (archive, turns, speech-to-text) reads any
:class:`~recorder.capture.AudioSource`; :class:`FloorFeed` is one whose frames
are the floor mix (hall feed plus the remote members holding the floor),
pushed by the media endpoint's mixing thread, 48 kHz mono, 20 ms a frame.
"""

from __future__ import annotations

import queue
import threading
from typing import Final

from recorder.capture import AudioSource
from recorder.media._mixer import FRAME_SAMPLES, RATE

__all__ = ["FloorFeed"]

_END: Final = b"end"  # never a frame: frames are 1,920 bytes


class FloorFeed(AudioSource):
    """Frames pushed with :meth:`put` (any thread), read by the recorder's pipeline.

    If the pipeline falls ``inbox_frames`` behind, new frames are dropped and
    the next read reports the loss (the source's ``dropped_frames`` counts it,
    and the archive shows a gap), rather than stalling the members' mixes.
    """

    def __init__(self, inbox_frames: int = 250) -> None:
        super().__init__(RATE, 1, frame_ms=1000 * FRAME_SAMPLES / RATE)
        self._inbox: queue.Queue[bytes] = queue.Queue(maxsize=inbox_frames)
        self._missed = threading.Event()
        self.dropped = 0

    def put(self, pcm: bytes) -> bool:
        """Queue one frame of int16 PCM; False if the pipeline is too far behind to take it."""
        try:
            self._inbox.put_nowait(pcm)
            return True
        except queue.Full:
            self.dropped += 1
            self._missed.set()
            return False

    def end(self) -> None:
        """No more frames: the source ends after those queued."""
        while not self._stopping.is_set():
            try:
                self._inbox.put(_END, timeout=0.1)
                return
            except queue.Full:
                continue

    def _open(self) -> None:
        """Nothing to acquire: frames come from the mixer."""

    def _read(self) -> bytes | None:
        while not self._stopping.is_set():
            if self._missed.is_set():
                self._missed.clear()
                return b""
            try:
                pcm = self._inbox.get(timeout=0.1)
            except queue.Empty:
                continue
            return None if pcm is _END else pcm
        return None

    def _close(self) -> None:
        """Nothing to release."""
