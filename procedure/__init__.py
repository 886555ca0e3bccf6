"""The pure rules of the hall: ``decide`` and ``fold``, no I/O.

    decide(state, command, ctx, registry) -> [events]   or raises ProtocolError
    fold(state, record)                   -> state      refuses any gap in seq or chain

Two kinds of stream: the registry (members, devices, rules profiles, seating plans) and one per sitting.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pydantic import TypeAdapter

from procedure.context import Context
from procedure.registry import RegistryState, apply_registry, decide_registry
from procedure.sitting import SittingState, apply_sitting, decide_sitting
from protocol.commands import (
    REGISTRY_STREAM,
    Command,
    DefineBody,
    DefinePlan,
    DefineRules,
    EnrolDevice,
    RegisterMember,
    RevokeDevice,
    SetMembership,
    UpdateMember,
)
from protocol.errors import ErrorCode, ProtocolError
from protocol.events import Event, Record

State = SittingState | RegistryState

__all__ = [
    "Context",
    "OutOfOrder",
    "RegistryState",
    "SittingState",
    "State",
    "decide",
    "dump_state",
    "empty_state",
    "fold",
    "load_state",
]


class OutOfOrder(Exception):
    """A record that does not follow the state: a gap, a repeat or a broken link."""


def empty_state(stream: str) -> State:
    return RegistryState() if stream == REGISTRY_STREAM else SittingState(stream=stream)


_REGISTRY_COMMANDS = (
    RegisterMember | UpdateMember | EnrolDevice | RevokeDevice | DefineRules | DefinePlan | DefineBody | SetMembership
)


def decide(state: State, cmd: Command, ctx: Context, registry: RegistryState) -> list[Event]:
    if isinstance(state, RegistryState):
        if not isinstance(cmd, _REGISTRY_COMMANDS):
            raise ProtocolError(ErrorCode.UNKNOWN_COMMAND, f"{cmd.type} is not for the registry")
        return decide_registry(state, cmd, ctx)
    if isinstance(cmd, _REGISTRY_COMMANDS):
        raise ProtocolError(ErrorCode.UNKNOWN_COMMAND, f"{cmd.type} goes to the registry stream")
    return decide_sitting(state, cmd, ctx, registry)  # type: ignore[arg-type]


def fold(state: State, record: Record) -> State:
    """Apply one stored event; its seq must be the next one and its link must hold."""
    if record.seq != state.seq + 1 or record.prev_hash != state.head:
        raise OutOfOrder(
            f"record {record.stream}#{record.seq} does not follow #{state.seq} ({state.head[:12]})"
        )
    if isinstance(state, RegistryState):
        state = apply_registry(state, record.event)
    else:
        state = apply_sitting(state, record.event, record.at_ms, record.seq, record.actor.author)
    return replace(state, seq=record.seq, head=record.hash)


_SITTING = TypeAdapter(SittingState)
_REGISTRY = TypeAdapter(RegistryState)


def dump_state(state: State) -> dict[str, Any]:
    """JSON form of a state, for snapshots."""
    if isinstance(state, RegistryState):
        return {"kind": "registry", "state": _REGISTRY.dump_python(state, mode="json")}
    return {"kind": "sitting", "state": _SITTING.dump_python(state, mode="json")}


def load_state(data: dict[str, Any]) -> State:
    if data["kind"] == "registry":
        return _REGISTRY.validate_python(data["state"])
    return _SITTING.validate_python(data["state"])
