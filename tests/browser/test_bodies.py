"""The clerk defines the Ninth Commission through the page, schedules its sitting, lists a minister.

Through the pages only: the body form (9 of 12 senators, its bureau), a sitting of
that body whose quorum is the commission's, a guest added to it, the sittings listed
by body (closed ones behind a toggle) and the records searched.
"""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from protocol.commands import (
    REGISTRY_STREAM,
    CloseSitting,
    OpenSitting,
    RegisterMember,
    RenewRoster,
    UpdateMember,
)
from protocol.types import Role
from tests.browser.conftest import SCREENSHOTS, Hall, axe

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)

MORE = "member_id,name_km,name_latin,group\r\n" + "".join(
    f"c{n:03d},សមាជិក {n},Member {n},CPP\r\n" for n in range(1, 9))


async def signed_in(hall: Hall, lang: str) -> Page:
    page = await hall.open("/clerk", lang, {"width": 1280, "height": 900})
    await page.get_by_test_id("clerk-token").fill(hall.server.admin_token)
    await page.get_by_test_id("clerk-signin").click()
    await expect(page.get_by_test_id("conn")).to_have_attribute("data-state", "online")
    return page


async def test_the_clerk_defines_a_commission_and_lists_a_minister(hall: Hall) -> None:
    clerk = await signed_in(hall, "en")
    await clerk.get_by_test_id("tab-members").click()
    await clerk.get_by_test_id("csv-text").fill(MORE)
    await clerk.get_by_test_id("csv-import").click()
    await expect(clerk.get_by_test_id("csv-status")).to_contain_text("Added 8")

    # The Ninth Commission: nine of the twelve senators, a president and a secretary.
    ids = [m.member_id for m in hall.seeded.members[:4]] + [f"c{n:03d}" for n in range(1, 6)]
    await define_ninth_commission(clerk, ids, secretary=ids[1])
    await expect(clerk.get_by_test_id("body-pick")).to_contain_text("commission-9 · Ninth Commission")
    assert await axe(clerk) == []
    await clerk.screenshot(path=SCREENSHOTS / "clerk-body-en.png", full_page=True)
    body = (await hall.clerk.call("sync", {"stream": "registry", "after": 0}))
    defined = [r["event"] for r in body["records"] if r["event"]["type"] == "body.membership_set"]
    assert [m["member_id"] for m in defined[-1]["members"]] == ids
    assert defined[-1]["officers"] == [{"member_id": ids[0], "office": "president"},
                                       {"member_id": ids[1], "office": "secretary"}]

    # Its sitting: the body chosen, the rules the body's; nine members, a quorum of five.
    await clerk.get_by_test_id("tab-sittings").click()
    await clerk.get_by_test_id("new-stream").fill("c9-hearing")
    await clerk.get_by_test_id("new-body").select_option("commission-9")
    await clerk.get_by_test_id("new-title-km").fill("សវនាការរដ្ឋមន្ត្រី")
    await clerk.get_by_test_id("new-title-en").fill("Hearing of the Minister")
    await clerk.get_by_test_id("create-submit").click()
    listed = clerk.get_by_test_id("sitting-list")
    await expect(listed.locator("[data-stream='c9-hearing']")).to_have_attribute("aria-pressed", "true")
    await expect(listed.locator("[data-stream='c9-hearing']")).to_contain_text("Ninth Commission · Number 1")
    await clerk.get_by_test_id("guest-km").fill("ឯកឧត្តម ប៉ាន សូរស័ក្តិ")
    await clerk.get_by_test_id("guest-latin").fill("H.E. Pan Sorasak")
    await clerk.get_by_test_id("guest-title-en").fill("Minister of Commerce")
    await clerk.get_by_test_id("guest-submit").click()
    await expect(clerk.get_by_test_id("guest-list")).to_contain_text(
        "H.E. Pan Sorasak · Minister · Minister of Commerce")
    await clerk.screenshot(path=SCREENSHOTS / "clerk-sitting-guest-en.png", full_page=True)
    await clerk.get_by_test_id("tab-watch").click()
    await expect(clerk.locator(".tile").nth(1)).to_contain_text("0 / 9")
    await expect(clerk.locator(".tile").nth(1)).to_contain_text("Quorum: 5")

    # The presiding console picks the commission's sitting among the two live ones and gives the minister
    # the floor; the plenary is closed, and leaves the clerk's list unless asked for.
    console = await hall.open("/chair", "en", {"width": 1280, "height": 900})
    await hall.pair(console, Role.CHAIR)
    await console.locator("[data-stream='c9-hearing']").click()
    chair = await hall.device_client(Role.CHAIR, "chair")
    try:
        await chair.command("c9-hearing", OpenSitting(without_quorum=True))
        await console.get_by_test_id("add-guest").select_option("guest-1")
        await console.get_by_test_id("grant-guest").click()
        await expect(console.locator("[data-testid=mic][data-member='guest-1']")).to_contain_text("H.E. Pan Sorasak")
        await console.screenshot(path=SCREENSHOTS / "chair-guest-en.png", full_page=True)
        await chair.command(hall.sitting, OpenSitting(without_quorum=True))
        await chair.command(hall.sitting, CloseSitting())
    finally:
        await chair.close()
    await clerk.reload()
    await clerk.get_by_test_id("tab-sittings").click()
    await expect(listed.locator("[data-stream='c9-hearing']")).to_be_visible()
    await expect(listed.locator(f"[data-stream='{hall.sitting}']")).to_have_count(0)
    await clerk.get_by_test_id("show-all-sittings").check()
    await expect(listed.locator(f"[data-stream='{hall.sitting}']")).to_contain_text("Closed")
    # The records are searched by every word, in any case.
    await clerk.get_by_test_id("search-q").fill("commerce sorasak")
    await clerk.get_by_test_id("search-go").click()
    hits = clerk.get_by_test_id("search-hits")
    await expect(hits.locator("[data-stream='c9-hearing']")).to_contain_text("Minister of Commerce")

    khmer = await signed_in(hall, "km")
    await khmer.get_by_test_id("tab-members").click()
    await khmer.get_by_test_id("body-pick").select_option("commission-9")
    await expect(khmer.get_by_test_id("body-km")).to_have_value("គណៈកម្មការទី៩")
    await expect(khmer.get_by_test_id(f"body-member-{ids[8]}")).to_be_checked()
    await khmer.screenshot(path=SCREENSHOTS / "clerk-body-km.png", full_page=True)


