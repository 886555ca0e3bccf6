"""Every path by which a sitting's state leaves the server, walked for every role:
no secret choice anywhere, and an open roll-call's choices only to clerks.

Paths: live records, live views, the view answer, resync by records and resync by
snapshot (a client far behind). Roles: seat (another member's and the voter's own
device), remote, chair, clerk, display, recorder.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hemicycle.seed import seed_senate
from procedure import SittingState, load_state
from protocol.commands import (
    REGISTRY_STREAM,
    CheckIn,
    CloseVote,
    EnrolDevice,
    NextItem,
    OpenSitting,
    OpenVote,
    PostNotice,
)
from protocol.events import Record
from protocol.types import Role, VoteKind
from seat_client.client import HallClient
from seat_client.identity import memory_keys
from tests.hall import ServerProcess

SYNC_LIMIT = 2000  # hall_server.transport.namespaces: beyond this a resync is a snapshot


def ballots_in(payload: Any) -> Iterator[dict[str, Any]]:
    """Every ballot event anywhere in a JSON payload."""
    if isinstance(payload, dict):
        if payload.get("type") == "vote.ballot_cast":
            yield payload
        for value in payload.values():
            yield from ballots_in(value)
    elif isinstance(payload, list):
        for value in payload:
            yield from ballots_in(value)


async def test_no_secret_or_open_roll_call_choice_leaves_by_any_path(tmp_path: Path) -> None:
    # The chair posts 2,001 notices to push the sitting past the resync limit: lift its rate limit.
    srv = ServerProcess(f"sqlite:///{tmp_path / 'hall.db'}", tmp_path / "srv", env={"HEMICYCLE_RATE_SCALE": "100"})
    srv.start()
    clients: list[HallClient] = []
    try:
        clerk = HallClient(srv.url, Role.CLERK, srv.admin_token)
        await clerk.connect()
        seeded = await seed_senate(clerk, seats=4, prefix=f"p{uuid.uuid4().hex[:4]}", commission=False)
        sitting, members = seeded.plenary, seeded.members
        remote_key = memory_keys()("remote-m3")
        await clerk.command(REGISTRY_STREAM, EnrolDevice(device_id=remote_key.device_id, role=Role.REMOTE,
                                                         member_id=members[3].member_id,
                                                         public_key=remote_key.public_hex))
        chair = HallClient(srv.url, Role.CHAIR, seeded.device("chair"))
        seats = [HallClient(srv.url, Role.SEAT, seeded.device(f"seat-{m.seat}")) for m in members[:3]]
        remote = HallClient(srv.url, Role.REMOTE, remote_key)
        display = HallClient(srv.url, Role.DISPLAY, seeded.device("display"))
        recorder = HallClient(srv.url, Role.RECORDER, seeded.device("recorder"))
        voters = [*seats, remote]
        clients = [clerk, chair, *voters, display, recorder]
        received: dict[int, list[Any]] = {id(c): [] for c in clients}  # every payload each client got

        def tap(c: HallClient) -> None:
            async def records(batch: list[dict[str, Any]]) -> None:
                received[id(c)].append(batch)
                await c._on_records(batch)

            def view(data: Any) -> None:
                received[id(c)].append(data)

            c.sio.on("records", records, namespace=c.namespace)
            c.sio.on("view", view, namespace=c.namespace)

        for c in clients:
            tap(c)
            if c is not clerk:
                await c.connect()
            await c.follow(sitting)
            received[id(c)].append(await c.call("view", {"stream": sitting}))
        await chair.command(sitting, OpenSitting(without_quorum=True))
        for c, m in zip(seats, members, strict=False):
            await c.command(sitting, CheckIn(member_id=m.member_id, pin=m.pin))
        await remote.command(sitting, CheckIn(member_id=members[3].member_id, remote=True))
        await chair.command(sitting, NextItem())

        signatures: dict[str, set[str]] = {"secret": set(), "roll_call": set()}

        async def vote(kind: VoteKind, close: bool) -> str:
            vote_id = f"{kind.value}-{uuid.uuid4().hex[:6]}"
            await chair.command(sitting, OpenVote(without_quorum=True, vote_id=vote_id, motion_km="សំណើ",
                                                  motion_en="Motion", kind=kind))
            for i, c in enumerate(voters):
                m = members[i]
                assert not isinstance(c.identity, str)
                ballot = c.identity.ballot(sitting, vote_id, m.member_id, m.seat if i < 3 else None,
                                           ("yes", "no", "abstain")[i % 3])
                signatures[kind.value].add(ballot.signature)
                await c.command(sitting, ballot)
            if close:
                await chair.command(sitting, CloseVote(vote_id=vote_id))
            return vote_id

        secret = await vote(VoteKind.SECRET, close=True)
        roll_call = await vote(VoteKind.ROLL_CALL, close=False)
        for c in clients:
            await c.wait_for(sitting, lambda s: s.seq >= chair.states[sitting].seq)
            received[id(c)].append(await c.call("view", {"stream": sitting}))
            received[id(c)].append(await c.call("sync", {"stream": sitting, "after": 0}))  # by records

        # Far behind: a resync is a snapshot.
        await asyncio.gather(*(chair.command(sitting, PostNotice(text=f"n{i}")) for i in range(SYNC_LIMIT + 1)))
        snapshots: dict[int, SittingState] = {}
        for c in clients:
            ack = await c.call("sync", {"stream": sitting, "after": 0})
            assert "snapshot" in ack, "the walk must reach the snapshot path"
            received[id(c)].append(ack)
            state = load_state(ack["snapshot"])
            assert isinstance(state, SittingState)
            snapshots[id(c)] = state

        for c in clients:
            text = json.dumps(received[id(c)])
            folded = c.states[sitting]
            assert isinstance(folded, SittingState)
            # Secret: nobody, by any path.
            assert not any(s in text for s in signatures["secret"]), c.role
            for state in (folded, snapshots[id(c)]):
                assert all(k.startswith("#") and not b.choice for k, b in state.votes[secret].ballots.items())
                assert state.votes[secret].voted == 4
            # Open roll-call: clerks only.
            sees = c.role is Role.CLERK
            assert all(s in text for s in signatures["roll_call"]) is sees, c.role
            assert (not any(s in text for s in signatures["roll_call"])) is not sees, c.role
            for state in (folded, snapshots[id(c)]):
                names = {k for k, b in state.votes[roll_call].ballots.items() if b.choice}
                assert names == ({m.member_id for m in members} if sees else set()), c.role
            for ballot in ballots_in(received[id(c)]):
                if ballot["vote_id"] == secret or not sees:
                    assert ballot["member_id"] == ballot["choice"] == ballot["ballot"] == "", c.role
            # A clerk's full ballots still hash: nothing but the secret parts was touched.
            if sees:
                for batch in received[id(c)]:
                    if isinstance(batch, list):
                        for raw in batch:
                            r = Record.model_validate(raw)
                            assert r.redacted or r.verify_link()
        # The voter's own device is told its own ballots, and no one else's.
        own = (await seats[1].call("view", {"stream": sitting}))["own"]
        assert own["member_id"] == members[1].member_id
        assert {v: b["choice"] for v, b in own["ballots"].items()} == {secret: "no", roll_call: "no"}
    finally:
        for c in clients:
            try:
                await c.close()
            except Exception:  # a client that never connected
                pass
        srv.stop()
