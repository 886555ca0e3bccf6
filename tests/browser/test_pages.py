"""Every page, in Khmer and in English: axe-core finds no serious or critical violation, and a
screenshot of each goes to docs/screenshots/ (the README shows them).

The scene is a sitting in progress: a member speaking, another on the list, a document open on
the seat, a live caption, then a roll-call vote and its published result.
"""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from protocol.commands import (
    AttachDocument,
    CheckIn,
    GrantFloor,
    NextItem,
    OpenSitting,
    OpenVote,
    RequestFloor,
    TakeUpItem,
)
from protocol.types import Role, SpeechType
from tests.browser.conftest import PROJECTOR, SCREENSHOTS, Hall, axe, make_pdf
from tests.browser.test_sitting import check_in

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)
LANGS = ("km", "en")


async def set_lang(page: Page, lang: str) -> None:
    if await page.evaluate("() => document.documentElement.lang") != lang:
        await page.get_by_test_id("lang").click()
    await expect(page.locator("html")).to_have_attribute("lang", lang)


async def check(page: Page, name: str, lang: str, shots: dict[str, list[str]]) -> None:
    """axe in this language, then the screenshot (after fonts are in)."""
    await set_lang(page, lang)
    await page.evaluate("() => { document.activeElement?.blur(); window.scrollTo(0, 0);"
                        " document.querySelectorAll('.toast').forEach(t => t.remove()); return document.fonts.ready; }")
    await page.wait_for_timeout(150)
    violations = await axe(page)
    assert not violations, f"{name} ({lang}): {violations}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{lang}.png"
    await page.screenshot(path=path)
    shots.setdefault(name, []).append(lang)


