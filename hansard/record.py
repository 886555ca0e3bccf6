"""The record of one sitting, and its JSON-ready dict form.

The model lives in ``_model`` and the dict form in ``_codec``; this module is
the one place callers import them from.
"""

from hansard._codec import FORMAT, record_from_dict, record_to_dict
from hansard._model import (
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
)

__all__ = [
    "FORMAT",
    "AgendaItem",
    "Attendance",
    "Bilingual",
    "Division",
    "DivisionKind",
    "Entry",
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
    "record_from_dict",
    "record_to_dict",
]
