"""Fair share over real sockets: a flooding seat is told to wait (``rate_limited``
with a retry-after) and others are served; a device's connections share one
allowance; connections that never authenticate are capped per address and closed."""

from __future__ import annotations

import asyncio
import contextlib
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from hall_server.transport.fair import (
    AUTH_TIMEOUT_S,
    MAX_IGNORED,
    MAX_UNAUTHENTICATED_PER_SOURCE,
    RATES,
    Limiter,
    retry_after,
)
from hemicycle.seed import Seeded, seed_senate
from protocol.errors import ErrorCode
from protocol.types import Role
from seat_client.client import HallClient
from tests.hall import ServerProcess


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp: Path = tmp_path_factory.mktemp("fair")
    s = ServerProcess(f"sqlite:///{tmp / 'hall.db'}", tmp / "srv")
    s.start()
    yield s
    s.stop()


@pytest.fixture
async def seeded(srv: ServerProcess) -> AsyncIterator[Seeded]:
    clerk = HallClient(srv.url, Role.CLERK, srv.admin_token)
    await clerk.connect()
    yield await seed_senate(clerk, seats=3, prefix=f"r{uuid.uuid4().hex[:4]}", commission=False)
    await clerk.close()


async def flood(c: HallClient, n: int) -> list[dict[str, Any]]:
    """``n`` messages at once, without the client's polite back-off."""
    return list(await asyncio.gather(*(c.sio.call("streams", {}, namespace=c.namespace) for _ in range(n))))


async def test_a_flooding_seat_is_told_to_wait_and_others_are_served(srv: ServerProcess, seeded: Seeded) -> None:
    m = seeded.members
    flooder = HallClient(srv.url, Role.SEAT, seeded.device(f"seat-{m[0].seat}"))
    other = HallClient(srv.url, Role.SEAT, seeded.device(f"seat-{m[1].seat}"))
    twin = HallClient(srv.url, Role.SEAT, seeded.device(f"seat-{m[0].seat}"))  # the same device again
    for c in (flooder, other, twin):
        await c.connect()
    try:
        burst, rate = int(RATES[Role.SEAT].burst), RATES[Role.SEAT].per_second
        started = time.monotonic()
        answers = [a for both in await asyncio.gather(flood(flooder, burst + 30), flood(twin, burst + 30))
                   for a in both]
        elapsed = time.monotonic() - started
        refused = [a for a in answers if not a["ok"]]
        for a in refused:
            assert a["error"]["code"] == ErrorCode.RATE_LIMITED
            assert 0 < a["error"]["details"]["retry_after_s"] <= 1
        # The device's two connections share one allowance: its burst and what came back meanwhile, never two
        # bursts (a bound in the flood's own time, so a slow server does not make it fail).
        served = len(answers) - len(refused)
        assert refused and burst <= served <= burst + rate * elapsed + 1, (served, elapsed)
        assert (await other.sio.call("streams", {}, namespace=other.namespace))["ok"]  # not hurt
        # The client waits as told, then is served.
        assert (await flooder.call("streams", {}))["ok"]
        assert flooder.connected and other.connected
    finally:
        for c in (flooder, other, twin):
            await c.close()


async def test_a_seat_that_ignores_rate_limited_is_disconnected(srv: ServerProcess, seeded: Seeded) -> None:
    m = seeded.members
    flooder = HallClient(srv.url, Role.SEAT, seeded.device(f"seat-{m[0].seat}"))
    other = HallClient(srv.url, Role.SEAT, seeded.device(f"seat-{m[1].seat}"))
    for c in (flooder, other):
        await c.connect()
    try:
        dropped = asyncio.Event()
        flooder.sio.on("disconnect", lambda *args: dropped.set(), namespace=flooder.namespace)
        await asyncio.gather(*(flooder.sio.call("streams", {}, namespace=flooder.namespace, timeout=5)
                               for _ in range(int(RATES[Role.SEAT].burst) + MAX_IGNORED + 20)),
                             return_exceptions=True)
        await asyncio.wait_for(dropped.wait(), 5)
        assert (await other.call("streams", {}))["ok"] and other.connected
        assert "ignores rate_limited" in (srv.data / "server.log").read_text()
    finally:
        for c in (flooder, other):
            await c.close()


