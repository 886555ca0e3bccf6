"""``hemicycle admin`` sets up a sitting from a roster CSV and a YAML agenda on a fresh server; a sitting
then runs on it, with the chair driven by ``hemicycle chair`` from a key folder as the demo writes it."""

from __future__ import annotations

import asyncio
import json
import stat
import subprocess
import sys
from pathlib import Path

from protocol.commands import CastBallot, CheckIn, EnrolDevice, RequestFloor
from protocol.keyfile import load_or_create_key
from protocol.keys import public_key_hex
from protocol.types import Role
from seat_client.client import HallClient
from seat_client.identity import DeviceKey
from tests.hall import ServerProcess

ROSTER = """member_id,name_km,name_latin,group,title_en,pin
a01,សុខ ចាន់,Sok Chan,CPP,Senator,1234
a02,ម៉ៅ ស្រី,Mao Srey,CPP,Senator,
a03,,Missing Khmer Name,CPP,Senator,1111
a04,លី ណា,Ly Na,FUNCINPEC,Senator,12
a05,ហេង សុ,Heng So,CPP,Senator,5678
"""

SITTING = """sitting: c9-2026-12-07
body: commission
number: 9
title_km: កិច្ចប្រជុំគណៈកម្មការទី៩
title_en: Meeting of the Ninth Commission
date: 2026-12-07
place: Room 9
members: [a01, a02, a05]
floor: {max_open_mics: 2, speaking_time_s: 120}
agenda:
  - {item_id: i1, title_km: ការអនុម័តរបៀបវារៈ, title_en: Adoption of the agenda}
  - item_id: i2
    title_km: សេចក្តីព្រាងច្បាប់
    title_en: Draft law
    items:
      - {item_id: i2a, title_km: ការពិភាក្សា, title_en: Debate}
"""


def admin(server: ServerProcess, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hemicycle.cli", "admin", "--url", server.url, "--admin-token",
                           server.admin_token, *args], capture_output=True, text=True, timeout=60)


def chair(server: ServerProcess, key: Path, *args: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-m", "hemicycle.cli", "chair", "--url", server.url, "--key", str(key),
                          "--sitting", "c9-2026-12-07", *args], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return dict(json.loads(out.stdout))


async def test_admin_sets_up_a_sitting_that_then_runs(tmp_path: Path) -> None:
    server = ServerProcess(f"sqlite:///{tmp_path / 'hall.db'}", tmp_path / "srv")
    server.start()
    try:
        (tmp_path / "roster.csv").write_text(ROSTER)
        out = admin(server, "import-members", str(tmp_path / "roster.csv"))
        assert out.returncode == 1, out.stderr  # bad rows were reported
        report = json.loads(out.stdout)
        assert report["added"] == ["a01", "a02", "a05"] and report["credentials"] == ["a01", "a05"]
        assert [(b["line"], b["problems"][0]["loc"]) for b in report["bad"]] == [(4, "name_km"), (5, "pin")]
        assert "1234" not in out.stdout, "PINs are never echoed"
        (tmp_path / "change.csv").write_text("member_id,name_latin,pin\na01,Sok Chann,\na02,,4321\na05,Heng So,\n")
        again = json.loads(admin(server, "import-members", str(tmp_path / "change.csv")).stdout)
        assert (again["updated"], again["unchanged"], again["credentials"]) == (["a01"], ["a02", "a05"], ["a02"])

        new = admin(server, "set-credential", "a02", "--new-pin", "--pins-out", str(tmp_path / "a02.csv"))
        assert new.returncode == 0, new.stderr
        assert stat.S_IMODE((tmp_path / "a02.csv").stat().st_mode) == 0o600
        pin_a02 = (tmp_path / "a02.csv").read_text().splitlines()[1].split(",")[1]
        assert len(pin_a02) == 6 and pin_a02.isdigit() and pin_a02 not in new.stdout

        # A body nobody defined: the hall refuses it (unknown_body), nothing is created.
        (tmp_path / "bad.yaml").write_text(SITTING.replace("c9-2026-12-07", "x1").replace("commission", "nowhere"))
        bad = admin(server, "create-sitting", str(tmp_path / "bad.yaml"))
        assert bad.returncode == 2 and "body" in bad.stderr and "Traceback" not in bad.stderr
        (tmp_path / "c9.yaml").write_text(SITTING)
        made = admin(server, "create-sitting", str(tmp_path / "c9.yaml"))
        assert made.returncode == 0, made.stderr
        assert json.loads(made.stdout) == {"sitting": "c9-2026-12-07", "items": ["i1", "i2", "i2a"]}

        # Devices as the demo keeps them: DIR/<device_id>.pem, no enrolment file.
        keys = tmp_path / "devices"
        clerk = HallClient(server.url, Role.CLERK, server.admin_token)
        await clerk.connect()
        devices = {"c9-chair": (Role.CHAIR, None), "c9-seat-1": (Role.SEAT, "S1"), "c9-seat-2": (Role.SEAT, "S2")}
        for device_id, (role, seat) in devices.items():
            key = load_or_create_key(keys / f"{device_id}.pem")
            await clerk.command("registry", EnrolDevice(device_id=device_id, role=role, seat=seat,
                                                        public_key=public_key_hex(key)))
        assert chair(server, keys / "c9-chair.pem", "open", "--without-quorum")  # before check-in
        seats = []
        for n, (member, pin) in enumerate((("a01", "1234"), ("a02", pin_a02)), start=1):
            device_id = f"c9-seat-{n}"
            key = DeviceKey(device_id, load_or_create_key(keys / f"{device_id}.pem"))
            seat = HallClient(server.url, Role.SEAT, key)
            await seat.connect()
            await seat.follow("c9-2026-12-07")
            await seat.command("c9-2026-12-07", CheckIn(member_id=member, pin=pin))
            seats.append((seat, member, f"S{n}", device_id))
        chair(server, keys / "c9-chair.pem", "next")
        await seats[0][0].command("c9-2026-12-07", RequestFloor(member_id="a01"))
        assert chair(server, keys / "c9-chair.pem", "grant")
        opened = chair(server, keys / "c9-chair.pem", "vote", "ញត្តិ", "--motion-en", "The motion",
                       "--kind", "secret", "--options", "yes,no,abstain", "--duration", "600", "--without-quorum")
        vote_id = str(opened["vote_id"])
        for seat, member, seat_id, device_id in seats:
            key = DeviceKey(device_id, load_or_create_key(keys / f"{device_id}.pem"))
            ballot: CastBallot = key.ballot("c9-2026-12-07", vote_id, member, seat_id, "yes")
            await seat.command("c9-2026-12-07", ballot)
        chair(server, keys / "c9-chair.pem", "close-vote")
        state = chair(server, keys / "c9-chair.pem", "state")
        assert state["status"] == "open"
        await asyncio.gather(clerk.close(), *(s.close() for s, *_ in seats))
    finally:
        server.stop()
