"""A whole sitting in the browser: chair, display and three seats open at once, each paired for real.

Check-in with PIN, floor requests (a point of order jumps the list), the floor granted, live
captions, a roll-call vote signed in three browsers, and the published result on every page.
"""

from __future__ import annotations

import base64
import json
import re

import pytest
from playwright.async_api import Page, expect

from procedure import SittingState
from protocol.ballots import Ballot
from protocol.commands import CheckIn, RequestFloor
from protocol.types import Role
from tests.browser.conftest import PROJECTOR, Hall

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)


async def check_in(page: Page, member_id: str, pin: str) -> None:
    await page.get_by_test_id("checkin-member").select_option(member_id)
    await page.get_by_test_id("checkin-pin").fill(pin)
    await page.get_by_test_id("checkin-submit").click()
    await expect(page.get_by_test_id("member-card")).to_be_visible()


async def test_a_whole_sitting_across_five_pages(hall: Hall) -> None:
    members = hall.seeded.members
    chair = await hall.open("/chair", "en")
    display = await hall.open("/display", "km", PROJECTOR)
    seats = [await hall.open("/seat", lang) for lang in ("km", "en", "en")]
    await hall.pair(chair, Role.CHAIR)
    await hall.pair(display, Role.DISPLAY)
    for i, page in enumerate(seats):
        await hall.pair(page, Role.SEAT, seat=members[i].seat)

    # The chair opens the sitting and takes up the first item; every page follows.
    await chair.get_by_test_id("sitting-open").click()
    await expect(chair.get_by_test_id("sitting-status")).to_have_text("In session")
    await chair.get_by_test_id("agenda-next").click()
    await expect(display.get_by_test_id("display-item")).to_have_text("ការអនុម័តរបៀបវារៈ")
    await expect(seats[1].locator(".agenda-item[aria-current=true]")).to_contain_text("Adoption of the agenda")

    # Check-in with PIN; a wrong PIN is refused with a message and changes nothing.
    await seats[0].get_by_test_id("checkin-member").select_option(members[0].member_id)
    await seats[0].get_by_test_id("checkin-pin").fill("9999" if members[0].pin != "9999" else "8888")
    await seats[0].get_by_test_id("checkin-submit").click()
    await expect(seats[0].get_by_role("alert")).to_contain_text("លេខសម្ងាត់មិនត្រឹមត្រូវ")
    for page, m in zip(seats, members, strict=False):
        await check_in(page, m.member_id, m.pin)
    await expect(chair.get_by_test_id("present")).to_contain_text("3 / 4")
    await expect(chair.get_by_test_id("quorum")).to_contain_text("Quorum met")

    # Requests: a point of order goes ahead of the earlier contribution.
    await seats[0].get_by_test_id("floor-request").click()
    await expect(seats[0].get_by_test_id("my-place")).to_contain_text("១ ក្នុងចំណោម ១")
    await seats[1].get_by_test_id("floor-poo").click()
    await expect(seats[1].get_by_test_id("my-place")).to_contain_text("1 of 2")
    await expect(seats[0].get_by_test_id("my-place")).to_contain_text("២ ក្នុងចំណោម ២")
    queue = chair.get_by_test_id("queue").locator("li")
    await expect(queue).to_have_count(2)
    await expect(queue.first).to_have_attribute("data-member", members[1].member_id)

    # The chair gives the floor to the head of the list: the seat, the display and the chair see it.
    await chair.get_by_test_id("grant-head").click()
    await expect(seats[1].get_by_test_id("you-speak")).to_be_visible()
    speaker = display.get_by_test_id("display-speaker")
    await expect(speaker).to_have_attribute("data-member", members[1].member_id)
    await expect(speaker).to_contain_text(members[1].name_km)
    await expect(speaker).to_contain_text(members[1].name_latin)
    await expect(speaker.locator(".countdown")).to_have_text(re.compile(r"^[០-៩]+:[០-៩]{2}$"))
    await expect(seats[2].get_by_test_id("speaking")).to_contain_text(members[1].name_latin)

    # Live captions from the recorder reach the seats and the display.
    recorder = await hall.device_client(Role.RECORDER, "recorder")
    turn = (await hall.clerk_view())["floor"]["speaking"][0]["turn_id"]
    ack = await recorder.call("caption", {"stream": hall.sitting, "turn_id": turn, "member_id": members[1].member_id,
                                          "text": "សូមអរគុណ លោកប្រធាន", "final": True})
    assert ack["ok"], ack
    await expect(display.get_by_test_id("captions")).to_contain_text("សូមអរគុណ លោកប្រធាន")
    await expect(seats[0].get_by_test_id("captions")).to_contain_text("សូមអរគុណ លោកប្រធាន")
    await recorder.close()

    await chair.get_by_test_id("mic-stop").click()
    await expect(seats[1].get_by_test_id("floor-request")).to_be_visible()

    # A roll-call vote from the "adopt the agenda" template, simple majority.
    await chair.get_by_test_id("vote-template").select_option("agenda")
    await expect(chair.get_by_test_id("motion-en")).to_have_value("Adopt the agenda")
    await chair.get_by_test_id("vote-majority").select_option("simple")
    await chair.get_by_test_id("vote-open").click()
    # A simple majority is counted on the votes cast: the card says so (and needs one yes before anyone votes).
    await expect(chair.get_by_test_id("vote-needed")).to_have_text("Needs more yes than no")
    await expect(display.get_by_test_id("display-vote-needed")).to_have_attribute("data-needed", "1")
    for page, choice in zip(seats, ["yes", "yes", "no"], strict=True):
        await page.get_by_test_id(f"vote-{choice}").click()
        await expect(page.get_by_test_id("vote-confirm-choice")).to_be_visible()
        await page.get_by_test_id("vote-confirm").click()
        await expect(page.get_by_test_id("receipt")).to_be_visible()
    await expect(chair.get_by_test_id("vote-progress")).to_have_text("Voted 3 of 3")
    await expect(chair.get_by_test_id("vote-needed")).to_have_attribute("data-needed", "2")  # one no cast
    await expect(display.get_by_test_id("display-vote-count")).to_have_text("៣ / ៣")
    # No change allowed: the seat shows its receipt, and no buttons to vote again.
    await expect(seats[0].get_by_test_id("vote-change")).to_have_count(0)

    await chair.get_by_test_id("vote-close").click()
    await chair.get_by_test_id("vote-publish").click()
    for page in (chair, display, *seats):
        await expect(page.get_by_test_id("outcome")).to_have_attribute("data-outcome", "adopted")
    await expect(seats[0].get_by_test_id("outcome")).to_have_text("អនុម័ត")
    named = display.get_by_test_id("named")
    for m in members[:3]:
        await expect(named).to_contain_text(m.name_km)

    # The server holds three signed ballots made by the browsers, one per member.
    state = await hall.follow_as_chair()
    assert isinstance(state, SittingState)
    (vote,) = state.votes.values()
    assert vote.voted == 3 and vote.result is not None
    assert vote.result.counts == {"yes": 2, "no": 1, "abstain": 0}
    assert vote.sealed is not None


