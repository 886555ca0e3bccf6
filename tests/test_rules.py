"""Quorum and majority rules as data: every rule type at its boundaries, real chambers'
rules, options counted by meaning whatever their label or order, and elections."""

from __future__ import annotations

import itertools

import pytest

from protocol.rules import ABSTAIN, NO, YES, YES_NO_ABSTAIN, Outcome, RolesError, count_vote, resolve_roles
from protocol.settings import (
    ABSOLUTE,
    SENATE_PLENARY,
    SIMPLE,
    TWO_THIRDS,
    TWO_THIRDS_VOTING,
    MajorityBase,
    MajorityRule,
    QuorumCount,
    QuorumRule,
    Threshold,
    TieRule,
)
from protocol.types import Fraction, OptionRole, Question

Q = SENATE_PLENARY.quorum  # 7/10 of 62 = 44 (43.4 rounded up)
HALF = Fraction(num=1, den=2)
TWO_THIRDS_F = Fraction(num=2, den=3)
MOTION = Question.MOTION
ELECTION = Question.ELECTION


def ballots(yes: int, no: int, abstain: int) -> list[str]:
    return [YES] * yes + [NO] * no + [ABSTAIN] * abstain


def motion(yes: int, no: int, abstain: int, rule: MajorityRule, present: int, members: int,
           quorum: QuorumRule = Q, options: list[str] = YES_NO_ABSTAIN) -> Outcome:
    roles = resolve_roles(MOTION, options, {})
    return count_vote(MOTION, options, roles, ballots(yes, no, abstain), rule, quorum, present, present,
                      members).outcome


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
    roles = resolve_roles(MOTION, YES_NO_ABSTAIN, {})
    r = count_vote(MOTION, YES_NO_ABSTAIN, roles, ballots(yes, no, abstain), rule, Q, present, present, members)
    assert r.outcome == outcome
    assert r.counts == {YES: yes, NO: no, ABSTAIN: abstain}
    assert r.voted == yes + no + abstain
    assert r.quorum_needed == Q.needed(members)


# -- the cases of the issue ------------------------------------------------------------


@pytest.mark.parametrize("order", list(itertools.permutations(YES_NO_ABSTAIN)), ids="-".join)
def test_a_motion_counts_by_meaning_whatever_the_order(order: tuple[str, ...]) -> None:
    """["no", "yes", "abstain"] with 3 yes, 6 no, 1 abstain is rejected (it came out as "no" = Adopted)."""
    r = count_vote(MOTION, list(order), resolve_roles(MOTION, list(order), {}), ballots(3, 6, 1), SIMPLE,
                   QuorumRule(fraction=HALF), 10, 10, 10)
    assert r.outcome is Outcome.REJECTED and r.elected is None
    assert r.counts == {YES: 3, NO: 6, ABSTAIN: 1}


def test_a_motion_with_its_own_labels_counts_by_role() -> None:
    options = ["មិនយល់ព្រម", "យល់ព្រម", "អនុប្បវាទ"]
    roles = {"យល់ព្រម": OptionRole.FOR, "មិនយល់ព្រម": OptionRole.AGAINST, "អនុប្បវាទ": OptionRole.ABSTAIN}
    choices = ["យល់ព្រម"] * 3 + ["មិនយល់ព្រម"] * 6 + ["អនុប្បវាទ"]
    r = count_vote(MOTION, options, resolve_roles(MOTION, options, roles), choices, SIMPLE,
                   QuorumRule(fraction=HALF), 10, 10, 10)
    assert r.outcome is Outcome.REJECTED
    flipped = count_vote(MOTION, options, resolve_roles(MOTION, options, roles), choices[::-1][:1] + ["យល់ព្រម"] * 7,
                         SIMPLE, QuorumRule(fraction=HALF), 10, 10, 10)
    assert flipped.outcome is Outcome.ADOPTED


def test_two_thirds_of_yes_and_no_leaves_abstentions_out() -> None:
    """10 present: 2 yes, 1 no, 7 abstain → adopted under two-thirds of yes+no."""
    rule = MajorityRule(name="Two-thirds of yes and no", base=MajorityBase.VOTES_CAST, fraction=TWO_THIRDS_F,
                        strictly_more=False)
    r = count_vote(MOTION, YES_NO_ABSTAIN, resolve_roles(MOTION, YES_NO_ABSTAIN, {}), ballots(2, 1, 7), rule,
                   QuorumRule(fraction=HALF), 10, 10, 10)
    assert r.outcome is Outcome.ADOPTED and r.base == 3 and r.needed == 2
    assert motion(2, 1, 7, TWO_THIRDS_VOTING, 10, 10, QuorumRule(fraction=HALF)) is Outcome.REJECTED


