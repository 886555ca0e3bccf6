"""Fault campaigns against a sitting with votes streaming (see tests/chaos.py; figures in docs/RELIABILITY.md).

Short here (`make test`); `make chaos` runs each with ``HEMICYCLE_CHAOS_TRIALS=50``. The recorder
killed mid-turn is tests/recorder/test_recorder_restart.py (``HEMICYCLE_CHAOS_TRIALS`` repeats it).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import random
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tqdm import tqdm

from protocol.commands import CommandEnvelope, PostNotice
from tests.chaos import LONG, START_S, Figures, Sitting, assert_kept, refusals, settle, trials
from tests.hall import ServerProcess
from tests.services import PostgresProcess, RedisProcess, fresh_database

pytestmark = pytest.mark.slow
LONG_FAULTS = 10  # the PostgreSQL, Redis and disk faults in `make chaos` (each takes seconds to inject)


async def stream_through(sitting: Sitting, faults: int, desc: str, inject: object) -> float:
    """Run ``inject(trial)`` ``faults`` times while votes stream, each after a random number of
    acknowledgements; returns the seconds it took."""
    stop = asyncio.Event()
    streaming = asyncio.create_task(sitting.stream(stop))
    started = time.monotonic()
    try:
        for trial in tqdm(range(faults), desc=desc, unit="fault"):
            await sitting.acks_reach(len(sitting.acked) + random.randint(5, 120))
            await inject(trial)  # type: ignore[operator]
        await sitting.acks_reach(len(sitting.acked) + 30)  # and the sitting goes on afterwards
    finally:
        stop.set()
        await streaming
    return time.monotonic() - started


async def one_server_campaign(
    sitting: Sitting, server: ServerProcess, figures: Figures, db: str, desc: str, inject: object
) -> float:
    """``stream_through``, then the server's own refusal counts, the audit, and whether it stayed up."""
    try:
        seconds = await stream_through(sitting, figures.trials, desc, inject)
        figures.extra["refused_by_server"] = refusals(server.url, server.admin_token)
        await settle(sitting, figures, db)
        figures.extra["server_alive"] = server.proc is not None and server.proc.poll() is None
    finally:
        await sitting.close()
        server.stop()
    return seconds


@pytest.mark.parametrize("db_url", ["sqlite", "postgres"] if LONG else ["sqlite"], indirect=True)
async def test_kill9_of_the_server_while_votes_stream(db_url: str, tmp_path: Path) -> None:
    """SIGKILL at random moments; each restart serves the same sitting and the clients re-send."""
    server = ServerProcess(db_url, tmp_path / "srv")
    server.start(START_S)
    figures = Figures("server kill -9", trials(2))
    sitting = await Sitting.open([server.url], server.admin_token)
    restarts: list[float] = []

    async def kill(_trial: int) -> None:
        await asyncio.sleep(random.uniform(0, 0.2))
        server.kill9()
        t0 = time.monotonic()
        await asyncio.get_running_loop().run_in_executor(None, server.start, START_S)
        restarts.append(time.monotonic() - t0)

    try:
        seconds = await stream_through(sitting, figures.trials, f"kill -9 ({db_url.split(':')[0]})", kill)
        await settle(sitting, figures, db_url)
    finally:
        await sitting.close()
        server.stop()
    figures.extra = {"backend": db_url.split(":")[0], "seconds": round(seconds, 1), "votes": sitting.rounds,
                     "restart_s_max": round(max(restarts), 2),
                     "restart_s_mean": round(sum(restarts) / len(restarts), 2)}
    figures.report()
    assert_kept(figures)


async def test_postgresql_restarted_while_votes_stream(tmp_path: Path) -> None:
    """Our own PostgreSQL stopped (fast, or immediate: crash recovery) and started again mid-sitting."""
    pg = PostgresProcess()
    pg.start()
    figures = Figures("PostgreSQL restart", trials(1, LONG_FAULTS))
    downtime: list[float] = []
    try:
        with fresh_database(pg.url) as db:
            server = ServerProcess(db, tmp_path / "srv")
            server.start(START_S)
            sitting = await Sitting.open([server.url], server.admin_token)

            async def restart(trial: int) -> None:
                pause = random.uniform(0.2, 2.0)
                loop = asyncio.get_running_loop()
                await loop.run_in_executor(None, lambda: pg.stop(fast=trial % 2 == 0))
                t0 = time.monotonic()
                await asyncio.sleep(pause)
                await loop.run_in_executor(None, pg.start)
                downtime.append(time.monotonic() - t0)

            seconds = await one_server_campaign(sitting, server, figures, db, "PostgreSQL restart", restart)
    finally:
        pg.remove()
    figures.extra.update({"seconds": round(seconds, 1), "votes": sitting.rounds,
                          "down_s_total": round(sum(downtime), 1)})
    figures.report()
    assert_kept(figures)
    assert figures.extra["server_alive"]
    assert "internal" not in figures.extra["refused_by_server"]


