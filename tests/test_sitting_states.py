"""What each sitting state allows, over every sitting command kind x every state.

The matrix below is the specification, written out by hand: S scheduled,
O open, U suspended (interrupted), C closed, X cancelled. The rules' table must say the
same, name every sitting command, and decide must apply it: each command
is refused with INVALID_STATE (naming the state) exactly where the matrix
has no letter, and is accepted in the state its example was prepared in.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from procedure import decide
from procedure.states import ALLOWED
from protocol.commands import COMMAND_TYPES
from protocol.errors import ErrorCode, ProtocolError
from protocol.types import SittingStatus
from tests.domain_support import registry_with
from tests.test_domain_sitting import AUTH, OK, actor

LETTER = {
    SittingStatus.SCHEDULED: "S",
    SittingStatus.OPEN: "O",
    SittingStatus.SUSPENDED: "U",
    SittingStatus.CLOSED: "C",
    SittingStatus.CANCELLED: "X",
}
MATRIX = {
    "sitting.open": "S",
    "sitting.suspend": "O",
    "sitting.resume": "U",
    "sitting.close": "OU",
    "sitting.notice": "SOUC",
    "sitting.take_chair": "SOU",
    # bodies and guests
    "sitting.add_guest": "SOU",
    "agenda.add_item": "SOU",
    "agenda.attach_document": "SOU",
    "agenda.take_up": "O",
    "agenda.next": "O",
    "agenda.previous": "O",
    "document.show_page": "SOU",
    "attendance.check_in": "SOU",
    "attendance.check_out": "SOU",
    "floor.request": "O",
    "floor.grant": "O",
    "floor.readd_last": "O",
    "floor.expire": "O",
    "floor.warn": "O",
    "floor.pause": "O",
    "floor.resume": "O",
    "floor.withdraw": "OU",
    "floor.stop": "OU",
    "floor.extend": "OU",
    "floor.reorder": "OU",
    "floor.close_list": "OU",
    "floor.reopen_list": "OU",
    "floor.configure": "SOU",
    "floor.set_quota": "SOU",
    "floor.set_item_limits": "SOU",
    "vote.open": "O",
    "vote.cast": "O",
    "vote.close": "O",
    "vote.publish": "OU",
    "vote.clear_result": "OU",
    "transcript.add_segment": "SOUC",
    "transcript.revise": "SOUC",
    "transcript.flag_turn": "SOUC",
    "transcript.type": "SOUC",
    # issue 12: edits; a closed or cancelled sitting is frozen, documents included
    "sitting.edit": "SOU",
    "sitting.cancel": "S",
    "sitting.renew_roster": "S",
    "agenda.edit_item": "SOU",
    "agenda.remove_item": "SOU",
    "agenda.move_item": "SOU",
    "agenda.replace_document": "SOU",
    "agenda.remove_document": "SOU",
    "agenda.order_documents": "SOU",
}
ROUTE = "SOU"  # device.route: the states of the sitting devices may be sent to
SITTING_KINDS = sorted(k for k in COMMAND_TYPES if k in AUTH and k != "sitting.create")


def test_the_matrix_and_the_rules_table_name_every_sitting_command() -> None:
    assert sorted(MATRIX) == SITTING_KINDS
    assert sorted(ALLOWED) == sorted([*SITTING_KINDS, "device.route"])


def test_devices_are_routed_only_to_a_sitting_that_takes_them() -> None:
    assert "".join(LETTER[s] for s in SittingStatus if s in ALLOWED["device.route"]) == ROUTE


@pytest.mark.parametrize("kind", SITTING_KINDS)
def test_the_rules_table_says_what_the_matrix_says(kind: str) -> None:
    assert "".join(LETTER[s] for s in SittingStatus if s in ALLOWED[kind]) == MATRIX[kind]


@pytest.mark.parametrize("status", list(SittingStatus))
@pytest.mark.parametrize("kind", SITTING_KINDS)
def test_decide_applies_the_table(kind: str, status: SittingStatus) -> None:
    prep, cmd_of, event_types, outcomes = AUTH[kind]
    who = next(w for w, outcome in outcomes.items() if outcome == OK)
    target, target_seat = ("m5", "s5") if kind == "attendance.check_in" else ("m1", "s1")
    context = actor(who, target, target_seat)
    prepared = prep()
    state = replace(prepared, status=status)
    try:
        events = decide(state, cmd_of(context), context, registry_with(6))
    except ProtocolError as err:
        refusal: tuple[ErrorCode, object] | None = (err.code, err.details.get("status"))
    else:
        refusal = None
    if LETTER[status] not in MATRIX[kind]:
        assert refusal == (ErrorCode.INVALID_STATE, status), f"{kind} when {status}: {refusal}"
    elif status is prepared.status:
        assert refusal is None and [e.type for e in events] == event_types
    else:  # allowed here too: whatever else may be wrong, it is not the state
        assert refusal is None or refusal[1] is None, f"{kind} refused when {status}: {refusal}"
