"""What each state of a sitting allows: one table, every sitting command kind.

A scheduled sitting is prepared (agenda, documents, check-in, floor settings);
an open one runs; a suspended one keeps its list and its paused microphones
while the chair may still order the list, settle limits and post notices,
but nobody speaks or votes; a closed one is the record: only the recorder's
and the clerk's work on the transcript, and notices to the hall, go on; a
cancelled one is frozen whole. What a closed or cancelled sitting freezes is
decided here and nowhere else: documents, agenda and edits included.
``sitting.create`` is not in the table: it makes the sitting. ``device.route``
is a registry command, checked against the state of the sitting it names.
"""

from __future__ import annotations

from protocol.errors import ErrorCode, ProtocolError
from protocol.types import SittingStatus

SCHEDULED, OPEN, SUSPENDED, CLOSED, CANCELLED = (
    SittingStatus.SCHEDULED,
    SittingStatus.OPEN,
    SittingStatus.SUSPENDED,
    SittingStatus.CLOSED,
    SittingStatus.CANCELLED,
)
_PREPARING = frozenset({SCHEDULED, OPEN, SUSPENDED})
_RUNNING = frozenset({OPEN})
_LIVE = frozenset({OPEN, SUSPENDED})
_ALWAYS = frozenset(SittingStatus) - {CANCELLED}  # a cancelled sitting never had anything to record

ALLOWED: dict[str, frozenset[SittingStatus]] = {
    # sitting and agenda
    "sitting.open": frozenset({SCHEDULED}),
    "sitting.suspend": _RUNNING,
    "sitting.resume": frozenset({SUSPENDED}),
    "sitting.close": _LIVE,
    "sitting.notice": _ALWAYS,
    "sitting.take_chair": _PREPARING,
    "sitting.add_guest": _PREPARING,
    "agenda.add_item": _PREPARING,
    "agenda.attach_document": _PREPARING,
    "agenda.take_up": _RUNNING,
    "agenda.next": _RUNNING,
    "agenda.previous": _RUNNING,
    # documents: the hall display shows pages while the sitting is prepared or live
    "document.show_page": _PREPARING,
    # attendance
    "attendance.check_in": _PREPARING,
    "attendance.check_out": _PREPARING,
    # floor: who speaks only while the sitting runs
    "floor.request": _RUNNING,
    "floor.grant": _RUNNING,
    "floor.readd_last": _RUNNING,
    "floor.expire": _RUNNING,
    "floor.warn": _RUNNING,
    "floor.pause": _RUNNING,
    "floor.resume": _RUNNING,
    # floor: the list and the limits may be settled during a break
    "floor.withdraw": _LIVE,
    "floor.stop": _LIVE,
    "floor.extend": _LIVE,
    "floor.reorder": _LIVE,
    "floor.close_list": _LIVE,
    "floor.reopen_list": _LIVE,
    "floor.configure": _PREPARING,
    "floor.set_quota": _PREPARING,
    "floor.set_item_limits": _PREPARING,
    # votes: a division is neither held nor interrupted during a suspension
    "vote.open": _RUNNING,
    "vote.cast": _RUNNING,
    "vote.close": _RUNNING,
    "vote.publish": _LIVE,
    "vote.clear_result": _LIVE,
    # the record is worked on after the sitting too
    "transcript.add_segment": _ALWAYS,
    "transcript.revise": _ALWAYS,
    "transcript.flag_turn": _ALWAYS,
    "transcript.type": _ALWAYS,
    # issue 12: edits, frozen once the sitting is closed or cancelled
    "sitting.edit": _PREPARING,
    "sitting.cancel": frozenset({SCHEDULED}),
    "sitting.renew_roster": frozenset({SCHEDULED}),  # from the opening on, the roster is the record's
    "agenda.edit_item": _PREPARING,
    "agenda.remove_item": _PREPARING,
    "agenda.move_item": _PREPARING,
    "agenda.replace_document": _PREPARING,
    "agenda.remove_document": _PREPARING,
    "agenda.order_documents": _PREPARING,
    "device.route": _PREPARING,  # the sitting the devices are sent to
}


def check_state(status: SittingStatus, kind: str) -> None:
    """Refuse a command the sitting's state does not allow: INVALID_STATE with both."""
    allowed = ALLOWED.get(kind)
    if allowed is None:
        raise ProtocolError(ErrorCode.UNKNOWN_COMMAND, f"no state rule for {kind}", kind=kind)
    if status not in allowed:
        raise ProtocolError(
            ErrorCode.INVALID_STATE,
            f"can't {kind} when the sitting is {status}",
            status=status,
        )


__all__ = ["ALLOWED", "check_state"]
