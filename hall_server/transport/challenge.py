"""Connect challenges: one-time nonces a device signs to prove it holds its key.

A nonce is ``issued_ms.random.mac`` with an HMAC under a server secret, so
any worker sharing the secret can check it without shared state; each is
accepted once, within its lifetime.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

LIFETIME_MS = 60_000


class Challenges:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret
        self._used: dict[str, int] = {}  # nonce -> issued ms, until it expires
        self._pruned_ms = 0

    def _mac(self, body: str) -> str:
        return hmac.new(self._secret, body.encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self) -> str:
        body = f"{time.time_ns() // 1_000_000}.{secrets.token_hex(16)}"
        return f"{body}.{self._mac(body)}"

    def redeem(self, nonce: object) -> bool:
        """True once for a fresh nonce this server issued; False ever after."""
        if not isinstance(nonce, str) or len(nonce) > 100 or nonce.count(".") != 2:
            return False
        body, mac = nonce.rsplit(".", 1)
        if not hmac.compare_digest(mac, self._mac(body)):
            return False
        issued = int(body.split(".")[0]) if body.split(".")[0].isdigit() else 0
        now = time.time_ns() // 1_000_000
        if now - self._pruned_ms > 1000:
            self._used = {n: t for n, t in self._used.items() if now - t < LIFETIME_MS}
            self._pruned_ms = now
        if now - issued >= LIFETIME_MS or nonce in self._used:
            return False
        self._used[nonce] = issued
        return True
