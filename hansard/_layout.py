"""Break styled runs of mixed Khmer and Latin text into measured lines.

Pure geometry: words come from ``_text.tokenize``, widths from the shaper.
A line may break at a space or between two Khmer words; a word wider than
the whole line (a URL, a very long compound) is cut between clusters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from hansard._shaping import Shaped, Shaper, TextStyle
from hansard._text import clusters, is_khmer, may_break, tokenize

__all__ = ["Align", "Line", "Placed", "Run", "break_lines"]


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"
    JUSTIFY = "justify"


@dataclass(frozen=True, slots=True)
class Run:
    text: str
    style: TextStyle = field(default_factory=TextStyle)


@dataclass(frozen=True, slots=True)
class Placed:
    shaped: Shaped
    x: float  # from the line's left edge, points
    style: TextStyle
    trail: float = 0.0  # justification space after the word, inside its span


@dataclass(slots=True)
class Line:
    words: list[Placed] = field(default_factory=list)
    width: float = 0.0
    ascent: float = 0.0  # points above the baseline
    descent: float = 0.0  # points below the baseline, positive
    size: float = 0.0  # largest font size on the line


@dataclass(slots=True)
class _Box:
    """Words with no break between them, e.g. ``(ច្បាប់`` or ``adopted.``."""

    parts: list[tuple[Shaped, TextStyle]]
    width: float


@dataclass(slots=True)
class _Glue:
    width: float  # a space's width; 0 between two Khmer words
    weight: float  # share of justification space: a space 2, a Khmer word break 1


def _items(runs: Sequence[Run], shaper: Shaper) -> list[_Box | _Glue]:
    items: list[_Box | _Glue] = []
    prev_word = ""  # the word just before, if no space came after it
    for run in runs:
        st = run.style
        for n, tok in enumerate(tokenize(run.text)):
            if tok.space:
                if items and isinstance(items[-1], _Box):
                    space = shaper.shape(" ", st.display)
                    items.append(_Glue(space.width(st.size), weight=2.0))
                prev_word = ""
                continue
            shaped = shaper.shape(tok.text, st.display)
            w = shaped.width(st.size)
            if prev_word and isinstance(items[-1], _Box):
                # inside a run the tokenizer knows; across runs, ask the same rule
                breaks = tok.break_before if n else may_break(prev_word, tok.text)
                if not breaks:
                    items[-1].parts.append((shaped, st))
                    items[-1].width += w
                    prev_word = tok.text
                    continue
                items.append(_Glue(0.0, weight=1.0))
            items.append(_Box([(shaped, st)], w))
            prev_word = tok.text
    while items and isinstance(items[-1], _Glue):
        items.pop()
    return items


def _split_box(box: _Box, width: float, shaper: Shaper) -> list[_Box]:
    """Cut a box wider than a line into line-sized boxes, between clusters."""
    out: list[_Box] = []
    cur = _Box([], 0.0)
    for shaped, st in box.parts:
        for piece in _keep_hyphens(clusters(shaped.text)):
            s = shaper.shape(piece, st.display)
            w = s.width(st.size)
            if cur.parts and cur.width + w > width:
                out.append(cur)
                cur = _Box([], 0.0)
            if cur.parts and cur.parts[-1][1] == st and _joinable(cur.parts[-1][0].text, piece):
                merged = shaper.shape(cur.parts[-1][0].text + piece, st.display)
                cur.width += merged.width(st.size) - cur.parts[-1][0].width(st.size)
                cur.parts[-1] = (merged, st)
            else:
                cur.parts.append((s, st))
                cur.width += w
    if cur.parts:
        out.append(cur)
    return out


def _keep_hyphens(pieces: list[str]) -> list[str]:
    """Glue a hyphen to what follows it: a line ending in a hyphen reads as a
    hyphenated word, and text extractors drop the hyphen when they join it."""
    out: list[str] = []
    for piece in pieces:
        if out and out[-1].endswith(("-", "\u2010")):
            out[-1] += piece
        else:
            out.append(piece)
    return out


def _joinable(a: str, b: str) -> bool:
    # keep pieces of one script together so they shape (and kern) as a word
    return is_khmer(a[-1]) == is_khmer(b[0])


def break_lines(
    runs: Sequence[Run],
    width: float,
    shaper: Shaper,
    *,
    align: Align = Align.LEFT,
    first_indent: float = 0.0,
) -> list[Line]:
    """First-fit line breaking; positions are final (aligned, justified)."""
    items = _items(runs, shaper)
    lines: list[list[_Box | _Glue]] = []
    cur: list[_Box | _Glue] = []
    cur_w = 0.0
    pending: _Glue | None = None
    queue = list(reversed(items))
    while queue:
        item = queue.pop()
        if isinstance(item, _Glue):
            pending = item
            continue
        avail = width - (first_indent if not lines else 0.0)
        glue_w = pending.width if (pending and cur) else 0.0
        if cur and cur_w + glue_w + item.width > avail + 1e-6:
            lines.append(cur)
            cur, cur_w, pending = [], 0.0, None
            queue.append(item)
            continue
        if not cur and item.width > avail + 1e-6:
            pieces = _split_box(item, avail, shaper)
            if len(pieces) > 1:
                queue.extend(reversed(pieces))
                continue
        if cur and pending is not None:
            cur.append(pending)
            cur_w += pending.width
        pending = None
        cur.append(item)
        cur_w += item.width
    if cur:
        lines.append(cur)
    out: list[Line] = []
    for n, parts in enumerate(lines):
        indent = first_indent if n == 0 else 0.0
        last = n == len(lines) - 1
        out.append(_place(parts, width - indent, indent, align, last))
    return out


def _place(items: list[_Box | _Glue], avail: float, indent: float, align: Align, last: bool) -> Line:
    natural = sum(i.width for i in items)
    extra = max(0.0, avail - natural)
    x = indent
    unit = 0.0
    if align is Align.CENTER:
        x += extra / 2
    elif align is Align.RIGHT:
        x += extra
    elif align is Align.JUSTIFY and not last:
        # Khmer justifies by spacing its words, Latin by widening spaces;
        # a line with too few breaks to absorb the gap stays ragged.
        weights = sum(g.weight for g in items if isinstance(g, _Glue))
        size = next(b.parts[0][1].size for b in items if isinstance(b, _Box))
        if weights and extra / weights <= 0.3 * size:
            unit = extra / weights
    line = Line()
    for item in items:
        if isinstance(item, _Glue):
            stretch = unit * item.weight
            if item.width == 0.0 and stretch and line.words:
                line.words[-1] = replace(line.words[-1], trail=stretch)
            x += item.width + stretch
            continue
        for shaped, st in item.parts:
            line.words.append(Placed(shaped, x, st))
            x += shaped.width(st.size)
            face = shaped.face
            line.ascent = max(line.ascent, face.ascent * st.size / 1000)
            line.descent = max(line.descent, -face.descent * st.size / 1000)
            line.size = max(line.size, st.size)
    line.width = x - indent
    return line
