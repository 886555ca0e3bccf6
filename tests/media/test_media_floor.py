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
import json
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from hemicycle.seed import seed_senate
from procedure import SittingState
from protocol.commands import (
    REGISTRY_STREAM,
    CheckIn,
    EnrolDevice,
    GrantFloor,
    NextItem,
    OpenSitting,
    RequestFloor,
    StopSpeech,
)
from protocol.events import Record
from protocol.signalling import HangUp, Offer
from protocol.types import Role
from recorder.archive import Archive
from recorder.capture import FileSource
from recorder.media import MediaEndpoint, WavSink
from recorder.service import RecorderService
from recorder.stt import VoskEngine
from seat_client.client import HallClient
from seat_client.identity import folder_keys
from tests.hall import ServerProcess
from tests.media.conftest import Netns
from tests.recorder.speech import KOREAN, read_wav, speak, write_wav

ROOT = Path(__file__).resolve().parents[2]
RATE = 48_000
HALL_HZ = 440.0
MEMBER_HZ = 1250.0
GATE_SLACK = 0.3  # s: the gate moves when the record reaches the endpoint, a few ms after its time


def tone(hz: float, seconds: float, amplitude: float) -> npt.NDArray[np.int16]:
    t = np.arange(round(seconds * RATE)) / RATE
    return (amplitude * 32767 * np.sin(2 * np.pi * hz * t)).astype(np.int16)


def bands(x: npt.NDArray[np.int16], rate: int = RATE) -> dict[str, float]:
    """Energy near the hall's tone, near the member's tone, and everywhere else (speech)."""
    samples = x.astype(np.float64).reshape(-1)
    power = np.abs(np.fft.rfft(samples * np.hanning(len(samples)))) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / rate)
    hall = (freqs > HALL_HZ - 30) & (freqs < HALL_HZ + 30)
    member = (freqs > MEMBER_HZ - 30) & (freqs < MEMBER_HZ + 30)
    return {"hall": float(power[hall].sum()), "member": float(power[member].sum()),
            "other": float(power[~hall & ~member].sum()), "total": float(power.sum()) + 1e-9}


def floor_audio(archive: Path, t0: float, t1: float) -> npt.NDArray[np.int16]:
    clips = Archive(archive).pieces(t0, t1)
    assert clips, f"no archive between {t0} and {t1}"
    return np.concatenate([c.samples.reshape(-1) for c in clips])


async def line(proc: asyncio.subprocess.Process, timeout: float) -> dict[str, Any]:
    assert proc.stdout is not None
    raw = await asyncio.wait_for(proc.stdout.readline(), timeout)
    assert raw, "the member's peer exited"
    return dict(json.loads(raw))


