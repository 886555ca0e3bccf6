"""`hemicycle enrol`: a device asks with a pairing code, a clerk approves, the key connects."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from protocol.commands import REGISTRY_STREAM, RegisterMember
from protocol.types import Role
from seat_client.client import HallClient
from seat_client.enrol import device_file, load_device
from tests.hall import ServerProcess


async def test_device_asks_clerk_approves_device_connects(server: ServerProcess, tmp_path: Path) -> None:
    key = tmp_path / "tablet.pem"
    device = subprocess.Popen([sys.executable, "-m", "hemicycle.cli", "enrol", "--url", server.url,
                               "--key", str(key), "--role", "seat", "--label", "tablet 7", "--wait", "60"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    clerk = HallClient(server.url, Role.CLERK, server.admin_token)
    await clerk.connect()
    await clerk.command(REGISTRY_STREAM, RegisterMember(member_id="m7", name_km="សុខ ដារ៉ា", name_latin="Sok Dara",
                                                        group="CPP"))
    deadline = time.monotonic() + 30
    pending: list[dict[str, str]] = []
    while not pending and time.monotonic() < deadline:
        pending = (await clerk.call("pairings", {}))["pairings"]
    await clerk.close()
    assert pending and pending[0]["label"] == "tablet 7"
    assert (key.stat().st_mode & 0o777) == 0o600
    code = pending[0]["code"]
    approve = subprocess.run([sys.executable, "-m", "hemicycle.cli", "enrol", "--url", server.url,
                              "--admin-token", server.admin_token, "--approve", code, "--device-id", "tab-7",
                              "--role", "seat", "--member", "m7"], capture_output=True, text=True)
    assert approve.returncode == 0, approve.stderr
    out, err = device.communicate(timeout=30)
    assert device.returncode == 0, err
    assert code in err and json.loads(out)["device_id"] == "tab-7"
    assert json.loads(device_file(key).read_text())["member_id"] == "m7"
    tablet = HallClient(server.url, Role.SEAT, load_device(key))
    await tablet.connect()
    assert tablet.connected
    await tablet.close()
    wrong = subprocess.run([sys.executable, "-m", "hemicycle.cli", "enrol", "--url", server.url,
                            "--admin-token", server.admin_token, "--approve", "NOPE2345", "--device-id", "x-1",
                            "--role", "seat"], capture_output=True, text=True)
    assert wrong.returncode == 2 and "no pending pairing" in wrong.stderr
