"""Speakers' list and microphones: who has asked, who speaks, for how long.

Three modes, as hall systems have them: the chair's request list (members
ask, the chair grants), chair-only (the chair opens microphones), and open
floor (a request opens the microphone at once; at the limit the oldest open
microphone drops). A point of order goes ahead of every other request, and
a member already on the list may raise one without losing their place.

Time is what DICENTIS and CoCon consoles put under the chair's hand: a
speech can be extended, paused (microphone muted, clock stopped) and
resumed; at its warning time the clock records a warning; with automatic
cut (per sitting or per item) the microphone closes at zero. Speaking time
counts exactly the milliseconds a microphone was open: a paused turn and a
suspended sitting count nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from protocol.errors import ErrorCode, ProtocolError
from protocol.events import (
    Event,
    FloorConfigured,
    FloorGranted,
    FloorRequested,
    ItemLimitsSet,
    ListClosed,
    ListReopened,
    ListReordered,
    QuotaSet,
    RequestWithdrawn,
    SpeechExtended,
    SpeechPaused,
    SpeechResumed,
    SpeechStopped,
    SpeechWarned,
)
from protocol.settings import FloorSettings, ItemLimits
from protocol.types import SpeechType, StopReason


@dataclass(frozen=True)
class Request:
    request_id: str
    member_id: str
    speech_type: SpeechType
    at_ms: int


@dataclass(frozen=True)
class Turn:
    """A member holding the floor: their microphone open, or paused by the chair or a suspension.

    Time in ms since the epoch. ``running_since_ms`` is when the microphone last
    opened (None while paused); ``spent_ms`` what was spoken before that;
    ``before_item_ms`` what was spoken before the current item was taken up (not
    charged to the new item's group quota). ``time_limit_s`` 0 means no limit.
    """

    turn_id: str
    member_id: str
    speech_type: SpeechType
    item_id: str | None
    mic: str | None
    started_ms: int
    time_limit_s: int
    warning_s: int
    auto_stop: bool
    group: str = ""
    running_since_ms: int | None = None
    spent_ms: int = 0
    before_item_ms: int = 0
    warned: bool = False
    paused_by_suspension: bool = False

    @property
    def paused(self) -> bool:
        return self.running_since_ms is None

    def elapsed_ms(self, now_ms: int) -> int:
        """Milliseconds spoken in this turn up to ``now_ms``: open-microphone time only."""
        running = 0 if self.running_since_ms is None else max(0, now_ms - self.running_since_ms)
        return self.spent_ms + running

    def deadline_ms(self) -> int | None:
        """When the time runs out at the current pace; None without a limit or while paused."""
        if not self.time_limit_s or self.running_since_ms is None:
            return None
        return self.running_since_ms + self.time_limit_s * 1000 - self.spent_ms

    def warning_ms(self) -> int | None:
        """When the warning is due; None without a limit, a warning time, or while paused."""
        deadline = self.deadline_ms()
        if deadline is None or not self.warning_s:
            return None
        return deadline - self.warning_s * 1000


@dataclass(frozen=True)
class FloorState:
    settings: FloorSettings = FloorSettings()
    queue: tuple[Request, ...] = ()
    speaking: tuple[Turn, ...] = ()
    quotas: dict[str, int] = field(default_factory=dict)  # group -> seconds per item
    group_used_ms: dict[str, int] = field(default_factory=dict)  # group -> ms this item, stopped turns
    member_total_ms: dict[str, int] = field(default_factory=dict)  # member -> ms this sitting
    last_speaker: tuple[str, SpeechType] | None = None
    requests_made: int = 0
    turns_made: int = 0
    list_closed: bool = False
    item_limits: dict[str, ItemLimits] = field(default_factory=dict)  # item -> the chair's limits
    speeches: dict[str, dict[str, int]] = field(default_factory=dict)  # item -> member -> speeches

    def request_of(self, member_id: str) -> Request | None:
        """The member's first request in list order."""
        return next((r for r in self.queue if r.member_id == member_id), None)

    def requests_of(self, member_id: str) -> tuple[Request, ...]:
        """At most two: an ordinary request and a point of order."""
        return tuple(r for r in self.queue if r.member_id == member_id)

    def turn_of(self, member_id: str) -> Turn | None:
        return next((t for t in self.speaking if t.member_id == member_id), None)

    def next_request_id(self) -> str:
        return f"r{self.requests_made + 1}"

    def next_turn_id(self) -> str:
        return f"t{self.turns_made + 1}"

    def limits_for(self, item_id: str | None) -> ItemLimits:
        return self.item_limits.get(item_id or "", ItemLimits())

    def speeches_made(self, item_id: str | None, member_id: str) -> int:
        return self.speeches.get(item_id or "", {}).get(member_id, 0)

    def group_elapsed_ms(self, group: str, now_ms: int) -> int:
        """The group's speaking time on the current item, running turns included."""
        running = sum(
            max(0, t.elapsed_ms(now_ms) - t.before_item_ms) for t in self.speaking if t.group == group
        )
        return self.group_used_ms.get(group, 0) + running


def insert_position(queue: tuple[Request, ...], speech_type: SpeechType) -> int:
    """Where a new request goes: right after the last point of order, or at the end."""
    if speech_type is not SpeechType.POINT_OF_ORDER:
        return len(queue)
    points = [i for i, r in enumerate(queue) if r.speech_type is SpeechType.POINT_OF_ORDER]
    return points[-1] + 1 if points else 0


def check_quota(floor: FloorState, group: str, now_ms: int) -> None:
    """Refuse a microphone to a group that has used its time for this item."""
    quota = floor.quotas.get(group)
    if quota and floor.group_elapsed_ms(group, now_ms) >= quota * 1000:
        raise ProtocolError(
            ErrorCode.QUOTA_EXHAUSTED,
            "the group has used its speaking time for this item",
            group=group,
            quota_s=quota,
        )


def check_speeches(floor: FloorState, item_id: str | None, member_id: str, speech_type: SpeechType) -> None:
    """Refuse a speech beyond the item's cap on speeches per member (points of order are free)."""
    cap = floor.limits_for(item_id).max_speeches
    if speech_type is SpeechType.POINT_OF_ORDER or not cap:
        return
    made = floor.speeches_made(item_id, member_id)
    if made >= cap:
        raise ProtocolError(
            ErrorCode.SPEECH_LIMIT,
            "member has made every speech allowed on this item",
            member_id=member_id,
            item_id=item_id,
            max_speeches=cap,
        )


def time_limit(
    floor: FloorState, group: str, speech_type: SpeechType, item_id: str | None, now_ms: int
) -> int:
    """Seconds this speech may run: the item's or the sitting's setting, cut to what the group has left."""
    s = floor.settings
    if speech_type is SpeechType.POINT_OF_ORDER:
        limit = s.point_of_order_time_s
    else:
        item_time = floor.limits_for(item_id).speaking_time_s
        limit = s.speaking_time_s if item_time is None else item_time
    quota = floor.quotas.get(group)
    if quota:
        left = max(0, quota - floor.group_elapsed_ms(group, now_ms) // 1000)
        limit = min(limit, left) if limit else left
    return limit


def _replace_turn(floor: FloorState, turn_id: str, **changes: object) -> FloorState:
    return replace(
        floor,
        speaking=tuple(replace(t, **changes) if t.turn_id == turn_id else t for t in floor.speaking),  # type: ignore[arg-type]
    )


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
                turn_id=event.turn_id,
                member_id=event.member_id,
                speech_type=event.speech_type,
                item_id=event.item_id,
                mic=event.mic,
                started_ms=at_ms,
                time_limit_s=event.time_limit_s,
                warning_s=event.warning_s,
                auto_stop=event.auto_stop,
                group=group_of.get(event.member_id, ""),
                running_since_ms=at_ms,
            )
            speeches = floor.speeches
            if event.speech_type is not SpeechType.POINT_OF_ORDER:
                key = event.item_id or ""
                on_item = speeches.get(key, {})
                speeches = {**speeches, key: {**on_item, event.member_id: on_item.get(event.member_id, 0) + 1}}
            return replace(
                floor,
                queue=tuple(r for r in floor.queue if r.request_id != event.request_id),
                speaking=(*floor.speaking, turn),
                turns_made=floor.turns_made + 1,
                speeches=speeches,
            )
        case SpeechStopped():
            turn = next(t for t in floor.speaking if t.turn_id == event.turn_id)
            group = group_of.get(turn.member_id, "")
            return replace(
                floor,
                speaking=tuple(t for t in floor.speaking if t.turn_id != event.turn_id),
                group_used_ms={
                    **floor.group_used_ms,
                    group: floor.group_used_ms.get(group, 0)
                    + max(0, event.duration_ms - turn.before_item_ms),
                },
                member_total_ms={
                    **floor.member_total_ms,
                    turn.member_id: floor.member_total_ms.get(turn.member_id, 0)
                    + event.duration_ms,
                },
                last_speaker=(turn.member_id, turn.speech_type),
            )
        case SpeechPaused():
            return _replace_turn(
                floor,
                event.turn_id,
                running_since_ms=None,
                spent_ms=event.spent_ms,
                paused_by_suspension=event.by_suspension,
            )
        case SpeechResumed():
            return _replace_turn(floor, event.turn_id, running_since_ms=at_ms, paused_by_suspension=False)
        case SpeechExtended():
            return _replace_turn(floor, event.turn_id, time_limit_s=event.time_limit_s, warned=False)
        case SpeechWarned():
            return _replace_turn(floor, event.turn_id, warned=True)
        case ListClosed():
            return replace(floor, list_closed=True)
        case ListReopened():
            return replace(floor, list_closed=False)
        case ItemLimitsSet():
            return replace(floor, item_limits={**floor.item_limits, event.item_id: event.limits})
        case FloorConfigured():
            return replace(floor, settings=event.settings)
        case QuotaSet():
            quotas = {k: v for k, v in floor.quotas.items() if k != event.group}
            if event.seconds:
                quotas[event.group] = event.seconds
            return replace(floor, quotas=quotas)
    return floor


def floor_at_item_change(floor: FloorState, at_ms: int) -> FloorState:
    """A new item: group quotas count afresh, and running turns' past time stays with the old item."""
    return replace(
        floor,
        group_used_ms={},
        speaking=tuple(replace(t, before_item_ms=t.elapsed_ms(at_ms)) for t in floor.speaking),
    )


def stop_event(turn: Turn, reason: StopReason, now_ms: int) -> SpeechStopped:
    """Close a microphone; ``duration_ms`` is the open-microphone time of the whole turn."""
    return SpeechStopped(
        turn_id=turn.turn_id,
        member_id=turn.member_id,
        reason=reason,
        duration_ms=turn.elapsed_ms(now_ms),
    )


def pause_event(turn: Turn, now_ms: int, by_suspension: bool = False) -> SpeechPaused:
    return SpeechPaused(
        turn_id=turn.turn_id,
        member_id=turn.member_id,
        spent_ms=turn.elapsed_ms(now_ms),
        by_suspension=by_suspension,
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
    """Open a microphone, first dropping the oldest ones until it fits under the limit.

    Raises QUOTA_EXHAUSTED when the group has no time left on the item and
    SPEECH_LIMIT when the member has made every speech the item allows.
    """
    check_quota(floor, group, now_ms)
    check_speeches(floor, item_id, member_id, speech_type)
    over = len(floor.speaking) - floor.settings.max_open_mics + 1
    events: list[Event] = [
        stop_event(turn, StopReason.OVERRIDE, now_ms) for turn in floor.speaking[: max(0, over)]
    ]
    s = floor.settings
    item_cut = floor.limits_for(item_id).auto_stop
    events.append(
        FloorGranted(
            turn_id=floor.next_turn_id(),
            member_id=member_id,
            speech_type=speech_type,
            item_id=item_id,
            mic=mic,
            request_id=request_id,
            time_limit_s=time_limit(floor, group, speech_type, item_id, now_ms),
            warning_s=s.warning_s,
            auto_stop=s.auto_stop if item_cut is None else item_cut,
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
    "check_speeches",
    "floor_at_item_change",
    "grant_events",
    "insert_position",
    "pause_event",
    "stop_event",
    "time_limit",
]
