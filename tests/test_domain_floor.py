"""The floor: speakers' list, microphones, time limits and group quotas.

Each test plays commands through decide -> seal -> fold and asserts the
whole list of events each one causes and the list and microphones after.
"""

from __future__ import annotations

from typing import Any

import pytest

from procedure import Context, SittingState
from protocol.commands import (
    CheckIn,
    CheckOut,
    CloseSitting,
    ConfigureFloor,
    ExpireSpeech,
    GrantFloor,
    ReaddLastSpeaker,
    ReorderList,
    RequestFloor,
    SetGroupQuota,
    StopSpeech,
    SuspendSitting,
    TakeUpItem,
    WithdrawRequest,
)
from protocol.errors import ErrorCode
from protocol.events import (
    CheckedOut,
    Event,
    FloorConfigured,
    FloorGranted,
    FloorRequested,
    ItemTakenUp,
    ListReordered,
    QuotaSet,
    RequestWithdrawn,
    SpeechStopped,
)
from protocol.settings import FloorSettings
from protocol.types import FloorMode, SpeechType, StopReason
from tests.domain_support import (
    T0,
    chair,
    clerk,
    personal,
    play,
    queue,
    refused,
    remote,
    run,
    seat,
    sitting,
    speaking,
    step,
    system,
)

C, PRO, CONTRA, REPLY, POO = (
    SpeechType.CONTRIBUTION,
    SpeechType.PRO,
    SpeechType.CONTRA,
    SpeechType.REPLY,
    SpeechType.POINT_OF_ORDER,
)
S = 1000  # one second in ms


def hall(floor: FloorSettings | None = None, present: tuple[int, ...] = (1, 2, 3, 4, 5, 6)) -> SittingState:
    """An open sitting of six members at seats s1..s6, with item i1 under debate."""
    state, _ = sitting(6, floor=floor, items=[("i1", None), ("i2", None)], present=present)
    return run(state, TakeUpItem(item_id="i1"), chair())


def ask(n: int, kind: SpeechType = C, now: int = T0) -> tuple[RequestFloor, Context]:
    return RequestFloor(member_id=f"m{n}", speech_type=kind), seat(f"s{n}", now)


def grant(n: int | None = None, now: int = T0) -> tuple[GrantFloor, Context]:
    return GrantFloor(member_id=None if n is None else f"m{n}"), chair(now)


def stop(n: int, now: int) -> tuple[StopSpeech, Context]:
    return StopSpeech(member_id=f"m{n}"), chair(now)


def granted(
    turn: int,
    n: int,
    kind: SpeechType = C,
    request: int | None = None,
    limit: int = 300,
    **over: Any,
) -> FloorGranted:
    fields: dict[str, Any] = {
        "turn_id": f"t{turn}",
        "member_id": f"m{n}",
        "speech_type": kind,
        "item_id": "i1",
        "mic": f"s{n}",
        "request_id": None if request is None else f"r{request}",
        "time_limit_s": limit,
        "warning_s": 30,
        "auto_stop": False,
    }
    return FloorGranted(**{**fields, **over})


def requested(request: int, n: int, kind: SpeechType = C) -> FloorRequested:
    return FloorRequested(request_id=f"r{request}", member_id=f"m{n}", speech_type=kind)


def stopped(turn: int, n: int, reason: StopReason, duration_ms: int) -> SpeechStopped:
    return SpeechStopped(turn_id=f"t{turn}", member_id=f"m{n}", reason=reason, duration_ms=duration_ms)


# -- the speakers' list -------------------------------------------------------------


@pytest.mark.parametrize(
    ("withdraw_ctx", "by_chair"),
    [(seat("s1"), False), (personal("m1"), False), (remote("m1"), False), (chair(), True)],
    ids=["seat", "personal-tablet", "remote", "chair"],
)
def test_request_then_withdraw(withdraw_ctx: Context, by_chair: bool) -> None:
    state = hall()
    events, state = step(state, *ask(1))
    assert events == [requested(1, 1)]
    assert queue(state) == [("m1", C)]
    assert state.floor.queue[0].at_ms == T0
    events, state = step(state, WithdrawRequest(member_id="m1"), withdraw_ctx)
    assert events == [RequestWithdrawn(request_id="r1", member_id="m1", by_chair=by_chair)]
    assert queue(state) == []
    assert refused(state, WithdrawRequest(member_id="m1"), withdraw_ctx).code is ErrorCode.UNKNOWN_REQUEST
    # a second request gets a fresh id
    events, state = step(state, *ask(1, PRO))
    assert events == [requested(2, 1, PRO)]


