"""Fault campaigns: a sitting with votes streaming while a part of the hall fails.

    Sitting.open(url, token, seats)   a seeded Senate; chair and seats connected, checked in, following
    Sitting.stream(stop)              rounds of votes (open, every seat casts, close) until ``stop``
    audit(db_url, sitting, acked)     the log against the acknowledgements: lost, moved, counted twice,
                                      hash chain, every tally against its recount (``verify_export``)
    Figures                           what a campaign measured; printed, and quoted in docs/RELIABILITY.md

How many trials: ``HEMICYCLE_CHAOS_TRIALS`` (``make chaos`` sets 50; ``make test`` runs the short
form). Every fault is real: a process killed with SIGKILL, a database server stopped, a disk filled.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import time
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from hall_server.export import export_json, verify_export
from hall_server.store import EventLog
from hemicycle.seed import Seeded, seed_senate
from protocol.commands import CheckIn, CloseVote, NextItem, OpenSitting, OpenVote
from protocol.errors import ProtocolError
from protocol.events import BallotCast, VoteClosed
from protocol.types import Role
from seat_client.client import HallClient
from seat_client.identity import DeviceKey

LONG = int(os.environ.get("HEMICYCLE_CHAOS_TRIALS", "0"))  # 0: the short form of `make test`
GIVE_UP_S = 60.0  # a client rides out an outage this long, re-sending with the same command id
SEATS = 20 if LONG else 6  # members voting in each campaign's sitting
START_S = 120.0  # how long a (re)start may take: a loaded 2-core machine took 30 s and more


def trials(short: int, long: int | None = None) -> int:
    """How many times a campaign injects its fault: ``short`` in `make test`, else the long count."""
    return (long or LONG) if LONG else short


@dataclass
class Figures:
    """One campaign's numbers: its fault, how often, and what the audit found."""

    fault: str
    trials: int = 0
    acknowledged: int = 0
    lost: int = 0
    moved: int = 0
    counted_twice: int = 0
    tallies: int = 0
    verify: str = ""
    clients: int = 0
    converged: int = 0
    answers: Counter[str] = field(default_factory=Counter)  # refusals the clients saw, by code
    extra: dict[str, Any] = field(default_factory=dict)

    def report(self) -> str:
        line = json.dumps({"fault": self.fault, "trials": self.trials, "acknowledged": self.acknowledged,
                           "lost": self.lost, "moved": self.moved, "counted_twice": self.counted_twice,
                           "tallies_recounted": self.tallies, "verify": self.verify,
                           "clients_converged": f"{self.converged}/{self.clients}",
                           "answers": dict(self.answers), **self.extra}, ensure_ascii=False)
        print(f"\nCHAOS {line}", flush=True)
        return line


class Sitting:
    """A plenary sitting on a running hall, with a chair and ``seats`` members voting."""

    def __init__(self, seeded: Seeded, clerk: HallClient, chair: HallClient, seats: list[HallClient]) -> None:
        self.seeded = seeded
        self.id = seeded.plenary
        self.clerk = clerk
        self.chair = chair
        self.seats = seats
        self.acked: dict[str, int] = {}  # command id -> seq in its acknowledgement
        self.answers: Counter[str] = Counter()  # refusals, by code; "unanswered" for a client that gave up
        self.rounds = 0

    @classmethod
    async def open(cls, urls: list[str], admin_token: str, seats: int = SEATS) -> Sitting:
        """Seed, open the sitting, check every member in; clients spread over the workers' ``urls``."""
        clerk = HallClient(urls[0], Role.CLERK, admin_token, give_up_after=GIVE_UP_S)
        await clerk.connect()
        seeded = await seed_senate(clerk, seats=seats, prefix=f"c{uuid.uuid4().hex[:6]}", commission=False)
        chair = HallClient(urls[0], Role.CHAIR, seeded.device("chair"), give_up_after=GIVE_UP_S)
        await chair.connect()
        await chair.follow(seeded.plenary)
        await chair.command(seeded.plenary, OpenSitting(without_quorum=True))
        await chair.command(seeded.plenary, NextItem())
        clients = []
        for i, m in enumerate(seeded.members):
            c = HallClient(urls[i % len(urls)], Role.SEAT, seeded.device(f"seat-{m.seat}"), give_up_after=GIVE_UP_S)
            await c.connect()
            await c.follow(seeded.plenary)
            await c.command(seeded.plenary, CheckIn(member_id=m.member_id, pin=m.pin))
            clients.append(c)
        return cls(seeded, clerk, chair, clients)

    @property
    def clients(self) -> list[HallClient]:
        return [self.chair, *self.seats]

    async def send(self, client: HallClient, cmd: object) -> None:
        cid = uuid.uuid4().hex
        try:
            ack = await client.command(self.id, cmd, command_id=cid)
        except ProtocolError as err:
            self.answers[err.code.value] += 1
            return
        except (TimeoutError, OSError, RuntimeError, ConnectionError) as exc:
            self.answers[f"unanswered:{type(exc).__name__}"] += 1
            return
        self.acked[cid] = int(ack["seq"])

    async def cast(self, client: HallClient, member: Any, vote_id: str) -> None:
        assert isinstance(client.identity, DeviceKey)
        choice = random.choice(["yes", "no", "abstain"])
        await self.send(client, client.identity.ballot(self.id, vote_id, member.member_id, member.seat, choice))

    async def stream(self, stop: asyncio.Event) -> None:
        """Vote after vote until ``stop``: the chair opens, every seat casts at once, the chair closes."""
        while not stop.is_set():
            self.rounds += 1
            vote_id = f"v{self.rounds}"
            await self.send(self.chair, OpenVote(vote_id=vote_id, motion_km="សំណើ", motion_en="Motion",
                                                 without_quorum=True))
            await asyncio.gather(*(self.cast(c, m, vote_id)
                                   for c, m in zip(self.seats, self.seeded.members, strict=True)))
            await self.send(self.chair, CloseVote(vote_id=vote_id))

    async def acks_reach(self, n: int, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.acked) < n:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self.acked)} acknowledgements, waited for {n}; answers {self.answers}")
            await asyncio.sleep(0.01)

    async def converged(self, head_seq: int, head: str, timeout: float = 30.0) -> int:
        """How many clients reach the log's head (same seq, same hash) within ``timeout`` seconds."""
        async def one(c: HallClient) -> bool:
            try:
                state = await c.wait_for(self.id, lambda s: s.seq >= head_seq, timeout=timeout)
            except TimeoutError:
                return False
            return state.seq == head_seq and state.head == head

        return sum(await asyncio.gather(*(one(c) for c in self.clients)))

    async def close(self) -> None:
        for c in [self.clerk, *self.clients]:
            with contextlib.suppress(Exception):
                await c.close()


