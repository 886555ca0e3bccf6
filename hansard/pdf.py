"""The printed Hansard: a PDF a parliament can file, search and quote.

``build_pdf(record, out_path, progress)`` sets the record with reportlab in
one pass: title page, contents (page numbers are PDF forms filled in at the
end), attendance, the proceedings with time stamps in the left margin, the
divisions with their named lists, and the verification block. Pages carry a
running head (body and date), page numbers, and, while the record is a
draft, a "DRAFT — not yet approved" mark.

Khmer is shaped with HarfBuzz and every word keeps its real text in the PDF
(see ``_shaping``), so ``pdftotext`` and a viewer's search give back the
exact Unicode that was spoken.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from hansard._flowables import Typesetter, define_page_forms, page_form_name
from hansard._labels import L, date_en, date_km, kind_label
from hansard._layout import Align, Run
from hansard._model import SittingRecord
from hansard._shaping import Shaper
from hansard._story import STYLE, build_story

__all__ = ["LAYOUT", "PageLayout", "ProgressCallback", "build_pdf"]

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class PageLayout:
    """Page geometry in points, PDF coordinates (origin bottom left).

    The text box is everything that may carry ink; inside it, the running
    head and foot take bands at top and bottom, and the body frame leaves a
    gutter on the left for time stamps.
    """

    width: float = A4[0]
    height: float = A4[1]
    left: float = 18 * mm
    right: float = 18 * mm
    top: float = 15 * mm
    bottom: float = 14 * mm
    gutter: float = 19 * mm
    head: float = 13 * mm
    foot: float = 11 * mm

    @property
    def text_box(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1): nothing is printed outside it."""
        return (self.left, self.bottom, self.width - self.right, self.height - self.top)

    @property
    def frame_box(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of the body frame; only margin notes go left of x0."""
        x0, y0, x1, y1 = self.text_box
        return (x0 + self.gutter, y0 + self.foot, x1, y1 - self.head)


LAYOUT = PageLayout()


class _Hansard(BaseDocTemplate):  # type: ignore[misc]
    def __init__(self, path: Path, record: SittingRecord, ts: Typesetter) -> None:
        h = record.header
        lay = LAYOUT
        super().__init__(
            str(path),
            pagesize=(lay.width, lay.height),
            leftMargin=lay.left,
            rightMargin=lay.right,
            topMargin=lay.top,
            bottomMargin=lay.bottom,
            title=f"{h.body.en} — {kind_label(h.kind).en} {h.number} — {h.date.isoformat()}",
            author=h.body.en,
            subject=L.TITLE.en,
            creator="Hemicycle",
            lang="km-KH",
            pageCompression=1,
            initialFontName=ts.fonts.text.name,  # else an unused Helvetica is listed
        )
        self.record = record
        self.ts = ts
        tx0, ty0, tx1, ty1 = lay.text_box
        fx0, fy0, fx1, fy1 = lay.frame_box
        title = Frame(tx0, ty0, tx1 - tx0, ty1 - ty0, 0, 0, 0, 0, id="title")
        body = Frame(fx0, fy0, fx1 - fx0, fy1 - fy0, 0, 0, 0, 0, id="body")
        self.addPageTemplates(
            [
                PageTemplate("title", [title], onPage=self._decorate_title),
                PageTemplate("body", [body], onPage=self._decorate_body),
            ]
        )
        self._watermark = _Watermark(ts.shaper) if record.draft else None

    def _decorate_title(self, canv: Any, doc: Any) -> None:
        if self._watermark:
            self._watermark.draw(canv)

    def _decorate_body(self, canv: Any, doc: Any) -> None:
        lay = LAYOUT
        h = self.record.header
        ts = self.ts
        x0, y0, x1, y1 = lay.text_box
        if self._watermark:
            self._watermark.draw(canv)
        base = y1 - 11
        kind = kind_label(h.kind)
        ts.draw_runs(canv, [Run(h.body.km, STYLE.head_en.with_(color=(0.1, 0.18, 0.4)))], x0, base)
        ts.draw_runs(
            canv,
            [Run(f"{h.body.en} · {kind.en} {h.number}", STYLE.head_en)],
            x0,
            base - 12,
        )
        ts.draw_runs(canv, [Run(date_km(h.date), STYLE.head_en)], x1, base, Align.RIGHT)
        ts.draw_runs(canv, [Run(date_en(h.date), STYLE.head_en)], x1, base - 12, Align.RIGHT)
        canv.saveState()
        canv.setStrokeColorRGB(0.1, 0.18, 0.4)
        canv.setLineWidth(0.6)
        rule = y1 - lay.head + 6
        canv.line(x0, rule, x1, rule)
        canv.setLineWidth(0.3)
        canv.line(x0, y0 + lay.foot - 5, x1, y0 + lay.foot - 5)
        canv.restoreState()
        foot = y0 + 4
        page = canv.getPageNumber()
        ts.draw_runs(canv, [Run(f"{page} /", STYLE.head_en)], x1 - 22, foot, Align.RIGHT)
        canv.saveState()
        canv.translate(x1 - 19, foot)
        canv.doForm(page_form_name("total"))
        canv.restoreState()
        if self.record.draft:
            ts.draw_runs(
                canv,
                [Run(L.DRAFT.km + "  ", STYLE.draft_small), Run(L.DRAFT.en, STYLE.draft_small)],
                x0,
                foot,
            )
        else:
            ts.draw_runs(canv, [Run(L.TITLE.km + " · " + L.TITLE.en, STYLE.head_en)], x0, foot)


class _Watermark:
    """A large, faint "DRAFT" drawn as outlines, not text, so it never mixes
    into the text a reader copies or a search finds."""

    def __init__(self, shaper: Shaper) -> None:
        self.shaper = shaper

    def draw(self, canv: Any) -> None:
        lay = LAYOUT
        canv.saveState()
        canv.setFillColorRGB(0.75, 0.1, 0.1)
        canv.setFillAlpha(0.07)
        canv.translate(lay.width / 2, lay.height / 2)
        canv.rotate(52)
        self._outline(canv, "DRAFT", 120, 0)
        self._outline(canv, "សេចក្តីព្រាង", 56, -90)
        canv.restoreState()

    def _outline(self, canv: Any, text: str, size: float, y: float) -> None:
        shaped = self.shaper.shape(text)
        face = shaped.face
        path = canv.beginPath()
        k = size / 1000.0
        x = -shaped.width(size) / 2
        cmap = face.ttf.face.charToGlyph
        for ch, adv, (dx, dy) in zip(shaped.chars, shaped.advances, shaped.offsets, strict=True):
            gid = cmap.get(ord(ch), 0)
            pen = _PathPen(path, x + dx * k, y + dy * k, size / (1000.0 / face.scale))
            face.hb_font.draw_glyph_with_pen(gid, pen)
            x += adv * k
        canv.drawPath(path, stroke=0, fill=1)


class _PathPen:
    """A fontTools-style pen that draws into a reportlab path."""

    def __init__(self, path: Any, x: float, y: float, scale: float) -> None:
        self.path, self.x, self.y, self.k = path, x, y, scale
        self._last = (0.0, 0.0)

    def _pt(self, p: tuple[float, float]) -> tuple[float, float]:
        return self.x + p[0] * self.k, self.y + p[1] * self.k

    def moveTo(self, p: tuple[float, float]) -> None:
        self.path.moveTo(*self._pt(p))
        self._last = p

    def lineTo(self, p: tuple[float, float]) -> None:
        self.path.lineTo(*self._pt(p))
        self._last = p

    def curveTo(self, *pts: tuple[float, float]) -> None:
        a, b, c = pts[-3:]
        self.path.curveTo(*self._pt(a), *self._pt(b), *self._pt(c))
        self._last = c

    def qCurveTo(self, *pts: tuple[float, float]) -> None:
        # split a TrueType quadratic run at implied on-curve midpoints
        offs, end = list(pts[:-1]), pts[-1]
        for i, q in enumerate(offs):
            on = end if i == len(offs) - 1 else ((q[0] + offs[i + 1][0]) / 2, (q[1] + offs[i + 1][1]) / 2)
            p0 = self._last
            c1 = (p0[0] + 2 / 3 * (q[0] - p0[0]), p0[1] + 2 / 3 * (q[1] - p0[1]))
            c2 = (on[0] + 2 / 3 * (q[0] - on[0]), on[1] + 2 / 3 * (q[1] - on[1]))
            self.path.curveTo(*self._pt(c1), *self._pt(c2), *self._pt(on))
            self._last = on

    def closePath(self) -> None:
        self.path.close()


class _Finish(Flowable):  # type: ignore[misc]
    """Last in the story: every heading is placed, so fill in page numbers."""

    def __init__(self, ts: Typesetter, keys: list[str]) -> None:
        super().__init__()
        self.ts, self.keys = ts, keys
        self.width = self.height = 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        canv = self.canv
        self.ts.pages["total"] = canv.getPageNumber()
        define_page_forms(canv, self.ts, self.keys, STYLE.toc, Align.RIGHT)
        define_page_forms(canv, self.ts, ["total"], STYLE.head_en, Align.LEFT)


_config_lock = threading.Lock()


@contextmanager
def _binary_streams() -> Iterator[None]:
    """Write Flate streams without the ASCII85 layer: a quarter smaller, and
    reportlab's pure-Python ASCII85 encoder is a third of a long sitting's
    build time. rl_config is process-global, so the switch is held briefly
    under a lock and always restored."""
    with _config_lock:
        saved = rl_config.useA85
        rl_config.useA85 = 0
        try:
            yield
        finally:
            rl_config.useA85 = saved


def build_pdf(
    record: SittingRecord,
    out_path: str | os.PathLike[str],
    progress: ProgressCallback | None = None,
) -> Path:
    """Write the Hansard of ``record`` to ``out_path`` and return the path.

    ``progress(done, total)`` is called as parts of the record are set (one
    unit per agenda entry, plus front matter and saving), for a progress bar.
    """
    path = Path(out_path)
    ts = Typesetter()
    done = 0
    total = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(min(done, total - 1), total)

    story = build_story(record, ts, tick, frame_width=LAYOUT.frame_box[2] - LAYOUT.frame_box[0])
    total = story.units + 1  # + saving
    if progress is not None:
        progress(0, total)
    # write beside the target and rename, so a failed build never leaves a
    # truncated Hansard where a good one is expected
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        doc = _Hansard(tmp, record, ts)
        with _binary_streams():
            doc.build([*story.flowables, _Finish(ts, story.toc_keys)])
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    if progress is not None:
        progress(total, total)
    return path
