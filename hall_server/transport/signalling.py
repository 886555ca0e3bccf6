"""The signalling relay: WebRTC offers, answers and candidates between remote members
and the media endpoint, over the sockets they already hold.

Routing (rooms are per namespace)::

    /remote  "signal" MemberSignal   -> /recorder room "media":        FromMember(device, member, signal)
    /display "signal" MemberSignal   -> /recorder room "media":        FromMember(device, None, signal)
    /recorder "signal" EndpointReady -> joins room "media" of /recorder
    /recorder "signal" ToMember      -> /remote or /display room "device:<id>": the inner EndpointSignal

The relay only checks, stamps and forwards small JSON messages: no SDP is
parsed here and no media ever touches the hall server's event loop. A
member's device joins its own ``device:<id>`` room with its first signal, so
answers reach every connection of that device and no other. The hall display
calls like a member with none: it only watches the speaking remote member.
"""

from __future__ import annotations

import logging
from typing import Any

import socketio
from pydantic import ValidationError
from socketio.async_pubsub_manager import AsyncPubSubManager

from hall_server.hall import Caller
from protocol.errors import ErrorCode, ProtocolError, validation_problems
from protocol.signalling import EndpointReady, FromMember, media_message, member_signal
from protocol.types import Role

__all__ = ["MEDIA_ROOM", "device_room", "relay_signal"]

log = logging.getLogger("hemicycle.transport.signalling")

MEDIA_ROOM = "media"  # in the /recorder namespace: the media endpoints' connections


def device_room(device_id: str) -> str:
    """The ``/remote`` room of one remote device's connections."""
    return f"device:{device_id}"


def _error(code: ErrorCode, message: str, **details: Any) -> dict[str, Any]:
    return {"ok": False, "error": ProtocolError(code, message, **details).to_wire()}


def _anyone(sio: socketio.AsyncServer, namespace: str, room: str) -> bool:
    """Whether ``room`` has a connection; always True when scaled out (other workers' rooms are unseen)."""
    if isinstance(sio.manager, AsyncPubSubManager):
        return True
    return any(True for _ in sio.manager.get_participants(namespace, room))


async def relay_signal(
    namespace: socketio.AsyncNamespace, role: Role, caller: Caller | None, sid: str, data: Any
) -> dict[str, Any]:
    """Check one ``signal`` message from ``sid`` and forward it; the ack says what happened.

    Answers ``{"ok": true}`` or ``{"ok": false, "error": {code, message, details}}``:
    ``unauthenticated`` (no connection), ``forbidden`` (a role that does not signal, or a
    remote device bound to no member), ``malformed`` (not a signal; with ``problems``),
    ``invalid_state`` (no media endpoint connected), ``unknown_device`` (an answer for a
    device that is not connected). Never raises.
    """
    if caller is None:
        return _error(ErrorCode.UNAUTHENTICATED, "not connected")
    sio: socketio.AsyncServer = namespace.server
    try:
        if role in (Role.REMOTE, Role.DISPLAY):
            return await _from_member(namespace, sio, caller, sid, data)
        if role is Role.RECORDER:
            return await _from_endpoint(namespace, sio, sid, data)
    except ValidationError as exc:
        return _error(ErrorCode.MALFORMED, "not a signal of the protocol", problems=validation_problems(exc.errors()))
    return _error(ErrorCode.FORBIDDEN, "only remote members, the hall display and the media endpoint signal",
                  role=role.value)


async def _from_member(
    namespace: socketio.AsyncNamespace, sio: socketio.AsyncServer, caller: Caller, sid: str, data: Any
) -> dict[str, Any]:
    member_id, device_id = caller.actor.member_id, caller.actor.device_id
    if device_id is None or (member_id is None and caller.actor.role is Role.REMOTE):
        return _error(ErrorCode.FORBIDDEN, "can't signal from a remote device bound to no member")
    signal = member_signal.validate_python(data)
    await namespace.enter_room(sid, device_room(device_id))
    if not _anyone(sio, f"/{Role.RECORDER.value}", MEDIA_ROOM):
        return _error(ErrorCode.INVALID_STATE, "can't call when no media endpoint is connected")
    relayed = FromMember(device_id=device_id, member_id=member_id, signal=signal)
    await sio.emit("signal", relayed.model_dump(mode="json"), room=MEDIA_ROOM, namespace=f"/{Role.RECORDER.value}")
    return {"ok": True}


async def _from_endpoint(
    namespace: socketio.AsyncNamespace, sio: socketio.AsyncServer, sid: str, data: Any
) -> dict[str, Any]:
    message = media_message.validate_python(data)
    if isinstance(message, EndpointReady):
        await namespace.enter_room(sid, MEDIA_ROOM)
        log.info("media endpoint ready on %s", sid)
        return {"ok": True}
    room = device_room(message.device_id)
    sent = False
    for watcher in (f"/{Role.REMOTE.value}", f"/{Role.DISPLAY.value}"):
        if _anyone(sio, watcher, room):
            await sio.emit("signal", message.signal.model_dump(mode="json"), room=room, namespace=watcher)
            sent = True
    if not sent:
        return _error(ErrorCode.UNKNOWN_DEVICE, "that remote device is not connected", device_id=message.device_id)
    return {"ok": True}