@pytest.mark.parametrize(
    ("asks", "expected"),
    [
        ([(1, C), (2, PRO), (3, CONTRA), (4, REPLY)], [1, 2, 3, 4]),
        ([(1, C), (2, POO)], [2, 1]),
        ([(1, C), (2, POO), (3, POO)], [2, 3, 1]),
        ([(1, POO), (2, C), (3, POO), (4, PRO)], [1, 3, 2, 4]),
        ([(1, PRO), (2, CONTRA), (3, POO), (4, C), (5, POO), (6, POO)], [3, 5, 6, 1, 2, 4]),
    ],
    ids=["first-come", "poo-ahead", "poo-after-earlier-poo", "interleaved", "three-poo"],
)
def test_points_of_order_go_ahead_of_the_rest_but_after_earlier_ones(
    asks: list[tuple[int, SpeechType]], expected: list[int]
) -> None:
    state = hall()
    for i, (n, kind) in enumerate(asks, 1):
        events, state = step(state, *ask(n, kind, T0 + i))
        assert events == [requested(i, n, kind)]
    kinds = dict(asks)
    assert queue(state) == [(f"m{n}", kinds[n]) for n in expected]


def test_a_new_point_of_order_never_jumps_an_earlier_one_after_a_reorder() -> None:
    """Regression: insert_position used to count points of order instead of finding the last one."""
    state = play(hall(), ask(1, POO), ask(2, C), (ReorderList(member_ids=["m2", "m1"]), chair()))
    assert queue(state) == [("m2", C), ("m1", POO)]
    state = run(state, *ask(3, POO))
    assert queue(state) == [("m2", C), ("m1", POO), ("m3", POO)]


@pytest.mark.parametrize(
    ("asks", "events_of_grant", "left"),
    [
        ([(1, C)], [granted(1, 1, C, request=1)], []),
        ([(1, C), (2, POO)], [granted(1, 2, POO, request=2, limit=120)], [("m1", C)]),
        ([(1, CONTRA), (2, PRO)], [granted(1, 1, CONTRA, request=1)], [("m2", PRO)]),
    ],
    ids=["single", "point-of-order-first", "contra"],
)
def test_chair_grants_the_head_of_the_list(
    asks: list[tuple[int, SpeechType]], events_of_grant: list[Event], left: list[tuple[str, SpeechType]]
) -> None:
    state = hall()
    for n, kind in asks:
        state = run(state, *ask(n, kind))
    events, state = step(state, *grant(now=T0 + 5 * S))
    assert events == events_of_grant
    assert queue(state) == left
    turn = state.floor.speaking[0]
    assert (turn.started_ms, turn.deadline_ms()) == (T0 + 5 * S, T0 + 5 * S + events_of_grant[0].time_limit_s * S)  # type: ignore[union-attr]


def test_chair_grants_a_named_member_from_the_middle_of_the_list() -> None:
    state = play(hall(), ask(1), ask(2, REPLY), ask(3))
    events, state = step(state, *grant(2))
    assert events == [granted(1, 2, REPLY, request=2)]
    assert queue(state) == [("m1", C), ("m3", C)]
    assert speaking(state) == ["m2"]


def test_chair_only_mode() -> None:
    state = hall(FloorSettings(mode=FloorMode.CHAIR_ONLY))
    err = refused(state, *ask(1))
    assert (err.code, err.details) == (ErrorCode.INVALID_STATE, {"mode": FloorMode.CHAIR_ONLY})
    # the chair opens a microphone for a member who never asked
    events, state = step(state, *grant(3))
    assert events == [granted(1, 3, C, request=None)]
    assert (queue(state), speaking(state)) == ([], ["m3"])
    # and may still keep a list
    events, state = step(state, RequestFloor(member_id="m4"), chair())
    assert events == [requested(1, 4)]
    err = refused(state, *grant())
    assert (err.code, err.details) == (ErrorCode.MIC_LIMIT, {"max_open_mics": 1, "speaking": ["m3"]})


