"""Nothing acknowledged is lost: kill -9 the server mid-sitting, restart, look."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
import uuid
from pathlib import Path

from hall_server.hall import rebuild
from hall_server.store import EventLog
from hemicycle.seed import seed_senate
from procedure import SittingState
from protocol.commands import (
    REGISTRY_STREAM,
    CheckIn,
    OpenSitting,
    PostNotice,
    RegisterMember,
    RequestFloor,
    WithdrawRequest,
)
from protocol.errors import ProtocolError
from protocol.types import Role
from seat_client.client import HallClient
from tests.hall import ServerProcess


async def test_kill9_mid_sitting_keeps_every_acknowledged_command(server: ServerProcess) -> None:
    clerk = HallClient(server.url, Role.CLERK, server.admin_token)
    await clerk.connect()
    prefix = f"k{uuid.uuid4().hex[:6]}"
    seeded = await seed_senate(clerk, seats=6, prefix=prefix, commission=False)
    sitting = seeded.plenary
    chair = HallClient(server.url, Role.CHAIR, seeded.device("chair"), give_up_after=3)
    await chair.connect()
    await chair.command(sitting, OpenSitting(without_quorum=True))
    seats = []
    for m in seeded.members:
        c = HallClient(server.url, Role.SEAT, seeded.device(f"seat-{m.seat}"), give_up_after=3)
        await c.connect()
        await c.command(sitting, CheckIn(member_id=m.member_id, pin=m.pin))
        seats.append(c)

    acked: dict[str, int] = {}  # command id -> seq in its ack
    notices: dict[str, str] = {}  # the chair's acknowledged command ids -> the notice's text

    async def stream_of_commands(client: HallClient, member_id: str | None) -> None:
        for i in range(10_000):
            cid = uuid.uuid4().hex
            if member_id is None:
                cmd: object = PostNotice(text=f"notice {i}")
            elif i % 2 == 0:
                cmd = RequestFloor(member_id=member_id)
            else:
                cmd = WithdrawRequest(member_id=member_id)
            try:
                ack = await client.command(sitting, cmd, command_id=cid)
            except ProtocolError:
                continue
            except Exception:
                return  # the server is gone
            acked[cid] = int(ack["seq"])
            if member_id is None:
                notices[cid] = f"notice {i}"

    writers = [asyncio.create_task(stream_of_commands(chair, None))]
    writers += [
        asyncio.create_task(stream_of_commands(c, m.member_id))
        for c, m in zip(seats, seeded.members, strict=True)
    ]
    while len(acked) < 150:
        await asyncio.sleep(0.01)
    server.kill9()
    await asyncio.gather(*writers)
    for c in [clerk, chair, *seats]:
        with contextlib.suppress(Exception):
            await c.close()
    assert len(acked) >= 150

    # Straight from the database: every acknowledged command is in the log.
    log = EventLog(server.db_url)
    try:
        stored = {r.command_id: r.seq for r in log.iter_records(sitting)}
        missing = [cid for cid in acked if cid not in stored]
        assert missing == [], f"{len(missing)} acknowledged commands lost"
        assert all(stored[cid] == seq for cid, seq in acked.items() if cid in stored)
        state = rebuild(log, sitting)
        assert isinstance(state, SittingState)
        assert state.seq >= max(acked.values())
    finally:
        log.close()

    # And the restarted server serves that state and remembers the answers.
    server.start()
    chair = HallClient(server.url, Role.CHAIR, seeded.device("chair"))
    await chair.connect()
    followed = await chair.follow(sitting)
    assert followed.seq == state.seq and followed.head == state.head
    cid, text = next(iter(notices.items()))
    again = await chair.call("command", {"id": cid, "stream": sitting,
                                         "cmd": {"type": "sitting.notice", "text": text}})
    assert again["ok"] and again["replayed"] and again["seq"] == acked[cid]
    other = await chair.call("command", {"id": cid, "stream": sitting,
                                         "cmd": {"type": "sitting.notice", "text": "another text"}})
    assert not other["ok"] and other["error"]["code"] == "conflict"
    await chair.close()


async def test_a_command_in_flight_when_the_server_dies_is_sent_again_on_reconnect(tmp_path: Path) -> None:
    """Its answer never comes: the client re-sends as soon as it is connected again, not after
    ``call_timeout`` (a chaos campaign found every re-send after a kill -9 stalled 10 s on it)."""
    server = ServerProcess(f"sqlite:///{tmp_path / 'hall.db'}", tmp_path / "srv")
    server.start()
    clerk = HallClient(server.url, Role.CLERK, server.admin_token, call_timeout=120, give_up_after=120)
    await clerk.connect()
    try:
        assert server.proc is not None
        server.proc.send_signal(signal.SIGSTOP)  # frozen: the command goes out and no answer comes
        sent = asyncio.create_task(clerk.command(REGISTRY_STREAM, RegisterMember(
            member_id="m1", name_km="សមាជិក", name_latin="Member", group="G"), command_id="in-flight-1"))
        await asyncio.sleep(0.5)
        assert not sent.done()
        server.kill9()
        server.start()
        restarted = time.monotonic()
        ack = await asyncio.wait_for(sent, 60)
        assert time.monotonic() - restarted < 30  # well inside call_timeout: re-sent on reconnect
        assert ack["ok"] and ack["seq"] == 1
    finally:
        await clerk.close()
        server.stop()
    log = EventLog(f"sqlite:///{tmp_path / 'hall.db'}")
    assert [r.command_id for r in log.records(REGISTRY_STREAM)] == ["in-flight-1"]
    log.close()
