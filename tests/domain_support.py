"""Builders for the pure-domain tests: a registry, a sitting, and ``run``.

``run`` goes the whole way a command goes in the hall (decide, seal into the
hash chain, fold), so every test state is one the server could hold.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

import pytest

from hall_server.hall import seal_records
from procedure import Context, RegistryState, SittingState, State, decide, fold
from protocol.commands import (
    REGISTRY_STREAM,
    AddItem,
    CheckIn,
    Command,
    CreateSitting,
    OpenSitting,
    RegisterMember,
)
from protocol.errors import ErrorCode, ProtocolError
from protocol.events import Actor, Event, Record
from protocol.settings import FloorSettings
from protocol.types import Body, Role, SpeechType

S = TypeVar("S", SittingState, RegistryState)

SITTING = "plenary-7"
T0 = 1_700_000_000_000  # the clock at the start of every test sitting
GROUPS = ("blue", "green", "gold")


def member_id(n: int) -> str:
    return f"m{n}"


def group_of(n: int) -> str:
    """Members 1, 2 are blue; 3, 4 green; 5, 6 gold; and round again."""
    return GROUPS[((n - 1) // 2) % len(GROUPS)]


# -- contexts -------------------------------------------------------------------


def ctx(
    role: Role,
    *,
    now: int = T0,
    member: str | None = None,
    seat: str | None = None,
    device: str | None = None,
    signature_ok: bool | None = None,
) -> Context:
    return Context(
        actor=Actor(role=role, device_id=device or f"dev-{role.value}", member_id=member),
        now_ms=now,
        seat=seat,
        signature_ok=signature_ok,
    )


def clerk(now: int = T0) -> Context:
    return ctx(Role.CLERK, now=now)


def chair(now: int = T0) -> Context:
    return ctx(Role.CHAIR, now=now)


def seat(seat_id: str, now: int = T0) -> Context:
    """A fixed seat console: acts for whoever is checked in at its seat."""
    return ctx(Role.SEAT, now=now, seat=seat_id, device=f"console-{seat_id}")


def personal(member: str, now: int = T0) -> Context:
    """A member's own tablet: a seat-role device bound to one member."""
    return ctx(Role.SEAT, now=now, member=member, device=f"tablet-{member}")


def remote(member: str, now: int = T0) -> Context:
    return ctx(Role.REMOTE, now=now, member=member, device=f"remote-{member}")


def system(now: int = T0) -> Context:
    return ctx(Role.SYSTEM, now=now, device=None)


# -- running commands -------------------------------------------------------------


def step(
    state: S, cmd: Command, context: Context, registry: RegistryState | None = None
) -> tuple[list[Event], S]:
    """Decide, seal into the chain and fold: the events and the state after them."""
    events = decide(state, cmd, context, registry or RegistryState())
    stream = REGISTRY_STREAM if isinstance(state, RegistryState) else state.stream
    new: State = state
    for record in seal_records(stream, state, events, context, f"cmd-{state.seq + 1:06d}"):
        new = fold(new, record)
    assert type(new) is type(state)
    return events, new


def run(state: S, cmd: Command, context: Context, registry: RegistryState | None = None) -> S:
    return step(state, cmd, context, registry)[1]


def refused(
    state: State, cmd: Command, context: Context, registry: RegistryState | None = None
) -> ProtocolError:
    """The refusal of a command; fails the test if the command is accepted."""
    with pytest.raises(ProtocolError) as info:
        decide(state, cmd, context, registry or RegistryState())
    return info.value


def code_of(
    state: State, cmd: Command, context: Context, registry: RegistryState | None = None
) -> ErrorCode | list[Event]:
    """The events of an accepted command, or the code of its refusal."""
    try:
        return decide(state, cmd, context, registry or RegistryState())
    except ProtocolError as err:
        return err.code


def records_of(
    state: State, steps: Iterable[tuple[Command, Context]], registry: RegistryState | None = None
) -> tuple[State, list[Record]]:
    """Play commands, keeping every sealed record: for replay and verify tests."""
    out: list[Record] = []
    for cmd, context in steps:
        events = decide(state, cmd, context, registry or RegistryState())
        records = seal_records(
            REGISTRY_STREAM if isinstance(state, RegistryState) else state.stream,
            state,
            events,
            context,
            f"cmd-{len(out) + 1:06d}",
        )
        for r in records:
            state = fold(state, r)
        out += records
    return state, out


# -- builders -----------------------------------------------------------------------


def registry_with(n: int) -> RegistryState:
    """A registry of n members, m1..mn, in three groups."""
    state = RegistryState()
    for i in range(1, n + 1):
        state = run(
            state,
            RegisterMember(
                member_id=member_id(i),
                name_km=f"សមាជិក {i}",
                name_latin=f"Member {i}",
                group=group_of(i),
                title_km="ឯកឧត្តម",
                title_en="H.E.",
            ),
            clerk(),
        )
    return state


def create_cmd(
    floor: FloorSettings | None = None, rules: str = "senate-plenary", members: list[str] | None = None
) -> CreateSitting:
    return CreateSitting(
        body=Body.PLENARY,
        number=7,
        title_km="សម័យប្រជុំពេញអង្គ",
        title_en="Plenary sitting",
        date="2025-03-04",
        place="Chamber",
        rules=rules,
        floor=floor or FloorSettings(),
        members=members or [],
    )


def sitting(
    members: int = 6,
    *,
    floor: FloorSettings | None = None,
    rules: str = "senate-plenary",
    items: Iterable[tuple[str, str | None]] = (),
    opened: bool = True,
    present: Iterable[int] = (),
) -> tuple[SittingState, RegistryState]:
    """A created sitting of ``members`` members, opened unless told otherwise.

    ``items`` are (item_id, parent_id); ``present`` are member numbers
    checked in at seat ``s<n>`` from that seat's console.
    """
    reg = registry_with(members)
    state = run(SittingState(stream=SITTING), create_cmd(floor, rules), clerk(), reg)
    for item_id, parent in items:
        state = run(
            state,
            AddItem(item_id=item_id, parent_id=parent, title_km=f"ចំណុច {item_id}", title_en=item_id),
            clerk(),
        )
    if opened:
        state = run(state, OpenSitting(without_quorum=True), chair())
    for n in present:
        state = run(state, CheckIn(member_id=member_id(n), pin="1234"), seat(f"s{n}"))
    return state, reg


# -- views ----------------------------------------------------------------------------


def queue(state: SittingState) -> list[tuple[str, SpeechType]]:
    return [(r.member_id, r.speech_type) for r in state.floor.queue]


def speaking(state: SittingState) -> list[str]:
    return [t.member_id for t in state.floor.speaking]


def play(state: S, *steps: tuple[Command, Context]) -> S:
    """Run several commands in order."""
    for cmd, context in steps:
        state = run(state, cmd, context)
    return state
