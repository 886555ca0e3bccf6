"""Pairing: a new device shows a code; a clerk enrols the key behind it.

The device posts its public key (made and kept on the device) and shows
the pairing code derived from it; the clerk's console lists pending codes
and sends ``device.enrol`` with the key. Pending requests live in memory
for 15 minutes: nothing is trusted until the clerk's command is committed.

The table is keyed by what anyone can send, so it is bounded: at most
``MAX_PER_SOURCE`` pending requests from one network address and
``MAX_PENDING`` in all (a flood from one address cannot lock out the hall's
tablets), and a pending request is never changed by a later one for the same
key (its role and label are what the clerk was shown).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

from hall_server.transport.fair import retry_after
from procedure import RegistryState
from protocol.errors import ErrorCode, ProtocolError
from protocol.keys import pairing_code
from protocol.types import Role

TTL_S = 15 * 60
MAX_PENDING = 5000
MAX_PER_SOURCE = 32  # a clerk pairing a trolley of tablets through one address does it in rounds


@dataclass(frozen=True)
class PairingRequest:
    code: str
    public_key: str
    role: str
    label: str
    at: float
    source: str


class Pairings:
    def __init__(self, clock: Any = time.time) -> None:
        self._pending: dict[str, PairingRequest] = {}
        self._clock = clock

    def request(self, public_key: str, role: str, label: str, source: str) -> PairingRequest:
        """Record a pending request; the same request again returns the first.

        Errors: ValueError (bad role or key), ``ProtocolError`` ``already_exists`` (a
        pending request for this key with another role or label), ``rate_limited`` with
        ``retry_after_s`` (this source, or everyone, has too many pending).
        """
        now = self._clock()
        self._pending = {c: p for c, p in self._pending.items() if now - p.at < TTL_S}
        Role(role)
        bytes.fromhex(public_key)
        if len(public_key) != 64:
            raise ValueError("public key must be 32 bytes hex")
        label = label[:200]
        code = pairing_code(public_key)
        earlier = self._pending.get(code)
        if earlier is not None:
            if (earlier.public_key, earlier.role, earlier.label) != (public_key, role, label):
                raise ProtocolError(ErrorCode.ALREADY_EXISTS, "a pairing for this key is pending with "
                                    "another role or label", pairing_code=code)
            return earlier
        mine = sorted(p.at for p in self._pending.values() if p.source == source)
        if len(mine) >= MAX_PER_SOURCE or len(self._pending) >= MAX_PENDING:
            oldest = mine[0] if len(mine) >= MAX_PER_SOURCE else min(p.at for p in self._pending.values())
            raise ProtocolError(ErrorCode.RATE_LIMITED, "too many pending pairings",
                                retry_after_s=retry_after(oldest + TTL_S - now, 0.1))
        req = PairingRequest(code, public_key, role, label, now, source)
        self._pending[code] = req
        return req

    def status(self, code: str, registry: RegistryState) -> dict[str, Any] | None:
        req = self._pending.get(code)
        if req is None:
            return None
        for device in registry.devices.values():
            if device.public_key == req.public_key and not device.revoked:
                return {"status": "enrolled", "device_id": device.device_id, "role": device.role.value,
                        "member_id": device.member_id, "seat": device.seat}
        return {"status": "pending", "code": code}

    def pending(self, registry: RegistryState) -> list[dict[str, Any]]:
        enrolled = {d.public_key for d in registry.devices.values() if not d.revoked}
        return [{k: v for k, v in asdict(p).items() if k != "source"}
                for p in self._pending.values() if p.public_key not in enrolled]