@pytest.mark.parametrize(
    ("mode", "max_mics", "open_before", "next_ok"),
    [
        (FloorMode.REQUEST_LIST, 1, [1], False),
        (FloorMode.REQUEST_LIST, 2, [1], True),
        (FloorMode.REQUEST_LIST, 2, [1, 2], False),
        (FloorMode.CHAIR_ONLY, 3, [1, 2, 3], False),
        (FloorMode.CHAIR_ONLY, 3, [1, 2], True),
    ],
)
def test_mic_limit(mode: FloorMode, max_mics: int, open_before: list[int], next_ok: bool) -> None:
    state = hall(FloorSettings(mode=mode, max_open_mics=max_mics))
    for n in open_before:
        state = run(state, *grant(n))
    cmd = grant(5)
    if next_ok:
        events, state = step(state, *cmd)
        assert events == [granted(len(open_before) + 1, 5)]
        assert speaking(state) == [*(f"m{n}" for n in open_before), "m5"]
    else:
        err = refused(state, *cmd)
        assert err.code is ErrorCode.MIC_LIMIT
        assert err.details == {"max_open_mics": max_mics, "speaking": [f"m{n}" for n in open_before]}


def test_open_floor_opens_at_once_and_drops_the_oldest_mic_at_the_limit() -> None:
    state = hall(FloorSettings(mode=FloorMode.OPEN_FLOOR, max_open_mics=2))
    script: list[tuple[tuple[Any, Context], list[Event], list[str]]] = [
        (ask(1, now=T0 + 1 * S), [requested(1, 1), granted(1, 1, request=1)], ["m1"]),
        (ask(2, POO, T0 + 2 * S), [requested(2, 2, POO), granted(2, 2, POO, request=2, limit=120)],
         ["m1", "m2"]),
        (ask(3, now=T0 + 5 * S),
         [requested(3, 3), stopped(1, 1, StopReason.OVERRIDE, 4 * S), granted(3, 3, request=3)],
         ["m2", "m3"]),
        (grant(4, T0 + 9 * S), [stopped(2, 2, StopReason.OVERRIDE, 7 * S), granted(4, 4)], ["m3", "m4"]),
    ]
    for (cmd, context), events, mics in script:
        got, state = step(state, cmd, context)
        assert got == events
        assert speaking(state) == mics
        assert queue(state) == []
    assert state.floor.member_total_ms == {"m1": 4 * S, "m2": 7 * S}
    assert state.floor.last_speaker == ("m2", POO)


@pytest.mark.parametrize(("lowered", "left_open"), [(1, []), (2, ["m3"])])
def test_open_floor_never_exceeds_a_lowered_mic_limit(lowered: int, left_open: list[str]) -> None:
    """Regression: grant_events used to drop one microphone only, whatever the limit."""
    floor = FloorSettings(mode=FloorMode.OPEN_FLOOR, max_open_mics=3)
    state = play(hall(floor), ask(1), ask(2), ask(3))
    state = run(state, ConfigureFloor(settings=floor.model_copy(update={"max_open_mics": lowered})), chair())
    events, state = step(state, *ask(4, now=T0 + 10 * S))
    dropped = [stopped(n, n, StopReason.OVERRIDE, 10 * S) for n in (1, 2, 3) if f"m{n}" not in left_open]
    assert events == [requested(4, 4), *dropped, granted(4, 4, request=4)]
    assert speaking(state) == [*left_open, "m4"]


@pytest.mark.parametrize(
    ("stop_ctx", "reason"),
    [(chair(T0 + 46 * S), StopReason.CHAIR), (seat("s1", T0 + 46 * S), StopReason.SELF),
     (personal("m1", T0 + 46 * S), StopReason.SELF), (remote("m1", T0 + 46 * S), StopReason.SELF)],
    ids=["chair", "seat", "personal-tablet", "remote"],
)
def test_stop_by_chair_or_by_the_speaker(stop_ctx: Context, reason: StopReason) -> None:
    state = play(hall(), ask(1), grant(now=T0 + S))
    events, state = step(state, StopSpeech(member_id="m1"), stop_ctx)
    assert events == [stopped(1, 1, reason, 45 * S)]
    assert speaking(state) == []
    assert state.floor.last_speaker == ("m1", C)
    assert state.floor.member_total_ms == {"m1": 45 * S}
    assert state.floor.group_used_ms == {"blue": 45 * S}


