"""A long sitting restarts from its latest snapshot plus the records after it."""

from __future__ import annotations

import json
import subprocess
import sys

from sqlalchemy import text

from hall_server.hall import SNAPSHOT_EVERY, rebuild, seal_records
from hall_server.store import EventLog
from procedure import Context, decide, dump_state, fold
from protocol.commands import OpenSitting
from protocol.events import Actor, NoticePosted
from protocol.types import Role
from tests.test_log_contract import created_sitting


def test_rebuild_uses_the_snapshot_and_equals_a_full_replay(db_url: str) -> None:
    log = EventLog(db_url)
    try:
        registry, state, created = created_sitting("long")
        chair = Context(Actor(role=Role.CHAIR, device_id="c"), now_ms=1)
        opened = decide(state, OpenSitting(without_quorum=True), chair, registry)
        records = seal_records("long", state, opened, chair, "o")
        batch = [*created, *records]
        for rec in records:
            state = fold(state, rec)
        total = 2 * SNAPSHOT_EVERY + 137
        while state.seq < total:
            ev = NoticePosted(text=f"ការជូនដំណឹង {state.seq}")
            (rec,) = seal_records("long", state, [ev], chair, f"n{state.seq}")
            state = fold(state, rec)
            batch.append(rec)
            if len(batch) == 500:
                log.append(batch, [])
                batch = []
            if state.seq == 2 * SNAPSHOT_EVERY:
                log.append(batch, [])
                batch = []
                log.save_snapshot("long", state.seq, dump_state(state))
        log.append(batch, [])
        assert log.latest_snapshot("long")[0] == 2 * SNAPSHOT_EVERY  # type: ignore[index]
        restored = rebuild(log, "long")
        assert restored == state
        with log.engine.begin() as c:
            c.execute(text("DELETE FROM snapshots"))
        assert rebuild(log, "long") == state
    finally:
        log.close()


def test_protocol_schema_cli_lists_every_command() -> None:
    from protocol.commands import COMMAND_TYPES

    out = subprocess.run([sys.executable, "-m", "hemicycle.cli", "protocol", "schema"],
                         capture_output=True, text=True, check=True)
    schema = json.loads(out.stdout)
    text_ = json.dumps(schema)
    assert all(f'"{t}"' in text_ for t in COMMAND_TYPES)
    assert "not_your_member" in schema["error_codes"]

