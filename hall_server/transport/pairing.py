"""Pairing: a new device shows a code; a clerk enrols the key behind it.

The device posts its public key (made and kept on the device) and shows
the pairing code derived from it; the clerk's console lists pending codes
and sends ``device.enrol`` with the key. Pending requests live in memory
for 15 minutes: nothing is trusted until the clerk's command is committed.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

from procedure import RegistryState
from protocol.keys import pairing_code
from protocol.types import Role

TTL_S = 15 * 60
MAX_PENDING = 5000


@dataclass(frozen=True)
class PairingRequest:
    code: str
    public_key: str
    role: str
    label: str
    at: float


class Pairings:
    def __init__(self) -> None:
        self._pending: dict[str, PairingRequest] = {}

    def request(self, public_key: str, role: str, label: str) -> PairingRequest:
        now = time.time()
        self._pending = {c: p for c, p in self._pending.items() if now - p.at < TTL_S}
        if len(self._pending) >= MAX_PENDING:
            raise OverflowError("too many pending pairings")
        Role(role)
        bytes.fromhex(public_key)
        if len(public_key) != 64:
            raise ValueError("public key must be 32 bytes hex")
        req = PairingRequest(pairing_code(public_key), public_key, role, label[:200], now)
        self._pending[req.code] = req
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
        return [asdict(p) for p in self._pending.values() if p.public_key not in enrolled]
