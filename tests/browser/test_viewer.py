"""Documents on tablets: a PDF read in the pdf.js viewer at tablet sizes (1024x768 landscape, 800x1280
portrait), zoom and thumbnails; the chair turns pages on the hall display and a following seat turns
with it; private notes that follow their member to another tablet. Screenshots: viewer-*.png.
"""

from __future__ import annotations

import io
import time
from typing import Any

import pytest
from playwright.async_api import Page, expect

from protocol.commands import AttachDocument, CheckIn, CheckOut, NextItem, OpenSitting
from protocol.types import Role
from seat_client.client import HallClient
from tests.browser.conftest import PROJECTOR, SCREENSHOTS, TABLET, Hall, axe, until
from tests.browser.test_pages import set_lang

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)
LANDSCAPE = {"width": 1024, "height": 768}
PORTRAIT = {"width": 800, "height": 1280}
PAGES = 6


def bill(pages: int = PAGES) -> bytes:
    """A draft law of several pages, each with its number large enough to read on a screenshot."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for n in range(1, pages + 1):
        c.setFont("Helvetica-Bold", 22)
        c.drawString(72, 770, "Draft Law on the Financial Management for 2027")
        c.setFont("Helvetica-Bold", 96)
        c.drawCentredString(A4[0] / 2, 520, f"{n}")
        c.setFont("Helvetica", 13)
        for i in range(14):
            article = 10 * (n - 1) + i + 1
            c.drawString(72, 420 - 22 * i, f"Article {article}. The State budget for 2027 is set out in Annex {n}.")
        c.drawCentredString(A4[0] / 2, 40, f"Page {n} of {pages}")
        c.showPage()
    c.save()
    return buf.getvalue()


async def shot(page: Page, name: str) -> None:
    await page.evaluate("() => { document.querySelectorAll('.toast').forEach(t => t.remove());"
                        " return document.fonts.ready; }")
    await page.wait_for_timeout(200)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=SCREENSHOTS / f"{name}.png")


async def no_serious_axe(page: Page, name: str) -> None:
    violations = await axe(page)
    assert not violations, f"{name}: {violations}"


async def canvas_width(page: Page) -> float:
    """The drawn page's width, once pdf.js has sized its canvas (it may be 0 for a frame after data-page moves)."""
    # Measured in the page in one step: pdf.js swaps in a new canvas when a page is drawn, and an old one
    # measured after the swap is detached (width 0).
    width = await page.wait_for_function("() => { const c = document.querySelector('[data-testid=viewer-page]');"
                                         " const w = c && c.isConnected ? c.getBoundingClientRect().width : 0;"
                                         " return w > 0 ? w : null; }")
    return float(await width.json_value())


async def changed(page: Page, before: float) -> bool:
    return await canvas_width(page) != before


async def back_to(page: Page, width: float) -> bool:
    return await canvas_width(page) == width


async def prepared(hall: Hall) -> tuple[dict[str, Any], HallClient]:
    """The bill attached to the first item, the sitting open at that item, two members checked in."""
    doc = await hall.upload(bill())
    item = (await hall.clerk_view())["items"][0]["item_id"]
    await hall.clerk.command(hall.sitting, AttachDocument(
        item_id=item, document_id="bill-2027", title="Draft law 2027 / សេចក្តីព្រាងច្បាប់ឆ្នាំ២០២៧",
        sha256=doc["sha256"], size=doc["size"]))
    chair = await hall.device_client(Role.CHAIR, "chair")
    await chair.command(hall.sitting, OpenSitting(without_quorum=True))
    await chair.command(hall.sitting, NextItem())
    return doc, chair


