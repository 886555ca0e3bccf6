"""A sitting on a real hall server with the recorder as its own process.

The hall feed is an espeak-ng WAV played through PortAudio by an ALSA replay
device. That device does not pace itself, so the recorder runs with
``--realtime``: it then captures like a sound card, one frame every 20 ms,
and stamps sample ``x`` seconds into the WAV with ``origin + x``, where
``origin`` is the wall time of its first frame (the first time mark in the
sitting's archive). The chair reads that origin and grants and stops the
floor on the same timeline, a little before each speech starts and after it
ends, as a presiding officer would.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hall_server.store import EventLog
from hemicycle.seed import Seeded, seed_senate
from procedure import SittingState
from protocol.commands import CheckIn, GrantFloor, NextItem, OpenSitting, StopSpeech
from protocol.events import Record, SegmentAdded
from protocol.types import Role
from recorder.capture import ReplayDevice
from seat_client.client import HallClient
from seat_client.identity import folder_keys
from tests.hall import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
LEAD = 0.25  # the chair opens the microphone this long before the member speaks ...
LAG = 0.3  # ... and closes it this long after


@dataclass
class Heard:
    """What a seat saw, with the wall time it arrived."""

    captions: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    stops: dict[str, float] = field(default_factory=dict)  # turn id -> arrival of floor.stopped


class RecorderProcess:
    """``python -m recorder.cli record`` on a replay device, as the hall would run it."""

    def __init__(
        self,
        url: str,
        key: Path,
        replay: ReplayDevice,
        archive: Path,
        sitting: str,
        engine: str,
        log: Path,
        extra: tuple[str, ...] = (),
    ) -> None:
        self.args = [
            sys.executable, "-m", "recorder.cli", "record",
            "--url", url, "--key", str(key),
            "--device", replay.name, "--rate", str(replay.sample_rate),
            "--channels", str(replay.channels),
            "--engine", engine, "--archive", str(archive), "--sitting", sitting, "--realtime",
            # Whisper base hears espeak-ng's Korean voice as Thai (p > 0.9): the Korean model's
            # tests run without language identification (tests/recorder/test_recorder_language.py has it).
            *(("--no-language-id",) if engine == "vosk" else ()),
            *extra,
        ]
        self.env = {**replay.env(), "PYTHONUNBUFFERED": "1"}
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=out, stderr=out)

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self, timeout: float = 60) -> dict[str, Any]:
        """SIGTERM, wait, and return the stats the recorder prints on its way out."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
                raise AssertionError(f"recorder did not stop: {self.tail()}") from None
        assert self.proc.returncode == 0, self.tail()
        for line in reversed(self.log.read_text(errors="replace").splitlines()):
            if line.startswith('{"recorder"'):
                return dict(json.loads(line)["recorder"])
        raise AssertionError(f"no stats line: {self.tail()}")

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


def first_mark(archive_dir: Path, after: float = 0.0) -> float | None:
    """The wall time of the first archive time mark later than ``after`` (a capture start)."""
    index = archive_dir / "index.jsonl"
    if not index.exists():
        return None
    for line in index.read_text().splitlines():
        with contextlib.suppress(ValueError):
            record = json.loads(line)
            if record.get("kind") == "mark" and record["wall"] > after:
                return float(record["wall"])
    return None


