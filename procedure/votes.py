"""Votes: open, cast, close, publish. Pure; signatures are checked by the caller.

The device's signature is verified off the event loop before the decision
and arrives as ``ctx.signature_ok``; everything else about a ballot (its
sitting, vote, member, choice, nonce, eligibility, timing) is decided here
and is re-decidable offline from the record.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from procedure.context import Context
from protocol.ballots import decode_ballot
from protocol.commands import CastBallot, ClearResult, CloseVote, OpenVote, PublishVote
from protocol.errors import ErrorCode, ProtocolError
from protocol.events import BallotCast, Event, ResultCleared, VoteClosed, VoteOpened, VotePublished, VoteSealed
from protocol.rules import Result, RolesError, count_vote, needed_votes, resolve_roles
from protocol.settings import RulesProfile
from protocol.types import OptionRole, Question, Role, SittingStatus, VoteKind, VoteStatus


@dataclass(frozen=True)
class CountedBallot:
    seq: int
    choice: str
    nonce: str


@dataclass(frozen=True)
class VoteState:
    opened: VoteOpened
    status: VoteStatus = VoteStatus.OPEN
    ballots: dict[str, CountedBallot] = field(default_factory=dict)  # member -> counted ballot
    nonces: frozenset[str] = frozenset()
    cast: int = 0  # ballots received, changes included
    result: Result | None = None
    sealed: VoteSealed | None = None
    shown_until_ms: int | None = None  # the hall display's time for a published result (None: until cleared)
    cleared: bool = False  # taken off the hall display by the chair

    @property
    def voted(self) -> int:
        return len(self.ballots)


def open_vote(
    cmd: OpenVote,
    status: SittingStatus,
    votes: dict[str, VoteState],
    rules: RulesProfile,
    present: list[str],
    members: int,
    item_id: str | None,
    now_ms: int,
) -> list[Event]:
    if status is not SittingStatus.OPEN:
        raise ProtocolError(ErrorCode.INVALID_STATE, f"can't open a vote when the sitting is {status}")
    if cmd.vote_id in votes:
        raise ProtocolError(ErrorCode.ALREADY_EXISTS, "vote id already used", vote_id=cmd.vote_id)
    running = [v.opened.vote_id for v in votes.values() if v.status is VoteStatus.OPEN]
    if running:
        raise ProtocolError(ErrorCode.INVALID_STATE, "another vote is open", vote_id=running[0])
    if len(set(cmd.options)) != len(cmd.options):
        raise ProtocolError(ErrorCode.MALFORMED, "options must be distinct")
    try:
        roles = resolve_roles(cmd.question, cmd.options, cmd.roles)
    except RolesError as exc:
        raise ProtocolError(ErrorCode.MALFORMED, str(exc), question=cmd.question, options=cmd.options,
                            roles=cmd.roles) from exc
    rule_id = cmd.majority or rules.default_majority
    rule = rules.majorities.get(rule_id)
    if rule is None:
        raise ProtocolError(ErrorCode.MALFORMED, "no such majority rule", majority=rule_id,
                            known=sorted(rules.majorities))
    return [
        VoteOpened(
            vote_id=cmd.vote_id,
            item_id=item_id,
            motion_km=cmd.motion_km,
            motion_en=cmd.motion_en,
            question=cmd.question,
            options=cmd.options,
            roles=roles,
            kind=cmd.kind,
            majority=rule,
            quorum=rules.quorum,
            eligible=sorted(present),
            members=members,
            deadline_ms=now_ms + cmd.duration_s * 1000 if cmd.duration_s else None,
            allow_change=cmd.allow_change,
        )
    ]


def cast_ballot(
    cmd: CastBallot, stream: str, votes: dict[str, VoteState], own_member: str | None, ctx: Context,
    guests: set[str],
) -> list[Event]:
    """Every refusal a ballot can meet, in the order a voter would want to hear them; a guest's is GUEST."""
    if ctx.role not in (Role.SEAT, Role.REMOTE):
        raise ProtocolError(ErrorCode.FORBIDDEN, f"a {ctx.role} device cannot vote")
    ballot, _raw = decode_ballot(cmd.ballot)
    if ballot.member in guests:
        raise ProtocolError(ErrorCode.GUEST, "a guest never votes", member_id=ballot.member)
    if ballot.sitting != stream:
        raise ProtocolError(ErrorCode.REPLAYED, "ballot is for another sitting", sitting=ballot.sitting)
    vote = votes.get(ballot.vote)
    if vote is None:
        raise ProtocolError(ErrorCode.UNKNOWN_VOTE, "no such vote", vote_id=ballot.vote)
    if ballot.member != own_member:
        raise ProtocolError(ErrorCode.NOT_YOUR_MEMBER, "ballot names another member",
                            member_id=ballot.member)
    if ballot.seat != ctx.seat:
        raise ProtocolError(ErrorCode.NOT_YOUR_MEMBER, "ballot names another seat", seat=ballot.seat)
    if ctx.signature_ok is not True:
        raise ProtocolError(ErrorCode.BAD_SIGNATURE, "signature does not match this device's key")
    if ballot.nonce in vote.nonces:
        raise ProtocolError(ErrorCode.REPLAYED, "this ballot was already received", vote_id=vote.opened.vote_id)
    deadline = vote.opened.deadline_ms
    if vote.status is not VoteStatus.OPEN or (deadline is not None and ctx.now_ms >= deadline):
        raise ProtocolError(ErrorCode.VOTE_CLOSED, "the vote is closed", vote_id=vote.opened.vote_id)
    if ballot.member not in vote.opened.eligible:
        raise ProtocolError(ErrorCode.NOT_ELIGIBLE, "member was not present when the vote opened",
                            member_id=ballot.member)
    if ballot.choice not in vote.opened.options:
        raise ProtocolError(ErrorCode.MALFORMED, "no such option", choice=ballot.choice,
                            options=vote.opened.options)
    earlier = vote.ballots.get(ballot.member)
    if earlier is not None and not vote.opened.allow_change:
        raise ProtocolError(ErrorCode.ALREADY_VOTED, "member has already voted", receipt=earlier.seq)
    return [
        BallotCast(
            vote_id=ballot.vote,
            member_id=ballot.member,
            device_id=ctx.actor.device_id or "",
            choice=ballot.choice,
            ballot=cmd.ballot,
            signature=cmd.signature,
            replaces=earlier.seq if earlier else None,
        )
    ]


