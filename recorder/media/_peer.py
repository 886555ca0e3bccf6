"""One remote member's call: an aiortc peer connection, their voice in, their mix out.

The member's audio track is fanned out through a ``MediaRelay`` (one
subscriber today: the floor mixer, which feeds archive, speech-to-text and
the loudspeakers); it is decoded by aiortc to 48 kHz stereo s16 and
converted here to 48 kHz mono. Their mix-minus goes back in a
:class:`MixTrack` that plays whatever the mixer produced, 20 ms per frame,
at the pace of the hall clock. Their camera's frames go to ``video`` (a
:class:`TurnVideo`) while the endpoint films their turn, and to the
:class:`SpeakerFeed` (which keeps only the speaking member's); the speaking
member's video comes back to every call in a :class:`SpeakerTrack`. A call
with no member (the hall display) only receives that video.
"""

from __future__ import annotations

import asyncio
import fractions
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import av
import numpy as np
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamError
from aiortc.sdp import candidate_from_sdp

from protocol.signalling import IceCandidate
from recorder.media._mixer import RATE, FloorMixer, Pcm
from recorder.media._speaker import SpeakerFeed, SpeakerTrack
from recorder.media._video import TurnVideo

__all__ = ["CallQuality", "MemberPeer", "MixTrack"]

log = logging.getLogger("hemicycle.media.peer")

_TIME_BASE = fractions.Fraction(1, RATE)


@dataclass(frozen=True, slots=True)
class CallQuality:
    """One call's audio quality, from aiortc's ``getStats()`` (RTCP reports).

    ``received``/``lost``: the member's packets that reached us or did not;
    ``jitter_ms``: their interarrival jitter; ``rtt_ms``: round trip measured
    from the member's receiver reports on our mix (None until the first one).
    """

    received: int
    lost: int
    jitter_ms: float | None
    rtt_ms: float | None


class MixTrack(MediaStreamTrack):
    """An outgoing audio track of mixer frames (960 samples, 48 kHz mono int16).

    At most ``max_frames`` wait (older ones are dropped first), so a member
    never hears the floor later than that behind the hall.
    """

    kind = "audio"

    def __init__(self, max_frames: int = 10) -> None:
        super().__init__()
        self._frames: asyncio.Queue[Pcm] = asyncio.Queue(maxsize=max_frames)
        self._pts = 0
        self.dropped = 0

    def offer(self, pcm: Pcm) -> None:
        """Queue a frame (event loop only)."""
        if self._frames.full():
            self._frames.get_nowait()
            self.dropped += 1
        self._frames.put_nowait(pcm)

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        pcm = await self._frames.get()
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = RATE
        frame.pts = self._pts
        frame.time_base = _TIME_BASE
        self._pts += len(pcm)
        return frame


class MemberPeer:
    """The endpoint's side of one remote device's call.

    ``on_closed`` is called once when the connection fails or closes, from
    either side. ``ice_servers`` empty means host candidates only (a closed
    hall network). ``member_id`` None: a viewer (the hall display).
    """

    def __init__(
        self,
        device_id: str,
        member_id: str | None,
        mixer: FloorMixer,
        ice_servers: list[RTCIceServer],
        on_closed: Callable[[MemberPeer], None],
        speaker: SpeakerFeed,
    ) -> None:
        self.device_id = device_id
        self.member_id = member_id
        self.mixer = mixer
        self.speaker = speaker
        self.mix = MixTrack()
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=ice_servers))
        self._relay = MediaRelay()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._on_closed = on_closed
        self._closed = False
        self.pc.on("track", self._on_track)
        self.pc.on("connectionstatechange", self._on_state)
        self.state = self.pc.connectionState
        self.has_video = False
        self.video: TurnVideo | None = None  # set by the endpoint while this member speaks
        self.video_turn: str | None = None  # "<sitting>/<turn>" being filmed

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def answer(self, offer_sdp: str) -> str:
        """The answer SDP to the member's offer (its candidates included: aiortc gathers first).

        Raises ``ValueError`` (or aiortc's ``InvalidStateError``/``InvalidAccessError``)
        on an offer it cannot take.
        """
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
        # After the offer, so that each track takes the transceiver the caller offered for its kind.
        kinds = {t.kind for t in self.pc.getTransceivers()}
        if not kinds:
            raise ValueError("the offer has neither audio nor video")
        if "audio" in kinds and self.member_id is not None:
            self.pc.addTrack(self.mix)
        if "video" in kinds:
            self.pc.addTrack(SpeakerTrack(self.speaker, self.device_id))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        return str(self.pc.localDescription.sdp)

    async def add_candidate(self, signal: IceCandidate) -> None:
        """A trickled candidate; raises ``ValueError`` if it does not parse."""
        line = signal.candidate.removeprefix("candidate:")
        try:
            candidate = candidate_from_sdp(line)
        except (IndexError, ValueError) as exc:
            raise ValueError(f"not an ICE candidate: {signal.candidate[:80]!r}") from exc
        candidate.sdpMid = signal.sdp_mid
        candidate.sdpMLineIndex = signal.sdp_mline_index
        await self.pc.addIceCandidate(candidate)

    def _on_track(self, track: MediaStreamTrack) -> None:
        log.info("%s: %s track", self.device_id, track.kind)
        if self.member_id is None:
            return  # a viewer sends nothing we take
        if track.kind == "audio":
            self._spawn(self._listen(self._relay.subscribe(track)))
        else:
            self.has_video = True
            self._spawn(self._watch(self._relay.subscribe(track)))

    async def _listen(self, track: MediaStreamTrack) -> None:
        """Decoded frames -> 48 kHz mono -> the mixer (which gates them)."""
        resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if not isinstance(frame, av.AudioFrame):
                continue
            for mono in resampler.resample(frame):
                self.mixer.push(self.device_id, np.ascontiguousarray(mono.to_ndarray().reshape(-1), dtype=np.int16))

    async def _watch(self, track: MediaStreamTrack) -> None:
        """Every frame is taken (aiortc queues what nobody reads); filmed and shown only during a turn."""
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if not isinstance(frame, av.VideoFrame):
                continue
            if self.video is not None:
                self.video.offer(frame)
            self.speaker.offer(self.device_id, frame)

    async def quality(self) -> CallQuality:
        """The call's audio quality now."""
        received = lost = 0
        jitter_ms = rtt_ms = None
        for stats in (await self.pc.getStats()).values():
            if getattr(stats, "kind", None) != "audio":
                continue
            if stats.type == "inbound-rtp":
                received, lost = stats.packetsReceived, stats.packetsLost
                jitter_ms = stats.jitter * 1000 / RATE  # RTP timestamp units at the Opus clock
            elif stats.type == "remote-inbound-rtp":
                rtt_ms = stats.roundTripTime * 1000
        return CallQuality(received, lost, jitter_ms, rtt_ms)

    async def _on_state(self) -> None:
        old, self.state = self.state, self.pc.connectionState
        log.info("%s: connectionState %s -> %s", self.device_id, old, self.state)
        if self.state in ("failed", "closed"):
            await self.close()

    async def close(self) -> None:
        """Hang up: stop the tracks and the connection; idempotent."""
        if self._closed:
            return
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.mix.stop()
        if self.video is not None:
            self.video.close()
        await self.pc.close()
        self._on_closed(self)
