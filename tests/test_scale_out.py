"""Two workers, one PostgreSQL, one Redis: the same code scaled out.

Clients on either worker run one sitting together: commands land on both,
records fan out through Redis, every worker catches up from the log before
deciding, and the record verifies as if one server had run it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from hall_server.export import export_json, verify_export
from hall_server.store import EventLog
from hemicycle.seed import seed_senate
from procedure import SittingState
from protocol.commands import CheckIn, CloseVote, GrantFloor, NextItem, OpenSitting, OpenVote, RequestFloor, StopSpeech
from protocol.types import Role
from seat_client.client import HallClient
from seat_client.identity import DeviceKey
from tests.hall import ServerProcess
from tests.services import fresh_database, redis_server


@pytest.fixture
def workers(pg_server: str, tmp_path: Path) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    with fresh_database(pg_server) as db, redis_server() as redis:
        key = tmp_path / "server.key"
        a = ServerProcess(db, tmp_path / "a", extra=("--redis", redis, "--server-key", str(key)))
        a.start()
        b = ServerProcess(db, tmp_path / "b", extra=("--redis", redis, "--server-key", str(key)))
        b.start()
        yield a, b
        a.stop()
        b.stop()


async def test_a_sitting_runs_across_two_workers(workers: tuple[ServerProcess, ServerProcess]) -> None:
    a, b = workers
    clerk = HallClient(a.url, Role.CLERK, a.admin_token)
    await clerk.connect()
    seeded = await seed_senate(clerk, seats=6, prefix="so", commission=False)
    sitting = seeded.plenary
    # The chair is on worker B, which never saw the seeding happen.
    chair = HallClient(b.url, Role.CHAIR, seeded.device("chair"))
    await chair.connect()
    await chair.follow(sitting)
    await chair.command(sitting, OpenSitting(without_quorum=True))
    seats = []
    for i, m in enumerate(seeded.members):
        seat = HallClient((a if i % 2 else b).url, Role.SEAT, seeded.device(f"seat-{m.seat}"))
        await seat.connect()
        await seat.follow(sitting)
        await seat.command(sitting, CheckIn(member_id=m.member_id, pin=m.pin))
        seats.append(seat)
    await chair.command(sitting, NextItem())
    await asyncio.gather(*(s.command(sitting, RequestFloor(member_id=m.member_id))
                           for s, m in zip(seats, seeded.members, strict=True)))
    for m in seeded.members[:3]:
        await chair.command(sitting, GrantFloor(member_id=m.member_id))
        await chair.command(sitting, StopSpeech(member_id=m.member_id))
    await chair.command(sitting, OpenVote(without_quorum=True, vote_id="v1", motion_km="សំណើ", motion_en="Motion"))

    async def vote(s: HallClient, m: object) -> None:
        assert isinstance(s.identity, DeviceKey)
        await s.command(sitting, s.identity.ballot(sitting, "v1", m.member_id, m.seat, "yes"))  # type: ignore[attr-defined]

    await asyncio.gather(*(vote(s, m) for s, m in zip(seats, seeded.members, strict=True)))
    ack = await chair.command(sitting, CloseVote(vote_id="v1"))

    # Every client, on either worker, converges on the same chain.
    for c in [chair, *seats]:
        await c.wait_for(sitting, lambda s: s.seq >= ack["seq"])
    heads = {c.states[sitting].head for c in [chair, *seats]}
    assert len(heads) == 1
    state = chair.states[sitting]
    assert isinstance(state, SittingState)
    assert state.votes["v1"].result is not None and state.votes["v1"].result.counts["yes"] == 6
    # Both workers' views agree with it.
    views = [await c.call("view", {"stream": sitting}) for c in (seats[0], seats[1])]
    assert {v["view"]["seq"] for v in views} == {state.seq}
    log = EventLog(a.db_url)
    doc = export_json(log, sitting)
    log.close()
    assert verify_export(doc)[1] is None
    for c in [clerk, chair, *seats]:
        await c.close()