def tally(vote: VoteState) -> Result:
    o = vote.opened
    return count_vote(
        o.question,
        o.options,
        o.roles,
        [b.choice for b in vote.ballots.values()],
        o.majority,
        o.quorum,
        eligible=len(o.eligible),
        present=len(o.eligible),
        members=o.members,
    )


def needed_now(vote: VoteState) -> int | None:
    """How many for-votes (votes for the leader) the motion needs now, others as cast so far.

    A roll-call counts what has been cast; a secret vote's live count is not
    known, so its need is stated as if nobody else had voted yet.
    """
    o = vote.opened
    if vote.result is not None:
        return vote.result.needed
    counts = {opt: 0 for opt in o.options}
    if o.kind is VoteKind.ROLL_CALL:
        for b in vote.ballots.values():
            counts[b.choice] += 1
    by_role: dict[OptionRole, list[int]] = {r: [] for r in OptionRole}
    for opt, role in o.roles.items():
        by_role[role].append(counts[opt])
    rest = sum(by_role[OptionRole.ABSTAIN]) + sum(by_role[OptionRole.BLANK])
    if o.question is Question.MOTION:
        against = sum(by_role[OptionRole.AGAINST])
        return needed_votes(o.majority, against, rest, len(o.eligible), o.members, beat=against)
    ranked = sorted(by_role[OptionRole.CANDIDATE], reverse=True)
    return needed_votes(o.majority, sum(ranked[1:]), rest, len(o.eligible), o.members,
                        beat=ranked[1] if len(ranked) > 1 else -1)


