"""What a decision may know besides state and command: who asks, and when."""

from __future__ import annotations

from dataclasses import dataclass

from protocol.events import Actor
from protocol.types import Role


@dataclass(frozen=True)
class Context:
    """The caller and the clock, passed in so that decisions stay pure.

    ``secret`` is fresh randomness drawn by the caller for commands that mint
    one (a device token); the domain never draws its own.
    """

    actor: Actor
    now_ms: int
    seat: str | None = None
    secret: str = ""

    @property
    def role(self) -> Role:
        return self.actor.role
