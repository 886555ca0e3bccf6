"""Canonical bytes for anything hashed or signed.

JSON with sorted keys, no insignificant whitespace, UTF-8 and no floats:
the same value always gives the same bytes, in any language that can
sort keys, so a third party can recompute every hash and signature.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS_HASH = "0" * 64


def _refuse_float(value: Any) -> Any:
    raise TypeError(f"not canonical: {type(value).__name__}")


def _check(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError("floats are not canonical; use integers (ms, counts)")
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError("object keys must be strings")
            _check(v)
    elif isinstance(value, list | tuple):
        for v in value:
            _check(v)


def canonical_bytes(value: Any) -> bytes:
    """Serialise a JSON value deterministically; floats are refused."""
    _check(value)
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_refuse_float
    ).encode("utf-8")


def chain_hash(prev_hash: str, body: Any) -> str:
    """SHA-256 over the previous hash and the canonical body: one link of the log."""
    return hashlib.sha256(bytes.fromhex(prev_hash) + canonical_bytes(body)).hexdigest()
