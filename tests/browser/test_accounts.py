"""Two named accounts in Chromium: each signs in through the clerk page and corrects the transcript;
the review history says "revised by" each, and the audit tab lists the log by author.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from hall_server.web.pages import DIST
from hemicycle.simulate import simulate
from tests.browser.conftest import SCREENSHOTS, TABLET, axe
from tests.hall import ServerProcess

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)
ACCOUNTS = {"alice": ("alice-correct-horse", ["clerk"]), "bruno": ("bruno-battery-staple", ["editor"])}


@pytest.fixture(scope="module")
def sitting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, str]]:
    assert (DIST / "clerk.js").exists(), "build the browser apps first: cd web && npm run build"
    tmp = tmp_path_factory.mktemp("accounts")
    srv = ServerProcess(f"sqlite:///{tmp / 'hall.db'}", tmp / "srv")
    srv.start()
    try:
        summary = asyncio.run(simulate(srv.url, 4, srv.admin_token, progress=False))
        for name, (password, roles) in ACCOUNTS.items():
            req = urllib.request.Request(
                f"{srv.url}/api/accounts", method="POST",
                data=json.dumps({"name": name, "password": password, "roles": roles}).encode(),
                headers={"Authorization": f"Bearer {srv.admin_token}", "Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=30) as r:
                assert r.status == 201
        yield srv, summary["sitting"]
    finally:
        srv.stop()


def review(srv: ServerProcess, stream: str) -> dict[str, Any]:
    req = urllib.request.Request(f"{srv.url}/api/review/{stream}",
                                 headers={"Authorization": f"Bearer {srv.admin_token}"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return dict(json.loads(r.read()))


async def signed_in(browser: Browser, srv: ServerProcess, stream: str, name: str, lang: str = "en") -> Page:
    context = await browser.new_context(viewport={**TABLET, "height": 900}, device_scale_factor=1)
    await context.add_init_script(f"localStorage.setItem('hemicycle.lang', {json.dumps(lang)});"
                                  f" localStorage.setItem('hemicycle.stream.clerk', {json.dumps(stream)});")
    page = await context.new_page()
    await page.goto(f"{srv.url}/clerk")
    if name == "alice":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await expect(page.get_by_test_id("clerk-login")).to_be_visible()
        await page.screenshot(path=str(SCREENSHOTS / f"accounts-signin-{lang}.png"))
    await page.get_by_test_id("clerk-account").fill(name)
    await page.get_by_test_id("clerk-password").fill(ACCOUNTS[name][0])
    await page.get_by_test_id("clerk-signin").click()
    await expect(page.get_by_test_id("conn")).to_have_attribute("data-state", "online")
    await expect(page.get_by_test_id("signed-in-as")).to_contain_text(name)
    return page


async def correct(page: Page, turn: str, text: str) -> None:
    await page.get_by_test_id("tab-review").click()
    card = page.locator(f"[data-testid=speech][data-turn='{turn}']")
    await card.get_by_test_id("editor").fill(text)
    await card.get_by_test_id("save").click()
    await expect(card.get_by_test_id("status").first).to_have_text("Corrected")


async def test_two_accounts_correct_and_the_history_and_audit_name_each(sitting: Any, browser: Browser) -> None:
    srv, stream = sitting
    turns = [t for t, segs in review(srv, stream)["transcript"].items() if len(segs) == 1]
    alice = await signed_in(browser, srv, stream, "alice")
    bruno = await signed_in(browser, srv, stream, "bruno")
    # An editor of the record sees only what it may do: review, watch, and its own password under accounts.
    await expect(bruno.get_by_role("tab")).to_have_count(3)
    await correct(alice, turns[0], "Alice corrected this speech.")
    await correct(bruno, turns[1], "Bruno corrected this speech.")

    await alice.reload()
    await alice.get_by_test_id("tab-review").click()
    for turn, name in ((turns[0], "alice"), (turns[1], "bruno")):
        card = alice.locator(f"[data-testid=speech][data-turn='{turn}']")
        await card.locator(".rv-history summary").click()
        last = card.get_by_test_id("history").locator("li").last
        await expect(last).to_contain_text(f"revised by {name}")
        await expect(last.get_by_test_id("version-by")).to_have_text(name)
    await alice.locator(f"[data-testid=speech][data-turn='{turns[1]}']").scroll_into_view_if_needed()
    await alice.screenshot(path=str(SCREENSHOTS / "accounts-review-history.png"))

    await alice.get_by_test_id("tab-audit").click()
    await alice.get_by_test_id("audit-sitting").select_option(stream)
    await expect(alice.get_by_test_id("audit-chain")).to_contain_text("Hash chain intact")
    await alice.get_by_test_id("audit-author").select_option("bruno")
    rows = alice.get_by_test_id("audit-events").locator("tbody tr")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("transcript.segment_revised")
    await expect(rows.first.get_by_test_id("audit-author-cell")).to_contain_text("bruno")
    await alice.screenshot(path=str(SCREENSHOTS / "accounts-audit-en.png"))
    assert [v for v in await axe(alice) if v["impact"] in ("serious", "critical")] == []

    await alice.get_by_test_id("tab-accounts").click()
    await expect(alice.get_by_test_id("accounts").locator("tbody tr")).to_have_count(2)
    await alice.get_by_test_id("account-name").fill("chanthy")
    await alice.get_by_test_id("account-password").fill("chanthy-long-password")
    await alice.get_by_test_id("account-role-operator").check()
    await alice.get_by_test_id("account-submit").click()
    await expect(alice.locator("[data-account=chanthy]")).to_contain_text("Operator")
    await alice.screenshot(path=str(SCREENSHOTS / "accounts-list-en.png"))

    await bruno.get_by_test_id("clerk-signout").click()
    await expect(bruno.get_by_test_id("clerk-login")).to_be_visible()
    for page in (alice, bruno):
        await page.context.close()


async def test_the_sign_in_and_audit_in_khmer(sitting: Any, browser: Browser) -> None:
    srv, stream = sitting
    page = await signed_in(browser, srv, stream, "alice", lang="km")
    await page.get_by_test_id("tab-audit").click()
    await expect(page.get_by_test_id("audit-chain")).to_be_visible()
    await page.screenshot(path=str(SCREENSHOTS / "accounts-audit-km.png"))
    assert [v for v in await axe(page) if v["impact"] in ("serious", "critical")] == []
    await page.context.close()


