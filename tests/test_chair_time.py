"""Time under the chair's hand: extend, pause, resume, warn, per-item limits, the list.

Each test plays commands through decide -> seal -> fold (``step``) and
asserts the whole list of events each one causes. The console practice is
DICENTIS's and CoCon's: +1/+2 minutes, pause the speaker, warning time,
automatic cut at zero, a closed list still takes points of order.
"""

from __future__ import annotations

import pytest

from hall_server.clock import due_commands
from procedure import SittingState
from protocol.commands import (
    CheckOut,
    CloseList,
    ExpireSpeech,
    ExtendSpeech,
    GrantFloor,
    NextItem,
    OpenVote,
    PauseSpeech,
    ReopenList,
    RequestFloor,
    ResumeSitting,
    ResumeSpeech,
    SetGroupQuota,
    SetItemLimits,
    StopSpeech,
    SuspendSitting,
    TakeUpItem,
    WarnSpeech,
    WithdrawRequest,
)
from protocol.errors import ErrorCode
from protocol.events import (
    CheckedOut,
    FloorRequested,
    ItemLimitsSet,
    ItemTakenUp,
    ListClosed,
    ListReopened,
    RequestWithdrawn,
    SittingResumed,
    SittingSuspended,
    SpeechExtended,
    SpeechPaused,
    SpeechResumed,
    SpeechStopped,
    SpeechWarned,
)
from protocol.settings import FloorSettings, ItemLimits
from protocol.types import SpeechType, StopReason
from tests.domain_support import T0, chair, play, queue, refused, run, seat, sitting, speaking, step, system

S = 1000
C, POO = SpeechType.CONTRIBUTION, SpeechType.POINT_OF_ORDER
TIMED = FloorSettings(speaking_time_s=60, warning_s=30, auto_stop=True, max_open_mics=2)


def hall(floor: FloorSettings = TIMED) -> SittingState:
    """Six members present at s1..s6; item i1 under debate, i2 next."""
    state, _ = sitting(6, floor=floor, items=[("i1", None), ("i2", None)], present=range(1, 7))
    return run(state, TakeUpItem(item_id="i1"), chair())


def speaking_m1(floor: FloorSettings = TIMED) -> SittingState:
    return run(hall(floor), GrantFloor(member_id="m1"), chair(T0))


def ask(n: int, kind: SpeechType = C, now: int = T0) -> tuple[RequestFloor, object]:
    return RequestFloor(member_id=f"m{n}", speech_type=kind), seat(f"s{n}", now)


# -- extend ---------------------------------------------------------------------------


def test_extend_moves_the_deadline_and_the_clock_follows() -> None:
    events, state = step(speaking_m1(), ExtendSpeech(member_id="m1", seconds=120), chair(T0 + 50 * S))
    assert events == [SpeechExtended(turn_id="t1", member_id="m1", seconds=120, time_limit_s=180)]
    assert state.floor.speaking[0].deadline_ms() == T0 + 180 * S
    assert refused(state, ExpireSpeech(turn_id="t1"), system(T0 + 179 * S)).code is ErrorCode.INVALID_STATE
    events, _ = step(state, ExpireSpeech(turn_id="t1"), system(T0 + 180 * S))
    assert events == [SpeechStopped(turn_id="t1", member_id="m1", reason=StopReason.EXPIRED, duration_ms=180 * S)]


@pytest.mark.parametrize(
    ("state_of", "member", "code"),
    [
        (lambda: speaking_m1(FloorSettings(speaking_time_s=0)), "m1", ErrorCode.INVALID_STATE),
        (speaking_m1, "m2", ErrorCode.NOT_SPEAKING),
    ],
    ids=["no-limit", "not-speaking"],
)
def test_extend_refusals(state_of: object, member: str, code: ErrorCode) -> None:
    state = state_of()  # type: ignore[operator]
    assert refused(state, ExtendSpeech(member_id=member, seconds=60), chair()).code is code


# -- pause and resume -------------------------------------------------------------------


def test_a_paused_speech_counts_no_time_and_cannot_run_out() -> None:
    events, state = step(speaking_m1(), PauseSpeech(member_id="m1"), chair(T0 + 10 * S))
    assert events == [SpeechPaused(turn_id="t1", member_id="m1", spent_ms=10 * S)]
    turn = state.floor.speaking[0]
    assert turn.paused and turn.deadline_ms() is None and turn.elapsed_ms(T0 + 500 * S) == 10 * S
    assert refused(state, ExpireSpeech(turn_id="t1"), system(T0 + 500 * S)).code is ErrorCode.INVALID_STATE
    assert refused(state, PauseSpeech(member_id="m1"), chair()).code is ErrorCode.INVALID_STATE
    events, state = step(state, ResumeSpeech(member_id="m1"), chair(T0 + 100 * S))
    assert events == [SpeechResumed(turn_id="t1", member_id="m1")]
    assert state.floor.speaking[0].deadline_ms() == T0 + 150 * S  # 50 s left of 60
    assert refused(state, ResumeSpeech(member_id="m1"), chair()).code is ErrorCode.INVALID_STATE
    events, state = step(state, StopSpeech(member_id="m1"), chair(T0 + 120 * S))
    assert events == [SpeechStopped(turn_id="t1", member_id="m1", reason=StopReason.CHAIR, duration_ms=30 * S)]
    assert state.floor.member_total_ms == {"m1": 30 * S}


