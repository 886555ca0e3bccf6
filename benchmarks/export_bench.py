"""Hansard export of a generated 3-hour sitting, beside bare reportlab on the same text.

    .venv/bin/python benchmarks/export_bench.py [--out benchmarks/EXPORT.md]

The sitting: 200 speeches (Khmer and English), 30,000 words, 20 divisions, 62
members. The bare baseline lays out the same speeches as plain reportlab
Paragraphs with a Latin font, no shaping, no Khmer word breaks, no ActualText:
what reportlab costs before we make Khmer correct and searchable.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.hall_bench import machine  # noqa: E402
from hansard import build_akn, build_pdf, record_to_dict  # noqa: E402
from tests.hansard.samples import long_sitting  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "EXPORT.md"))
    args = p.parse_args()
    record, words = long_sitting()
    with tempfile.TemporaryDirectory() as tmp:
        bar = tqdm(desc="hansard pdf", unit="part", file=sys.stderr)

        def step(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        t0 = time.perf_counter()
        pdf = build_pdf(record, Path(tmp) / "h.pdf", progress=step)
        t_pdf = time.perf_counter() - t0
        bar.close()
        t0 = time.perf_counter()
        xml = build_akn(record)
        t_akn = time.perf_counter() - t0
        t0 = time.perf_counter()
        js = json.dumps(record_to_dict(record), ensure_ascii=False)
        t_json = time.perf_counter() - t0
        style = getSampleStyleSheet()["BodyText"]
        story = [Paragraph(s.text.replace("&", "&amp;").replace("<", "&lt;"), style) for s in record.speeches()]
        t0 = time.perf_counter()
        SimpleDocTemplate(str(Path(tmp) / "bare.pdf"), pagesize=A4).build(story)
        t_bare = time.perf_counter() - t0
        size = pdf.stat().st_size
    report = "\n".join([
        "# Hansard export of a 3-hour sitting",
        "",
        f"Machine: {machine()}. Run: `.venv/bin/python benchmarks/export_bench.py`.",
        f"Sitting: {len(list(record.speeches()))} speeches, {words} words (Khmer and English), "
        f"{len(list(record.divisions()))} divisions, {len(record.persons)} persons.",
        "",
        "| export | seconds | size | baseline | ratio |",
        "|---|---:|---:|---|---:|",
        f"| PDF (shaped Khmer, word breaks, ActualText, contents, division lists) | {t_pdf:.2f} | "
        f"{size // 1024} KiB | bare reportlab Paragraphs, same speeches, no shaping: {t_bare:.2f} s | "
        f"{t_pdf / t_bare:.1f}× |",
        f"| Akoma Ntoso debate XML | {t_akn:.3f} | {len(xml) // 1024} KiB | — | — |",
        f"| JSON record | {t_json:.3f} | {len(js) // 1024} KiB | — | — |",
        "",
    ])
    Path(args.out).write_text(report)
    print(report)


if __name__ == "__main__":
    main()
