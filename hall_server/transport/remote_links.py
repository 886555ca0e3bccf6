"""Remote members' links, for the presiding officer: connected or not, and how their call goes.

::

    /remote "call_quality" CallReport  -> the device's row (its last report)
    /remote connect / disconnect       -> the device's row: connected true / false
    every change                       -> /chair "remote_links" RemoteLinks (the whole table)
    a chair connects                   -> that chair gets the table

The table lives in this worker's memory (a restarted server starts empty and
fills again as pages report, every few seconds); it is never logged: a
dropped link changes nothing in the sitting. A member whose link drops keeps
their presence and their place on the speakers' list.
"""

from __future__ import annotations

import time
from typing import Any

import socketio
from pydantic import ValidationError

from hall_server.hall import Caller
from protocol.errors import ErrorCode, ProtocolError, validation_problems
from protocol.signalling import CallReport, RemoteLink, RemoteLinks
from protocol.types import Role

__all__ = ["LinkTable"]

CHAIR = f"/{Role.CHAIR.value}"


class LinkTable:
    """Each remote device's row, by device id; counts its open connections."""

    def __init__(self, sio: socketio.AsyncServer) -> None:
        self.sio = sio
        self.rows: dict[str, RemoteLink] = {}
        self.sockets: dict[str, int] = {}  # device id -> open /remote connections

    def table(self) -> dict[str, Any]:
        """The ``remote_links`` payload: every row, members in device order."""
        return RemoteLinks(links=[self.rows[d] for d in sorted(self.rows)]).model_dump(mode="json")

    async def _set(self, caller: Caller, **change: Any) -> None:
        device_id, member_id = caller.actor.device_id, caller.actor.member_id
        if device_id is None or member_id is None:
            return
        old = self.rows.get(device_id)
        row = {"device_id": device_id, "member_id": member_id, "connected": True,
               "call": old.call if old is not None else None, **change, "at_ms": round(time.time() * 1000)}
        self.rows[device_id] = RemoteLink.model_validate(row)
        await self.sio.emit("remote_links", self.table(), namespace=CHAIR)

    async def connected(self, caller: Caller) -> None:
        device_id = caller.actor.device_id or ""
        self.sockets[device_id] = self.sockets.get(device_id, 0) + 1
        await self._set(caller, connected=True)

    async def disconnected(self, caller: Caller) -> None:
        """A socket of the device went; the row turns disconnected with its last one (its call with it)."""
        device_id = caller.actor.device_id or ""
        left = max(0, self.sockets.get(device_id, 0) - 1)
        self.sockets[device_id] = left
        if left == 0:
            await self._set(caller, connected=False, call=None)

    async def report(self, caller: Caller | None, data: Any) -> dict[str, Any]:
        """Take one ``call_quality`` message; answers ``{"ok": true}`` or a typed refusal
        (``unauthenticated``, ``malformed`` with ``problems``)."""
        if caller is None:
            return {"ok": False, "error": ProtocolError(ErrorCode.UNAUTHENTICATED, "not connected").to_wire()}
        try:
            report = CallReport.model_validate(data)
        except ValidationError as exc:
            return {"ok": False, "error": ProtocolError(ErrorCode.MALFORMED, "not a call report",
                                                        problems=validation_problems(exc.errors())).to_wire()}
        await self._set(caller, connected=True, call=report)
        return {"ok": True}
