"""The Hemicycle protocol: the single source of truth for what travels.

Pure: message models, canonical bytes, error codes, the protocol version.
No I/O, no asyncio.
"""

from protocol.canonical import GENESIS_HASH, canonical_bytes, chain_hash
from protocol.commands import REGISTRY_STREAM, Command, CommandEnvelope
from protocol.errors import ErrorCode, ProtocolError
from protocol.events import EVENT_ADAPTER, Actor, Event, Record
from protocol.version import PROTOCOL_VERSION

__all__ = [
    "EVENT_ADAPTER",
    "GENESIS_HASH",
    "PROTOCOL_VERSION",
    "REGISTRY_STREAM",
    "Actor",
    "Command",
    "CommandEnvelope",
    "ErrorCode",
    "Event",
    "ProtocolError",
    "Record",
    "canonical_bytes",
    "chain_hash",
]