@pytest.mark.parametrize(
    ("cmd", "context", "code"),
    [
        (StopSpeech(member_id="m1"), seat("s2"), ErrorCode.NOT_YOUR_MEMBER),
        (StopSpeech(member_id="m1"), remote("m2"), ErrorCode.NOT_YOUR_MEMBER),
        (StopSpeech(member_id="m2"), chair(), ErrorCode.NOT_SPEAKING),
        (StopSpeech(member_id="m2"), seat("s2"), ErrorCode.NOT_SPEAKING),
        (WithdrawRequest(member_id="m2"), chair(), ErrorCode.UNKNOWN_REQUEST),
        (WithdrawRequest(member_id="m3"), seat("s4"), ErrorCode.NOT_YOUR_MEMBER),
    ],
)
def test_stop_and_withdraw_refusals(cmd: Any, context: Context, code: ErrorCode) -> None:
    state = play(hall(), ask(1), grant(), ask(3))
    assert refused(state, cmd, context).code is code


# -- time limits and the clock ---------------------------------------------------


AUTO = FloorSettings(speaking_time_s=60, warning_s=10, auto_stop=True)


@pytest.mark.parametrize(
    ("floor", "context", "turn", "outcome"),
    [
        (AUTO, system(T0 + 61 * S), "t1", [stopped(1, 1, StopReason.EXPIRED, 60 * S)]),
        (AUTO, system(T0 + 70 * S), "t1", [stopped(1, 1, StopReason.EXPIRED, 69 * S)]),
        (AUTO, system(T0 + 61 * S - 1), "t1", ErrorCode.INVALID_STATE),
        (AUTO, system(T0 + 70 * S), "t2", ErrorCode.INVALID_STATE),
        (AUTO.model_copy(update={"auto_stop": False}), system(T0 + 70 * S), "t1", ErrorCode.INVALID_STATE),
        (AUTO.model_copy(update={"speaking_time_s": 0}), system(T0 + 9999 * S), "t1", ErrorCode.INVALID_STATE),
        (AUTO, chair(T0 + 70 * S), "t1", ErrorCode.FORBIDDEN),
        (AUTO, seat("s1", T0 + 70 * S), "t1", ErrorCode.FORBIDDEN),
        (AUTO, clerk(T0 + 70 * S), "t1", ErrorCode.FORBIDDEN),
    ],
    ids=["at-deadline", "after-deadline", "one-ms-early", "unknown-turn", "no-auto-stop", "no-limit",
         "chair", "seat", "clerk"],
)
def test_expire_only_by_the_clock_and_only_when_due(
    floor: FloorSettings, context: Context, turn: str, outcome: list[Event] | ErrorCode
) -> None:
    state = play(hall(floor), ask(1), grant(now=T0 + S))
    assert state.floor.speaking[0].auto_stop is floor.auto_stop
    assert state.floor.speaking[0].warning_s == floor.warning_s
    if isinstance(outcome, ErrorCode):
        err = refused(state, ExpireSpeech(turn_id=turn), context)
        assert err.code is outcome
        if outcome is ErrorCode.INVALID_STATE:
            assert err.details == {"turn_id": turn}
    else:
        events, state = step(state, ExpireSpeech(turn_id=turn), context)
        assert events == outcome
        assert speaking(state) == []


def test_expire_after_the_speech_was_stopped_is_refused() -> None:
    state = play(hall(AUTO), ask(1), grant(), stop(1, T0 + 30 * S))
    assert refused(state, ExpireSpeech(turn_id="t1"), system(T0 + 61 * S)).code is ErrorCode.INVALID_STATE


# -- reordering and re-adding ---------------------------------------------------------