async def define_ninth_commission(clerk: Page, ids: list[str], secretary: str) -> None:
    """The clerk's body form: the Ninth Commission with ``ids`` as members, the first its president."""
    await clerk.get_by_test_id("body-id").fill("commission-9")
    await clerk.get_by_test_id("body-km").fill("គណៈកម្មការទី៩")
    await clerk.get_by_test_id("body-en").fill("Ninth Commission")
    for member_id in ids:
        await clerk.get_by_test_id(f"body-member-{member_id}").check()
    await clerk.get_by_test_id(f"body-office-{ids[0]}").select_option("president")
    await clerk.get_by_test_id(f"body-office-{secretary}").select_option("secretary")
    await clerk.get_by_test_id("body-submit").click()


async def test_a_seat_on_a_scheduled_sitting_sees_its_roster_change_without_a_reload(hall: Hall) -> None:
    """A name corrected while the plenary is scheduled, then a senator registered and the clerk's renewal: the
    seat's check-in list is redrawn from the "roster" push each time (issue 12: the roster is the registry's
    until the opening)."""
    seat = await hall.open("/seat", "en")
    member = hall.seeded.members[0]
    await hall.pair(seat, Role.SEAT, seat=member.seat)  # the one sitting of the day: no choice to make
    options = seat.get_by_test_id("checkin-member").locator("option:not([value=''])")
    await expect(options).to_have_count(len(hall.seeded.members))
    await hall.clerk.command(REGISTRY_STREAM, UpdateMember(member_id=member.member_id, name_latin="Corrected Name"))
    await expect(seat.get_by_test_id("checkin-member")).to_contain_text("Corrected Name")
    await hall.clerk.command(REGISTRY_STREAM, RegisterMember(member_id=f"{hall.seeded.prefix}-late",
                                                              name_km="សមាជិកថ្មី", name_latin="Newly Sworn",
                                                              group="CPP"))
    await hall.clerk.command(hall.sitting, RenewRoster())
    await expect(options).to_have_count(len(hall.seeded.members) + 1)
    await expect(seat.get_by_test_id("checkin-member")).to_contain_text("Newly Sworn")
