"""Everything of a sitting that leaves the server, projected for the role that receives it.

One rule decides who may see which member chose what (``sees_choices``), and
every form in which state leaves passes through it: live records and resync
records (``project_record``), resync snapshots (``project_state``), and the
pages' public view (``public_view``). The policy, by role:

    ================  ===========================  ==========================
    vote              while open                   once closed
    ================  ===========================  ==========================
    secret            nobody                       nobody (the tally only)
    roll-call         clerks                       everyone (``vote.closed``
                                                   names them too)
    ================  ===========================  ==========================

A redacted ballot keeps its vote, its seq and the fact that it was cast
(counts stay right); its member, device, choice, signed bytes and signature
are blanked. The one exception is ``own_ballots``: a voting device is told
its own member's ballots, which it made itself. The signed ballots travel
whole only in the clerk's export (``hall_server.transport.review``).

Python clients fold records; the seat, chair, display and clerk pages get
the public view instead, so no page reimplements the rules.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from procedure.agenda import agenda_order
from procedure.registry import RegistryState
from procedure.sitting import SittingState
from procedure.votes import CountedBallot, VoteState, needed_now
from protocol.events import BallotCast, Record
from protocol.settings import MajorityBase
from protocol.types import Role, VoteKind, VoteStatus

PUBLIC = Role.DISPLAY  # the audience with the least right to know: the public view is made for it


def sees_choices(role: Role, vote: VoteState | None) -> bool:
    """Whether ``role`` may see who chose what in ``vote`` (None: a vote it cannot know: no).

    Source: README "Voting: ballots and threat model" (secret choices only on no live
    channel) and issue 14 (roll-call choices to clerks live, to everyone once closed).
    """
    if vote is None or vote.opened.kind is VoteKind.SECRET:
        return False
    return vote.status is not VoteStatus.OPEN or role is Role.CLERK


def project_record(record: Record, role: Role, state: SittingState | RegistryState) -> dict[str, Any]:
    """A record as ``role`` may receive it: JSON, a ballot blanked unless ``sees_choices``.

    ``state`` is the stream's state at or after the record (the vote's kind and status
    come from it). A blanked copy carries ``redacted: true`` and no longer hashes to
    its ``hash``; clients skip the link check for it.
    """
    data = record.model_dump(mode="json")
    event = record.event
    if isinstance(event, BallotCast):
        vote = state.votes.get(event.vote_id) if isinstance(state, SittingState) else None
        if not sees_choices(role, vote):
            data["event"] = {**data["event"], "member_id": "", "choice": "", "ballot": "",
                             "signature": "", "device_id": ""}
            data["redacted"] = True
    return data


def own_ballots(state: SittingState, member: str | None) -> dict[str, Any]:
    """A voting device's own member's ballots, so a swapped or wiped tablet still knows it voted.

    Shape: ``{"member_id", "ballots": {vote_id: {"seq", "choice"}}}``. The exception to
    ``sees_choices``: the device made these ballots itself.
    """
    ballots = {
        vote_id: {"seq": vote.ballots[member].seq, "choice": vote.ballots[member].choice}
        for vote_id, vote in state.votes.items()
        if member is not None and member in vote.ballots
    }
    return {"member_id": member, "ballots": ballots}


def redact_vote(vote: VoteState) -> VoteState:
    """The vote as a client folding redacted records would hold it: counts, no names."""
    ballots = {f"#{b.seq}": CountedBallot(b.seq, "", f"redacted-{b.seq}") for b in vote.ballots.values()}
    return replace(vote, ballots=ballots, nonces=frozenset(b.nonce for b in ballots.values()))


def project_state(state: SittingState | RegistryState, role: Role) -> SittingState | RegistryState:
    """A state as ``role`` may receive it (a resync snapshot): each vote ``sees_choices`` hides, redacted.

    The registry holds no choices and is sent to clerks only (the transport refuses it
    to every other role), so it passes unchanged.
    """
    if isinstance(state, RegistryState):
        return state
    votes = {k: v if sees_choices(role, v) else redact_vote(v) for k, v in state.votes.items()}
    return replace(state, votes=votes)


def roster_view(state: SittingState) -> list[dict[str, Any]]:
    """The members of the sitting: sent once on join, not with every change."""
    return [e.model_dump(mode="json") for e in state.roster.values()]


def sitting_summary(s: SittingState, registry: RegistryState) -> dict[str, Any]:
    """A sitting in a list: enough to tell two of the same title apart (body, number, date, place).

    ``body_km``/``body_en`` are the body's names when it is defined (else empty: the page names its kind).
    """
    body = registry.bodies.get(s.body_id)
    return {
        "stream": s.stream,
        "body": s.body.value,
        "body_id": s.body_id,
        "body_km": body.definition.name_km if body else "",
        "body_en": body.definition.name_en if body else "",
        "number": s.number,
        "title_km": s.title_km,
        "title_en": s.title_en,
        "date": s.date,
        "place": s.place,
        "status": s.status.value,
        "simulated": s.simulated,
        "seq": s.seq,
    }


def public_view(state: SittingState) -> dict[str, Any]:
    """The sitting as every page may see it, in agenda order."""
    by_id = {i.item_id: i for i in state.items}
    depth: dict[str, int] = {}
    for item_id in agenda_order(state.items):
        parent = by_id[item_id].parent_id
        depth[item_id] = depth[parent] + 1 if parent else 0
    floor = state.floor
    return {
        "stream": state.stream,
        "seq": state.seq,
        "body": state.body.value,
        "body_id": state.body_id,
        "simulated": state.simulated,
        "number": state.number,
        "title_km": state.title_km,
        "title_en": state.title_en,
        "date": state.date,
        "place": state.place,
        "room": state.room,
        "time_zone": state.time_zone,
        "status": state.status.value,
        "opened_ms": state.opened_ms,
        "opened_day": state.opened_day,
        "closed_ms": state.closed_ms,
        "notice": state.notice,
        "presiding": state.presiding,
        "current_item": state.current_item,
        "shown": shown_view(state),
        "items": [
            {
                "item_id": i,
                "parent_id": by_id[i].parent_id,
                "depth": depth[i],
                "title_km": by_id[i].title_km,
                "title_en": by_id[i].title_en,
                "status": by_id[i].status.value,
                "documents": [
                    {"document_id": d.document_id, "title": d.title, "media_type": d.media_type,
                     "sha256": d.sha256, "size": d.size, "version": d.version}
                    for d in by_id[i].documents
                ],
            }
            for i in agenda_order(state.items)
        ],
        "guests": [g.model_dump(mode="json", exclude={"type"}) for g in state.guests.values()],
        "attendance": {
            "members": len(state.roster),
            "present": len(state.presence),
            "remote": sum(1 for p in state.presence.values() if p.remote),
            "quorum_needed": state.quorum_needed() if state.rules else 0,
            "has_quorum": state.has_quorum(),
            "presence": {m: {"seat": p.seat, "remote": p.remote} for m, p in state.presence.items()},
        },
        "seats": seating_view(state),
        "floor": {
            "settings": floor.settings.model_dump(mode="json"),
            "queue": [
                {"request_id": r.request_id, "member_id": r.member_id,
                 "speech_type": r.speech_type.value, "at_ms": r.at_ms}
                for r in floor.queue
            ],
            "speaking": [
                {"turn_id": t.turn_id, "member_id": t.member_id, "speech_type": t.speech_type.value,
                 "mic": t.mic, "started_ms": t.started_ms, "time_limit_s": t.time_limit_s,
                 "warning_s": t.warning_s, "auto_stop": t.auto_stop,
                 # spoken so far = spent_ms + (now - running_since_ms while running); paused: no clock
                 "spent_ms": t.spent_ms, "running_since_ms": t.running_since_ms,
                 "paused": t.running_since_ms is None, "warned": t.warned}
                for t in floor.speaking
            ],
            "list_closed": floor.list_closed,
            "item_limits": {i: lim.model_dump(mode="json") for i, lim in floor.item_limits.items()},
            "quotas": dict(floor.quotas),
            "group_used_ms": dict(floor.group_used_ms),
            "member_total_ms": dict(floor.member_total_ms),
            "last_speaker": floor.last_speaker[0] if floor.last_speaker else None,
        },
        "votes": [vote_view(v) for v in state.votes.values()],
        "rules": rules_view(state),
    }


def shown_view(state: SittingState) -> dict[str, Any] | None:
    """The document page on the hall display, with the hash the pages load it by."""
    shown = state.shown
    found = state.document(shown.document_id) if shown and shown.document_id else None
    if shown is None or found is None:
        return None
    return {"document_id": shown.document_id, "item_id": shown.item_id, "page": shown.page,
            "sha256": found[1].sha256, "title": found[1].title}


def seating_view(state: SittingState) -> dict[str, dict[str, Any]]:
    """Each occupied seat as the seating plan shows it: who sits there and what they are doing.

    Shape: ``{seat: {"member_id", "requested", "speaking", "voted"}}`` for every member
    checked in at a seat (a remote member has none). ``voted``: the member has a ballot in
    the vote open now. That a member voted is seen in the hall as at a ballot box; what
    they chose is never here, whatever the vote's kind (issue 13: "voted, not how"); a
    roll-call vote's names reach pages through ``vote_view`` once ``sees_choices`` allows.
    """
    open_vote = next((v for v in state.votes.values() if v.status is VoteStatus.OPEN), None)
    voted = set(open_vote.ballots) if open_vote else set()
    requested = {r.member_id for r in state.floor.queue}
    speaking = {t.member_id for t in state.floor.speaking}
    return {
        p.seat: {"member_id": m, "requested": m in requested, "speaking": m in speaking, "voted": m in voted}
        for m, p in state.presence.items()
        if p.seat is not None
    }


def plan_view(registry: RegistryState, room: str | None) -> dict[str, Any] | None:
    """A room's seating plan as pages draw it (``protocol.seating.SeatingPlan``), or None without one."""
    plan = registry.plans.get(room) if room else None
    return plan.model_dump(mode="json") if plan else None


