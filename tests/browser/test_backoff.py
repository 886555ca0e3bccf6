"""A page told to slow down waits as told and sends again (``rate_limited``, ``retry_after_s``):
the chair's quick clicks all land, once each, and no refusal reaches the chair."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import expect

from hall_server.web.pages import DIST
from protocol.commands import CheckIn, GrantFloor, NextItem, OpenSitting
from protocol.types import Role
from tests.browser.conftest import Hall
from tests.hall import ServerProcess

pytestmark = pytest.mark.browser
expect.set_options(timeout=30_000)
CLICKS = 40


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A hall whose limits are a twentieth of the real ones: a chair may send 5 messages a second, 20 at once."""
    assert (DIST / "chair.js").exists(), "build the browser apps first: cd web && npm run build"
    srv = ServerProcess(f"sqlite:///{tmp_path / 'hall.db'}", tmp_path / "srv", env={"HEMICYCLE_RATE_SCALE": "0.05"})
    srv.start()
    yield srv
    srv.stop()


async def test_a_page_waits_out_rate_limited_and_sends_again(hall: Hall) -> None:
    member = hall.seeded.members[0]
    chair = await hall.open("/chair", "en")
    await hall.pair(chair, Role.CHAIR)
    python_chair = await hall.device_client(Role.CHAIR, "chair")
    seat = await hall.device_client(Role.SEAT, f"seat-{member.seat}")
    try:
        await python_chair.command(hall.sitting, OpenSitting(without_quorum=True))
        await python_chair.command(hall.sitting, NextItem())
        await seat.command(hall.sitting, CheckIn(member_id=member.member_id, pin=member.pin))
        await python_chair.command(hall.sitting, GrantFloor(member_id=member.member_id))
        limit = (await hall.follow_as_chair()).floor.speaking[0].time_limit_s
        extend = chair.get_by_test_id("mic-extend-1")
        for _ in range(CLICKS):  # faster than 5 a second: the hall says "later", the page waits
            await extend.click()
            await expect(chair.locator(".busy")).to_have_count(0)
        assert await chair.locator(".toast-error").count() == 0
        state = await hall.follow_as_chair()
        assert state.floor.speaking[0].time_limit_s == limit + 60 * CLICKS
    finally:
        await seat.close()
        await python_chair.close()
