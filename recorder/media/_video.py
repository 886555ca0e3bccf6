"""The speaking remote member's video, archived per turn (VP8 in WebM, through PyAV).

While a remote member holds the floor, every decoded frame of their camera
goes to a :class:`TurnVideo`, which encodes on its own thread (never on the
event loop that carries the audio) into ``<archive>/<sitting>/video/<turn>.webm``,
stamped in milliseconds of wall time since the turn's first frame, so the
clerk's review can play a turn's video beside its text. Frames the encoder
cannot keep up with are dropped and counted, never queued without bound.
"""

from __future__ import annotations

import fractions
import logging
import queue
import threading
import time
from pathlib import Path
from typing import Final

import av

__all__ = ["TurnVideo"]

log = logging.getLogger("hemicycle.media.video")

_MS: Final = fractions.Fraction(1, 1000)


class TurnVideo:
    """One turn's video file; :meth:`offer` from the event loop, :meth:`close` when the turn ends.

    ``fps`` is the nominal rate given to the encoder (the real frames keep
    their own times). Raises nothing on the loop: an encoding failure is
    logged and the rest of the turn's frames are dropped.
    """

    def __init__(self, path: Path, *, fps: int = 15, queue_frames: int = 30) -> None:
        self.path = path
        self.fps = fps
        self.frames = 0
        self.dropped = 0
        self._queue: queue.Queue[tuple[float, av.VideoFrame] | None] = queue.Queue(maxsize=queue_frames)
        self._thread = threading.Thread(target=self._run, name=f"media-video-{path.stem}", daemon=True)
        self._thread.start()

    def offer(self, frame: av.VideoFrame) -> None:
        try:
            self._queue.put_nowait((time.time(), frame))
        except queue.Full:
            self.dropped += 1

    def close(self) -> None:
        """End the file after the frames already offered; returns at once (see :meth:`join`)."""
        self._queue.put(None)

    def join(self, timeout: float = 10.0) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        container = av.open(str(self.path), mode="w", format="webm")
        stream = None
        first: float | None = None
        last_ms = -1
        try:
            while (item := self._queue.get()) is not None:
                wall, frame = item
                if stream is None:
                    stream = container.add_stream("libvpx", rate=self.fps)
                    stream.width, stream.height = frame.width - frame.width % 2, frame.height - frame.height % 2
                    stream.pix_fmt = "yuv420p"
                    stream.codec_context.time_base = _MS
                    first = wall
                assert first is not None
                image = frame.reformat(width=stream.width, height=stream.height, format="yuv420p")
                image.pts = max(last_ms + 1, round((wall - first) * 1000))
                image.time_base = _MS
                last_ms = image.pts
                for packet in stream.encode(image):
                    container.mux(packet)
                self.frames += 1
            if stream is not None:
                for packet in stream.encode(None):
                    container.mux(packet)
        except (av.FFmpegError, ValueError):
            log.exception("video of %s failed; the rest of the turn is not recorded", self.path.stem)
            while self._queue.get() is not None:
                self.dropped += 1
        finally:
            container.close()
