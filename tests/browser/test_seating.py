"""The seating plan in Chromium (issue 13, part 5): the clerk draws the hall, a seat tablet is
enrolled by picking its seat on the plan, and the plan is live on the display, the chair's console
and the clerk's watch tab: present, asked to speak, speaking, voted (a secret vote: never how).
Every page passes axe in Khmer and English; screenshots: seating-*.png."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from protocol.commands import REGISTRY_STREAM, CheckIn, DefinePlan, GrantFloor, OpenSitting, OpenVote, RequestFloor
from protocol.seating import SeatingPlan
from protocol.types import Role, VoteKind
from tests.browser.conftest import PROJECTOR, Hall
from tests.browser.test_pages import check
from tests.browser.test_sitting import check_in

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)

STREAM = "plenary-plan"


async def choose(page: Page) -> None:
    """Follow the sitting held in the drawn room (two sittings are live)."""
    await page.locator(f'[data-stream="{STREAM}"]').click()


async def states(page: Page, seat: str) -> str:
    return await page.locator(f'[data-testid="plan-live"] [data-seat="{seat}"]').get_attribute("data-states") or ""


async def test_the_clerk_draws_the_hall_enrols_a_seat_on_it_and_the_display_shows_it_live(hall: Hall) -> None:
    members = hall.seeded.members  # four senators, enrolled by the seed at seats S001..S004
    shots: dict[str, list[str]] = {}
    clerk = await hall.open("/clerk", "en", {"width": 1280, "height": 900})
    await clerk.get_by_test_id("clerk-token").fill(hall.server.admin_token)
    await clerk.get_by_test_id("clerk-signin").click()
    await expect(clerk.get_by_test_id("conn")).to_have_attribute("data-state", "online")

    # The clerk draws the hall: a hemicycle of 3 rows of 8, an aisle down the middle of the back rows.
    await clerk.get_by_test_id("tab-rooms").click()
    await clerk.get_by_test_id("room-rows").fill("3")
    await clerk.get_by_test_id("room-columns").fill("8")
    await expect(clerk.get_by_test_id("room-count")).to_have_text("24 seats")
    for pos in ("2-4", "3-4", "3-5"):
        await clerk.locator(f'[data-testid="plan-edit"] [data-pos="{pos}"]').click()
    await expect(clerk.get_by_test_id("room-count")).to_have_text("21 seats")
    gap = clerk.locator('[data-testid="plan-edit"] [data-pos="3-5"]')
    await gap.focus()
    await gap.press("Enter")  # the keyboard puts a seat back
    await expect(clerk.get_by_test_id("room-count")).to_have_text("22 seats")
    await expect(clerk.locator('[data-testid="plan-edit"] [data-seat="S022"]')).to_have_attribute("data-pos", "3-8")
    await check(clerk, "seating-editor", "km", shots)
    await check(clerk, "seating-editor", "en", shots)
    await clerk.get_by_test_id("room-save").click()
    await expect(clerk.get_by_test_id("room-choose").locator("option")).to_have_count(2)

    # A sitting in that room, from the clerk's form.
    await clerk.get_by_test_id("tab-sittings").click()
    await clerk.get_by_test_id("new-stream").fill(STREAM)
    await clerk.get_by_test_id("new-title-km").fill("សម័យប្រជុំពេញអង្គ")
    await clerk.get_by_test_id("new-title-en").fill("Plenary in the drawn hall")
    await clerk.get_by_test_id("new-room").select_option("plenary-hall")
    await clerk.get_by_test_id("create-submit").click()
    await expect(clerk.locator(f'[data-fk="s-{STREAM}"]')).to_be_visible()

    # A new seat tablet pairs; the clerk picks its seat on the plan (taken seats say so).
    seat = await hall.open("/seat", "en")
    code_el = seat.get_by_test_id("pairing-code").and_(seat.locator("[data-code]"))
    await code_el.wait_for(timeout=15_000)
    code = await code_el.get_attribute("data-code")
    await clerk.get_by_test_id("tab-devices").click()
    row = clerk.locator(f'[data-testid="pairing"][data-code="{code}"]')
    picker = row.get_by_test_id("plan-pick")
    await expect(picker.locator('[data-seat="S001"]')).to_have_attribute("data-states", "taken")
    await picker.locator('[data-seat="S006"]').click()
    await expect(row.get_by_test_id("enrol-seat")).to_have_value("S006")
    await expect(picker.locator('[data-seat="S006"]')).to_have_attribute("aria-pressed", "true")
    await check(clerk, "seating-enrol", "en", shots)
    await row.get_by_test_id("enrol-submit").click()
    await choose(seat)
    await check_in(seat, members[3].member_id, members[3].pin)

    # The sitting runs from the seeded chair and seats; the display follows it.
    chair = await hall.device_client(Role.CHAIR, "chair")
    await chair.command(STREAM, OpenSitting(without_quorum=True))
    seats = [await hall.device_client(Role.SEAT, f"seat-{m.seat}") for m in members[:3]]
    for client, m in zip(seats, members, strict=False):
        await client.command(STREAM, CheckIn(member_id=m.member_id, pin=m.pin))
    display = await hall.open("/display", "en", PROJECTOR)
    await hall.pair(display, Role.DISPLAY)
    await choose(display)
    plan = display.get_by_test_id("plan-live")
    await expect(plan.locator(".is-present")).to_have_count(4)
    await expect(plan.locator('[data-seat="S006"]')).to_have_attribute(
        "aria-label", f"Seat S006: {members[3].name_latin}: Present")
    await expect(plan.locator('[data-seat="S005"]')).to_have_attribute("data-states", "empty")

    await chair.command(STREAM, GrantFloor(member_id=members[0].member_id))
    await seats[1].command(STREAM, RequestFloor(member_id=members[1].member_id))
    await chair.command(STREAM, OpenVote(vote_id="v1", motion_km="អនុម័តរបៀបវារៈ", motion_en="Adopt the agenda",
                                         kind=VoteKind.SECRET))
    key = hall.seeded.device(f"seat-{members[2].seat}")
    await seats[2].command(STREAM, key.ballot(STREAM, "v1", members[2].member_id, members[2].seat, "no"))
    await seat.get_by_test_id("vote-yes").click()
    await seat.get_by_test_id("vote-confirm").click()
    await expect(seat.get_by_test_id("receipt")).to_be_visible()

    await expect(plan.locator('[data-seat="S001"]')).to_have_attribute("data-states", "speaking present")
    await expect(plan.locator('[data-seat="S002"]')).to_have_attribute("data-states", "requested present")
    await expect(plan.locator('[data-seat="S003"]')).to_have_attribute("data-states", "voted present")
    await expect(plan.locator('[data-seat="S006"]')).to_have_attribute("data-states", "voted present")
    await expect(plan.locator('[data-seat="S001"] rect.plan-seat-shape')).to_have_count(1)  # speaking: a square
    legend = display.get_by_test_id("plan-legend")
    for state, n in (("present", 4), ("requested", 1), ("speaking", 1), ("voted", 2)):
        await expect(legend.locator(f'[data-state="{state}"]')).to_have_text(f" {n}")
    # A secret vote: the plan says who voted, never how; no choice word anywhere on the display's plan.
    labels = " ".join(await plan.locator("[data-seat]").evaluate_all(
        "els => els.map(e => e.getAttribute('aria-label'))"))
    assert "Voted" in labels and not any(w in labels for w in ("Yes", "No ", "Abstain"))
    await check(display, "seating-display", "km", shots)
    await check(display, "seating-display", "en", shots)

    # The chair's console and the clerk's watch tab show the same plan.
    console = await hall.open("/chair", "en")
    await hall.pair(console, Role.CHAIR)
    await choose(console)
    await expect(console.locator('[data-testid="plan-live"] [data-seat="S002"]')).to_have_attribute(
        "data-states", "requested present")
    await console.locator(".plan-panel").scroll_into_view_if_needed()
    await check(console, "seating-chair", "en", shots)
    await clerk.get_by_test_id("tab-sittings").click()
    await clerk.locator(f'[data-fk="s-{STREAM}"]').click()
    await clerk.get_by_test_id("tab-watch").click()
    await expect(clerk.locator('[data-testid="plan-live"] [data-seat="S001"]')).to_have_attribute(
        "data-states", "speaking present")
    await check(clerk, "seating-watch", "en", shots)

    # Redrawn during the sitting, the plan reaches the pages at once (a "plan" push).
    ack = await hall.clerk.call("view", {"stream": STREAM})
    plan = SeatingPlan.model_validate(ack["plan"])
    redrawn = plan.model_copy(update={"name_en": "Plenary hall, redrawn"})
    await hall.clerk.command(REGISTRY_STREAM, DefinePlan(plan=redrawn))
    await expect(display.locator("#plan-h")).to_contain_text("Plenary hall, redrawn")
    for c in (chair, *seats):
        await c.close()
