"""Screenshots of the spoken demo: /display with a live caption, the review tab after the sitting.

Runs ``hemicycle demo`` (spoken), pairs a display in Chromium as the clerk would, waits for a
caption while an English speech is played into the recorder, then opens the clerk's review tab.

    python scripts/demo_screenshots.py docs/screenshots
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.async_api import Page, async_playwright, expect

from protocol.commands import REGISTRY_STREAM, EnrolDevice
from protocol.types import Role
from seat_client.client import HallClient
from tests.browser.conftest import CHROMIUM_ARGS, PROJECTOR, TABLET
from tests.services import free_port


def wait_for(path: Path, pattern: str, proc: subprocess.Popen[bytes], timeout: float = 300) -> re.Match[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(pattern, path.read_text(errors="replace"))
        if found:
            return found
        if proc.poll() is not None:
            raise RuntimeError(f"demo exited: {path.read_text()[-2000:]}")
        time.sleep(0.1)
    raise TimeoutError(pattern)


async def page_for(browser: object, url: str, storage: dict[str, str], viewport: dict[str, int]) -> Page:
    context = await browser.new_context(viewport=viewport, device_scale_factor=1)  # type: ignore[attr-defined]
    await context.add_init_script("".join(f"localStorage.setItem({json.dumps(k)}, {json.dumps(v)});"
                                          for k, v in storage.items()))
    page: Page = await context.new_page()
    await page.goto(url)
    return page


async def shoot(out: Path, url: str, token: str, log: Path, proc: subprocess.Popen[bytes]) -> None:
    await asyncio.to_thread(wait_for, log, r"Playing a simulated sitting", proc)
    clerk = HallClient(url, Role.CLERK, token)
    await clerk.connect()
    stream = ""
    while not stream:
        sittings = (await clerk.call("streams", {}))["sittings"]
        stream = next((s["stream"] for s in sittings if s["stream"].startswith("sim-")), "")
        await asyncio.sleep(0.2)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        display = await page_for(browser, f"{url}/display",
                                 {"hemicycle.lang": "en", "hemicycle.stream.display": stream}, PROJECTOR)
        code_el = display.get_by_test_id("pairing-code").and_(display.locator("[data-code]"))
        await code_el.wait_for(timeout=15_000)
        code = str(await code_el.get_attribute("data-code"))
        request = next(r for r in (await clerk.call("pairings", {}))["pairings"] if r["code"] == code)
        await clerk.command(REGISTRY_STREAM, EnrolDevice(device_id=f"web-display-{code.lower()}", role=Role.DISPLAY,
                                                         public_key=request["public_key"], label="hall display"))
        captions = display.get_by_test_id("captions")
        await expect(captions).to_contain_text(re.compile("President|committee|order"), timeout=120_000)
        await display.wait_for_timeout(1500)
        await display.screenshot(path=str(out / "display-caption-en.png"))
        await asyncio.to_thread(wait_for, log, r"Spoken turns", proc)
        storage = {"hemicycle.lang": "en", "hemicycle.clerk.token": token, "hemicycle.stream.clerk": stream}
        review = await page_for(browser, f"{url}/clerk", storage, {**TABLET, "height": 1000})
        await review.get_by_test_id("tab-review").click()
        card = review.locator("[data-testid=speech]").filter(has_text="Mr President").first
        await card.evaluate("e => e.scrollIntoView({block: 'center'})")
        await review.wait_for_timeout(1000)
        await card.screenshot(path=str(out / "clerk-review-spoken-en.png"))
        flagged = review.locator("[data-testid=speech]").filter(has=review.get_by_test_id("flag")).first
        await flagged.evaluate("e => e.scrollIntoView({block: 'center'})")
        await review.wait_for_timeout(500)
        await flagged.screenshot(path=str(out / "clerk-review-flagged-en.png"))
        await browser.close()
    await clerk.close()


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    data = Path(tempfile.mkdtemp(prefix="hc-demo-shots-"))
    port = free_port()
    log = data / "demo.out"
    with log.open("wb") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "hemicycle.cli", "demo", "--data", str(data / "demo"),
                                 "--port", str(port)], stdout=sink, stderr=subprocess.STDOUT)
    try:
        token = wait_for(log, r"clerk token: (\S+)", proc).group(1)
        asyncio.run(shoot(out, f"http://127.0.0.1:{port}", token, log, proc))
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(20)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
