"""Hansard: the published record of a sitting, as PDF and Akoma Ntoso XML.

``record`` holds the one model of a sitting's record; ``pdf.build_pdf`` and
``akn.build_akn`` turn it into a printed Hansard and a LegalDocML debate.
The builders load reportlab, HarfBuzz and the Khmer segmenter, so they are
imported on first use: code that only builds records stays light.

Errors: ``RecordError`` (a ``ValueError``) for a record that contradicts
itself; ``FontNotFoundError`` (a ``RuntimeError``) when no Khmer font is
installed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from hansard.record import (
    AgendaItem,
    Attendance,
    Bilingual,
    Division,
    DivisionKind,
    Entry,
    NamedVote,
    OptionCount,
    Outcome,
    Person,
    ProceduralNote,
    Quorum,
    RecordError,
    SittingHeader,
    SittingKind,
    SittingRecord,
    Speech,
    SpeechStatus,
    Verification,
    record_from_dict,
    record_to_dict,
)

if TYPE_CHECKING:
    from hansard._fonts import FontNotFoundError
    from hansard.akn import build_akn
    from hansard.pdf import build_pdf

__all__ = [
    "AgendaItem",
    "Attendance",
    "Bilingual",
    "Division",
    "DivisionKind",
    "Entry",
    "FontNotFoundError",
    "NamedVote",
    "OptionCount",
    "Outcome",
    "Person",
    "ProceduralNote",
    "Quorum",
    "RecordError",
    "SittingHeader",
    "SittingKind",
    "SittingRecord",
    "Speech",
    "SpeechStatus",
    "Verification",
    "build_akn",
    "build_pdf",
    "record_from_dict",
    "record_to_dict",
]

_LAZY = {
    "build_pdf": "hansard.pdf",
    "build_akn": "hansard.akn",
    "FontNotFoundError": "hansard._fonts",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