async def test_js_ballot_bytes_match_python(hall: Hall) -> None:
    page = await hall.open("/seat", "en")
    fields = {"sitting": "senate-plenary-2026-02-03", "vote": "v1", "member": "m001", "seat": "S001",
              "choice": "ជម្រើស \"ក\"/\\n", "nonce": "0123456789abcdef0123456789abcdef"}
    js = await page.evaluate("""async (f) => {
        const m = await import('/static/dist/ballot.js');
        const bytes = m.ballotBytes(f);
        return m.base64(bytes);
    }""", fields)
    expected = Ballot(**fields).to_bytes()
    assert base64.b64decode(js) == expected
    js_null = await page.evaluate("""async (f) => (await import('/static/dist/ballot.js')).base64(
        (await import('/static/dist/ballot.js')).ballotBytes(f))""", {**fields, "seat": None})
    assert base64.b64decode(js_null) == Ballot(**{**fields, "seat": None}).to_bytes()
    assert json.loads(base64.b64decode(js_null))["seat"] is None


async def test_the_chair_runs_the_floor_and_a_secret_vote_members_may_change(hall: Hall) -> None:
    members = hall.seeded.members
    chair = await hall.open("/chair", "en")
    seat = await hall.open("/seat", "en")
    await hall.pair(chair, Role.CHAIR)
    await hall.pair(seat, Role.SEAT, seat=members[0].seat)
    others = [await hall.device_client(Role.SEAT, f"seat-{m.seat}") for m in members[1:4]]
    try:
        await chair.get_by_test_id("sitting-open").click()
        await chair.get_by_test_id("agenda-next").click()
        await check_in(seat, members[0].member_id, members[0].pin)
        for c, m in zip(others, members[1:4], strict=True):
            await c.command(hall.sitting, CheckIn(member_id=m.member_id, pin=m.pin))
        for c, m in zip(others, members[1:4], strict=True):
            await c.command(hall.sitting, RequestFloor(member_id=m.member_id))
        rows = chair.get_by_test_id("queue").locator("li")
        ids = [m.member_id for m in members]
        await expect(rows).to_have_count(3)

        async def order() -> list[str]:
            return [str(await r.get_attribute("data-member")) for r in await rows.all()]

        # Up/down buttons, then a drag by the handle (pointer events), then removal.
        await chair.get_by_role("button", name=f"Move up: {members[3].name_latin}").click()
        await expect(rows.nth(1)).to_have_attribute("data-member", ids[3])
        assert await order() == [ids[1], ids[3], ids[2]]
        handle = rows.nth(2).locator(".handle")
        box = await handle.bounding_box()
        top = await rows.nth(0).bounding_box()
        assert box and top
        await chair.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        await chair.mouse.down()
        await chair.mouse.move(box["x"] + box["width"] / 2, top["y"] + 5, steps=8)
        await chair.mouse.up()
        await expect(rows.nth(0)).to_have_attribute("data-member", ids[2])
        assert await order() == [ids[2], ids[1], ids[3]]
        await chair.get_by_role("button", name=f"Remove: {members[1].name_latin}").click()
        await expect(rows).to_have_count(2)

        # The chair puts the seat's member on the list with a point of order: it goes first.
        await chair.get_by_test_id("add-member").select_option(ids[0])
        await chair.get_by_test_id("add-poo").click()
        await expect(rows.nth(0)).to_have_attribute("data-member", ids[0])
        await expect(seat.get_by_test_id("my-place")).to_contain_text("1 of 3")

        # Two microphones, chair-only mode; grant a named member, then the head of the list.
        await chair.get_by_test_id("mic-mode").select_option("chair_only")
        await chair.get_by_test_id("mic-max").fill("2")
        await chair.get_by_test_id("mic-apply").click()
        await expect(chair.get_by_test_id("mic-mode")).to_have_value("chair_only")
        await chair.get_by_role("button", name=f"Give floor: {members[3].name_latin}").click()
        await chair.get_by_test_id("grant-head").click()
        await expect(chair.get_by_test_id("mic")).to_have_count(2)
        await expect(seat.get_by_test_id("you-speak")).to_be_visible()
        await chair.get_by_test_id("grant-head").click()  # a third microphone is refused
        await expect(chair.get_by_role("alert")).to_contain_text("Microphone limit reached")
        for _ in range(2):
            await chair.get_by_test_id("mic-stop").first.click()
        await expect(chair.get_by_test_id("mic")).to_have_count(0)

        # A secret vote with a timer; members may change their vote. The seat changes once.
        await chair.get_by_test_id("vote-template").select_option("custom")
        await chair.get_by_test_id("motion-km").fill("សេចក្តីស្នើសម្ងាត់")
        await chair.get_by_test_id("motion-en").fill("Secret motion")
        await chair.get_by_test_id("kind-secret").check()
        await chair.get_by_test_id("vote-more").locator("summary").click()
        await chair.get_by_test_id("vote-duration").select_option("300")
        await chair.get_by_label("Members may change their vote").check()
        await chair.get_by_test_id("vote-open").click()
        await seat.get_by_test_id("vote-yes").click()
        await seat.get_by_test_id("vote-confirm").click()
        await expect(seat.get_by_test_id("vote-mychoice")).to_have_text("Yes")
        await seat.get_by_test_id("vote-change").click()
        await seat.get_by_test_id("vote-abstain").click()
        await seat.get_by_test_id("vote-confirm").click()
        await expect(seat.get_by_test_id("vote-mychoice")).to_have_text("Abstain")
        await expect(chair.get_by_test_id("vote-progress")).to_have_text("Voted 1 of 4")
        await expect(seat.locator(".vote-timer")).to_have_text(re.compile(r"^[45]:\d\d$"))
        await chair.get_by_test_id("vote-close").click()
        await chair.get_by_test_id("vote-publish").click()
        await expect(seat.get_by_test_id("outcome")).to_be_visible()
        await expect(chair.get_by_test_id("vote-card")).not_to_contain_text(members[0].name_latin)  # secret

        await chair.get_by_test_id("sitting-suspend").click()
        await expect(seat.locator(".status")).to_have_text("Suspended")
        await chair.get_by_test_id("sitting-resume").click()
        chair.once("dialog", lambda d: d.accept())
        await chair.get_by_test_id("sitting-close").click()
        await expect(seat.locator(".status")).to_have_text("Closed")
    finally:
        for c in others:
            await c.close()
    state = await hall.follow_as_chair()
    (vote,) = state.votes.values()
    assert vote.voted == 1 and vote.cast == 2 and vote.result.counts["abstain"] == 1