@pytest.mark.parametrize(
    ("order", "outcome"),
    [
        (["m3", "m1", "m2"], ["r3", "r1", "r2"]),
        (["m1", "m2", "m3"], ["r1", "r2", "r3"]),
        (["m2", "m3", "m1"], ["r2", "r3", "r1"]),
        (["m1", "m2"], ErrorCode.MALFORMED),
        (["m1", "m2", "m3", "m4"], ErrorCode.MALFORMED),
        (["m1", "m1", "m2"], ErrorCode.MALFORMED),
        (["m1", "m2", "m5"], ErrorCode.MALFORMED),
        ([], ErrorCode.MALFORMED),
    ],
    ids=["rotate", "same", "rotate-back", "missing", "extra", "duplicate", "stranger", "empty"],
)
def test_reorder_must_be_a_permutation(order: list[str], outcome: list[str] | ErrorCode) -> None:
    state = play(hall(), ask(1), ask(2, PRO), ask(3, CONTRA))
    if isinstance(outcome, ErrorCode):
        err = refused(state, ReorderList(member_ids=order), chair())
        assert (err.code, err.details) == (outcome, {"on_list": ["m1", "m2", "m3"]})
    else:
        events, state = step(state, ReorderList(member_ids=order), chair())
        assert events == [ListReordered(request_ids=outcome)]
        assert [m for m, _ in queue(state)] == order
        events, state = step(state, *grant())
        assert [e.member_id for e in events] == [order[0]]  # type: ignore[union-attr]


def test_readd_last_speaker_with_the_same_kind_of_speech() -> None:
    state = play(hall(), ask(1, POO), grant(), ask(2), stop(1, T0 + 10 * S))
    events, state = step(state, ReaddLastSpeaker(), chair())
    assert events == [requested(3, 1, POO)]
    assert queue(state) == [("m1", POO), ("m2", C)]
    assert refused(state, ReaddLastSpeaker(), chair()).code is ErrorCode.ALREADY_REQUESTED


@pytest.mark.parametrize(
    ("steps", "code"),
    [
        ([], ErrorCode.INVALID_STATE),
        ([ask(1), grant()], ErrorCode.INVALID_STATE),  # still speaking: nobody has finished
        ([ask(1), grant(), stop(1, T0 + S), (CheckOut(member_id="m1"), seat("s1"))], ErrorCode.NOT_PRESENT),
        ([ask(1), grant(), stop(1, T0 + S), ask(1)], ErrorCode.ALREADY_REQUESTED),
        ([ask(1), grant(), stop(1, T0 + S), (SuspendSitting(), chair())], ErrorCode.INVALID_STATE),
    ],
    ids=["nobody-spoke", "first-still-speaking", "left-the-hall", "already-back", "suspended"],
)
def test_readd_last_speaker_refusals(steps: list[tuple[Any, Context]], code: ErrorCode) -> None:
    assert refused(play(hall(), *steps), ReaddLastSpeaker(), chair()).code is code


# -- request and grant refusals --------------------------------------------------------


def _scheduled() -> SittingState:
    return sitting(6, present=[1], opened=False)[0]


@pytest.mark.parametrize(
    ("state_of", "cmd", "context", "code", "details"),
    [
        (_scheduled, *ask(1), ErrorCode.INVALID_STATE, {"status": "scheduled"}),
        (lambda: play(hall(), (SuspendSitting(), chair())), *ask(1), ErrorCode.INVALID_STATE,
         {"status": "suspended"}),
        (lambda: play(hall(), (CloseSitting(), chair())), *ask(1), ErrorCode.INVALID_STATE,
         {"status": "closed"}),
        (lambda: hall(present=(1, 2)), RequestFloor(member_id="m5"), chair(), ErrorCode.NOT_PRESENT,
         {"member_id": "m5"}),
        (hall, RequestFloor(member_id="m99"), chair(), ErrorCode.UNKNOWN_MEMBER, {"member_id": "m99"}),
        (lambda: play(hall(), ask(1), ask(1, POO)), *ask(1, POO), ErrorCode.ALREADY_REQUESTED,
         {"member_id": "m1"}),
        (lambda: play(hall(), ask(1), grant()), *ask(1), ErrorCode.ALREADY_REQUESTED, {"member_id": "m1"}),
        (hall, *grant(), ErrorCode.INVALID_STATE, {}),
        (lambda: hall(present=(1,)), *grant(2), ErrorCode.NOT_PRESENT, {"member_id": "m2"}),
        (hall, *grant(99), ErrorCode.UNKNOWN_MEMBER, {"member_id": "m99"}),
        (lambda: play(hall(FloorSettings(max_open_mics=2)), grant(1)), *grant(1), ErrorCode.INVALID_STATE,
         {"member_id": "m1"}),
        (lambda: play(hall(), ask(1), (SuspendSitting(), chair())), *grant(), ErrorCode.INVALID_STATE,
         {"status": "suspended"}),
        (hall, ConfigureFloor(settings=FloorSettings()), chair(), ErrorCode.INVALID_STATE, {}),
        (hall, SetGroupQuota(group="purple", seconds=60), chair(), ErrorCode.MALFORMED, {"group": "purple"}),
    ],
    ids=["request-scheduled", "request-suspended", "request-closed", "request-absent", "request-stranger",
         "request-twice", "request-while-speaking", "grant-empty-list", "grant-absent", "grant-stranger",
         "grant-speaking", "grant-suspended", "configure-unchanged", "quota-unknown-group"],
)
def test_floor_refusals(
    state_of: Any, cmd: Any, context: Context, code: ErrorCode, details: dict[str, Any]
) -> None:
    err = refused(state_of(), cmd, context)
    assert (err.code, err.details) == (code, details)


