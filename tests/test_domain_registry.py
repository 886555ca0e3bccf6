"""The registry: members and the devices enrolled to act for them.

Devices are enrolled by their Ed25519 public key, made on the device; the
registry never holds a secret.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from procedure import Context, RegistryState, SittingState, dump_state, load_state
from procedure.registry import Device
from protocol.commands import (
    Command,
    EnrolDevice,
    OpenSitting,
    RegisterMember,
    RevokeDevice,
    SetCredential,
)
from protocol.errors import ErrorCode
from protocol.events import DeviceEnrolled, DeviceRevoked, MemberRegistered
from protocol.types import Role
from tests.domain_support import (
    SITTING,
    chair,
    clerk,
    ctx,
    play,
    refused,
    registry_with,
    step,
)

KEY_A, KEY_B, KEY_C = "a1" * 32, "b2" * 32, "c3" * 32


def register(n: int, group: str = "blue") -> RegisterMember:
    return RegisterMember(member_id=f"m{n}", name_km=f"សមាជិក {n}", name_latin=f"Member {n}", group=group)


def enrol(device: str, role: Role, key: str, member: str | None = None, seat: str | None = None) -> EnrolDevice:
    return EnrolDevice(device_id=device, role=role, public_key=key, member_id=member, seat=seat,
                       label=f"{role} {device}")


def test_register_members() -> None:
    state = RegistryState()
    events, state = step(state, register(1), clerk())
    assert events == [MemberRegistered(member_id="m1", name_km="សមាជិក 1", name_latin="Member 1", group="blue")]
    events, state = step(state, register(2, "gold"), clerk())
    assert list(state.members) == ["m1", "m2"]
    assert state.members["m2"] == MemberRegistered(**register(2, "gold").model_dump(exclude={"type"}))
    assert state.seq == 2
    err = refused(state, register(1, "green"), clerk())
    assert (err.code, err.details) == (ErrorCode.ALREADY_EXISTS, {"member_id": "m1"})


@pytest.mark.parametrize(
    "cmd",
    [register(9), enrol("d9", Role.CHAIR, KEY_C), RevokeDevice(device_id="d1")],
    ids=lambda c: c.type,
)
@pytest.mark.parametrize("role", [r for r in Role if r is not Role.CLERK], ids=str)
def test_only_a_clerk_changes_the_registry(role: Role, cmd: Command) -> None:
    state = play(registry_with(2), (enrol("d1", Role.SEAT, KEY_A, seat="s1"), clerk()))
    err = refused(state, cmd, ctx(role, member="m1", seat="s1"))
    assert (err.code, err.details) == (ErrorCode.FORBIDDEN, {"role": role})


@pytest.mark.parametrize(
    ("cmd", "device"),
    [
        (enrol("seat-1", Role.SEAT, KEY_A, seat="s1"),
         Device("seat-1", Role.SEAT, None, "s1", "seat seat-1", KEY_A)),
        (enrol("tab-m1", Role.SEAT, KEY_A, member="m1"),
         Device("tab-m1", Role.SEAT, "m1", None, "seat tab-m1", KEY_A)),
        (enrol("rem-m2", Role.REMOTE, KEY_A, member="m2"),
         Device("rem-m2", Role.REMOTE, "m2", None, "remote rem-m2", KEY_A)),
        (enrol("chair-1", Role.CHAIR, KEY_A), Device("chair-1", Role.CHAIR, None, None, "chair chair-1", KEY_A)),
        (enrol("wall", Role.DISPLAY, KEY_A), Device("wall", Role.DISPLAY, None, None, "display wall", KEY_A)),
        (enrol("rec", Role.RECORDER, KEY_A), Device("rec", Role.RECORDER, None, None, "recorder rec", KEY_A)),
        (enrol("desk", Role.CLERK, KEY_A), Device("desk", Role.CLERK, None, None, "clerk desk", KEY_A)),
    ],
    ids=["fixed-seat", "personal-tablet", "remote", "chair", "display", "recorder", "clerk"],
)
def test_enrol_binds_a_public_key(cmd: EnrolDevice, device: Device) -> None:
    events, state = step(registry_with(2), cmd, clerk())
    assert events == [DeviceEnrolled(**cmd.model_dump(exclude={"type"}))]
    assert state.devices == {device.device_id: device}
    assert state.active_device(device.device_id) == device


@pytest.mark.parametrize(
    ("cmd", "code", "details"),
    [
        (enrol("seat-1", Role.CHAIR, KEY_C), ErrorCode.ALREADY_EXISTS, {"device_id": "seat-1"}),
        (enrol("seat-9", Role.SEAT, KEY_A, seat="s9"), ErrorCode.ALREADY_EXISTS, {}),  # same key
        (enrol("tab-m9", Role.SEAT, KEY_C, member="m9"), ErrorCode.UNKNOWN_MEMBER, {"member_id": "m9"}),
        (enrol("rem", Role.REMOTE, KEY_C), ErrorCode.MALFORMED, {}),
        (enrol("seat-x", Role.SEAT, KEY_C), ErrorCode.MALFORMED, {}),
        (enrol("clock", Role.SYSTEM, KEY_C), ErrorCode.FORBIDDEN, {}),
        (RevokeDevice(device_id="nope"), ErrorCode.UNKNOWN_DEVICE, {"device_id": "nope"}),
        (RevokeDevice(device_id="old"), ErrorCode.UNKNOWN_DEVICE, {"device_id": "old"}),
    ],
    ids=["device-id-taken", "key-taken", "unknown-member", "remote-without-member", "seat-without-seat",
         "system", "revoke-unknown", "revoke-twice"],
)
def test_registry_refusals(cmd: Command, code: ErrorCode, details: dict[str, Any]) -> None:
    state = play(registry_with(2), (enrol("seat-1", Role.SEAT, KEY_A, seat="s1"), clerk()),
                 (enrol("old", Role.SEAT, KEY_B, seat="s2"), clerk()), (RevokeDevice(device_id="old"), clerk()))
    err = refused(state, cmd, clerk())
    assert (err.code, err.details) == (code, details)


def test_revoke_and_re_enrol() -> None:
    state = play(registry_with(2), (enrol("tab", Role.SEAT, KEY_A, member="m1"), clerk()))
    events, state = step(state, RevokeDevice(device_id="tab"), clerk())
    assert events == [DeviceRevoked(device_id="tab")]
    assert state.devices["tab"].revoked is True
    assert state.active_device("tab") is None
    assert state.active_device("nope") is None
    # the same device id and even the same key may be enrolled again after a revocation
    events, state = step(state, enrol("tab", Role.SEAT, KEY_A, member="m2"), clerk())
    assert events == [DeviceEnrolled(**enrol("tab", Role.SEAT, KEY_A, member="m2").model_dump(exclude={"type"}))]
    assert state.active_device("tab") == Device("tab", Role.SEAT, "m2", None, "seat tab", KEY_A)


@pytest.mark.parametrize(
    ("cmd", "context"),
    [(OpenSitting(), chair()), (SetCredential(member_id="m1", pin="1234"), clerk())],
    ids=["sitting-command", "credential"],
)
def test_the_registry_stream_refuses_other_commands(cmd: Command, context: Context) -> None:
    err = refused(registry_with(1), cmd, context)
    assert err.code is ErrorCode.UNKNOWN_COMMAND


@pytest.mark.parametrize("cmd", [register(9), enrol("d", Role.CHAIR, KEY_A), RevokeDevice(device_id="d")],
                         ids=lambda c: c.type)
def test_a_sitting_stream_refuses_registry_commands(cmd: Command) -> None:
    err = refused(SittingState(stream=SITTING), cmd, clerk(), registry_with(1))
    assert (err.code, err.details) == (ErrorCode.UNKNOWN_COMMAND, {})
    assert "registry" in err.message


def test_registry_snapshot_round_trip() -> None:
    state = play(registry_with(3), (enrol("tab", Role.SEAT, KEY_A, member="m1"), clerk()),
                 (enrol("chair", Role.CHAIR, KEY_B), clerk()), (RevokeDevice(device_id="tab"), clerk()))
    snapshot = json.loads(json.dumps(dump_state(state), ensure_ascii=False))
    assert snapshot["kind"] == "registry"
    again = load_state(snapshot)
    assert again == state
    assert isinstance(again, RegistryState) and again.active_device("chair") is not None