def rules_view(state: SittingState) -> dict[str, Any] | None:
    """The sitting's rules profile, so the chair offers only majorities it has."""
    r = state.rules
    if r is None:
        return None
    return {
        "id": r.id,
        "name": r.name,
        "quorum": r.quorum.model_dump(),
        "default_majority": r.default_majority,
        "majorities": {k: m.name for k, m in r.majorities.items()},
    }


def vote_view(v: VoteState) -> dict[str, Any]:
    """A vote on the pages: every page gets the view made for the public (``PUBLIC``)."""
    o = v.opened
    show_names = sees_choices(PUBLIC, v)
    return {
        "vote_id": o.vote_id,
        "item_id": o.item_id,
        "motion_km": o.motion_km,
        "motion_en": o.motion_en,
        "options": list(o.options),
        "roles": {opt: role.value for opt, role in o.roles.items()},
        "kind": o.kind.value,
        "majority": o.majority.name,
        "question": o.question.value,
        "needed": needed_now(v),
        **needed_of(v),
        "allow_change": o.allow_change,
        "deadline_ms": o.deadline_ms,
        "eligible": list(o.eligible),
        "status": v.status.value,
        "voted": v.voted,
        "result": v.result.model_dump(mode="json") if v.result else None,
        "named": ({m: b.choice for m, b in v.ballots.items()} if show_names else {}),
        "sealed": v.sealed is not None,
        "shown_until_ms": v.shown_until_ms,
        "cleared": v.cleared,
    }


