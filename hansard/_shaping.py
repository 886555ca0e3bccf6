"""Shape words with HarfBuzz and write them as searchable PDF text.

reportlab's own ``shaping=1`` places Khmer glyphs correctly, but the text
it leaves in the PDF is the glyphs' private-use code points in visual order,
so a search for a Khmer word finds nothing. Here each shaped word is written
inside a marked-content span that carries the word's real text::

    /Span <</ActualText <FEFF...>>> BDC [<0a> -120 <0b>] TJ EMC

Poppler (``pdftotext``), pdf.js and Acrobat extract and search the
ActualText instead of the glyphs. Poppler spreads that text over the box
from the first glyph's origin to the last glyph's end; a word that ends in
a mark drawn back over its base would get a short box and a false word gap,
so each span is bracketed by zero-width space glyphs at the word's exact
start and end. Words whose glyphs map back to their text one by one, with
no marks (plain Latin), need no span.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import uharfbuzz as hb

from hansard._fonts import Face, Fonts
from hansard._text import is_khmer

__all__ = ["DocumentGlyphs", "Shaped", "Shaper", "TextStyle", "TextWriter"]


@dataclass(frozen=True, slots=True)
class TextStyle:
    """How a run of text looks. Bold and italic are synthesised (the font
    ships one weight): bold strokes the outline, italic slants the text
    matrix, so both stay real, searchable text."""

    size: float = 10.0
    bold: bool = False
    italic: bool = False
    color: tuple[float, float, float] = (0.0, 0.0, 0.0)
    display: bool = False  # Khmer title face, where installed

    def with_(self, **changes: Any) -> TextStyle:
        values = {f: getattr(self, f) for f in self.__dataclass_fields__}
        values.update(changes)
        return TextStyle(**values)


@dataclass(frozen=True, slots=True)
class Shaped:
    """One word, shaped: glyph characters and positions in 1/1000 em."""

    text: str
    face: Face
    chars: str  # one reportlab character per glyph
    advances: tuple[float, ...]
    offsets: tuple[tuple[float, float], ...]  # (dx, dy) per glyph
    widths: tuple[float, ...]  # what the PDF's Widths array says per glyph
    advance: float  # whole word
    needs_actual_text: bool

    def width(self, size: float) -> float:
        return self.advance * size / 1000.0


class Shaper:
    """Shapes words, once each: a sitting repeats its vocabulary a lot."""

    def __init__(self, fonts: Fonts) -> None:
        self.fonts = fonts
        self._cache: dict[tuple[str, bool], Shaped] = {}

    def shape(self, text: str, display: bool = False) -> Shaped:
        key = (text, display)
        found = self._cache.get(key)
        if found is None:
            face = self.fonts.display if display else self.fonts.text
            found = _shape(text, face)
            if display and 0 in _gids(found):
                found = _shape(text, self.fonts.text)  # Muol has no Latin
            fallback = self.fonts.fallback
            if fallback is not None and 0 in _gids(found):
                other = _shape(text, fallback)
                if 0 not in _gids(other):
                    found = other
            self._cache[key] = found
        return found


def _gids(s: Shaped) -> list[int]:
    cmap = s.face.ttf.face.charToGlyph
    return [cmap.get(ord(c), 0) for c in s.chars]


def _shape(text: str, face: Face) -> Shaped:
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(face.hb_font, buf, {"kern": True, "liga": True})
    k = face.scale
    chars: list[str] = []
    advances: list[float] = []
    offsets: list[tuple[float, float]] = []
    widths: list[float] = []
    for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True):
        gid = info.codepoint
        natural = face.hb_font.get_glyph_h_advance(gid) * k
        ch = face.glyph_char(gid, natural)
        chars.append(ch)
        advances.append(pos.x_advance * k)
        offsets.append((pos.x_offset * k, pos.y_offset * k))
        widths.append(face.char_width(ch))
    joined = "".join(chars)
    plain = (
        joined == text
        and all(a > 0 for a in advances)
        and not any(dx or dy for dx, dy in offsets)
        and not any(is_khmer(c) for c in text)  # Khmer words get spans: see TextWriter.word
    )
    return Shaped(
        text=text,
        face=face,
        chars=joined,
        advances=tuple(advances),
        offsets=tuple(offsets),
        widths=tuple(widths),
        advance=sum(advances),
        needs_actual_text=not plain,
    )


_ZWSP = 0x200B


def actual_text(text: str) -> str:
    """A PDF text string in UTF-16BE with its byte-order mark, as hex."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def _num(v: float) -> str:
    """A PDF number with at most two decimals (reportlab's fp_str is slow)."""
    text = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


@dataclass(frozen=True, slots=True)
class _WordOps:
    """A word's operators at one size: ("/F1+0", "") selects a font subset,
    ("", "[...] TJ") draws. ``close`` is the closing zero-width glyph of an
    ActualText span, written separately so the span can be stretched."""

    ops: tuple[tuple[str, str], ...]
    close: tuple[str, int, float] | None  # (font subset, code, pending adjustment)