async def test_read_zoom_thumbnails_and_follow_the_chairs_page(hall: Hall) -> None:
    members = hall.seeded.members
    _, chair = await prepared(hall)
    seats = [await hall.device_client(Role.SEAT, f"seat-{m.seat}") for m in members[:2]]
    try:
        for c, m in zip(seats, members[:2], strict=True):
            await c.command(hall.sitting, CheckIn(member_id=m.member_id, pin=m.pin))
        reader = await hall.open("/seat", "km", LANDSCAPE)
        follower = await hall.open("/seat", "en", PORTRAIT)
        console = await hall.open("/chair", "en", TABLET)
        display = await hall.open("/display", "en", PROJECTOR)
        await hall.pair(reader, Role.SEAT, seat=members[0].seat)
        await hall.pair(follower, Role.SEAT, seat=members[1].seat)
        await hall.pair(console, Role.CHAIR)
        await hall.pair(display, Role.DISPLAY)

        # Reading at 1024x768: pdf.js draws page 1 fitted to the width; six pages.
        tapped = time.monotonic()
        await reader.get_by_test_id("doc-open").click()
        viewer = reader.get_by_test_id("viewer")
        await expect(viewer).to_have_attribute("data-page", "1")
        first_page_s = time.monotonic() - tapped  # pdf.js loaded on first use, its worker, the PDF, one page
        print(f"first page drawn {first_page_s:.2f} s after the tap")
        assert first_page_s < 10
        await expect(reader.get_by_test_id("viewer-pages")).to_have_text(" / ៦")
        fitted = await canvas_width(reader)
        stage = float(await reader.get_by_test_id("viewer-stage").evaluate("s => s.clientWidth"))
        assert stage - 40 < fitted <= stage, (fitted, stage)
        await no_serious_axe(reader, "viewer km")
        await shot(reader, "viewer-seat-1024x768-km")

        # Zoom in twice, out once, fit width again.
        for step in ("viewer-zoomIn", "viewer-zoomIn", "viewer-zoomOut"):
            before = await canvas_width(reader)
            await reader.get_by_test_id(step).click()
            await until(lambda before=before: changed(reader, before))
        zoomed = await canvas_width(reader)
        assert zoomed > fitted
        await expect(reader.get_by_test_id("viewer-fit")).to_have_attribute("aria-pressed", "false")
        await set_lang(reader, "en")
        await shot(reader, "viewer-seat-zoom-1024x768-en")
        await reader.get_by_test_id("viewer-fit").click()
        await until(lambda: back_to(reader, fitted))

        # Thumbnails: one per page, drawn as they come into view; a tap turns to that page.
        await reader.get_by_test_id("viewer-thumbs").click()
        thumbs = reader.get_by_test_id("viewer-thumb")
        await expect(thumbs).to_have_count(PAGES)
        await expect(thumbs.first).to_have_attribute("data-drawn", "true")
        await thumbs.nth(3).click()
        await expect(viewer).to_have_attribute("data-page", "4")
        await expect(thumbs.nth(3)).to_have_attribute("aria-current", "page")
        await expect(reader.get_by_test_id("viewer-n")).to_have_value("4")
        await no_serious_axe(reader, "viewer thumbnails en")
        await shot(reader, "viewer-seat-thumbnails-1024x768-en")
        # Touch: a swipe to the left turns to the next page.
        box = await reader.get_by_test_id("viewer-stage").bounding_box()
        assert box is not None
        y = box["y"] + box["height"] / 2
        await reader.mouse.move(box["x"] + box["width"] * 0.8, y)
        await reader.mouse.down()
        await reader.mouse.move(box["x"] + box["width"] * 0.2, y, steps=5)
        await reader.mouse.up()
        await expect(viewer).to_have_attribute("data-page", "5")

        # The chair shows the bill on the hall display and turns to page 3.
        await console.get_by_test_id("doc-present").click()
        await expect(display.get_by_test_id("display-doc")).to_have_attribute("data-page", "1")
        await expect(display.get_by_test_id("viewer")).to_have_attribute("data-page", "1")
        await follower.get_by_test_id("follow-hall").click()  # the portrait tablet follows the hall
        follow_view = follower.get_by_test_id("viewer")
        await expect(follow_view).to_have_attribute("data-page", "1")
        await expect(follower.get_by_test_id("viewer-follow")).to_have_attribute("aria-pressed", "true")
        turned = time.monotonic()
        for _ in range(2):
            await console.get_by_test_id("viewer-next").click()
        await expect(display.get_by_test_id("display-doc")).to_have_attribute("data-page", "3")
        await expect(display.get_by_test_id("viewer")).to_have_attribute("data-page", "3")
        await expect(follow_view).to_have_attribute("data-page", "3")
        print(f"two page turns by the chair drawn on the display and the following seat in "
              f"{time.monotonic() - turned:.2f} s")
        await expect(viewer).to_have_attribute("data-page", "5")  # the reader who does not follow keeps their page
        state = await hall.follow_as_chair()
        assert state.shown is not None and (state.shown.document_id, state.shown.page) == ("bill-2027", 3)
        await shot(display, "viewer-display-page3-en")
        await display.reload()  # a display that restarts finds the page in the view, and loads it
        await expect(display.get_by_test_id("viewer")).to_have_attribute("data-page", "3")
        await shot(console, "viewer-chair-present-en")
        await no_serious_axe(follower, "viewer following en")
        await shot(follower, "viewer-seat-follow-800x1280-en")
        await set_lang(follower, "km")
        await shot(follower, "viewer-seat-follow-800x1280-km")

        # A page turned by hand on the tablet stops following; the display stays where the chair is.
        await follower.get_by_test_id("viewer-next").click()
        await expect(follow_view).to_have_attribute("data-page", "4")
        await expect(follower.get_by_test_id("viewer-follow")).to_have_attribute("aria-pressed", "false")
        await console.get_by_test_id("viewer-next").click()
        await expect(display.get_by_test_id("viewer")).to_have_attribute("data-page", "4")
        await console.get_by_test_id("viewer-prev").click()
        await expect(display.get_by_test_id("viewer")).to_have_attribute("data-page", "3")
        await expect(follow_view).to_have_attribute("data-page", "4")

        # Full screen on the tablet; the chair stops showing and the display's page goes away.
        await follower.get_by_test_id("viewer-full").click()
        await expect(follower.get_by_test_id("viewer-full")).to_have_attribute("aria-pressed", "true")
        await shot(follower, "viewer-seat-fullscreen-800x1280-km")
        await console.get_by_test_id("viewer-close").click()
        await console.get_by_test_id("shown-stop").click()
        await expect(display.get_by_test_id("display-doc")).to_be_hidden()
    finally:
        for c in [*seats, chair]:
            await c.close()


