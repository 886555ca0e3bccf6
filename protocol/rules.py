"""Counting a vote under a rules profile: pure, shared by the server and ``verify``.

Outcomes are explicit, ties and missing quorum included:
    adopted | rejected | tie | no_quorum     (yes/no/abstain votes)
    the winning option, or tie | no_quorum   (votes over a custom list)
"""

from __future__ import annotations

from enum import StrEnum

from protocol.settings import MajorityBase, MajorityRule
from protocol.types import Fraction, Model

YES, NO, ABSTAIN = "yes", "no", "abstain"
YES_NO_ABSTAIN = [YES, NO, ABSTAIN]


class Outcome(StrEnum):
    ADOPTED = "adopted"
    REJECTED = "rejected"
    TIE = "tie"
    NO_QUORUM = "no_quorum"


class Result(Model):
    """What a closed vote came to, with the numbers that decided it."""

    counts: dict[str, int]
    voted: int
    eligible: int
    present: int
    members: int
    quorum_needed: int
    quorum_met: bool
    base: int
    threshold_met: bool
    outcome: str


def majority_base(rule: MajorityRule, counts: dict[str, int], present: int, members: int) -> int:
    match rule.base:
        case MajorityBase.VOTES_CAST:
            return counts.get(YES, 0) + counts.get(NO, 0)
        case MajorityBase.VOTES_CAST_WITH_ABSTENTIONS:
            return counts.get(YES, 0) + counts.get(NO, 0) + counts.get(ABSTAIN, 0)
        case MajorityBase.PRESENT:
            return present
        case MajorityBase.ALL_MEMBERS:
            return members
    raise ValueError(rule.base)


def reaches(count: int, base: int, fraction: Fraction, strictly_more: bool) -> bool:
    """count > fraction·base, or ≥ when not strict; exact integer arithmetic."""
    lhs, rhs = count * fraction.den, base * fraction.num
    return lhs > rhs if strictly_more else lhs >= rhs


def count_vote(
    options: list[str],
    choices: list[str],
    rule: MajorityRule,
    quorum: Fraction,
    eligible: int,
    present: int,
    members: int,
) -> Result:
    """Tally the counted choices and decide the outcome under the rule."""
    counts = {o: 0 for o in options}
    for c in choices:
        counts[c] += 1
    needed = quorum.of(members)
    quorum_met = present >= needed
    base = majority_base(rule, counts, present, members)
    if options == YES_NO_ABSTAIN or options == [YES, NO]:
        yes, no = counts[YES], counts[NO]
        met = reaches(yes, base, rule.fraction, rule.strictly_more) and yes > no
        if not quorum_met:
            outcome = Outcome.NO_QUORUM.value
        elif met:
            outcome = Outcome.ADOPTED.value
        elif yes == no and rule.base is MajorityBase.VOTES_CAST:
            outcome = Outcome.TIE.value
        else:
            outcome = Outcome.REJECTED.value
    else:
        if rule.base in (MajorityBase.VOTES_CAST, MajorityBase.VOTES_CAST_WITH_ABSTENTIONS):
            base = len(choices)
        top = max(counts.values(), default=0)
        leaders = [o for o, n in counts.items() if n == top]
        met = len(leaders) == 1 and reaches(top, base, rule.fraction, rule.strictly_more)
        if not quorum_met:
            outcome = Outcome.NO_QUORUM.value
        elif len(leaders) > 1:
            outcome = Outcome.TIE.value
        else:
            outcome = leaders[0] if met else Outcome.REJECTED.value
    return Result(
        counts=counts,
        voted=len(choices),
        eligible=eligible,
        present=present,
        members=members,
        quorum_needed=needed,
        quorum_met=quorum_met,
        base=base,
        threshold_met=met,
        outcome=outcome,
    )