@pytest.mark.parametrize(
    ("check_in", "mic"),
    [
        ((CheckIn(member_id="m5"), seat("s9")), "s9"),
        ((CheckIn(member_id="m5"), remote("m5")), "remote"),
        ((CheckIn(member_id="m5", remote=True), clerk()), "remote"),
        ((CheckIn(member_id="m5"), clerk()), None),
    ],
    ids=["seat", "remote-device", "remote-by-clerk", "clerk-no-seat"],
)
def test_the_microphone_is_where_the_member_checked_in(check_in: tuple[Any, Context], mic: str | None) -> None:
    state = play(hall(present=(1,)), check_in)
    events, _ = step(state, *grant(5))
    assert events == [granted(1, 5, mic=mic)]


def test_configure_floor_changes_the_settings() -> None:
    new = FloorSettings(mode=FloorMode.OPEN_FLOOR, max_open_mics=4, speaking_time_s=120)
    events, state = step(hall(), ConfigureFloor(settings=new), chair())
    assert events == [FloorConfigured(settings=new)]
    assert state.floor.settings == new
    events, state = step(state, *ask(1))
    assert events == [requested(1, 1), granted(1, 1, request=1, limit=120)]


# -- group quotas and totals ----------------------------------------------------


@pytest.mark.parametrize(
    ("quota", "used_s", "speaking_time_s", "n", "outcome"),
    [
        (60, 45, 300, 2, 15),
        (60, 59, 300, 2, 1),
        (60, 60, 300, 2, ErrorCode.QUOTA_EXHAUSTED),
        (60, 75, 300, 2, ErrorCode.QUOTA_EXHAUSTED),
        (600, 100, 300, 2, 300),  # more left than one speech may take
        (60, 20, 0, 2, 40),  # no speech limit: the quota is the limit
        (60, 60, 300, 3, 300),  # another group is not touched
        (0, 60, 300, 2, 300),  # 0 removes the quota
    ],
    ids=["cut-to-left", "one-second-left", "used-up", "overrun", "quota-above-limit", "no-speech-limit",
         "other-group", "no-quota"],
)
def test_group_quota(quota: int, used_s: int, speaking_time_s: int, n: int, outcome: int | ErrorCode) -> None:
    state = hall(FloorSettings(speaking_time_s=speaking_time_s))
    events, state = step(state, SetGroupQuota(group="blue", seconds=quota), chair())
    assert events == [QuotaSet(group="blue", seconds=quota)]
    assert state.floor.quotas == ({"blue": quota} if quota else {})
    state = play(state, grant(1, T0), stop(1, T0 + used_s * S))
    assert state.floor.group_used_ms == {"blue": used_s * S}
    if isinstance(outcome, ErrorCode):
        err = refused(state, *grant(n))
        assert (err.code, err.details) == (outcome, {"group": "blue", "quota_s": quota})
    else:
        events, _ = step(state, *grant(n))
        assert events == [granted(2, n, limit=outcome)]