async def test_every_page_is_accessible_in_both_languages_with_screenshots(hall: Hall) -> None:
    members = hall.seeded.members
    shots: dict[str, list[str]] = {}
    seat = await hall.open("/seat", "km")
    chair_page = await hall.open("/chair", "km")
    display = await hall.open("/display", "km", PROJECTOR)
    clerk = await hall.open("/clerk", "km", {"width": 1280, "height": 900})
    waiting = await hall.open("/seat", "km")  # a new tablet, not yet paired

    # The pairing screen, and the clerk's sign-in.
    await expect(waiting.get_by_test_id("pairing-code")).to_have_attribute("data-code", re.compile(r"^\w{8}$"))
    for lang in LANGS:
        await check(waiting, "seat-pairing", lang, shots)
        await check(clerk, "clerk-signin", lang, shots)
    await clerk.get_by_test_id("clerk-token").fill(hall.server.admin_token)
    await clerk.get_by_test_id("clerk-signin").click()
    await expect(clerk.get_by_test_id("conn")).to_have_attribute("data-state", "online")

    await hall.pair(seat, Role.SEAT, seat=members[0].seat)
    await hall.pair(chair_page, Role.CHAIR)
    await hall.pair(display, Role.DISPLAY)

    # A sitting in progress, driven by the seeded Python chair and seats.
    chair = await hall.device_client(Role.CHAIR, "chair")
    others = [await hall.device_client(Role.SEAT, f"seat-{m.seat}") for m in members[1:3]]
    try:
        doc = await hall.upload(make_pdf("Draft Law on the Financial Management for 2027",
                                         "Report of the Commission on Economy, Finance, Banking and Audit",
                                         "Article 1. This law sets the State budget for the year 2027."))
        await hall.clerk.command(hall.sitting, AttachDocument(
            item_id="i2", document_id="i2-draft-law", title="Draft law / សេចក្តីព្រាងច្បាប់",
            sha256=doc["sha256"], size=doc["size"]))
        await chair.command(hall.sitting, OpenSitting(without_quorum=True))
        await chair.command(hall.sitting, NextItem())
        await chair.command(hall.sitting, TakeUpItem(item_id="i2"))
        await check_in(seat, members[0].member_id, members[0].pin)
        for c, m in zip(others, members[1:3], strict=True):
            await c.command(hall.sitting, CheckIn(member_id=m.member_id, pin=m.pin))
        await others[0].command(hall.sitting, RequestFloor(member_id=members[1].member_id))
        await others[1].command(hall.sitting, RequestFloor(member_id=members[2].member_id,
                                                           speech_type=SpeechType.POINT_OF_ORDER))
        await chair.command(hall.sitting, GrantFloor())
        await seat.get_by_test_id("floor-request").click()
        await expect(seat.get_by_test_id("my-place")).to_be_visible()
        view = await hall.clerk_view()
        recorder = await hall.device_client(Role.RECORDER, "recorder")
        await recorder.call("caption", {"stream": hall.sitting, "turn_id": view["floor"]["speaking"][0]["turn_id"],
                                        "member_id": members[2].member_id, "final": False,
                                        "text": "លោកប្រធាន ខ្ញុំសូមលើកបញ្ហាបទបញ្ជាផ្ទៃក្នុង មាត្រា ៤៨"})
        await recorder.close()
        await seat.get_by_test_id("doc-open").last.click()  # read in the pdf.js viewer, then put away
        await expect(seat.get_by_test_id("viewer")).to_have_attribute("data-page", "1")
        await seat.get_by_test_id("viewer-close").click()
        await seat.get_by_test_id("notes").fill("សំណួរ៖ ថវិកាសម្រាប់ខេត្ត / Question: provincial budget")
        await clerk.get_by_test_id("tab-devices").click()
        await expect(clerk.get_by_test_id("pairing")).to_have_count(1)

        for lang in LANGS:
            await check(seat, "seat", lang, shots)
            await check(chair_page, "chair", lang, shots)
            await check(display, "display", lang, shots)
            await check(clerk, "clerk-devices", lang, shots)
        await clerk.get_by_test_id("tab-sittings").click()
        for lang in LANGS:
            await check(clerk, "clerk-sittings", lang, shots)

        # Large text, for elderly members: remembered on the device.
        await seat.get_by_test_id("large-text").click()
        await check(seat, "seat-large-text", "km", shots)
        await seat.reload()
        await expect(seat.locator("html")).to_have_class(re.compile("large"))
        await seat.get_by_test_id("large-text").click()

        # A roll-call vote: the seat's vote screen, its confirmation, the display's count.
        await chair.command(hall.sitting, OpenVote(
            vote_id="v1", motion_km="អនុម័តលើ៖ សេចក្តីព្រាងច្បាប់ស្តីពីហិរញ្ញវត្ថុសម្រាប់ការគ្រប់គ្រងឆ្នាំ២០២៧",
            motion_en="Adoption of: Draft Law on the Financial Management for 2027", majority="simple",
            without_quorum=True))
        for c, m, choice in zip(others, members[1:3], ["yes", "no"], strict=True):
            await c.command(hall.sitting, c.identity.ballot(hall.sitting, "v1", m.member_id, m.seat, choice))  # type: ignore[union-attr]
        await expect(seat.get_by_test_id("vote-dialog")).to_be_visible()
        for lang in LANGS:
            await check(seat, "seat-vote", lang, shots)
            await check(display, "display-vote", lang, shots)
            await check(chair_page, "chair-vote", lang, shots)
        await seat.get_by_test_id("vote-yes").click()
        for lang in LANGS:
            await check(seat, "seat-vote-confirm", lang, shots)
        await seat.get_by_test_id("vote-confirm").click()
        await expect(seat.get_by_test_id("receipt")).to_be_visible()
        for lang in LANGS:
            await check(seat, "seat-vote-receipt", lang, shots)

        await chair_page.get_by_test_id("vote-close").click()
        await chair_page.get_by_test_id("vote-publish").click()
        await expect(display.get_by_test_id("named")).to_be_visible()
        await expect(seat.get_by_test_id("outcome")).to_be_visible()
        for lang in LANGS:
            await check(display, "display-result", lang, shots)
            await check(chair_page, "chair-result", lang, shots)
    finally:
        for c in [chair, *others]:
            await c.close()
    assert all(langs == list(LANGS) for name, langs in shots.items() if name != "seat-large-text")