def close_vote(cmd: CloseVote, votes: dict[str, VoteState], ctx: Context) -> list[Event]:
    vote = votes.get(cmd.vote_id)
    if vote is None:
        raise ProtocolError(ErrorCode.UNKNOWN_VOTE, "no such vote", vote_id=cmd.vote_id)
    if vote.status is not VoteStatus.OPEN:
        raise ProtocolError(ErrorCode.VOTE_CLOSED, "the vote is already closed", vote_id=cmd.vote_id)
    by_clock = ctx.role is Role.SYSTEM
    deadline = vote.opened.deadline_ms
    if by_clock and (deadline is None or ctx.now_ms < deadline):
        raise ProtocolError(ErrorCode.INVALID_STATE, "the vote's time has not run out")
    named = (
        {m: b.choice for m, b in sorted(vote.ballots.items())}
        if vote.opened.kind is VoteKind.ROLL_CALL
        else {}
    )
    return [VoteClosed(vote_id=cmd.vote_id, by_clock=by_clock, result=tally(vote), named=named)]


def publish_vote(cmd: PublishVote, votes: dict[str, VoteState], now_ms: int) -> list[Event]:
    vote = votes.get(cmd.vote_id)
    if vote is None:
        raise ProtocolError(ErrorCode.UNKNOWN_VOTE, "no such vote", vote_id=cmd.vote_id)
    if vote.status is not VoteStatus.CLOSED or vote.sealed is None:
        raise ProtocolError(ErrorCode.INVALID_STATE, f"can't publish a vote that is {vote.status}")
    until = now_ms + cmd.show_s * 1000 if cmd.show_s else None
    return [VotePublished(vote_id=cmd.vote_id, show_until_ms=until)]


def clear_result(cmd: ClearResult, votes: dict[str, VoteState]) -> list[Event]:
    """The chair takes a published result off the hall display; the record keeps it."""
    vote = votes.get(cmd.vote_id)
    if vote is None:
        raise ProtocolError(ErrorCode.UNKNOWN_VOTE, "no such vote", vote_id=cmd.vote_id)
    if vote.status is not VoteStatus.PUBLISHED:
        raise ProtocolError(ErrorCode.INVALID_STATE, f"can't clear the result of a vote that is {vote.status}")
    if vote.cleared:
        raise ProtocolError(ErrorCode.INVALID_STATE, "the result is off the display already", vote_id=cmd.vote_id)
    return [ResultCleared(vote_id=cmd.vote_id)]


def apply_vote(votes: dict[str, VoteState], event: Event, seq: int) -> dict[str, VoteState]:
    match event:
        case VoteOpened():
            return {**votes, event.vote_id: VoteState(opened=event)}
        case BallotCast():
            v = votes[event.vote_id]
            nonce = decode_ballot(event.ballot)[0].nonce if event.ballot else f"redacted-{seq}"
            ballots = dict(v.ballots)
            if event.replaces is not None:
                ballots = {m: b for m, b in ballots.items() if b.seq != event.replaces}
            ballots[event.member_id or f"#{seq}"] = CountedBallot(seq, event.choice, nonce)
            return {**votes, event.vote_id: replace(v, ballots=ballots, nonces=v.nonces | {nonce},
                                                    cast=v.cast + 1)}
        case VoteClosed():
            v = votes[event.vote_id]
            return {**votes, event.vote_id: replace(v, status=VoteStatus.CLOSED, result=event.result)}
        case VoteSealed():
            return {**votes, event.vote_id: replace(votes[event.vote_id], sealed=event)}
        case VotePublished():
            return {**votes, event.vote_id: replace(votes[event.vote_id], status=VoteStatus.PUBLISHED,
                                                    shown_until_ms=event.show_until_ms)}
        case ResultCleared():
            return {**votes, event.vote_id: replace(votes[event.vote_id], cleared=True)}
    return votes
