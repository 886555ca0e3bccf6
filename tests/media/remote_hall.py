"""A hall server with an open sitting and one remote member, and that member's peer in a namespace.

Shared by the media tests: the server listens on every address, so the
member's peer reaches it over the veth pair, as a remote laptop would over
the hall network.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from hemicycle.seed import Seeded, seed_senate
from protocol.commands import REGISTRY_STREAM, CheckIn, EnrolDevice, NextItem, OpenSitting
from protocol.events import Record
from protocol.types import Role
from recorder.archive import Archive
from seat_client.client import HallClient
from seat_client.identity import DeviceKey, folder_keys
from tests.hall import ServerProcess
from tests.media.netns import Netns
from tests.recorder.speech import KOREAN, read_wav, speak, write_wav

ROOT = Path(__file__).resolve().parents[2]
RATE = 48_000
HALL_HZ = 440.0
MEMBER_HZ = 1250.0


def tone(hz: float, seconds: float, amplitude: float) -> npt.NDArray[np.int16]:
    t = np.arange(round(seconds * RATE)) / RATE
    return (amplitude * 32767 * np.sin(2 * np.pi * hz * t)).astype(np.int16)


def voices(tmp: Path) -> tuple[Path, Path, float]:
    """The hall feed (90 s of 440 Hz, quiet as a hall is while a remote member speaks), the member's
    microphone (Korean speech, 1 s of 1,250 Hz, 0.5 s of silence) and that loop's length in seconds."""
    hall = write_wav(tmp / "hall.wav", tone(HALL_HZ, 90, 0.05), RATE)
    speech, _ = read_wav(speak(". ".join(KOREAN) + ".", "ko", tmp / "speech.wav", rate=RATE))
    voice = np.concatenate((speech.reshape(-1), tone(MEMBER_HZ, 1.0, 0.3), np.zeros(RATE // 2, np.int16)))
    return hall, write_wav(tmp / "member.wav", voice, RATE), len(voice) / RATE


def bands(x: npt.NDArray[np.int16], rate: int = RATE) -> dict[str, float]:
    """Energy near the hall's tone, near the member's tone, and everywhere else (speech)."""
    samples = x.astype(np.float64).reshape(-1)
    power = np.abs(np.fft.rfft(samples * np.hanning(len(samples)))) ** 2
    freqs = np.fft.rfftfreq(len(samples), 1 / rate)
    hall = (freqs > HALL_HZ - 30) & (freqs < HALL_HZ + 30)
    member = (freqs > MEMBER_HZ - 30) & (freqs < MEMBER_HZ + 30)
    return {"hall": float(power[hall].sum()), "member": float(power[member].sum()),
            "other": float(power[~hall & ~member].sum()), "total": float(power.sum()) + 1e-9}


def floor_audio(archive: Path, t0: float, t1: float) -> npt.NDArray[np.int16]:
    clips = Archive(archive).pieces(t0, t1)
    assert clips, f"no archive between {t0} and {t1}"
    return np.concatenate([c.samples.reshape(-1) for c in clips])


class MemberPeer:
    """``tests.media.member_peer`` inside the namespace; its JSON lines as they come."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    async def line(self, timeout: float) -> dict[str, Any]:
        assert self.proc.stdout is not None
        raw = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
        assert raw, "the member's peer exited"
        return dict(json.loads(raw))

    async def hang_up(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        assert (await self.line(30)) == {"done": True}
        await self.proc.wait()

    async def kill(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()


class RemoteHall:
    """The server, a sitting opened with its first item, a chair, and member 2 checked in remotely."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.server = ServerProcess(f"sqlite:///{tmp / 'hall.db'}", tmp / "srv", extra=("--host", "0.0.0.0"))
        self.keys = folder_keys(tmp / "keys")
        self.clients: list[HallClient] = []
        self.floor_at: dict[str, list[float]] = {}  # event type -> record times (s)

    async def open(self) -> None:
        self.server.start()
        clerk = await self._client(Role.CLERK, self.server.admin_token)
        self.prefix = f"m{uuid.uuid4().hex[:6]}"
        self.seeded: Seeded = await seed_senate(clerk, seats=2, prefix=self.prefix, commission=False, keys=self.keys)
        self.sitting, self.member = self.seeded.plenary, self.seeded.members[1]
        self.device_id = f"{self.prefix}-remote-1"
        await clerk.command(REGISTRY_STREAM, EnrolDevice(device_id=self.device_id, role=Role.REMOTE,
                                                         member_id=self.member.member_id,
                                                         public_key=self.keys(self.device_id).public_hex))
        self.chair = await self._client(Role.CHAIR, self.seeded.device("chair"))
        self.chair.hooks.append(self._on_record)
        await self.chair.follow(self.sitting)
        await self.chair.command(self.sitting, OpenSitting(without_quorum=True))
        await self.chair.command(self.sitting, NextItem())
        self.remote = await self._client(Role.REMOTE, self.keys(self.device_id))
        await self.remote.command(self.sitting, CheckIn(member_id=self.member.member_id, pin=self.member.pin,
                                                        remote=True))

    async def _client(self, role: Role, identity: DeviceKey | str) -> HallClient:
        client = HallClient(self.server.url, role, identity)
        await client.connect()
        self.clients.append(client)
        return client

    def _on_record(self, record: Record) -> None:
        if record.event.type in ("floor.granted", "floor.stopped"):
            self.floor_at.setdefault(record.event.type, []).append(record.at_ms / 1000)

    def key_file(self, device_id: str) -> Path:
        return self.tmp / "keys" / f"{device_id}.pem"

    async def member_peer(self, netns: Netns, play: Path, heard: Path, video: bool = False) -> MemberPeer:
        proc = await asyncio.create_subprocess_exec(
            *netns.exec(), sys.executable, "-m", "tests.media.member_peer",
            "--url", f"http://{netns.host_ip}:{self.server.port}", "--key", str(self.key_file(self.device_id)),
            "--play", str(play), "--record", str(heard), *(["--video"] if video else []),
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=asyncio.subprocess.PIPE,
        )
        return MemberPeer(proc)

    async def close(self) -> None:
        for client in self.clients:
            await client.close()
        self.server.stop()


class MediaProcess:
    """``hemicycle media`` as a child process on a file hall feed: start, kill -9, start again.

    ``hall`` is a :class:`RemoteHall`, or ``(url, recorder key file, sitting, folder)`` of another hall.
    """

    def __init__(self, hall: RemoteHall | tuple[str, Path, str, Path], hall_wav: Path, archive: Path) -> None:
        self.hall, self.hall_wav, self.archive = hall, hall_wav, archive
        self.tmp = hall.tmp if isinstance(hall, RemoteHall) else hall[3]
        self.log = self.tmp / "media.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.runs = 0

    def start(self) -> None:
        self.runs += 1
        hall = self.hall
        url, key, sitting, _ = (hall.server.url, hall.key_file(f"{hall.prefix}-recorder"), hall.sitting, hall.tmp) \
            if isinstance(hall, RemoteHall) else hall
        args = [sys.executable, "-m", "hemicycle.cli", "media", "--url", url, "--key", str(key),
                "--hall-file", str(self.hall_wav), "--loudspeaker-wav", str(self.tmp / f"loudspeaker-{self.runs}.wav"),
                "--archive", str(self.archive), "--sitting", sitting]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(args, cwd=ROOT, stdout=out, stderr=out,
                                         env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)})

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> dict[str, Any]:
        """SIGTERM, and the stats line it prints on its way out."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(60)
        assert self.proc.returncode == 0, self.tail()
        for line in reversed(self.log.read_text(errors="replace").splitlines()):
            if line.startswith('{"media"'):
                return dict(json.loads(line))
        raise AssertionError(f"no stats line: {self.tail()}")

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]
