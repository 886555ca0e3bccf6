"""The registry: members of the chamber, the devices enrolled to act, the rules profiles, the rooms' seating plans.

One stream (``registry``) shared by every sitting; a sitting copies the
members it needs into its roster, and the whole rules profile it names,
when it is created.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from procedure.context import Context
from protocol.commands import DefinePlan, DefineRules, EnrolDevice, RegisterMember, RevokeDevice, UpdateMember
from protocol.errors import ErrorCode, ProtocolError
from protocol.events import (
    DeviceEnrolled,
    DeviceRevoked,
    Event,
    MemberRegistered,
    MemberUpdated,
    PlanDefined,
    RulesDefined,
)
from protocol.seating import SeatingPlan
from protocol.settings import PROFILES, RulesProfile
from protocol.types import Role


@dataclass(frozen=True)
class Device:
    device_id: str
    role: Role
    member_id: str | None
    seat: str | None
    label: str
    public_key: str
    revoked: bool = False


@dataclass(frozen=True)
class RegistryState:
    seq: int = 0
    head: str = "0" * 64
    members: dict[str, MemberRegistered] = field(default_factory=dict)
    devices: dict[str, Device] = field(default_factory=dict)
    profiles: dict[str, RulesProfile] = field(default_factory=dict)  # entered in the log
    plans: dict[str, SeatingPlan] = field(default_factory=dict)  # room id -> its seating plan

    def profile(self, profile_id: str) -> RulesProfile | None:
        """A profile entered in the log, else a built-in one of the same id."""
        return self.profiles.get(profile_id) or PROFILES.get(profile_id)

    def active_device(self, device_id: str) -> Device | None:
        device = self.devices.get(device_id)
        return device if device is not None and not device.revoked else None


RegistryCommand = RegisterMember | UpdateMember | EnrolDevice | RevokeDevice | DefineRules | DefinePlan


def decide_registry(state: RegistryState, cmd: RegistryCommand, ctx: Context) -> list[Event]:
    """Registry commands are the clerk's; each checks what it refers to."""
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
    raise ProtocolError(ErrorCode.UNKNOWN_COMMAND, f"not a registry command: {cmd.type}")


def apply_registry(state: RegistryState, event: Event) -> RegistryState:
    match event:
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
            device = replace(state.devices[event.device_id], revoked=True)
            return replace(state, devices={**state.devices, event.device_id: device})
        case RulesDefined():
            return replace(state, profiles={**state.profiles, event.profile.id: event.profile})
        case PlanDefined():
            return replace(state, plans={**state.plans, event.plan.room_id: event.plan})
    return state