async def test_remote_member_reaches_the_floor_only_while_granted(
    tmp_path: Path, netns: Netns, vosk_engine: VoskEngine
) -> None:
    hall_wav = write_wav(tmp_path / "hall.wav", tone(HALL_HZ, 90, 0.2), RATE)
    speech, _ = read_wav(speak(". ".join(KOREAN) + ".", "ko", tmp_path / "speech.wav", rate=RATE))
    voice = np.concatenate((speech.reshape(-1), tone(MEMBER_HZ, 1.0, 0.3), np.zeros(RATE // 2, np.int16)))
    member_wav = write_wav(tmp_path / "member.wav", voice, RATE)

    server = ServerProcess(f"sqlite:///{tmp_path / 'hall.db'}", tmp_path / "srv", extra=("--host", "0.0.0.0"))
    server.start()
    clients: list[HallClient] = []
    member_proc: asyncio.subprocess.Process | None = None
    stop = asyncio.Event()
    running: asyncio.Future[Any] | None = None
    try:
        keys = folder_keys(tmp_path / "keys")
        clerk = HallClient(server.url, Role.CLERK, server.admin_token)
        await clerk.connect()
        clients.append(clerk)
        prefix = f"m{uuid.uuid4().hex[:6]}"
        seeded = await seed_senate(clerk, seats=2, prefix=prefix, commission=False, keys=keys)
        sitting, member = seeded.plenary, seeded.members[1]
        device_id = f"{prefix}-remote-1"
        await clerk.command(REGISTRY_STREAM, EnrolDevice(device_id=device_id, role=Role.REMOTE,
                                                         member_id=member.member_id,
                                                         public_key=keys(device_id).public_hex))
        chair = HallClient(server.url, Role.CHAIR, seeded.device("chair"))
        await chair.connect()
        clients.append(chair)
        floor_at: dict[str, float] = {}

        def on_record(record: Record) -> None:
            if record.event.type in ("floor.granted", "floor.stopped"):
                floor_at[record.event.type] = record.at_ms / 1000

        chair.hooks.append(on_record)
        await chair.follow(sitting)
        await chair.command(sitting, OpenSitting())
        await chair.command(sitting, NextItem())
        remote = HallClient(server.url, Role.REMOTE, keys(device_id))
        await remote.connect()
        clients.append(remote)
        await remote.command(sitting, CheckIn(member_id=member.member_id, pin=member.pin, remote=True))

        hall = FileSource(hall_wav, sample_rate=RATE, channels=1, realtime=True)
        loudspeaker = WavSink(tmp_path / "loudspeaker.wav")
        endpoint = MediaEndpoint(server.url, seeded.device("recorder"), hall, sink=loudspeaker,
                                 sittings=[sitting], poll_interval=0.5)
        recorder = RecorderService(server.url, seeded.device("recorder"), endpoint.feed, vosk_engine,
                                   archive_root=tmp_path / "archive", sittings=[sitting], poll_interval=0.5)
        running = asyncio.gather(endpoint.run(stop), recorder.run(stop))

        # A broken offer ends that call (the device is told to hang up), not the endpoint.
        hangups: asyncio.Queue[Any] = asyncio.Queue()
        remote.sio.on("signal", hangups.put_nowait, namespace="/remote")
        bad = Offer(sdp="v=0\r\nnot a session").model_dump(mode="json")
        while not (await remote.call("signal", bad))["ok"]:  # until the endpoint has announced itself
            await asyncio.sleep(0.2)
        assert await asyncio.wait_for(hangups.get(), 10) == HangUp().model_dump(mode="json")
        heard = tmp_path / "heard.wav"
        member_proc = await asyncio.create_subprocess_exec(
            *netns.exec(), sys.executable, "-m", "tests.media.member_peer",
            "--url", f"http://{netns.host_ip}:{server.port}", "--key", str(tmp_path / "keys" / f"{device_id}.pem"),
            "--play", str(member_wav), "--record", str(heard),
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=asyncio.subprocess.PIPE,
        )
        up = await line(member_proc, 60)
        assert up["pair"] == [netns.member_ip, netns.host_ip], up  # media only over the veth pair
        connected = time.time()

        await asyncio.sleep(4)  # speaking, but without the floor
        await remote.command(sitting, RequestFloor(member_id=member.member_id))
        await chair.command(sitting, GrantFloor(member_id=member.member_id))
        await asyncio.sleep(2 * len(voice) / RATE + 1)  # the whole loop twice
        await chair.command(sitting, StopSpeech(member_id=member.member_id))
        await asyncio.sleep(4)  # speaking again, the floor taken away
        gated = endpoint.stats().inbound[device_id]

        member_proc.send_signal(15)
        assert (await line(member_proc, 30)) == {"done": True}
        await member_proc.wait()
        state = await chair.wait_for(sitting, lambda s: isinstance(s, SittingState) and bool(s.transcript), 90)
        stop.set()
        media_stats, recorder_stats = await asyncio.wait_for(running, 60)
        running = None
    finally:
        if member_proc is not None and member_proc.returncode is None:
            member_proc.kill()
            await member_proc.wait()
        stop.set()
        if running is not None:
            await asyncio.wait_for(running, 60)
        for client in clients:
            await client.close()
        server.stop()

    granted, stopped = floor_at["floor.granted"], floor_at["floor.stopped"]
    assert isinstance(state, SittingState)
    (segment,) = [s.added for s in state.transcript.values()]
    print("segment:", segment.text, "| inbound:", gated, "| media:", media_stats.to_dict())
    assert segment.member_id == member.member_id
    assert any(word in segment.text for sentence in KOREAN for word in sentence.split()), segment.text
    assert gated.gated > 0 and gated.passed > 0  # audio arrived, and was dropped until the grant
    assert recorder_stats.pipeline.dropped_frames == 0 and media_stats.feed_dropped == 0
    assert media_stats.bad_signals == 1 and media_stats.calls == 2

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
    mix = mix.astype(np.int32).mean(axis=1) if mix.ndim == 2 else mix
    mine = bands(mix[mix_rate:].astype(np.int16), mix_rate)
    print("member heard:", mine)
    assert mine["hall"] / mine["total"] > 0.95
    assert mine["member"] / mine["total"] < 1e-3
