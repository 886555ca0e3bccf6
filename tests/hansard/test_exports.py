"""The package's public surface is pinned, and importing the record model
does not drag in the PDF machinery."""

from __future__ import annotations

import subprocess
import sys

import hansard as hansard


def test_exported_members() -> None:
    assert sorted(hansard.__all__) == [
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
    for name in hansard.__all__:
        assert getattr(hansard, name) is not None


def test_record_model_imports_light() -> None:
    code = (
        "import sys, hansard.record; "
        "print(sorted(m for m in ('reportlab', 'uharfbuzz', 'khmercut', 'lxml') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
