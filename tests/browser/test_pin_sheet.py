"""The clerk's roster import that makes PINs: the sheet of them is downloaded once from the page."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.conftest import Hall

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)

ROSTER = "member_id,name_km,name_latin,group\r\nq001,ឯក សុវណ្ណារ៉ា,Ek Sovannara,CPP\r\nq002,ស៊ិន ចន្ធូ,Sin Chanthou,KWP\r\n"


async def test_the_pin_sheet_is_printed_once_from_the_clerk_page(hall: Hall, tmp_path: Path) -> None:
    clerk = await hall.open("/clerk", "en", {"width": 1280, "height": 900})
    await clerk.get_by_test_id("clerk-token").fill(hall.server.admin_token)
    await clerk.get_by_test_id("clerk-signin").click()
    await expect(clerk.get_by_test_id("conn")).to_have_attribute("data-state", "online")
    await clerk.get_by_test_id("tab-members").click()
    await clerk.get_by_test_id("csv-text").fill(ROSTER)
    await clerk.get_by_test_id("csv-new-pins").check()
    await clerk.get_by_test_id("csv-import").click()
    await expect(clerk.get_by_test_id("csv-status")).to_have_text(
        "Added 2 · updated 0 · unchanged 0 · bad rows 0 · 2 new PINs made")
    async with clerk.expect_download() as got:
        await clerk.get_by_test_id("pin-sheet").click()
    download = await got.value
    await download.save_as(tmp_path / "pins.pdf")
    text = subprocess.run(["pdftotext", str(tmp_path / "pins.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Ek Sovannara" in text and "Sin Chanthou" in text
    await expect(clerk.get_by_test_id("pin-sheet-taken")).to_be_visible()
    await expect(clerk.get_by_test_id("pin-sheet")).to_have_count(0)
