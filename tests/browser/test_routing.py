"""Devices follow the sitting, through the pages (issue 12): a seat and a wall display follow
one sitting; the clerk routes them to another from the clerk page; both pages move at once,
without pairing again and without a mouse on the display. The clerk edits the agenda by drag
and drop and from the keyboard, replaces a document with a new version; a revoked display
shows it at once."""

from __future__ import annotations

import hashlib
import time

import pytest
from playwright.async_api import Page, expect

from protocol.commands import AddItem, AttachDocument, CreateSitting
from protocol.types import Body, Role
from tests.browser.conftest import PROJECTOR, SCREENSHOTS, Hall, make_pdf

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)

SECOND_EN, SECOND_KM = "Ninth Commission hearing", "សវនាការគណៈកម្មការទី៩"


async def clerk_page(hall: Hall, height: int = 1000) -> Page:
    clerk = await hall.open("/clerk", "en", {"width": 1280, "height": height})
    await clerk.get_by_test_id("clerk-token").fill(hall.server.admin_token)
    await clerk.get_by_test_id("clerk-signin").click()
    await expect(clerk.get_by_test_id("conn")).to_have_attribute("data-state", "online")
    return clerk


async def test_a_seat_and_a_display_follow_the_clerk_s_route(hall: Hall) -> None:
    day = hall.sitting.rsplit("-plenary-", 1)[1]
    second = f"{hall.seeded.prefix}-c9"
    await hall.clerk.command(second, CreateSitting(body=Body.COMMISSION, number=9, title_km=SECOND_KM,
                                                   title_en=SECOND_EN, date=day, place="Room 9"))
    await hall.clerk.command(second, AddItem(item_id="h1", title_km="សវនាការ", title_en="Hearing of the minister"))
    member = hall.seeded.members[0]

    seat = await hall.open("/seat", "en")
    seat_id = await hall.pair(seat, Role.SEAT, seat=member.seat)
    display = await hall.open("/display", "en", PROJECTOR)
    display_id = await hall.pair(display, Role.DISPLAY)
    for page in (seat, display):  # two sittings today: each page asks once
        await page.locator(f"[data-stream='{hall.sitting}']").click()
        await expect(page.locator(".sitting-title")).to_contain_text("Plenary")

    clerk = await clerk_page(hall)
    await clerk.get_by_test_id("tab-devices").click()
    await clerk.get_by_test_id("route-sitting").select_option(second)
    for device in (seat_id, display_id):
        await clerk.get_by_test_id(f"pick-{device}").check()
    started = time.monotonic()
    await clerk.get_by_test_id("route-picked").click()
    for page in (seat, display):
        await expect(page.locator(".sitting-title")).to_contain_text(SECOND_EN)
    moved_s = time.monotonic() - started
    print(f"\nseat and display followed the route in {moved_s * 1000:.0f} ms (click to both headers)")
    await expect(seat.get_by_test_id("pairing-code")).to_have_count(0)  # no pairing again
    await expect(clerk.get_by_test_id("devices").locator(f"[data-device='{display_id}']")).to_contain_text(SECOND_EN)
    await seat.screenshot(path=SCREENSHOTS / "routed-seat-en.png")
    await display.screenshot(path=SCREENSHOTS / "routed-display-en.png")
    await clerk.screenshot(path=SCREENSHOTS / "clerk-route-en.png", full_page=True)
    await clerk.get_by_test_id("lang").click()
    await expect(clerk.get_by_test_id("route-all")).to_have_text("បញ្ជូនឧបករណ៍ទាំងអស់នៃសាលប្រជុំ")
    await clerk.screenshot(path=SCREENSHOTS / "clerk-route-km.png", full_page=True)
    await clerk.get_by_test_id("lang").click()

    # A reload keeps the route; the seat may still choose again, among today's and open sittings.
    await seat.reload()
    await expect(seat.locator(".sitting-title")).to_contain_text(SECOND_EN)
    await seat.get_by_test_id("change-sitting").click()
    await expect(seat.locator("[data-stream]")).to_have_count(2)
    await seat.locator(f"[data-stream='{hall.sitting}']").click()
    await expect(seat.locator(".sitting-title")).to_contain_text("Plenary")

    # Revoked: the display leaves the sitting at once and says so.
    clerk.once("dialog", lambda d: d.accept())
    await clerk.get_by_test_id("devices").locator(f"[data-fk='rv-{display_id}']").click()
    await expect(display.get_by_test_id("device-refused")).to_contain_text("revoked")
    await display.screenshot(path=SCREENSHOTS / "revoked-display-en.png")