async def test_redis_killed_while_votes_stream(pg_server: str, tmp_path: Path) -> None:
    """Two workers fanning out through our own Redis; it is killed -9 and started again mid-sitting."""
    redis = RedisProcess()
    redis.start()
    figures = Figures("Redis kill -9", trials(1, LONG_FAULTS))
    try:
        with fresh_database(pg_server) as db:
            key = tmp_path / "server.key"
            workers = [ServerProcess(db, tmp_path / name, extra=("--redis", redis.url, "--server-key", str(key)))
                       for name in ("a", "b")]
            for w in workers:
                w.start(START_S)
            sitting = await Sitting.open([w.url for w in workers], workers[0].admin_token)

            async def kill(_trial: int) -> None:
                redis.kill9()
                await asyncio.sleep(random.uniform(0.5, 3.0))
                await asyncio.get_running_loop().run_in_executor(None, redis.start)

            try:
                seconds = await stream_through(sitting, figures.trials, "Redis kill -9", kill)
                # Then a quiet hall: Redis down, one notice on worker A, nothing after it.
                redis.kill9()
                ack = await sitting.chair.command(sitting.id, PostNotice(text="ការជូនដំណឹង"), command_id="quiet-notice")
                sitting.acked["quiet-notice"] = int(ack["seq"])
                state = await sitting.chair.wait_for(sitting.id, lambda s: s.seq >= sitting.acked["quiet-notice"])
                t0 = time.monotonic()
                figures.extra["converged_with_redis_down"] = await sitting.converged(state.seq, state.head, 10)
                figures.extra["quiet_converge_s"] = round(time.monotonic() - t0, 2)
                await asyncio.get_running_loop().run_in_executor(None, redis.start)
                await settle(sitting, figures, db)
                figures.extra["workers_alive"] = sum(w.proc is not None and w.proc.poll() is None for w in workers)
            finally:
                await sitting.close()
                for w in workers:
                    w.stop()
    finally:
        redis.stop()
    figures.extra.update({"seconds": round(seconds, 1), "votes": sitting.rounds})
    figures.report()
    assert_kept(figures)
    assert figures.extra["workers_alive"] == 2
    assert figures.extra["converged_with_redis_down"] == figures.clients


@contextlib.contextmanager
def small_disk(megabytes: int) -> Iterator[Path]:
    """A tmpfs of its own (we are root), unmounted afterwards."""
    where = Path(tempfile.mkdtemp(prefix="hc-disk-"))
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(where)], check=True)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)
        where.rmdir()


def fill(disk: Path) -> Path:
    """Write a ballast file until the disk refuses another byte."""
    ballast = disk / "ballast"
    with open(ballast, "wb", buffering=0) as f:
        for chunk in (1 << 16, 1 << 10, 1):
            try:
                while True:
                    f.write(b"\0" * chunk)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    return ballast


async def test_disk_full_under_the_sqlite_log(tmp_path: Path) -> None:
    """The disk under the SQLite file fills mid-sitting: commands get ``unavailable`` (``storage_full``),
    the server stays up, and when space returns the clients' re-sends are taken, once each."""
    figures = Figures("disk full under SQLite", trials(1, LONG_FAULTS))
    typed: list[dict[str, object]] = []
    recovered: list[float] = []
    with small_disk(16) as disk:
        db = f"sqlite:///{disk / 'hall.db'}"
        server = ServerProcess(db, tmp_path / "srv")
        server.start(START_S)
        sitting = await Sitting.open([server.url], server.admin_token)

        async def full(_trial: int) -> None:
            ballast = await asyncio.get_running_loop().run_in_executor(None, fill, disk)
            # A probe straight on the socket (no client-side re-send): the server's own answer.
            for _ in range(200):
                env = CommandEnvelope.model_validate({"id": os.urandom(8).hex(), "stream": sitting.id,
                                                      "cmd": PostNotice(text="probe " + "x" * 2000)})
                answer = await sitting.chair.sio.call("command", env.model_dump(mode="json"),
                                                      namespace=sitting.chair.namespace, timeout=10)
                if not answer["ok"]:
                    typed.append(answer["error"])
                    break
            await asyncio.sleep(random.uniform(0.2, 1.0))
            before = len(sitting.acked)
            ballast.unlink()
            t0 = time.monotonic()
            await sitting.acks_reach(before + 1)
            recovered.append(time.monotonic() - t0)

        seconds = await one_server_campaign(sitting, server, figures, db, "disk full", full)
    log = (tmp_path / "srv" / "server.log").read_text()
    figures.extra.update({"seconds": round(seconds, 1), "votes": sitting.rounds,
                          "probe_answers": sorted({f"{e['code']}/{e['details'].get('reason')}" for e in typed}),
                          "recover_s_max": round(max(recovered), 2),
                          "tracebacks_in_log": log.count("Traceback")})
    figures.report()
    assert_kept(figures)
    assert figures.extra["server_alive"]
    assert len(typed) == figures.trials, "a full disk never refused a command"
    assert figures.extra["probe_answers"] == ["unavailable/storage_full"]
    assert "internal" not in figures.extra["refused_by_server"]
    assert figures.extra["tracebacks_in_log"] == 0
