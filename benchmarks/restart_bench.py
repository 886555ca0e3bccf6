"""Restart cost of a long sitting: rebuild from the latest snapshot vs a full replay.

    .venv/bin/python benchmarks/restart_bench.py [--events 100000] [--out benchmarks/RESTART.md]

Writes N events (notices, floor requests and withdrawals) through the domain
into a SQLite log, with a snapshot every 1,000 events as the hall keeps them,
then times `rebuild` (what `hemicycle serve` does on start) with and without
snapshots. The bare baseline is reading the same rows with no folding.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.hall_bench import machine  # noqa: E402
from hall_server.hall import SNAPSHOT_EVERY, rebuild, seal_records  # noqa: E402
from hall_server.store import EventLog  # noqa: E402
from procedure import Context, decide, dump_state, fold  # noqa: E402
from protocol.commands import CheckIn, OpenSitting, PostNotice, RequestFloor, WithdrawRequest  # noqa: E402
from protocol.events import Actor  # noqa: E402
from protocol.types import Role  # noqa: E402
from tests.test_log_contract import created_sitting  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--events", type=int, default=100_000)
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "RESTART.md"))
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        log = EventLog(f"sqlite:///{tmp}/hall.db")
        registry, state, batch = created_sitting("long", members=3)
        chair = Context(Actor(role=Role.CHAIR, device_id="c"), now_ms=1)
        clerk = Context(Actor(role=Role.CLERK, device_id="k"), now_ms=1)
        cmds = [(OpenSitting(without_quorum=True), chair)] + [(CheckIn(member_id=f"m{i}"), clerk) for i in range(3)]
        bar = tqdm(total=args.events, desc="writing events", unit="ev", file=sys.stderr)
        n = 0
        while state.seq < args.events:
            if cmds:
                cmd, ctx = cmds.pop(0)
            else:
                kind = n % 3
                if kind == 0:
                    cmd = PostNotice(text=f"ការជូនដំណឹង {n}")
                elif kind == 1:
                    cmd = RequestFloor(member_id=f"m{n % 3}")
                else:
                    cmd = WithdrawRequest(member_id=f"m{(n - 1) % 3}")
                ctx = chair
                n += 1
            recs = seal_records("long", state, decide(state, cmd, ctx, registry), ctx, None)
            for r in recs:
                state = fold(state, r)
            batch += recs
            bar.update(len(recs))
            if state.seq // SNAPSHOT_EVERY > (state.seq - len(recs)) // SNAPSHOT_EVERY:
                log.append(batch, [])
                batch = []
                log.save_snapshot("long", state.seq, dump_state(state))
            elif len(batch) >= 2000:
                log.append(batch, [])
                batch = []
        log.append(batch, [])
        bar.close()
        t0 = time.perf_counter()
        with log.engine.connect() as c:
            rows = c.execute(text("SELECT record FROM events WHERE stream='long' ORDER BY seq")).all()
        bare = time.perf_counter() - t0
        t0 = time.perf_counter()
        fast = rebuild(log, "long")
        with_snap = time.perf_counter() - t0
        with log.engine.begin() as c:
            c.execute(text("DELETE FROM snapshots"))
        t0 = time.perf_counter()
        full = rebuild(log, "long")
        without = time.perf_counter() - t0
        assert fast == full == state
        log.close()
    report = "\n".join([
        "# Restart of a long sitting",
        "",
        f"Machine: {machine()}. Run: `.venv/bin/python benchmarks/restart_bench.py --events {args.events}`.",
        "",
        "| what | seconds |",
        "|---|---:|",
        f"| rebuild from latest snapshot + tail ({len(rows)} events, snapshot every {SNAPSHOT_EVERY}) "
        f"| {with_snap:.3f} |",
        f"| full replay, every link re-hashed and folded | {without:.2f} |",
        f"| bare baseline: read the {len(rows)} rows, no parsing | {bare:.2f} |",
        "",
    ])
    Path(args.out).write_text(report)
    print(report)


if __name__ == "__main__":
    main()