async def test_the_clerk_reorders_the_agenda_and_replaces_a_document(hall: Hall) -> None:
    for item, parent in (("z1", None), ("z2", None), ("z3", None), ("z1.1", "z1")):
        await hall.clerk.command(hall.sitting, AddItem(item_id=item, parent_id=parent, title_km=f"ចំណុច {item}",
                                                       title_en=f"Item {item}"))
    first = await hall.upload(make_pdf("Draft law", "version 1"))
    await hall.clerk.command(hall.sitting, AttachDocument(item_id="z2", document_id="bill", title="Draft law",
                                                          sha256=first["sha256"], size=first["size"]))
    clerk = await clerk_page(hall, 3600)  # the whole agenda in view: a drag scrolls nothing
    agenda = clerk.get_by_test_id("clerk-agenda")

    async def order() -> list[str]:
        shown = await agenda.locator("li[data-item]").evaluate_all("els => els.map(e => e.dataset.item)")
        return [i for i in shown if i.startswith("z")]

    await expect(agenda.locator("li[data-item^='z']")).to_have_count(4)
    async def expect_order(want: list[str]) -> None:
        deadline = time.monotonic() + 10
        while (got := await order()) != want:
            assert time.monotonic() < deadline, got
            await clerk.wait_for_timeout(100)

    # drag z3 onto the upper half of z1: before it
    await agenda.locator("[data-item='z3'] .drag-handle").first.drag_to(
        agenda.locator("[data-item='z1'] > .agenda-row"), target_position={"x": 40, "y": 4})
    await expect_order(["z3", "z1", "z1.1", "z2"])
    # drag z2 onto the lower half of z3: under it
    box = await agenda.locator("[data-item='z3'] > .agenda-row").bounding_box()
    assert box is not None
    await agenda.locator("[data-item='z2'] .drag-handle").first.drag_to(
        agenda.locator("[data-item='z3'] > .agenda-row"), target_position={"x": 40, "y": box["height"] - 4})
    await expect_order(["z3", "z2", "z1", "z1.1"])
    await expect(agenda.locator("[data-item='z2']")).to_have_class("agenda-item depth-1")
    # the keyboard: z1 up, with Enter on its focused button
    await clerk.get_by_test_id("move-up-z1").focus()
    await clerk.keyboard.press("Enter")
    await expect_order(["z1", "z1.1", "z3", "z2"])

    # a new version of the document: one button, the new one; the old stays in the record
    second = make_pdf("Draft law", "version 2, as amended")
    await clerk.get_by_test_id("replace-file-bill").set_input_files(
        files=[{"name": "draft-v2.pdf", "mimeType": "application/pdf", "buffer": second}])
    links = agenda.locator("[data-item='z2']").get_by_test_id("clerk-doc")
    await expect(links).to_have_count(1)
    await expect(links).to_contain_text("version 2")
    await expect(links).to_have_attribute("data-sha", hashlib.sha256(second).hexdigest())
    await clerk.screenshot(path=SCREENSHOTS / "clerk-agenda-edit-en.png", full_page=True)
    await clerk.get_by_test_id("lang").click()
    await expect(links).to_contain_text("កំណែទី ២")
    await clerk.screenshot(path=SCREENSHOTS / "clerk-agenda-edit-km.png", full_page=True)
    records = (await hall.clerk.call("sync", {"stream": hall.sitting, "after": 0}))["records"]
    versions = [r["event"]["sha256"] for r in records if r["event"].get("document_id") == "bill"]
    assert versions == [first["sha256"], hashlib.sha256(second).hexdigest()]

    # removed while its item waits
    clerk.once("dialog", lambda d: d.accept())
    await clerk.get_by_test_id("remove-doc-bill").click()
    await expect(links).to_have_count(0)


async def test_the_chair_sends_its_hall_on_to_the_next_sitting(hall: Hall) -> None:
    day = hall.sitting.rsplit("-plenary-", 1)[1]
    after = f"{hall.seeded.prefix}-afternoon"
    await hall.clerk.command(after, CreateSitting(body=Body.PLENARY, number=2, title_km="សម័យរសៀល",
                                                  title_en="Afternoon sitting", date=day, place="Senate Hall"))
    member = hall.seeded.members[1]
    chair = await hall.open("/chair", "en")
    await hall.pair(chair, Role.CHAIR)
    seat = await hall.open("/seat", "en")
    await hall.pair(seat, Role.SEAT, seat=member.seat)
    for page in (chair, seat):
        await page.locator(f"[data-stream='{hall.sitting}']").click()
        await expect(page.locator(".sitting-title")).to_contain_text("Plenary")
    await chair.get_by_test_id("sitting-open").click()
    chair.once("dialog", lambda d: d.accept())
    await chair.get_by_test_id("sitting-close").click()
    await chair.get_by_test_id(f"route-to-{after}").click()
    for page in (chair, seat):
        await expect(page.locator(".sitting-title")).to_contain_text("Afternoon sitting")
    await expect(chair.get_by_test_id("sitting-status")).to_have_text("Not yet open")
    await chair.screenshot(path=SCREENSHOTS / "chair-routed-en.png")
