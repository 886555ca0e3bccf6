"""The speaking remote member's camera, sent back out: to every remote member and to the hall display.

::

    the speaking member's camera --(their MemberPeer)--> SpeakerFeed.offer   (kept: the latest frame,
                                                                              scaled once, <= fps)
    SpeakerFeed --> one SpeakerTrack per call --WebRTC (VP8)--> remote members' pages, the hall display

Only the member the endpoint films (see ``MediaEndpoint._update_floor``)
feeds it; with no remote member speaking, each track sends a small black
frame twice a second, which the pages do not show.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import time

import av
import numpy as np
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

__all__ = ["SpeakerFeed", "SpeakerTrack"]

_CLOCK = 90_000  # RTP video clock (Hz)
_TIME_BASE = fractions.Fraction(1, _CLOCK)


class SpeakerFeed:
    """The latest frame of the speaking remote member (event loop only).

    ``width`` x ``height``: the size every viewer gets (scaled here once per
    frame kept, not once per viewer); at most ``fps`` frames a second are kept.
    """

    def __init__(self, *, width: int = 320, height: int = 240, fps: int = 15) -> None:
        self.width, self.height, self.fps = width, height, fps
        self.device_id: str | None = None  # whose camera it is now
        self.frame: av.VideoFrame | None = None
        self.serial = 0  # bumped on every frame kept
        self._last = 0.0
        self.changed = asyncio.Event()

    def speaker(self, device_id: str | None) -> None:
        """Whose camera to show from now on (None: nobody's)."""
        if device_id != self.device_id:
            self.device_id, self.frame = device_id, None
            self._bump()

    def offer(self, device_id: str, frame: av.VideoFrame) -> None:
        if device_id != self.device_id:
            return
        now = time.monotonic()
        if now - self._last < 1 / self.fps:
            return
        self._last = now
        self.frame = frame.reformat(width=self.width, height=self.height, format="yuv420p")
        self._bump()

    def _bump(self) -> None:
        self.serial += 1
        self.changed.set()
        self.changed = asyncio.Event()

    def latest(self, viewer: str | None = None) -> av.VideoFrame:
        """A copy of the frame to send now: each call stamps its own. Black without a speaker, and
        for the speaker themselves (they have their self view; their CPU and ours are spared)."""
        if self.frame is None or viewer == self.device_id:
            black = np.full((self.height * 3 // 2, self.width), 128, dtype=np.uint8)
            black[: self.height] = 16
            return av.VideoFrame.from_ndarray(black, format="yuv420p")
        return av.VideoFrame.from_ndarray(self.frame.to_ndarray(), format="yuv420p")


class SpeakerTrack(MediaStreamTrack):
    """One viewer's video track of the :class:`SpeakerFeed` (VP8-encoded per call by aiortc).

    ``viewer``: the device it goes to, which is never sent its own camera.
    """

    kind = "video"

    def __init__(self, feed: SpeakerFeed, viewer: str | None = None, idle_every: float = 0.5) -> None:
        super().__init__()
        self.feed, self.viewer = feed, viewer
        self.idle_every = idle_every
        self._start: float | None = None
        self._seen = -1

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        feed = self.feed
        if feed.device_id is not None and feed.device_id == self.viewer:
            await asyncio.sleep(self.idle_every)  # the speaker's own call: black, slowly
        elif feed.serial == self._seen:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(feed.changed.wait(), self.idle_every)
        self._seen = feed.serial
        out = feed.latest(self.viewer)
        now = time.monotonic()
        if self._start is None:
            self._start = now
        out.pts = round((now - self._start) * _CLOCK)
        out.time_base = _TIME_BASE
        return out
