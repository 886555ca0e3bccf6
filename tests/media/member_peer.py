"""A remote member's device for the media tests: signals over the hall socket, calls with aiortc.

Run in its own network namespace (``ip netns exec``)::

    python -m tests.media.member_peer --url URL --key FILE --play WAV --record OUT.wav

Plays WAV (looped) as its microphone, records what it hears to OUT.wav, and
prints one JSON line when the call is up (``{"connected": true, "pair":
[local ip, remote ip]}``, the ICE pair in use) and one when it hung up on
SIGTERM (``{"done": true}``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
from pathlib import Path
from typing import Any

from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaPlayer, MediaRecorder

from protocol.errors import ErrorCode
from protocol.keyfile import load_or_create_key
from protocol.signalling import Answer, HangUp, Offer, endpoint_signal
from protocol.types import Role
from seat_client.client import HallClient
from seat_client.identity import DeviceKey


def ice_pair(pc: RTCPeerConnection) -> list[str]:
    """The addresses of the nominated ICE pair (aioice keeps it on the connection)."""
    ice = pc.getTransceivers()[0].receiver.transport.transport
    pair = next(iter(ice._connection._nominated.values()))
    return [pair.local_candidate.host, pair.remote_candidate.host]


async def call(args: argparse.Namespace) -> None:
    key = DeviceKey(Path(args.key).stem, load_or_create_key(Path(args.key)))
    client = HallClient(args.url, Role.REMOTE, key)
    answers: asyncio.Queue[Answer | HangUp] = asyncio.Queue()

    def on_signal(data: Any) -> None:
        signal_ = endpoint_signal.validate_python(data)
        if isinstance(signal_, Answer | HangUp):
            answers.put_nowait(signal_)

    client.sio.on("signal", on_signal, namespace="/remote")
    await client.connect()
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    player = MediaPlayer(args.play, loop=True)
    assert player.audio is not None
    pc.addTrack(player.audio)
    recorder = MediaRecorder(args.record)
    connected = asyncio.Event()

    @pc.on("track")
    def on_track(track: MediaStreamTrack) -> None:
        recorder.addTrack(track)

    @pc.on("connectionstatechange")
    def on_state() -> None:
        if pc.connectionState == "connected":
            connected.set()

    await pc.setLocalDescription(await pc.createOffer())
    offer = Offer(sdp=pc.localDescription.sdp).model_dump(mode="json")
    while True:  # the endpoint may still be starting
        ack = await client.call("signal", offer)
        if ack.get("ok"):
            break
        assert ack["error"]["code"] == ErrorCode.INVALID_STATE.value, ack
        await asyncio.sleep(0.3)
    answer = await asyncio.wait_for(answers.get(), 30)
    assert isinstance(answer, Answer), answer
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer.sdp, type="answer"))
    await recorder.start()
    await asyncio.wait_for(connected.wait(), 30)
    print(json.dumps({"connected": True, "pair": ice_pair(pc)}), flush=True)

    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await client.call("signal", HangUp().model_dump(mode="json"))
    await recorder.stop()
    await pc.close()
    await client.close()
    print(json.dumps({"done": True}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("--url", "--key", "--play", "--record"):
        parser.add_argument(name, required=True)
    asyncio.run(call(parser.parse_args()))


if __name__ == "__main__":
    main()
