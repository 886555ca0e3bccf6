"""The Hansard notes a document put on the hall display once, not each page turned."""

from __future__ import annotations

from hansard.from_log import record_from_export
from hansard.record import ProceduralNote
from procedure.sitting import SittingState
from protocol.commands import AddItem, NextItem, OpenSitting, ShowPage
from tests.domain_support import SITTING, chair, clerk, create_cmd, records_of, registry_with
from tests.test_domain_sitting import doc


def test_a_shown_document_is_noted_once_in_the_hansard() -> None:
    registry = registry_with(3)
    _, records = records_of(SittingState(stream=SITTING), [
        (create_cmd(), clerk()), (AddItem(item_id="i1", title_km="ក", title_en="Bill"), clerk()),
        (doc("i1", "d1"), clerk()), (OpenSitting(without_quorum=True), chair()), (NextItem(), chair()),
        (ShowPage(document_id="d1", page=1), chair()), (ShowPage(document_id="d1", page=2), chair()),
        (ShowPage(document_id=None), chair()), (ShowPage(document_id="d1", page=3), clerk()),
    ], registry)
    record = record_from_export({"records": [r.model_dump(mode="json") for r in records]})
    notes = [e.text.en for item in record.agenda for _, it in item.walk() for e in it.entries
             if isinstance(e, ProceduralNote)]
    assert notes.count("Shown in the hall: ឯកសារ d1") == 2  # shown, taken off, shown again