async def wait_for_origin(
    archive_dir: Path, recorder: RecorderProcess, after: float = 0.0, timeout: float = 30
) -> float:
    """Wait for the recorder to start capturing; the wall time of its first sample."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        origin = first_mark(archive_dir, after)
        if origin is not None:
            return origin
        assert recorder.proc is not None and recorder.proc.poll() is None, recorder.tail()
        await asyncio.sleep(0.01)
    raise TimeoutError(f"recorder never captured: {recorder.tail()}")


async def sleep_until(wall: float) -> None:
    delay = wall - time.time()
    if delay > 0:
        await asyncio.sleep(delay)


class Hall:
    """A hall server, a seeded sitting with three members present, a chair and their seats."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.db_url = f"sqlite:///{tmp / 'hall.db'}"
        self.server = ServerProcess(self.db_url, tmp / "srv")
        self.keys_dir = tmp / "keys"
        self.archive = tmp / "archive"
        self.heard = Heard()
        self.clients: list[HallClient] = []

    async def open(self, members: int = 3) -> None:
        self.server.start()
        clerk = HallClient(self.server.url, Role.CLERK, self.server.admin_token)
        await clerk.connect()
        self.clients.append(clerk)
        prefix = f"r{uuid.uuid4().hex[:6]}"
        self.seeded: Seeded = await seed_senate(
            clerk, seats=members, prefix=prefix, commission=False, keys=folder_keys(self.keys_dir)
        )
        self.chair = HallClient(self.server.url, Role.CHAIR, self.seeded.device("chair"))
        await self.chair.connect()
        await self.chair.follow(self.sitting)
        self.clients.append(self.chair)
        self.seats = []
        for m in self.seeded.members[:members]:
            seat = HallClient(self.server.url, Role.SEAT, self.seeded.device(f"seat-{m.seat}"))
            await seat.connect()
            self.seats.append(seat)
            self.clients.append(seat)
        await self.chair.command(self.sitting, OpenSitting(without_quorum=True))
        for seat, m in zip(self.seats, self.seeded.members, strict=False):
            await seat.command(self.sitting, CheckIn(member_id=m.member_id, pin=m.pin))
        await self.chair.command(self.sitting, NextItem())
        # The first seat watches captions and the floor, stamping arrivals.
        watcher = self.seats[0]
        watcher.sio.on("caption", self._caption, namespace="/seat")
        watcher.hooks.append(self._record)
        await watcher.follow(self.sitting)

    def _caption(self, data: dict[str, Any]) -> None:
        self.heard.captions.append((time.time(), data))

    def _record(self, record: Record) -> None:
        if record.event.type == "floor.stopped":
            self.heard.stops.setdefault(record.event.turn_id, time.time())  # type: ignore[union-attr]

    @property
    def sitting(self) -> str:
        return self.seeded.plenary

    @property
    def recorder_key(self) -> Path:
        self.seeded.device("recorder")  # made (and enrolled) by seeding
        return self.keys_dir / f"{self.seeded.prefix}-recorder.pem"

    def member(self, i: int) -> str:
        return self.seeded.members[i].member_id

    def recorder(self, replay: ReplayDevice, engine: str, name: str = "recorder") -> RecorderProcess:
        return RecorderProcess(
            self.server.url, self.recorder_key, replay, self.archive, self.sitting, engine,
            self.tmp / f"{name}.log",
        )

    def state(self) -> SittingState:
        state = self.chair.states[self.sitting]
        assert isinstance(state, SittingState)
        return state

    async def speak(self, i: int, origin: float, start: float, end: float) -> str:
        """Member ``i`` has the floor for the speech at ``[start, end]`` s of the feed."""
        await sleep_until(origin + start - LEAD)
        ack = await self.chair.command(self.sitting, GrantFloor(member_id=self.member(i)))
        await sleep_until(origin + end + LAG)
        await self.chair.command(self.sitting, StopSpeech(member_id=self.member(i)))
        return str(ack["turn_id"])

    async def wait_segments(self, count: int, timeout: float = 60) -> list[SegmentAdded]:
        await self.chair.wait_for(self.sitting, lambda s: len(s.transcript) >= count, timeout)  # type: ignore[union-attr]
        return [s.added for s in self.state().transcript.values()]

    def stored(self) -> list[tuple[Record, SegmentAdded]]:
        """Every segment in the server's log, read straight from the database."""
        log = EventLog(self.db_url)
        try:
            return [(r, r.event) for r in log.records(self.sitting) if isinstance(r.event, SegmentAdded)]
        finally:
            log.close()

    def floor(self) -> dict[str, tuple[int, int | None]]:
        """Turn id -> (granted at_ms, stopped at_ms), from the server's log."""
        log = EventLog(self.db_url)
        try:
            turns: dict[str, tuple[int, int | None]] = {}
            for r in log.records(self.sitting):
                e = r.event
                if e.type == "floor.granted":
                    turns[e.turn_id] = (r.at_ms, None)  # type: ignore[union-attr]
                elif e.type == "floor.stopped":
                    turns[e.turn_id] = (turns[e.turn_id][0], r.at_ms)  # type: ignore[union-attr]
            return turns
        finally:
            log.close()

    async def close(self) -> None:
        for c in self.clients:
            with contextlib.suppress(Exception):
                await c.close()
        self.server.stop()

