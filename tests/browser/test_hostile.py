"""Hostile text in every page: a notice of thousands of characters, a motion of 10,000
unbroken ones, an agenda title with no break, a document named with a right-to-left
override. Nothing leaves the screen sideways, the vote buttons stay in view, the
override is not obeyed; screenshots of each page go beside the server's log."""

from __future__ import annotations

from playwright.async_api import Page, expect

from protocol.commands import AddItem, AttachDocument, OpenSitting, OpenVote, PostNotice, TakeUpItem
from protocol.types import Role
from tests.browser.conftest import PROJECTOR, Hall, make_pdf
from tests.browser.test_sitting import check_in

KHMER_WORD = "សេចក្តីព្រាងច្បាប់" * 11  # 198 characters, no space


async def fits_sideways(page: Page) -> bool:
    return bool(await page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"))


async def test_hostile_text_wraps_scrolls_and_cannot_reorder(hall: Hall) -> None:
    members = hall.seeded.members
    seat = await hall.open("/seat", "km")
    chair_page = await hall.open("/chair", "en")
    display = await hall.open("/display", "km", PROJECTOR)
    await hall.pair(seat, Role.SEAT, seat=members[0].seat)
    await hall.pair(chair_page, Role.CHAIR)
    await hall.pair(display, Role.DISPLAY)
    chair = await hall.device_client(Role.CHAIR, "chair")
    try:
        await hall.clerk.command(hall.sitting, AddItem(item_id="ih", title_km=KHMER_WORD[:200], title_en="W" * 200))
        doc = await hall.upload(make_pdf("x"))
        await hall.clerk.command(hall.sitting, AttachDocument(item_id="ih", document_id="d-rlo",
                                                              title="\u202egnp.exe", sha256=doc["sha256"],
                                                              size=doc["size"]))
        await chair.command(hall.sitting, OpenSitting(without_quorum=True))
        await chair.command(hall.sitting, TakeUpItem(item_id="ih"))
        await check_in(seat, members[0].member_id, members[0].pin)
        await chair.command(hall.sitting, PostNotice(text="ការជូនដំណឹង notice " * 500))
        await chair.command(hall.sitting, OpenVote(without_quorum=True, vote_id="vh", motion_km="ក" * 10_000,
                                                   motion_en="M" * 10_000))
        await expect(seat.get_by_test_id("vote-yes")).to_be_visible()
        for choice in ("yes", "no", "abstain"):
            await expect(seat.get_by_test_id(f"vote-{choice}")).to_be_in_viewport()
        for page, name in ((seat, "seat"), (chair_page, "chair"), (display, "display")):
            await page.evaluate("() => document.fonts.ready")
            assert await fits_sideways(page), name
            await page.screenshot(path=hall.server.data / f"hostile-{name}.png")
        # The display's dark theme must not turn the notice white on its light bar.
        colour = await display.evaluate("() => getComputedStyle(document.querySelector('.notice-bar')).color")
        assert colour == "rgb(27, 31, 36)", colour
        text = await seat.evaluate("() => document.body.innerText")
        assert "\u202e" not in text and "gnp.exe" in text
        # The page's document pass (a cookie) lets its viewer read the document; nobody else gets it.
        path = f"/documents/{doc['sha256']}"
        assert await seat.evaluate("async (u) => (await fetch(u, {cache: 'no-store'})).status", path) == 200
        anonymous = "async (u) => (await fetch(u, {credentials: 'omit', cache: 'no-store'})).status"
        assert await seat.evaluate(anonymous, path) == 401
    finally:
        await chair.close()
