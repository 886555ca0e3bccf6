"""Managing accounts in Chromium: sokha, who runs the hall's IT as a clerk account (the role that may
manage accounts), resets dara's password, disables dara (dara's open page is signed out at once and its
requests get 401), enables dara again, and changes its own password; in English and Khmer.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.async_api import Browser, Page, expect

from hall_server.web.pages import DIST
from tests.browser.conftest import SCREENSHOTS, TABLET, axe
from tests.hall import ServerProcess

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)
PASSWORDS = {"sokha": "sokha-runs-the-hall-it", "dara": "dara-first-password"}


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    assert (DIST / "clerk.js").exists(), "build the browser apps first: cd web && npm run build"
    tmp = tmp_path_factory.mktemp("accounts-manage")
    srv = ServerProcess(f"sqlite:///{tmp / 'hall.db'}", tmp / "srv")
    srv.start()
    try:
        for name, password in PASSWORDS.items():
            req = urllib.request.Request(
                f"{srv.url}/api/accounts", method="POST",
                data=json.dumps({"name": name, "password": password, "roles": ["clerk"]}).encode(),
                headers={"Authorization": f"Bearer {srv.admin_token}", "Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=30) as r:
                assert r.status == 201
        yield srv
    finally:
        srv.stop()


async def open_clerk(browser: Browser, srv: ServerProcess, lang: str = "en") -> Page:
    context = await browser.new_context(viewport={**TABLET, "height": 900}, device_scale_factor=1)
    await context.add_init_script(f"localStorage.setItem('hemicycle.lang', {json.dumps(lang)});")
    page = await context.new_page()
    await page.goto(f"{srv.url}/clerk")
    return page


async def sign_in(page: Page, name: str, password: str) -> None:
    await expect(page.get_by_test_id("clerk-login")).to_be_visible()
    await page.get_by_test_id("clerk-account").fill(name)
    await page.get_by_test_id("clerk-password").fill(password)
    await page.get_by_test_id("clerk-signin").click()
    await expect(page.get_by_test_id("conn")).to_have_attribute("data-state", "online")
    await expect(page.get_by_test_id("signed-in-as")).to_contain_text(name)


async def status_of(page: Page, path: str) -> int:
    return int(await page.evaluate("async (p) => (await fetch(p, {cache: 'no-store'})).status", path))


async def test_an_operator_resets_disables_and_enables_a_clerk_and_changes_their_own_password(
        hall: ServerProcess, browser: Browser) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    dara = await open_clerk(browser, hall)
    await sign_in(dara, "dara", PASSWORDS["dara"])
    sokha = await open_clerk(browser, hall)
    await sign_in(sokha, "sokha", PASSWORDS["sokha"])
    await sokha.get_by_test_id("tab-accounts").click()
    row = sokha.locator("[data-account=dara]")
    await expect(row.get_by_test_id("account-status")).to_have_text("Enabled")
    await expect(sokha.locator("[data-account=sokha]")).to_contain_text("Your account")  # no disabling oneself
    await expect(sokha.locator("[data-account=sokha]").get_by_test_id("account-disable")).to_have_count(0)

    # Reset: dara's open page is signed out; the new password works.
    await row.get_by_test_id("account-reset").click()
    form = sokha.get_by_test_id("account-reset-form")
    await expect(form.get_by_label("New password for dara")).to_be_focused()
    await form.get_by_test_id("account-reset-password").fill("dara-given-by-sokha")
    await sokha.screenshot(path=str(SCREENSHOTS / "accounts-manage-reset-en.png"))
    assert await axe(sokha) == []
    await form.get_by_test_id("account-reset-save").click()
    await expect(sokha.get_by_role("status").filter(has_text="dara's password is reset")).to_be_visible()
    await expect(row.get_by_test_id("account-change")).to_contain_text("Password reset by sokha")
    await expect(dara.get_by_test_id("clerk-login")).to_be_visible()
    assert await status_of(dara, "/api/session") == 401
    await sign_in(dara, "dara", "dara-given-by-sokha")

    # Disable: dara's page is signed out at once, its requests are refused, dara cannot sign in.
    await row.get_by_test_id("account-disable").click()
    await expect(row.get_by_test_id("account-status")).to_have_text("Disabled")
    await expect(row).to_have_attribute("data-disabled", "true")
    await expect(row.get_by_test_id("account-change")).to_contain_text("Disabled by sokha")
    await expect(dara.get_by_test_id("clerk-login")).to_be_visible()
    assert await status_of(dara, "/api/session") == 401
    assert await status_of(dara, "/api/accounts") == 401
    await dara.get_by_test_id("clerk-account").fill("dara")
    await dara.get_by_test_id("clerk-password").fill("dara-given-by-sokha")
    await dara.get_by_test_id("clerk-signin").click()
    await expect(dara.get_by_role("alert").filter(has_text="unknown account or wrong password")).to_be_visible()
    await expect(dara.get_by_test_id("clerk-login")).to_be_visible()
    await sokha.screenshot(path=str(SCREENSHOTS / "accounts-manage-disabled-en.png"))
    assert await axe(sokha) == []

    # Enable again: dara signs in.
    await row.get_by_test_id("account-enable").click()
    await expect(row.get_by_test_id("account-status")).to_have_text("Enabled")
    await expect(row.get_by_test_id("account-change")).to_contain_text("Enabled by sokha")
    await dara.reload()
    await sign_in(dara, "dara", "dara-given-by-sokha")

    # Sokha's own password: a mismatch and a wrong current password are refused, then it changes;
    # this page stays signed in and the new password signs in elsewhere.
    mine = sokha.get_by_test_id("mine-form")
    await mine.get_by_label("Current password").fill("not-the-password")
    await mine.get_by_label("New password", exact=True).fill("sokha-next-password")
    await mine.get_by_label("New password again").fill("sokha-next-passwort")
    await mine.get_by_test_id("mine-submit").click()
    await expect(sokha.get_by_role("alert").filter(has_text="The two new passwords differ")).to_be_visible()
    await mine.get_by_label("New password again").fill("sokha-next-password")
    await mine.get_by_test_id("mine-submit").click()
    await expect(sokha.get_by_role("alert").filter(has_text="The current password is wrong")).to_be_visible()
    await mine.get_by_label("Current password").fill(PASSWORDS["sokha"])
    await mine.get_by_test_id("mine-submit").click()
    await expect(sokha.get_by_role("status").filter(has_text="Your password is changed")).to_be_visible()
    await expect(sokha.locator("[data-account=sokha] [data-testid=account-change]")).to_contain_text(
        "Password changed by sokha")
    assert await status_of(sokha, "/api/session") == 200
    elsewhere = await open_clerk(browser, hall)
    await sign_in(elsewhere, "sokha", "sokha-next-password")
    await sokha.evaluate("document.querySelectorAll('.toast').forEach((t) => t.remove()); window.scrollTo(0, 0)")
    await sokha.screenshot(path=str(SCREENSHOTS / "accounts-manage-en.png"))
    for page in (dara, sokha, elsewhere):
        await page.context.close()


async def test_managing_accounts_in_khmer(hall: ServerProcess, browser: Browser) -> None:
    """Runs after the first test: sokha's password is the changed one."""
    page = await open_clerk(browser, hall, lang="km")
    await sign_in(page, "sokha", "sokha-next-password")
    await page.get_by_test_id("tab-accounts").click()
    row = page.locator("[data-account=dara]")
    await expect(row.get_by_test_id("account-status")).to_have_text("កំពុងប្រើ")
    await row.get_by_test_id("account-reset").click()
    await expect(page.get_by_test_id("account-reset-form")).to_contain_text("ពាក្យសម្ងាត់ថ្មីសម្រាប់ dara")
    await expect(page.get_by_test_id("mine-form")).to_contain_text("ប្តូរពាក្យសម្ងាត់របស់ខ្ញុំ")
    await page.screenshot(path=str(SCREENSHOTS / "accounts-manage-km.png"), full_page=True)
    assert await axe(page) == []
    await page.context.close()
