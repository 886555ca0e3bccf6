"""The chair page's hand on time and the list: open without quorum, +1 min, pause, resume, close the list,
and clear it at the next item."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from protocol.commands import (
    CheckIn,
    GrantFloor,
    NextItem,
    OpenSitting,
    RequestFloor,
    ResumeSitting,
    StopSpeech,
    SuspendSitting,
)
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


async def test_a_suspension_mid_speech_is_not_counted_as_speaking(hall: Hall) -> None:
    member = hall.seeded.members[0]
    chair = await hall.open("/chair", "en")
    await hall.pair(chair, Role.CHAIR)
    seat = await hall.device_client(Role.SEAT, f"seat-{member.seat}")
    chair_client = await hall.device_client(Role.CHAIR, "chair")
    try:
        await chair_client.command(hall.sitting, OpenSitting(without_quorum=True))
        await chair_client.command(hall.sitting, NextItem())
        await seat.command(hall.sitting, CheckIn(member_id=member.member_id, pin=member.pin))
        await chair_client.command(hall.sitting, GrantFloor(member_id=member.member_id))
        total = chair.get_by_test_id("spoken-total")
        await expect(total).to_have_attribute("data-seconds", "2", timeout=20_000)
        await chair_client.command(hall.sitting, SuspendSitting())
        await expect(chair.get_by_test_id("sitting-status")).to_have_text("Suspended")
        await expect(chair.get_by_test_id("mic-resume")).to_be_visible()  # the microphone is paused, not closed
        await expect(total).to_have_attribute("data-seconds", re.compile(r"^\d+$"))
        frozen = await total.get_attribute("data-seconds")
        await chair.wait_for_timeout(3000)  # the break
        assert await total.get_attribute("data-seconds") == frozen
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await chair.screenshot(path=SCREENSHOTS / "chair-suspended-mid-speech-en.png")
        await chair_client.command(hall.sitting, ResumeSitting())
        await chair.wait_for_timeout(1000)
        await chair_client.command(hall.sitting, StopSpeech(member_id=member.member_id))

        # The record's clock: the turn counts grant..suspension and resumption..stop, never the break.
        ack = await hall.clerk.call("sync", {"stream": hall.sitting, "after": 0})
        at = {r["event"]["type"]: r["at_ms"] for r in ack["records"]}
        stopped = next(r["event"] for r in ack["records"] if r["event"]["type"] == "floor.stopped")
        spoken = (at["sitting.suspended"] - at["floor.granted"]) + (at["floor.stopped"] - at["sitting.resumed"])
        assert abs(stopped["duration_ms"] - spoken) <= 5, (stopped, at)
        assert at["sitting.resumed"] - at["sitting.suspended"] >= 3000
        state = await hall.follow_as_chair()
        assert state.floor.member_total_ms[member.member_id] == stopped["duration_ms"]
    finally:
        for c in (seat, chair_client):
            await c.close()