async def test_connections_that_never_authenticate_are_capped_and_closed(srv: ServerProcess, seeded: Seeded) -> None:
    url = srv.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
    hogs: list[aiohttp.ClientWebSocketResponse] = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:  # no client-side cap
        for _ in range(MAX_UNAUTHENTICATED_PER_SOURCE):
            ws = await http.ws_connect(url)
            assert (await ws.receive_str()).startswith("0")  # opened, never joins a namespace
            hogs.append(ws)
        with pytest.raises(aiohttp.WSServerHandshakeError):
            await http.ws_connect(url)
        with urllib.request.urlopen(f"{srv.url}/healthz", timeout=5) as r:
            assert r.status == 200
        # Another address in the hall still gets in.
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=("127.0.0.2", 0))) as elsewhere:
            ws = await elsewhere.ws_connect(url)
            assert (await ws.receive_str()).startswith("0")
            await ws.close()
        # The door closes them after the timeout; then this address connects again.
        closed = await asyncio.wait_for(asyncio.gather(*(drain(ws) for ws in hogs)), AUTH_TIMEOUT_S + 5)
        assert all(closed)
        seat = HallClient(srv.url, Role.SEAT, seeded.device(f"seat-{seeded.members[2].seat}"))
        await seat.connect()
        assert (await seat.call("streams", {}))["ok"]
        await seat.close()
        for ws in hogs:
            with contextlib.suppress(Exception):
                await ws.close()


async def drain(ws: aiohttp.ClientWebSocketResponse) -> bool:
    """Answer pings until the server closes the session (Engine.IO close packet, or the socket)."""
    async for msg in ws:
        if msg.type is aiohttp.WSMsgType.TEXT and msg.data == "2":
            await ws.send_str("3")
        elif msg.type is aiohttp.WSMsgType.TEXT and msg.data == "1":
            return True
    return True



def sends(limiter: Limiter, per_second: float, seconds: float, *, waits: bool = False) -> tuple[int, bool]:
    """One seat connection sending ``per_second`` messages for ``seconds`` (waiting out each refusal's
    retry-after when ``waits``): how many were served, and whether the limiter would disconnect it."""
    now, served, until = 0.0, 0, 0.0
    while now < seconds:
        if not waits or now >= until:
            wait = limiter.take("sid", "seat-1", Role.SEAT, now)
            served += wait == 0.0
            until = now + wait
            if limiter.ignoring("sid"):
                return served, True
        now += 1 / per_second
    return served, False


@pytest.mark.parametrize(("per_second", "waits", "dropped"), [
    (10, False, False),  # at its allowance, forever
    (19, False, False),  # a little over: refused (cheaply), never worth a disconnect
    (25, False, True),  # a slow flood, as a loaded server sees a fast one: refusals pile up between tokens
    (2000, False, True),  # a flood
    (2000, True, False),  # as fast as it can, but waiting out every retry-after: a well-behaved client
])
def test_a_flood_is_told_apart_from_a_busy_client_at_any_speed(per_second: float, waits: bool,
                                                               dropped: bool) -> None:
    served, ignoring = sends(Limiter(), per_second, 60.0, waits=waits)
    assert ignoring is dropped, served


@pytest.mark.parametrize(("wait", "step", "told"), [
    (0.0001, 0.001, 0.001), (0.0004, 0.001, 0.001), (0.003, 0.001, 0.003), (0.0031, 0.001, 0.004),
    (0.97, 0.001, 0.97), (-2.0, 0.1, 0.1), (0.04, 0.1, 0.1), (12.31, 0.1, 12.4),
])
def test_a_refusal_never_says_send_again_now(wait: float, step: float, told: float) -> None:
    assert retry_after(wait, step) == told
