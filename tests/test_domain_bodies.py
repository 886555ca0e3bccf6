"""Bodies and guests: a commission sits with its own members, its quorum and absentees are theirs.

The Senate's commissions each have their members (with dated seats and
substitutes) and a bureau; a sitting of one takes the members seated on its
date. Guests (ministers, experts, staff) may be given the floor and never
vote, check in or count.
"""

from __future__ import annotations

from procedure import RegistryState, SittingState
from procedure.sitting import follows_registry, moves_roster
from protocol.ballots import Ballot, encode_ballot
from protocol.commands import (
    AddGuest,
    AddItem,
    CastBallot,
    CheckIn,
    CreateSitting,
    DefineBody,
    GrantFloor,
    Membership,
    Officer,
    OpenSitting,
    OpenVote,
    RenewRoster,
    SetMembership,
    StopSpeech,
    TakeUpItem,
    UpdateMember,
)
from protocol.errors import ErrorCode
from protocol.events import FloorGranted
from protocol.types import Body, GuestKind, Office
from tests.domain_support import chair, clerk, member_id, refused, registry_with, run, seat, step

C9 = "commission-9"


def commission(reg: RegistryState, members: list[Membership], officers: tuple[Officer, ...] = ()) -> RegistryState:
    reg = run(reg, DefineBody(body_id=C9, kind=Body.COMMISSION, name_km="គណៈកម្មការទី៩",
                              name_en="Ninth Commission"), clerk())
    return run(reg, SetMembership(body_id=C9, members=members, officers=list(officers)), clerk())


def create(reg: RegistryState, day: str = "2026-12-01", body: str = C9, stream: str = "c9-1") -> SittingState:
    cmd = CreateSitting(body=body, number=1, title_km="កិច្ចប្រជុំ", title_en="Meeting", date=day, place="Room 9")
    return run(SittingState(stream=stream), cmd, clerk(), reg)


def nine_of_sixty_two() -> RegistryState:
    reg = registry_with(62)
    return commission(reg, [Membership(member_id=member_id(n)) for n in range(1, 10)],
                      (Officer(member_id="m1", office=Office.PRESIDENT),
                       Officer(member_id="m2", office=Office.VICE_PRESIDENT),
                       Officer(member_id="m3", office=Office.SECRETARY)))


def test_a_commission_sitting_takes_its_nine_members_and_their_quorum() -> None:
    state = create(nine_of_sixty_two())
    assert list(state.roster) == [member_id(n) for n in range(1, 10)]
    assert (state.body, state.body_id, state.rules and state.rules.id) == (Body.COMMISSION, C9, "senate-committee")
    assert state.seats() == 9 and state.quorum_needed() == 5  # half of 9, rounded up
    assert state.roster["m1"].office is Office.PRESIDENT and state.roster["m4"].office is None
    for n in range(1, 5):
        state = run(state, CheckIn(member_id=member_id(n)), seat(f"s{n}"))
    assert not state.has_quorum()
    state = run(state, CheckIn(member_id="m5"), seat("s5"))
    assert state.has_quorum()
    err = refused(state, CheckIn(member_id="m10"), seat("s10"))
    assert (err.code, err.details) == (ErrorCode.UNKNOWN_MEMBER, {"member_id": "m10"})


def test_dated_seats_and_substitutes_decide_the_roster_of_each_day() -> None:
    reg = commission(registry_with(12), [
        *(Membership(member_id=member_id(n)) for n in range(1, 8)),
        Membership(member_id="m8", end="2026-11-30"),
        Membership(member_id="m9", start="2026-12-01"),
        Membership(member_id="m10", substitute_for="m2", start="2026-12-01", end="2026-12-31"),
    ])
    before = create(reg, "2026-11-30", stream="c9-a")
    after = create(reg, "2026-12-02", stream="c9-b")
    january = create(reg, "2027-01-05", stream="c9-c")
    assert list(before.roster) == ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"]
    assert list(after.roster) == ["m1", "m10", "m3", "m4", "m5", "m6", "m7", "m9"]
    assert after.roster["m10"].substitute_for == "m2" and after.seats() == 8
    assert list(january.roster) == ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m9"]


