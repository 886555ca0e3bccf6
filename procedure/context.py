"""What a decision may know besides state and command: who asks, and when."""

from __future__ import annotations

from dataclasses import dataclass

from protocol.events import Actor
from protocol.types import Role


@dataclass(frozen=True)
class Context:
    """The caller and the clock, passed in so that decisions stay pure.

    ``signature_ok`` is the caller's check of a ballot's Ed25519 signature
    against the sending device's enrolled key (done off the event loop).
    """

    actor: Actor
    now_ms: int
    seat: str | None = None
    signature_ok: bool | None = None

    @property
    def role(self) -> Role:
        return self.actor.role
