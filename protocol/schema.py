"""The JSON Schema of the whole protocol: what a third-party integrator codes against."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from protocol.commands import CommandEnvelope
from protocol.errors import ErrorCode
from protocol.events import Record
from protocol.version import PROTOCOL_VERSION


def protocol_schema() -> dict[str, Any]:
    """One document: commands (in their envelope), stored events, errors, acks."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Hemicycle hall protocol",
        "version": PROTOCOL_VERSION,
        "transport": {
            "socketio_namespaces": ["/seat", "/remote", "/chair", "/clerk", "/display", "/recorder"],
            "client_to_server": {
                "command": "CommandEnvelope; ack is Ack",
                "sync": "{stream, after}; ack is {ok, records} or {ok, snapshot}",
                "streams": "{}; ack lists the sittings this device may follow",
            },
            "server_to_client": {
                "records": "[Record] in seq order (ballots blanked on live channels)",
                "view": "the public view of a sitting (browser apps)",
                "caption": "live caption {stream, turn_id, member_id, text, final}",
            },
        },
        "command": TypeAdapter(CommandEnvelope).json_schema(),
        "record": TypeAdapter(Record).json_schema(),
        "error_codes": [c.value for c in ErrorCode],
        "ack": {
            "oneOf": [
                {"type": "object", "required": ["ok", "seq", "result"]},
                {"type": "object", "required": ["ok", "error"]},
            ]
        },
    }