def needed_of(v: VoteState) -> dict[str, Any]:
    """What "needs N yes" is counted against, for "needs 42 yes of 62 members".

    ``needed_base`` is the main condition's base (``MajorityBase``); ``needed_of`` the
    number it stands for when fixed at opening (all members, or those present then),
    None when it grows with the ballots (votes cast); ``needed_fraction`` is
    ``[num, den, strictly_more]`` of the main condition.
    """
    o = v.opened
    rule = o.majority
    fixed = {MajorityBase.ALL_MEMBERS: o.members, MajorityBase.PRESENT: len(o.eligible)}
    return {"needed_base": rule.base.value, "needed_of": fixed.get(rule.base),
            "needed_fraction": [rule.fraction.num, rule.fraction.den, rule.strictly_more]}


def transcript_view(state: SittingState) -> dict[str, list[dict[str, Any]]]:
    """Each turn's segments with their words and every version, for the clerks' review."""
    turns: dict[str, list[dict[str, Any]]] = {}
    for seg in state.transcript.values():
        a = seg.added
        turns.setdefault(a.turn_id, []).append({
            "segment_id": a.segment_id,
            "member_id": a.member_id,
            "start_ms": a.start_ms,
            "end_ms": a.end_ms,
            "engine": a.engine,
            "model": a.model,
            "words": [w.model_dump(mode="json") for w in a.words],
            "versions": [
                {"version": v.version, "text": v.text, "status": v.status.value, "at_ms": v.at_ms, "by": v.by,
                 "typed": v.typed}
                for v in seg.versions
            ],
            "flag": None if seg.flag is None else {"language": seg.flag.language, "reason": seg.flag.reason},
        })
    for segments in turns.values():
        segments.sort(key=lambda g: g["start_ms"])
    return turns
