"""The live pipeline: three speeches, three turns, one segment each, captions on the way."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from recorder.archive import Archive, ArchiveWriter
from recorder.capture import AudioSource, FileSource, PyAudioSource, make_replay_device
from recorder.errors import RecorderError
from recorder.pipeline import Pipeline
from recorder.stt import Segment, VoskEngine, WhisperEngine
from tests.recorder.speech import Sitting, read_wav, sitting, word_error_rate

T0 = 1_760_000_000.0


class Recorder:
    """Collects callbacks in arrival order, as the hall server would receive them."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, str | Segment]] = []
        self.lock = threading.Lock()

    def caption(self, turn_id: str, text: str) -> None:
        with self.lock:
            self.events.append(("caption", turn_id, text))

    def segment(self, turn_id: str, segment: Segment) -> None:
        with self.lock:
            self.events.append(("segment", turn_id, segment))

    def segments(self) -> dict[str, list[Segment]]:
        out: dict[str, list[Segment]] = {}
        for kind, turn_id, value in self.events:
            if kind == "segment":
                assert isinstance(value, Segment)
                out.setdefault(turn_id, []).append(value)
        return out


def source_for(kind: str, s: Sitting, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AudioSource:
    if kind == "file":
        return FileSource(s.path, start_wall=T0)
    replay = make_replay_device(s.path, tmp_path / "alsa", sample_rate=s.rate, channels=s.channels)
    monkeypatch.setenv("ALSA_CONFIG_PATH", str(replay.config_path))
    return PyAudioSource(
        replay.name,
        sample_rate=s.rate,
        channels=s.channels,
        duration=replay.duration,
        start_wall=T0,
    )


@pytest.mark.parametrize("kind", ["file", "pyaudio"])
def test_three_turns_give_three_segments_with_captions_first(
    kind: str,
    korean_sitting: Sitting,
    vosk_engine: VoskEngine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = source_for(kind, korean_sitting, tmp_path, monkeypatch)
    got = Recorder()
    with ArchiveWriter(tmp_path / "archive", korean_sitting.rate, korean_sitting.channels) as arch:
        pipeline = Pipeline(
            source, vosk_engine, archive=arch, on_caption=got.caption, on_segment=got.segment
        )
        for i, (_text, start, end) in enumerate(korean_sitting.speeches):
            pipeline.start_turn(f"turn-{i}", f"member-{i}", "item-1", T0 + start)
            pipeline.end_turn(f"turn-{i}", T0 + end)
        # Re-delivered floor events (after a resync) change nothing.
        pipeline.start_turn("turn-0", "member-0", "item-1", T0 + korean_sitting.speeches[0][1])
        pipeline.end_turn("turn-0", T0 + korean_sitting.speeches[0][2])
        started = time.perf_counter()
        pipeline.start()
        assert pipeline.join(timeout=60)
        elapsed = time.perf_counter() - started
    stats = pipeline.stats()
    print(f"\npipeline ({kind}): {korean_sitting.duration:.1f} s of audio in {elapsed:.2f} s; {stats}")

    segments = got.segments()
    assert sorted(segments) == ["turn-0", "turn-1", "turn-2"]
    for i, (_text, start, end) in enumerate(korean_sitting.speeches):
        (segment,) = segments[f"turn-{i}"]
        assert segment.words, f"turn-{i} has no words"
        for w in segment.words:
            assert T0 + start - 0.3 - 0.05 <= w.start <= w.end <= T0 + end + 0.3 + 0.05
        # A caption for the turn arrived before its segment.
        order = [(k, t) for k, t, _ in got.events if t == f"turn-{i}"]
        assert order[0][0] == "caption" and order[-1] == ("segment", f"turn-{i}")
    assert "있습" in segments["turn-2"][0].text
    assert stats.dropped_frames == 0
    assert stats.segments == 3 and stats.turns_open == 0
    assert stats.stt_errors == 0 and stats.callback_errors == 0
    archive = Archive(tmp_path / "archive")
    assert archive.duration == pytest.approx(korean_sitting.duration, abs=0.001)
    assert archive.start_wall == T0


class GatedSource(AudioSource):
    """In-memory frames; holds back from ``gate_at`` until ``gate`` is set."""

    def __init__(self, samples: np.ndarray, rate: int, gate_at: int) -> None:
        super().__init__(rate, samples.shape[1], frame_ms=20, start_wall=T0)
        self._pcm = np.ascontiguousarray(samples, dtype="<i2").tobytes()
        self._step = self.frame_samples * 2 * self.channels
        self._offset = 0
        self._gate_at = gate_at * self._step
        self.gate = threading.Event()

    def _open(self) -> None:
        pass

    def _read(self) -> bytes | None:
        if self._offset >= self._gate_at:
            while not self.gate.wait(0.05):
                if self._stopping.is_set():
                    return None
        chunk = self._pcm[self._offset : self._offset + self._step]
        self._offset += self._step
        return chunk or None

    def _close(self) -> None:
        pass


def test_a_floor_event_that_arrives_late_is_back_filled_from_preroll(
    whisper_engine: WhisperEngine, tmp_path: Path
) -> None:
    s = sitting(["Order, order. The sitting is resumed."], "en", tmp_path, rate=16000, channels=1)
    samples, rate = read_wav(s.path)
    (text, start, end), = s.speeches
    gate_frame = round((start + 1.0) * 50)  # audio a second into the speech is already routed
    source = GatedSource(samples, rate, gate_frame)
    got = Recorder()
    pipeline = Pipeline(source, whisper_engine, on_segment=got.segment, preroll=5.0)
    pipeline.start()
    deadline = time.monotonic() + 10
    while pipeline.stats().frames < gate_frame and time.monotonic() < deadline:
        time.sleep(0.01)
    pipeline.start_turn("late", "speaker", None, T0 + start)
    pipeline.end_turn("late", T0 + end)
    source.gate.set()
    assert pipeline.join(timeout=60)
    (segment,) = got.segments()["late"]
    print(f"\nlate turn: {segment.text!r}")
    assert word_error_rate(text, segment.text) < 0.35
    assert segment.words[0].start < T0 + start + 0.5


def test_stop_ends_open_turns_and_a_failing_callback_loses_nothing(
    english_wav: Path, vosk_engine: VoskEngine
) -> None:
    source = FileSource(english_wav, realtime=True, start_wall=T0)
    got = Recorder()

    def bad_caption(turn_id: str, text: str) -> None:
        raise RuntimeError("seat display went away")

    pipeline = Pipeline(source, vosk_engine, on_caption=bad_caption, on_segment=got.segment)
    pipeline.start_turn("open", "m1", None, T0)
    pipeline.start()
    with pytest.raises(RecorderError, match="already started"):
        pipeline.start()
    time.sleep(1.5)
    pipeline.stop()
    (segment,) = got.segments()["open"]
    stats = pipeline.stats()
    assert stats.turns_open == 0 and stats.dropped_frames == 0
    assert stats.callback_errors >= 1
    assert T0 <= segment.start <= segment.end <= T0 + 2.0
