"""`hemicycle demo` brings the server up and plays a whole sitting, hands off."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.services import free_port


def test_demo_runs_a_whole_sitting(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "hemicycle.cli", "demo", "--data", str(tmp_path / "demo"),
         "--port", str(free_port()), "--exit-after-simulation"],
        capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    start = out.stdout.index("{")
    summary, _ = json.JSONDecoder().raw_decode(out.stdout[start:])
    assert summary["errors"] == 0
    assert summary["present"] == 62
    assert "senate-plenary" in out.stdout and "senate-c9" in out.stdout
    keys = sorted(p.name for p in (tmp_path / "demo" / "devices").iterdir())
    assert "senate-chair.pem" in keys and len([k for k in keys if "-seat-" in k]) == 62
    assert all(((tmp_path / "demo" / "devices" / k).stat().st_mode & 0o777) == 0o600 for k in keys)
