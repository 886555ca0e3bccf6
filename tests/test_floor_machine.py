"""The floor as a state machine under random sequences of commands from every side.

Whatever members, the chair and the clock do, in any order, the floor keeps
its invariants; a refused command changes nothing; replaying the log rebuilds
the same state.

Speaking time is checked against an independent ledger kept from the events
alone, as a sound engineer would keep it: a microphone is live from
``floor.granted`` or ``floor.resumed`` to ``floor.paused`` or ``floor.stopped``.
Each member's total, each stopped turn's duration and each group's time on
the current item must equal that ledger to the millisecond, through
extensions, pauses, suspensions, several microphones at once, item changes
and closing; and no microphone is live while the sitting is suspended.
"""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from hall_server.hall import seal_records
from procedure import SittingState, decide, empty_state, fold
from protocol.commands import (
    AddItem,
    CheckIn,
    CheckOut,
    CloseList,
    CloseSitting,
    ConfigureFloor,
    ExpireSpeech,
    ExtendSpeech,
    GrantFloor,
    NextItem,
    OpenSitting,
    PauseSpeech,
    ReaddLastSpeaker,
    ReopenList,
    ReorderList,
    RequestFloor,
    ResumeSitting,
    ResumeSpeech,
    SetGroupQuota,
    SetItemLimits,
    StopSpeech,
    SuspendSitting,
    WarnSpeech,
    WithdrawRequest,
)
from protocol.errors import ProtocolError
from protocol.events import Record
from protocol.settings import FloorSettings, ItemLimits
from protocol.types import FloorMode, SittingStatus, SpeechType
from tests.domain_support import (
    SITTING,
    T0,
    chair,
    clerk,
    create_cmd,
    group_of,
    member_id,
    registry_with,
    seat,
    system,
)

MEMBERS = 6
members = st.integers(min_value=1, max_value=MEMBERS)


