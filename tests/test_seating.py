"""Seating plans: the clerk's geometry validated, the room named at creation, the seats' live
state on the pages, and no choice in it whatever the vote (issue 13, part 5)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from procedure import RegistryState, SittingState, dump_state, load_state
from procedure.views import plan_view, public_view
from protocol.ballots import Ballot, encode_ballot
from protocol.commands import (
    CastBallot,
    CheckIn,
    CloseVote,
    CreateSitting,
    DefinePlan,
    GrantFloor,
    OpenVote,
    RequestFloor,
)
from protocol.errors import ErrorCode
from protocol.limits import MAX_COMMAND_BYTES
from protocol.seating import MAX_PLAN_SEATS, PlanSeat, SeatingPlan
from protocol.types import Role, VoteKind
from tests.domain_support import SITTING, chair, clerk, create_cmd, ctx, refused, run, sitting


def grid(rows: int, columns: int, gaps: frozenset[tuple[int, int]] = frozenset(), room: str = "hall") -> SeatingPlan:
    seats = [PlanSeat(seat=f"s{(r - 1) * columns + c}", row=r, column=c)
             for r in range(1, rows + 1) for c in range(1, columns + 1) if (r, c) not in gaps]
    return SeatingPlan(room_id=room, name_km="សាលប្រជុំ", name_en="Hall", rows=rows, columns=columns, seats=seats)


def plan_json(**changes: Any) -> dict[str, Any]:
    return {**grid(2, 3).model_dump(mode="json"), **changes}


@pytest.mark.parametrize(("changes", "says"), [
    ({"seats": [{"seat": "a", "row": 3, "column": 1}]}, "outside the 2 x 3 grid: a"),
    ({"seats": [{"seat": "a", "row": 1, "column": 1}, {"seat": "a", "row": 1, "column": 2}]}, "used twice: a"),
    ({"seats": [{"seat": "a", "row": 1, "column": 1}, {"seat": "b", "row": 1, "column": 1}]}, "share a position"),
    ({"seats": []}, "at least 1"),
    ({"rows": 0}, "greater than or equal to 1"),
    ({"shape": "round"}, "'rows' or 'hemicycle'"),
    ({"seats": [{"seat": "a b", "row": 1, "column": 1}]}, "pattern"),
])
def test_a_plan_that_cannot_be_drawn_is_refused(changes: dict[str, Any], says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        DefinePlan.model_validate({"plan": plan_json(**changes)})


def test_the_largest_plan_fits_in_one_command() -> None:
    plan = grid(15, 80)
    assert len(plan.seats) == MAX_PLAN_SEATS
    assert len(DefinePlan(plan=plan).model_dump_json()) < MAX_COMMAND_BYTES


def test_the_clerk_defines_and_redraws_a_room_plan() -> None:
    reg = run(RegistryState(), DefinePlan(plan=grid(2, 3)), clerk())
    assert reg.plans["hall"] == grid(2, 3)
    assert refused(reg, DefinePlan(plan=grid(2, 3)), clerk()).code is ErrorCode.ALREADY_EXISTS
    assert refused(reg, DefinePlan(plan=grid(3, 3)), chair()).code is ErrorCode.FORBIDDEN
    reg = run(reg, DefinePlan(plan=grid(3, 3, frozenset({(2, 2)}))), clerk())
    assert len(reg.plans["hall"].seats) == 8
    assert plan_view(reg, "hall") == reg.plans["hall"].model_dump(mode="json")
    assert plan_view(reg, "elsewhere") is None and plan_view(reg, None) is None


def test_a_sitting_names_a_room_that_has_a_plan() -> None:
    _, reg = sitting()
    cmd = CreateSitting(**{**create_cmd().model_dump(), "room": "hall"})
    assert refused(SittingState(stream=SITTING), cmd, clerk(), reg).code is ErrorCode.MALFORMED
    reg = run(reg, DefinePlan(plan=grid(2, 3)), clerk())
    state = run(SittingState(stream=SITTING), cmd, clerk(), reg)
    assert state.room == "hall" and public_view(state)["room"] == "hall"


def ballot(seat: str, member: str, vote: str, choice: str) -> CastBallot:
    b = Ballot(sitting=SITTING, vote=vote, member=member, seat=seat, choice=choice, nonce=member[1:].rjust(32, "0"))
    return CastBallot(ballot=encode_ballot(b), signature="ab" * 64)


@pytest.mark.parametrize("kind", [VoteKind.SECRET, VoteKind.ROLL_CALL])
def test_the_seats_show_present_requested_speaking_and_voted_never_a_choice(kind: VoteKind) -> None:
    state, _ = sitting(present=(1, 2, 3, 4))
    state = run(state, RequestFloor(member_id="m2"), ctx(Role.SEAT, seat="s2"))
    state = run(state, GrantFloor(member_id="m3"), chair())
    state = run(state, OpenVote(vote_id="v1", motion_km="ញត្តិ", motion_en="Motion", kind=kind,
                                 without_quorum=True), chair())
    for n, choice in ((1, "yes"), (3, "no"), (4, "abstain")):
        state = run(state, ballot(f"s{n}", f"m{n}", "v1", choice), ctx(Role.SEAT, seat=f"s{n}", signature_ok=True))

    seats = public_view(state)["seats"]

    assert seats == {
        "s1": {"member_id": "m1", "requested": False, "speaking": False, "voted": True},
        "s2": {"member_id": "m2", "requested": True, "speaking": False, "voted": False},
        "s3": {"member_id": "m3", "requested": False, "speaking": True, "voted": True},
        "s4": {"member_id": "m4", "requested": False, "speaking": False, "voted": True},
    }
    words = json.dumps(seats)
    assert not any(f'"{c}"' in words for c in ("yes", "no", "abstain"))  # no choice, under any key


def test_a_closed_vote_leaves_no_voted_mark_and_remote_members_have_no_seat() -> None:
    state, _ = sitting(present=(1,))
    state = run(state, CheckIn(member_id="m2", remote=True), ctx(Role.REMOTE, member="m2"))
    state = run(state, OpenVote(vote_id="v1", motion_km="ញត្តិ", motion_en="Motion", without_quorum=True), chair())
    state = run(state, ballot("s1", "m1", "v1", "yes"), ctx(Role.SEAT, seat="s1", signature_ok=True))
    assert public_view(state)["seats"]["s1"]["voted"] is True
    state = run(state, CloseVote(vote_id="v1"), chair())
    assert public_view(state)["seats"] == {
        "s1": {"member_id": "m1", "requested": False, "speaking": False, "voted": False}}


def test_a_registry_snapshot_keeps_its_plans() -> None:
    reg = run(RegistryState(), DefinePlan(plan=grid(2, 3, frozenset({(1, 2)}))), clerk())
    assert load_state(dump_state(reg)) == reg


def test_the_demo_senate_hall_seats_every_senator_with_the_back_row_centred() -> None:
    from hemicycle.seed import senate_hall
    plan = senate_hall([f"S{i:03d}" for i in range(1, 63)])
    assert (plan.rows, plan.columns, len(plan.seats)) == (4, 16, 62)
    assert [s.column for s in plan.seats if s.row == 4] == list(range(2, 16))
    assert plan.seats[0] == PlanSeat(seat="S001", row=1, column=1)
