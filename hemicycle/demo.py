"""``hemicycle demo``: one command, a running hall with the Senate seeded.

Starts the server as its own process (SQLite in the data folder), seeds the
Senate roster, the plenary and a commission meeting through the protocol,
plays a simulated sitting, and prints what to open next.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from hemicycle.cli import admin_token_for
from hemicycle.seed import Seeded, seed_senate
from hemicycle.simulate import simulate
from protocol.types import Role
from seat_client.client import HallClient
from seat_client.identity import folder_keys


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"server at {url} did not become healthy")


async def _seed(url: str, token: str, devices: Path) -> Seeded:
    clerk = HallClient(url, Role.CLERK, token)
    await clerk.connect()
    seeded = await seed_senate(clerk, keys=folder_keys(devices))
    await clerk.close()
    return seeded


def run_demo(data: Path, host: str, port: int, exit_after: bool) -> int:
    data.mkdir(parents=True, exist_ok=True)
    token = admin_token_for(data, None, create=True)
    url = f"http://{host}:{port}"
    env = {**os.environ, "HEMICYCLE_ADMIN_TOKEN": token}
    proc = subprocess.Popen(
        [sys.executable, "-m", "hemicycle.cli", "serve", "--host", host, "--port", str(port),
         "--data", str(data)],
        env=env,
    )
    try:
        wait_healthy(url, proc)
        seeded = asyncio.run(_seed(url, token, data / "devices"))
        print(f"Hemicycle is running at {url}", flush=True)
        print(f"  sittings seeded: {seeded.plenary} and {seeded.commission}")
        print(f"  clerk:    {url}/clerk    sign in with the clerk token: {token}")
        print(f"  chair:    {url}/chair    seat: {url}/seat    display: {url}/display")
        print("            each browser shows a pairing code: enrol it in the clerk's Devices tab")
        print(f"  Python devices' keys: {data / 'devices'}/   health, metrics: {url}/healthz  {url}/metrics")
        print("Playing a simulated sitting with 62 seats ...", flush=True)
        summary = asyncio.run(simulate(url, 62, token))
        print(json.dumps(summary, ensure_ascii=False, indent=2), flush=True)
        print(f"Export it:  hemicycle export {summary['sitting']} --db sqlite:///{data}/hall.db "
              f"--format json -o sitting.json && hemicycle verify sitting.json")
        if exit_after:
            return 0 if summary["errors"] == 0 else 1
        print("Press Ctrl-C to stop.", flush=True)
        proc.wait()
        return proc.returncode
    except KeyboardInterrupt:
        return 0
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