class Floor(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.registry = registry_with(MEMBERS)
        self.state: SittingState = SittingState(stream=SITTING)
        self.now = T0
        self.records: list[Record] = []
        # The ledger: turn -> (member, group, live since | None); ms spoken per member, per turn,
        # and per group since the current item was taken up (live turns: from then on).
        self.live: dict[str, tuple[str, str, int | None]] = {}
        self.spoken: dict[str, int] = {}
        self.turn_ms: dict[str, int] = {}
        self.group_ms: dict[str, int] = {}
        self.item_since = T0
        self.send(create_cmd(None, "senate-plenary"), clerk)
        for i in ("i1", "i2", "i3"):
            self.send(AddItem(item_id=i, parent_id=None, title_km=f"ចំណុច {i}", title_en=i), clerk)
        self.send(OpenSitting(without_quorum=True), chair)
        for n in range(1, MEMBERS + 1):
            self.send(CheckIn(member_id=member_id(n), pin="1234"), lambda now, n=n: seat(f"s{n}", now))
        assert len(self.state.presence) == MEMBERS

    def send(self, cmd: object, ctx_of: object) -> None:
        self.now += 1500
        ctx = ctx_of(self.now)  # type: ignore[operator]
        before = self.state
        try:
            events = decide(self.state, cmd, ctx, self.registry)  # type: ignore[arg-type]
        except ProtocolError:
            assert self.state is before  # refused: nothing changed
            return
        for record in seal_records(self.state.stream, self.state, events, ctx, None):
            self.state = fold(self.state, record)  # type: ignore[assignment]
            self.records.append(record)
            self.keep_ledger(record)
        if any(e.type == "floor.granted" for e in events):
            # Right after a microphone opens, the open ones fit the limit, in every mode
            # (open floor drops the oldest; the other modes refuse at the limit).
            assert len(self.state.floor.speaking) <= self.state.floor.settings.max_open_mics

    def keep_ledger(self, record: Record) -> None:
        e, at = record.event, record.at_ms
        match e.type:
            case "floor.granted":
                self.live[e.turn_id] = (e.member_id, group_of(int(e.member_id[1:])), at)  # type: ignore[union-attr]
                self.turn_ms[e.turn_id] = 0  # type: ignore[union-attr]
            case "floor.resumed":
                member, group, _ = self.live[e.turn_id]  # type: ignore[union-attr]
                self.live[e.turn_id] = (member, group, at)  # type: ignore[union-attr]
            case "floor.paused" | "floor.stopped":
                member, group, since = self.live[e.turn_id]  # type: ignore[union-attr]
                if since is not None:
                    self.spoken[member] = self.spoken.get(member, 0) + at - since
                    self.turn_ms[e.turn_id] += at - since  # type: ignore[union-attr]
                    self.group_ms[group] = self.group_ms.get(group, 0) + at - max(since, self.item_since)
                self.live[e.turn_id] = (member, group, None)  # type: ignore[union-attr]
                if e.type == "floor.stopped":
                    assert e.duration_ms == self.turn_ms[e.turn_id], "a turn's duration is not its live time"  # type: ignore[union-attr]
                    del self.live[e.turn_id]  # type: ignore[union-attr]
            case "agenda.item_taken_up":
                self.item_since = at
                self.group_ms = {}

    def ledger_at(self, now: int) -> tuple[dict[str, int], dict[str, int]]:
        """Per member and per group (current item), the ledger's ms up to ``now``."""
        members, groups = dict(self.spoken), dict(self.group_ms)
        for member, group, since in self.live.values():
            if since is not None:
                members[member] = members.get(member, 0) + now - since
                groups[group] = groups.get(group, 0) + now - max(since, self.item_since)
        return members, groups

    @rule(n=members, kind=st.sampled_from(list(SpeechType)))
    def member_requests(self, n: int, kind: SpeechType) -> None:
        self.send(RequestFloor(member_id=member_id(n), speech_type=kind), lambda now: seat(f"s{n}", now))

    @rule(n=members)
    def member_withdraws(self, n: int) -> None:
        self.send(WithdrawRequest(member_id=member_id(n)), lambda now: seat(f"s{n}", now))

    @rule(n=st.none() | members)
    def chair_grants(self, n: int | None) -> None:
        self.send(GrantFloor(member_id=member_id(n) if n else None), chair)

    @rule(n=members)
    def chair_stops(self, n: int) -> None:
        self.send(StopSpeech(member_id=member_id(n)), chair)

    @rule(n=members)
    def speaker_stops(self, n: int) -> None:
        self.send(StopSpeech(member_id=member_id(n)), lambda now: seat(f"s{n}", now))

    @rule(data=st.data())
    def chair_reorders(self, data: st.DataObject) -> None:
        order = data.draw(st.permutations([r.member_id for r in self.state.floor.queue]))
        self.send(ReorderList(member_ids=list(order)), chair)

    @rule()
    def chair_readds(self) -> None:
        self.send(ReaddLastSpeaker(), chair)

    @rule(mode=st.sampled_from(list(FloorMode)), mics=st.integers(1, 3), limit=st.sampled_from([0, 3, 60]))
    def chair_configures(self, mode: FloorMode, mics: int, limit: int) -> None:
        settings_ = FloorSettings(mode=mode, max_open_mics=mics, speaking_time_s=limit, auto_stop=True)
        self.send(ConfigureFloor(settings=settings_), chair)

    @rule(n=members, seconds=st.sampled_from([0, 2, 30]))
    def chair_sets_quota(self, n: int, seconds: int) -> None:
        self.send(SetGroupQuota(group=group_of(n), seconds=seconds), chair)

    @rule()
    def clock_expires(self) -> None:
        for turn in list(self.state.floor.speaking):
            self.send(ExpireSpeech(turn_id=turn.turn_id), system)

    @rule(clear=st.booleans())
    def next_item(self, clear: bool) -> None:
        self.send(NextItem(clear_list=clear), chair)

    @rule(ms=st.integers(1, 90_000))
    def time_passes(self, ms: int) -> None:
        self.now += ms

    @rule(n=members, seconds=st.sampled_from([1, 60]))
    def chair_extends(self, n: int, seconds: int) -> None:
        self.send(ExtendSpeech(member_id=member_id(n), seconds=seconds), chair)

    @rule(n=members)
    def chair_pauses(self, n: int) -> None:
        self.send(PauseSpeech(member_id=member_id(n)), chair)

    @rule(n=members)
    def chair_resumes(self, n: int) -> None:
        self.send(ResumeSpeech(member_id=member_id(n)), chair)

    @rule()
    def clock_warns(self) -> None:
        for turn in list(self.state.floor.speaking):
            self.send(WarnSpeech(turn_id=turn.turn_id), system)

    @rule()
    def chair_suspends(self) -> None:
        self.send(SuspendSitting(), chair)

    @rule()
    def chair_resumes_sitting(self) -> None:
        self.send(ResumeSitting(), chair)

    @rule(closed=st.booleans())
    def chair_closes_or_reopens_list(self, closed: bool) -> None:
        self.send(CloseList() if closed else ReopenList(), chair)

    @rule(time=st.none() | st.sampled_from([0, 5, 60]), cut=st.none() | st.booleans(), cap=st.integers(0, 2))
    def chair_limits_item(self, time: int | None, cut: bool | None, cap: int) -> None:
        item = self.state.current_item or "i1"
        limits = ItemLimits(speaking_time_s=time, auto_stop=cut, max_speeches=cap)
        self.send(SetItemLimits(item_id=item, limits=limits), chair)

    @rule()
    def chair_closes_the_sitting_rarely(self) -> None:
        if len(self.records) > 120:
            self.send(CloseSitting(), chair)

    @rule(n=members)
    def member_leaves_and_returns(self, n: int) -> None:
        self.send(CheckOut(member_id=member_id(n)), lambda now: seat(f"s{n}", now))
        self.send(CheckIn(member_id=member_id(n), pin="1234"), lambda now: seat(f"s{n}", now))

    @rule(n=members)
    def clerk_marks_absent(self, n: int) -> None:
        self.send(CheckOut(member_id=member_id(n)), clerk)

    @invariant()
    def floor_holds(self) -> None:
        s: SittingState = self.state
        f = s.floor
        queued = [(r.member_id, r.speech_type is SpeechType.POINT_OF_ORDER) for r in f.queue]
        speaking = [t.member_id for t in f.speaking]
        # A member holds at most one request and one point of order; a speaker keeps only
        # the kind of request they are not speaking on (the place kept by a point of order).
        assert len(set(queued)) == len(queued), "a member is twice on the list for the same kind"
        for t in f.speaking:
            kept = [poo for m, poo in queued if m == t.member_id]
            assert (t.speech_type is SpeechType.POINT_OF_ORDER) not in kept, "a speaker is still on the list"
        assert {m for m, _ in queued} | set(speaking) <= set(s.presence), "someone absent holds the floor"
        kinds = [poo for _, poo in queued]
        assert kinds == sorted(kinds, reverse=True) or not any(kinds) or self._reordered()
        assert all(v >= 0 for v in f.member_total_ms.values())

    @invariant()
    def speaking_time_is_live_microphone_time(self) -> None:
        s: SittingState = self.state
        members_ms, groups_ms = self.ledger_at(self.now)
        totals = {m: s.floor.member_total_ms.get(m, 0) for m in members_ms}
        for t in s.floor.speaking:
            totals[t.member_id] = totals.get(t.member_id, 0) + t.elapsed_ms(self.now)
        assert {m: v for m, v in totals.items() if v} == {m: v for m, v in members_ms.items() if v}
        for group in {*groups_ms, *s.floor.group_used_ms}:
            assert s.floor.group_elapsed_ms(group, self.now) == groups_ms.get(group, 0), group
        if s.status is not SittingStatus.OPEN:
            assert all(since is None for _, _, since in self.live.values()), "a microphone is live in a break"

    def _reordered(self) -> bool:
        return any(r.event.type == "floor.reordered" for r in self.records)

    def teardown(self) -> None:
        """The log alone rebuilds the very same state."""
        replay = empty_state(SITTING)
        for r in self.records:
            replay = fold(replay, r)
        assert replay == self.state


TestFloor = Floor.TestCase
TestFloor.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
