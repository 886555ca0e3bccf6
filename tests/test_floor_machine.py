"""The floor as a state machine under random sequences of commands from every side.

Whatever members, the chair and the clock do, in any order, the floor keeps
its invariants; a refused command changes nothing; replaying the log rebuilds
the same state.
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
    ConfigureFloor,
    ExpireSpeech,
    GrantFloor,
    NextItem,
    OpenSitting,
    ReaddLastSpeaker,
    ReorderList,
    RequestFloor,
    SetGroupQuota,
    StopSpeech,
    WithdrawRequest,
)
from protocol.errors import ProtocolError
from protocol.events import Record
from protocol.settings import FloorSettings
from protocol.types import FloorMode, SpeechType
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
        self.send(create_cmd(None, "senate-plenary"), clerk)
        for i in ("i1", "i2", "i3"):
            self.send(AddItem(item_id=i, parent_id=None, title_km=f"ចំណុច {i}", title_en=i), clerk)
        self.send(OpenSitting(), chair)
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
        if any(e.type == "floor.granted" for e in events):
            # Right after a microphone opens, the open ones fit the limit, in every mode
            # (open floor drops the oldest; the other modes refuse at the limit).
            assert len(self.state.floor.speaking) <= self.state.floor.settings.max_open_mics

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

    @rule()
    def next_item(self) -> None:
        self.send(NextItem(), chair)

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
        queued = [r.member_id for r in f.queue]
        speaking = [t.member_id for t in f.speaking]
        assert len(set(queued)) == len(queued), "a member is twice on the list"
        assert not set(queued) & set(speaking), "a speaker is still on the list"
        assert set(queued) | set(speaking) <= set(s.presence), "someone absent holds the floor"
        kinds = [r.speech_type is SpeechType.POINT_OF_ORDER for r in f.queue]
        assert kinds == sorted(kinds, reverse=True) or not any(kinds) or self._reordered()
        assert all(v >= 0 for v in f.member_total_ms.values())

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