def test_abstentions_never_win_an_election() -> None:
    """Abstentions are the largest group: the leading candidate is elected, abstain never."""
    options = ["Sok Dara", "Chea Vanna", "abstain"]
    choices = ["Sok Dara"] * 2 + ["Chea Vanna"] + ["abstain"] * 7
    roles = resolve_roles(ELECTION, options, {})
    assert roles["abstain"] is OptionRole.ABSTAIN and roles["Sok Dara"] is OptionRole.CANDIDATE
    r = count_vote(ELECTION, options, roles, choices, SIMPLE, QuorumRule(fraction=HALF), 10, 10, 10)
    assert r.outcome is Outcome.ELECTED and r.elected == "Sok Dara" and r.counts["Sok Dara"] == 2
    # Counting every ballot, 2 of 10 is not a majority: nobody is elected, and still not "abstain".
    r = count_vote(ELECTION, options, roles, choices, TWO_THIRDS_VOTING, QuorumRule(fraction=HALF), 10, 10, 10)
    assert r.outcome is Outcome.NOT_ELECTED and r.elected is None
    blank = count_vote(ELECTION, ["A", "blank"], resolve_roles(ELECTION, ["A", "blank"], {}), ["blank"] * 5,
                       SIMPLE, QuorumRule(fraction=HALF), 5, 5, 5)
    assert blank.outcome is Outcome.NOT_ELECTED and blank.elected is None


def test_election_plurality_tie_and_short() -> None:
    opts = ["Sok Dara", "Chea Vanna", "Keo Bopha"]
    roles = resolve_roles(ELECTION, opts, {})
    q = QuorumRule(fraction=HALF)
    win = count_vote(ELECTION, opts, roles, ["Sok Dara"] * 5 + ["Chea Vanna"] * 3, SIMPLE, q, 9, 9, 9)
    assert win.outcome is Outcome.ELECTED and win.elected == "Sok Dara" and win.base == 8
    tie = count_vote(ELECTION, opts, roles, ["Sok Dara"] * 3 + ["Chea Vanna"] * 3, SIMPLE, q, 9, 9, 9)
    assert tie.outcome is Outcome.TIE
    strict_tie = MajorityRule(name="Tie fails", base=MajorityBase.VOTES_CAST, on_tie=TieRule.REJECTED)
    assert count_vote(ELECTION, opts, roles, ["Sok Dara"] * 3 + ["Chea Vanna"] * 3, strict_tie, q, 9, 9,
                      9).outcome is Outcome.NOT_ELECTED
    short = count_vote(ELECTION, opts, roles, ["Sok Dara"] * 3 + ["Chea Vanna"] * 2 + ["Keo Bopha"] * 2, SIMPLE,
                       q, 9, 9, 9)
    assert short.outcome is Outcome.NOT_ELECTED  # 3 of 7 is not more than half


@pytest.mark.parametrize("question,options,roles", [
    (MOTION, ["yes", "maybe"], {}),
    (MOTION, ["for", "against"], {"for": OptionRole.FOR, "against": OptionRole.FOR}),
    (MOTION, ["yes", "no", "Sok"], {"Sok": OptionRole.CANDIDATE}),
    (MOTION, ["yes", "no"], {"nope": OptionRole.AGAINST}),
    (ELECTION, ["abstain", "blank"], {}),
    (ELECTION, ["yes", "no"], {"yes": OptionRole.FOR}),
])
def test_roles_that_do_not_make_the_question_are_refused(question: Question, options: list[str],
                                                          roles: dict[str, OptionRole]) -> None:
    with pytest.raises(RolesError):
        resolve_roles(question, options, roles)


# -- every rule type at its boundary --------------------------------------------------------


def rule(base: MajorityBase, fraction: Fraction, strictly_more: bool, *also: Threshold) -> MajorityRule:
    return MajorityRule(name=f"{base} {fraction.num}/{fraction.den}", base=base, fraction=fraction,
                        strictly_more=strictly_more, also=also)


