"""Devices follow the sitting, over real sockets (issue 12): the clerk routes the hall's devices
to a sitting with one command, each connected device is told at once and follows it without
pairing again; a chair routed elsewhere is refused; a reassigned seat acts at its new seat;
a revoked device is told and leaves at once; edits carry their author in the log."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from pathlib import Path

import pytest

from hemicycle.seed import seed_senate
from protocol.commands import (
    REGISTRY_STREAM,
    AddItem,
    CheckIn,
    CloseSitting,
    CreateSitting,
    EditSitting,
    OpenSitting,
    ReassignDevice,
    RevokeDevice,
    RouteDevices,
)
from protocol.errors import ErrorCode, ProtocolError
from protocol.types import Body, Role
from seat_client.client import HallClient
from tests.hall import ServerProcess


async def eventually(check: object, timeout: float = 5.0) -> float:
    """Seconds until ``check()`` is true; fails after ``timeout``."""
    started = time.monotonic()
    while not check():  # type: ignore[operator]
        assert time.monotonic() - started < timeout, "not reached in time"
        await asyncio.sleep(0.02)
    return time.monotonic() - started


async def test_devices_follow_their_route(tmp_path: Path) -> None:
    srv = ServerProcess(f"sqlite:///{tmp_path / 'hall.db'}", tmp_path / "srv")
    srv.start()
    clients: list[HallClient] = []
    try:
        clerk = HallClient(srv.url, Role.CLERK, srv.admin_token)
        await clerk.connect()
        clients.append(clerk)
        seeded = await seed_senate(clerk, seats=3, prefix=f"r{uuid.uuid4().hex[:4]}", commission=False)
        m, first = seeded.members, seeded.plenary
        second, done = f"{seeded.prefix}-second", f"{seeded.prefix}-done"
        for stream, number in ((second, 2), (done, 3)):
            await clerk.command(stream, CreateSitting(body=Body.COMMISSION, number=number, title_km="គណៈកម្មការ",
                                                      title_en="Commission", date="2026-01-05", place="Room 9"))
        await clerk.command(second, AddItem(item_id="i1", title_km="ក", title_en="One"))
        seat_key, chair_key, display_key = (seeded.device(f"seat-{m[0].seat}"), seeded.device("chair"),
                                            seeded.device("display"))
        seat = HallClient(srv.url, Role.SEAT, seat_key)
        display = HallClient(srv.url, Role.DISPLAY, display_key)
        chair = HallClient(srv.url, Role.CHAIR, chair_key)
        for c in (seat, display, chair):
            await c.connect()
            clients.append(c)
            await c.sittings()
            assert c.route is None
            await c.follow(first)

        # one command routes the hall's seats, console and display; each follows at once
        ack = await clerk.command(REGISTRY_STREAM, RouteDevices(stream=second))
        assert ack["events"] == ["device.routed"]
        followed = [await eventually(lambda c=c: c.route == second and second in c.states
                                     and c.states[second].seq > 0) for c in (seat, display, chair)]
        print(f"\nrouted devices followed in {max(followed) * 1000:.0f} ms (slowest of 3)")
        routed = (await clerk.follow(REGISTRY_STREAM)).devices  # type: ignore[union-attr]
        assert {routed[f"{seeded.prefix}-{d}"].route for d in ("chair", "display", f"seat-{m[2].seat}")} == {second}
        assert routed[f"{seeded.prefix}-recorder"].route is None
        await seat.sittings()
        assert seat.route == second  # a page starting afresh is told its route too

        # the console acts on its sitting, and is refused on another: "a chair of another sitting"
        await chair.command(second, OpenSitting(without_quorum=True))
        with pytest.raises(ProtocolError) as refused:
            await chair.command(first, OpenSitting(without_quorum=True))
        assert (refused.value.code, refused.value.details["routed_to"]) == (ErrorCode.FORBIDDEN, second)

        # a closed sitting, or one that does not exist, takes no device
        with pytest.raises(ProtocolError) as refused:
            await clerk.command(REGISTRY_STREAM, RouteDevices(stream="nowhere"))
        assert refused.value.code is ErrorCode.UNKNOWN_SITTING
        await chair.command(second, CloseSitting())
        with pytest.raises(ProtocolError) as refused:
            await clerk.command(REGISTRY_STREAM, RouteDevices(stream=second))
        assert refused.value.code is ErrorCode.INVALID_STATE

        # the chair moves its hall on to the next sitting itself
        await chair.command(REGISTRY_STREAM, RouteDevices(stream=done))
        await eventually(lambda: seat.route == done and display.route == done and chair.route == done)

        # a reassigned seat acts at its new seat at once, on the same connection
        new_seat = "S-new"
        await clerk.command(REGISTRY_STREAM, ReassignDevice(device_id=f"{seeded.prefix}-seat-{m[0].seat}",
                                                            seat=new_seat))
        await seat.command(done, CheckIn(member_id=m[0].member_id, pin=m[0].pin))
        await seat.wait_for(done, lambda s: m[0].member_id in s.presence)  # type: ignore[attr-defined]
        assert seat.states[done].presence[m[0].member_id].seat == new_seat  # type: ignore[attr-defined]

        # every edit carries its author in the log
        await clerk.command(done, EditSitting(place="Room 10"))
        await clerk.follow(done)
        edited = [r for r in (await clerk_records(clerk, done)) if r["event"]["type"] == "sitting.edited"]
        assert edited[0]["actor"] == {"role": "clerk", "device_id": "admin", "member_id": None}

        # revoked: told at once, and the connection is closed
        await clerk.command(REGISTRY_STREAM, RevokeDevice(device_id=f"{seeded.prefix}-display"))
        await eventually(lambda: display.revoked and not display.connected)
    finally:
        for c in clients:
            with contextlib.suppress(Exception):
                await c.close()
        srv.stop()


async def clerk_records(clerk: HallClient, stream: str) -> list[dict[str, object]]:
    ack = await clerk.call("sync", {"stream": stream, "after": 0})
    return list(ack["records"])
