"""Durable storage: the hash-chained event log, snapshots, credentials."""

from hall_server.store.log import (
    AsyncLog,
    CommandAnswer,
    Conflict,
    EarlierAnswer,
    EventLog,
    credential_matches,
    engine_for,
)

__all__ = ["AsyncLog", "CommandAnswer", "Conflict", "EarlierAnswer", "EventLog", "credential_matches", "engine_for"]
