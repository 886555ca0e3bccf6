"""Signed e-voting over real sockets: a roll-call end to end, every refusal,
kill -9 while ballots stream in, and `verify` catching each kind of tampering."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import subprocess
import sys
import urllib.request
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hall_server.export import export_json, verify_export
from hall_server.store import EventLog
from hemicycle.seed import Seeded, seed_senate
from procedure import SittingState
from protocol.canonical import GENESIS_HASH, chain_hash
from protocol.commands import CheckIn, CloseVote, NextItem, OpenSitting, OpenVote, PublishVote, RevokeDevice
from protocol.errors import ErrorCode, ProtocolError
from protocol.events import Record
from protocol.types import Role, VoteKind
from seat_client.client import HallClient
from seat_client.identity import DeviceKey
from tests.hall import ServerProcess

SEATS = 20


@dataclass
class Sitting:
    server: ServerProcess
    seeded: Seeded
    clerk: HallClient
    chair: HallClient
    seats: list[HallClient]
    present: int

    @property
    def id(self) -> str:
        return self.seeded.plenary

    def member(self, i: int) -> Any:
        return self.seeded.members[i]

    def ballot(self, i: int, vote: str, choice: str = "yes") -> Any:
        key = self.seats[i].identity
        assert isinstance(key, DeviceKey)
        m = self.member(i)
        return key.ballot(self.id, vote, m.member_id, m.seat, choice)

    def state(self) -> SittingState:
        s = self.chair.states[self.id]
        assert isinstance(s, SittingState)
        return s

    async def open_vote(self, **kw: Any) -> str:
        vote_id = f"v{uuid.uuid4().hex[:8]}"
        await self.chair.command(self.id, OpenVote(vote_id=vote_id, motion_km="សំណើ", motion_en="Motion",
                                                     **{"without_quorum": True, **kw}))
        return vote_id

    async def settle(self) -> int:
        """Wait until the chair's view has every record the server has committed."""
        await asyncio.sleep(0.1)
        ack = await self.chair.call("sync", {"stream": self.id, "after": self.state().seq})
        for raw in ack["records"]:
            await self.chair._take(Record.model_validate(raw))
        return self.state().seq


async def make_sitting(server: ServerProcess, seats: int = SEATS, present: int | None = None) -> Sitting:
    clerk = HallClient(server.url, Role.CLERK, server.admin_token)
    await clerk.connect()
    prefix = f"v{uuid.uuid4().hex[:6]}"
    seeded = await seed_senate(clerk, seats=seats, prefix=prefix, commission=False)
    chair = HallClient(server.url, Role.CHAIR, seeded.device("chair"), give_up_after=5)
    await chair.connect()
    await chair.follow(seeded.plenary)
    clients = []
    for m in seeded.members[:seats]:
        c = HallClient(server.url, Role.SEAT, seeded.device(f"seat-{m.seat}"), give_up_after=5)
        await c.connect()
        clients.append(c)
    await chair.command(seeded.plenary, OpenSitting(without_quorum=True))
    n = seats if present is None else present
    await asyncio.gather(*(c.command(seeded.plenary, CheckIn(member_id=m.member_id, pin=m.pin))
                           for c, m in zip(clients[:n], seeded.members, strict=False)))
    await chair.command(seeded.plenary, NextItem())
    return Sitting(server, seeded, clerk, chair, clients, n)


@pytest.fixture
async def sitting(server: ServerProcess) -> AsyncIterator[Sitting]:
    s = await make_sitting(server, present=SEATS - 2)
    yield s
    for c in [s.clerk, s.chair, *s.seats]:
        with contextlib.suppress(Exception):
            await c.close()


