"""Speakers' list and microphones: who has asked, who speaks, for how long.

Three modes, as hall systems have them: the chair's request list (members
ask, the chair grants), chair-only (the chair opens microphones), and open
floor (a request opens the microphone at once; at the limit the oldest open
microphone drops). A point of order goes ahead of every other request.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from protocol.errors import ErrorCode, ProtocolError
from protocol.events import (
    Event,
    FloorConfigured,
    FloorGranted,
    FloorRequested,
    ListReordered,
    QuotaSet,
    RequestWithdrawn,
    SpeechStopped,
)
from protocol.settings import FloorSettings
from protocol.types import SpeechType, StopReason


@dataclass(frozen=True)
class Request:
    request_id: str
    member_id: str
    speech_type: SpeechType
    at_ms: int


@dataclass(frozen=True)
class Turn:
    """An open microphone: one member speaking now."""

    turn_id: str
    member_id: str
    speech_type: SpeechType
    item_id: str | None
    mic: str | None
    started_ms: int
    time_limit_s: int
    warning_s: int
    auto_stop: bool

    def deadline_ms(self) -> int | None:
        return self.started_ms + self.time_limit_s * 1000 if self.time_limit_s else None


@dataclass(frozen=True)
class FloorState:
    settings: FloorSettings = FloorSettings()
    queue: tuple[Request, ...] = ()
    speaking: tuple[Turn, ...] = ()
    quotas: dict[str, int] = field(default_factory=dict)  # group -> seconds per item
    group_used_ms: dict[str, int] = field(default_factory=dict)  # group -> ms this item
    member_total_ms: dict[str, int] = field(default_factory=dict)  # member -> ms this sitting
    last_speaker: tuple[str, SpeechType] | None = None
    requests_made: int = 0
    turns_made: int = 0

    def request_of(self, member_id: str) -> Request | None:
        return next((r for r in self.queue if r.member_id == member_id), None)

    def turn_of(self, member_id: str) -> Turn | None:
        return next((t for t in self.speaking if t.member_id == member_id), None)

    def next_request_id(self) -> str:
        return f"r{self.requests_made + 1}"

    def next_turn_id(self) -> str:
        return f"t{self.turns_made + 1}"


def insert_position(queue: tuple[Request, ...], speech_type: SpeechType) -> int:
    """Where a new request goes: right after the last point of order, or at the end."""
    if speech_type is not SpeechType.POINT_OF_ORDER:
        return len(queue)
    points = [i for i, r in enumerate(queue) if r.speech_type is SpeechType.POINT_OF_ORDER]
    return points[-1] + 1 if points else 0


def check_quota(floor: FloorState, group: str) -> None:
    """Refuse a microphone to a group that has used its time for this item."""
    quota = floor.quotas.get(group)
    if quota and floor.group_used_ms.get(group, 0) >= quota * 1000:
        raise ProtocolError(
            ErrorCode.QUOTA_EXHAUSTED,
            "the group has used its speaking time for this item",
            group=group,
            quota_s=quota,
        )


def time_limit(floor: FloorState, group: str, speech_type: SpeechType) -> int:
    """Seconds this speech may run: the setting, cut to what the group has left."""
    s = floor.settings
    limit = s.point_of_order_time_s if speech_type is SpeechType.POINT_OF_ORDER else s.speaking_time_s
    quota = floor.quotas.get(group)
    if quota:
        left = max(0, quota - floor.group_used_ms.get(group, 0) // 1000)
        limit = min(limit, left) if limit else left
    return limit


def apply_floor(
    floor: FloorState, event: Event, at_ms: int, group_of: dict[str, str]
) -> FloorState:
    match event:
        case FloorRequested():
            req = Request(event.request_id, event.member_id, event.speech_type, at_ms)
            pos = insert_position(floor.queue, event.speech_type)
            return replace(
                floor,
                queue=(*floor.queue[:pos], req, *floor.queue[pos:]),
                requests_made=floor.requests_made + 1,
            )
        case RequestWithdrawn():
            return replace(floor, queue=tuple(r for r in floor.queue if r.request_id != event.request_id))
        case ListReordered():
            by_id = {r.request_id: r for r in floor.queue}
            return replace(floor, queue=tuple(by_id[i] for i in event.request_ids))
        case FloorGranted():
            turn = Turn(
                event.turn_id,
                event.member_id,
                event.speech_type,
                event.item_id,
                event.mic,
                at_ms,
                event.time_limit_s,
                event.warning_s,
                event.auto_stop,
            )
            return replace(
                floor,
                queue=tuple(r for r in floor.queue if r.request_id != event.request_id),
                speaking=(*floor.speaking, turn),
                turns_made=floor.turns_made + 1,
            )
        case SpeechStopped():
            turn = next(t for t in floor.speaking if t.turn_id == event.turn_id)
            group = group_of.get(turn.member_id, "")
            return replace(
                floor,
                speaking=tuple(t for t in floor.speaking if t.turn_id != event.turn_id),
                group_used_ms={
                    **floor.group_used_ms,
                    group: floor.group_used_ms.get(group, 0) + event.duration_ms,
                },
                member_total_ms={
                    **floor.member_total_ms,
                    turn.member_id: floor.member_total_ms.get(turn.member_id, 0)
                    + event.duration_ms,
                },
                last_speaker=(turn.member_id, turn.speech_type),
            )
        case FloorConfigured():
            return replace(floor, settings=event.settings)
        case QuotaSet():
            quotas = {k: v for k, v in floor.quotas.items() if k != event.group}
            if event.seconds:
                quotas[event.group] = event.seconds
            return replace(floor, quotas=quotas)
    return floor


def stop_event(turn: Turn, reason: StopReason, now_ms: int) -> SpeechStopped:
    return SpeechStopped(
        turn_id=turn.turn_id,
        member_id=turn.member_id,
        reason=reason,
        duration_ms=max(0, now_ms - turn.started_ms),
    )


def grant_events(
    floor: FloorState,
    member_id: str,
    speech_type: SpeechType,
    request_id: str | None,
    group: str,
    item_id: str | None,
    mic: str | None,
    now_ms: int,
) -> list[Event]:
    """Open a microphone, first dropping the oldest ones until it fits under the limit."""
    check_quota(floor, group)
    over = len(floor.speaking) - floor.settings.max_open_mics + 1
    events: list[Event] = [
        stop_event(turn, StopReason.OVERRIDE, now_ms) for turn in floor.speaking[: max(0, over)]
    ]
    s = floor.settings
    events.append(
        FloorGranted(
            turn_id=floor.next_turn_id(),
            member_id=member_id,
            speech_type=speech_type,
            item_id=item_id,
            mic=mic,
            request_id=request_id,
            time_limit_s=time_limit(floor, group, speech_type),
            warning_s=s.warning_s,
            auto_stop=s.auto_stop,
        )
    )
    return events


__all__ = [
    "FloorConfigured",
    "FloorState",
    "ListReordered",
    "QuotaSet",
    "Request",
    "RequestWithdrawn",
    "Turn",
    "apply_floor",
    "check_quota",
    "grant_events",
    "insert_position",
    "stop_event",
    "time_limit",
]
