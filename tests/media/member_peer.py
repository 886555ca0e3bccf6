"""A remote member's device for the media tests: signals over the hall socket, calls with aiortc.

Run in its own network namespace (``ip netns exec``)::

    python -m tests.media.member_peer --url URL --key FILE --play WAV --record OUT.wav

Plays WAV (looped) as its microphone (and, with ``--video``, a synthetic camera), records what it hears to OUT.wav
(48 kHz mono), and prints one JSON line each time a call is up
(``{"connected": true, "pair": [local ip, remote ip]}``, the ICE pair in use)
and one when it hung up on SIGTERM (``{"done": true}``). When the floor mix
stops arriving for two seconds (the media endpoint died) it calls again, as
the remote page does, without pairing again.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import time
import wave
from pathlib import Path
from typing import Any

import av
import numpy as np
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription, VideoStreamTrack
from aiortc.contrib.media import MediaPlayer
from aiortc.mediastreams import MediaStreamError

from protocol.errors import ErrorCode
from protocol.keyfile import load_or_create_key
from protocol.signalling import Answer, HangUp, Offer, endpoint_signal
from protocol.types import Role
from seat_client.client import HallClient
from seat_client.identity import DeviceKey

STALL = 2.0  # s without a frame of the floor mix: the endpoint is gone, call again


def ice_pair(pc: RTCPeerConnection) -> list[str]:
    """The addresses of the nominated ICE pair (aioice keeps it on the connection)."""
    ice = pc.getTransceivers()[0].receiver.transport.transport
    pair = next(iter(ice._connection._nominated.values()))
    return [pair.local_candidate.host, pair.remote_candidate.host]


class Camera(VideoStreamTrack):
    """A synthetic camera: 320x240 at 30 fps, a white bar sweeping across grey."""

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        image = np.full((240, 320, 3), 96, dtype=np.uint8)
        x = (pts // 3000) % 300
        image[:, x : x + 20] = 255
        frame = av.VideoFrame.from_ndarray(image, format="rgb24")
        frame.pts, frame.time_base = pts, time_base
        return frame


class Heard:
    """What the member hears, written to a 48 kHz mono WAV as it arrives, across calls."""

    def __init__(self, path: str) -> None:
        self.wav = wave.open(path, "wb")
        self.wav.setnchannels(1)
        self.wav.setsampwidth(2)
        self.wav.setframerate(48000)
        self.last = time.monotonic()

    async def consume(self, track: MediaStreamTrack) -> None:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=48000)
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if isinstance(frame, av.AudioFrame):
                for mono in resampler.resample(frame):
                    self.wav.writeframes(mono.to_ndarray().tobytes())
                self.last = time.monotonic()


async def place_call(
    client: HallClient, answers: asyncio.Queue[Answer | HangUp], play: str, heard: Heard, tasks: set[Any],
    video: bool,
) -> RTCPeerConnection:
    """Offer, take the answer, and return once the call is up (printing its ICE pair)."""
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    player = MediaPlayer(play, loop=True)
    assert player.audio is not None
    pc.addTrack(player.audio)
    if video:
        pc.addTrack(Camera())
    connected = asyncio.Event()

    @pc.on("track")
    def on_track(track: MediaStreamTrack) -> None:
        task = asyncio.ensure_future(heard.consume(track))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    @pc.on("connectionstatechange")
    def on_state() -> None:
        if pc.connectionState == "connected":
            connected.set()

    await pc.setLocalDescription(await pc.createOffer())
    offer = Offer(sdp=pc.localDescription.sdp).model_dump(mode="json")
    while not answers.empty():
        answers.get_nowait()  # what the last call left behind
    while True:  # the endpoint may still be starting
        ack = await client.call("signal", offer)
        if ack.get("ok"):
            break
        assert ack["error"]["code"] == ErrorCode.INVALID_STATE.value, ack
        await asyncio.sleep(0.3)
    answer = await asyncio.wait_for(answers.get(), 30)
    assert isinstance(answer, Answer), answer
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer.sdp, type="answer"))
    await asyncio.wait_for(connected.wait(), 30)
    heard.last = time.monotonic()
    print(json.dumps({"connected": True, "pair": ice_pair(pc)}), flush=True)
    return pc


async def call(args: argparse.Namespace) -> None:
    key = DeviceKey(Path(args.key).stem, load_or_create_key(Path(args.key)))
    client = HallClient(args.url, Role.REMOTE, key)
    answers: asyncio.Queue[Answer | HangUp] = asyncio.Queue()

    def on_signal(data: Any) -> None:
        message = endpoint_signal.validate_python(data)
        if isinstance(message, Answer | HangUp):  # the endpoint gathers before answering: no trickle
            answers.put_nowait(message)

    client.sio.on("signal", on_signal, namespace="/remote")
    await client.connect()
    heard = Heard(args.record)
    tasks: set[Any] = set()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    pc = await place_call(client, answers, args.play, heard, tasks, args.video)
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.2)
        if not stop.is_set() and time.monotonic() - heard.last > STALL:
            await pc.close()
            pc = await place_call(client, answers, args.play, heard, tasks, args.video)
    await client.call("signal", HangUp().model_dump(mode="json"))
    await pc.close()
    heard.wav.close()
    await client.close()
    print(json.dumps({"done": True}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("--url", "--key", "--play", "--record"):
        parser.add_argument(name, required=True)
    parser.add_argument("--video", action="store_true", help="send a synthetic camera too")
    asyncio.run(call(parser.parse_args()))


if __name__ == "__main__":
    main()