def test_quota_can_be_removed_and_applies_to_points_of_order() -> None:
    state = play(hall(), (SetGroupQuota(group="blue", seconds=100), chair()), grant(1), stop(1, T0 + 90 * S))
    state = run(state, *ask(2, POO))
    events, _ = step(state, *grant())
    assert events == [granted(2, 2, POO, request=1, limit=10)]
    events, state = step(state, SetGroupQuota(group="blue", seconds=0), chair())
    assert events == [QuotaSet(group="blue", seconds=0)]
    assert state.floor.quotas == {}
    events, _ = step(state, *grant())
    assert events == [granted(2, 2, POO, request=1, limit=120)]


def test_quota_resets_when_a_new_item_is_taken_up_and_totals_do_not() -> None:
    state = play(hall(), (SetGroupQuota(group="blue", seconds=60), chair()), grant(1), stop(1, T0 + 60 * S))
    assert refused(state, *grant(2)).code is ErrorCode.QUOTA_EXHAUSTED
    events, state = step(state, TakeUpItem(item_id="i2"), chair())
    assert events == [ItemTakenUp(item_id="i2", previous_item_id="i1")]
    assert state.floor.group_used_ms == {}
    assert state.floor.quotas == {"blue": 60}
    events, state = step(state, *grant(2, T0 + 100 * S))
    assert events == [granted(2, 2, limit=60, item_id="i2")]
    state = play(state, stop(2, T0 + 130 * S), grant(1, T0 + 200 * S), stop(1, T0 + 210 * S))
    assert state.floor.group_used_ms == {"blue": 40 * S}
    assert state.floor.member_total_ms == {"m1": 70 * S, "m2": 30 * S}
    events, _ = step(state, *grant(2))
    assert events == [granted(4, 2, limit=20, item_id="i2")]


def test_open_floor_respects_an_exhausted_group_quota() -> None:
    """Regression: open floor skipped the quota check, and time_limit() 0 means 'no limit'."""
    state = hall(FloorSettings(mode=FloorMode.OPEN_FLOOR))
    state = play(state, (SetGroupQuota(group="blue", seconds=60), chair()), ask(1), stop(1, T0 + 60 * S))
    assert state.floor.group_used_ms == {"blue": 60 * S}
    err = refused(state, *ask(2))
    assert (err.code, err.details) == (ErrorCode.QUOTA_EXHAUSTED, {"group": "blue", "quota_s": 60})
    events, _ = step(state, *ask(3))  # another group still speaks
    assert events == [requested(2, 3), granted(2, 3, request=2)]


def test_open_floor_cuts_time_to_the_group_quota() -> None:
    state = hall(FloorSettings(mode=FloorMode.OPEN_FLOOR))
    state = play(state, (SetGroupQuota(group="blue", seconds=60), chair()), ask(1), stop(1, T0 + 45 * S))
    events, _ = step(state, *ask(2))
    assert events == [requested(2, 2), granted(2, 2, request=2, limit=15)]


# -- leaving the hall ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("steps", "context", "events", "after_queue"),
    [
        ([ask(1), grant(), ask(2)], seat("s1", T0 + 20 * S),
         [stopped(1, 1, StopReason.SELF, 20 * S), CheckedOut(member_id="m1")], [("m2", C)]),
        ([ask(1), grant(), ask(2)], clerk(T0 + 20 * S),
         [stopped(1, 1, StopReason.SELF, 20 * S), CheckedOut(member_id="m1")], [("m2", C)]),
        ([ask(2), ask(1, POO)], seat("s1"),
         [RequestWithdrawn(request_id="r2", member_id="m1", by_chair=False), CheckedOut(member_id="m1")],
         [("m2", C)]),
        ([ask(2)], personal("m1"), [CheckedOut(member_id="m1")], [("m2", C)]),
    ],
    ids=["speaking", "speaking-clerk", "on-the-list", "idle"],
)
def test_check_out_stops_the_speech_and_drops_the_request(
    steps: list[tuple[Any, Context]], context: Context, events: list[Event], after_queue: list[Any]
) -> None:
    state = play(hall(), *steps)
    got, state = step(state, CheckOut(member_id="m1"), context)
    assert got == events
    assert speaking(state) == []
    assert queue(state) == after_queue
    assert "m1" not in state.presence
    assert state.member_at_seat("s1") is None
