"""Offline re-checking of an exported record: anyone can run it, no server needed."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from protocol.ballots import decode_ballot
from protocol.canonical import GENESIS_HASH, canonical_bytes
from protocol.errors import ProtocolError
from protocol.events import (
    BallotCast,
    CheckedIn,
    CheckedOut,
    DeviceEnrolled,
    DeviceRevoked,
    Record,
    RosterRenewed,
    SittingCreated,
    VoteClosed,
    VoteOpened,
    VoteSealed,
)
from protocol.keys import seal_message, verify
from protocol.rules import Result, RolesError, check_roles, count_vote
from protocol.settings import RulesProfile
from protocol.types import VoteKind


@dataclass(frozen=True)
class Finding:
    """The first item that fails a check, named so a person can find it."""

    check: str
    item: str
    message: str

    def __str__(self) -> str:
        return f"{self.check} failed at {self.item}: {self.message}"


def verify_chain(raw_records: Iterable[dict[str, Any]]) -> tuple[int, Finding | None]:
    """Walk one stream's records: seq 1, 2, 3..., each linked to the one before.

    Returns how many records were checked and the first failure, if any. An
    edited record breaks its own hash; a deleted or moved one breaks the seq
    or the link of the next.
    """
    prev, expected, count = GENESIS_HASH, 1, 0
    for raw in raw_records:
        event = raw.get("event") if isinstance(raw, dict) else None
        kind = event.get("type") if isinstance(event, dict) else None
        where = f"record seq={raw.get('seq') if isinstance(raw, dict) else '?'} ({kind})"
        try:
            record = Record.model_validate(raw)
        except ValidationError as exc:
            return count, Finding("schema", where, str(exc.errors()[0]["msg"]))
        if record.seq != expected:
            return count, Finding("sequence", where, f"expected seq {expected}")
        if record.prev_hash != prev:
            return count, Finding("chain", where, "prev_hash does not match the record before")
        if not record.verify_link():
            return count, Finding("hash", where, "content does not match its hash")
        prev, expected, count = record.hash, expected + 1, count + 1
    return count, None


@dataclass
class _Device:
    public_key: str
    member_id: str | None
    seat: str | None
    enrolled_ms: int
    revoked_ms: int | None = None


@dataclass
class _Vote:
    opened: VoteOpened
    counted: dict[str, tuple[int, str]] = field(default_factory=dict)  # member -> (seq, choice)
    nonces: set[str] = field(default_factory=set)
    closed: Record | None = None


class _Failed(Exception):
    def __init__(self, finding: Finding) -> None:
        self.finding = finding


def _fail(check: str, record: Record, message: str) -> _Failed:
    return _Failed(Finding(check, f"record seq={record.seq} ({record.event.type})", message))


def verify_votes(
    sitting: str,
    records: list[dict[str, Any]],
    registry: list[dict[str, Any]],
    server_key: str | None = None,
) -> tuple[list[str], Finding | None]:
    """Re-decide every vote from the record: signatures, eligibility, one ballot
    per member (or the last where changes are allowed), tallies, outcomes, seals.

    Independent of the server's code: only protocol models and rules are used.
    """
    devices: dict[str, _Device] = {}
    for raw in registry:
        r = Record.model_validate(raw)
        if isinstance(r.event, DeviceEnrolled):
            devices[r.event.device_id] = _Device(r.event.public_key, r.event.member_id, r.event.seat, r.at_ms)
        elif isinstance(r.event, DeviceRevoked) and r.event.device_id in devices:
            devices[r.event.device_id].revoked_ms = r.at_ms
    checked: list[str] = []
    presence: dict[str, str | None] = {}  # member -> seat
    votes: dict[str, _Vote] = {}
    rules: RulesProfile | None = None
    roster = 0
    ballots = seals = 0
    try:
        for raw in records:
            r = Record.model_validate(raw)
            ev = r.event
            if isinstance(ev, SittingCreated):
                rules, roster = ev.rules, len(ev.roster)
            elif isinstance(ev, RosterRenewed):
                roster = len(ev.roster)
            elif isinstance(ev, CheckedIn):
                presence[ev.member_id] = ev.seat
            elif isinstance(ev, CheckedOut):
                presence.pop(ev.member_id, None)
            elif isinstance(ev, VoteOpened):
                _check_opened(r, ev, presence, rules, roster)
                votes[ev.vote_id] = _Vote(ev)
            elif isinstance(ev, BallotCast):
                _check_ballot(sitting, r, ev, votes, devices, presence)
                ballots += 1
            elif isinstance(ev, VoteClosed):
                _check_closed(r, ev, votes)
            elif isinstance(ev, VoteSealed):
                _check_seal(sitting, r, ev, votes, server_key)
                seals += 1
    except _Failed as failed:
        return checked, failed.finding
    unsealed = [v for v, vote in votes.items() if vote.closed is None]
    checked.append(f"{ballots} ballots: signatures, devices, eligibility, one per member")
    checked.append(f"{len(votes)} votes: tallies and outcomes re-counted under the rules profile")
    checked.append(f"{seals} seals: server signatures over result and chain head")
    if unsealed:
        checked.append(f"still open (not counted): {', '.join(unsealed)}")
    return checked, None


def _check_opened(
    r: Record, ev: VoteOpened, presence: dict[str, str | None], rules: RulesProfile | None, roster: int
) -> None:
    """The vote's rule, quorum, seats and option roles are the sitting's profile's and make sense."""
    if sorted(presence) != ev.eligible:
        raise _fail("eligibility", r, "eligible list differs from the members present at opening")
    if rules is None or ev.majority not in rules.majorities.values() or ev.quorum != rules.quorum:
        raise _fail("rules", r, "majority or quorum is not the sitting's rules profile")
    if ev.members != (rules.seats or roster):
        raise _fail("rules", r, f"counted against {ev.members} members, the profile says {rules.seats or roster}")
    if list(ev.roles) != ev.options:
        raise _fail("rules", r, "every option needs its role, in the order offered")
    try:
        check_roles(ev.question, ev.roles)
    except RolesError as exc:
        raise _fail("rules", r, str(exc)) from exc


