"""The chair page's hand on time and the list: open without quorum, +1 min, pause, resume, close the list,
and clear it at the next item."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from protocol.commands import CheckIn, GrantFloor, RequestFloor
from protocol.errors import ErrorCode, ProtocolError
from protocol.types import Role, SpeechType
from tests.browser.conftest import SCREENSHOTS, Hall

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)


async def test_the_chair_extends_pauses_resumes_and_closes_the_list(hall: Hall) -> None:
    members = hall.seeded.members
    chair = await hall.open("/chair", "en")
    await hall.pair(chair, Role.CHAIR)
    seats = [await hall.device_client(Role.SEAT, f"seat-{m.seat}") for m in members[:2]]
    chair_client = await hall.device_client(Role.CHAIR, "chair")
    try:
        opening = chair.get_by_test_id("sitting-open")
        await expect(opening).to_have_text("Open the sitting without quorum")
        await opening.click()
        await expect(chair.get_by_test_id("sitting-status")).to_have_text("In session")
        await chair.get_by_test_id("agenda-next").click()
        for c, m in zip(seats, members[:2], strict=True):
            await c.command(hall.sitting, CheckIn(member_id=m.member_id, pin=m.pin))
        await chair_client.command(hall.sitting, GrantFloor(member_id=members[0].member_id))
        await expect(chair.get_by_test_id("mic")).to_have_count(1)

        limit = (await hall.follow_as_chair()).floor.speaking[0].time_limit_s
        await chair.get_by_test_id("mic-extend-1").click()
        await chair.get_by_test_id("mic-pause").click()
        await chair.get_by_test_id("list-close").click()
        await expect(chair.locator(".busy")).to_have_count(0)  # every command answered
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await chair.screenshot(path=SCREENSHOTS / "chair-time-en.png")
        state = await hall.follow_as_chair()
        turn = state.floor.speaking[0]
        assert (turn.time_limit_s, turn.paused, state.floor.list_closed) == (limit + 60, True, True)
        # A paused speaker's clock stands still on the page too.
        countdown = chair.locator(f".countdown[data-turn='{turn.turn_id}']").first
        await expect(countdown).to_have_attribute("data-phase", "paused")
        frozen = await countdown.text_content()
        await chair.wait_for_timeout(1500)
        assert await countdown.text_content() == frozen

        with pytest.raises(ProtocolError) as closed:
            await seats[1].command(hall.sitting, RequestFloor(member_id=members[1].member_id))
        assert closed.value.code is ErrorCode.LIST_CLOSED
        await seats[1].command(hall.sitting, RequestFloor(member_id=members[1].member_id,
                                                          speech_type=SpeechType.POINT_OF_ORDER))

        await chair.get_by_test_id("mic-resume").click()
        await chair.get_by_test_id("list-reopen").click()
        await expect(chair.locator(".busy")).to_have_count(0)
        state = await hall.follow_as_chair()
        assert (state.floor.speaking[0].paused, state.floor.list_closed) == (False, False)

        # The chair empties the list as the next item is taken up.
        assert [r.member_id for r in state.floor.queue] == [members[1].member_id]
        before = state.current_item
        await chair.get_by_test_id("agenda-clear-list").check()
        await chair.get_by_test_id("agenda-next").click()
        await expect(chair.locator(".busy")).to_have_count(0)
        state = await hall.follow_as_chair()
        assert state.floor.queue == () and state.current_item != before
    finally:
        for c in [*seats, chair_client]:
            await c.close()