# -- the warning ----------------------------------------------------------------------


def test_the_warning_is_a_server_event_once_per_limit() -> None:
    state = speaking_m1()
    assert refused(state, WarnSpeech(turn_id="t1"), system(T0 + 29 * S)).code is ErrorCode.INVALID_STATE
    events, state = step(state, WarnSpeech(turn_id="t1"), system(T0 + 30 * S))
    assert events == [SpeechWarned(turn_id="t1", member_id="m1", remaining_s=30)]
    assert refused(state, WarnSpeech(turn_id="t1"), system(T0 + 31 * S)).code is ErrorCode.INVALID_STATE
    state = run(state, ExtendSpeech(member_id="m1", seconds=60), chair(T0 + 40 * S))
    events, _ = step(state, WarnSpeech(turn_id="t1"), system(T0 + 90 * S))
    assert events == [SpeechWarned(turn_id="t1", member_id="m1", remaining_s=30)]


def test_the_clock_warns_then_cuts_and_leaves_a_paused_speech_alone() -> None:
    state = speaking_m1()
    assert due_commands([state], T0 + 29 * S) == []
    (warn,) = due_commands([state], T0 + 30 * S)
    assert warn.cmd == WarnSpeech(turn_id="t1")
    assert due_commands([state], T0 + 30 * S) == [warn]  # same id: firing twice is harmless
    state = run(state, warn.cmd, system(T0 + 30 * S))
    assert due_commands([state], T0 + 59 * S) == []
    (cut,) = due_commands([state], T0 + 60 * S)
    assert cut.cmd == ExpireSpeech(turn_id="t1")
    paused = run(state, PauseSpeech(member_id="m1"), chair(T0 + 40 * S))
    assert due_commands([paused], T0 + 999 * S) == []
    extended = run(state, ExtendSpeech(member_id="m1", seconds=60), chair(T0 + 40 * S))
    (again,) = due_commands([extended], T0 + 90 * S)
    assert again.cmd == WarnSpeech(turn_id="t1") and again.id != warn.id


# -- per-item limits ----------------------------------------------------------------------


def test_item_limits_set_time_cut_and_speeches_per_member() -> None:
    limits = ItemLimits(speaking_time_s=90, auto_stop=False, max_speeches=1)
    events, state = step(hall(), SetItemLimits(item_id="i1", limits=limits), chair())
    assert events == [ItemLimitsSet(item_id="i1", limits=limits)]
    events, state = step(state, GrantFloor(member_id="m1"), chair(T0))
    assert (events[0].time_limit_s, events[0].auto_stop) == (90, False)  # type: ignore[union-attr]
    state = run(state, StopSpeech(member_id="m1"), chair(T0 + 5 * S))
    err = refused(state, *ask(1))
    assert (err.code, err.details) == (ErrorCode.SPEECH_LIMIT, {"member_id": "m1", "item_id": "i1",
                                                                "max_speeches": 1})
    assert refused(state, GrantFloor(member_id="m1"), chair()).code is ErrorCode.SPEECH_LIMIT
    assert [e.type for e in step(state, *ask(1, POO))[0]] == ["floor.requested"]  # points of order are free
    state = run(state, NextItem(), chair())
    assert [e.type for e in step(state, *ask(1))[0]] == ["floor.requested"]  # another item, another count
    granted = step(state, GrantFloor(member_id="m2"), chair())[0][0]
    assert (granted.time_limit_s, granted.auto_stop) == (60, True)  # type: ignore[union-attr]


def test_item_limits_refusals() -> None:
    state = hall()
    assert refused(state, SetItemLimits(item_id="i9", limits=ItemLimits()), chair()).code is ErrorCode.UNKNOWN_ITEM
    assert refused(state, SetItemLimits(item_id="i1", limits=ItemLimits()), chair()).code is ErrorCode.INVALID_STATE


# -- the list -----------------------------------------------------------------------------


def test_a_closed_list_takes_points_of_order_and_the_chairs_additions_only() -> None:
    events, state = step(hall(), CloseList(), chair())
    assert events == [ListClosed()]
    assert refused(state, CloseList(), chair()).code is ErrorCode.INVALID_STATE
    assert refused(state, *ask(1)).code is ErrorCode.LIST_CLOSED
    assert step(state, *ask(1, POO))[0] == [FloorRequested(request_id="r1", member_id="m1", speech_type=POO)]
    assert step(state, RequestFloor(member_id="m2"), chair())[0][0].type == "floor.requested"
    events, state = step(state, ReopenList(), chair())
    assert events == [ListReopened()]
    assert refused(state, ReopenList(), chair()).code is ErrorCode.INVALID_STATE
    assert step(state, *ask(1))[0][0].type == "floor.requested"