BOUNDARIES = [
    # base, fraction, strict, (no, abstain, present, members), the fewest yes that adopt
    (MajorityBase.VOTES_CAST, HALF, True, (10, 5, 30, 40), 11),
    (MajorityBase.VOTES_CAST, HALF, False, (10, 5, 30, 40), 11),  # reaching half: yes must still beat no
    (MajorityBase.VOTES_CAST, TWO_THIRDS_F, False, (10, 5, 30, 40), 20),
    (MajorityBase.VOTES_CAST, TWO_THIRDS_F, True, (10, 5, 30, 40), 21),
    (MajorityBase.VOTES_CAST_WITH_ABSTENTIONS, HALF, True, (10, 5, 30, 40), 16),
    (MajorityBase.VOTES_CAST_WITH_ABSTENTIONS, HALF, False, (10, 5, 30, 40), 15),
    (MajorityBase.VOTES_CAST_WITH_ABSTENTIONS, TWO_THIRDS_F, False, (10, 5, 40, 40), 30),
    (MajorityBase.PRESENT, HALF, True, (3, 5, 30, 40), 16),
    (MajorityBase.PRESENT, HALF, False, (3, 5, 30, 40), 15),
    (MajorityBase.PRESENT, TWO_THIRDS_F, False, (3, 5, 31, 40), 21),
    (MajorityBase.ALL_MEMBERS, HALF, True, (3, 5, 40, 62), 32),
    (MajorityBase.ALL_MEMBERS, HALF, False, (3, 5, 40, 62), 31),
    (MajorityBase.ALL_MEMBERS, TWO_THIRDS_F, False, (3, 2, 60, 62), 42),
    (MajorityBase.ALL_MEMBERS, TWO_THIRDS_F, True, (3, 2, 60, 63), 43),
]


@pytest.mark.parametrize("base,fraction,strict,others,least", BOUNDARIES,
                         ids=[f"{b[0]}-{b[1].num}/{b[1].den}-{'exceed' if b[2] else 'reach'}" for b in BOUNDARIES])
def test_each_rule_type_at_its_boundary(base: MajorityBase, fraction: Fraction, strict: bool,
                                        others: tuple[int, int, int, int], least: int) -> None:
    no, abstain, present, members = others
    r = rule(base, fraction, strict)
    q = QuorumRule(fraction=Fraction(num=0, den=1))
    at = count_vote(MOTION, YES_NO_ABSTAIN, resolve_roles(MOTION, YES_NO_ABSTAIN, {}), ballots(least, no, abstain),
                    r, q, present, present, members)
    assert at.outcome is Outcome.ADOPTED and at.needed == least
    below = count_vote(MOTION, YES_NO_ABSTAIN, resolve_roles(MOTION, YES_NO_ABSTAIN, {}),
                       ballots(least - 1, no, abstain), r, q, present, present, members)
    assert below.outcome is not Outcome.ADOPTED and below.needed == least


def test_needed_matches_the_count_for_every_rule_and_tally() -> None:
    """"Needs N yes" is exactly the fewest yes that adopt, for every base, fraction and tally."""
    q = QuorumRule(fraction=Fraction(num=0, den=1))
    roles = resolve_roles(MOTION, YES_NO_ABSTAIN, {})
    for base, frac, strict in itertools.product(MajorityBase, [HALF, TWO_THIRDS_F, Fraction(num=3, den=5)],
                                                [True, False]):
        r = rule(base, frac, strict)
        for no, abstain in itertools.product(range(0, 9, 2), range(0, 7, 3)):
            present, members = 20, 25
            adopting = [y for y in range(0, 26) if count_vote(MOTION, YES_NO_ABSTAIN, roles, ballots(y, no, abstain),
                                                             r, q, present, present, members).outcome
                        is Outcome.ADOPTED]
            needed = count_vote(MOTION, YES_NO_ABSTAIN, roles, ballots(0, no, abstain), r, q, present, present,
                                members).needed
            if adopting:
                assert needed == adopting[0], (base, frac, strict, no, abstain)
                assert adopting == list(range(adopting[0], 26))  # more yes never un-adopts
            else:
                assert needed is None or needed > 25, (base, frac, strict, no, abstain, needed)