class DocumentGlyphs:
    """The PDF operators of each shaped word at each size, for one document.

    Subset codes are assigned per document, so this lives as long as the
    document does; a long sitting draws each word's operators once.
    """

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self._words: dict[tuple[int, float], _WordOps] = {}
        self._keep: list[Shaped] = []  # keeps id() keys unique while cached

    def word(self, shaped: Shaped, size: float) -> _WordOps:
        key = (id(shaped), size)
        cached = self._words.get(key)
        if cached is None:
            cached = self._words[key] = self._build(shaped, size)
            self._keep.append(shaped)
        return cached

    def _build(self, shaped: Shaped, size: float) -> _WordOps:
        ttf = shaped.face.ttf
        out: list[tuple[str, str]] = []
        chars, advances, offsets, widths = (
            shaped.chars,
            list(shaped.advances),
            list(shaped.offsets),
            list(shaped.widths),
        )
        bracket = shaped.needs_actual_text and _ZWSP in ttf.face.charToGlyph
        if bracket:
            chars = "\u200b" + chars
            advances.insert(0, 0.0)
            offsets.insert(0, (0.0, 0.0))
            widths.insert(0, shaped.face.char_width("\u200b"))
        i = 0
        pending = 0.0  # adjustment carried to the next glyph, 1/1000 em
        rise = 0.0
        for subset, data in ttf.splitString(chars, self.doc):
            out.append((ttf.getSubsetInternalName(subset, self.doc), ""))
            items: list[str] = []
            for code in data:
                dx, dy = offsets[i]
                glyph_rise = dy * size / 1000.0
                if glyph_rise != rise:
                    if items:
                        out.append(("", "[" + " ".join(items) + "] TJ"))
                        items = []
                    out.append(("", f"{_num(glyph_rise)} Ts"))
                    rise = glyph_rise
                # TJ numbers move the pen left by n/1000 em: shift by the
                # glyph's offset, draw it, then undo its width and offset
                # and advance by HarfBuzz's advance instead.
                pending -= dx
                if abs(pending) > 0.005:
                    items.append(_num(pending))
                items.append(f"<{code:02x}>")
                pending = widths[i] - advances[i] + dx
                i += 1
            if items:
                out.append(("", "[" + " ".join(items) + "] TJ"))
        if rise:
            out.append(("", "0 Ts"))
        close = None
        if bracket:
            ((subset, data),) = ttf.splitString("\u200b", self.doc)
            close = (ttf.getSubsetInternalName(subset, self.doc), data[0], pending)
        return _WordOps(tuple(out), close)


class TextWriter:
    """Builds one ``q BT ... ET Q`` block of positioned, shaped words.

    Every word is placed with an absolute text matrix, so rounding never
    accumulates along a line and a word's position is exactly the one the
    line breaker measured.
    """

    def __init__(self, glyphs: DocumentGlyphs) -> None:
        self._glyphs = glyphs
        self._ops: list[str] = ["q BT"]
        self._font: tuple[str, float] | None = None
        self._style: tuple[bool, tuple[float, float, float], float] | None = None

    def word(self, shaped: Shaped, x: float, y: float, style: TextStyle, trail: float = 0.0) -> None:
        """Draw ``shaped`` at (x, y). ``trail`` points of justification space
        after it belong to its ActualText span, so no reader sees a word gap
        where Khmer has none."""
        ops = self._ops
        self._set_style(style)
        skew = "0.2" if style.italic else "0"
        ops.append(f"1 0 {skew} 1 {_num(x)} {_num(y)} Tm")
        if shaped.needs_actual_text:
            ops.append(f"/Span <</ActualText {actual_text(shaped.text)}>> BDC")
        size = style.size
        word = self._glyphs.word(shaped, size)
        for font_name, run in word.ops:
            if not font_name:
                ops.append(run)
            else:
                self._select(font_name, size)
        if word.close is not None:
            font_name, code, pending = word.close
            self._select(font_name, size)
            pending -= trail * 1000.0 / size
            ops.append(f"[{_num(pending)} <{code:02x}>] TJ")
        if shaped.needs_actual_text:
            ops.append("EMC")

    def _select(self, font_name: str, size: float) -> None:
        if self._font != (font_name, size):
            self._ops.append(f"{font_name} {_num(size)} Tf")
            self._font = (font_name, size)

    def _set_style(self, style: TextStyle) -> None:
        key = (style.bold, style.color, style.size)
        if key == self._style:
            return
        r, g, b = style.color
        colour = f"{_num(r)} {_num(g)} {_num(b)}"
        self._ops.append(f"{colour} rg {colour} RG")
        if style.bold:
            self._ops.append(f"2 Tr {_num(style.size * 0.035)} w")
        else:
            self._ops.append("0 Tr")
        self._style = key

    def finish(self) -> str:
        self._ops.append("ET Q")
        return "\n".join(self._ops)
