"""A sheet of PIN slips to cut apart and hand to members, set like the Hansard.

    build_pin_sheet([PinSlip, ...]) -> bytes      an A4 PDF, ten slips a page

Each slip carries the member's Khmer and Latin names, their member id and group,
the PIN in large digits and "keep this secret" in both languages; dashed cut lines
run between the slips. The text is shaped and searchable as the Hansard's is
(``_flowables.Typesetter``: HarfBuzz shaping, ActualText spans), so Khmer names
print with their subscripts and vowels in place. The sheet is the only copy of the
PINs outside the hall's hashes: whoever builds it keeps it in memory only.

Errors: ``FontNotFoundError`` when no Khmer font is installed. Like ``build_pdf``, the
typesetting libraries load on the first sheet: importing ``PinSlip`` stays light.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hansard._flowables import Typesetter

__all__ = ["PinSlip", "build_pin_sheet"]

COLUMNS, ROWS = 2, 5
MM = 72 / 25.4  # points
MARGIN = 10 * MM
PAD = 6 * MM
INK = (0.1, 0.18, 0.4)  # the Hansard's running-head blue
GREY = (0.35, 0.35, 0.35)


@dataclass(frozen=True)
class PinSlip:
    """One member's slip: names as registered, the new PIN (4 to 8 digits)."""

    member_id: str
    name_km: str
    name_latin: str
    group: str
    pin: str


def _slip(ts: Typesetter, canv: Any, slip: PinSlip, x: float, top: float, width: float) -> None:
    from hansard._layout import Align, Run
    from hansard._shaping import TextStyle

    left, right = x + PAD, x + width - PAD
    y = top - PAD - 9
    small = TextStyle(size=8, color=GREY)
    ts.draw_runs(canv, [Run("លេខសម្ងាត់ចុះវត្តមាន · PIN for check-in", small)], left, y)
    ts.draw_runs(canv, [Run(f"{slip.member_id} · {slip.group}", small)], right, y, Align.RIGHT)
    y -= 20
    ts.draw_runs(canv, [Run(slip.name_km, TextStyle(size=14, bold=True, color=INK))], left, y)
    y -= 15
    ts.draw_runs(canv, [Run(slip.name_latin, TextStyle(size=11))], left, y)
    y -= 36
    ts.draw_runs(canv, [Run(" ".join(slip.pin), TextStyle(size=28, bold=True))], left, y)
    y -= 22
    ts.draw_runs(canv, [Run("រក្សាលេខនេះជាការសម្ងាត់ · Keep this secret", TextStyle(size=9, italic=True))], left, y)


def _cut_lines(canv: Any, x0: float, y0: float, x1: float, y1: float) -> None:
    canv.saveState()
    canv.setStrokeColorRGB(*GREY)
    canv.setLineWidth(0.4)
    canv.setDash(4, 3)
    w, h = (x1 - x0) / COLUMNS, (y1 - y0) / ROWS
    for c in range(COLUMNS + 1):
        canv.line(x0 + c * w, y0, x0 + c * w, y1)
    for r in range(ROWS + 1):
        canv.line(x0, y0 + r * h, x1, y0 + r * h)
    canv.restoreState()


def build_pin_sheet(slips: Sequence[PinSlip]) -> bytes:
    """The PDF of ``slips`` in order, ten to an A4 page (left to right, top to bottom)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from hansard._flowables import Typesetter

    ts = Typesetter()
    out = io.BytesIO()
    width, height = A4
    canv = Canvas(out, pagesize=A4, pageCompression=1, lang="km-KH", initialFontName=ts.fonts.text.name)
    canv.setTitle("PIN sheet")
    canv.setCreator("Hemicycle")
    x0, y0, x1, y1 = MARGIN, MARGIN, width - MARGIN, height - MARGIN
    w, h = (x1 - x0) / COLUMNS, (y1 - y0) / ROWS
    per_page = COLUMNS * ROWS
    for start in range(0, max(len(slips), 1), per_page):
        _cut_lines(canv, x0, y0, x1, y1)
        for n, slip in enumerate(slips[start:start + per_page]):
            row, col = divmod(n, COLUMNS)
            _slip(ts, canv, slip, x0 + col * w, y1 - row * h, w)
        canv.showPage()
    canv.save()
    return out.getvalue()
