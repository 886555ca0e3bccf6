"""Control-plane benchmark: fan-out and ballot acks at N seats, beside bare python-socketio.

    .venv/bin/python benchmarks/hall_bench.py --seats 62 500 1500 [--out benchmarks/HALL.md]

For each N it measures, in the same run and on the same machine:
  * broadcast: the chair's command -> the record at every seat (one sample per seat),
    beside a bare python-socketio server emitting one message to the same N clients;
  * ballots: N seats cast signed ballots at once -> ack latency per ballot;
  * tally: `verify` of a sitting with N signed ballots, beside a bare loop of N
    `cryptography` Ed25519 verifications.
All traffic stays on 127.0.0.1; every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import socketio
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hall_server.export import export_json, verify_export  # noqa: E402
from hall_server.store import EventLog  # noqa: E402
from hemicycle.seed import seed_senate  # noqa: E402
from protocol.commands import CheckIn, CloseVote, NextItem, OpenSitting, OpenVote, PostNotice  # noqa: E402
from protocol.types import Role  # noqa: E402
from seat_client.client import HallClient  # noqa: E402
from seat_client.identity import DeviceKey  # noqa: E402
from tests.hall import ServerProcess  # noqa: E402
from tests.services import free_port  # noqa: E402


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(values: list[float]) -> str:
    return f"p50 {statistics.median(values):.1f} ms, p99 {pct(values, 99):.1f} ms (n={len(values)})"


async def connect_all(clients: list[HallClient], desc: str) -> None:
    bar = tqdm(total=len(clients), desc=desc, file=sys.stderr)
    for i in range(0, len(clients), 50):
        await asyncio.gather(*(c.connect(wait_timeout=60) for c in clients[i : i + 50]))
        bar.update(len(clients[i : i + 50]))
    bar.close()


# -- bare python-socketio baseline ----------------------------------------------------


def bare_server(port: int) -> subprocess.Popen[bytes]:
    code = f"""
import socketio, uvicorn
sio = socketio.AsyncServer(async_mode="asgi")
@sio.on("join")
async def join(sid, data):
    await sio.enter_room(sid, "hall")
    return True
@sio.on("echo")
async def echo(sid, data):
    return {{"ok": True, "seq": 1}}
@sio.on("ping_all")
async def ping_all(sid, data):
    await sio.emit("msg", data, room="hall")
    return True
