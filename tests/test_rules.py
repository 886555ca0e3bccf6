"""Quorum and majority rules as a table: every rule, ties and missing quorum included."""

from __future__ import annotations

import pytest

from protocol.rules import ABSTAIN, NO, YES, YES_NO_ABSTAIN, count_vote
from protocol.settings import ABSOLUTE, SENATE_PLENARY, SIMPLE, TWO_THIRDS, TWO_THIRDS_VOTING, MajorityRule
from protocol.types import Fraction

Q = SENATE_PLENARY.quorum  # 7/10 of 62 = 44 (43.4 rounded up)


def ballots(yes: int, no: int, abstain: int) -> list[str]:
    return [YES] * yes + [NO] * no + [ABSTAIN] * abstain


CASES = [
    # rule, yes, no, abstain, present, members, outcome
    ("simple", SIMPLE, 30, 20, 12, 62, 62, "adopted"),
    ("simple tie", SIMPLE, 25, 25, 12, 62, 62, "tie"),
    ("simple abstentions ignored", SIMPLE, 3, 2, 50, 62, 62, "adopted"),
    ("simple fewer yes", SIMPLE, 20, 30, 0, 62, 62, "rejected"),
    ("no quorum", SIMPLE, 30, 5, 5, 40, 62, "no_quorum"),
    ("quorum exactly", SIMPLE, 30, 5, 9, 44, 62, "adopted"),
    ("absolute reached", ABSOLUTE, 32, 10, 2, 62, 62, "adopted"),
    ("absolute exactly half is not more", ABSOLUTE, 31, 10, 5, 62, 62, "rejected"),
    ("absolute yes>no but short", ABSOLUTE, 30, 10, 20, 62, 62, "rejected"),
    ("absolute tie is rejected", ABSOLUTE, 31, 31, 0, 62, 62, "rejected"),
    ("two thirds of all reached", TWO_THIRDS, 42, 10, 2, 62, 62, "adopted"),
    ("two thirds of all exactly", TWO_THIRDS, 42, 0, 0, 45, 63, "adopted"),
    ("two thirds of all just short", TWO_THIRDS, 41, 0, 0, 44, 62, "rejected"),
    ("two thirds of voting short", TWO_THIRDS_VOTING, 29, 11, 5, 45, 62, "rejected"),
    ("two thirds of voting reached", TWO_THIRDS_VOTING, 30, 10, 5, 45, 62, "adopted"),
    ("two thirds of voting exactly", TWO_THIRDS_VOTING, 30, 15, 0, 45, 62, "adopted"),
]


@pytest.mark.parametrize("name,rule,yes,no,abstain,present,members,outcome", CASES, ids=[c[0] for c in CASES])
def test_outcomes(name: str, rule: MajorityRule, yes: int, no: int, abstain: int,
                  present: int, members: int, outcome: str) -> None:
    r = count_vote(YES_NO_ABSTAIN, ballots(yes, no, abstain), rule, Q, present, present, members)
    assert r.outcome == outcome
    assert r.counts == {YES: yes, NO: no, ABSTAIN: abstain}
    assert r.voted == yes + no + abstain
    assert r.quorum_needed == Q.of(members)


def test_quorum_fraction_rounds_up() -> None:
    assert Fraction(num=7, den=10).of(62) == 44
    assert Fraction(num=1, den=2).of(9) == 5
    assert Fraction(num=2, den=3).of(63) == 42


def test_custom_options_plurality_and_tie() -> None:
    opts = ["Sok Dara", "Chea Vanna", "Keo Bopha"]
    win = count_vote(opts, ["Sok Dara"] * 5 + ["Chea Vanna"] * 3, SIMPLE, Fraction(num=1, den=2), 9, 9, 9)
    assert win.outcome == "Sok Dara" and win.base == 8
    tie = count_vote(opts, ["Sok Dara"] * 3 + ["Chea Vanna"] * 3, SIMPLE, Fraction(num=1, den=2), 9, 9, 9)
    assert tie.outcome == "tie"
    short = count_vote(opts, ["Sok Dara"] * 3 + ["Chea Vanna"] * 2 + ["Keo Bopha"] * 2, SIMPLE,
                       Fraction(num=1, den=2), 9, 9, 9)
    assert short.outcome == "rejected"  # 3 of 7 is not more than half


def test_senate_profile_is_data() -> None:
    assert SENATE_PLENARY.default_majority == "absolute"
    assert set(SENATE_PLENARY.majorities) >= {"simple", "absolute", "two_thirds"}
