"""A device's identity: its id and the Ed25519 key that never leaves it."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from protocol.ballots import Ballot, encode_ballot
from protocol.commands import CastBallot
from protocol.keyfile import load_or_create_key
from protocol.keys import connect_message, pairing_code, public_key_hex


@dataclass(frozen=True)
class DeviceKey:
    device_id: str
    key: Ed25519PrivateKey

    @property
    def public_hex(self) -> str:
        return public_key_hex(self.key)

    @property
    def pairing_code(self) -> str:
        return pairing_code(self.public_hex)

    def connect_auth(self, nonce: str) -> dict[str, object]:
        signature = self.key.sign(connect_message(nonce, self.device_id)).hex()
        return {"v": 1, "device_id": self.device_id, "nonce": nonce, "signature": signature}

    def ballot(
        self, sitting: str, vote: str, member: str, seat: str | None, choice: str
    ) -> CastBallot:
        """Make and sign a ballot on this device."""
        b = Ballot(sitting=sitting, vote=vote, member=member, seat=seat, choice=choice,
                   nonce=secrets.token_hex(16))
        return CastBallot(ballot=encode_ballot(b), signature=self.key.sign(b.to_bytes()).hex())


KeySource = Callable[[str], DeviceKey]


def memory_keys() -> KeySource:
    """Fresh keys kept in memory, one per device id (simulator, tests)."""
    keys: dict[str, DeviceKey] = {}

    def get(device_id: str) -> DeviceKey:
        if device_id not in keys:
            keys[device_id] = DeviceKey(device_id, Ed25519PrivateKey.generate())
        return keys[device_id]

    return get


def folder_keys(folder: Path) -> KeySource:
    """Keys in 0600 files, one per device id, made on first use (demo, CLI)."""

    def get(device_id: str) -> DeviceKey:
        return DeviceKey(device_id, load_or_create_key(folder / f"{device_id}.pem"))

    return get