def test_membership_is_checked_when_it_is_set() -> None:
    reg = registry_with(5)
    err = refused(reg, SetMembership(body_id=C9, members=[]), clerk())
    assert err.code is ErrorCode.UNKNOWN_BODY
    reg = commission(reg, [Membership(member_id="m1")])
    cases = [
        ([Membership(member_id="m99")], [], ErrorCode.UNKNOWN_MEMBER),
        ([Membership(member_id="m1", end="2026-12-31"), Membership(member_id="m1", start="2026-12-01")], [],
         ErrorCode.MALFORMED),
        ([Membership(member_id="m1"), Membership(member_id="m2", substitute_for="m3")], [], ErrorCode.MALFORMED),
        ([Membership(member_id="m1")], [Officer(member_id="m2", office=Office.SECRETARY)], ErrorCode.MALFORMED),
        ([Membership(member_id="m1"), Membership(member_id="m2")],
         [Officer(member_id="m1", office=Office.PRESIDENT), Officer(member_id="m2", office=Office.PRESIDENT)],
         ErrorCode.MALFORMED),
        ([Membership(member_id="m1")], [], ErrorCode.ALREADY_EXISTS),
    ]
    for members, officers, code in cases:
        assert refused(reg, SetMembership(body_id=C9, members=members, officers=officers), clerk()).code is code
    assert refused(reg, SetMembership(body_id=C9, members=[]), chair()).code is ErrorCode.FORBIDDEN


def test_a_body_names_its_rules_and_time_zone_and_an_unknown_body_is_refused() -> None:
    reg = registry_with(3)
    err = refused(reg, DefineBody(body_id="sc", kind=Body.STANDING_COMMITTEE, name_km="គ", name_en="SC",
                                  rules="nope"), clerk())
    assert err.code is ErrorCode.MALFORMED
    reg = run(reg, DefineBody(body_id="sc", kind=Body.STANDING_COMMITTEE, name_km="គ", name_en="SC",
                              rules="senate-plenary", time_zone="Asia/Bangkok"), clerk())
    state = create(reg, body="sc", stream="sc-1")
    assert (state.rules and state.rules.id, state.time_zone, len(state.roster)) == ("senate-plenary",
                                                                                   "Asia/Bangkok", 3)
    err = refused(SittingState(stream="x-1"), CreateSitting(body="commission-4", number=1, title_km="ក",
                                                             title_en="A", date="2026-12-01", place="R"),
                  clerk(), reg)
    assert (err.code, err.details["body_id"]) == (ErrorCode.UNKNOWN_BODY, "commission-4")


def test_a_plenary_without_membership_keeps_every_registered_member() -> None:
    state = create(nine_of_sixty_two(), body=Body.PLENARY, stream="p-1")
    assert len(state.roster) == 62 and state.body_id == "plenary"


def heard(state: SittingState) -> SittingState:
    """The commission's sitting with a minister listed for item 2, an expert for any item, opened on item 1."""
    for item in ("1", "2"):
        state = run(state, AddItem(item_id=item, title_km=f"ចំណុច {item}", title_en=f"Item {item}"), clerk())
    state = run(state, AddGuest(guest_id="g-minister", kind=GuestKind.MINISTER, name_km="ឯកឧត្តម រដ្ឋមន្ត្រី",
                                name_latin="H.E. Minister", title_en="Minister of Economy", item_id="2"), clerk())
    state = run(state, AddGuest(guest_id="g-expert", kind=GuestKind.EXPERT, name_km="អ្នកជំនាញ",
                                name_latin="An Expert"), clerk())
    for n in range(1, 6):
        state = run(state, CheckIn(member_id=member_id(n)), seat(f"s{n}"))
    state = run(state, OpenSitting(), chair())
    return run(state, TakeUpItem(item_id="1"), chair())


def test_the_chair_gives_a_guest_the_floor_on_their_item() -> None:
    state = heard(create(nine_of_sixty_two()))
    err = refused(state, GrantFloor(member_id="g-minister"), chair())
    assert (err.code, err.details["item_id"]) == (ErrorCode.INVALID_STATE, "2")
    events, state = step(state, GrantFloor(member_id="g-expert"), chair())
    assert isinstance(events[-1], FloorGranted) and events[-1].member_id == "g-expert" and events[-1].mic is None
    state = run(state, StopSpeech(member_id="g-expert"), chair())
    state = run(state, TakeUpItem(item_id="2"), chair())
    events, state = step(state, GrantFloor(member_id="g-minister"), chair())
    assert [t.member_id for t in state.floor.speaking] == ["g-minister"]
    assert state.present_count() == 5 and "g-minister" not in state.roster


