"""The PDF Hansard, checked with poppler: the text a reader extracts is the
exact Unicode of the record, nothing is printed outside the page's text box,
and every page renders."""

from __future__ import annotations

import dataclasses
import itertools
import re
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from hansard.pdf import LAYOUT, build_pdf
from hansard.record import AgendaItem, Bilingual, SittingRecord, Speech, SpeechStatus

from .samples import (
    EN_REPORT,
    KM_DRAFT,
    KM_MINISTER,
    KM_MINISTER_2,
    KM_OPENING,
    MIXED,
    PERSONS,
    sample,
)

Factory = Callable[..., SittingRecord]
TOLERANCE = 1.0  # points


def run(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    assert "rror" not in done.stderr, done.stderr
    return done.stdout


def page_count(pdf: Path) -> int:
    found = re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(pdf)))
    assert found
    return int(found[1])


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def assert_extracted(text: str, sentence: str) -> None:
    """``sentence`` appears in ``text`` exactly, except that a line break may
    stand for a space, or sit between two words that Khmer writes without
    one. Nothing else may differ: no lost or extra spaces, no other marks."""
    parts = []
    for ch in nfc(sentence):
        parts.append(r"\s+" if ch.isspace() else re.escape(ch) + r"\n?")
    assert re.search("".join(parts), nfc(text)), f"not found in the PDF text: {sentence!r}"


ODD = (
    "Ref № 5 — see https://senate.gov.kh/documents/2026/plenary/5/a-very-long-path-without-"
    "any-spaces-at-all-to-force-a-break-inside-the-word-and-longer-still.pdf, 中文 ✓ ok"
)


def odd_record() -> SittingRecord:
    """Text that tests the edges: a word wider than the line, characters
    the Khmer font lacks (a fallback font or none), an empty turn, and a
    Khmer run with no spaces at all."""
    record = sample()
    t = record.header.closed_at
    assert t is not None
    odd = AgendaItem(
        "4",
        Bilingual("ផ្សេងៗ", "Other business"),
        entries=(
            Speech("odd-1", "sen-03", t, t, ODD, SpeechStatus.DRAFT),
            Speech("odd-2", "sen-03", t, t, "", SpeechStatus.DRAFT),
            Speech("odd-3", "sen-03", t, t, "ព្រឹទ្ធសភានៃព្រះរាជាណាចក្រកម្ពុជា" * 12),
        ),
    )
    return dataclasses.replace(record, agenda=(*record.agenda, odd))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pdf")
    calls: list[tuple[int, int]] = []
    paths = {
        "draft": build_pdf(sample(), out / "draft.pdf", progress=lambda d, t: calls.append((d, t))),
        "final": build_pdf(sample(draft=False), out / "final.pdf"),
        "odd": build_pdf(odd_record(), out / "odd.pdf"),
    }
    assert calls[0][0] == 0 and calls[-1][0] == calls[-1][1]
    assert all(a[0] <= b[0] and a[1] == b[1] for a, b in itertools.pairwise(calls))
    return paths


@pytest.fixture(scope="module")
def text(built: dict[str, Path]) -> str:
    return run("pdftotext", str(built["draft"]), "-")


def test_speeches_extract_exactly(text: str) -> None:
    for sentence in (KM_OPENING, KM_MINISTER, KM_MINISTER_2, KM_DRAFT, EN_REPORT, MIXED):
        assert_extracted(text, sentence)


def test_names_notes_and_headings_extract_exactly(text: str) -> None:
    for p in PERSONS:
        assert_extracted(text, p.name_km)
        assert_extracted(text, f"{p.name_km} ({p.name_latin})")
    for line in (
        "សម័យប្រជុំត្រូវបានបើក",
        "The sitting was opened",
        "ព្រឹទ្ធសភានៃព្រះរាជាណាចក្រកម្ពុជា",
        "សេចក្តីព្រាងច្បាប់ស្តីពីហិរញ្ញវត្ថុសម្រាប់ការគ្រប់គ្រងឆ្នាំ២០២៧",
        "ថ្ងៃអាទិត្យ ទី២៩ ខែវិច្ឆិកា ឆ្នាំ២០២៦",
        "Sunday 29 November 2026",
        "9f2c" * 16,
    ):
        assert_extracted(text, line)