@dataclass(frozen=True)
class Audit:
    lost: int
    moved: int
    counted_twice: int
    tallies: int
    finding: str
    head_seq: int
    head: str


def audit(db_url: str, sitting: str, acked: dict[str, int]) -> Audit:
    """Read the log itself: every acknowledged command in it at its acknowledged seq, no member
    counted twice in any vote, and the export re-checked offline (chain, signatures, recounts)."""
    log = EventLog(db_url)
    try:
        stored: dict[str, int] = {}
        ballots: Counter[tuple[str, str]] = Counter()
        tallies = 0
        for r in log.iter_records(sitting):
            if r.command_id:
                stored[r.command_id] = max(stored.get(r.command_id, 0), r.seq)
            if isinstance(r.event, BallotCast):
                ballots[(r.event.vote_id, r.event.member_id)] += 1
            elif isinstance(r.event, VoteClosed):
                tallies += 1
        doc = export_json(log, sitting)
        checked, finding = verify_export(doc)
    finally:
        log.close()
    return Audit(
        lost=sum(1 for cid in acked if cid not in stored),
        moved=sum(1 for cid, seq in acked.items() if cid in stored and stored[cid] != seq),
        counted_twice=sum(n - 1 for n in ballots.values() if n > 1),
        tallies=tallies,
        finding=str(finding) if finding else "ok: " + "; ".join(checked),
        head_seq=doc["records"][-1]["seq"],
        head=doc["head"],
    )


async def settle(sitting: Sitting, figures: Figures, db_url: str) -> Audit:
    """The end of a campaign: the audit, and every client converged on the log's head."""
    result = await asyncio.get_running_loop().run_in_executor(None, audit, db_url, sitting.id, sitting.acked)
    figures.acknowledged = len(sitting.acked)
    figures.lost, figures.moved, figures.counted_twice = result.lost, result.moved, result.counted_twice
    figures.tallies, figures.verify = result.tallies, result.finding
    figures.clients = len(sitting.clients)
    figures.converged = await sitting.converged(result.head_seq, result.head)
    figures.answers = sitting.answers
    return result


def assert_kept(figures: Figures) -> None:
    """What every campaign promises, whatever broke."""
    assert figures.lost == 0, f"{figures.lost} acknowledged commands lost"
    assert figures.moved == 0, f"{figures.moved} acknowledged commands at another seq"
    assert figures.counted_twice == 0, f"{figures.counted_twice} ballots counted twice"
    assert figures.verify.startswith("ok"), figures.verify
    assert figures.converged == figures.clients, f"{figures.converged}/{figures.clients} clients converged"
    assert "internal" not in figures.answers, figures.answers


def refusals(url: str, token: str) -> dict[str, float]:
    """The server's own count of refusals by code (/metrics, with the scrape token)."""
    req = urllib.request.Request(f"{url}/metrics", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=5) as r:
        text = r.read().decode()
    out = {}
    for line in text.splitlines():
        if line.startswith("hemicycle_refusals_total{"):
            labels, value = line.split("} ")
            out[labels.split('code="')[1].rstrip('"')] = float(value)
    return out
