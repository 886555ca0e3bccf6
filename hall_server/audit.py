"""The audit view: a stream's hash-chained records, checked link by link, filtered for a reader.

    audit(records, author=None, kind=None, limit=200) -> {"chain", "events", "authors", "kinds"}
        chain:   {"ok", "checked", "broken_at"}   every record's hash and its link to the one before
                 (``protocol.events.Record.verify_link``), from the genesis hash
        events:  newest first, at most ``limit``: {"seq", "at_ms", "type", "author", "role", "device_id",
                 "member_id", "account", "command_id", "hash", "event"}
        authors, kinds: every author and event type in the stream, for the filters
``author`` matches ``Actor.author`` (the account, else the device); ``kind`` an event type or its
prefix before the dot (``transcript`` matches ``transcript.segment_revised``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Any

from protocol.canonical import GENESIS_HASH
from protocol.events import Record

MAX_AUDIT = 1000


def _matches(r: Record, author: str | None, kind: str | None) -> bool:
    if author and r.actor.author != author:
        return False
    return not kind or r.event.type == kind or r.event.type.split(".", 1)[0] == kind


def _row(r: Record) -> dict[str, Any]:
    a = r.actor
    return {"seq": r.seq, "at_ms": r.at_ms, "type": r.event.type, "author": a.author, "role": a.role.value,
            "device_id": a.device_id, "member_id": a.member_id, "account": a.account,
            "command_id": r.command_id, "hash": r.hash, "event": r.event.model_dump(mode="json")}


def audit(records: Iterable[Record], author: str | None = None, kind: str | None = None,
          limit: int = 200) -> dict[str, Any]:
    """Check the chain of one stream's records (in seq order) and keep the newest that match."""
    head, checked, broken = GENESIS_HASH, 0, None
    kept: deque[dict[str, Any]] = deque(maxlen=limit)
    authors: set[str] = set()
    kinds: set[str] = set()
    for r in records:
        checked += 1
        if broken is None and (r.prev_hash != head or not r.verify_link()):
            broken = r.seq
        head = r.hash
        authors.add(r.actor.author or "")
        kinds.add(r.event.type)
        if _matches(r, author, kind):
            kept.append(_row(r))
    return {"chain": {"ok": broken is None, "checked": checked, "broken_at": broken},
            "events": list(reversed(kept)), "authors": sorted(authors - {""}), "kinds": sorted(kinds)}


__all__ = ["MAX_AUDIT", "audit"]
