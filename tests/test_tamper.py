"""Any edit, deletion or reordering of a stored event is caught by verification."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from hall_server.export import export_json, verify_export
from hall_server.hall import rebuild
from hall_server.store import EventLog
from hemicycle.simulate import simulate
from procedure import OutOfOrder
from tests.hall import ServerProcess


def _edit(log: EventLog, stream: str) -> None:
    with log.engine.begin() as c:
        raw = c.execute(text("SELECT record FROM events WHERE stream=:s AND seq=5"), {"s": stream}).scalar_one()
        doc = json.loads(raw)
        doc["at_ms"] += 1000
        c.execute(text("UPDATE events SET record=:r WHERE stream=:s AND seq=5"),
                  {"r": json.dumps(doc), "s": stream})


def _delete(log: EventLog, stream: str) -> None:
    with log.engine.begin() as c:
        c.execute(text("DELETE FROM events WHERE stream=:s AND seq=5"), {"s": stream})


def _reorder(log: EventLog, stream: str) -> None:
    with log.engine.begin() as c:
        rows = dict(c.execute(text("SELECT seq, record FROM events WHERE stream=:s AND seq IN (5, 6)"),
                              {"s": stream}).all())
        for seq, other in ((5, 6), (6, 5)):
            doc = json.loads(rows[other])
            doc["seq"] = seq
            c.execute(text("UPDATE events SET record=:r WHERE stream=:s AND seq=:q"),
                      {"r": json.dumps(doc), "s": stream, "q": seq})


TAMPERINGS: dict[str, Callable[[EventLog, str], None]] = {
    "edit": _edit, "delete": _delete, "reorder": _reorder,
}


@pytest.mark.parametrize("how", list(TAMPERINGS))
async def test_tampered_log_fails_verification(server: ServerProcess, tmp_path: Path, how: str) -> None:
    summary = await simulate(server.url, 4, server.admin_token, progress=False)
    sitting = summary["sitting"]
    server.stop()
    log = EventLog(server.db_url)
    try:
        clean = export_json(log, sitting)
        checked, finding = verify_export(clean)
        assert finding is None and checked
        TAMPERINGS[how](log, sitting)
        doc = export_json(log, sitting)
        _, finding = verify_export(doc)
        assert finding is not None
        assert "seq=5" in finding.item or "seq=6" in finding.item, finding
        with pytest.raises(OutOfOrder):
            rebuild(log, sitting)
    finally:
        log.close()
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(doc))
    out = subprocess.run([sys.executable, "-m", "hemicycle.cli", "verify", str(path)],
                         capture_output=True, text=True)
    assert out.returncode == 1
    assert "FAIL" in out.stdout and "seq=" in out.stdout


async def test_export_and_verify_cli_on_a_clean_sitting(server: ServerProcess, tmp_path: Path) -> None:
    summary = await simulate(server.url, 4, server.admin_token, progress=False)
    out_file = tmp_path / "sitting.json"
    exp = subprocess.run([sys.executable, "-m", "hemicycle.cli", "export", summary["sitting"],
                          "--db", server.db_url, "--format", "json", "-o", str(out_file)],
                         capture_output=True, text=True)
    assert exp.returncode == 0, exp.stderr
    doc = json.loads(out_file.read_text())
    assert doc["head"] == summary["head"] and len(doc["records"]) == summary["events"]
    ver = subprocess.run([sys.executable, "-m", "hemicycle.cli", "verify", str(out_file)],
                         capture_output=True, text=True)
    assert ver.returncode == 0 and "verified" in ver.stdout
