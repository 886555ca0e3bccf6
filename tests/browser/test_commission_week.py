"""A commission's week, through the pages only (issue 12): the clerk defines the Ninth Commission
(nine members), schedules its hearing and lists the minister, changes the roster from an XLSX file
(the scheduled hearing takes the change), edits and reorders the agenda, replaces a document with
a new version, pairs two seats, a console and a display and routes them to the hearing. The quorum
is the commission's; the chair gives the minister the floor; the Akoma Ntoso names him a guest and
lists only the commission's absentees; then the same devices go on to the plenary without pairing
again.

Python clients only assert (the registry's and the sitting's records); every action is a page's.
"""

from __future__ import annotations

import hashlib
import io
import time
from pathlib import Path

import pytest
from lxml import etree
from openpyxl import Workbook
from playwright.async_api import FilePayload, Page, expect

from tests.browser.conftest import PROJECTOR, SCREENSHOTS, Hall, make_pdf
from tests.browser.test_bodies import MORE, define_ninth_commission, signed_in
from tests.browser.test_review import download
from tests.browser.test_sitting import check_in
from tests.test_bodies_server import AKN, SCHEMA

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)

HEARING, HEARING_EN = "c9-hearing", "Hearing of the Minister of Commerce"
MINISTER = "H.E. Pan Sorasak"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def pdf_file(name: str, pdf: bytes) -> FilePayload:
    return FilePayload(name=name, mimeType="application/pdf", buffer=pdf)


