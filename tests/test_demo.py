"""`hemicycle demo` brings the server up and plays a whole sitting, hands off, its speeches spoken.

The recorder runs beside the server on the synthesised feed: each English
turn comes out as an attributed machine segment close to the script (WER
printed, below 0.35 with Whisper tiny.en), live captions reach a seat
while it is spoken, each Khmer turn is flagged for the clerk to type with
no machine text, and the exported Hansard holds the machine's text.
"""

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
    # The media endpoint ran beside it, on the plenary, for remote members (/remote); stopped, it says so.
    assert "/remote" in out.stdout
    media = [line for line in (tmp_path / "demo" / "media.log").read_text().splitlines() if line.startswith('{"media"')]
    assert len(media) == 1, (tmp_path / "demo" / "media.log").read_text()[-2000:]
    (followed,) = json.loads(media[0])["media"]["sittings"]
    assert followed.startswith("senate-plenary-")
    keys = sorted(p.name for p in (tmp_path / "demo" / "devices").iterdir())
    assert "senate-chair.pem" in keys and len([k for k in keys if "-seat-" in k]) == 62
    assert all(((tmp_path / "demo" / "devices" / k).stat().st_mode & 0o777) == 0o600 for k in keys)

    print(out.stdout[out.stdout.index("Spoken turns"):])
    spoken = summary["spoken"]
    assert [t["language"] for t in spoken] == ["km", "en", "km", "en", "km"]
    for turn in spoken:
        assert turn["segments"] >= 1, turn
        if turn["language"] == "en":
            assert turn["wer"] < 0.35 and turn["flag"] is None, turn
            assert turn["live_captions"] >= 1, turn
            assert f"WER {turn['wer']:.2f}" in out.stdout
        else:
            assert turn["machine"] == "" and turn["flag"] is not None, turn
    assert summary["recorder"]["pipeline"]["dropped_frames"] == 0

    # The exported Hansard holds the machine's text, attributed to the member who had the floor.
    export = tmp_path / "sitting.json"
    subprocess.run([sys.executable, "-m", "hemicycle.cli", "export", summary["sitting"], "--db",
                    f"sqlite:///{tmp_path / 'demo' / 'hall.db'}", "--format", "json", "-o", str(export)],
                   check=True, capture_output=True, timeout=120)
    assert "--format pdf -o sitting.pdf" in out.stdout and "--format akn" in out.stdout
    doc = json.loads(export.read_text(encoding="utf-8"))

    def speeches(items: list[dict]) -> list[dict]:  # type: ignore[type-arg]
        return [e for it in items for e in [*it["entries"], *speeches(it["items"])] if e["type"] == "speech"]

    by_turn = {s["id"]: s for s in speeches(doc["hansard"]["agenda"])}
    for turn in spoken:
        if turn["language"] == "en":
            assert by_turn[turn["turn"]]["text"] == turn["machine"]
            assert by_turn[turn["turn"]]["speaker_id"] == turn["member"]
        else:  # the record says why there is no text, until the clerk types it
            assert by_turn[turn["turn"]]["text"] == "[គ្មានសំឡេងនិយាយ / No speech was heard]"
