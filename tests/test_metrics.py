"""``/metrics`` of workers sharing a ``PROMETHEUS_MULTIPROC_DIR``: any worker's scrape sums them all."""

from __future__ import annotations

import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from protocol.types import Role
from seat_client.client import HallClient
from tests.hall import ServerProcess


def scrape(url: str, token: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    request = urllib.request.Request(f"{url}/metrics", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request) as r:
        text = r.read().decode()
    return {(s.name, tuple(sorted((k, v) for k, v in s.labels.items() if k != "pid"))): s.value
            for f in text_string_to_metric_families(text) for s in f.samples}


async def test_two_workers_scrape_as_one(tmp_path: Path) -> None:
    shared = tmp_path / "prometheus"
    shared.mkdir()
    env = {"PROMETHEUS_MULTIPROC_DIR": str(shared)}
    workers = [ServerProcess(f"sqlite:///{tmp_path / name / 'hall.db'}", tmp_path / name, env=env)
               for name in ("a", "b")]
    clients: list[HallClient] = []
    try:
        for w in workers:
            w.start()
        for w in workers:
            for _ in range(2):
                c = HallClient(w.url, Role.CLERK, w.admin_token)
                await c.connect()
                clients.append(c)
        for w in workers:
            values = scrape(w.url, w.admin_token)
            assert values[("hemicycle_connected_clients", (("role", "clerk"),))] == 4
    finally:
        for c in clients:
            await c.close()
        for w in workers:
            w.stop()
