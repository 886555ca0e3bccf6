"""Typed errors that travel on the wire.

    ProtocolError            every refusal a client can receive
      carries an ErrorCode, a human message, and details for the client

Client input never earns ``internal``: that code means the server failed.
A store that cannot write or read just now (disk full, database restarting) earns
``unavailable``: send the same command again, with the same id, after ``retry_after_s``.

A refused command changes nothing; its ack is ``{"ok": false, "error": ...}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    UNKNOWN_BODY = "unknown_body"
    UNKNOWN_DOCUMENT = "unknown_document"
    UNKNOWN_ACCOUNT = "unknown_account"  # a named account of the hall's staff (hall_server.accounts)
    ALREADY_EXISTS = "already_exists"
    # The state it meets
    INVALID_STATE = "invalid_state"
    NOT_PRESENT = "not_present"
    GUEST = "guest"  # a guest may be given the floor, but never votes, checks in or counts for quorum
    ALREADY_PRESENT = "already_present"
    ALREADY_REQUESTED = "already_requested"
    NOT_SPEAKING = "not_speaking"
    MIC_LIMIT = "mic_limit"
    QUOTA_EXHAUSTED = "quota_exhausted"
    LIST_CLOSED = "list_closed"
    SPEECH_LIMIT = "speech_limit"
    NO_QUORUM = "no_quorum"
    # Voting
    VOTE_CLOSED = "vote_closed"
    ALREADY_VOTED = "already_voted"
    BAD_SIGNATURE = "bad_signature"
    NOT_ELIGIBLE = "not_eligible"
    KEY_REVOKED = "key_revoked"
    REPLAYED = "replayed"
    # The server
    CONFLICT = "conflict"
    UNAVAILABLE = "unavailable"  # details: reason ("storage_full" | "database"), retry_after_s (seconds, a float)
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


_MESSAGES: dict[str, str] = {
    "missing": "required",
    "extra_forbidden": "not a field of this message",
    "string_type": "must be a string",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "string_too_short": "too short: at least {min_length} characters",
    "string_too_long": "too long: at most {max_length} characters",
    "too_short": "too few items: at least {min_length}",
    "too_long": "too many items: at most {max_length}",
    "string_pattern_mismatch": "does not match {pattern}",
    "greater_than": "must be more than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be at most {le}",
    "enum": "must be one of {expected}",
    "literal_error": "must be {expected}",
    "union_tag_invalid": "unknown type {tag}; expected one of {expected_tags}",
    "union_tag_not_found": "needs a {discriminator} field",
    "json_invalid": "not valid JSON",
}


def validation_problems(
    errors: Sequence[Mapping[str, Any]], prefix: tuple[str | int, ...] = ()
) -> list[dict[str, str]]:
    """Pydantic's ``ValidationError.errors()`` as ``[{"loc": "cmd.text", "type", "msg"}]``.

    ``msg`` is the protocol's own sentence for the error type, never a library's raw text;
    a validator of ours (``value_error``) speaks for itself. At most 10 problems.
    """
    out = []
    for e in errors[:10]:
        kind = str(e.get("type", "invalid"))
        ctx = {k: str(v)[:120] for k, v in (e.get("ctx") or {}).items()}
        if kind in ("value_error", "assertion_error") and "error" in ctx:
            msg = ctx["error"]
        else:
            try:
                msg = _MESSAGES.get(kind, "invalid value").format(**ctx)
            except (KeyError, IndexError):
                msg = "invalid value"
        # Pydantic puts a discriminated union's tag ("agenda.add_item") into the path: not a field.
        loc = ".".join(str(p) for p in (*prefix, *e.get("loc", ())) if not (isinstance(p, str) and "." in p))
        out.append({"loc": loc, "type": kind, "msg": msg})
    return out
