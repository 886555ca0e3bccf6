"""What arrives on the socket, checked before any handler sees it.

Two gates, both pure:

- ``HallPacket`` decodes Socket.IO packets. A payload the JSON decoder cannot
  read (not JSON, nested past Python's recursion limit, an integer of more than
  4,300 digits) or an event that is not ``[name, ...]`` becomes the event
  ``UNREADABLE`` carrying the reason, so the sender still gets a typed answer
  on its ack id instead of a traceback in the log and silence.
- ``check_payload`` refuses what JSON can carry but the protocol does not:
  nesting deeper than ``MAX_DEPTH``, binary attachments, text holding a lone
  surrogate (not Unicode: it cannot be stored, hashed or shown), and more than
  ``MAX_COMMAND_BYTES`` of UTF-8 JSON.
"""

from __future__ import annotations

import json
from typing import Any

from socketio import packet

from protocol.errors import ErrorCode, ProtocolError
from protocol.limits import MAX_COMMAND_BYTES, MAX_DEPTH

UNREADABLE = "\x00unreadable"
"""The event an unreadable packet becomes (a client sending this name gets the same refusal)."""


class HallPacket(packet.Packet):
    """Socket.IO packets whose decoding never raises for what a client sends."""

    def decode(self, encoded_packet: Any) -> int:
        try:
            attachments = int(super().decode(encoded_packet))
        except (ValueError, RecursionError, TypeError, IndexError) as exc:
            reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)[:120]
            self.packet_type = packet.EVENT
            self.data = [UNREADABLE, reason]
            return 0
        if self.packet_type in (packet.EVENT, packet.BINARY_EVENT) and not (
            isinstance(self.data, list) and self.data and isinstance(self.data[0], str)
        ):
            self.packet_type = packet.EVENT
            self.data = [UNREADABLE, "an event is [name, argument]"]
            return 0
        return attachments


def check_payload(data: Any, limit: int = MAX_COMMAND_BYTES) -> ProtocolError | None:
    """The refusal ``data`` earns before any handler reads it, or None.

    Errors: ``malformed`` (too deep, binary, lone surrogate, a value JSON cannot
    carry), ``too_large`` with ``limit`` and ``size`` in bytes.
    """
    problem = _shape(data, 0)
    if problem is not None:
        return ProtocolError(ErrorCode.MALFORMED, problem)
    try:
        size = len(json.dumps(data, ensure_ascii=False, allow_nan=False).encode())
    except UnicodeEncodeError:
        return ProtocolError(ErrorCode.MALFORMED, "text holds a lone surrogate: it is not Unicode")
    except ValueError:
        return ProtocolError(ErrorCode.MALFORMED, "numbers must be finite")
    if size > limit:
        return ProtocolError(ErrorCode.TOO_LARGE, "message too large", limit=limit, size=size)
    return None


def _shape(value: Any, depth: int) -> str | None:
    if depth > MAX_DEPTH:
        return f"nested deeper than {MAX_DEPTH}"
    if isinstance(value, dict):
        for item in value.values():
            problem = _shape(item, depth + 1)
            if problem:
                return problem
    elif isinstance(value, list):
        for item in value:
            problem = _shape(item, depth + 1)
            if problem:
                return problem
    elif isinstance(value, (bytes, bytearray, memoryview)):
        return "binary attachments are not part of the protocol"
    return None
