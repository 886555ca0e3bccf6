"""The hall's clock: turns deadlines into commands, like any other.

Auto-stop is ``floor.expire``, the speaker's warning ``floor.warn`` and a
vote timer ``vote.close``, sent by the ``system`` actor with command ids
derived from what they act on, so a restart or a second worker that fires
them again changes nothing. A paused speech has no deadline, so the clock
leaves it alone; an extension moves the deadline and earns a new warning.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging

from hall_server.hall import Caller, Hall
from procedure import SittingState
from protocol.commands import CloseVote, CommandEnvelope, ExpireSpeech, WarnSpeech
from protocol.errors import ProtocolError
from protocol.events import Actor
from protocol.types import Role, SittingStatus, VoteStatus

log = logging.getLogger("hemicycle.clock")
SYSTEM = Caller(Actor(role=Role.SYSTEM, device_id="clock"))


def due_commands(states: list[SittingState], now_ms: int) -> list[CommandEnvelope]:
    """What the clock must do now: warn speakers, stop speeches and close votes whose time is up.

    Command ids come from what they act on (a warning also from the time
    limit, which an extension changes), so firing twice is harmless.
    """
    due = []
    for s in states:
        if s.status is not SittingStatus.OPEN:
            continue
        for turn in s.floor.speaking:
            deadline, warning = turn.deadline_ms(), turn.warning_ms()
            if turn.auto_stop and deadline is not None and now_ms >= deadline:
                due.append(_envelope(f"expire-{turn.turn_id}", s.stream, ExpireSpeech(turn_id=turn.turn_id)))
            elif not turn.warned and warning is not None and now_ms >= warning:
                name = f"warn-{turn.turn_id}-{turn.time_limit_s}"
                due.append(_envelope(name, s.stream, WarnSpeech(turn_id=turn.turn_id)))
        for vote_id, vote in s.votes.items():
            deadline = vote.opened.deadline_ms
            if vote.status is VoteStatus.OPEN and deadline is not None and now_ms >= deadline:
                due.append(_envelope(f"close-{vote_id}", s.stream, CloseVote(vote_id=vote_id)))
    return due


def _envelope(name: str, stream: str, cmd: ExpireSpeech | WarnSpeech | CloseVote) -> CommandEnvelope:
    digest = hashlib.sha256(f"{stream}|{name}".encode()).hexdigest()[:40]
    return CommandEnvelope(id=f"clock-{digest}", stream=stream, cmd=cmd)


async def run_clock(hall: Hall, period_s: float = 0.25) -> None:
    while True:
        await asyncio.sleep(period_s)
        for env in due_commands(hall.sittings(), hall.clock()):
            try:
                await hall.execute(env, SYSTEM)
            except ProtocolError as err:
                log.info("%s in %s refused: %s", env.cmd.type, env.stream, err)
