"""The chair's console as a library and as `hemicycle chair`, against a real server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from chair_console.console import ChairConsole
from hemicycle.seed import seed_senate
from protocol.commands import CheckIn, RequestFloor
from protocol.errors import ErrorCode, ProtocolError
from protocol.types import FloorMode, Role, SpeechType
from seat_client.client import HallClient
from seat_client.enrol import device_file
from seat_client.identity import folder_keys
from tests.hall import ServerProcess


async def test_chair_runs_a_sitting_by_name(server: ServerProcess, tmp_path: Path) -> None:
    clerk = HallClient(server.url, Role.CLERK, server.admin_token)
    await clerk.connect()
    seeded = await seed_senate(clerk, seats=3, prefix="cc", commission=False, keys=folder_keys(tmp_path))
    await clerk.close()
    key = tmp_path / "cc-chair.pem"
    device_file(key).write_text(json.dumps({"device_id": "cc-chair"}))

    def chair_cli(*args: str) -> dict:  # type: ignore[type-arg]
        out = subprocess.run([sys.executable, "-m", "hemicycle.cli", "chair", "--url", server.url, "--key",
                              str(key), "--sitting", seeded.plenary, *args], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)  # type: ignore[no-any-return]

    chair_cli("open", "--without-quorum")  # nobody has checked in yet
    chair_cli("next")
    seats = []
    for m in seeded.members:
        seat = HallClient(server.url, Role.SEAT, seeded.device(f"seat-{m.seat}"))
        await seat.connect()
        await seat.command(seeded.plenary, CheckIn(member_id=m.member_id, pin=m.pin))
        seats.append(seat)
    await seats[0].command(seeded.plenary, RequestFloor(member_id="m001"))
    await seats[1].command(seeded.plenary, RequestFloor(member_id="m002", speech_type=SpeechType.POINT_OF_ORDER))
    chair_cli("grant")
    chair_cli("extend", "--seconds", "30")
    chair_cli("pause", "m002")
    chair_cli("resume-speech")
    chair_cli("close-list")
    with pytest.raises(ProtocolError) as closed:
        await seats[2].command(seeded.plenary, RequestFloor(member_id="m003"))
    assert closed.value.code is ErrorCode.LIST_CLOSED
    chair_cli("reopen-list")
    view = chair_cli("state")
    assert [t["member_id"] for t in view["floor"]["speaking"]] == ["m002"]
    assert view["floor"]["speaking"][0]["time_limit_s"] == 120 + 30  # a point of order's time, extended
    assert view["current_item"] == "i1" and view["attendance"]["present"] == 3

    client = HallClient(server.url, Role.CHAIR, seeded.device("chair"))
    await client.connect()
    chair = ChairConsole(client, seeded.plenary)
    await chair.start()
    await chair.stop()
    await chair.grant()
    await chair.pause()
    assert chair.state.floor.speaking[0].paused
    await chair.resume_speech()
    await chair.extend(60)
    assert chair.state.floor.speaking[0].time_limit_s == 300 + 60
    await chair.stop("m001")
    await chair.mode(FloorMode.OPEN_FLOOR, 2)
    vote = await chair.open_vote("ក", "Motion")
    await chair.close_vote()
    assert chair.state.votes[vote].result is not None
    assert chair.state.floor.settings.mode is FloorMode.OPEN_FLOOR
    for c in [client, *seats]:
        await c.close()
    refused = subprocess.run([sys.executable, "-m", "hemicycle.cli", "chair", "--url", server.url, "--key",
                              str(key), "--sitting", seeded.plenary, "stop", "m003"], capture_output=True, text=True)
    assert refused.returncode == 1 and "not_speaking" in refused.stderr
