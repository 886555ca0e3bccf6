"""The media endpoint: remote members' calls, the floor gate, the floor mix.

::

    remote members --WebRTC--> MemberPeer (event loop: decode, 48 kHz mono)
                                   | push (gated: only members holding the floor)
    hall feed (AudioSource) --> mixing thread: FloorMixer.tick every 20 ms of the hall clock
                                   |-- floor ------> FloorFeed --> the recorder's pipeline
                                   |                               (archive, turns, speech-to-text)
                                   |-- loudspeaker -> FloorSink (PortAudio output, or a WAV file)
                                   +-- mix-minus --> each member's MixTrack --WebRTC--> remote members
    the speaking member's camera --> TurnVideo (its own thread) --> ARCHIVE/<sitting>/video/<turn>-<ms>.webm
                                 +--> SpeakerFeed --> every call's SpeakerTrack (members' pages, the hall display)

It connects to the hall server as the recorder device (role ``recorder``,
namespace ``/recorder``), announces itself for signalling
(:class:`~protocol.signalling.EndpointReady`, again every poll so a
reconnect re-registers), follows the sittings, and opens the gate for
exactly the members that the folded records show speaking
(``state.floor.speaking``). Bad signals are logged and counted, never fatal.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from aiortc import RTCIceServer
from pydantic import ValidationError

from procedure import SittingState
from protocol.errors import ProtocolError
from protocol.events import Record
from protocol.signalling import (
    Answer,
    EndpointReady,
    FromMember,
    HangUp,
    IceCandidate,
    Offer,
    ToMember,
)
from protocol.types import Role, SittingStatus
from recorder.capture import AudioSource
from recorder.errors import CaptureError, RecorderError
from recorder.media._feed import FloorFeed
from recorder.media._mixer import FRAME_SAMPLES, RATE, FloorMixer, InboundStats, Mix
from recorder.media._peer import CallQuality, MemberPeer
from recorder.media._sinks import FloorSink
from recorder.media._speaker import SpeakerFeed
from recorder.media._video import TurnVideo
from seat_client.client import RETRYABLE, HallClient
from seat_client.identity import DeviceKey

__all__ = ["IceServer", "MediaEndpoint", "MediaStats"]

log = logging.getLogger("hemicycle.media")


@dataclass(frozen=True, slots=True)
class IceServer:
    """A STUN or TURN server on the hall network (``stun:host:port``, ``turn:host:port``)."""

    urls: str
    username: str | None = None
    credential: str | None = None


@dataclass(frozen=True, slots=True)
class MediaStats:
    """What the operator and the tests watch; ``bad_signals`` counts refused signal messages."""

    ticks: int
    floor: list[str]
    peers: dict[str, str]  # device id -> connection state
    inbound: dict[str, InboundStats]  # device id -> its audio
    feed_dropped: int
    mix_dropped: dict[str, int]
    bad_signals: int
    calls: int
    video_frames: int = 0
    video_dropped: int = 0
    sittings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class MediaEndpoint:
    """Remote members' audio to the floor while they hold it, and the floor mix back to them.

    ``hall`` is the hall feed at 48 kHz mono (open a ``FileSource`` or
    ``PyAudioSource`` with ``sample_rate=48000, channels=1``); its clock drives
    the mix. ``feed`` (a :class:`FloorFeed`) is the floor for the recorder.
    ``sittings`` restricts which sittings' floors open the gate (default:
    every sitting not closed). With ``video_root``, a speaking member's camera
    is archived per turn under ``video_root/<sitting>/video/``. Raises :class:`~recorder.errors.CaptureError`
    if the hall feed is not 48 kHz mono.
    """

    def __init__(
        self,
        url: str,
        key: DeviceKey,
        hall: AudioSource,
        *,
        sink: FloorSink | None = None,
        ice_servers: Iterable[IceServer] = (),
        sittings: Iterable[str] | None = None,
        poll_interval: float = 2.0,
        video_root: str | Path | None = None,
    ) -> None:
        if (hall.sample_rate, hall.channels) != (RATE, 1):
            raise CaptureError(f"the hall feed must be {RATE} Hz mono, not {hall.sample_rate} Hz x {hall.channels}")
        self.hall = hall
        self.sink = sink
        self.ice_servers = [RTCIceServer(s.urls, s.username, s.credential) for s in ice_servers]
        self.only = set(sittings) if sittings else None
        self.poll_interval = poll_interval
        self.video_root = Path(video_root) if video_root is not None else None
        self.videos: list[TurnVideo] = []  # every turn filmed, for the stats and to flush at the end
        self.mixer = FloorMixer()
        self.feed = FloorFeed()
        self.speaker = SpeakerFeed()
        self.peers: dict[str, MemberPeer] = {}  # device id -> its call
        self.client = HallClient(url, Role.RECORDER, key)
        self.client.hooks.append(self._on_record)
        self.client.sio.on("signal", self._on_signal, namespace=self.client.namespace)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._locks: dict[str, asyncio.Lock] = {}  # device id -> its signals, one at a time
        self._bad_signals = 0
        self._calls = 0

    # -- lifecycle ------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> MediaStats:
        """Mix, follow and answer calls until ``stop`` is set; then hang up and end the feed."""
        self._loop = asyncio.get_running_loop()
        self.hall.start()  # a bad device fails here, before any network
        self._thread = threading.Thread(target=self._mix_loop, name="media-mix", daemon=True)
        self._thread.start()
        try:
            await self._connect(stop)
            while not stop.is_set():
                with contextlib.suppress(*RETRYABLE, ProtocolError):
                    await self._announce()
                    await self._discover()
                self._update_floor()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.poll_interval)
        finally:
            await self._shutdown()
        return self.stats()

    async def _connect(self, stop: asyncio.Event) -> None:
        delay = 0.5
        while not stop.is_set():
            try:
                await self.client.connect()
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # refused, unreachable, timed out: the server may be starting
                log.warning("can't connect to the hall server (%s); retrying in %.1f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def _announce(self) -> None:
        ack = await self.client.call("signal", EndpointReady().model_dump(mode="json"))
        if not (isinstance(ack, dict) and ack.get("ok")):
            log.warning("the hall server refused the media endpoint: %s", ack)

    async def _discover(self) -> None:
        wanted = self.only
        if wanted is None:
            wanted = {s["stream"] for s in await self.client.sittings() if s["status"] != SittingStatus.CLOSED.value}
        for stream in sorted(wanted - set(self.client.states)):
            await self.client.follow(stream)
            log.info("following %s", stream)

    async def _shutdown(self) -> None:
        for peer in list(self.peers.values()):
            await peer.close()
        for video in self.videos:
            await asyncio.to_thread(video.join)
        self.hall.stop()
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, 10)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self.client.close()
        if self.sink is not None:
            self.sink.close()

    def stats(self) -> MediaStats:
        return MediaStats(
            ticks=self.mixer.ticks,
            floor=sorted(self.mixer.floor),
            peers={d: p.state for d, p in self.peers.items()},
            inbound=self.mixer.stats(),
            feed_dropped=self.feed.dropped,
            mix_dropped={d: p.mix.dropped for d, p in self.peers.items()},
            bad_signals=self._bad_signals,
            calls=self._calls,
            video_frames=sum(v.frames for v in self.videos),
            video_dropped=sum(v.dropped for v in self.videos),
            sittings=sorted(self.client.states),
        )

    async def call_quality(self) -> dict[str, CallQuality]:
        """Each call's audio quality now (loss, jitter, round trip), by device id."""
        return {device_id: await peer.quality() for device_id, peer in list(self.peers.items())}

    # -- the floor gate -------------------------------------------------------

    def _on_record(self, record: Record) -> None:
        self._update_floor()

    def _update_floor(self) -> None:
        turns = [
            (state.stream, turn)
            for state in self.client.states.values()
            if isinstance(state, SittingState)
            for turn in state.floor.speaking
        ]
        speaking = {turn.member_id: (stream, turn.turn_id) for stream, turn in turns}
        # A paused turn (the chair's pause, or a suspension) keeps its camera but not the floor.
        self.mixer.set_floor({turn.member_id: (stream, turn.turn_id) for stream, turn in turns
                              if turn.running_since_ms is not None})
        on_camera = None
        for peer in list(self.peers.values()):
            turn = speaking.get(peer.member_id) if peer.member_id is not None else None
            self._film(peer, turn)
            if turn is not None and peer.has_video and on_camera is None:
                on_camera = peer.device_id
        self.speaker.speaker(on_camera)

    def _film(self, peer: MemberPeer, turn: tuple[str, str] | None) -> None:
        """Start or end the archive of a member's camera as their turn starts or ends."""
        want = f"{turn[0]}/{turn[1]}" if turn is not None and peer.has_video and self.video_root else None
        if want == peer.video_turn:
            return
        if peer.video is not None:
            peer.video.close()
            peer.video = None
        peer.video_turn = want
        if turn is not None and want is not None and self.video_root is not None:
            stream, turn_id = turn
            path = self.video_root / stream / "video" / f"{turn_id}-{round(time.time() * 1000)}.webm"
            peer.video = TurnVideo(path)
            self.videos.append(peer.video)
            log.info("%s: filming %s", peer.device_id, want)

    # -- mixing (its own thread, paced by the hall feed) ----------------------

    def _mix_loop(self) -> None:
        pending = np.zeros(0, dtype=np.int16)
        try:
            for frame in self.hall.frames():
                pending = np.concatenate((pending, frame.to_array().reshape(-1)))
                while len(pending) >= FRAME_SAMPLES:
                    mix = self.mixer.tick(pending[:FRAME_SAMPLES])
                    pending = pending[FRAME_SAMPLES:]
                    self._emit(mix)
        except RecorderError:
            log.exception("the hall feed failed; the floor mix stops")
        finally:
            self.feed.end()

    def _emit(self, mix: Mix) -> None:
        self.feed.put(mix.floor.tobytes())
        if self.sink is not None:
            self.sink.write(mix.loudspeaker.tobytes())
        if self._loop is not None and mix.members:
            with contextlib.suppress(RuntimeError):  # the loop closed under us at shutdown
                self._loop.call_soon_threadsafe(self._deliver, mix)

    def _deliver(self, mix: Mix) -> None:
        for device_id, pcm in mix.members.items():
            peer = self.peers.get(device_id)
            if peer is not None:
                peer.mix.offer(pcm)

    # -- signalling -----------------------------------------------------------

    def _on_signal(self, data: Any) -> None:
        try:
            message = FromMember.model_validate(data)
        except ValidationError as exc:
            self._bad_signals += 1
            log.warning("refused a signal: %s", exc.errors()[:3])
            return
        task = asyncio.ensure_future(self._handle(message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, message: FromMember) -> None:
        device_id, signal = message.device_id, message.signal
        async with self._locks.setdefault(device_id, asyncio.Lock()):
            try:
                if isinstance(signal, Offer):
                    await self._answer(message, signal)
                elif isinstance(signal, IceCandidate):
                    peer = self.peers.get(device_id)
                    if peer is not None:
                        await peer.add_candidate(signal)
                elif isinstance(signal, HangUp):
                    peer = self.peers.get(device_id)
                    if peer is not None:
                        await peer.close()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a bad SDP or candidate: this call ends, the endpoint goes on
                self._bad_signals += 1
                log.warning("%s: can't take %s (%s); hanging up", device_id, signal.type, exc)
                peer = self.peers.get(device_id)
                if peer is not None:
                    await peer.close()
                with contextlib.suppress(*RETRYABLE):  # the hall is unreachable: the member calls again later
                    await self._send(device_id, HangUp())

    async def _answer(self, message: FromMember, offer: Offer) -> None:
        old = self.peers.get(message.device_id)
        if old is not None:
            await old.close()  # a new offer is a new call (the page reloaded, or reconnects)
        peer = MemberPeer(message.device_id, message.member_id, self.mixer, self.ice_servers, self._closed,
                          self.speaker)
        self.peers[message.device_id] = peer
        if message.member_id is not None:
            self.mixer.add(message.device_id, message.member_id)
        self._calls += 1
        sdp = await peer.answer(offer.sdp)
        await self._send(message.device_id, Answer(sdp=sdp))
        log.info("%s (%s): answered", message.device_id, message.member_id)

    def _closed(self, peer: MemberPeer) -> None:
        if self.peers.get(peer.device_id) is peer:
            del self.peers[peer.device_id]
            self.mixer.remove(peer.device_id)

    async def _send(self, device_id: str, signal: Answer | HangUp) -> None:
        ack = await self.client.call("signal", ToMember(device_id=device_id, signal=signal).model_dump(mode="json"))
        if not (isinstance(ack, dict) and ack.get("ok")):
            log.warning("%s: signal not relayed: %s", device_id, ack)
