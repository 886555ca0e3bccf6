"""The sitting's record as JSON: every record with its hash, and the registry's.

This is the file ``hemicycle verify`` re-checks offline.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from tqdm import tqdm

from hall_server.store import EventLog
from protocol.commands import REGISTRY_STREAM
from protocol.verify import Finding, verify_chain, verify_votes

FORMAT = "hemicycle-record"
FORMAT_VERSION = 1


class UnknownSitting(Exception):
    pass


def export_json(log: EventLog, sitting: str, progress: bool = False) -> dict[str, Any]:
    total = log.head_seq(sitting)
    if total == 0:
        raise UnknownSitting(sitting)
    bar = tqdm(total=total, desc=f"export {sitting}", unit="ev", disable=not progress)
    records = []
    for r in log.iter_records(sitting):
        records.append(r.model_dump(mode="json"))
        bar.update(1)
    bar.close()
    registry = [r.model_dump(mode="json") for r in log.iter_records(REGISTRY_STREAM)]
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "sitting": sitting,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "head": records[-1]["hash"],
        "records": records,
        "registry": registry,
    }


def write_hansard(doc: dict[str, Any], fmt: str, out: Path, progress: bool = False) -> None:
    """Write the sitting's record as JSON (with its Hansard model), PDF or Akoma Ntoso."""
    from hansard import build_akn, build_pdf, record_to_dict
    from hansard.from_log import record_from_export

    opened = any(r["event"]["type"] == "sitting.opened" for r in doc["records"])
    record = record_from_export(doc) if opened or fmt != "json" else None
    if fmt == "json":
        full = {**doc, "hansard": record_to_dict(record) if record else None}
        out.write_text(json.dumps(full, ensure_ascii=False, indent=1))
    elif fmt == "akn":
        assert record is not None
        out.write_bytes(build_akn(record))
    elif fmt == "pdf":
        assert record is not None
        bar = tqdm(desc="hansard pdf", unit="part", disable=not progress)

        def step(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        build_pdf(record, out, progress=step)
        bar.close()
    else:
        raise ValueError(f"unknown format {fmt!r}")


def verify_export(doc: dict[str, Any], server_key: str | None = None) -> tuple[list[str], Finding | None]:
    """Re-check an exported record; returns what was checked and the first failure."""
    checked: list[str] = []
    if doc.get("format") != FORMAT:
        return checked, Finding("format", "document", f"not a {FORMAT} file")
    for name, key in (("registry", "registry"), (f"sitting {doc.get('sitting')}", "records")):
        count, finding = verify_chain(doc.get(key, []))
        if finding:
            return checked, finding
        checked.append(f"{name}: {count} records, hash chain intact")
    records = doc.get("records", [])
    if records and records[-1]["hash"] != doc.get("head"):
        return checked, Finding("head", "document", "head does not match the last record")
    checked.append(f"head {doc.get('head', '')[:16]}… matches")
    more, finding = verify_votes(doc["sitting"], records, doc.get("registry", []), server_key)
    return checked + more, finding
