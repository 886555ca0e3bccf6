"""The registry: members of the chamber, its bodies, the devices enrolled to act, the rules profiles,
the rooms' seating plans.

One stream (``registry``) shared by every sitting; a sitting copies the
members it needs into its roster (its body's, seated on its date), and the
whole rules profile it names, when it is created.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from procedure.context import Context
from protocol.commands import (
    DefineBody,
    DefinePlan,
    DefineRules,
    EnrolDevice,
    Membership,
    Officer,
    ReassignDevice,
    RegisterMember,
    RenameDevice,
    RevokeDevice,
    RouteDevices,
    SetMembership,
    UpdateMember,
)
from protocol.errors import ErrorCode, ProtocolError
from protocol.events import (
    BodyDefined,
    DeviceEnrolled,
    DeviceReassigned,
    DeviceRenamed,
    DeviceRevoked,
    DevicesRouted,
    Event,
    MemberRegistered,
    MembershipSet,
    MemberUpdated,
    PlanDefined,
    RulesDefined,
)
from protocol.seating import SeatingPlan
from protocol.settings import PROFILES, RulesProfile
from protocol.types import Office, Role


@dataclass(frozen=True)
class Device:
    device_id: str
    role: Role
    member_id: str | None
    seat: str | None
    label: str
    public_key: str
    revoked: bool = False
    route: str | None = None  # the sitting it is sent to (device.route); None: it chooses


@dataclass(frozen=True)
class BodyState:
    """A body as defined, with its membership and bureau in force."""

    definition: BodyDefined
    members: tuple[Membership, ...] = ()
    officers: tuple[Officer, ...] = ()

    def seated_on(self, day: str) -> list[Membership]:
        """The members who sit on ``day`` (ISO date), in membership order.

        A full member whose substitute's span holds the day gives way to that substitute,
        who takes the member's place in the order; a substitute for someone not seated
        that day does not sit.
        """
        full = [m for m in self.members if m.substitute_for is None and m.on(day)]
        subs = {m.substitute_for: m for m in self.members if m.substitute_for is not None and m.on(day)}
        return [subs.get(m.member_id, m) for m in full]

    def office_of(self, member_id: str) -> Office | None:
        return next((o.office for o in self.officers if o.member_id == member_id), None)


@dataclass(frozen=True)
class RegistryState:
    seq: int = 0
    head: str = "0" * 64
    members: dict[str, MemberRegistered] = field(default_factory=dict)
    devices: dict[str, Device] = field(default_factory=dict)
    profiles: dict[str, RulesProfile] = field(default_factory=dict)  # entered in the log
    bodies: dict[str, BodyState] = field(default_factory=dict)
    plans: dict[str, SeatingPlan] = field(default_factory=dict)  # room id -> its seating plan

    def profile(self, profile_id: str) -> RulesProfile | None:
        """A profile entered in the log, else a built-in one of the same id."""
        return self.profiles.get(profile_id) or PROFILES.get(profile_id)

    def active_device(self, device_id: str) -> Device | None:
        device = self.devices.get(device_id)
        return device if device is not None and not device.revoked else None


RegistryCommand = (RegisterMember | UpdateMember | EnrolDevice | RevokeDevice | DefineRules | DefinePlan
                   | ReassignDevice | RenameDevice | RouteDevices | DefineBody | SetMembership)
ROUTED_ROLES = (Role.SEAT, Role.CHAIR, Role.DISPLAY)  # the hall's devices, that follow its sittings


def decide_registry(state: RegistryState, cmd: RegistryCommand, ctx: Context) -> list[Event]:
    """Registry commands are the clerk's (the chair may route the hall's devices); each checks what it refers to."""
    if isinstance(cmd, ReassignDevice | RenameDevice | RouteDevices):
        return decide_device_edit(state, cmd, ctx)
    if ctx.role is not Role.CLERK:
        raise ProtocolError(ErrorCode.FORBIDDEN, f"only a clerk can {cmd.type}", role=ctx.role)
    match cmd:
        case RegisterMember():
            if cmd.member_id in state.members:
                raise ProtocolError(
                    ErrorCode.ALREADY_EXISTS, "member already registered", member_id=cmd.member_id
                )
            return [MemberRegistered(**cmd.model_dump(exclude={"type"}))]
        case UpdateMember():
            member = state.members.get(cmd.member_id)
            if member is None:
                raise ProtocolError(ErrorCode.UNKNOWN_MEMBER, "no such member", member_id=cmd.member_id)
            changes = {k: v for k, v in cmd.model_dump(exclude={"type", "member_id"}).items()
                       if v is not None and v != getattr(member, k)}
            return [MemberUpdated(member_id=cmd.member_id, **changes)] if changes else []
        case EnrolDevice():
            if cmd.device_id in state.devices and not state.devices[cmd.device_id].revoked:
                raise ProtocolError(
                    ErrorCode.ALREADY_EXISTS, "device already enrolled", device_id=cmd.device_id
                )
            if cmd.member_id is not None and cmd.member_id not in state.members:
                raise ProtocolError(
                    ErrorCode.UNKNOWN_MEMBER, "no such member", member_id=cmd.member_id
                )
            if cmd.role in (Role.REMOTE,) and cmd.member_id is None:
                raise ProtocolError(ErrorCode.MALFORMED, "a remote device needs a member")
            if cmd.role is Role.SYSTEM:
                raise ProtocolError(ErrorCode.FORBIDDEN, "system devices cannot be enrolled")
            if cmd.role is Role.SEAT and cmd.seat is None and cmd.member_id is None:
                raise ProtocolError(ErrorCode.MALFORMED, "a seat device needs a seat or a member")
            if any(d.public_key == cmd.public_key and not d.revoked for d in state.devices.values()):
                raise ProtocolError(ErrorCode.ALREADY_EXISTS, "this key is enrolled already")
            return [DeviceEnrolled(**cmd.model_dump(exclude={"type"}))]
        case RevokeDevice():
            device = state.devices.get(cmd.device_id)
            if device is None or device.revoked:
                raise ProtocolError(
                    ErrorCode.UNKNOWN_DEVICE, "no such active device", device_id=cmd.device_id
                )
            return [DeviceRevoked(device_id=cmd.device_id)]
        case DefineRules():
            if state.profile(cmd.profile.id) == cmd.profile:
                raise ProtocolError(ErrorCode.ALREADY_EXISTS, "this profile is in force already",
                                    rules=cmd.profile.id)
            return [RulesDefined(profile=cmd.profile)]
        case DefinePlan():
            if state.plans.get(cmd.plan.room_id) == cmd.plan:
                raise ProtocolError(ErrorCode.ALREADY_EXISTS, "this plan is the room's already",
                                    room=cmd.plan.room_id)
            return [PlanDefined(plan=cmd.plan)]
        case DefineBody():
            return _define_body(state, cmd)
        case SetMembership():
            return _set_membership(state, cmd)
    raise ProtocolError(ErrorCode.UNKNOWN_COMMAND, f"not a registry command: {cmd.type}")


def _active(state: RegistryState, device_id: str) -> Device:
    device = state.active_device(device_id)
    if device is None:
        raise ProtocolError(ErrorCode.UNKNOWN_DEVICE, "no such active device", device_id=device_id)
    return device


def _check_binding(state: RegistryState, role: Role, member_id: str | None, seat: str | None) -> None:
    if member_id is not None and member_id not in state.members:
        raise ProtocolError(ErrorCode.UNKNOWN_MEMBER, "no such member", member_id=member_id)
    if role is Role.REMOTE and member_id is None:
        raise ProtocolError(ErrorCode.MALFORMED, "a remote device needs a member")
    if role is Role.SEAT and seat is None and member_id is None:
        raise ProtocolError(ErrorCode.MALFORMED, "a seat device needs a seat or a member")


def decide_device_edit(state: RegistryState, cmd: ReassignDevice | RenameDevice | RouteDevices,
                       ctx: Context) -> list[Event]:
    """Reassign or rename a device (the clerk), or route devices to a sitting.

    The clerk routes any seat, chair or display; a chair console routes those too, but a
    console routed to a sitting moves only the devices following that sitting (or none).
    Whether the named sitting may take devices is the edge's check (``states.ALLOWED``).
    Errors: FORBIDDEN, UNKNOWN_DEVICE, UNKNOWN_MEMBER, MALFORMED (a binding a role cannot
    have, a device that does not follow sittings), INVALID_STATE (nothing would change).
    """
    if ctx.role is not Role.CLERK and not (ctx.role is Role.CHAIR and isinstance(cmd, RouteDevices)):
        raise ProtocolError(ErrorCode.FORBIDDEN, f"only a clerk can {cmd.type}", role=ctx.role)
    match cmd:
        case ReassignDevice():
            device = _active(state, cmd.device_id)
            _check_binding(state, device.role, cmd.member_id, cmd.seat)
            if (device.member_id, device.seat) == (cmd.member_id, cmd.seat):
                raise ProtocolError(ErrorCode.INVALID_STATE, "the device has this seat and member already")
            return [DeviceReassigned(device_id=cmd.device_id, member_id=cmd.member_id, seat=cmd.seat)]
        case RenameDevice():
            device = _active(state, cmd.device_id)
            return [DeviceRenamed(device_id=cmd.device_id, label=cmd.label)] if cmd.label != device.label else []
        case RouteDevices():
            if cmd.device_ids:
                devices = [_active(state, d) for d in dict.fromkeys(cmd.device_ids)]
                strays = [d.device_id for d in devices if d.role not in ROUTED_ROLES]
                if strays:
                    raise ProtocolError(ErrorCode.MALFORMED, "only seats, chairs and displays follow sittings",
                                        device_ids=strays)
            else:
                devices = [d for d in state.devices.values() if not d.revoked and d.role in ROUTED_ROLES]
            if ctx.role is Role.CHAIR:
                mine = _active(state, ctx.actor.device_id or "").route
                if mine is not None:
                    devices = [d for d in devices if d.route in (None, mine) or d.device_id == ctx.actor.device_id]
            moving = [d.device_id for d in devices if d.route != cmd.stream]
            if not moving:
                raise ProtocolError(ErrorCode.INVALID_STATE, "no device to move", stream=cmd.stream)
            return [DevicesRouted(device_ids=moving, stream=cmd.stream)]
    raise ProtocolError(ErrorCode.UNKNOWN_COMMAND, f"not a device edit: {cmd.type}")


def _define_body(state: RegistryState, cmd: DefineBody) -> list[Event]:
    """Refuses a profile nobody defined (MALFORMED) and a definition already in force (ALREADY_EXISTS)."""
    if cmd.rules is not None and state.profile(cmd.rules) is None:
        raise ProtocolError(ErrorCode.MALFORMED, "no such rules profile", rules=cmd.rules,
                            known=sorted({*PROFILES, *state.profiles}))
    defined = BodyDefined(**cmd.model_dump(exclude={"type"}))
    body = state.bodies.get(cmd.body_id)
    if body is not None and body.definition == defined:
        raise ProtocolError(ErrorCode.ALREADY_EXISTS, "this body is defined so already", body_id=cmd.body_id)
    return [defined]


def _set_membership(state: RegistryState, cmd: SetMembership) -> list[Event]:
    """Check every member is registered, seats never overlap, substitutes stand for a full member
    and officers are members; one president at most."""
    body = state.bodies.get(cmd.body_id)
    if body is None:
        raise ProtocolError(ErrorCode.UNKNOWN_BODY, "no such body", body_id=cmd.body_id)
    ids = {m.member_id for m in cmd.members}
    missing = sorted(ids - set(state.members))
    if missing:
        raise ProtocolError(ErrorCode.UNKNOWN_MEMBER, "unregistered members", member_ids=missing)
    for i, a in enumerate(cmd.members):
        for b in cmd.members[i + 1:]:
            if a.member_id == b.member_id and _overlap(a, b):
                raise ProtocolError(ErrorCode.MALFORMED, "a member's seats overlap in time", member_id=a.member_id)
    full = {m.member_id for m in cmd.members if m.substitute_for is None}
    stray = sorted({m.substitute_for for m in cmd.members if m.substitute_for is not None} - full)
    if stray:
        raise ProtocolError(ErrorCode.MALFORMED, "a substitute stands for someone not a full member",
                            member_ids=stray)
    strangers = sorted({o.member_id for o in cmd.officers} - ids)
    if strangers:
        raise ProtocolError(ErrorCode.MALFORMED, "officers must be members of the body", member_ids=strangers)
    if sum(o.office is Office.PRESIDENT for o in cmd.officers) > 1:
        raise ProtocolError(ErrorCode.MALFORMED, "a body has one president")
    if (tuple(cmd.members), tuple(cmd.officers)) == (body.members, body.officers):
        raise ProtocolError(ErrorCode.ALREADY_EXISTS, "this membership is in force already", body_id=cmd.body_id)
    return [MembershipSet(**cmd.model_dump(exclude={"type"}))]


def _overlap(a: Membership, b: Membership) -> bool:
    return (a.end is None or b.start is None or b.start <= a.end) and (
        b.end is None or a.start is None or a.start <= b.end)


def apply_registry(state: RegistryState, event: Event) -> RegistryState:
    match event:
        case DeviceReassigned() | DeviceRenamed():
            changes = event.model_dump(exclude={"type", "device_id"})
            device = replace(state.devices[event.device_id], **changes)
            return replace(state, devices={**state.devices, event.device_id: device})
        case DevicesRouted():
            routed = {d: replace(state.devices[d], route=event.stream) for d in event.device_ids}
            return replace(state, devices={**state.devices, **routed})
        case MemberRegistered():
            return replace(state, members={**state.members, event.member_id: event})
        case MemberUpdated():
            changes = {k: v for k, v in event.model_dump(exclude={"type", "member_id"}).items() if v is not None}
            member = state.members[event.member_id].model_copy(update=changes)
            return replace(state, members={**state.members, event.member_id: member})
        case DeviceEnrolled():
            device = Device(
                device_id=event.device_id,
                role=event.role,
                member_id=event.member_id,
                seat=event.seat,
                label=event.label,
                public_key=event.public_key,
            )
            return replace(state, devices={**state.devices, event.device_id: device})
        case DeviceRevoked():
            device = replace(state.devices[event.device_id], revoked=True, route=None)
            return replace(state, devices={**state.devices, event.device_id: device})
        case RulesDefined():
            return replace(state, profiles={**state.profiles, event.profile.id: event.profile})
        case PlanDefined():
            return replace(state, plans={**state.plans, event.plan.room_id: event.plan})
        case BodyDefined():
            old = state.bodies.get(event.body_id)
            body = replace(old, definition=event) if old else BodyState(event)
            return replace(state, bodies={**state.bodies, event.body_id: body})
        case MembershipSet():
            body = replace(state.bodies[event.body_id], members=tuple(event.members), officers=tuple(event.officers))
            return replace(state, bodies={**state.bodies, event.body_id: body})
    return state
