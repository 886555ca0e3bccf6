"""A floor event that reaches the recorder late never moves words from one speaker to another."""

from __future__ import annotations

import time

from recorder.pipeline import Pipeline
from recorder.stt import VoskEngine
from tests.recorder.speech import Sitting, read_wav
from tests.recorder.test_recorder_pipeline import T0, GatedSource, Recorder


def test_a_stop_heard_after_the_next_speech_began_keeps_the_turns_apart(
    korean_sitting: Sitting, vosk_engine: VoskEngine
) -> None:
    samples, rate = read_wav(korean_sitting.path)
    (_, s1, e1), (_, s2, e2), _ = korean_sitting.speeches
    gate = round((s2 + 1.0) * 50)  # a second of the second speech is routed before the stop arrives
    source = GatedSource(samples, rate, gate)
    got = Recorder()
    pipeline = Pipeline(source, vosk_engine, on_segment=got.segment)
    pipeline.start_turn("t1", "m1", None, T0 + s1)
    pipeline.start()
    deadline = time.monotonic() + 10
    while pipeline.stats().frames < gate and time.monotonic() < deadline:
        time.sleep(0.01)
    pipeline.end_turn("t1", T0 + e1)  # the hall was unreachable until now
    pipeline.start_turn("t2", "m2", None, T0 + s2)
    pipeline.end_turn("t2", T0 + e2)
    source.gate.set()
    assert pipeline.join(timeout=60)
    segments = got.segments()
    (first,), (second,) = segments["t1"], segments["t2"]
    print(f"\nt1: {first.text!r}\nt2: {second.text!r}")
    assert first.words and second.words
    assert all(w.start < T0 + e1 + 0.3 for w in first.words)
    assert first.end <= T0 + e1 + 0.3 + 1e-6