uvicorn.run(socketio.ASGIApp(sio), host="127.0.0.1", port={port}, log_level="error", ws="websockets-sansio")
"""
    return subprocess.Popen([sys.executable, "-c", code])


async def bare_broadcast(n: int, rounds: int) -> tuple[list[float], list[float]]:
    port = free_port()
    proc = bare_server(port)
    try:
        await asyncio.sleep(1.5)
        got: dict[int, float] = {}
        clients = []
        for i in range(n):
            c = socketio.AsyncClient()

            def handler(data: Any, i: int = i) -> None:
                got[i] = time.perf_counter()

            c.on("msg", handler)
            clients.append(c)
        bar = tqdm(total=n, desc=f"bare clients {n}", file=sys.stderr)
        for i in range(0, n, 50):
            await asyncio.gather(*(c.connect(f"http://127.0.0.1:{port}", transports=["websocket"])
                                   for c in clients[i : i + 50]))
            bar.update(len(clients[i : i + 50]))
        bar.close()
        await asyncio.gather(*(c.call("join", {}) for c in clients))
        samples: list[float] = []
        for r in range(rounds):
            got.clear()
            start = time.perf_counter()
            await clients[0].call("ping_all", {"round": r, "pad": "x" * 400})
            deadline = time.monotonic() + 30
            while len(got) < n and time.monotonic() < deadline:
                await asyncio.sleep(0.001)
            samples += [(t - start) * 1000 for t in got.values()]

        async def echo(c: socketio.AsyncClient) -> float:
            t0 = time.perf_counter()
            await c.call("echo", {"ballot": "x" * 330, "signature": "0" * 128})
            return (time.perf_counter() - t0) * 1000

        acks = list(await asyncio.gather(*(echo(c) for c in clients)))
        await asyncio.gather(*(c.disconnect() for c in clients))
        return samples, acks
    finally:
        proc.terminate()
        proc.wait(10)


# -- the hall ------------------------------------------------------------------------


async def hall_run(n: int, rounds: int, tmp: Path) -> dict[str, Any]:
    srv = ServerProcess(f"sqlite:///{tmp / f'hall-{n}.db'}", tmp / f"srv-{n}")
    srv.start()
    try:
        clerk = HallClient(srv.url, Role.CLERK, srv.admin_token)
        await clerk.connect()
        seeded = await seed_senate(clerk, seats=n, prefix=f"b{uuid.uuid4().hex[:5]}", commission=False)
        sitting = seeded.plenary
        chair = HallClient(srv.url, Role.CHAIR, seeded.device("chair"), call_timeout=60)
        await chair.connect()
        seats = [HallClient(srv.url, Role.SEAT, seeded.device(f"seat-{m.seat}"), call_timeout=60,
                            give_up_after=120) for m in seeded.members[:n]]
        await connect_all(seats, f"hall seats {n}")
        await chair.command(sitting, OpenSitting(without_quorum=True))
        bar = tqdm(total=n, desc="check-in", file=sys.stderr)
        for i in range(0, n, 100):
            await asyncio.gather(*(c.command(sitting, CheckIn(member_id=m.member_id, pin=m.pin))
                                   for c, m in zip(seats[i : i + 100], seeded.members[i : i + 100], strict=True)))
            bar.update(len(seats[i : i + 100]))
        bar.close()
        await chair.command(sitting, NextItem())
        # Ballots first, while seats follow nothing: every seat casts at once; send -> ack.
        vote = f"v{uuid.uuid4().hex[:6]}"
        await chair.command(sitting, OpenVote(without_quorum=True, vote_id=vote, motion_km="សំណើ", motion_en="Motion"))
        ballots = []
        for c, m in zip(seats, seeded.members, strict=True):
            assert isinstance(c.identity, DeviceKey)
            ballots.append(c.identity.ballot(sitting, vote, m.member_id, m.seat, "yes"))

        async def cast(c: HallClient, b: Any) -> float:
            t0 = time.perf_counter()
            await c.command(sitting, b)
            return (time.perf_counter() - t0) * 1000

        t0 = time.perf_counter()
        acks = await asyncio.gather(*(cast(c, b) for c, b in zip(seats, ballots, strict=True)))
        all_in = time.perf_counter() - t0
        await chair.command(sitting, CloseVote(vote_id=vote))
        # Join every seat to the sitting's room at the current head (no backlog to replay).
        head = (await chair.follow(sitting)).seq
        for i in range(0, n, 100):
            await asyncio.gather(*(c.call("sync", {"stream": sitting, "after": head}) for c in seats[i : i + 100]))

        # Broadcast: time from sending the chair's command to the record arriving at each
        # seat's socket (before the client library parses it, as the baseline measures).
        arrived: dict[int, float] = {}
        for i, c in enumerate(seats):
            c.sio.on("records", lambda data, i=i: arrived.__setitem__(i, time.perf_counter()), namespace="/seat")
        bcast: list[float] = []
        for r in range(rounds):
            arrived.clear()
            start = time.perf_counter()
            await chair.command(sitting, PostNotice(text=f"ការជូនដំណឹង {r} " + "x" * 300))
            deadline = time.monotonic() + 15
            while len(arrived) < n and time.monotonic() < deadline:
                await asyncio.sleep(0.001)
            if len(arrived) < n:
                print(f"round {r}: {len(arrived)}/{n} seats got the record; "
                      f"{sum(c.connected for c in seats)} connected", file=sys.stderr)
            bcast += [(t - start) * 1000 for t in arrived.values()]

        await asyncio.gather(*(c.close() for c in [clerk, chair, *seats]))
    finally:
        srv.stop()
    log = EventLog(srv.db_url)
    doc = export_json(log, sitting)
    log.close()
    t0 = time.perf_counter()
    _, finding = verify_export(doc)
    verify_s = time.perf_counter() - t0
    assert finding is None, finding
    return {"broadcast": bcast, "acks": list(acks), "all_ballots_s": all_in, "verify_s": verify_s,
            "events": len(doc["records"])}


def bare_verify(n: int) -> float:
    key = Ed25519PrivateKey.generate()
    pub = key.public_key()
    msgs = [os.urandom(120) for _ in range(n)]
    sigs = [key.sign(m) for m in msgs]
    t0 = time.perf_counter()
    for m, s in zip(msgs, sigs, strict=True):
        pub.verify(s, m)
    return time.perf_counter() - t0


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}, {platform.system()}"


async def main_async(args: argparse.Namespace) -> str:
    lines = [
        "# Control-plane benchmark",
        "",
        f"Machine: {machine()}. Run: `.venv/bin/python benchmarks/hall_bench.py --seats "
        f"{' '.join(map(str, args.seats))}` ({time.strftime('%Y-%m-%d')}).",
        "SQLite (WAL, synchronous=FULL) on local disk;",
        "server, seats and baseline share the same 2 cores, so seats' own CPU is part of every number.",
        "",
        "| seats | what | Hemicycle | bare baseline | ratio |",
        "|---:|---|---|---|---:|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.seats:
            bare, bare_acks = await bare_broadcast(n, args.rounds)
            hall = await hall_run(n, args.rounds, Path(tmp))
            bv = bare_verify(n)
            lines.append(f"| {n} | state change reaches every seat | {summary(hall['broadcast'])} | "
                         f"{summary(bare)} (raw python-socketio room emit) | "
                         f"{statistics.median(hall['broadcast']) / statistics.median(bare):.1f}× |")
            lines.append(f"| {n} | signed ballot -> ack (verified, committed), all seats at once | "
                         f"{summary(hall['acks'])}; all in {hall['all_ballots_s']:.2f} s | {summary(bare_acks)} "
                         f"(raw python-socketio call, server answers at once) | "
                         f"{statistics.median(hall['acks']) / statistics.median(bare_acks):.1f}× |")
            lines.append(f"| {n} | `verify` of the sitting ({hall['events']} records, {n} signed ballots) | "
                         f"{hall['verify_s'] * 1000:.0f} ms | {bv * 1000:.0f} ms ({n} bare Ed25519 verifications) | "
                         f"{hall['verify_s'] / bv:.1f}× |")
    return "\n".join(lines) + "\n"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seats", type=int, nargs="+", default=[62, 500])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "HALL.md"))
    args = p.parse_args()
    report = asyncio.run(main_async(args))
    Path(args.out).write_text(report)
    print(report)


if __name__ == "__main__":
    main()
