"""A remote member in Debian's Chromium, camera and microphone faked (an espeak-ng WAV as the voice),
on the /remote page against the real hall server and the real media endpoint (``hemicycle media``):
paired as a remote device, checked in remotely, called in over WebRTC, granted the floor, heard
(floor audio in the archive, a transcript segment attributed to them), a signed vote cast from the
page, their video on the hall display and on another remote member's page, the link's quality on
the chair's console, a dropped link that keeps its place on the speakers' list and comes back
without pairing again, and calls that find a restarted media endpoint by themselves.

WebRTC on one machine: aioice leaves out 127.0.0.1, Chromium leaves out loopback too; both offer
this host's other address, and media flows over it (the pages still load from 127.0.0.1, a secure
context for the device key).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from hemicycle.senate import Senator
from procedure import SittingState
from protocol.commands import CloseVote, GrantFloor, NextItem, OpenSitting, OpenVote, PublishVote, StopSpeech
from protocol.types import Role
from tests.browser.conftest import CHROMIUM_ARGS, PROJECTOR, SCREENSHOTS, Hall, axe
from tests.media.remote_hall import MediaProcess, bands, floor_audio, tone
from tests.recorder.speech import KOREAN, speak, write_wav

SPOKEN_S = 14.0  # how long the remote member holds the floor


@pytest.fixture
def voice(tmp_path: Path) -> Path:
    """The fake microphone: the Korean script (the installed Vosk model is Korean), looped by Chromium."""
    return speak(". ".join(KOREAN) + ".", "ko", tmp_path / "voice.wav", rate=48000)


@pytest.fixture
async def browser(voice: Path) -> AsyncIterator[Browser]:
    """Chromium with a fake camera (its test pattern) and the WAV as the microphone, no permission prompt."""
    args = [*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-audio-capture={voice}", "--autoplay-policy=no-user-gesture-required"]
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        yield b
        await b.close()


async def no_axe_violations(page: Page, name: str) -> None:
    await page.evaluate("document.fonts.ready.then(() => true)")
    violations = await axe(page)
    assert not violations, f"{name}: {violations}"


async def test_a_remote_member_is_heard_seen_votes_and_keeps_their_place(hall: Hall, tmp_path: Path) -> None:
    member = hall.seeded.members[1]
    archive = tmp_path / "archive"
    hall_wav = write_wav(tmp_path / "hall.wav", tone(440.0, 300, 0.05), 48000)
    key = hall.server.data / "keys" / f"{hall.seeded.prefix}-recorder.pem"
    media = MediaProcess((hall.url, key, hall.sitting, tmp_path), hall_wav, archive)
    media.start()
    chair = await hall.device_client(Role.CHAIR, "chair")
    try:
        await chair.follow(hall.sitting)
        await chair.command(hall.sitting, OpenSitting(without_quorum=True))
        await chair.command(hall.sitting, NextItem())

        # Pairing as a remote device, check-in as a remote member: the seat page's own flow.
        async def join(member: Senator) -> Page:
            page = await hall.open("/remote")
            await hall.pair(page, Role.REMOTE, member_id=member.member_id)
            await page.get_by_test_id("checkin-member").select_option(member.member_id)
            await page.get_by_test_id("checkin-pin").fill(member.pin)
            await page.get_by_test_id("checkin-submit").click()
            await expect(page.get_by_test_id("member-name")).to_be_visible()
            await expect(page.get_by_test_id("call-state")).to_have_attribute("data-state", "connected", timeout=60_000)
            await expect(page.get_by_test_id("call-quality")).to_contain_text(" ms", timeout=15_000)
            await page.wait_for_function(
                "() => document.querySelector('[data-testid=self-view]').videoWidth > 0", timeout=15_000)
            return page

        remote = await join(member)
        other = await join(hall.seeded.members[2])  # another remote member, who watches the speaker
        assert (await hall.clerk_view())["attendance"]["presence"][member.member_id]["remote"] is True

        display = await hall.open("/display", viewport=PROJECTOR)
        await hall.pair(display, Role.DISPLAY)
        chair_page = await hall.open("/chair")
        await hall.pair(chair_page, Role.CHAIR)
        link = chair_page.locator(f"[data-testid=remote-link][data-member={member.member_id}]")
        await expect(link).to_have_attribute("data-state", "connected", timeout=30_000)
        await expect(link.locator(".link-quality")).to_contain_text(" ms")

        # The floor: requested on the page, granted by the chair, held for SPOKEN_S.
        await remote.get_by_test_id("floor-request").click()
        await expect(remote.get_by_test_id("my-place")).to_be_visible()
        called = time.time()
        await asyncio.sleep(3)  # on the line, without the floor: their voice must not reach it
        ack = await chair.command(hall.sitting, GrantFloor(member_id=member.member_id))
        granted = time.time()
        await expect(remote.get_by_test_id("you-speak")).to_be_visible()
        # The hall display shows the speaking remote member's camera (Chromium's moving test pattern).
        shown = "() => { const v = document.querySelector('[data-testid=display-speaker-video]');" \
                " return !!v && v.isConnected && v.videoWidth > 0 && v.currentTime > 1; }"
        await display.wait_for_function(shown, timeout=30_000)
        await expect(remote.get_by_test_id("speaker-caption")).to_contain_text(member.name_latin)
        await expect(other.get_by_test_id("speaker-caption")).to_contain_text(member.name_latin)
        await other.wait_for_function(
            "() => { const v = document.querySelector('[data-testid=speaker-video]');"
            " return !v.hidden && v.videoWidth > 0 && v.currentTime > 1; }", timeout=30_000)
        frames = await display.evaluate("() => document.querySelector('[data-testid=display-speaker-video]')"
                                        ".getVideoPlaybackQuality().totalVideoFrames")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await display.screenshot(path=SCREENSHOTS / "remote-display.png")
        await other.evaluate("window.scrollTo(0, 0)")
        await other.screenshot(path=SCREENSHOTS / "remote-page.png", full_page=True)
        await chair_page.screenshot(path=SCREENSHOTS / "remote-chair.png")
        await no_axe_violations(remote, "remote (en)")
        await no_axe_violations(chair_page, "chair with remote links (en)")
        await asyncio.sleep(max(0.0, granted + SPOKEN_S - time.time()))
        await chair.command(hall.sitting, StopSpeech(member_id=member.member_id))
        stopped = time.time()

        # The turn is in the record: floor audio in the archive, a segment attributed to the member.
        state = await chair.wait_for(hall.sitting, lambda s: isinstance(s, SittingState) and any(
            seg.added.turn_id == ack["turn_id"] for seg in s.transcript.values()), 120)
        assert isinstance(state, SittingState)
        segments = [seg.added for seg in state.transcript.values() if seg.added.turn_id == ack["turn_id"]]
        assert {s.member_id for s in segments} == {member.member_id}
        text = " ".join(s.text for s in segments)
        assert text.strip()
        # Before the grant the floor carries the hall's 440 Hz tone alone; during the turn, the member's speech.
        before = bands(floor_audio(archive / hall.sitting, called + 0.5, granted - 0.2))
        during = bands(floor_audio(archive / hall.sitting, granted + 1, stopped - 1))
        speech_before, speech_during = before["other"] / before["total"], during["other"] / during["total"]
        print(f"remote turn {ack['turn_id']}: {len(segments)} segment(s) {text!r}; share of the floor's energy "
              f"outside the hall tone: {speech_before:.3f} before the grant, {speech_during:.3f} during the turn; "
              f"display decoded {frames} frames")
        assert speech_before < 0.05 < 0.3 < speech_during

        # A signed ballot from the page (its Ed25519 key made in the browser).
        await chair.command(hall.sitting, OpenVote(vote_id="v-remote", motion_km="ញត្តិ", motion_en="The motion",
                                                 without_quorum=True))
        await remote.get_by_test_id("vote-yes").click()
        await remote.get_by_test_id("vote-confirm").click()
        await expect(remote.get_by_test_id("receipt")).to_be_visible()
        await chair.wait_for(hall.sitting, lambda s: isinstance(s, SittingState) and s.votes["v-remote"].voted == 1, 10)
        await chair.command(hall.sitting, CloseVote(vote_id="v-remote"))
        await chair.command(hall.sitting, PublishVote(vote_id="v-remote"))
        await expect(remote.get_by_test_id("outcome")).to_have_attribute("data-outcome", "no_quorum")  # 1 of 4 present

        # The link drops (the page goes away): the chair sees it, the member keeps their place.
        await remote.get_by_test_id("floor-request").click()
        await expect(remote.get_by_test_id("my-place")).to_be_visible()
        await remote.goto("about:blank")
        await expect(link).to_have_attribute("data-state", "disconnected", timeout=15_000)
        await chair_page.screenshot(path=SCREENSHOTS / "remote-chair-disconnected.png")
        assert [r["member_id"] for r in (await hall.clerk_view())["floor"]["queue"]] == [member.member_id]
        # ... and comes back on the same device: no pairing code, still checked in, still on the list.
        await remote.goto(hall.url + "/remote")
        await expect(remote.get_by_test_id("my-place")).to_be_visible(timeout=20_000)
        await expect(remote.get_by_test_id("pairing-code")).to_have_count(0)
        await expect(remote.get_by_test_id("call-state")).to_have_attribute("data-state", "connected", timeout=60_000)
        await expect(link).to_have_attribute("data-state", "connected", timeout=30_000)
        await remote.get_by_test_id("lang").click()
        await no_axe_violations(remote, "remote (km)")
        await remote.evaluate("window.scrollTo(0, 0)")
        await remote.screenshot(path=SCREENSHOTS / "remote-page-km.png", full_page=True)
        # The media endpoint dies (kill -9) and comes back: the pages call the new one by themselves.
        media.kill9()
        await expect(remote.get_by_test_id("call-state")).not_to_have_attribute("data-state", "connected",
                                                                                 timeout=30_000)
        media.start()
        restarted = time.time()
        for page in (remote, other):
            await expect(page.get_by_test_id("call-state")).to_have_attribute("data-state", "connected",
                                                                              timeout=90_000)
        await expect(display.locator("body")).to_have_attribute("data-call", "connected", timeout=90_000)
        print(f"both members and the display called the restarted endpoint within {time.time() - restarted:.1f} s "
              "of its start")
        stats = media.stop()
        assert stats["media"]["calls"] >= 3, stats  # the restarted endpoint: both members and the display
    finally:
        if media.proc is not None and media.proc.poll() is None:
            media.kill9()
        print(f"the media endpoint's log, its end:\n{media.tail()}")  # shown when the test fails
        await chair.close()
