"""What a decision may know besides state and command: who asks, and when."""

from __future__ import annotations

from dataclasses import dataclass

from protocol.events import Actor
from protocol.types import Role


@dataclass(frozen=True)
class Context:
    """The caller and the clock, passed in so that decisions stay pure.

    ``signature_ok`` is the caller's check of a ballot's Ed25519 signature
    against the sending device's enrolled key (done off the event loop); ``route`` the
    sitting the sending device is routed to (``device.route``), None when it chooses.
    """

    actor: Actor
    now_ms: int
    seat: str | None = None
    signature_ok: bool | None = None
    route: str | None = None

    @property
    def role(self) -> Role:
        return self.actor.role
