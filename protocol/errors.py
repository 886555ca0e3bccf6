"""Typed errors that travel on the wire.

    ProtocolError            every refusal a client can receive
      carries an ErrorCode, a human message, and details for the client

Client input never earns ``internal``: that code means the server failed.

A refused command changes nothing; its ack is ``{"ok": false, "error": ...}``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """Stable, machine-readable reasons for refusing a message."""

    # The message itself
    MALFORMED = "malformed"
    UNKNOWN_COMMAND = "unknown_command"
    TOO_LARGE = "too_large"  # details: limit, size (bytes of UTF-8 JSON)
    RATE_LIMITED = "rate_limited"  # details: retry_after_s (seconds, a float)
    UNSUPPORTED_VERSION = "unsupported_version"
    # Who is asking
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    NOT_YOUR_MEMBER = "not_your_member"
    BAD_CREDENTIAL = "bad_credential"
    # What it refers to
    UNKNOWN_SITTING = "unknown_sitting"
    UNKNOWN_MEMBER = "unknown_member"
    UNKNOWN_ITEM = "unknown_item"
    UNKNOWN_REQUEST = "unknown_request"
    UNKNOWN_DEVICE = "unknown_device"
    UNKNOWN_VOTE = "unknown_vote"
    ALREADY_EXISTS = "already_exists"
    # The state it meets
    INVALID_STATE = "invalid_state"
    NOT_PRESENT = "not_present"
    ALREADY_PRESENT = "already_present"
    ALREADY_REQUESTED = "already_requested"
    NOT_SPEAKING = "not_speaking"
    MIC_LIMIT = "mic_limit"
    QUOTA_EXHAUSTED = "quota_exhausted"
    # Voting
    VOTE_CLOSED = "vote_closed"
    ALREADY_VOTED = "already_voted"
    BAD_SIGNATURE = "bad_signature"
    NOT_ELIGIBLE = "not_eligible"
    KEY_REVOKED = "key_revoked"
    REPLAYED = "replayed"
    # The server
    CONFLICT = "conflict"
    INTERNAL = "internal"


class ProtocolError(Exception):
    """A refusal with the data the client needs to show or fix it."""

    def __init__(self, code: ErrorCode, message: str, **details: Any) -> None:
        super().__init__(f"{code.value}: {message}")
        self.code = code
        self.message = message
        self.details = details

    def to_wire(self) -> dict[str, Any]:
        return {"code": self.code.value, "message": self.message, "details": self.details}

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> ProtocolError:
        return cls(ErrorCode(data["code"]), data["message"], **data.get("details", {}))
