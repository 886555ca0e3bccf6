"""The recorder's command line, run as an operator would: JSON out, clear errors, exit codes."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from protocol.keyfile import load_or_create_key
from recorder.capture import make_replay_device
from recorder.cli import add_record_parser, add_transcribe_parser
from tests.recorder.speech import ENGLISH, word_error_rate

ROOT = Path(__file__).resolve().parents[2]


def hemicycle(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "recorder.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_transcribe_prints_json_segments(english_wav: Path) -> None:
    out = hemicycle("transcribe", str(english_wav), "--engine", "whisper", "--language", "en")
    assert out.returncode == 0, out.stderr[-2000:]
    segments = json.loads(out.stdout)
    assert segments and all(set(s) == {"text", "start", "end", "words"} for s in segments)
    assert all(set(w) == {"text", "start", "end", "conf"} for s in segments for w in s["words"])
    assert [s["start"] for s in segments] == sorted(s["start"] for s in segments)
    assert all(0 <= s["start"] <= s["end"] for s in segments)
    wer = word_error_rate(" ".join(ENGLISH), " ".join(s["text"] for s in segments))
    print(f"\nhemicycle transcribe --engine whisper: WER {wer:.3f}")
    assert wer < 0.35
    assert "100%" in out.stderr  # the progress bar went to stderr, not into the JSON


def test_transcribe_finds_the_installed_vosk_model(korean_wav: Path) -> None:
    out = hemicycle("transcribe", str(korean_wav), "--engine", "vosk", "--quiet")
    assert out.returncode == 0, out.stderr[-2000:]
    segments = json.loads(out.stdout)
    words = [w for s in segments for w in s["words"]]
    assert words and [w["start"] for w in words] == sorted(w["start"] for w in words)
    assert out.stderr == ""


@pytest.mark.parametrize("engine", ["vosk", "whisper"])
def test_a_missing_model_is_a_clear_error(engine: str, english_wav: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    out = hemicycle("transcribe", str(english_wav), "--engine", engine, "--model", str(missing))
    assert out.returncode == 2
    assert out.stdout == ""
    assert out.stderr.strip() == f"hemicycle transcribe: no {engine} model at {missing}: no such directory"


def test_record_refuses_a_missing_model_before_touching_the_network(tmp_path: Path) -> None:
    key = tmp_path / "senate-recorder.pem"
    load_or_create_key(key)
    out = hemicycle("record", "--url", "http://127.0.0.1:9", "--key", str(key), "--model", str(tmp_path))
    assert out.returncode == 2
    assert "hemicycle record: no vosk model at" in out.stderr and "Traceback" not in out.stderr


def test_record_refuses_a_missing_key_or_url(tmp_path: Path) -> None:
    out = hemicycle("record", "--url", "http://127.0.0.1:9", "--key", str(tmp_path / "absent.pem"))
    assert out.returncode == 2 and "no key file" in out.stderr
    out = hemicycle("record")
    assert out.returncode == 2 and "--url and --key are required" in out.stderr


def test_record_lists_devices_and_refuses_an_unknown_one(korean_wav: Path, tmp_path: Path) -> None:
    replay = make_replay_device(korean_wav, tmp_path / "alsa", sample_rate=16000, name="senate_floor")
    out = hemicycle("record", "--list-devices", env=replay.env())
    assert out.returncode == 0, out.stderr
    assert any(line.split()[1:2] == ["senate_floor"] for line in out.stdout.splitlines()), out.stdout
    key = tmp_path / "senate-recorder.pem"
    load_or_create_key(key)
    out = hemicycle("record", "--url", "http://127.0.0.1:9", "--key", str(key), "--device", "no such mixer",
                    env=replay.env())
    assert out.returncode == 2
    assert "no input device matches 'no such mixer'" in out.stderr and "senate_floor" in out.stderr
    assert "Traceback" not in out.stderr


def test_parsers_plug_into_the_hemicycle_command() -> None:
    parser = argparse.ArgumentParser(prog="hemicycle")
    sub = parser.add_subparsers(dest="command", required=True)
    add_record_parser(sub)
    add_transcribe_parser(sub)
    args = parser.parse_args(["record", "--url", "http://h:1", "--key", "k.pem", "--device", "2",
                              "--rate", "44100", "--channels", "2", "--engine", "whisper", "--model", "m",
                              "--language", "km", "--archive", "a", "--realtime"])
    assert (args.device, args.rate, args.channels, args.engine, args.language) == (2, 44100, 2, "whisper", "km")
    assert args.realtime and callable(args.fn)
    args = parser.parse_args(["transcribe", "x.wav", "--engine", "vosk"])
    assert (args.audio, args.engine, args.model) == ("x.wav", "vosk", None) and callable(args.fn)
    with pytest.raises(SystemExit):
        parser.parse_args(["transcribe", "x.wav"])  # --engine is required
