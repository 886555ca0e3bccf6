"""Capture: PortAudio reads a file replayed through an ALSA PCM, bit for bit."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from recorder.capture import FileSource, PyAudioSource, list_devices, make_replay_device
from recorder.errors import AudioFileError, DeviceNotFound
from tests.recorder.speech import read_wav

ROOT = Path(__file__).resolve().parents[2]

CAPTURE_SCRIPT = textwrap.dedent(
    """
    import itertools, json, sys
    from recorder.capture import PyAudioSource, list_devices

    out, duration = sys.argv[1], float(sys.argv[2])
    names = [d.name for d in list_devices()]
    source = PyAudioSource("replay", sample_rate=48000, channels=2, duration=duration)
    walls = []
    with open(out, "wb") as f, source:
        for frame in source.frames(timeout=10):
            f.write(frame.pcm)
            walls.append((frame.wall_time, frame.end_time))
    contiguous = all(abs(b[0] - a[1]) < 1e-6 for a, b in itertools.pairwise(walls))
    print(json.dumps({
        "devices": names,
        "device": source.device_info.name,
        "frames": source.stats.frames,
        "dropped": source.stats.dropped_frames,
        "contiguous": contiguous,
    }))
    """
)


def test_pyaudio_captures_the_replayed_file_exactly(english_wav: Path, tmp_path: Path) -> None:
    replay = make_replay_device(english_wav, tmp_path / "alsa", sample_rate=48000, channels=2)
    out = tmp_path / "captured.s16le"
    result = subprocess.run(
        [sys.executable, "-c", CAPTURE_SCRIPT, str(out), str(replay.duration)],
        env=replay.env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["device"] == "hemicycle_replay"
    assert "hemicycle_replay" in report["devices"]
    assert report["dropped"] == 0
    assert report["contiguous"]
    captured = np.frombuffer(out.read_bytes(), dtype="<i2")
    played = np.frombuffer(replay.raw_path.read_bytes(), dtype="<i2")
    assert len(captured) == len(played) > 48000 * 2 * 5
    assert np.array_equal(captured, played)
    # And the replayed samples are the WAV's own, converted by libswresample.
    assert abs(replay.duration - read_wav(english_wav)[0].shape[0] / 16000) < 0.01


def test_device_lookup_by_name_part_and_index_in_process(
    korean_wav: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    replay = make_replay_device(
        korean_wav, tmp_path / "alsa", sample_rate=16000, channels=1, name="senate_floor"
    )
    monkeypatch.setenv("ALSA_CONFIG_PATH", str(replay.config_path))
    devices = list_devices()
    (floor,) = [d for d in devices if d.name == "senate_floor"]
    assert floor.channels > 0 and floor.host_api == "ALSA"

    with pytest.raises(DeviceNotFound) as err:
        PyAudioSource("no such mixer", sample_rate=16000).start()
    assert "senate_floor" in err.value.available

    source = PyAudioSource(floor.index, sample_rate=16000, duration=1.0, start_wall=100.0)
    with source:
        frames = list(source.frames(timeout=10))
    assert source.device_info == floor
    assert frames[0].wall_time == 100.0
    assert abs(frames[-1].end_time - 101.0) < 1e-9
    assert source.stats.frames == len(frames) == 50  # 20 ms frames
    expected = np.frombuffer(replay.raw_path.read_bytes(), dtype="<i2")[:16000]
    assert np.array_equal(np.concatenate([f.to_array()[:, 0] for f in frames]), expected)

    with PyAudioSource("SENATE", sample_rate=16000, duration=0.1) as by_name:
        assert sum(f.samples for f in by_name.frames(timeout=10)) == 1600


def test_file_source_converts_and_stamps_frames(english_wav: Path) -> None:
    source = FileSource(english_wav, sample_rate=48000, channels=2, frame_ms=50, start_wall=5.0)
    with source:
        frames = list(source.frames(timeout=10))
    assert {(f.sample_rate, f.channels) for f in frames} == {(48000, 2)}
    assert all(f.samples == 2400 for f in frames[:-1])
    assert frames[0].wall_time == 5.0
    assert all(abs(b.wall_time - a.end_time) < 1e-9 for a, b in itertools.pairwise(frames))
    assert abs(frames[-1].end_time - 5.0 - source.file_duration) < 0.01  # type: ignore[operator]
    assert source.stats.dropped_frames == 0


def test_slow_consumer_gets_back_pressure_not_drops(english_wav: Path) -> None:
    source = FileSource(english_wav, frame_ms=20, queue_frames=4)
    count = 0
    with source:
        for _frame in source.frames(timeout=10):
            count += 1
            if count < 10:
                time.sleep(0.01)
    stats = source.stats
    assert stats.frames == count and stats.dropped_frames == 0
    assert stats.backpressure_waits > 0


def test_realtime_file_source_paces_like_a_live_feed(korean_wav: Path) -> None:
    source = FileSource(korean_wav, realtime=True, start_wall=0.0)
    started = time.monotonic()
    with source:
        for frame in source.frames(timeout=10):
            if frame.wall_time >= 0.5:
                break
    assert time.monotonic() - started >= 0.45


def test_missing_or_undecodable_file_is_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(AudioFileError, match="no such file"):
        FileSource(tmp_path / "absent.wav")
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"RIFF not really a wave file")
    with pytest.raises(AudioFileError) as err:
        FileSource(junk)
    assert err.value.path == junk