@pytest.mark.parametrize("clear", [True, False])
def test_the_chair_may_clear_the_list_at_an_item_change(clear: bool) -> None:
    state = play(hall(), ask(1), ask(2))
    events, state = step(state, NextItem(clear_list=clear), chair())
    cleared = [RequestWithdrawn(request_id="r1", member_id="m1", by_chair=True),
               RequestWithdrawn(request_id="r2", member_id="m2", by_chair=True)]
    assert events == [*(cleared if clear else []), ItemTakenUp(item_id="i2", previous_item_id="i1")]
    assert queue(state) == ([] if clear else [("m1", C), ("m2", C)])


# -- point of order from the list ---------------------------------------------------------


def test_a_member_on_the_list_raises_a_point_of_order_and_keeps_their_place() -> None:
    state = play(hall(), ask(1), ask(2))
    events, state = step(state, *ask(2, POO))
    assert events == [FloorRequested(request_id="r3", member_id="m2", speech_type=POO)]
    assert queue(state) == [("m2", POO), ("m1", C), ("m2", C)]
    state = run(state, GrantFloor(), chair())
    assert speaking(state) == ["m2"] and state.floor.speaking[0].speech_type is POO
    assert queue(state) == [("m1", C), ("m2", C)]  # their place for the debate is kept
    state = run(state, StopSpeech(member_id="m2"), chair())
    state = run(state, GrantFloor(), chair())
    assert speaking(state) == ["m1"] and queue(state) == [("m2", C)]


def test_a_point_of_order_is_withdrawn_before_the_request_and_checking_out_drops_both() -> None:
    state = play(hall(), ask(2), ask(2, POO))
    assert refused(state, *ask(2, POO)).code is ErrorCode.ALREADY_REQUESTED
    assert refused(state, *ask(2)).code is ErrorCode.ALREADY_REQUESTED
    events, after = step(state, WithdrawRequest(member_id="m2"), seat("s2"))
    assert events == [RequestWithdrawn(request_id="r2", member_id="m2", by_chair=False)]
    assert queue(after) == [("m2", C)]
    events, _ = step(state, CheckOut(member_id="m2"), seat("s2"))
    assert events == [RequestWithdrawn(request_id="r2", member_id="m2", by_chair=False),
                      RequestWithdrawn(request_id="r1", member_id="m2", by_chair=False),
                      CheckedOut(member_id="m2")]


# -- suspension ---------------------------------------------------------------------------


def test_suspension_pauses_the_open_microphones_and_resumption_reopens_only_those() -> None:
    state = play(speaking_m1(), (GrantFloor(member_id="m3"), chair(T0)),
                 (PauseSpeech(member_id="m3"), chair(T0 + 5 * S)))
    events, state = step(state, SuspendSitting(), chair(T0 + 10 * S))
    assert events == [SpeechPaused(turn_id="t1", member_id="m1", spent_ms=10 * S, by_suspension=True),
                      SittingSuspended()]
    assert due_commands([state], T0 + 999 * S) == []
    events, state = step(state, ResumeSitting(), chair(T0 + 900 * S))
    assert events == [SittingResumed(), SpeechResumed(turn_id="t1", member_id="m1")]
    assert [t.paused for t in state.floor.speaking] == [False, True]  # the chair's pause stands
    events, state = step(state, StopSpeech(member_id="m1"), chair(T0 + 920 * S))
    assert events[0] == SpeechStopped(turn_id="t1", member_id="m1", reason=StopReason.CHAIR, duration_ms=30 * S)


def test_a_division_is_not_suspended() -> None:
    state = run(hall(), OpenVote(vote_id="v1", motion_km="ក", motion_en="Motion"), chair())
    err = refused(state, SuspendSitting(), chair())
    assert (err.code, err.details) == (ErrorCode.INVALID_STATE, {"vote_id": "v1"})


# -- group quotas count the running turns --------------------------------------------------


def test_a_group_quota_counts_a_colleagues_running_speech() -> None:
    state = run(hall(FloorSettings(max_open_mics=2, speaking_time_s=300)), SetGroupQuota(group="blue", seconds=60),
                chair())
    state = run(state, GrantFloor(member_id="m1"), chair(T0))  # m1 and m2 are both blue
    events = step(state, GrantFloor(member_id="m2"), chair(T0 + 50 * S))[0]
    assert events[0].time_limit_s == 10  # type: ignore[union-attr]
    err = refused(state, GrantFloor(member_id="m2"), chair(T0 + 60 * S))
    assert err.code is ErrorCode.QUOTA_EXHAUSTED