async def test_private_notes_follow_the_member_to_another_tablet(hall: Hall) -> None:
    members = hall.seeded.members
    _, chair = await prepared(hall)
    m = members[0]
    seat_client = await hall.device_client(Role.SEAT, f"seat-{m.seat}")
    other_seat = await hall.device_client(Role.SEAT, f"seat-{members[2].seat}")
    try:
        await seat_client.command(hall.sitting, CheckIn(member_id=m.member_id, pin=m.pin))
        first = await hall.open("/seat", "en", LANDSCAPE)
        await hall.pair(first, Role.SEAT, seat=m.seat)
        text = "សំណួរ៖ ថវិកាសម្រាប់ខេត្ត / Question: provincial budget"
        await first.get_by_test_id("notes").fill(text)
        await expect(first.get_by_test_id("notes-status")).to_have_text("Saved")
        assert not await first.evaluate("() => Object.keys(localStorage).some(k => k.startsWith('hemicycle.notes'))")

        # The member moves to another seat: a fresh tablet, nothing stored in it, finds the note.
        await seat_client.command(hall.sitting, CheckOut(member_id=m.member_id))
        await expect(first.get_by_test_id("notes")).to_have_count(0)
        await other_seat.command(hall.sitting, CheckIn(member_id=m.member_id, pin=m.pin))
        second = await hall.open("/seat", "en", PORTRAIT)
        await hall.pair(second, Role.SEAT, seat=members[2].seat)
        await expect(second.get_by_test_id("notes")).to_have_value(text)
        await no_serious_axe(second, "notes en")
        await shot(second, "viewer-notes-other-tablet-800x1280-en")
    finally:
        for c in (seat_client, other_seat, chair):
            await c.close()
