"""Regenerate docs/samples/: the demo sitting exported as PDF, Akoma Ntoso and JSON.

Runs `hemicycle demo --exit-after-simulation` in a temporary folder, exports
the simulated sitting in the three formats, and renders the PDF's pages to
PNG for the README. Run: .venv/bin/python scripts/make_samples.py
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "samples"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "demo"
        run = subprocess.run(
            [sys.executable, "-m", "hemicycle.cli", "demo", "--data", str(data), "--port", str(free_port()),
             "--exit-after-simulation"], capture_output=True, text=True, check=True)
        sitting = re.search(r'"sitting": "([^"]+)"', run.stdout)
        assert sitting, run.stdout
        db = f"sqlite:///{data / 'hall.db'}"
        for fmt, name in (("json", "sitting.json"), ("akn", "sitting.akn.xml"), ("pdf", "sitting.pdf")):
            subprocess.run([sys.executable, "-m", "hemicycle.cli", "export", sitting.group(1), "--db", db,
                            "--format", fmt, "-o", str(OUT / name)], check=True)
    doc = json.loads((OUT / "sitting.json").read_text())
    doc["exported_at"] = "2026-11-29T00:00:00+00:00"
    (OUT / "sitting.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1))
    for old in OUT.glob("page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "6", str(OUT / "sitting.pdf"),
                    str(OUT / "page")], check=True)
    print(f"samples written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
