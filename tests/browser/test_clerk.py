"""The clerk's workstation: roster from CSV, a sitting with its agenda and a document, a seat
enrolled by its pairing code and then revoked. Also the document routes' refusals."""

from __future__ import annotations

import hashlib
import re
import urllib.error
import urllib.request

import pytest
from playwright.async_api import expect

from tests.browser.conftest import Hall, make_pdf

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)

ROSTER = (
    "\ufeffmember_id,name_km,name_latin,group,pin\r\n"
    'x001,ឯក សុវណ្ណារ៉ា,"Ek Sovannara, Jr",CPP,4321\r\n'
    "x002,ស៊ិន ចន្ធូ,Sin Chanthou,KWP,8765\r\n"
)


async def test_clerk_prepares_a_sitting_and_enrols_a_seat(hall: Hall) -> None:
    clerk = await hall.open("/clerk", "en", {"width": 1280, "height": 900})
    await clerk.get_by_test_id("clerk-token").fill(hall.server.admin_token)
    await clerk.get_by_test_id("clerk-signin").click()
    await expect(clerk.get_by_test_id("conn")).to_have_attribute("data-state", "online")

    # Roster from CSV (BOM, quoted comma, CRLF); the PINs are set too.
    await clerk.get_by_test_id("tab-members").click()
    await clerk.get_by_test_id("csv-text").fill(ROSTER)
    await clerk.get_by_test_id("csv-import").click()
    await expect(clerk.get_by_test_id("csv-status")).to_have_text("Added 2 · updated 0 · unchanged 0 · bad rows 0")
    await expect(clerk.get_by_test_id("members")).to_contain_text("Ek Sovannara, Jr")
    # A change to the roster: a name edited, a row that cannot be a member reported by its line.
    await clerk.get_by_test_id("csv-text").fill("member_id,name_latin\r\nx001,Ek Sovannara\r\nx003,Nobody\r\n")
    await clerk.get_by_test_id("csv-import").click()
    await expect(clerk.get_by_test_id("csv-status")).to_have_text("Added 0 · updated 1 · unchanged 0 · bad rows 1")
    await expect(clerk.get_by_test_id("csv-bad")).to_contain_text("Line 3")
    await expect(clerk.get_by_test_id("members")).not_to_contain_text("Ek Sovannara, Jr")

    # A new sitting (of every registered member), an item with a sub-item, a PDF on the sub-item.
    await clerk.get_by_test_id("tab-sittings").click()
    await clerk.get_by_test_id("new-stream").fill("c9-examination")
    await clerk.get_by_test_id("new-title-km").fill("កិច្ចប្រជុំគណៈកម្មការទី៩")
    await clerk.get_by_test_id("new-title-en").fill("Ninth Commission")
    await clerk.get_by_test_id("create-submit").click()
    created = clerk.get_by_role("button", name=re.compile("Ninth Commission"))
    await expect(created).to_have_attribute("aria-pressed", "true")
    await clerk.get_by_test_id("item-id").fill("e1")
    await clerk.get_by_test_id("item-km").fill("ការពិនិត្យសេចក្តីព្រាងច្បាប់")
    await clerk.get_by_test_id("item-en").fill("Examination of the draft law")
    await clerk.get_by_test_id("item-submit").click()
    await expect(clerk.get_by_test_id("clerk-agenda")).to_contain_text("Examination of the draft law")
    await clerk.get_by_test_id("item-id").fill("e1.1")
    await clerk.get_by_test_id("item-parent").select_option("e1")
    await clerk.get_by_test_id("item-km").fill("មាត្រា ១ ដល់ ១០")
    await clerk.get_by_test_id("item-en").fill("Articles 1 to 10")
    await clerk.get_by_test_id("item-submit").click()
    await expect(clerk.get_by_test_id("clerk-agenda").locator("li.depth-1")).to_contain_text("Articles 1 to 10")
    pdf = make_pdf("Draft Law on Electronic Commerce", "Articles 1 to 10")
    await clerk.get_by_test_id("doc-item").select_option("e1.1")
    await clerk.get_by_test_id("doc-title").fill("Articles 1-10")
    await clerk.get_by_test_id("doc-file").set_input_files(
        files=[{"name": "articles.pdf", "mimeType": "application/pdf", "buffer": pdf}])
    await clerk.get_by_test_id("doc-submit").click()
    await expect(clerk.get_by_test_id("clerk-agenda")).to_contain_text("Articles 1-10")
    sha = hashlib.sha256(pdf).hexdigest()
    assert (hall.server.data / "documents" / sha).read_bytes() == pdf

    # A new tablet shows its code; the clerk enrols it to seat S010 from the pending list.
    seat = await hall.open("/seat", "en")
    code_el = seat.get_by_test_id("pairing-code").and_(seat.locator("[data-code]"))
    await code_el.wait_for()
    code = await code_el.get_attribute("data-code")
    await clerk.get_by_test_id("tab-devices").click()
    row = clerk.locator(f"[data-testid=pairing][data-code='{code}']")
    await row.get_by_test_id("enrol-seat").fill("S010")
    await row.get_by_test_id("enrol-submit").click()
    await expect(clerk.get_by_test_id("devices")).to_contain_text(f"seat-{code.lower()}")

    # Two sittings now: the seat asks which; the member checks in and reads the document.
    await seat.locator("[data-stream='c9-examination']").click()
    await seat.get_by_test_id("checkin-member").select_option("x001")
    await seat.get_by_test_id("checkin-pin").fill("4321")
    await seat.get_by_test_id("checkin-submit").click()
    await expect(seat.get_by_test_id("member-name")).to_have_text("Ek Sovannara")  # as edited above
    await seat.locator("[data-item='e1.1']").click()
    await seat.get_by_test_id("doc-open").click()
    viewer = seat.get_by_test_id("viewer")
    await expect(viewer).to_have_attribute("data-sha", sha)
    await expect(viewer).to_have_attribute("data-page", "1")  # drawn by pdf.js, not the browser's own viewer
    await seat.get_by_test_id("viewer-close").click()

    # Revoked: the seat's next action is refused with a message.
    clerk.once("dialog", lambda d: d.accept())
    await clerk.get_by_role("button", name=f"Revoke: seat-{code.lower()}").click()
    await expect(clerk.get_by_test_id("devices")).to_contain_text("Revoked")
    await seat.get_by_test_id("check-out").click()
    await expect(seat.get_by_role("alert")).to_contain_text("This device's key was revoked")


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    req = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return int(r.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


async def test_documents_are_for_clerks_pdf_only_and_content_addressed(hall: Hall) -> None:
    url = f"{hall.url}/api/documents"
    pdf = make_pdf("x")
    assert _post(url, pdf, {"Content-Type": "application/pdf"}) == 401
    assert _post(url, pdf, {"X-Hemicycle-Token": "wrong-token-wrong"}) == 401
    assert _post(url, b"<html>not a pdf</html>", {"X-Hemicycle-Token": hall.server.admin_token}) == 415
    first = await hall.upload(pdf)
    again = await hall.upload(pdf)
    assert first == again and first["sha256"] == hashlib.sha256(pdf).hexdigest()
    try:  # documents are for enrolled devices and clerks
        urllib.request.urlopen(f"{hall.url}/documents/{first['sha256']}")
        raise AssertionError("read without a pass")
    except urllib.error.HTTPError as e:
        assert e.code == 401
        e.close()
    clerk = {"X-Hemicycle-Token": hall.server.admin_token}
    with urllib.request.urlopen(urllib.request.Request(f"{hall.url}/documents/{first['sha256']}",
                                                       headers=clerk)) as r:
        assert r.headers["Content-Type"] == "application/pdf" and r.read() == pdf
    for bad in ("0" * 64, "../hall.db", "a" * 63):
        try:
            urllib.request.urlopen(urllib.request.Request(f"{hall.url}/documents/{bad}", headers=clerk))
            raise AssertionError(bad)
        except urllib.error.HTTPError as e:
            assert e.code == 404