async def test_pages_keep_the_halls_clock_whatever_the_devices_zone(hall: Hall) -> None:
    """A display whose device clock is in New York shows Phnom Penh time, the sitting's zone."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    display = await hall.open("/display", "en", PROJECTOR, timezone="America/New_York")
    await hall.pair(display, Role.DISPLAY)
    await expect(display.locator(".wall-clock")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    device_hour = await display.evaluate("new Date().getHours()")
    hall_now = dt.datetime.now(ZoneInfo("Asia/Phnom_Penh"))
    assert device_hour != hall_now.hour  # the device's own clock is half a day away
    shown = await display.locator(".wall-clock").text_content()
    allowed = {(hall_now + dt.timedelta(minutes=m)).strftime("%H:%M") for m in (-1, 0, 1)}
    assert shown in allowed, (shown, allowed)


async def test_a_chair_console_bound_to_a_member_names_who_presides(hall: Hall) -> None:
    president = hall.seeded.members[3]
    chair = await hall.open("/chair", "en")
    await hall.pair(chair, Role.CHAIR, member_id=president.member_id)
    await chair.get_by_test_id("sitting-open").click()
    await expect(chair.get_by_test_id("sitting-status")).to_have_text("In session")
    await expect(chair.get_by_test_id("presiding")).to_have_attribute("data-member", president.member_id)
    await expect(chair.get_by_test_id("presiding")).to_contain_text(president.name_latin)
    state = await hall.follow_as_chair()
    assert state.presiding == president.member_id


async def test_an_election_from_the_chair_console_names_whom_it_elected(hall: Hall) -> None:
    """Candidates with spaces in their names; abstentions the largest group, and never elected."""
    from protocol.commands import CloseVote, OpenSitting, PublishVote
    from seat_client.identity import DeviceKey

    members = hall.seeded.members
    chair = await hall.open("/chair", "en")
    display = await hall.open("/display", "en", PROJECTOR)
    await hall.pair(chair, Role.CHAIR)
    await hall.pair(display, Role.DISPLAY)
    python_chair = await hall.device_client(Role.CHAIR, "chair")
    await python_chair.command(hall.sitting, OpenSitting(without_quorum=True))
    seats = [await hall.device_client(Role.SEAT, f"seat-{m.seat}") for m in members[:4]]
    for c, m in zip(seats, members, strict=False):
        await c.command(hall.sitting, CheckIn(member_id=m.member_id, pin=m.pin))
    await chair.get_by_test_id("vote-more").locator("summary").click()
    await chair.get_by_test_id("question-election").check()
    await chair.get_by_test_id("motion-en").fill("Election of the rapporteur")
    await chair.get_by_test_id("vote-candidates").fill("Sok Dara\nChea Vanna")
    await chair.get_by_test_id("vote-majority").select_option("simple")
    await chair.get_by_test_id("vote-open").click()
    await expect(display.get_by_test_id("display-vote-needed")).to_have_text("Needs more than half of the votes cast")
    vote = next(v for v in (await hall.clerk_view())["votes"] if v["status"] == "open")
    assert vote["question"] == "election" and vote["options"] == ["Sok Dara", "Chea Vanna", "abstain"]
    for c, m, choice in zip(seats, members, ["Sok Dara", "abstain", "abstain", "abstain"], strict=True):
        key = c.identity
        assert isinstance(key, DeviceKey)
        await c.command(hall.sitting, key.ballot(hall.sitting, vote["vote_id"], m.member_id, m.seat, choice))
    await python_chair.command(hall.sitting, CloseVote(vote_id=vote["vote_id"]))
    await python_chair.command(hall.sitting, PublishVote(vote_id=vote["vote_id"]))
    for page in (chair, display):
        await expect(page.get_by_test_id("outcome")).to_have_attribute("data-outcome", "elected")
        await expect(page.get_by_test_id("outcome")).to_have_text("Elected: Sok Dara (1)")
    for c in (python_chair, *seats):
        await c.close()
