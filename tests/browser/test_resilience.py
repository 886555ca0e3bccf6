"""A seat that loses its connection mid-vote: it resyncs, and its ballot counts once.

The page's socket runs through Playwright's WebSocket route, so the test can drop exactly the
answer to the ballot (the server has counted it; the page never hears so), cut the network
while the member confirms, and kill the server outright. Each time the page reconnects with a
fresh challenge, fetches the view again and re-sends the same command id.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from playwright.async_api import BrowserContext, WebSocketRoute, expect

from procedure import SittingState
from protocol.commands import CheckIn, NextItem, OpenSitting, OpenVote
from protocol.types import Role
from tests.browser.conftest import Hall
from tests.browser.test_sitting import check_in

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)


class Link:
    """The page's WebSocket to the hall, routed through the test: it can drop an answer or cut the line."""

    def __init__(self) -> None:
        self.cut = False
        self.drop_receipt = False
        self.dropped = 0
        self.routes: list[WebSocketRoute] = []
        self.tasks: set[asyncio.Future[None]] = set()  # closes in flight, held so they are not collected

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def install(self, context: BrowserContext) -> None:
        await context.route_web_socket("**/socket.io/**", self.route)

    def route(self, ws: WebSocketRoute) -> None:
        if self.cut:
            self._spawn(ws.close(code=1001))
            return
        server = ws.connect_to_server()
        self.routes.append(ws)

        def to_page(message: str | bytes) -> None:
            ack = isinstance(message, str) and message.startswith("43/seat,")  # a Socket.IO ack on /seat
            if self.drop_receipt and ack and '"receipt"' in str(message):
                # The server committed the ballot; the page never hears the answer, and the line drops.
                self.drop_receipt = False
                self.dropped += 1
                self._spawn(ws.close(code=1001))
                self._spawn(server.close())
                return
            ws.send(message)

        ws.on_message(lambda m: server.send(m))
        server.on_message(to_page)

    async def sever(self) -> None:
        self.cut = True
        for ws in self.routes:
            await ws.close(code=1001)
        self.routes.clear()


async def ballot_records(hall: Hall) -> int:
    chair = await hall.device_client(Role.CHAIR, "chair")
    try:
        ack = await chair.call("sync", {"stream": hall.sitting, "after": 0})
        return sum(1 for r in ack["records"] if r["event"]["type"] == "vote.ballot_cast")
    finally:
        await chair.close()


async def test_seat_cut_off_mid_vote_resyncs_and_counts_its_ballot_once(hall: Hall) -> None:
    members = hall.seeded.members
    link = Link()
    page = await hall.open("/seat", "en", setup=link.install)
    await hall.pair(page, Role.SEAT, seat=members[0].seat)
    chair = await hall.device_client(Role.CHAIR, "chair")
    others = [await hall.device_client(Role.SEAT, f"seat-{m.seat}") for m in members[1:3]]
    try:
        await chair.command(hall.sitting, OpenSitting(without_quorum=True))
        await chair.command(hall.sitting, NextItem())
        await check_in(page, members[0].member_id, members[0].pin)
        for c, m in zip(others, members[1:3], strict=True):
            await c.command(hall.sitting, CheckIn(member_id=m.member_id, pin=m.pin))

        # 1. The answer to the ballot is lost: the page reconnects, re-sends the same id, gets the first answer.
        await chair.command(hall.sitting, OpenVote(vote_id="v1", motion_km="សេចក្តីស្នើ ១", motion_en="Motion 1",
                                                   without_quorum=True))
        link.drop_receipt = True
        await page.get_by_test_id("vote-yes").click()
        await page.get_by_test_id("vote-confirm").click()
        await expect(page.get_by_test_id("receipt")).to_be_visible()
        assert link.dropped == 1
        await expect(page.get_by_test_id("vote-progress")).to_have_text("Voted 1 of 3")
        assert await ballot_records(hall) == 1

        # 2. The network goes while the member confirms: the page says it waits, then sends when back.
        await chair.command(hall.sitting, {"type": "vote.close", "vote_id": "v1"})
        await chair.command(hall.sitting, OpenVote(vote_id="v2", motion_km="សេចក្តីស្នើ ២", motion_en="Motion 2",
                                                   without_quorum=True))
        await page.get_by_test_id("vote-no").click()
        await page.context.set_offline(True)
        await link.sever()
        await expect(page.get_by_test_id("conn")).to_have_attribute("data-state", "offline")
        await page.get_by_test_id("vote-confirm").click()
        await expect(page.get_by_test_id("vote-sending")).to_contain_text("Waiting for the connection")
        # The sitting moves on meanwhile: another member votes.
        await others[0].command(hall.sitting, others[0].identity.ballot(  # type: ignore[union-attr]
            hall.sitting, "v2", members[1].member_id, members[1].seat, "yes"))
        link.cut = False
        await page.context.set_offline(False)
        await expect(page.get_by_test_id("conn")).to_have_attribute("data-state", "online")
        await expect(page.get_by_test_id("receipt")).to_be_visible()
        await expect(page.get_by_test_id("vote-progress")).to_have_text("Voted 2 of 3")  # resynced view
        assert await ballot_records(hall) == 3

        # 3. The server is killed and restarted: the page reconnects by itself and shows the same vote.
        hall.server.kill9()
        await expect(page.get_by_test_id("conn")).to_have_attribute("data-state", "offline")
        hall.server.start()
        await expect(page.get_by_test_id("conn")).to_have_attribute("data-state", "online", timeout=30_000)
        await expect(page.get_by_test_id("vote-mychoice")).to_have_text("No")
        await expect(page.get_by_test_id("vote-progress")).to_have_text("Voted 2 of 3")

        # 4. The tablet forgets what it did (its stored ballots wiped, page reloaded): the server tells it.
        await page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('hemicycle.ballot.'))"
                            ".forEach(k => localStorage.removeItem(k))")
        await page.reload()
        await expect(page.get_by_test_id("conn")).to_have_attribute("data-state", "online")
        await expect(page.get_by_test_id("vote-mychoice")).to_have_text("No")
        chair2 = await hall.device_client(Role.CHAIR, "chair")
        await chair2.command(hall.sitting, {"type": "vote.close", "vote_id": "v2"})
        state = await chair2.follow(hall.sitting)
        await chair2.close()
        assert isinstance(state, SittingState)
        assert state.votes["v1"].voted == 1 and state.votes["v2"].voted == 2
        assert state.votes["v2"].result is not None and state.votes["v2"].result.counts["no"] == 1
        assert await ballot_records(hall) == 3
    finally:
        for c in [chair, *others]:
            await c.close()
