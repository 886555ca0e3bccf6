"""Offline re-checking of an exported record: anyone can run it, no server needed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from protocol.canonical import GENESIS_HASH
from protocol.events import Record


@dataclass(frozen=True)
class Finding:
    """The first item that fails a check, named so a person can find it."""

    check: str
    item: str
    message: str

    def __str__(self) -> str:
        return f"{self.check} failed at {self.item}: {self.message}"


def verify_chain(raw_records: Iterable[dict[str, Any]]) -> tuple[int, Finding | None]:
    """Walk one stream's records: seq 1, 2, 3..., each linked to the one before.

    Returns how many records were checked and the first failure, if any. An
    edited record breaks its own hash; a deleted or moved one breaks the seq
    or the link of the next.
    """
    prev, expected, count = GENESIS_HASH, 1, 0
    for raw in raw_records:
        where = f"record seq={raw.get('seq')} ({raw.get('event', {}).get('type')})"
        try:
            record = Record.model_validate(raw)
        except ValidationError as exc:
            return count, Finding("schema", where, str(exc.errors()[0]["msg"]))
        if record.seq != expected:
            return count, Finding("sequence", where, f"expected seq {expected}")
        if record.prev_hash != prev:
            return count, Finding("chain", where, "prev_hash does not match the record before")
        if not record.verify_link():
            return count, Finding("hash", where, "content does not match its hash")
        prev, expected, count = record.hash, expected + 1, count + 1
    return count, None