def test_quorum_boundaries() -> None:
    assert QuorumRule(fraction=Fraction(num=7, den=10)).needed(62) == 44
    assert QuorumRule(fraction=HALF).needed(9) == 5
    assert QuorumRule(fraction=TWO_THIRDS_F).needed(63) == 42
    more_than_half = QuorumRule(fraction=HALF, strictly_more=True)
    assert more_than_half.needed(62) == 32 and more_than_half.needed(63) == 32
    assert motion(30, 5, 9, SIMPLE, 44, 62) is Outcome.ADOPTED
    assert motion(30, 5, 8, SIMPLE, 43, 62) is Outcome.NO_QUORUM
    voting = QuorumRule(fraction=HALF, counts=QuorumCount.VOTING)
    # 40 present of 62, but only 30 vote: a participation quorum of 31 is missed
    assert motion(20, 5, 5, SIMPLE, 40, 62, voting) is Outcome.NO_QUORUM
    assert motion(20, 5, 6, SIMPLE, 40, 62, voting) is Outcome.ADOPTED


# -- real chambers' rules ---------------------------------------------------------------------

MEMBERS_MAJORITY = Threshold(base=MajorityBase.ALL_MEMBERS)
CHAMBERS = [
    # German Basic Law art. 42(2) and GO-BT § 48(2): a majority of the votes cast; a tie means no.
    ("Bundestag, a bill", MajorityRule(name="Mehrheit der abgegebenen Stimmen", base=MajorityBase.VOTES_CAST),
     (300, 300, 20, 700, 736), Outcome.REJECTED),
    ("Bundestag, a bill passes", MajorityRule(name="Mehrheit", base=MajorityBase.VOTES_CAST),
     (301, 300, 20, 700, 736), Outcome.ADOPTED),
    # Basic Law art. 77(4): two-thirds of the votes cast and at least a majority of the members.
    ("Bundestag, overriding a two-thirds objection",
     MajorityRule(name="Art. 77(4) GG", base=MajorityBase.VOTES_CAST, fraction=TWO_THIRDS_F, strictly_more=False,
                  also=(MEMBERS_MAJORITY,)),
     (360, 100, 0, 460, 736), Outcome.REJECTED),  # 360/460 ≥ 2/3, but 360 is not more than 368
    ("Bundestag, overriding with both majorities",
     MajorityRule(name="Art. 77(4) GG", base=MajorityBase.VOTES_CAST, fraction=TWO_THIRDS_F, strictly_more=False,
                  also=(MEMBERS_MAJORITY,)),
     (369, 100, 0, 469, 736), Outcome.ADOPTED),
    # US Constitution art. I § 7: a veto is overridden by two-thirds of the senators present and voting.
    ("US Senate, veto override", MajorityRule(name="Two-thirds present and voting", base=MajorityBase.VOTES_CAST,
                                              fraction=TWO_THIRDS_F, strictly_more=False),
     (66, 33, 0, 99, 100), Outcome.ADOPTED),
    ("US Senate, veto sustained", MajorityRule(name="Two-thirds present and voting", base=MajorityBase.VOTES_CAST,
                                               fraction=TWO_THIRDS_F, strictly_more=False),
     (65, 34, 0, 99, 100), Outcome.REJECTED),
    # Constitution of Cambodia: the Senate decides by an absolute majority of all its members.
    ("Senate of Cambodia, a law", ABSOLUTE, (32, 10, 4, 46, 62), Outcome.ADOPTED),
    ("Senate of Cambodia, short of 32", ABSOLUTE, (31, 2, 13, 46, 62), Outcome.REJECTED),
    # French Constitution art. 89: a revision before Congress needs three fifths of the votes cast.
    ("French Congress, revision", MajorityRule(name="Trois cinquièmes des suffrages exprimés",
                                               base=MajorityBase.VOTES_CAST, fraction=Fraction(num=3, den=5),
                                               strictly_more=False),
     (555, 370, 20, 945, 925 + 20), Outcome.ADOPTED),
]


@pytest.mark.parametrize("name,majority,tally,outcome", CHAMBERS, ids=[c[0] for c in CHAMBERS])
def test_real_chambers_rules(name: str, majority: MajorityRule, tally: tuple[int, int, int, int, int],
                             outcome: Outcome) -> None:
    yes, no, abstain, present, members = tally
    assert motion(yes, no, abstain, majority, present, members, QuorumRule(fraction=HALF)) is outcome


def test_senate_profile_is_data() -> None:
    assert SENATE_PLENARY.default_majority == "absolute"
    assert set(SENATE_PLENARY.majorities) >= {"simple", "absolute", "two_thirds"}
