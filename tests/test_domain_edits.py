"""Everything editable, in the log (issue 12): sittings, agenda items, documents, devices.

Every edit is an event; what it may not change (an item taken up, a closed sitting) is
refused with a typed error; the devices' route is kept in the registry, and a chair
console routed to one sitting acts on that one only.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from procedure import Context, RegistryState, SittingState
from procedure.agenda import agenda_order
from procedure.views import public_view
from protocol.commands import (
    AttachDocument,
    CancelSitting,
    EditItem,
    EditSitting,
    EnrolDevice,
    MoveItem,
    OpenSitting,
    OrderDocuments,
    ReassignDevice,
    RemoveDocument,
    RemoveItem,
    RenameDevice,
    ReplaceDocument,
    RevokeDevice,
    RouteDevices,
    TakeUpItem,
)
from protocol.errors import ErrorCode
from protocol.events import Actor, DocumentReplaced
from protocol.types import ItemStatus, Role, SittingStatus
from tests.domain_support import (
    chair,
    clerk,
    ctx,
    play,
    records_of,
    refused,
    registry_with,
    run,
    sitting,
    step,
)

NESTED = [("1", None), ("1.1", "1"), ("1.2", "1"), ("2", None), ("2.1", "2"), ("3", None)]


def agenda(opened: bool = False) -> SittingState:
    return sitting(4, items=NESTED, opened=opened, present=[1, 2, 3])[0]


def doc(item: str, document: str, sha: str = "a") -> AttachDocument:
    return AttachDocument(item_id=item, document_id=document, title=f"Doc {document}", sha256=sha * 64, size=10)


# -- the sitting ---------------------------------------------------------------------


def test_a_sitting_is_edited_and_rescheduled_before_it_opens() -> None:
    events, state = step(agenda(), EditSitting(title_en="Plenary (morning)", place="Hall B", date="2025-03-05"),
                         clerk())
    assert [e.model_dump(exclude_none=True) for e in events] == [
        {"type": "sitting.edited", "title_en": "Plenary (morning)", "place": "Hall B", "date": "2025-03-05"}]
    assert (state.title_en, state.place, state.date) == ("Plenary (morning)", "Hall B", "2025-03-05")
    assert step(state, EditSitting(place="Hall B"), clerk())[0] == []  # nothing changes, nothing is logged
    opened = run(state, OpenSitting(without_quorum=True), chair())
    err = refused(opened, EditSitting(date="2025-03-09"), clerk())
    assert (err.code, err.details) == (ErrorCode.INVALID_STATE, {"status": SittingStatus.OPEN})
    assert run(opened, EditSitting(place="Hall C"), clerk()).place == "Hall C"


def test_a_cancelled_sitting_is_frozen_whole() -> None:
    state = run(agenda(), CancelSitting(), clerk())
    assert state.status is SittingStatus.CANCELLED
    for cmd, context in [(OpenSitting(), chair()), (doc("1", "d1"), clerk()), (EditItem(item_id="1", title_en="x"),
                                                                              clerk())]:
        err = refused(state, cmd, context)
        assert (err.code, err.details["status"]) == (ErrorCode.INVALID_STATE, SittingStatus.CANCELLED)
    assert public_view(state)["status"] == "cancelled"


def test_a_closed_sitting_takes_no_document() -> None:
    state = play(agenda(opened=True), (doc("1", "d1"), clerk()))
    state = replace(state, status=SittingStatus.CLOSED)
    for cmd in (doc("1", "d2"), ReplaceDocument(document_id="d1", title="v2", sha256="b" * 64, size=1),
                RemoveDocument(document_id="d1")):
        assert refused(state, cmd, clerk()).code is ErrorCode.INVALID_STATE


# -- agenda items ---------------------------------------------------------------------


def test_items_are_edited() -> None:
    events, state = step(agenda(), EditItem(item_id="1.1", title_km="ថ្មី", title_en="New"), clerk())
    assert [e.type for e in events] == ["agenda.item_edited"]
    item = state.item("1.1")
    assert item is not None and (item.title_km, item.title_en) == ("ថ្មី", "New")
    assert refused(state, EditItem(item_id="9", title_en="x"), clerk()).code is ErrorCode.UNKNOWN_ITEM


@pytest.mark.parametrize(
    ("move", "order"),
    [
        (MoveItem(item_id="3", before_id="1"), ["3", "1", "1.1", "1.2", "2", "2.1"]),  # reorder at the top
        (MoveItem(item_id="1.2", parent_id="1", before_id="1.1"), ["1", "1.2", "1.1", "2", "2.1", "3"]),
        (MoveItem(item_id="1", parent_id=None), ["2", "2.1", "3", "1", "1.1", "1.2"]),  # to the end, with its own
        (MoveItem(item_id="3", parent_id="2"), ["1", "1.1", "1.2", "2", "2.1", "3"]),  # under another parent
        (MoveItem(item_id="2.1", parent_id="1", before_id="1.2"), ["1", "1.1", "2.1", "1.2", "2", "3"]),
    ],
)
def test_items_move_with_their_sub_items(move: MoveItem, order: list[str]) -> None:
    events, state = step(agenda(), move, clerk())
    assert [e.type for e in events] == ["agenda.item_moved"]
    assert agenda_order(state.items) == order
    assert [i.item_id for i in state.items] == order  # the state keeps the walking order
    moved = state.item(move.item_id)
    assert moved is not None and moved.parent_id == move.parent_id


@pytest.mark.parametrize(
    ("move", "code"),
    [
        (MoveItem(item_id="1", parent_id="1.1"), ErrorCode.INVALID_STATE),  # under its own sub-item
        (MoveItem(item_id="1", parent_id="1"), ErrorCode.INVALID_STATE),
        (MoveItem(item_id="3", parent_id="1", before_id="2"), ErrorCode.INVALID_STATE),  # not a sibling there
        (MoveItem(item_id="3", before_id="3"), ErrorCode.INVALID_STATE),
        (MoveItem(item_id="3", parent_id="9"), ErrorCode.UNKNOWN_ITEM),
        (MoveItem(item_id="9"), ErrorCode.UNKNOWN_ITEM),
    ],
)
def test_moves_that_break_the_tree_are_refused(move: MoveItem, code: ErrorCode) -> None:
    assert refused(agenda(), move, clerk()).code is code


def test_items_are_removed_only_while_never_taken_up_and_bare() -> None:
    state = run(agenda(opened=True), TakeUpItem(item_id="2.1"), chair())
    assert refused(state, RemoveItem(item_id="1"), clerk()).code is ErrorCode.INVALID_STATE  # has sub-items
    assert refused(state, RemoveItem(item_id="2.1"), clerk()).code is ErrorCode.INVALID_STATE  # current
    state = run(state, TakeUpItem(item_id="3"), chair())
    err = refused(state, RemoveItem(item_id="2.1"), clerk())  # done
    assert (err.code, err.details["item_status"]) == (ErrorCode.INVALID_STATE, ItemStatus.DONE)
    state = play(state, (RemoveItem(item_id="1.1"), clerk()), (RemoveItem(item_id="1.2"), clerk()),
                 (RemoveItem(item_id="1"), clerk()))
    assert agenda_order(state.items) == ["2", "2.1", "3"]


# -- documents -------------------------------------------------------------------------


def test_a_new_version_replaces_the_old_for_readers_and_the_record_keeps_both() -> None:
    state, records = records_of(agenda(), [
        (doc("1", "d1", "a"), clerk()),
        (ReplaceDocument(document_id="d1", title="Draft v2", sha256="b" * 64, size=20), clerk()),
        (ReplaceDocument(document_id="d1", title="Draft v3", sha256="c" * 64, size=30), clerk()),
    ])
    assert isinstance(state, SittingState)
    (shown,) = public_view(state)["items"][0]["documents"]
    assert (shown["title"], shown["sha256"], shown["version"]) == ("Draft v3", "c" * 64, 3)
    assert [r.event.sha256 for r in records] == ["a" * 64, "b" * 64, "c" * 64]  # type: ignore[union-attr]
    last = records[-1].event
    assert isinstance(last, DocumentReplaced) and last.previous_sha256 == "b" * 64
    assert refused(state, ReplaceDocument(document_id="d1", title="same", sha256="c" * 64, size=30),
                   clerk()).code is ErrorCode.INVALID_STATE
    assert refused(state, ReplaceDocument(document_id="d9", title="x", sha256="d" * 64, size=1),
                   clerk()).code is ErrorCode.UNKNOWN_DOCUMENT


def test_documents_are_ordered_and_removed_before_their_item_is_taken_up() -> None:
    state = play(agenda(opened=True), (doc("1", "d1"), clerk()), (doc("1", "d2"), clerk()), (doc("2", "d3"), clerk()))
    state = run(state, OrderDocuments(item_id="1", document_ids=["d2", "d1"]), clerk())
    assert [d.document_id for d in state.items[0].documents] == ["d2", "d1"]
    err = refused(state, OrderDocuments(item_id="1", document_ids=["d1"]), clerk())
    assert (err.code, err.details) == (ErrorCode.MALFORMED, {"documents": ["d2", "d1"]})
    state = run(state, RemoveDocument(document_id="d2"), clerk())
    assert [d.document_id for d in state.items[0].documents] == ["d1"]
    state = run(state, TakeUpItem(item_id="2"), chair())
    assert refused(state, RemoveDocument(document_id="d3"), clerk()).code is ErrorCode.INVALID_STATE
    state = run(state, ReplaceDocument(document_id="d3", title="v2", sha256="e" * 64, size=1), clerk())
    assert state.items[3].documents[0].version == 2  # a taken-up item's document still gets new versions


# -- devices ---------------------------------------------------------------------------


def devices() -> RegistryState:
    registry = registry_with(3)
    for n, (device, role, seat_id) in enumerate([("seat-1", Role.SEAT, "S1"), ("seat-2", Role.SEAT, "S2"),
                                                 ("console", Role.CHAIR, None), ("wall", Role.DISPLAY, None),
                                                 ("rec", Role.RECORDER, None)]):
        registry = run(registry, EnrolDevice(device_id=device, role=role, seat=seat_id,
                                             public_key=f"{n + 1:02x}" * 32), clerk())
    return registry


def device_ctx(role: Role, device: str) -> Context:
    return replace(ctx(role), actor=Actor(role=role, device_id=device))


def test_a_device_is_reassigned_and_renamed_keeping_its_key() -> None:
    registry = devices()
    events, registry = step(registry, ReassignDevice(device_id="seat-1", seat="S7"), clerk())
    assert [e.type for e in events] == ["device.reassigned"]
    assert (registry.devices["seat-1"].seat, registry.devices["seat-1"].public_key) == ("S7", "01" * 32)
    registry = run(registry, ReassignDevice(device_id="seat-1", member_id="m2"), clerk())
    assert (registry.devices["seat-1"].seat, registry.devices["seat-1"].member_id) == (None, "m2")
    registry = run(registry, RenameDevice(device_id="seat-1", label="Tablet of m2"), clerk())
    assert registry.devices["seat-1"].label == "Tablet of m2"
    for cmd, code in [(ReassignDevice(device_id="seat-1"), ErrorCode.MALFORMED),  # a seat needs one or the other
                      (ReassignDevice(device_id="seat-1", member_id="m9"), ErrorCode.UNKNOWN_MEMBER),
                      (ReassignDevice(device_id="nope", seat="S1"), ErrorCode.UNKNOWN_DEVICE),
                      (ReassignDevice(device_id="seat-1", member_id="m2"), ErrorCode.INVALID_STATE)]:
        assert refused(registry, cmd, clerk()).code is code
    assert refused(registry, RenameDevice(device_id="seat-1", label="x"), chair()).code is ErrorCode.FORBIDDEN


def test_the_hall_s_devices_are_routed_with_one_command() -> None:
    events, registry = step(devices(), RouteDevices(stream="plenary-8"), clerk())
    assert [e.model_dump() for e in events] == [
        {"type": "device.routed", "device_ids": ["seat-1", "seat-2", "console", "wall"], "stream": "plenary-8"}]
    assert registry.devices["rec"].route is None  # the recorder follows every sitting on its own
    assert refused(registry, RouteDevices(stream="plenary-8"), clerk()).code is ErrorCode.INVALID_STATE
    registry = run(registry, RouteDevices(device_ids=["wall"], stream="commission-9"), clerk())
    assert {d: v.route for d, v in registry.devices.items()} == {
        "seat-1": "plenary-8", "seat-2": "plenary-8", "console": "plenary-8", "wall": "commission-9", "rec": None}
    assert refused(registry, RouteDevices(device_ids=["rec"], stream="x"), clerk()).code is ErrorCode.MALFORMED
    registry = run(registry, RevokeDevice(device_id="wall"), clerk())
    assert registry.devices["wall"].route is None
    assert refused(registry, RouteDevices(device_ids=["wall"], stream="x"), clerk()).code is ErrorCode.UNKNOWN_DEVICE


def test_a_routed_chair_moves_only_its_own_sitting_s_devices() -> None:
    registry = run(devices(), RouteDevices(stream="plenary-8"), clerk())
    registry = run(registry, RouteDevices(device_ids=["seat-2"], stream="commission-9"), clerk())
    console = device_ctx(Role.CHAIR, "console")
    events, registry = step(registry, RouteDevices(stream="plenary-10"), console)
    assert [e.model_dump() for e in events] == [
        {"type": "device.routed", "device_ids": ["seat-1", "console", "wall"], "stream": "plenary-10"}]
    assert registry.devices["seat-2"].route == "commission-9"  # another sitting's seat stays there
    assert refused(registry, ReassignDevice(device_id="seat-1", seat="S3"), console).code is ErrorCode.FORBIDDEN
    assert refused(registry, RouteDevices(stream="x"), device_ctx(Role.SEAT, "seat-1")).code is ErrorCode.FORBIDDEN


def test_a_chair_console_acts_only_on_the_sitting_it_is_routed_to() -> None:
    state = agenda()
    elsewhere = replace(chair(), route="commission-9")
    err = refused(state, OpenSitting(without_quorum=True), elsewhere)
    assert (err.code, err.details["routed_to"]) == (ErrorCode.FORBIDDEN, "commission-9")
    assert run(state, OpenSitting(without_quorum=True), replace(chair(), route=state.stream)).status is \
        SittingStatus.OPEN
    assert run(state, OpenSitting(without_quorum=True), chair()).status is SittingStatus.OPEN  # unrouted: as before
