"""The Hansard is the sitting as the log leaves it: every edit, move, removal and roster renewal counts.

A record built from the first events alone would print the agenda as first typed (a removed item
still there, a retitled one under its old name, the order before the clerk's drag and drop), the
place before it was corrected, and the roster as the clerk scheduled it (issue 12).
"""

from __future__ import annotations

from hansard.from_log import record_from_export
from procedure.sitting import SittingState
from protocol.commands import (
    AddItem,
    CheckIn,
    EditItem,
    EditSitting,
    MoveItem,
    OpenSitting,
    RemoveItem,
    RenewRoster,
    UpdateMember,
)
from tests.domain_support import SITTING, chair, clerk, create_cmd, records_of, registry_with, run, seat


def test_the_record_prints_the_agenda_place_and_roster_as_edited() -> None:
    _, records = records_of(SittingState(stream=SITTING), [
        (create_cmd(), clerk()),
        *((AddItem(item_id=i, title_km=f"ចំណុច {i}", title_en=f"Item {i}"), clerk()) for i in ("a", "b", "c")),
        (AddItem(item_id="a1", parent_id="a", title_km="ក", title_en="Sub of a"), clerk()),
        (EditItem(item_id="b", title_en="The budget"), clerk()),
        (RemoveItem(item_id="c"), clerk()),
        (MoveItem(item_id="b", before_id="a"), clerk()),
        (MoveItem(item_id="a1", parent_id="b"), clerk()),
        (EditSitting(place="វិមាន / Annex"), clerk()),
        (CheckIn(member_id="m1"), seat("s1")),
        (OpenSitting(without_quorum=True), chair()),
    ], registry_with(4))
    record = record_from_export({"records": [r.model_dump(mode="json") for r in records]})
    headings = [(it.number, it.heading.en) for top in record.agenda for _, it in top.walk() if it.number != "0"]
    assert headings == [("1", "The budget"), ("1.1", "Sub of a"), ("2", "Item a")]
    assert record.header.place.en == "Annex"
    assert record.attendance.absent == ("m2", "m3", "m4")


def test_the_record_takes_the_roster_renewed_before_the_opening() -> None:
    registry = registry_with(4)
    renamed = run(registry, UpdateMember(member_id="m2", name_latin="Corrected Two"), clerk())
    state, records = records_of(SittingState(stream=SITTING), [(create_cmd(), clerk())], registry)
    _, more = records_of(state, [
        (CheckIn(member_id="m1"), seat("s1")), (RenewRoster(), clerk()), (OpenSitting(without_quorum=True), chair()),
    ], renamed)
    record = record_from_export({"records": [r.model_dump(mode="json") for r in records + more]})
    assert {p.id: p.name_latin for p in record.persons}["m2"] == "Corrected Two"
    assert record.attendance.present == ("m1",)
