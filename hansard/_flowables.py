"""Platypus flowables that set shaped, searchable text.

``TextBlock`` replaces reportlab's Paragraph for every piece of text in the
Hansard: it breaks lines with ``_layout``, draws words with ``_shaping``
(real text in ActualText spans) and can split across pages by whole lines.
The other flowables build on it: contents lines whose page numbers are
PDF forms filled in when the document ends, page-number forms, and the
invisible ticks that report progress.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from reportlab.platypus import Flowable

from hansard._fonts import Fonts, load_fonts
from hansard._layout import Align, Line, Run, break_lines
from hansard._shaping import DocumentGlyphs, Shaper, TextStyle, TextWriter

__all__ = ["TextBlock", "Tick", "TocLine", "Typesetter", "define_page_forms", "page_form_name"]


class Typesetter:
    """Everything one build shares: fonts, shaped words, page numbers."""

    def __init__(self, fonts: Fonts | None = None) -> None:
        self.fonts = fonts or load_fonts()
        self.shaper = Shaper(self.fonts)
        self._glyphs: dict[int, DocumentGlyphs] = {}
        self.pages: dict[str, int] = {}  # bookmark key -> page number

    def glyphs(self, canv: Any) -> DocumentGlyphs:
        # reportlab assigns TrueType subset codes per PDFDocument (canv._doc)
        doc = canv._doc
        found = self._glyphs.get(id(doc))
        if found is None or found.doc is not doc:
            found = self._glyphs[id(doc)] = DocumentGlyphs(doc)
        return found

    def draw_runs(self, canv: Any, runs: Sequence[Run], x: float, y: float, align: Align = Align.LEFT) -> float:
        """Draw runs on one line with the baseline at y; returns the width."""
        lines = break_lines(runs, 1e9, self.shaper)
        if not lines:
            return 0.0
        line = lines[0]
        if align is Align.RIGHT:
            x -= line.width
        elif align is Align.CENTER:
            x -= line.width / 2
        writer = TextWriter(self.glyphs(canv))
        for p in line.words:
            writer.word(p.shaped, x + p.x, y, p.style)
        canv.addLiteral(writer.finish())
        return line.width


class TextBlock(Flowable):  # type: ignore[misc]
    """A paragraph of styled runs, set with shaping and real text.

    ``margin`` lines are drawn right-aligned in the gutter left of the
    first line (time stamps, a speech's approval status).
    """

    def __init__(
        self,
        runs: Sequence[Run],
        ts: Typesetter,
        *,
        align: Align = Align.LEFT,
        leading: float | None = None,
        space_before: float = 0.0,
        space_after: float = 0.0,
        indent: float = 0.0,
        first_indent: float = 0.0,
        margin: Sequence[Run] = (),
        margin_gap: float = 8.0,
        keep_with_next: bool = False,
        on_draw: Callable[[Any], None] | None = None,
    ) -> None:
        super().__init__()
        self.runs = tuple(runs)
        self.ts = ts
        self.align = align
        self._leading = leading
        self.spaceBefore = space_before
        self.spaceAfter = space_after
        self.indent = indent
        self.first_indent = first_indent
        self.margin = tuple(margin)
        self.margin_gap = margin_gap
        self.keepWithNext = keep_with_next
        self.on_draw = on_draw
        self._lines: list[Line] | None = None
        self._laid_width: float | None = None
        self._fixed = False  # a split part keeps its lines

    # -- geometry

    def _layout(self, width: float) -> list[Line]:
        inner = width - self.indent
        if self._lines is None or (not self._fixed and self._laid_width != inner):
            self._lines = break_lines(
                self.runs, inner, self.ts.shaper, align=self.align, first_indent=self.first_indent
            )
            self._laid_width = inner
        return self._lines

    def _metrics(self, lines: Sequence[Line]) -> tuple[float, float, float]:
        """Ascent, descent and line pitch. The pitch stays under 1.5 × the
        font size where the font allows: text extractors (poppler's
        maxLineSpacingDelta) start a new block, and so break the reading
        order, when lines are further apart."""
        asc = max((ln.ascent for ln in lines), default=0.0)
        desc = max((ln.descent for ln in lines), default=0.0)
        size = max((ln.size for ln in lines), default=0.0)
        leading = self._leading or 1.45 * size
        return asc, desc, max(leading, asc + desc)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        lines = self._layout(availWidth)
        _, _, leading = self._metrics(lines)
        self.width = availWidth
        self.height = leading * len(lines)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        lines = self._layout(availWidth)
        _, _, leading = self._metrics(lines)
        fit = int((availHeight + 1e-6) // leading)
        if fit >= len(lines):
            return [self]
        fit = min(fit, len(lines) - 2)  # no widow
        if fit < 2:  # no orphan
            return []
        head = self._part(lines[:fit], first=True)
        tail = self._part(lines[fit:], first=False)
        head.spaceAfter = 0.0
        tail.spaceBefore = 0.0
        tail.keepWithNext = self.keepWithNext
        head.keepWithNext = False
        return [head, tail]

    def _part(self, lines: list[Line], first: bool) -> TextBlock:
        part = TextBlock(
            self.runs,
            self.ts,
            align=self.align,
            leading=self._metrics(self._lines or lines)[2],
            space_before=self.spaceBefore,
            space_after=self.spaceAfter,
            indent=self.indent,
            margin=self.margin if first else (),
            margin_gap=self.margin_gap,
            on_draw=self.on_draw if first else None,
        )
        part._lines = lines
        part._laid_width = self._laid_width
        part._fixed = True
        return part

    # -- drawing

    def draw(self) -> None:
        canv = self.canv
        lines = self._lines or []
        asc, desc, leading = self._metrics(lines)
        if self.on_draw is not None:
            self.on_draw(canv)
        writer = TextWriter(self.ts.glyphs(canv))
        pad = (leading - asc - desc) / 2
        for i, line in enumerate(lines):
            baseline = self.height - i * leading - pad - asc
            for p in line.words:
                writer.word(p.shaped, self.indent + p.x, baseline, p.style, p.trail)
        canv.addLiteral(writer.finish())
        if self.margin and lines:
            for i, run in enumerate(self.margin):
                baseline = self.height - i * leading - pad - asc
                self.ts.draw_runs(canv, [run], -self.margin_gap, baseline, Align.RIGHT)


class TocLine(Flowable):  # type: ignore[misc]
    """One contents entry: the heading, a dotted leader, and its page number.

    The page number is a form XObject named after the heading's bookmark;
    ``define_page_forms`` fills it in once every heading has been placed, so
    the whole document is built in a single pass.
    """

    NUMBER_WIDTH = 28.0

    HANG = 16.0

    def __init__(self, runs: Sequence[Run], key: str, ts: Typesetter, indent: float) -> None:
        super().__init__()
        self.key = key
        self.ts = ts
        # continuation lines hang under the heading text, not its number
        self.block = TextBlock(runs, ts, indent=indent + self.HANG, first_indent=-self.HANG)
        self.spaceBefore = 3.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        _, h = self.block.wrap(availWidth - self.NUMBER_WIDTH - 12, availHeight)
        self.width, self.height = availWidth, h
        return availWidth, h

    def draw(self) -> None:
        canv = self.canv
        self.block.drawOn(canv, 0, 0)
        lines = self.block._lines or []
        if not lines:
            return
        asc, desc, leading = self.block._metrics(lines)
        baseline = leading - (leading - asc - desc) / 2 - asc
        last = lines[-1]
        x0 = self.block.indent + (self.block.first_indent if len(lines) == 1 else 0) + last.width + 4
        x1 = self.width - self.NUMBER_WIDTH - 2
        if x1 > x0:
            canv.saveState()
            canv.setStrokeColorRGB(0.55, 0.55, 0.55)
            canv.setLineWidth(0.8)
            canv.setDash(0.8, 3)
            canv.setLineCap(1)
            canv.line(x0, baseline + 1, x1, baseline + 1)
            canv.restoreState()
        canv.saveState()
        canv.translate(self.width, baseline)
        canv.doForm(page_form_name(self.key))
        canv.restoreState()
        canv.linkRect("", self.key, (0, 0, self.width, self.height), relative=1, thickness=0)


def page_form_name(key: str) -> str:
    return f"pg-{key}"


def define_page_forms(canv: Any, ts: Typesetter, keys: Sequence[str], style: TextStyle, align: Align) -> None:
    """Fill in the page-number forms the contents and running feet refer to."""
    for key in keys:
        page = ts.pages.get(key)
        text = "?" if page is None else str(page)
        canv.beginForm(page_form_name(key), lowerx=-200, lowery=-20, upperx=200, uppery=40)
        ts.draw_runs(canv, [Run(text, style)], 0, 0, align)
        canv.endForm()


class Tick(Flowable):  # type: ignore[misc]
    """Zero-size: one unit of work done, for the progress callback."""

    def __init__(self, on_drawn: Callable[[], None]) -> None:
        super().__init__()
        self.on_drawn = on_drawn
        self.width = self.height = 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.on_drawn()
