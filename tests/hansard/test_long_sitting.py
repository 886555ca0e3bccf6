"""A three-hour sitting (200 speeches, 30,000 words, 20 divisions, 62
members) builds as PDF and as valid Akoma Ntoso; the timings are printed
(``pytest -s``), not asserted, since machines differ."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest
from lxml import etree

from hansard.akn import build_akn
from hansard.pdf import build_pdf

from .samples import long_sitting


@pytest.mark.slow
def test_three_hour_sitting(tmp_path: Path, standards_dir: Path) -> None:
    record, words = long_sitting()
    assert len(list(record.speeches())) == 200
    assert len(list(record.divisions())) == 20
    assert words >= 30_000

    progress: list[tuple[int, int]] = []
    t0 = time.perf_counter()
    pdf = build_pdf(record, tmp_path / "long.pdf", progress=lambda d, t: progress.append((d, t)))
    t1 = time.perf_counter()
    xml = build_akn(record)
    t2 = time.perf_counter()
    print(
        f"\n3-hour sitting ({words} words): PDF {t1 - t0:.2f} s "
        f"({pdf.stat().st_size // 1024} KiB), AKN {t2 - t1:.2f} s ({len(xml) // 1024} KiB)"
    )

    total = progress[-1][1]
    assert progress[-1] == (total, total) and total > 200
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    found = re.search(r"Pages:\s+(\d+)", info.stdout)
    assert found
    pages = int(found[1])
    assert pages > 40

    # the last page renders (forms for the contents and page totals resolve)
    done = subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", str(pages), "-l", str(pages), str(pdf), str(tmp_path / "last")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "rror" not in done.stderr

    schema = etree.XMLSchema(etree.parse(str(standards_dir / "akomantoso30.xsd")))
    doc = etree.fromstring(xml)
    assert schema.validate(doc), schema.error_log
