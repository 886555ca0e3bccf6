"""Counting a vote under a rules profile: pure, shared by the server and ``verify``.

Options are counted by their role, never by their label or place:

    motion     for | against | abstain       → adopted | rejected | tie | no_quorum
    election   candidates, abstain, blank    → elected (with ``elected``) | not_elected
                                               | tie | no_quorum

Abstentions and blank ballots are counted and can never be elected.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum

from protocol.settings import MajorityBase, MajorityRule, QuorumCount, QuorumRule, Threshold, TieRule
from protocol.types import Fraction, Model, OptionRole, Question

YES, NO, ABSTAIN = "yes", "no", "abstain"
YES_NO_ABSTAIN = [YES, NO, ABSTAIN]
BLANK = "blank"
_MOTION_LABELS = {YES: OptionRole.FOR, NO: OptionRole.AGAINST, ABSTAIN: OptionRole.ABSTAIN}
_ELECTION_LABELS = {ABSTAIN: OptionRole.ABSTAIN, BLANK: OptionRole.BLANK}


class Outcome(StrEnum):
    ADOPTED = "adopted"
    REJECTED = "rejected"
    TIE = "tie"
    NO_QUORUM = "no_quorum"
    ELECTED = "elected"
    NOT_ELECTED = "not_elected"


class RolesError(ValueError):
    """Options whose roles do not make a motion or an election."""


class Result(Model):
    """What a closed vote came to, with the numbers that decided it.

    ``needed`` is the smallest number of for-votes (of votes for the leading
    candidate) that met every condition given the other counts; None when no
    number could. ``elected`` names the elected option, whose count is
    ``counts[elected]``.
    """

    counts: dict[str, int]
    voted: int
    eligible: int
    present: int
    members: int
    quorum_needed: int
    quorum_met: bool
    base: int
    needed: int | None
    threshold_met: bool
    outcome: Outcome
    elected: str | None = None


def resolve_roles(question: Question, options: Sequence[str], roles: Mapping[str, OptionRole]) -> dict[str, OptionRole]:
    """Every option's role: as given, else from its label (yes/no/abstain; abstain/blank).

    Raises ``RolesError`` when the roles do not make the question: a motion
    needs exactly one for and one against option, at most one abstain, and no
    candidate or blank; an election needs a candidate and has no for or
    against option.
    """
    unknown = sorted(set(roles) - set(options))
    if unknown:
        raise RolesError(f"roles name options that are not offered: {unknown}")
    labels = _MOTION_LABELS if question is Question.MOTION else _ELECTION_LABELS
    default = None if question is Question.MOTION else OptionRole.CANDIDATE
    resolved: dict[str, OptionRole] = {}
    for o in options:
        role = roles.get(o) or labels.get(o) or default
        if role is None:
            raise RolesError(f"option {o!r} of a motion needs a role (for, against or abstain)")
        resolved[o] = role
    check_roles(question, resolved)
    return resolved


def check_roles(question: Question, roles: Mapping[str, OptionRole]) -> None:
    """Refuse roles that do not make the question (see ``resolve_roles``)."""
    tally = {r: sum(1 for v in roles.values() if v is r) for r in OptionRole}
    if question is Question.MOTION:
        if tally[OptionRole.FOR] != 1 or tally[OptionRole.AGAINST] != 1 or tally[OptionRole.ABSTAIN] > 1:
            raise RolesError("a motion has exactly one for, one against and at most one abstain option")
        if tally[OptionRole.CANDIDATE] or tally[OptionRole.BLANK]:
            raise RolesError("a motion has no candidate or blank option")
    else:
        if tally[OptionRole.FOR] or tally[OptionRole.AGAINST]:
            raise RolesError("an election has candidates, not for or against options")
        if not tally[OptionRole.CANDIDATE]:
            raise RolesError("an election needs at least one candidate")


def reaches(count: int, base: int, fraction: Fraction, strictly_more: bool) -> bool:
    """count > fraction·base, or ≥ when not strict; exact integer arithmetic."""
    lhs, rhs = count * fraction.den, base * fraction.num
    return lhs > rhs if strictly_more else lhs >= rhs


def _base(t: Threshold, decisive: int, all_ballots: int, present: int, members: int) -> int:
    match t.base:
        case MajorityBase.VOTES_CAST:
            return decisive
        case MajorityBase.VOTES_CAST_WITH_ABSTENTIONS:
            return all_ballots
        case MajorityBase.PRESENT:
            return present
        case MajorityBase.ALL_MEMBERS:
            return members
    raise ValueError(t.base)


def _meets(rule: MajorityRule, votes: int, others: int, rest: int, present: int, members: int) -> bool:
    """Whether ``votes`` for-votes meet every condition; ``others`` are the against-votes
    (or the other candidates' votes) and ``rest`` the abstentions and blanks."""
    return all(
        reaches(votes, _base(t, votes + others, votes + others + rest, present, members), t.fraction,
                t.strictly_more)
        for t in rule.conditions()
    )


def _least(t: Threshold, others: int, rest: int, present: int, members: int) -> int | None:
    """The fewest for-votes v meeting one condition; bases that grow with v solved for v."""
    num, den = t.fraction.num, t.fraction.den
    if t.base in (MajorityBase.PRESENT, MajorityBase.ALL_MEMBERS):
        fixed = present if t.base is MajorityBase.PRESENT else members
        # v·den > fixed·num (or ≥)
        return fixed * num // den + 1 if t.strictly_more else -(-fixed * num // den)
    counted = others if t.base is MajorityBase.VOTES_CAST else others + rest
    # v·den > (v + counted)·num  ⇔  v·(den − num) > counted·num
    if num >= den:
        return None if t.strictly_more or counted else 0
    return counted * num // (den - num) + 1 if t.strictly_more else -(-counted * num // (den - num))


def needed_votes(rule: MajorityRule, others: int, rest: int, present: int, members: int,
                 beat: int = -1) -> int | None:
    """The fewest for-votes that meet every condition and exceed ``beat``, others fixed.

    Shown to the chair and the display as "needs N yes" while a vote runs;
    None when no number of votes can meet the rule.
    """
    least = [_least(t, others, rest, present, members) for t in rule.conditions()]
    if any(n is None for n in least):
        return None
    return max([beat + 1, 0, *(n for n in least if n is not None)])


def count_vote(
    question: Question,
    options: Sequence[str],
    roles: Mapping[str, OptionRole],
    choices: Sequence[str],
    rule: MajorityRule,
    quorum: QuorumRule,
    eligible: int,
    present: int,
    members: int,
) -> Result:
    """Tally the counted choices and decide the outcome under the rule, by role.

    ``members`` is the base of the quorum and of an all-members majority (the
    profile's seats, or the roster); ``present`` those present at opening.
    """
    check_roles(question, roles)
    counts = {o: 0 for o in options}
    for c in choices:
        counts[c] += 1
    voted = len(choices)
    quorum_needed = quorum.needed(members)
    quorum_met = (present if quorum.counts is QuorumCount.PRESENT else voted) >= quorum_needed
    of = {r: [o for o in options if roles[o] is r] for r in OptionRole}
    rest = sum(counts[o] for o in of[OptionRole.ABSTAIN] + of[OptionRole.BLANK])
    elected: str | None = None
    if question is Question.MOTION:
        yes, no = counts[of[OptionRole.FOR][0]], counts[of[OptionRole.AGAINST][0]]
        met = _meets(rule, yes, no, rest, present, members) and yes > no
        needed = needed_votes(rule, no, rest, present, members, beat=no)
        if not quorum_met:
            outcome = Outcome.NO_QUORUM
        elif met:
            outcome = Outcome.ADOPTED
        elif yes == no and rule.on_tie is TieRule.TIE:
            outcome = Outcome.TIE
        else:
            outcome = Outcome.REJECTED
        lead, others = yes, no
    else:
        ranked = sorted(of[OptionRole.CANDIDATE], key=lambda o: -counts[o])
        lead = counts[ranked[0]]
        others = sum(counts[o] for o in ranked[1:])
        leaders = [o for o in ranked if counts[o] == lead]
        met = lead > 0 and len(leaders) == 1 and _meets(rule, lead, others, rest, present, members)
        runner_up = counts[ranked[1]] if len(ranked) > 1 else -1
        needed = needed_votes(rule, others, rest, present, members, beat=runner_up)
        if not quorum_met:
            outcome = Outcome.NO_QUORUM
        elif met:
            outcome, elected = Outcome.ELECTED, leaders[0]
        elif lead > 0 and len(leaders) > 1 and rule.on_tie is TieRule.TIE:
            outcome = Outcome.TIE
        else:
            outcome = Outcome.NOT_ELECTED
    main = rule.conditions()[0]
    return Result(
        counts=counts,
        voted=voted,
        eligible=eligible,
        present=present,
        members=members,
        quorum_needed=quorum_needed,
        quorum_met=quorum_met,
        base=_base(main, lead + others, voted, present, members),
        needed=needed,
        threshold_met=met,
        outcome=outcome,
        elected=elected,
    )
