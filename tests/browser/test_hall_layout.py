"""The hall's pages at the sizes of the hall: the display with two open microphones and captions at
1280x800, the chair's essentials (microphones, list, vote) without scrolling at 1280x800 and 1024x768,
the vote card's "needs N yes of M", did-not-vote in the result, and a published result that leaves
the display after its time or when the chair clears it."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from protocol.commands import (
    CheckIn,
    CloseSitting,
    CloseVote,
    CreateSitting,
    GrantFloor,
    NextItem,
    OpenSitting,
    OpenVote,
    PostNotice,
    PublishVote,
    RequestFloor,
)
from protocol.live import Caption
from protocol.types import Body, Role
from tests.browser.conftest import SCREENSHOTS, TABLET, Hall
from tests.browser.test_pages import check
from tests.browser.test_sitting import check_in

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)


async def in_view(page: Page, test_id: str) -> None:
    """Every element of ``test_id`` lies wholly inside the viewport and is the topmost thing there."""
    size = page.viewport_size
    assert size is not None
    for el in await page.get_by_test_id(test_id).all():
        box = await el.bounding_box()
        assert box is not None, test_id
        assert box["x"] >= 0 and box["y"] >= 0, (test_id, box)
        right, bottom = box["x"] + box["width"], box["y"] + box["height"]
        assert right <= size["width"] + 1 and bottom <= size["height"] + 1, (test_id, box, size)
        hit = await el.evaluate("(e) => { const r = e.getBoundingClientRect();"
                                " const at = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);"
                                " return !!at && (e === at || e.contains(at)); }")
        assert hit, f"{test_id} is covered"


async def test_the_display_and_console_fit_the_hall(hall: Hall) -> None:
    members = hall.seeded.members
    display = await hall.open("/display", "en", TABLET)
    await hall.pair(display, Role.DISPLAY)
    chairs = {size: await hall.open("/chair", "en", {"width": w, "height": hgt})
              for size, (w, hgt) in {"1280": (1280, 800), "1024": (1024, 768)}.items()}
    for page in chairs.values():
        await hall.pair(page, Role.CHAIR)
    seat_page = await hall.open("/seat", "km")
    await hall.pair(seat_page, Role.SEAT, seat=members[3].seat)
    keys = [hall.seeded.device(f"seat-{m.seat}") for m in members[:3]]
    seats = [await hall.device_client(Role.SEAT, f"seat-{m.seat}") for m in members[:3]]
    chair = await hall.device_client(Role.CHAIR, "chair")
    recorder = await hall.device_client(Role.RECORDER, "recorder")
    try:
        await chair.command(hall.sitting, OpenSitting(without_quorum=True))
        await chair.command(hall.sitting, NextItem())
        for c, m in zip(seats, members[:3], strict=True):
            await c.command(hall.sitting, CheckIn(member_id=m.member_id, pin=m.pin))
        await check_in(seat_page, members[3].member_id, members[3].pin)
        for m in members[:2]:
            await chair.command(hall.sitting, GrantFloor(member_id=m.member_id))
        await seats[2].command(hall.sitting, RequestFloor(member_id=members[2].member_id))
        await recorder.call("caption", Caption(stream=hall.sitting, turn_id="x", member_id=members[0].member_id,
                                               text="Long words of the first speaker " * 8, final=True).model_dump())
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        # The chair's essentials on the first screen: both microphones, the list's head, the vote form.
        for size, page in chairs.items():
            await expect(page.get_by_test_id("mic")).to_have_count(2)
            for test_id in ("mic", "grant-head", "queue", "vote-open"):
                await in_view(page, test_id)
            await page.screenshot(path=SCREENSHOTS / f"chair-{size}-prepare-en.png")

        # The current item's own limits, from the console's settings.
        page = chairs["1280"]
        await page.get_by_test_id("item-limits").locator("summary").click()
        await page.get_by_test_id("item-minutes").fill("3")
        await page.get_by_test_id("item-cut").select_option("1")
        await page.get_by_test_id("item-speeches").fill("2")
        await page.get_by_test_id("item-limits-apply").click()
        await expect(page.locator(".busy")).to_have_count(0)
        state = await hall.follow_as_chair()
        limits = state.floor.limits_for(state.current_item)
        assert (limits.speaking_time_s, limits.auto_stop, limits.max_speeches) == (180, True, 2)
        await page.evaluate("() => window.scrollTo(0, 0)")  # the first screen again

        # An absolute majority: the card says of how many; the display shows both speakers and the vote.
        await chair.command(hall.sitting, OpenVote(vote_id="v1", motion_km="សំណើ", motion_en="The motion",
                                                   majority="absolute"))
        await expect(display.get_by_test_id("display-speaker")).to_have_count(2)
        await expect(display.get_by_test_id("display-vote-needed")).to_have_text("Needs 3 yes of 4 members")
        await expect(seat_page.get_by_test_id("seat-vote-needed")).to_have_text("ត្រូវការ ៣ សំឡេងគាំទ្រ ក្នុងចំណោមសមាជិក ៤ រូប")
        for test_id in ("display-speaker", "display-vote-needed", "display-vote-count", "display-queue"):
            await in_view(display, test_id)
        await display.screenshot(path=SCREENSHOTS / "display-two-mics-en.png")
        await seat_page.screenshot(path=SCREENSHOTS / "seat-vote-needed-km.png")
        for size, page in chairs.items():
            await expect(page.get_by_test_id("vote-needed")).to_have_text("Needs 3 yes of 4 members")
            for test_id in ("mic", "grant-head", "vote-card", "vote-close"):
                await in_view(page, test_id)
            await page.screenshot(path=SCREENSHOTS / f"chair-{size}-en.png")

        # Two of four vote; the result says who did not; shown until the chair clears it.
        for c, key, m in zip(seats[:2], keys, members[:2], strict=False):
            await c.command(hall.sitting, key.ballot(hall.sitting, "v1", m.member_id, m.seat, "yes"))
        await chair.command(hall.sitting, CloseVote(vote_id="v1"))
        page = chairs["1280"]
        await page.get_by_test_id("vote-show").select_option("0")
        await page.get_by_test_id("vote-publish").click()
        await expect(display.get_by_test_id("did-not-vote")).to_have_attribute("data-count", "2")
        await expect(seat_page.get_by_test_id("did-not-vote")).to_have_attribute("data-count", "2")
        await display.screenshot(path=SCREENSHOTS / "display-result-did-not-vote-en.png")
        await page.get_by_test_id("vote-clear").click()
        await expect(display.get_by_test_id("outcome")).to_have_count(0)
        await expect(page.get_by_test_id("vote-cleared")).to_be_visible()

        # A result published for a set time leaves the display by itself.
        await chair.command(hall.sitting, OpenVote(vote_id="v2", motion_km="សំណើ ២", motion_en="Second motion"))
        await chair.command(hall.sitting, CloseVote(vote_id="v2"))
        await chair.command(hall.sitting, PublishVote(vote_id="v2", show_s=2))
        await expect(display.get_by_test_id("outcome")).to_have_count(1)
        await expect(display.get_by_test_id("outcome")).to_have_count(0, timeout=6_000)
        await expect(seat_page.get_by_test_id("outcome")).to_have_count(1)  # the seats keep it
    finally:
        for c in [*seats, chair, recorder]:
            await c.close()


async def test_a_notice_reads_and_a_closed_sitting_shows_on_every_page(hall: Hall) -> None:
    members = hall.seeded.members
    seat = await hall.open("/seat", "km")
    chair_page = await hall.open("/chair", "en")
    display = await hall.open("/display", "km", TABLET)
    await hall.pair(seat, Role.SEAT, seat=members[0].seat)
    await hall.pair(chair_page, Role.CHAIR)
    await hall.pair(display, Role.DISPLAY)
    chair = await hall.device_client(Role.CHAIR, "chair")
    shots: dict[str, list[str]] = {}
    try:
        await chair.command(hall.sitting, OpenSitting(without_quorum=True))
        await chair.command(hall.sitting, NextItem())
        await check_in(seat, members[0].member_id, members[0].pin)
        await chair.command(hall.sitting, GrantFloor(member_id=members[0].member_id))
        await chair.command(hall.sitting, PostNotice(
            text="The sitting resumes at 15:00 in the plenary hall / សម័យប្រជុំបន្តនៅម៉ោង ១៥:០០ នៅសាលប្រជុំពេញអង្គ"))
        await expect(display.locator(".notice-bar")).to_be_visible()
        for lang in ("km", "en"):
            await check(display, "display-notice", lang, shots)  # axe: colour contrast included

        # Closing ends the turn, checks everyone out, and every page says so, with the way onwards.
        await chair.command(hall.sitting, CloseSitting())
        for page in (seat, chair_page, display):
            await expect(page.get_by_test_id("sitting-closed")).to_be_visible()
        await expect(seat.get_by_test_id("floor-not-open")).to_have_text("សម័យប្រជុំបានបិទ")
        await expect(seat.get_by_test_id("checkin")).to_be_hidden()
        await expect(chair_page.get_by_test_id("grant-head")).to_be_hidden()
        await expect(chair_page.get_by_test_id("vote-open")).to_be_hidden()
        await expect(display.get_by_test_id("display-speaker")).to_be_hidden()
        for lang in ("km", "en"):
            for name, page in (("seat-closed", seat), ("chair-closed", chair_page), ("display-closed", display)):
                await check(page, name, lang, shots)

        # The next sitting, from the closed one's page, without pairing again.
        await hall.clerk.command("next-sitting", CreateSitting(
            body=Body.PLENARY, number=9, title_km="សម័យប្រជុំបន្ទាប់", title_en="The next sitting",
            date="2026-12-01", place="Plenary hall"))
        await seat.get_by_test_id("sitting-next").click()  # today's and open sittings, to choose from
        await seat.locator("[data-stream='next-sitting']").click()
        await expect(seat.locator(".sitting-title")).to_contain_text("The next sitting")  # the page was left in English
        await expect(seat.get_by_test_id("sitting-closed")).to_be_hidden()
    finally:
        await chair.close()
