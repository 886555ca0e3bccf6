"""A remote member on the floor, end to end: aiortc at both ends, a real hall server, vosk.

The member's peer runs in its own network namespace (see ``conftest``); the
media endpoint and the recorder's pipeline run here. The hall feed is a
440 Hz tone; the member's microphone is Korean espeak-ng speech followed by
a 1,250 Hz tone, looped. We then measure, by spectrum:

* the archive's floor holds the member's voice only between grant and stop;
* the loudspeaker output is exactly silent before the grant and after the stop;
* the member hears the hall (440 Hz) and not themself (no 1,250 Hz, no speech);
* their turn is transcribed and attributed to them.
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path
from typing import Any

import numpy as np

from procedure import SittingState
from protocol.commands import GrantFloor, RequestFloor, StopSpeech
from protocol.signalling import HangUp, Offer
from recorder.capture import FileSource
from recorder.media import MediaEndpoint, WavSink
from recorder.service import RecorderService
from recorder.stt import VoskEngine
from tests.media.netns import Netns
from tests.media.remote_hall import RATE, MemberPeer, RemoteHall, bands, floor_audio, voices
from tests.recorder.speech import KOREAN, read_wav

GATE_SLACK = 0.3  # s: the gate moves when the record reaches the endpoint, a few ms after its time


def syllable_recall(text: str) -> float:
    """Share of the spoken Korean's syllable pairs found in ``text`` (0 for any unrelated text)."""

    def pairs(t: str) -> set[str]:
        t = re.sub(r"[^가-힣]", "", t)
        return {t[i : i + 2] for i in range(len(t) - 1)}

    spoken = pairs("".join(KOREAN))
    return len(spoken & pairs(text)) / len(spoken)


async def test_remote_member_reaches_the_floor_only_while_granted(
    tmp_path: Path, netns: Netns, vosk_engine: VoskEngine
) -> None:
    hall_wav, member_wav, loop_s = voices(tmp_path)
    hall = RemoteHall(tmp_path)
    peer: MemberPeer | None = None
    stop = asyncio.Event()
    running: asyncio.Future[Any] | None = None
    try:
        await hall.open()
        sitting, member = hall.sitting, hall.member
        feed = FileSource(hall_wav, sample_rate=RATE, channels=1, realtime=True)
        loudspeaker = WavSink(tmp_path / "loudspeaker.wav")
        recorder_key = hall.seeded.device("recorder")
        endpoint = MediaEndpoint(hall.server.url, recorder_key, feed, sink=loudspeaker, sittings=[sitting],
                                 poll_interval=0.5)
        recorder = RecorderService(hall.server.url, recorder_key, endpoint.feed, vosk_engine,
                                   archive_root=tmp_path / "archive", sittings=[sitting], poll_interval=0.5)
        running = asyncio.gather(endpoint.run(stop), recorder.run(stop))

        # A broken offer ends that call (the device is told to hang up), not the endpoint.
        hangups: asyncio.Queue[Any] = asyncio.Queue()
        hall.remote.sio.on("signal", hangups.put_nowait, namespace="/remote")
        bad = Offer(sdp="v=0\r\nnot a session").model_dump(mode="json")
        while not (await hall.remote.call("signal", bad))["ok"]:  # until the endpoint has announced itself
            await asyncio.sleep(0.2)
        assert await asyncio.wait_for(hangups.get(), 10) == HangUp().model_dump(mode="json")

        heard = tmp_path / "heard.wav"
        peer = await hall.member_peer(netns, member_wav, heard)
        up = await peer.line(60)
        assert up["pair"] == [netns.member_ip, netns.host_ip], up  # media only over the veth pair
        connected = time.time()

        await asyncio.sleep(4)  # speaking, but without the floor
        await hall.remote.command(sitting, RequestFloor(member_id=member.member_id))
        await hall.chair.command(sitting, GrantFloor(member_id=member.member_id))
        await asyncio.sleep(2 * loop_s + 1)  # the whole loop twice
        await hall.chair.command(sitting, StopSpeech(member_id=member.member_id))
        await asyncio.sleep(4)  # speaking again, the floor taken away
        gated = endpoint.stats().inbound[hall.device_id]
        quality = (await endpoint.call_quality())[hall.device_id]

        await peer.hang_up()
        state = await hall.chair.wait_for(sitting, lambda s: isinstance(s, SittingState) and bool(s.transcript), 90)
        stop.set()
        media_stats, recorder_stats = await asyncio.wait_for(running, 60)
        running = None
    finally:
        if peer is not None:
            await peer.kill()
        stop.set()
        if running is not None:
            await asyncio.wait_for(running, 60)
        await hall.close()

    (granted,), (stopped,) = hall.floor_at["floor.granted"], hall.floor_at["floor.stopped"]
    assert isinstance(state, SittingState)
    (segment,) = [s.added for s in state.transcript.values()]
    print("segment:", segment.text, "| inbound:", gated, "| media:", media_stats.to_dict())
    assert segment.member_id == member.member_id
    # espeak-ng Korean through Opus and vosk is rough: runs have given 7-28 % of the script's syllable pairs.
    # The bands above prove whose audio it is; here, that the words are the script's, not unrelated text.
    assert len(segment.words) >= 5 and syllable_recall(segment.text) > 0, segment.text
    assert gated.gated > 0 and gated.passed > 0  # audio arrived, and was dropped until the grant
    assert recorder_stats.pipeline.dropped_frames == 0 and media_stats.feed_dropped == 0
    assert media_stats.bad_signals == 1 and media_stats.calls == 2
    print("call quality:", quality)  # over a veth pair: nothing lost, a round trip of a few ms
    assert quality.received > 500 and quality.lost == 0
    assert quality.rtt_ms is not None and quality.rtt_ms < 100 and quality.jitter_ms is not None

    # The archive's floor: the member's voice (1,250 Hz tone, speech) only inside the turn.
    archive = tmp_path / "archive" / sitting
    before = bands(floor_audio(archive, connected + 0.5, granted - 0.1))
    during = bands(floor_audio(archive, granted + 0.5, stopped - 0.1))
    after = bands(floor_audio(archive, stopped + GATE_SLACK, stopped + 3.5))
    print("archive before/during/after:", before, during, after)
    assert during["member"] / during["total"] > 0.01 and during["other"] / during["total"] > 0.05
    for quiet in (before, after):
        assert quiet["member"] / quiet["total"] < 1e-4 and quiet["other"] / quiet["total"] < 1e-3
        assert quiet["hall"] / quiet["total"] > 0.99

    # The loudspeakers: exact silence outside the turn, the member inside it.
    out, rate = read_wav(tmp_path / "loudspeaker.wav")
    assert loudspeaker.started is not None and rate == RATE
    started = loudspeaker.started

    def index(wall: float) -> int:
        return round((wall - started) * RATE)

    out = out.reshape(-1)
    nonzero = np.flatnonzero(out)
    print(f"loudspeaker: first voice {nonzero[0] / RATE - (granted - started):+.3f} s after the grant,"
          f" last {nonzero[-1] / RATE - (stopped - started):+.3f} s after the stop")
    assert nonzero[0] >= index(granted) and nonzero[-1] <= index(stopped + GATE_SLACK)
    assert np.abs(out[index(granted + 0.5):index(stopped)].astype(np.int32)).mean() > 100

    # What the member heard: the hall, never themself.
    mix, mix_rate = read_wav(heard)
    mine = bands(mix.reshape(-1)[mix_rate:], mix_rate)
    print("member heard:", mine)
    assert mine["hall"] / mine["total"] > 0.95
    assert mine["member"] / mine["total"] < 1e-3