def test_a_guest_never_checks_in_votes_or_is_added_twice() -> None:
    state = heard(create(nine_of_sixty_two()))
    err = refused(state, CheckIn(member_id="g-expert"), seat("s20"))
    assert (err.code, err.details) == (ErrorCode.GUEST, {"member_id": "g-expert"})
    state = run(state, OpenVote(vote_id="v1", motion_km="ញត្តិ", motion_en="Motion"), chair())
    ballot = encode_ballot(Ballot(sitting=state.stream, vote="v1", member="g-expert", seat="s20", choice="yes",
                                  nonce="0" * 32))
    err = refused(state, CastBallot(ballot=ballot, signature="0" * 128), seat("s20"))
    assert (err.code, err.details) == (ErrorCode.GUEST, {"member_id": "g-expert"})
    dup = AddGuest(guest_id="m1", kind=GuestKind.STAFF, name_km="ក", name_latin="A")
    assert refused(state, dup, clerk()).code is ErrorCode.ALREADY_EXISTS
    assert refused(state, dup.model_copy(update={"guest_id": "g-3", "item_id": "9"}), clerk()).code \
        is ErrorCode.UNKNOWN_ITEM
    assert refused(state, dup.model_copy(update={"guest_id": "g-3"}), chair()).code is ErrorCode.FORBIDDEN


def test_a_scheduled_sitting_takes_the_membership_and_names_the_registry_has_now() -> None:
    """Issue 12: the roster is the body's membership on the date, not a copy made when the clerk scheduled it."""
    reg = nine_of_sixty_two()
    state = create(reg)
    assert follows_registry(state, reg)
    for n in (4, 9):
        state = run(state, CheckIn(member_id=member_id(n)), seat(f"s{n}"))
    # m9 leaves on the eve of the sitting, m10 substitutes for m2 that day, m4 is renamed, m1 leaves the chair.
    reg = run(reg, SetMembership(body_id=C9, members=[
        *(Membership(member_id=member_id(n)) for n in range(1, 9)),
        Membership(member_id="m9", end="2026-11-30"),
        Membership(member_id="m10", substitute_for="m2", start="2026-12-01", end="2026-12-01"),
    ], officers=[Officer(member_id="m3", office=Office.PRESIDENT)]), clerk())
    reg = run(reg, UpdateMember(member_id="m4", name_latin="Renamed Four", group="G9"), clerk())
    assert not follows_registry(state, reg)
    events, state = step(state, RenewRoster(), clerk(), reg)
    assert [e.type for e in events] == ["attendance.checked_out", "sitting.roster_renewed"]
    assert list(state.roster) == ["m1", "m10", "m3", "m4", "m5", "m6", "m7", "m8"]
    assert state.roster["m10"].substitute_for == "m2" and state.roster["m4"].name_latin == "Renamed Four"
    assert state.roster["m3"].office is Office.PRESIDENT and state.roster["m1"].office is None
    assert list(state.presence) == ["m4"] and state.seats() == 8 and state.quorum_needed() == 4
    assert follows_registry(state, reg)
    assert step(state, RenewRoster(), clerk(), reg)[0] == []  # nothing new: nothing in the log
    # Which registry commands the hall compares this sitting's roster for: its members', its body's.
    assert moves_roster(state, UpdateMember(member_id="m4", group="G1"))
    assert not moves_roster(state, UpdateMember(member_id="m9", group="G1"))  # no longer on it
    assert moves_roster(state, SetMembership(body_id=C9, members=[]))
    assert not moves_roster(state, SetMembership(body_id="commission-1", members=[]))
    assert refused(state, RenewRoster(), chair(), reg).code is ErrorCode.FORBIDDEN
    # From the opening on, the roster is the record's.
    opened = run(state, OpenSitting(without_quorum=True), chair())
    assert not follows_registry(opened, reg)
    assert refused(opened, RenewRoster(), clerk(), reg).code is ErrorCode.INVALID_STATE


def test_a_sitting_with_its_own_list_is_handed_back_to_its_body_by_renewal() -> None:
    reg = nine_of_sixty_two()
    listed = run(SittingState(stream="c9-l"), CreateSitting(body=C9, number=2, title_km="ក", title_en="A",
                                                             date="2026-12-01", place="R", members=["m1", "m2"]),
                 clerk(), reg)
    assert not follows_registry(listed, reg)  # the hall leaves a chosen list alone
    renewed = run(listed, RenewRoster(), clerk(), reg)
    assert list(renewed.roster) == [member_id(n) for n in range(1, 10)]
