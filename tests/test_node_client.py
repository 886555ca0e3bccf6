"""An outside integration: the Node.js seat of examples/node-seat, written from the protocol documents.

Against a real server it pairs, is enrolled by a clerk, sees its bad login refused with a JSON
``connect_error``, logs in, checks in, asks for the floor, casts a signed ballot, checks the
sealed result's signature, and re-verifies its own ballot in the sitting's export.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import uuid
from pathlib import Path
from typing import Any

from hall_server.export import export_json
from hall_server.store import EventLog
from hemicycle.seed import seed_senate
from protocol.commands import CloseVote, EnrolDevice, NextItem, OpenSitting, OpenVote
from protocol.types import Role
from seat_client.client import HallClient
from tests.hall import ServerProcess

NODE_SEAT = Path(__file__).resolve().parent.parent / "examples" / "node-seat"


async def next_step(proc: asyncio.subprocess.Process, want: str) -> dict[str, Any]:
    assert proc.stdout is not None
    while True:
        line = await asyncio.wait_for(proc.stdout.readline(), 60)
        assert line, f"the node seat ended before {want!r}"
        step = json.loads(line)
        assert step["step"] != "failed", step
        if step["step"] == want:
            return dict(step)


async def test_node_seat_from_the_documents(tmp_path: Path) -> None:
    server = ServerProcess(f"sqlite:///{tmp_path / 'hall.db'}", tmp_path / "srv")
    server.start()
    try:
        clerk = HallClient(server.url, Role.CLERK, server.admin_token)
        await clerk.connect()
        seeded = await seed_senate(clerk, seats=2, prefix=f"n{uuid.uuid4().hex[:6]}", commission=False)
        s, member = seeded.plenary, seeded.members[0]
        chair = HallClient(server.url, Role.CHAIR, seeded.device("chair"))
        await chair.connect()
        await chair.follow(s)
        await chair.command(s, OpenSitting(without_quorum=True))
        await chair.command(s, NextItem())
        proc = await asyncio.create_subprocess_exec(
            "node", "seat.mjs", server.url, s, member.member_id, member.pin, "no", cwd=NODE_SEAT,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        pairing = await next_step(proc, "pairing")
        await clerk.command("registry", EnrolDevice(device_id="node-seat-1", role=Role.SEAT, seat=member.seat,
                                                    public_key=pairing["public_key"], label="node"))
        refused = await next_step(proc, "connect_refused")
        assert refused["code"] == "unauthenticated"
        await next_step(proc, "checked_in")
        await chair.command(s, OpenVote(without_quorum=True, vote_id="nv1", motion_km="ញត្តិ", motion_en="Motion"))
        voted = await next_step(proc, "voted")
        assert voted["receipt"]["seq"] > 0
        await chair.command(s, CloseVote(vote_id="nv1"))
        sealed = await next_step(proc, "sealed")
        assert sealed["counts"].get("no") == 1
        log = EventLog(server.db_url)
        try:
            path = tmp_path / "export.json"
            path.write_text(json.dumps(export_json(log, s)))
        finally:
            log.close()
        assert proc.stdin is not None
        proc.stdin.write(json.dumps({"export": str(path)}).encode() + b"\n")
        await proc.stdin.drain()
        verified = await next_step(proc, "verified")
        assert all(verified[k] for k in ("in_place", "my_bytes", "my_signature", "chain_link"))
        assert await asyncio.wait_for(proc.wait(), 30) == 0
        await chair.close()
        await clerk.close()
    finally:
        server.stop()
