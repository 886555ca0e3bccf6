"""The protocol reference as an AsyncAPI 3.0 document, generated from the models.

    asyncapi_document() -> dict      AsyncAPI 3.0.0 (https://www.asyncapi.com/docs/reference/specification/v3.0.0)

One Socket.IO namespace per role is one channel; every client->server event
(``command``, ``sync``, ``view``, ``streams``, ``pairings``, ``caption``,
``signal``, ``call_quality``, ``notes``, ``note``) is a ``send`` operation with its acknowledgement as the reply, every
server->client event (``records``, ``view``, ``caption``; ``signal`` on
``/remote``, ``/display`` and ``/recorder``; ``remote_links`` on ``/chair``) a
``receive`` operation. Schemas come from the pydantic models in ``protocol/`` (one
source of truth); acks and live messages that have no model are described here, next to the code that makes them
(``hall_server/transport/namespaces.py``), and a conformance test checks every
answer of a real server against them.

Schemas are JSON Schema draft-07 (AsyncAPI's default schema format): pydantic's
OpenAPI-style ``discriminator`` objects become the property name AsyncAPI uses.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from protocol.commands import COMMAND_TYPES, CommandEnvelope
from protocol.errors import ErrorCode
from protocol.events import Record
from protocol.keys import BALLOT_TAG, CONNECT_TAG, SEAL_TAG
from protocol.limits import MAX_COMMAND_BYTES, MAX_DEPTH, MAX_MESSAGE_BYTES, SYNC_LIMIT
from protocol.live import Caption
from protocol.notes import Note, NotesRequest, NoteWrite
from protocol.signalling import CallReport, EndpointSignal, FromMember, MediaMessage, MemberSignal, RemoteLinks
from protocol.types import Role
from protocol.version import PROTOCOL_VERSION

REF = "#/components/schemas/{model}"
NAMESPACES: tuple[Role, ...] = (Role.SEAT, Role.REMOTE, Role.CHAIR, Role.CLERK, Role.DISPLAY, Role.RECORDER)


def _draft7(node: Any) -> Any:
    """Pydantic's JSON Schema to AsyncAPI's: ``discriminator`` as a property name."""
    if isinstance(node, dict):
        out = {k: _draft7(v) for k, v in node.items()}
        disc = out.get("discriminator")
        if isinstance(disc, dict):
            out["discriminator"] = disc["propertyName"]
        return out
    if isinstance(node, list):
        return [_draft7(v) for v in node]
    return node


def _model_schemas() -> dict[str, Any]:
    """Every model reachable from a command envelope, a record and a caption, by name."""
    schemas: dict[str, Any] = {}
    models: tuple[tuple[str, Any], ...] = (
        ("CommandEnvelope", CommandEnvelope), ("Record", Record), ("Caption", Caption),
        ("MemberSignal", MemberSignal), ("EndpointSignal", EndpointSignal), ("MediaMessage", MediaMessage),
        ("FromMember", FromMember), ("CallReport", CallReport), ("RemoteLinks", RemoteLinks),
        ("NotesRequest", NotesRequest), ("NoteWrite", NoteWrite), ("Note", Note),
    )
    for name, model in models:
        schema = TypeAdapter(model).json_schema(ref_template=REF)
        schemas.update(schema.pop("$defs", {}))
        schemas[name] = schema
    return {name: _draft7(s) for name, s in sorted(schemas.items())}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict[str, Any], required: list[str], description: str = "",
            extra: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties, "required": required,
                              "additionalProperties": extra}
    if description:
        schema["description"] = description
    return schema


def _wire_schemas() -> dict[str, Any]:
    """Acks, errors and live messages: the shapes the transport gives them."""
    ok_true, ok_false = {"type": "boolean", "const": True}, {"type": "boolean", "const": False}
    stream = {"type": "string", "pattern": "^[A-Za-z0-9_.:\\-]{1,64}$"}
    return {
        "Error": _object(
            {
                "code": {"type": "string", "enum": [c.value for c in ErrorCode]},
                "message": {"type": "string", "description": "for people; do not parse"},
                "details": {
                    "type": "object",
                    "description": "for programs: the ids involved, limits (`limit`, `size`), "
                                   "`problems` for a message that does not match the protocol, "
                                   "`retry_after_s` when rate limited",
                    "properties": {"problems": {"type": "array", "items": _ref("Problem")}},
                },
            },
            ["code", "message", "details"],
            "Why a message was refused. A refused command changes nothing.",
        ),
        "Problem": _object(
            {"loc": {"type": "string", "description": "dotted path of the field, e.g. `cmd.text`"},
             "type": {"type": "string", "description": "machine-readable kind, e.g. `missing`"},
             "msg": {"type": "string"}},
            ["loc", "type", "msg"],
            "One field of a message that does not match the protocol.",
        ),
        "ErrorAck": _object({"ok": ok_false, "error": _ref("Error")}, ["ok", "error"]),
        "CommandOk": _object(
            {
                "ok": ok_true,
                "seq": {"type": "integer", "minimum": 0,
                        "description": "the stream's seq after the command (its last record's)"},
                "events": {"type": "array", "items": {"type": "string"},
                           "description": "types of the events the command caused, in order"},
                "replayed": {"type": "boolean", "const": True,
                             "description": "the command id was seen before: this is the first answer again"},
                "receipt": _object({"seq": {"type": "integer"}, "hash": {"type": "string",
                                    "pattern": "^[0-9a-f]{64}$"}}, ["seq", "hash"],
                                   "a cast ballot's place in the chain: keep it to re-verify the ballot"),
                "request_id": {"type": "string", "description": "the floor request it made"},
                "turn_id": {"type": "string", "description": "the speech (turn) it started"},
            },
            ["ok", "seq", "events"],
            "A command was committed (acknowledged only after the commit).",
        ),
        "CommandAck": {"oneOf": [_ref("CommandOk"), _ref("ErrorAck")]},
        "SyncRequest": _object(
            {"stream": stream, "after": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1,
                                         "description": "the last seq the client holds (0: none)"}},
            ["stream"],
            "Subscribe to a stream (a sitting, or `registry` for clerks) and get what was missed.",
        ),
        "SyncAck": {"oneOf": [
            _object({"ok": ok_true, "records": {"type": "array", "items": _ref("Record")}}, ["ok", "records"],
                    f"the records after `after`, at most {SYNC_LIMIT}; ask again from the last one"),
            _object({"ok": ok_true, "seq": {"type": "integer"},
                     "snapshot": {"type": "object", "description": "the state at `seq`, redacted for the role"}},
                    ["ok", "seq", "snapshot"], f"when more than {SYNC_LIMIT} records behind"),
            _ref("ErrorAck"),
        ]},
        "ViewRequest": _object({"stream": stream}, ["stream"], "Follow a sitting's public view."),
        "View": {"type": "object", "additionalProperties": True,
                 "description": "the public view of a sitting: status, agenda, attendance, floor, votes "
                                "(choices only where the role may see them), `now_ms` server clock",
                 "properties": {"stream": stream, "seq": {"type": "integer"}, "status": {"type": "string"},
                                "now_ms": {"type": "integer"}}},
        "ViewAck": {"oneOf": [
            _object({"ok": ok_true, "view": _ref("View"), "roster": {"type": "array"},
                     "own": {"type": "object", "description": "seat and remote only: this device's member's ballots"},
                     "plan": {"oneOf": [_ref("SeatingPlan"), {"type": "null"}],
                              "description": "the seating plan of the sitting's room, if it names one"}},
                    ["ok", "view", "roster"], extra=False),
            _ref("ErrorAck"),
        ]},
        "SittingSummary": _object(
            {"stream": stream, "body": {"type": "string", "description": "the body's kind"},
             "body_id": {"type": "string"}, "body_km": {"type": "string"}, "body_en": {"type": "string"},
             "number": {"type": "integer"}, "title_km": {"type": "string"}, "title_en": {"type": "string"},
             "date": {"type": "string"}, "place": {"type": "string"}, "status": {"type": "string"},
             "simulated": {"type": "boolean"}, "seq": {"type": "integer"}},
            ["stream", "body", "body_id", "number", "title_km", "title_en", "date", "status", "simulated", "seq"],
            extra=True,
        ),
        "StreamsAck": {"oneOf": [
            _object({"ok": ok_true, "sittings": {"type": "array", "items": _ref("SittingSummary")},
                     "route": {"type": ["string", "null"],
                               "description": "the sitting this device is routed to (device.route); null: it chooses"},
                     "today": {"type": "string", "description": "the calendar day on the hall's clock (ISO)"}},
                    ["ok", "sittings"]),
            _ref("ErrorAck"),
        ]},
        "DeviceStanding": _object(
            {"device_id": {"type": "string"}, "route": {"type": ["string", "null"]}, "revoked": {"type": "boolean"},
             "seat": {"type": ["string", "null"]}, "member_id": {"type": ["string", "null"]},
             "label": {"type": "string"}},
            ["device_id", "route", "revoked", "seat", "member_id", "label"],
            "this device as the registry has it now, after it was routed, reassigned, renamed or revoked: a new "
            "route is to be followed at once; a revoked device's connection is closed right after",
        ),
        "PairingsAck": {"oneOf": [
            _object({"ok": ok_true, "pairings": {"type": "array", "items": {"type": "object"}}}, ["ok", "pairings"],
                    "devices waiting for a clerk: code, role, label, public_key"),
            _ref("ErrorAck"),
        ]},
        "CaptionAck": {"oneOf": [_object({"ok": ok_true}, ["ok"]), _ref("ErrorAck")]},
        "DocumentsAck": {"oneOf": [
            _object({"ok": ok_true, "cookie": {"type": "string"}, "pass": {"type": "string"},
                     "expires": {"type": "integer", "description": "seconds since the epoch"}},
                    ["ok", "cookie", "pass", "expires"],
                    "an HMAC over the device and the expiry; it dies with its expiry or the device's key"),
            _ref("ErrorAck"),
        ]},
        "NotesAck": {"oneOf": [
            _object({"ok": ok_true, "member_id": {"type": "string"}, "notes": {"type": "array", "items": _ref("Note")}},
                    ["ok", "member_id", "notes"], "the asking member's own notes, to this connection only"),
            _ref("ErrorAck"),
        ]},
        "NoteAck": {"oneOf": [
            _object({"ok": ok_true, "updated_ms": {"type": "integer"}}, ["ok", "updated_ms"], "kept, sealed"),
            _ref("ErrorAck"),
        ]},
        "SignalAck": {"oneOf": [
            _object({"ok": ok_true}, ["ok"], "relayed (or, for `endpoint.ready`, registered)"),
            _ref("ErrorAck"),
        ]},
        "RecordBatch": {"type": "array", "items": _ref("Record"),
                        "description": "committed records of one stream, in seq order; a gap in seq means "
                                       "something was missed: sync from the last seq held"},
        "TokenAuth": _object(
            {"v": {"type": "integer", "const": PROTOCOL_VERSION}, "token": {"type": "string"}},
            ["v", "token"], "the clerk's bootstrap: the admin token `hemicycle serve` keeps in DATA/admin.token",
        ),
        "DeviceAuth": _object(
            {"v": {"type": "integer", "const": PROTOCOL_VERSION},
             "device_id": {"type": "string"},
             "nonce": {"type": "string", "description": "from GET /api/challenge, used once, within 60 s"},
             "signature": {"type": "string", "pattern": "^[0-9a-f]{128}$",
                           "description": "Ed25519 over CONNECT_TAG || nonce || 0x00 || device_id, hex"}},
            ["v", "device_id", "nonce", "signature"],
            "an enrolled device proves it holds its key",
        ),
        "ConnectError": _object(
            {"message": {"type": "string"}, "data": _ref("Error")}, ["message", "data"],
            "what `connect_error` carries when the server refuses a connection",
        ),
    }


def _message(name: str, schema: str, summary: str) -> dict[str, Any]:
    return {"name": name, "title": name, "summary": summary, "contentType": "application/json",
            "payload": _ref(schema)}


MESSAGES: dict[str, tuple[str, str, str]] = {
    # key: (Socket.IO event name, schema, summary)
    "command": ("command", "CommandEnvelope", "a command, idempotent by its id (per device)"),
    "commandAck": ("command ack", "CommandAck", "the command's answer, after commit"),
    "sync": ("sync", "SyncRequest", "subscribe to a stream and catch up"),
    "syncAck": ("sync ack", "SyncAck", "missed records, or a snapshot"),
    "viewRequest": ("view", "ViewRequest", "follow a sitting's public view"),
    "viewAck": ("view ack", "ViewAck", "the view now"),
    "view": ("view", "View", "the view after every change"),
    "streams": ("streams", "ViewRequest", "the sittings this device may follow (send {})"),
    "streamsAck": ("streams ack", "StreamsAck", "newest first"),
    "pairings": ("pairings", "ViewRequest", "devices waiting to be enrolled (send {}; clerks only)"),
    "pairingsAck": ("pairings ack", "PairingsAck", "pending pairing requests"),
    "captionSend": ("caption", "Caption", "a live caption of the current speech (recorder only)"),
    "captionAck": ("caption ack", "CaptionAck", "relayed"),
    "caption": ("caption", "Caption", "a live caption, relayed to followers of the sitting"),
    "plan": ("plan", "SeatingPlan", "a room's seating plan, pushed when the clerk redraws it to the pages "
             "following a sitting in that room"),
    "records": ("records", "RecordBatch", "committed records, pushed to every client that synced the stream"),
    "device": ("device", "DeviceStanding", "this device's standing, pushed to its own connections when it changes"),
    "signalMember": ("signal", "MemberSignal", "WebRTC signalling to the media endpoint: an offer (SDP), a "
                     "trickled ICE candidate, or a hang-up (`invalid_state` when no media endpoint is connected)"),
    "signalEndpoint": ("signal", "MediaMessage", "the media endpoint announces itself (`endpoint.ready`, after "
                       "every connect) or signals one remote device (`unknown_device` when it is not connected)"),
    "signalAck": ("signal ack", "SignalAck", "relayed"),
    "documents": ("documents", "ViewRequest", "a document pass for this device (send {}): the cookie its pages "
                  "send to read /documents/<sha256>"),
    "documentsAck": ("documents ack", "DocumentsAck", "the pass, its cookie name and its expiry"),
    "notes": ("notes", "NotesRequest", "the checked-in member's private notes in a sitting (their own device "
              "only; `not_present` when nobody is checked in)"),
    "notesAck": ("notes ack", "NotesAck", "the notes, never broadcast"),
    "note": ("note", "NoteWrite", "write the member's private note on an item (\"\" deletes it); kept outside the log"),
    "noteAck": ("note ack", "NoteAck", "kept"),
    "signalToMember": ("signal", "EndpointSignal", "the media endpoint's answer, ICE candidate or hang-up"),
    "signalFromMember": ("signal", "FromMember", "a remote member's signal, stamped with their device and member"),
    "callQuality": ("call_quality", "CallReport", "a remote member's call: state, round trip, loss, jitter"),
    "callQualityAck": ("call_quality ack", "SignalAck", "taken"),
    "remoteLinks": ("remote_links", "RemoteLinks", "every remote member's link and call, on each change"),
}

SENDS: dict[str, tuple[str, str, tuple[Role, ...]]] = {
    # operation: (request message, reply message, roles that may send it)
    "command": ("command", "commandAck", NAMESPACES),
    "sync": ("sync", "syncAck", NAMESPACES),
    "view": ("viewRequest", "viewAck", NAMESPACES),
    "streams": ("streams", "streamsAck", NAMESPACES),
    "pairings": ("pairings", "pairingsAck", (Role.CLERK,)),
    "caption": ("captionSend", "captionAck", (Role.RECORDER,)),
    "documents": ("documents", "documentsAck", NAMESPACES),
    "signal": ("signalMember", "signalAck", (Role.REMOTE, Role.DISPLAY)),
    "call_quality": ("callQuality", "callQualityAck", (Role.REMOTE,)),
    "endpoint_signal": ("signalEndpoint", "signalAck", (Role.RECORDER,)),
    "notes": ("notes", "notesAck", (Role.SEAT, Role.REMOTE)),
    "note": ("note", "noteAck", (Role.SEAT, Role.REMOTE)),
}
RECEIVES: dict[str, str] = {"records": "records", "view": "view", "caption": "caption", "plan": "plan",
                            "device": "device"}
ROLE_RECEIVES: dict[Role, dict[str, str]] = {
    # operation: message, for one role only
    Role.REMOTE: {"signal": "signalToMember"},
    Role.DISPLAY: {"signal": "signalToMember"},
    Role.RECORDER: {"signal": "signalFromMember"},
    Role.CHAIR: {"remote_links": "remoteLinks"},
}


def asyncapi_document(refusals: dict[str, Any] | None = None) -> dict[str, Any]:
    """The whole Socket.IO protocol as an AsyncAPI 3.0.0 document (a JSON value).

    ``refusals`` is ``{"common": [code], "by_command": {type: [code]}}``: the error codes
    each command can be refused with, which the rules of procedure know
    (``hall_server.refusals``); it goes under ``x-hemicycle.refusals``.
    """
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for role in NAMESPACES:
        names = [m for op, (req, rep, roles) in SENDS.items() if role in roles for m in (req, rep)]
        receives = {**RECEIVES, **ROLE_RECEIVES.get(role, {})}
        names += list(receives.values())
        channels[role.value] = {
            "address": f"/{role.value}",
            "title": f"/{role.value} namespace",
            "description": f"Socket.IO namespace of the `{role.value}` role. Connect with `auth` "
                           "(DeviceAuth, or TokenAuth for the bootstrap clerk).",
            "messages": {m: {"$ref": f"#/components/messages/{m}"} for m in dict.fromkeys(names)},
        }
        for op, (req, rep, roles) in SENDS.items():
            if role not in roles:
                continue
            operations[f"{role.value}_{op}"] = {
                "action": "send",
                "channel": {"$ref": f"#/channels/{role.value}"},
                "summary": MESSAGES[req][2],
                "messages": [{"$ref": f"#/channels/{role.value}/messages/{req}"}],
                "reply": {"channel": {"$ref": f"#/channels/{role.value}"},
                          "messages": [{"$ref": f"#/channels/{role.value}/messages/{rep}"}]},
            }
        for op, msg in receives.items():
            operations[f"{role.value}_on_{op}"] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{role.value}"},
                "summary": MESSAGES[msg][2],
                "messages": [{"$ref": f"#/channels/{role.value}/messages/{msg}"}],
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Hemicycle hall protocol",
            "version": str(PROTOCOL_VERSION),
            "description": DESCRIPTION,
            "license": {"name": "AGPL-3.0-or-later"},
        },
        "defaultContentType": "application/json",
        "servers": {
            "hall": {
                "host": "{host}",
                "protocol": "ws",
                "pathname": "/socket.io/",
                "description": "Socket.IO v5 over websocket (or polling) at the hall server's address",
                "variables": {"host": {"default": "127.0.0.1:8765"}},
            },
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": {**_model_schemas(), **_wire_schemas()},
            "messages": {key: _message(event, schema, summary)
                         for key, (event, schema, summary) in MESSAGES.items()},
        },
        "x-hemicycle": {
            "protocol_version": PROTOCOL_VERSION,
            **({"refusals": refusals} if refusals is not None else {}),
            "command_types": sorted(COMMAND_TYPES),
            "limits": {"command_bytes": MAX_COMMAND_BYTES, "message_bytes": MAX_MESSAGE_BYTES, "depth": MAX_DEPTH,
                       "sync_records": SYNC_LIMIT},
            "signing": {"connect_tag": CONNECT_TAG.decode("ascii").rstrip("\x00"),
                        "ballot_domain": BALLOT_TAG, "seal_tag": SEAL_TAG.decode("ascii").rstrip("\x00")},
        },
    }


DESCRIPTION = f"""\
The control plane of a Hemicycle hall: commands in, committed records out.