async def test_roll_call_end_to_end_is_sealed_and_verifies(sitting: Sitting, tmp_path: Path) -> None:
    vote = await sitting.open_vote(kind=VoteKind.ROLL_CALL)
    choices = ["yes", "yes", "no", "abstain"]
    acks = await asyncio.gather(*(
        sitting.seats[i].command(sitting.id, sitting.ballot(i, vote, choices[i % 4]))
        for i in range(sitting.present)
    ))
    assert all("receipt" in a for a in acks)
    assert len({a["receipt"]["seq"] for a in acks}) == sitting.present
    # A seat that lost its local memory asks again and learns its own ballot, and only its own.
    own = (await sitting.seats[2].call("view", {"stream": sitting.id}))["own"]
    assert own == {"member_id": sitting.member(2).member_id,
                   "ballots": {vote: {"seq": acks[2]["receipt"]["seq"], "choice": "no"}}}
    await sitting.chair.command(sitting.id, CloseVote(vote_id=vote))
    await sitting.chair.command(sitting.id, PublishVote(vote_id=vote))
    await sitting.settle()
    v = sitting.state().votes[vote]
    assert v.result is not None and v.sealed is not None
    # 18 of 20 present (quorum 14); absolute majority needs more than 10 of 20.
    assert v.result.counts == {"yes": 10, "no": 4, "abstain": 4}
    assert v.result.quorum_met and v.result.outcome == "rejected"
    assert len(v.sealed.signature) == 128
    log = EventLog(sitting.server.db_url)
    doc = export_json(log, sitting.id)
    log.close()
    path = tmp_path / "sitting.json"
    path.write_text(json.dumps(doc))
    with urllib.request.urlopen(f"{sitting.server.url}/api/server") as r:
        server_key = json.loads(r.read())["server_key"]
    out = subprocess.run([sys.executable, "-m", "hemicycle.cli", "verify", str(path),
                          "--server-key", server_key], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout
    assert f"{sitting.present} ballots" in out.stdout and "1 seals" in out.stdout


async def test_each_bad_ballot_is_refused_with_its_code_and_changes_nothing(sitting: Sitting) -> None:
    vote = await sitting.open_vote(kind=VoteKind.ROLL_CALL)
    first = await sitting.seats[0].command(sitting.id, b0 := sitting.ballot(0, vote))
    before = await sitting.settle()

    async def refused(i: int, cmd: Any) -> ErrorCode:
        with pytest.raises(ProtocolError) as e:
            await sitting.seats[i].command(sitting.id, cmd)
        return e.value.code

    forger = DeviceKey("forger", Ed25519PrivateKey.generate())
    m1 = sitting.member(1)
    forged = forger.ballot(sitting.id, vote, m1.member_id, m1.seat, "no")
    assert await refused(1, forged) is ErrorCode.BAD_SIGNATURE
    assert await refused(0, b0) is ErrorCode.REPLAYED
    assert await refused(0, sitting.ballot(0, vote, "no")) is ErrorCode.ALREADY_VOTED
    key2 = sitting.seats[2].identity
    assert isinstance(key2, DeviceKey)
    other = key2.ballot(sitting.id, vote, m1.member_id, sitting.member(2).seat, "no")
    assert await refused(2, other) is ErrorCode.NOT_YOUR_MEMBER
    # A member who checks in after the vote opened is not eligible.
    late = sitting.member(SEATS - 1)
    await sitting.seats[SEATS - 1].command(sitting.id, CheckIn(member_id=late.member_id, pin=late.pin))
    assert await refused(SEATS - 1, sitting.ballot(SEATS - 1, vote)) is ErrorCode.NOT_ELIGIBLE
    # A revoked device is told so and leaves at once (issue 12): its ballot never reaches the vote.
    revoked = sitting.seeded.device(f"seat-{sitting.member(3).seat}").device_id
    await sitting.clerk.command("registry", RevokeDevice(device_id=revoked))
    gone = sitting.seats[3]
    for _ in range(250):
        if gone.revoked and not gone.connected:
            break
        await asyncio.sleep(0.02)
    assert gone.revoked and not gone.connected
    await sitting.chair.command(sitting.id, CloseVote(vote_id=vote))
    assert await refused(4, sitting.ballot(4, vote)) is ErrorCode.VOTE_CLOSED
    # Replaying an earlier ballot into a new vote is refused too.
    vote2 = await sitting.open_vote()
    assert await refused(0, b0) in (ErrorCode.REPLAYED, ErrorCode.VOTE_CLOSED)
    after = await sitting.settle()
    # Only the check-in, the revocation's absence here, close+seal and the new vote were added.
    log = EventLog(sitting.server.db_url)
    kinds = [r.event.type for r in log.records(sitting.id, before)]
    log.close()
    assert kinds == ["attendance.checked_in", "vote.closed", "vote.sealed", "vote.opened"]
    assert after == before + 4
    assert sitting.state().votes[vote].voted == 1 and first["receipt"]["seq"] <= before
    assert all(c.connected for c in sitting.seats if c is not gone)
    assert vote2 in sitting.state().votes


async def test_kill9_while_ballots_stream_in_loses_no_acknowledged_ballot(server: ServerProcess) -> None:
    s = await make_sitting(server, seats=30)
    vote = await s.open_vote(kind=VoteKind.ROLL_CALL)
    acked: dict[str, int] = {}

    async def cast(i: int) -> None:
        await asyncio.sleep(0.01 * i)
        try:
            ack = await s.seats[i].command(s.id, s.ballot(i, vote, "yes" if i % 3 else "no"))
        except Exception:
            return
        acked[s.member(i).member_id] = ack["receipt"]["seq"]

    casting = asyncio.gather(*(cast(i) for i in range(30)))
    while len(acked) < 8:
        await asyncio.sleep(0.005)
    server.kill9()
    await casting
    for c in [s.clerk, s.chair, *s.seats]:
        with contextlib.suppress(Exception):
            await c.close()
    server.start()
    chair = HallClient(server.url, Role.CHAIR, s.seeded.device("chair"))
    await chair.connect()
    await chair.command(s.id, CloseVote(vote_id=vote))
    log = EventLog(server.db_url)
    ballots = [r for r in log.iter_records(s.id) if r.event.type == "vote.ballot_cast"]
    by_member = {r.event.member_id: r.seq for r in ballots}  # type: ignore[union-attr]
    assert {m: by_member.get(m) for m in acked} == acked, "an acknowledged ballot was lost"
    assert len(by_member) == len(ballots), "a ballot was counted twice"
    closed = next(r for r in log.iter_records(s.id) if r.event.type == "vote.closed")
    assert closed.event.result.voted == len(ballots)  # type: ignore[union-attr]
    _, finding = verify_export(export_json(log, s.id))
    assert finding is None, finding
    log.close()
    await chair.close()


# -- tampering with an exported record ------------------------------------------------


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One real sitting with a sealed roll-call vote, exported once for the tampering tests."""
    tmp = tmp_path_factory.mktemp("export")
    srv = ServerProcess(f"sqlite:///{tmp / 'hall.db'}", tmp / "srv")
    srv.start()

    async def run() -> str:
        s = await make_sitting(srv, seats=8)
        vote = await s.open_vote(kind=VoteKind.ROLL_CALL)
        for i in range(8):
            await s.seats[i].command(s.id, s.ballot(i, vote, "yes" if i % 2 else "no"))
        await s.chair.command(s.id, CloseVote(vote_id=vote))
        for c in [s.clerk, s.chair, *s.seats]:
            await c.close()
        return s.id

    sitting = asyncio.run(run())
    srv.stop()
    log = EventLog(srv.db_url)
    doc = export_json(log, sitting)
    log.close()
    assert verify_export(doc)[1] is None
    return doc


def rechain(doc: dict[str, Any], start: int = 0) -> None:
    """What a careful forger does after an edit: renumber and recompute every hash."""
    recs = doc["records"]
    for i in range(start, len(recs)):
        body = {k: v for k, v in recs[i].items() if k not in ("hash", "redacted")}
        body["seq"] = i + 1
        body["prev_hash"] = recs[i - 1]["hash"] if i else GENESIS_HASH
        recs[i] = {**body, "hash": chain_hash(body["prev_hash"], body)}
    doc["head"] = recs[-1]["hash"]


def _index(doc: dict[str, Any], kind: str, nth: int = 0) -> int:
    return [i for i, r in enumerate(doc["records"]) if r["event"]["type"] == kind][nth]


def flip_choice(doc: dict[str, Any]) -> None:
    i = _index(doc, "vote.ballot_cast")
    ev = doc["records"][i]["event"]
    ev["choice"] = "yes" if ev["choice"] == "no" else "no"


def flip_choice_rechained(doc: dict[str, Any]) -> None:
    flip_choice(doc)
    rechain(doc)


def remove_ballot(doc: dict[str, Any]) -> None:
    del doc["records"][_index(doc, "vote.ballot_cast", 3)]
    rechain(doc)


def reorder_events(doc: dict[str, Any]) -> None:
    i = _index(doc, "vote.ballot_cast", 2)
    recs = doc["records"]
    recs[i], recs[i + 1] = recs[i + 1], recs[i]


def reorder_events_rechained(doc: dict[str, Any]) -> None:
    reorder_events(doc)
    rechain(doc)


def alter_seal(doc: dict[str, Any]) -> None:
    ev = doc["records"][_index(doc, "vote.sealed")]["event"]
    ev["result_sha256"] = "0" * 64
    rechain(doc)


def recount_lie(doc: dict[str, Any]) -> None:
    ev = doc["records"][_index(doc, "vote.closed")]["event"]
    ev["result"]["counts"]["yes"] += 1
    rechain(doc)


def outcome_lie(doc: dict[str, Any]) -> None:
    """The counts stay true; the outcome says the motion carried (4 yes, 4 no: it did not)."""
    ev = doc["records"][_index(doc, "vote.closed")]["event"]
    assert ev["result"]["outcome"] == "rejected"
    ev["result"]["outcome"] = "adopted"
    ev["result"]["threshold_met"] = True
    rechain(doc)


def rules_and_outcome_rewritten(doc: dict[str, Any]) -> None:
    """A forger who rewrites the rules to fit (4 to 4 becomes a tie), everywhere: the seal still tells."""
    created = doc["records"][_index(doc, "sitting.created")]["event"]
    for rule in created["rules"]["majorities"].values():
        rule["on_tie"] = "tie"
    doc["records"][_index(doc, "vote.opened")]["event"]["majority"]["on_tie"] = "tie"
    doc["records"][_index(doc, "vote.closed")]["event"]["result"]["outcome"] = "tie"
    rechain(doc)


TAMPERINGS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "choice flipped": (flip_choice, "hash"),
    "choice flipped, chain recomputed": (flip_choice_rechained, "ballot"),
    "ballot removed": (remove_ballot, "tally"),
    "events reordered": (reorder_events, "sequence"),
    "events reordered, chain recomputed": (reorder_events_rechained, "seal"),
    "seal altered": (alter_seal, "seal"),
    "tally altered": (recount_lie, "tally"),
    "outcome altered": (outcome_lie, "outcome"),
    "rules rewritten to fit the outcome": (rules_and_outcome_rewritten, "seal"),
}


@pytest.mark.parametrize("how", list(TAMPERINGS))
def test_verify_names_the_tampered_item(exported: dict[str, Any], tmp_path: Path, how: str) -> None:
    tamper, check = TAMPERINGS[how]
    doc = copy.deepcopy(exported)
    tamper(doc)
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(doc))
    out = subprocess.run([sys.executable, "-m", "hemicycle.cli", "verify", str(path)],
                         capture_output=True, text=True)
    assert out.returncode == 1, out.stdout
    fail = next(line for line in out.stdout.splitlines() if line.startswith("FAIL"))
    assert f"{check} failed at record seq=" in fail, fail


async def test_timer_closes_the_vote_and_a_changed_ballot_counts_once(sitting: Sitting, tmp_path: Path) -> None:
    vote = await sitting.open_vote(kind=VoteKind.ROLL_CALL, duration_s=2, allow_change=True)
    first = await sitting.seats[0].command(sitting.id, sitting.ballot(0, vote, "no"))
    changed = await sitting.seats[0].command(sitting.id, sitting.ballot(0, vote, "yes"))
    await sitting.seats[1].command(sitting.id, sitting.ballot(1, vote, "abstain"))
    assert changed["receipt"]["seq"] > first["receipt"]["seq"]
    await sitting.chair.wait_for(sitting.id, lambda s: s.votes[vote].sealed is not None, timeout=10)  # type: ignore[union-attr]
    v = sitting.state().votes[vote]
    assert v.result is not None and v.result.counts == {"yes": 1, "no": 0, "abstain": 1}
    assert v.result.voted == 2
    log = EventLog(sitting.server.db_url)
    doc = export_json(log, sitting.id)
    log.close()
    closed = next(r for r in doc["records"] if r["event"]["type"] == "vote.closed")
    assert closed["event"]["by_clock"] is True and closed["actor"]["role"] == "system"
    assert verify_export(doc)[1] is None
    with pytest.raises(ProtocolError) as e:
        await sitting.seats[2].command(sitting.id, sitting.ballot(2, vote))
    assert e.value.code is ErrorCode.VOTE_CLOSED


async def test_a_killed_verifier_process_is_replaced(sitting: Sitting) -> None:
    vote = await sitting.open_vote()
    await sitting.seats[0].command(sitting.id, sitting.ballot(0, vote))
    assert sitting.server.proc is not None
    children = subprocess.run(["pgrep", "-P", str(sitting.server.proc.pid), "-f", "spawn_main"],
                              capture_output=True, text=True).stdout.split()
    assert children, "the verifier runs in its own process"
    for pid in children:
        subprocess.run(["kill", "-9", pid], check=True)
    ack = await sitting.seats[1].command(sitting.id, sitting.ballot(1, vote))
    assert ack["ok"] and "receipt" in ack
    assert "the verifier process died" in (sitting.server.data / "server.log").read_text()
    with pytest.raises(ProtocolError) as e:  # and the new verifier still refuses forgeries
        forged = DeviceKey("x", Ed25519PrivateKey.generate()).ballot(
            sitting.id, vote, sitting.member(2).member_id, sitting.member(2).seat, "yes")
        await sitting.seats[2].command(sitting.id, forged)
    assert e.value.code is ErrorCode.BAD_SIGNATURE
