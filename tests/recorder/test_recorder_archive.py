"""Archive: lossless FLAC segments that survive kill -9 and cut back out by wall time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from recorder.archive import Archive, ArchiveWriter, write_clip
from recorder.capture import AudioFrame, FileSource
from recorder.errors import ArchiveError
from tests.recorder.speech import read_wav

ROOT = Path(__file__).resolve().parents[2]
T0 = 1_750_000_000.0


def frames_of(path: Path, start_wall: float, **kw: object) -> list[AudioFrame]:
    source = FileSource(path, start_wall=start_wall, **kw)  # type: ignore[arg-type]
    with source:
        return list(source.frames(timeout=10))


def sox_seconds(path: Path) -> float:
    """Decode with sox (libFLAC) and return the length it read."""
    out = subprocess.run(
        ["sox", str(path), "-n", "stat"], capture_output=True, text=True, check=True
    ).stderr
    line = next(x for x in out.splitlines() if x.startswith("Length (seconds)"))
    return float(line.split(":")[1])


def test_round_trip_is_lossless_across_segments(english_wav: Path, tmp_path: Path) -> None:
    frames = frames_of(english_wav, T0, sample_rate=48000, channels=2)
    with ArchiveWriter(tmp_path, 48000, 2, segment_seconds=2.0) as writer:
        for frame in frames:
            writer.write(frame)
    archive = Archive(tmp_path)
    expected = np.concatenate([f.to_array() for f in frames])
    assert archive.samples == len(expected)
    assert np.array_equal(archive.read_samples(0, archive.samples), expected)
    assert len(archive.files) == 5
    assert archive.start_wall == T0
    assert archive.end_wall == pytest.approx(T0 + len(expected) / 48000)
    assert sum(sox_seconds(f) for f in archive.files) == pytest.approx(archive.duration, abs=1e-3)
    # A turn's cut, across a segment boundary, by wall time.
    clip = archive.read(T0 + 1.5, T0 + 4.25)
    assert clip.start_wall == pytest.approx(T0 + 1.5)
    assert clip.duration == pytest.approx(2.75)
    assert np.array_equal(clip.samples, expected[72000:204000])


def test_cuts_are_written_as_wav_or_flac(english_wav: Path, tmp_path: Path) -> None:
    with ArchiveWriter(tmp_path / "a", 16000, 1) as writer:
        for frame in frames_of(english_wav, T0):
            writer.write(frame)
    archive = Archive(tmp_path / "a")
    clip = archive.cut(T0 + 2.0, T0 + 3.0, tmp_path / "turn.wav")
    samples, rate = read_wav(tmp_path / "turn.wav")
    assert rate == 16000 and np.array_equal(samples, clip.samples)
    write_clip(clip, tmp_path / "turn.flac")
    assert sox_seconds(tmp_path / "turn.flac") == pytest.approx(1.0)
    with pytest.raises(ValueError, match="mp3"):
        write_clip(clip, tmp_path / "turn.mp3")


def test_gaps_in_time_are_kept_in_the_index(tmp_path: Path) -> None:
    tone = (np.sin(np.arange(1600) / 5) * 1000).astype("<i2").tobytes()  # 100 ms
    with ArchiveWriter(tmp_path, 16000, 1) as writer:
        for i in range(10):
            writer.write(AudioFrame(tone, 16000, 1, T0 + i * 0.1))
        for i in range(10):  # 5 s later: a capture loss or a restart
            writer.write(AudioFrame(tone, 16000, 1, T0 + 6.0 + i * 0.1))
    archive = Archive(tmp_path)
    assert archive.duration == pytest.approx(2.0)
    assert archive.sample_at(T0 + 0.5) == 8000
    assert archive.sample_at(T0 + 3.0) == 16000  # inside the gap: its end
    assert archive.sample_at(T0 + 6.5) == 24000
    assert archive.wall_of(24000) == pytest.approx(T0 + 6.5)
    assert archive.read(T0 + 0.5, T0 + 6.5).duration == pytest.approx(1.0)


def test_writer_refuses_mismatched_frames_and_resumes(tmp_path: Path) -> None:
    with ArchiveWriter(tmp_path, 16000, 1) as writer, pytest.raises(ArchiveError, match="48000"):
        writer.write(AudioFrame(b"\0\0" * 480, 48000, 1, T0))
    with pytest.raises(ArchiveError, match="can't resume"):
        ArchiveWriter(tmp_path, 48000, 2)
    with pytest.raises(ArchiveError, match=r"no index\.jsonl"):
        Archive(tmp_path / "nothing-here")


CRASH_SCRIPT = textwrap.dedent(
    """
    import sys
    from recorder.archive import ArchiveWriter
    from recorder.capture import FileSource

    source = FileSource(sys.argv[1], sample_rate=48000, realtime=True, start_wall=float(sys.argv[3]))
    writer = ArchiveWriter(sys.argv[2], 48000, 1, segment_seconds=1.5)
    with source:
        for frame in source.frames():
            writer.write(frame)
            print(f"{writer.duration:.3f}", flush=True)
    """
)


def test_kill_9_mid_write_leaves_a_playable_archive_that_resumes(
    english_wav: Path, tmp_path: Path
) -> None:
    directory = tmp_path / "sitting"
    child = subprocess.Popen(
        [sys.executable, "-c", CRASH_SCRIPT, str(english_wav), str(directory), str(T0)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    written = 0.0
    deadline = time.monotonic() + 30
    while written < 3.3 and time.monotonic() < deadline:
        line = child.stdout.readline()
        assert line, child.stderr.read() if child.stderr else "child died"
        written = float(line)
    os.kill(child.pid, signal.SIGKILL)
    rest, _ = child.communicate(timeout=10)
    written = max([written, *(float(x) for x in rest.split())])
    assert child.returncode == -signal.SIGKILL

    archive = Archive(directory)
    print(f"\nkill -9 after {written:.2f} s written: {archive.duration:.2f} s readable")
    assert abs(archive.duration - written) <= 1.2
    assert archive.duration >= written - 0.2  # only the encoder's frame in progress is lost
    assert len(archive.files) == 3  # 1.5 s segments; the last one torn
    torn = archive.files[-1]
    assert sox_seconds(torn) == pytest.approx(archive.duration - 3.0, abs=1e-3)
    clip = archive.read(T0 + 1.0, T0 + 3.0)
    assert clip.duration == pytest.approx(2.0)
    assert np.abs(clip.samples).max() > 1000  # speech, not silence

    # The recorder restarts and carries on in the same archive, later.
    with ArchiveWriter(directory, 48000, 1) as writer:
        for frame in frames_of(english_wav, T0 + 60.0, sample_rate=48000)[:50]:
            writer.write(frame)
    resumed = Archive(directory)
    assert resumed.duration == pytest.approx(archive.duration + 1.0)
    assert resumed.sample_at(T0 + 60.0) == archive.samples
    before = archive.read_samples(0, archive.samples)
    assert np.array_equal(resumed.read_samples(0, archive.samples), before)