**Connecting.** A device first pairs (HTTP, see the OpenAPI document): it makes an
Ed25519 key, `POST /api/pairings {{public_key, role, label}}` and shows the returned
code; a clerk enrols it (`device.enrol` on the `registry` stream). To connect, it
fetches `GET /api/challenge` -> `{{nonce}}`, signs the bytes
`"{CONNECT_TAG.decode("ascii").rstrip(chr(0))}" 0x00 nonce 0x00 device_id` (UTF-8; the tag ends
in one NUL byte) and connects to the namespace of its role with
`auth = {{"v": {PROTOCOL_VERSION}, "device_id", "nonce", "signature"}}`. A refusal arrives as
`connect_error` whose `data` is an `Error` (JSON).

**Following.** `sync {{stream, after}}` subscribes to a stream and answers with the
records after `after` (or a snapshot when far behind); from then on `records`
batches are pushed. A gap in `seq` means something was missed: sync again.

**Commands.** `command` carries a `CommandEnvelope`; the ack is sent only after the
records are committed. Command ids are the sending device's own: re-sending the same
id with the same command returns the first answer with `replayed: true`; the same id
with another command is refused with `conflict`.

**Ballots.** `vote.cast` carries `ballot` = base64 of the canonical JSON (sorted keys,
no spaces, UTF-8) of `{{choice, domain: "{BALLOT_TAG}", member, nonce, seat, sitting, vote}}`
and `signature` = Ed25519 over those bytes, hex. The ack's `receipt` is the ballot's
place in the hash chain.

**The chain.** Every record carries `hash` = SHA-256( bytes of `prev_hash` (hex-decoded) ||
canonical JSON of the record without `hash` and `redacted` ); the first `prev_hash` is 64 zeros.
Canonical JSON: keys sorted, separators `,` and `:`, UTF-8 unescaped, integers only.

**Results.** `vote.sealed` carries `result_sha256` = SHA-256 of the canonical JSON of the
`vote.closed` record's `result`, and `signature` = Ed25519 by `server_key` (also at
`GET /api/server`) over `"{SEAL_TAG.decode("ascii").rstrip(chr(0))}" 0x00` followed by the canonical JSON of
`{{stream, vote_id, closed_seq, closed_hash, result_sha256}}`.

**Limits.** A command's JSON is at most {MAX_COMMAND_BYTES} bytes (UTF-8: Khmer text is
3 bytes a character), else `too_large`; any message over {MAX_MESSAGE_BYTES} bytes or nested
deeper than {MAX_DEPTH} is refused, and a client must not send one (the transport may drop the
connection without an answer). Each device has a fair share: past it, `rate_limited` with
`details.retry_after_s`.
"""


__all__ = ["asyncapi_document"]
