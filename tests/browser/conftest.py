"""Browser tests: a real hall server, Debian's Chromium through Playwright, pages paired for real.

Each page gets its own browser context (its own IndexedDB key and localStorage, like a separate
tablet). Pages pair through the real flow: the page makes its key and shows a code; the test,
as the clerk, finds the code among the pending pairings and enrols it with ``device.enrol``.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import tempfile
import urllib.request
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Page, async_playwright

from hall_server.web.pages import DIST
from hemicycle.seed import Seeded, seed_senate
from protocol.commands import REGISTRY_STREAM, EnrolDevice
from protocol.types import Role
from seat_client.client import HallClient
from seat_client.identity import folder_keys
from tests.hall import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
# Screenshots are taken on every run; they land in docs/screenshots/ only when asked:
#   HEMICYCLE_SCREENSHOTS=docs/screenshots make test
SCREENSHOTS = Path(os.environ.get("HEMICYCLE_SCREENSHOTS") or Path(tempfile.gettempdir()) / "hemicycle-screenshots")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TABLET = {"width": 1280, "height": 800}
PROJECTOR = {"width": 1920, "height": 1080}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    assert (DIST / "seat.js").exists(), "build the browser apps first: cd web && npm run build"
    srv = ServerProcess(f"sqlite:///{tmp_path / 'hall.db'}", tmp_path / "srv")
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        await b.close()


@dataclass
class Hall:
    """The server, the clerk (admin token, Python client) and the seeded Senate."""

    server: ServerProcess
    clerk: HallClient
    seeded: Seeded
    browser: Browser
    pages: list[Page] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def sitting(self) -> str:
        return self.seeded.plenary

    async def open(self, path: str, lang: str = "en", viewport: dict[str, int] | None = None,
                   setup: Callable[[BrowserContext], Awaitable[None]] | None = None,
                   timezone: str | None = None) -> Page:
        """A page in a fresh context: a new device with nothing stored (its clock in ``timezone``)."""
        context: BrowserContext = await self.browser.new_context(viewport=viewport or TABLET, device_scale_factor=1,
                                                                 timezone_id=timezone)
        if setup is not None:
            await setup(context)
        await context.add_init_script(
            f"try {{ if (!localStorage.getItem('hemicycle.lang')) localStorage.setItem('hemicycle.lang', '{lang}'); }}"
            " catch (e) {}")  # also runs in frames without storage (the PDF viewer)
        page = await context.new_page()
        page.on("pageerror", lambda exc: self.errors.append(f"{path}: {exc}"))
        page.on("console", lambda msg: self._console(path, msg))
        await page.goto(self.url + path)
        self.pages.append(page)
        return page

    def _console(self, path: str, msg: ConsoleMessage) -> None:
        if msg.type == "error" and "Failed to load resource" not in msg.text:
            self.errors.append(f"{path}: {msg.text}")

    async def pair(self, page: Page, role: Role, *, seat: str | None = None, member_id: str | None = None,
                   device_id: str | None = None) -> str:
        """Enrol the page's key as the clerk would: by the code it shows."""
        code_el = page.get_by_test_id("pairing-code")
        await code_el.and_(page.locator("[data-code]")).wait_for(timeout=15_000)
        code = await code_el.get_attribute("data-code")
        ack = await self.clerk.call("pairings", {})
        request = next(p for p in ack["pairings"] if p["code"] == code)
        assert request["role"] == role.value
        device_id = device_id or f"web-{role.value}-{code.lower()}"
        await self.clerk.command(REGISTRY_STREAM, EnrolDevice(
            device_id=device_id, role=role, public_key=request["public_key"], seat=seat, member_id=member_id,
            label=f"browser {role.value}"))
        return device_id

    async def clerk_view(self) -> dict[str, Any]:
        """The sitting's public view, as the pages get it."""
        ack = await self.clerk.call("view", {"stream": self.sitting})
        assert ack["ok"], ack
        return dict(ack["view"])

    async def follow_as_chair(self) -> Any:
        """The sitting folded from its records by the seeded Python chair (checks the chain too)."""
        chair = await self.device_client(Role.CHAIR, "chair")
        try:
            return await chair.follow(self.sitting)
        finally:
            await chair.close()

    async def upload(self, pdf: bytes, token: str | None = None) -> dict[str, Any]:
        """POST a document as the clerk, as the clerk's page does."""
        def post() -> dict[str, Any]:
            req = urllib.request.Request(f"{self.url}/api/documents", data=pdf, method="POST", headers={
                "Content-Type": "application/pdf", "X-Hemicycle-Token": token or self.server.admin_token})
            with urllib.request.urlopen(req, timeout=10) as r:
                return dict(json.loads(r.read()))
        return await asyncio.to_thread(post)

    async def device_client(self, role: Role, suffix: str) -> HallClient:
        """A seeded Python device (keys in memory), connected."""
        client = HallClient(self.url, role, self.seeded.device(suffix))
        await client.connect()
        return client


@pytest.fixture
async def hall(server: ServerProcess, browser: Browser, request: pytest.FixtureRequest) -> AsyncIterator[Hall]:
    clerk = HallClient(server.url, Role.CLERK, server.admin_token)
    await clerk.connect()
    seeded = await seed_senate(clerk, seats=4, prefix=f"t{uuid.uuid4().hex[:4]}", commission=False,
                               keys=folder_keys(server.data / "keys"))  # files: a device process can use them
    h = Hall(server, clerk, seeded, browser)
    yield h
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        # What each page showed when the test failed, beside the server's log.
        for i, page in enumerate(h.pages):
            await page.screenshot(path=server.data / f"failed-page{i}.png")
    for page in h.pages:
        await page.context.close()
    await clerk.close()
    assert not h.errors, h.errors


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


async def axe(page: Page) -> list[dict[str, Any]]:
    """Run axe-core in the page; return the serious and critical violations."""
    if not await page.evaluate("() => !!window.axe"):
        # Evaluated over the DevTools protocol: the pages' CSP forbids inline scripts, rightly.
        await page.evaluate(AXE.read_text() + "\n;true")
    result = await page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))")
    return [v for v in result if v["impact"] in ("serious", "critical")]


def make_pdf(*lines: str) -> bytes:
    """A small real PDF (reportlab), standing in for a bill or a committee report."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    y = 780
    for i, line in enumerate(lines):
        c.setFont("Helvetica-Bold" if i == 0 else "Helvetica", 18 if i == 0 else 12)
        c.drawString(72, y, line)
        y -= 28
    c.showPage()
    c.save()
    return buf.getvalue()


async def until(predicate: Any, timeout: float = 10.0) -> None:
    """Poll an async predicate (for state held by the Python clients)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await predicate():
        if loop.time() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.1)