def _check_ballot(
    sitting: str,
    r: Record,
    ev: BallotCast,
    votes: dict[str, _Vote],
    devices: dict[str, _Device],
    presence: dict[str, str | None],
) -> None:
    try:
        ballot, raw = decode_ballot(ev.ballot)
    except ProtocolError as exc:
        raise _fail("ballot", r, exc.message) from exc
    if (ballot.sitting, ballot.vote, ballot.member, ballot.choice) != (sitting, ev.vote_id, ev.member_id, ev.choice):
        raise _fail("ballot", r, "signed ballot does not say what the record says")
    device = devices.get(ev.device_id)
    revoked = device is not None and device.revoked_ms is not None and device.revoked_ms <= r.at_ms
    if device is None or device.enrolled_ms > r.at_ms or revoked:
        raise _fail("device", r, f"device {ev.device_id} was not enrolled and active")
    if not verify(device.public_key, ev.signature, raw):
        raise _fail("signature", r, f"bad signature for member {ev.member_id}")
    bound = device.member_id == ev.member_id or (
        device.member_id is None and device.seat is not None and presence.get(ev.member_id) == device.seat
        and ballot.seat == device.seat
    )
    if not bound:
        raise _fail("identity", r, f"device {ev.device_id} cannot vote for {ev.member_id}")
    vote = votes.get(ev.vote_id)
    if vote is None or vote.closed is not None:
        raise _fail("timing", r, "ballot outside an open vote")
    if ev.member_id not in vote.opened.eligible:
        raise _fail("eligibility", r, f"member {ev.member_id} was not eligible")
    if ballot.nonce in vote.nonces:
        raise _fail("replay", r, "the same ballot appears twice")
    earlier = vote.counted.get(ev.member_id)
    if earlier is not None and (not vote.opened.allow_change or ev.replaces != earlier[0]):
        raise _fail("one ballot", r, f"member {ev.member_id} voted twice")
    if ev.choice not in vote.opened.options:
        raise _fail("ballot", r, "choice is not an option")
    vote.nonces.add(ballot.nonce)
    vote.counted[ev.member_id] = (r.seq, ev.choice)


def _check_closed(r: Record, ev: VoteClosed, votes: dict[str, _Vote]) -> None:
    vote = votes.get(ev.vote_id)
    if vote is None or vote.closed is not None:
        raise _fail("tally", r, "close of a vote that is not open")
    o = vote.opened
    recount = count_vote(o.question, o.options, o.roles, [c for _, c in vote.counted.values()], o.majority,
                         o.quorum, eligible=len(o.eligible), present=len(o.eligible), members=o.members)
    if recount.counts != ev.result.counts:
        raise _fail("tally", r, f"recount gives {recount.counts}, record says {ev.result.counts}")
    if recount != ev.result:
        raise _fail("outcome", r, f"re-decided under {o.majority.name!r}: {_said(recount)}; "
                                  f"record says {_said(ev.result)}")
    named = {m: c for m, (_, c) in vote.counted.items()} if o.kind is VoteKind.ROLL_CALL else {}
    if named != ev.named:
        raise _fail("named list", r, "the named list differs from the ballots")
    vote.closed = r


def _said(result: Result) -> str:
    elected = f" {result.elected} ({result.counts.get(result.elected, 0)})" if result.elected else ""
    return f"{result.outcome.value}{elected}, quorum {result.quorum_needed}, needs {result.needed}"


def _check_seal(sitting: str, r: Record, ev: VoteSealed, votes: dict[str, _Vote], server_key: str | None) -> None:
    vote = votes.get(ev.vote_id)
    closed = vote.closed if vote else None
    if closed is None or closed.seq != ev.closed_seq or closed.hash != ev.closed_hash:
        raise _fail("seal", r, "seal does not point at the vote's closing record")
    assert isinstance(closed.event, VoteClosed)
    digest = hashlib.sha256(canonical_bytes(closed.event.result.model_dump(mode="json"))).hexdigest()
    if digest != ev.result_sha256:
        raise _fail("seal", r, "sealed result differs from the closing record")
    if server_key is not None and ev.server_key != server_key:
        raise _fail("seal", r, "sealed by another key than the server's")
    message = seal_message(sitting, ev.vote_id, ev.closed_seq, ev.closed_hash, ev.result_sha256)
    if not verify(ev.server_key, ev.signature, message):
        raise _fail("seal", r, "the server's signature does not verify")