def test_odd_text_extracts_exactly(built: dict[str, Path]) -> None:
    odd = run("pdftotext", str(built["odd"]), "-")
    assert_extracted(odd, ODD)
    assert_extracted(odd, "ព្រឹទ្ធសភានៃព្រះរាជាណាចក្រកម្ពុជា" * 12)


def test_no_private_use_or_invisible_characters(text: str) -> None:
    odd = {c for c in text if unicodedata.category(c) in ("Co", "Cf", "Cs")}
    assert not odd, f"extracted text carries {sorted(map(hex, map(ord, odd)))}"
    assert "\N{DOTTED CIRCLE}" not in text


def test_divisions_and_draft_marking(text: str, built: dict[str, Path]) -> None:
    assert_extracted(text, "Division No. 1 — Roll-call vote")
    assert_extracted(text, "Division No. 2 — Secret ballot")
    assert_extracted(text, "គាំទ្រ / Yes (9)")
    assert_extracted(text, "Secret ballot — no names are recorded.")
    assert_extracted(text, "DRAFT — not yet approved")
    assert "[DRAFT]" in text and "[CORRECTED]" in text
    final = run("pdftotext", str(built["final"]), "-")
    assert "not yet approved" not in final
    assert "[DRAFT]" not in final


def test_contents_page_numbers_are_filled_in(text: str) -> None:
    contents = text.split("Contents", 1)[1].split("\f", 1)[0]
    numbers = re.findall(r"^\s*(\d+)\s*$", contents, flags=re.M)
    assert numbers and all(int(n) >= 3 for n in numbers)
    assert "?" not in contents


def _words(pdf: Path) -> list[tuple[int, float, float, float, float, str]]:
    xml = run("pdftotext", "-bbox-layout", str(pdf), "-")
    xml = re.sub(r"<!DOCTYPE[^>]*>", "", xml)
    root = ET.fromstring(xml)
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    out = []
    for n, page in enumerate(root.iterfind(".//x:page", ns), start=1):
        for w in page.iterfind(".//x:word", ns):
            x0, y0, x1, y1 = (float(w.get(k, "nan")) for k in ("xMin", "yMin", "xMax", "yMax"))
            out.append((n, x0, y0, x1, y1, w.text or ""))
    return out


@pytest.mark.parametrize("which", ["draft", "final", "odd"])
def test_nothing_outside_the_text_box(built: dict[str, Path], which: str) -> None:
    x0, y0, x1, y1 = LAYOUT.text_box
    top, bottom = LAYOUT.height - y1, LAYOUT.height - y0  # poppler measures from the top
    fx0 = LAYOUT.frame_box[0]
    body_top = LAYOUT.height - LAYOUT.frame_box[3]
    body_bottom = LAYOUT.height - LAYOUT.frame_box[1]
    words = _words(built[which])
    assert len(words) > 300
    for page, xmin, ymin, xmax, ymax, word in words:
        where = f"page {page}: {word!r} at ({xmin:.1f}, {ymin:.1f}, {xmax:.1f}, {ymax:.1f})"
        assert x0 - TOLERANCE <= xmin and xmax <= x1 + TOLERANCE, where
        assert top - TOLERANCE <= ymin and ymax <= bottom + TOLERANCE, where
        in_body = ymin >= body_top and ymax <= body_bottom
        if page > 1 and in_body and xmin < fx0 - TOLERANCE:
            # only the time stamps live in the left margin
            assert re.fullmatch(r"\d\d:\d\d", word) and xmax <= fx0, where


def test_pages_render(built: dict[str, Path], tmp_path: Path) -> None:
    pages = page_count(built["draft"])
    run("pdftoppm", "-png", "-r", "60", str(built["draft"]), str(tmp_path / "page"))
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == pages >= 4
    assert all(p.stat().st_size > 2_000 for p in pngs)


def test_fonts_are_embedded(built: dict[str, Path]) -> None:
    lines = run("pdffonts", str(built["draft"])).splitlines()[2:]
    assert lines
    for line in lines:
        assert " yes " in line.split("TrueType", 1)[1], line  # emb
