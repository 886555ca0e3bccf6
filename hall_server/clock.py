"""The hall's clock: turns a speech's deadline into a command, like any other.

Auto-stop is a ``floor.expire`` command sent by the ``system`` actor with a
command id derived from the turn, so a restart or a second worker that
fires it again changes nothing.
"""

from __future__ import annotations

import asyncio
import logging

from hall_server.domain import SittingState
from hall_server.hall import Caller, Hall
from protocol.commands import CommandEnvelope, ExpireSpeech
from protocol.errors import ProtocolError
from protocol.events import Actor
from protocol.types import Role, SittingStatus

log = logging.getLogger("hemicycle.clock")
SYSTEM = Caller(Actor(role=Role.SYSTEM, device_id="clock"))


def due_expiries(states: list[SittingState], now_ms: int) -> list[tuple[str, str]]:
    """(stream, turn id) of every auto-stopping speech past its deadline."""
    due = []
    for s in states:
        if s.status is not SittingStatus.OPEN:
            continue
        for turn in s.floor.speaking:
            deadline = turn.deadline_ms()
            if turn.auto_stop and deadline is not None and now_ms >= deadline:
                due.append((s.stream, turn.turn_id))
    return due


async def run_clock(hall: Hall, period_s: float = 0.25) -> None:
    while True:
        await asyncio.sleep(period_s)
        for stream, turn_id in due_expiries(hall.sittings(), hall.clock()):
            env = CommandEnvelope(
                id=f"expire-{turn_id}-{stream}"[:64].replace(".", "-").replace(":", "-"),
                stream=stream,
                cmd=ExpireSpeech(turn_id=turn_id),
            )
            try:
                await hall.execute(env, SYSTEM)
            except ProtocolError as err:
                log.info("expiry of %s in %s refused: %s", turn_id, stream, err)
