"""Find, register and describe the fonts the Hansard PDF is set in.

Khmer needs an OpenType font that HarfBuzz can shape. The package depends on
``fontpkg-noto-sans-khmer`` so the font ships with Hemicycle; Debian's
``fonts-khmeros`` is the fallback. Noto Sans Khmer also covers Latin, so one
face sets both languages and mixed paragraphs keep one baseline and colour.
Khmer OS Muol Light, when installed, sets the Khmer title lines in the
style of the Senate's own letterheads.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import uharfbuzz as hb
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

__all__ = ["Face", "FontNotFoundError", "Fonts", "load_fonts"]

_KHMEROS: Final = Path("/usr/share/fonts/truetype/khmeros")
_DEJAVU: Final = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


class FontNotFoundError(RuntimeError):
    """No Khmer font: install fontpkg-noto-sans-khmer or Debian's fonts-khmeros."""


@dataclass(frozen=True, eq=False)
class Face:
    """One font file, registered with reportlab and opened in HarfBuzz.

    Metrics are in 1/1000 em, as PDF widths and TJ adjustments are.
    """

    name: str
    path: Path
    ttf: TTFont
    hb_font: hb.Font
    scale: float  # font units -> 1/1000 em
    ascent: float
    descent: float  # negative

    def glyph_char(self, gid: int, advance: float) -> str:
        """The character reportlab's subsetter knows glyph ``gid`` by.

        Shaped forms (subscript consonants, split vowels) have no code point
        of their own; reportlab gives them private-use ones, and our
        ActualText spans carry the real text for them.
        """
        chars = self.ttf.face.glyphToChar.get(gid)
        if chars:
            return chr(chars[0])
        return chr(self.ttf.hbAddPrivate(self.hb_font.glyph_to_string(gid), gid, advance))

    def char_width(self, char: str) -> float:
        """The advance the PDF Widths array will hold for ``char``."""
        return float(self.ttf.face.charWidths.get(ord(char), self.ttf.face.defaultWidth))


@dataclass(frozen=True)
class Fonts:
    text: Face  # body text, Khmer and Latin
    fallback: Face | None  # for characters the text face lacks
    display: Face  # Khmer title lines


_lock = threading.Lock()
_loaded: Fonts | None = None


def _text_font_path() -> Path:
    try:
        import fontpkg_noto_sans_khmer as noto
    except ImportError:
        pass
    else:
        found = sorted(Path(noto.ROOT, "files").glob("NotoSansKhmer*.ttf"))
        if found:
            return found[0]
    for name in ("KhmerOS.ttf", "KhmerOScontent.ttf"):
        if (_KHMEROS / name).is_file():
            return _KHMEROS / name
    raise FontNotFoundError(FontNotFoundError.__doc__)


def _open(name: str, path: Path) -> Face:
    ttf = TTFont(name, str(path))
    pdfmetrics.registerFont(ttf)
    hb_font = ttf.hbFont()  # also arms ttf.hbAddPrivate for unmapped glyphs
    upem = ttf.face.unitsPerEm
    return Face(
        name=name,
        path=path,
        ttf=ttf,
        hb_font=hb_font,
        scale=1000.0 / upem,
        ascent=float(ttf.face.ascent),
        descent=float(ttf.face.descent),
    )


def load_fonts() -> Fonts:
    """Register the fonts once per process and return them."""
    global _loaded
    with _lock:
        if _loaded is None:
            text = _open("HemicycleText", _text_font_path())
            fallback = _open("HemicycleFallback", _DEJAVU) if _DEJAVU.is_file() else None
            muol = _KHMEROS / "KhmerOSmuollight.ttf"
            display = _open("HemicycleDisplay", muol) if muol.is_file() else text
            _loaded = Fonts(text=text, fallback=fallback, display=display)
        return _loaded
