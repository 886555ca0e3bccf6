"""Private notes over the socket: a member reads and writes their own, nobody else's.

    "notes" {"stream"}                     -> ack {"ok": true, "member_id", "notes": [Note]}
    "note"  {"stream", "item_id", "text"}  -> ack {"ok": true, "updated_ms"}

Only a member's device asks, for the member it holds now: a seat for the
member checked in at it (or its bound member), a remote device for its own
member, and only while that member is checked in; so notes follow a member
to whichever tablet they check in at, and leave it when they check out. The
answer goes to the asking connection only: nothing here is broadcast or logged.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from hall_server.hall import Caller, Hall
from hall_server.store.notes import PrivateNotes
from procedure import SittingState
from protocol.errors import ErrorCode, ProtocolError, validation_problems
from protocol.notes import NotesRequest, NoteWrite
from protocol.types import Role

__all__ = ["read_notes", "write_note"]

_MEMBER_DEVICES = (Role.SEAT, Role.REMOTE)


def _parse(model: type[BaseModel], data: Any) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ProtocolError(ErrorCode.MALFORMED, "notes message does not match the protocol",
                            problems=validation_problems(exc.errors())) from exc


async def _holder(hall: Hall, caller: Caller | None, stream: str) -> tuple[SittingState, str]:
    """The sitting and the member whose notes this connection may touch now, or a refusal."""
    if caller is None:
        raise ProtocolError(ErrorCode.UNAUTHENTICATED, "not connected")
    if caller.actor.role not in _MEMBER_DEVICES:
        raise ProtocolError(ErrorCode.FORBIDDEN, "private notes are read on a member's own device only",
                            role=caller.actor.role)
    state = await hall.refresh(stream)
    if not isinstance(state, SittingState) or not state.created:
        raise ProtocolError(ErrorCode.UNKNOWN_SITTING, "no such sitting", stream=stream)
    member = caller.actor.member_id or (state.member_at_seat(caller.seat) if caller.seat else None)
    if member is None or member not in state.presence:
        raise ProtocolError(ErrorCode.NOT_PRESENT, "check in to read or write your notes")
    return state, member


async def read_notes(hall: Hall, notes: PrivateNotes, caller: Caller | None, data: Any) -> dict[str, Any]:
    req: NotesRequest = _parse(NotesRequest, data)
    _, member = await _holder(hall, caller, req.stream)
    found = await hall.store.run(notes.read, member, req.stream)
    return {"ok": True, "member_id": member, "notes": [n.model_dump(mode="json") for n in found]}


async def write_note(hall: Hall, notes: PrivateNotes, caller: Caller | None, data: Any) -> dict[str, Any]:
    req: NoteWrite = _parse(NoteWrite, data)
    state, member = await _holder(hall, caller, req.stream)
    if state.item(req.item_id) is None:
        raise ProtocolError(ErrorCode.UNKNOWN_ITEM, "no such agenda item", item_id=req.item_id)
    now = hall.clock()
    await hall.store.run(notes.write, member, req.stream, req.item_id, req.text, now)
    return {"ok": True, "updated_ms": now}
