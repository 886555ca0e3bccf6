"""Fair share of one hall server: rate limits per connection and per device, and a
door that bounds connections which have not (yet) proved who they are.

Pure bookkeeping, no I/O: times are passed in (seconds, monotonic). The
transport asks ``Limiter.take`` before handling any message and
``Doorman`` when an Engine.IO connection opens, joins a namespace or leaves.

Rates are per role (``RATES``): a seat acts at human speed (a check-in, a
ballot, a floor request; a page's resync after a reconnect is a burst of a
few messages); the chair, the clerk and the recorder drive the sitting and
may send in bursts (seeding a roster, a transcript). Every message costs one
token from its connection's bucket and one from its device's (a device that
opens many connections shares one allowance). Issue 14 measured one seat
appending 1.5-3 k records a second and slowing every other seat 5-25x.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from protocol.types import Role


@dataclass
class TokenBucket:
    """``rate`` tokens a second up to ``burst``; starts full."""

    rate: float
    burst: float
    tokens: float
    at: float

    def take(self, now: float) -> float:
        """Take one token; 0.0 if there was one, else the seconds until there is."""
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate


def retry_after(wait: float, step: float = 0.001) -> float:
    """Seconds a refused client is told to wait (``retry_after_s``): ``wait`` rounded *up* to ``step``,
    and at least one step, so a refusal never says 0 (rounded to the nearest, a wait under half a
    step said "send again now", and the client's retry was refused again)."""
    return round(max(step, math.ceil(wait / step - 1e-9) * step), 6)


@dataclass(frozen=True)
class Rate:
    per_second: float
    burst: float


RATES: dict[Role, Rate] = {
    Role.SEAT: Rate(10, 40),
    Role.REMOTE: Rate(10, 40),
    Role.DISPLAY: Rate(10, 40),
    Role.CHAIR: Rate(100, 400),
    Role.CLERK: Rate(200, 1000),
    Role.RECORDER: Rate(200, 1000),
}


MAX_IGNORED = 100
"""Refusals a connection may ignore (sending again without waiting) before it is disconnected;
they are forgiven at its role's rate (a bucket of refusals, like the bucket of messages).
Answering a flood costs the server more than the flood's messages are worth, and the device's
bucket outlives the connection, so reconnecting buys nothing. Counting only refusals *in a
row* let a flood through whenever the server was slow: each token that came back in the
meantime served one message and started the count again."""


class Limiter:
    """Token buckets per connection and per device; a connection's bucket goes with it.

    ``scale`` multiplies every rate and burst (``HEMICYCLE_RATE_SCALE``: tests and
    load harnesses that drive one connection far past human speed on purpose).
    """

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = scale
        self._connections: dict[str, TokenBucket] = {}
        self._devices: dict[str, TokenBucket] = {}
        self._refusals: dict[str, TokenBucket] = {}  # connection -> the refusals it may still ignore

    def _bucket(self, table: dict[str, TokenBucket], key: str, role: Role, now: float) -> TokenBucket:
        bucket = table.get(key)
        if bucket is None:
            rate = RATES[role]
            burst = rate.burst * self.scale
            bucket = table[key] = TokenBucket(rate.per_second * self.scale, burst, burst, now)
        return bucket

    def take(self, connection: str, device: str, role: Role, now: float) -> float:
        """Seconds to wait before this message would be served; 0.0: serve it now."""
        wait = self._bucket(self._connections, connection, role, now).take(now)
        if not wait:
            wait = self._bucket(self._devices, f"{role.value}:{device}", role, now).take(now)
        if wait:
            refusals = self._refusals.get(connection)
            if refusals is None:
                rate = RATES[role].per_second * self.scale
                refusals = self._refusals[connection] = TokenBucket(rate, MAX_IGNORED, MAX_IGNORED, now)
            refusals.take(now)
        return wait

    def ignoring(self, connection: str) -> bool:
        """Whether this connection has ignored more than ``MAX_IGNORED`` refusals, less those forgiven."""
        refusals = self._refusals.get(connection)
        return refusals is not None and refusals.tokens < 1.0

    def forget(self, connection: str) -> None:
        self._connections.pop(connection, None)
        self._refusals.pop(connection, None)

    def sizes(self) -> tuple[int, int]:
        """(connections, devices) with a bucket; devices are bounded by the enrolled ones."""
        return len(self._connections), len(self._devices)


MAX_UNAUTHENTICATED = 256
"""Connections open without a namespace joined; well under the default 1,024 open files."""
MAX_UNAUTHENTICATED_PER_SOURCE = 128
"""The same, from one network address: one machine cannot hold the whole door. Above the
bursts legitimate clients make from one address (the simulator and the load harness connect
50 seats at a time from one host; a hall behind one NAT reconnects its tablets at once)."""
AUTH_TIMEOUT_S = 10.0
"""How long a connection may stay open without joining a namespace."""


class Doorman:
    """Engine.IO connections that have not joined a namespace: capped (in all and per
    source address), and closed when they have not joined one in ``timeout_s``."""

    def __init__(self, cap: int = MAX_UNAUTHENTICATED, per_source: int = MAX_UNAUTHENTICATED_PER_SOURCE,
                 timeout_s: float = AUTH_TIMEOUT_S) -> None:
        self.cap = cap
        self.per_source = per_source
        self.timeout_s = timeout_s
        self._waiting: dict[str, tuple[str, float]] = {}  # eio sid -> (source, deadline)
        self._by_source: dict[str, int] = {}

    def admit(self, eio_sid: str, source: str, now: float) -> bool:
        if len(self._waiting) >= self.cap or self._by_source.get(source, 0) >= self.per_source:
            return False
        self._waiting[eio_sid] = (source, now + self.timeout_s)
        self._by_source[source] = self._by_source.get(source, 0) + 1
        return True

    def authenticated(self, eio_sid: str) -> None:
        self._leave(eio_sid)

    def gone(self, eio_sid: str) -> None:
        self._leave(eio_sid)

    def _leave(self, eio_sid: str) -> None:
        entry = self._waiting.pop(eio_sid, None)
        if entry is not None:
            left = self._by_source[entry[0]] - 1
            if left:
                self._by_source[entry[0]] = left
            else:
                del self._by_source[entry[0]]

    def overdue(self, now: float) -> list[str]:
        late = [sid for sid, (_, deadline) in self._waiting.items() if deadline <= now]
        for sid in late:
            self._leave(sid)
        return late

    @property
    def waiting(self) -> int:
        return len(self._waiting)
