"""Cut text into words and spaces, and say where a line may break.

Khmer writes no spaces between words (a space ends a phrase), so a line
breaker that only breaks at spaces overflows the column or, like reportlab's,
breaks inside a syllable cluster. We segment Khmer with ``khmercut`` and allow
a break between two Khmer words; Latin text breaks only at spaces.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import khmercut

__all__ = ["Token", "clusters", "is_khmer", "may_break", "tokenize"]

# A line never starts with these (Khmer khan and bariyoosan, closing marks)...
_NO_BREAK_BEFORE: Final = frozenset("។៕៖ៗ៚,.;:!?)]}»”’%…")
# ...and never ends with these.
_NO_BREAK_AFTER: Final = frozenset("([{«“‘")


def is_khmer(ch: str) -> bool:
    return "\u1780" <= ch <= "\u17ff" or "\u19e0" <= ch <= "\u19ff"


@dataclass(frozen=True, slots=True)
class Token:
    """A word (never broken) or a space (a break; dropped at line ends).

    ``break_before`` marks a word that may begin a line although no space
    precedes it: the second of two Khmer words.
    """

    text: str
    space: bool = False
    break_before: bool = False


_SPACE: Final = Token(" ", space=True)


@lru_cache(maxsize=1 << 16)
def _khmer_words(chunk: str) -> tuple[str, ...]:
    words = tuple(w for w in khmercut.tokenize(chunk) if w)
    # khmercut must only cut, never change, the text; if it did, keep it whole
    return words if "".join(words) == chunk else (chunk,)


def may_break(prev: str, word: str) -> bool:
    """May a line break between these two words, written with no space?"""
    return (
        is_khmer(prev[-1]) and is_khmer(word[0]) and word[0] not in _NO_BREAK_BEFORE and prev[-1] not in _NO_BREAK_AFTER
    )


def tokenize(text: str) -> list[Token]:
    """Words and single spaces; runs of white space collapse to one space."""
    tokens: list[Token] = []
    if text and text.isspace():
        return [_SPACE]
    for i, chunk in enumerate(text.split()):
        if i or text[:1].isspace():
            tokens.append(_SPACE)
        if not any(is_khmer(c) for c in chunk):
            tokens.append(Token(chunk))
            continue
        prev = ""
        for word in _khmer_words(chunk):
            tokens.append(Token(word, break_before=bool(prev) and may_break(prev, word)))
            prev = word
    if text[-1:].isspace() and tokens:
        tokens.append(_SPACE)
    return tokens


def clusters(word: str) -> list[str]:
    """Split a word into pieces that never cut a base from its marks.

    Used only to force a break inside a word wider than the whole line.
    """
    out: list[str] = []
    for ch in word:
        joins = out and (
            unicodedata.category(ch) in ("Mn", "Mc", "Me")
            or out[-1].endswith("\u17d2")  # coeng: the next consonant is a subscript
            or ch == "\u17d2"
            or ch in "\u200c\u200d"
        )
        if joins:
            out[-1] += ch
        else:
            out.append(ch)
    return out
