"""Ballots: canonical bytes signed on the device, stored verbatim, re-checkable offline.

A ballot is the canonical JSON of
    {"domain": "hemicycle/ballot/v1", "sitting", "vote", "member", "seat", "choice", "nonce"}
(sorted keys, no spaces, UTF-8). The device signs exactly those bytes with
its Ed25519 key and sends them base64-encoded with the signature in hex;
the server refuses bytes that are not in canonical form, so there is only
one byte string per ballot.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated

from pydantic import Field, ValidationError

from protocol.canonical import canonical_bytes
from protocol.errors import ErrorCode, ProtocolError, validation_problems
from protocol.keys import BALLOT_TAG
from protocol.types import Id, Model, ShortText


class Ballot(Model):
    domain: Annotated[str, Field(pattern=f"^{BALLOT_TAG}$")] = BALLOT_TAG
    sitting: Id
    vote: Id
    member: Id
    seat: Id | None
    choice: ShortText
    nonce: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]

    def to_bytes(self) -> bytes:
        return canonical_bytes(self.model_dump(mode="json"))


def encode_ballot(ballot: Ballot) -> str:
    return base64.b64encode(ballot.to_bytes()).decode()


def decode_ballot(ballot_b64: str) -> tuple[Ballot, bytes]:
    """Parse the signed bytes; refuse anything not canonical or not a ballot."""
    try:
        raw = base64.b64decode(ballot_b64, validate=True)
        data = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError(ErrorCode.MALFORMED, "the ballot is not base64 of UTF-8 JSON",
                            problems=[{"loc": "cmd.ballot", "type": "ballot_encoding",
                                       "msg": "base64 of the ballot's canonical UTF-8 JSON"}]) from exc
    try:
        ballot = Ballot.model_validate(data)
    except ValidationError as exc:
        raise ProtocolError(ErrorCode.MALFORMED, "the ballot does not match the protocol",
                            problems=validation_problems(exc.errors(), ("ballot",))) from exc
    if ballot.to_bytes() != raw:
        raise ProtocolError(ErrorCode.MALFORMED, "ballot bytes are not in canonical form")
    return ballot, raw
