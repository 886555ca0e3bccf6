"""The hall's Prometheus metrics, through ``prometheus_client``.

One ``CollectorRegistry`` per app, so several apps in one process (tests)
never share counters. With ``PROMETHEUS_MULTIPROC_DIR`` set before start
(several workers under one process manager), values live in that folder's
files and a scrape of any worker sums every live worker
(``prometheus_client.multiprocess``).

Metrics (names follow the Prometheus naming guide):

- ``hemicycle_commands_total{outcome}``: accepted | replayed | refused
- ``hemicycle_refusals_total{code}``: refused commands by ``ErrorCode``
- ``hemicycle_events_total``: records appended to the log
- ``hemicycle_write_conflicts_total``: appends that lost a race to another worker
- ``hemicycle_command_seconds``: histogram of command handling, receipt to answer (s)
- ``hemicycle_connected_clients{role}``: open Socket.IO connections
- ``hemicycle_broadcast_queue``: record batches waiting for fan-out
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

# Command handling is milliseconds when quiet, up to seconds when a ballot waits for a group commit.
COMMAND_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class HallMetrics:
    """The counters, histogram and gauges of one hall server app."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.commands = Counter("hemicycle_commands", "Commands handled, by outcome.", ["outcome"], registry=r)
        self.refusals = Counter("hemicycle_refusals", "Refused commands, by error code.", ["code"], registry=r)
        self.events = Counter("hemicycle_events", "Records appended to the event log.", registry=r)
        self.conflicts = Counter("hemicycle_write_conflicts", "Appends that lost a race to another worker.",
                                 registry=r)
        self.command_seconds = Histogram("hemicycle_command_seconds", "Command handling, receipt to answer.",
                                         buckets=COMMAND_BUCKETS, registry=r)
        self.connected = Gauge("hemicycle_connected_clients", "Connected Socket.IO clients, by role.", ["role"],
                               multiprocess_mode="livesum", registry=r)
        self.broadcast_queue = Gauge("hemicycle_broadcast_queue", "Record batches waiting for fan-out.",
                                     multiprocess_mode="livesum", registry=r)

    def count(self, outcome: str, code: str | None = None) -> None:
        """One command answered: ``outcome`` accepted | replayed | refused, ``code`` when refused."""
        self.commands.labels(outcome=outcome).inc()
        if code:
            self.refusals.labels(code=code).inc()

    def exposition(self) -> bytes:
        """The text exposition format 0.0.4 of this app (of every live worker in multiprocess mode)."""
        if multiprocess_dir():
            merged = CollectorRegistry()
            multiprocess.MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
            return generate_latest(merged)
        return generate_latest(self.registry)


__all__ = ["HallMetrics"]