def roster_change() -> bytes:
    """An XLSX sheet as a secretariat sends it: a name corrected, a group changed (blank cells left
    alone), a new senator outside the commission."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["member_id", "name_km", "name_latin", "group"])
    sheet.append(["c001", None, "Chea Sophara", None])
    sheet.append(["c002", None, None, "FUNCINPEC"])
    sheet.append(["c009", "សមាជិក ៩", "Member 9", "CPP"])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


async def enrol(clerk: Page, device: Page, role: str, seat: str | None = None) -> str:
    """The clerk enrols a device by the code its page shows, from the devices tab; its device id."""
    shown = device.get_by_test_id("pairing-code").and_(device.locator("[data-code]"))
    await shown.wait_for(timeout=15_000)
    code = await shown.get_attribute("data-code")
    assert code
    row = clerk.locator(f"[data-testid=pairing][data-code='{code}']")
    if seat:
        await row.get_by_test_id("enrol-seat").fill(seat)
    await row.get_by_test_id("enrol-submit").click()
    device_id = f"{role}-{code.lower()}"
    await expect(clerk.get_by_test_id("devices").locator(f"[data-device='{device_id}']")).to_be_visible()
    return device_id


async def route(clerk: Page, devices: list[str], stream: str) -> None:
    """Devices tab: "Send devices to a sitting", the ticked ones."""
    await clerk.get_by_test_id("tab-devices").click()
    await clerk.get_by_test_id("route-sitting").select_option(stream)
    for device in devices:
        await clerk.get_by_test_id(f"pick-{device}").check()
    await clerk.get_by_test_id("route-picked").click()


async def test_a_commission_s_week_through_the_pages(hall: Hall, tmp_path: Path) -> None:
    m0, m1 = hall.seeded.members[:2]
    clerk = await signed_in(hall, "en")

    # The Ninth Commission: four senators of the seed and five from the imported roster; its bureau.
    await clerk.get_by_test_id("tab-members").click()
    await clerk.get_by_test_id("csv-text").fill(MORE)
    await clerk.get_by_test_id("csv-import").click()
    await expect(clerk.get_by_test_id("csv-status")).to_contain_text("Added 8")
    await expect(clerk.get_by_test_id("body-member-c008")).to_be_visible()  # the form redrawn with all twelve
    ids = [m.member_id for m in hall.seeded.members[:4]] + [f"c{n:03d}" for n in range(1, 6)]
    await define_ninth_commission(clerk, ids, secretary=ids[4])
    await expect(clerk.get_by_test_id("body-pick")).to_contain_text("commission-9 · Ninth Commission")
    await clerk.evaluate("() => { document.activeElement?.blur(); window.scrollTo(0, 0); }")  # the header on top
    await clerk.screenshot(path=SCREENSHOTS / "week-clerk-body-en.png", full_page=True)

    # Its hearing, scheduled for today, with the minister listed for the whole sitting.
    await clerk.get_by_test_id("tab-sittings").click()
    await clerk.get_by_test_id("new-stream").fill(HEARING)
    await clerk.get_by_test_id("new-body").select_option("commission-9")
    await clerk.get_by_test_id("new-title-km").fill("សវនាការរដ្ឋមន្ត្រីក្រសួងពាណិជ្ជកម្ម")
    await clerk.get_by_test_id("new-title-en").fill(HEARING_EN)
    await clerk.get_by_test_id("create-submit").click()
    listed = clerk.get_by_test_id("sitting-list").locator(f"[data-stream='{HEARING}']")
    await expect(listed).to_have_attribute("aria-pressed", "true")
    await expect(listed).to_contain_text("Ninth Commission · Number 1")
    await clerk.get_by_test_id("guest-km").fill("ឯកឧត្តម ប៉ាន សូរស័ក្តិ")
    await clerk.get_by_test_id("guest-latin").fill(MINISTER)
    await clerk.get_by_test_id("guest-title-en").fill("Minister of Commerce")
    await clerk.get_by_test_id("guest-submit").click()
    await expect(clerk.get_by_test_id("guest-list")).to_contain_text(f"{MINISTER} · Minister · Minister of Commerce")

    # Then a roster change from a spreadsheet: matched on member id, blank cells left alone; the
    # scheduled hearing takes the corrected name (its roster is the registry's until it opens).
    await clerk.get_by_test_id("tab-members").click()
    await clerk.get_by_test_id("csv-file").set_input_files(
        FilePayload(name="roster.xlsx", mimeType=XLSX, buffer=roster_change()))
    await clerk.get_by_test_id("csv-import").click()
    await expect(clerk.get_by_test_id("csv-status")).to_have_text("Added 1 · updated 2 · unchanged 0 · bad rows 0")
    members = clerk.get_by_test_id("members")
    await expect(members.locator("tr", has_text="c001")).to_contain_text("Chea Sophara")
    await expect(members.locator("tr", has_text="c002")).to_contain_text("FUNCINPEC")
    await expect(members.locator("tr", has_text="c009")).to_contain_text("Member 9")
    await clerk.get_by_test_id("tab-sittings").click()
    await expect(listed).to_have_attribute("aria-pressed", "true")

    # Its agenda: three items, one retitled, one moved up from the keyboard.
    agenda = clerk.get_by_test_id("clerk-agenda")
    for item, km, en in (("h1", "ការបើកកិច្ចប្រជុំ", "Opening"), ("h2", "សវនាការ", "Hearing"),
                         ("h3", "ផ្សេងៗ", "Any other business")):
        await clerk.get_by_test_id("item-id").fill(item)
        await clerk.get_by_test_id("item-km").fill(km)
        await clerk.get_by_test_id("item-en").fill(en)
        await clerk.get_by_test_id("item-submit").click()
        await expect(agenda.locator(f"li[data-item='{item}']")).to_contain_text(en)
    await clerk.get_by_test_id("edit-item-h2").click()
    editor = clerk.get_by_test_id("item-edit-h2")
    await editor.get_by_test_id("edit-item-km").fill("សវនាការលើសេចក្តីព្រាងច្បាប់ពាណិជ្ជកម្មអេឡិចត្រូនិក")
    await editor.get_by_test_id("edit-item-en").fill("Hearing on the draft law on e-commerce")
    await editor.get_by_test_id("edit-item-save").click()
    await expect(agenda.locator("li[data-item='h2']")).to_contain_text("Hearing on the draft law on e-commerce")
    await clerk.get_by_test_id("move-up-h3").focus()
    await clerk.keyboard.press("Enter")
    rows = agenda.locator("li[data-item]")
    for n, item in enumerate(("h1", "h3", "h2")):
        await expect(rows.nth(n)).to_have_attribute("data-item", item)

    # The draft law on the hearing's item, then its amended version: one button, the new one.
    first, second = make_pdf("Draft Law on E-Commerce", "version 1"), make_pdf("Draft Law on E-Commerce", "version 2")
    await clerk.get_by_test_id("doc-item").select_option("h2")
    await clerk.get_by_test_id("doc-title").fill("Draft law")
    await clerk.get_by_test_id("doc-file").set_input_files(pdf_file("draft.pdf", first))
    await clerk.get_by_test_id("doc-submit").click()
    links = agenda.locator("[data-item='h2']").get_by_test_id("clerk-doc")
    await expect(links).to_have_attribute("data-sha", hashlib.sha256(first).hexdigest())
    await clerk.get_by_test_id(f"replace-file-h2-{hashlib.sha256(first).hexdigest()[:12]}").set_input_files(
        pdf_file("draft-v2.pdf", second))
    await expect(links).to_have_attribute("data-sha", hashlib.sha256(second).hexdigest())
    await expect(links).to_have_count(1)
    await expect(links).to_contain_text("version 2")

    # The hall's two seats, its console and its display, paired from the devices tab; each starts on
    # the plenary (two sittings today: each page asks), then all four are sent to the hearing.
    seats = [await hall.open("/seat", "en"), await hall.open("/seat", "en")]
    console = await hall.open("/chair", "en", {"width": 1280, "height": 900})
    display = await hall.open("/display", "en", PROJECTOR)
    pages = [*seats, console, display]
    await clerk.get_by_test_id("tab-devices").click()
    await expect(clerk.get_by_test_id("pairing")).to_have_count(4)
    devices = [await enrol(clerk, seats[0], "seat", m0.seat), await enrol(clerk, seats[1], "seat", m1.seat),
               await enrol(clerk, console, "chair"), await enrol(clerk, display, "display")]
    for page in pages:
        await page.locator(f"[data-stream='{hall.sitting}']").click()
        await expect(page.locator(".sitting-title")).to_contain_text("Plenary")
    started = time.monotonic()
    await route(clerk, devices, HEARING)
    for page in pages:
        await expect(page.locator(".sitting-title")).to_contain_text(HEARING_EN)
    print(f"\ntwo seats, console and display followed the route in {(time.monotonic() - started) * 1000:.0f} ms")
    for device in devices:
        await expect(clerk.get_by_test_id("devices").locator(f"[data-device='{device}']")).to_contain_text(HEARING_EN)
    for page in pages:
        await expect(page.get_by_test_id("pairing-code")).to_have_count(0)

    # The commission's roster at the seat (nine names), its quorum on the console and the clerk's watch.
    await expect(seats[0].get_by_test_id("checkin-member").locator("option:not([value=''])")).to_have_count(9)
    await expect(seats[0].get_by_test_id("checkin-member")).to_contain_text("Chea Sophara")
    await seats[0].screenshot(path=SCREENSHOTS / "week-routed-seat-en.png")
    await display.screenshot(path=SCREENSHOTS / "week-routed-display-en.png")
    await check_in(seats[0], m0.member_id, m0.pin)
    await check_in(seats[1], m1.member_id, m1.pin)
    await expect(console.get_by_test_id("present")).to_contain_text("2 / 9")
    await expect(console.get_by_test_id("quorum")).to_contain_text("Quorum: 5 needed")
    await clerk.get_by_test_id("tab-watch").click()
    await expect(clerk.locator(".tile").nth(1)).to_contain_text("2 / 9")
    await expect(clerk.locator(".tile").nth(1)).to_contain_text("Quorum: 5")

    # The chair opens (without quorum, as the button says), gives the minister the floor, closes.
    await expect(console.get_by_test_id("sitting-open")).to_have_text("Open the sitting without quorum")
    await console.get_by_test_id("sitting-open").click()
    await expect(console.get_by_test_id("sitting-status")).to_have_text("In session")
    await console.get_by_test_id("add-guest").select_option("guest-1")
    await console.get_by_test_id("grant-guest").click()
    mic = console.locator("[data-testid=mic][data-member='guest-1']")
    await expect(mic).to_contain_text(MINISTER)
    await expect(display.locator("body")).to_contain_text(MINISTER)
    await display.screenshot(path=SCREENSHOTS / "week-display-minister-en.png")
    await mic.get_by_test_id("mic-stop").click()
    await expect(mic).to_have_count(0)
    console.once("dialog", lambda d: d.accept())
    await console.get_by_test_id("sitting-close").click()
    await expect(console.get_by_test_id("sitting-status")).to_have_text("Closed")

    # The record, exported from the clerk's review tab: the minister a guest who spoke, the
    # absentees the commission's seven (not the plenary's), the corrected name in its references.
    await clerk.get_by_test_id("tab-review").click()
    akn = etree.parse(str(await download(clerk, "akn", tmp_path)))
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(akn), schema.error_log
    guests = akn.findall(".//a:debateSection[@name='guests']/a:p/a:person", AKN)
    assert [(g.get("refersTo"), g.get("as")) for g in guests] == [("#guest-1", "#role-guest")]
    assert [s.get("by") for s in akn.findall(".//a:speech", AKN)] == ["#guest-1"]
    absent = akn.findall(".//a:debateSection[@name='absent']/a:p/a:person", AKN)
    assert sorted(p.get("refersTo") for p in absent) == sorted(f"#{m}" for m in ids[2:])
    renamed = akn.find(".//a:TLCPerson[@eId='c001']", AKN)
    assert renamed is not None and "Chea Sophara" in (renamed.get("showAs") or "")
    records = (await hall.clerk.call("sync", {"stream": HEARING, "after": 0}))["records"]
    versions = [r["event"]["sha256"] for r in records if r["event"].get("document_id", "").startswith("h2-")]
    assert versions == [hashlib.sha256(first).hexdigest(), hashlib.sha256(second).hexdigest()]

    # Then on to the plenary: the same devices, no pairing again; the seat offers the plenary's roster
    # (the seed's senators: a body without a membership takes those registered when its sitting was
    # scheduled; the senators imported since join when the clerk renews its roster).
    await route(clerk, devices, hall.sitting)
    for page in pages:
        await expect(page.locator(".sitting-title")).to_contain_text("Plenary")
        await expect(page.get_by_test_id("pairing-code")).to_have_count(0)
    await expect(seats[1].get_by_test_id("checkin-member").locator("option:not([value=''])")).to_have_count(
        len(hall.seeded.members))
    await seats[1].screenshot(path=SCREENSHOTS / "week-plenary-seat-en.png")
    await display.screenshot(path=SCREENSHOTS / "week-plenary-display-en.png")
