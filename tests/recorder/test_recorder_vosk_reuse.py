"""Vosk recognisers are reused from turn to turn: same words, same times, nothing carried over."""

from __future__ import annotations

import time
from pathlib import Path

from recorder.stt import Segment, VoskEngine, find_installed_model
from tests.recorder.speech import read_wav


def transcribe(engine: VoskEngine, pcm: bytes) -> tuple[Segment, float]:
    stream = engine.open_stream(16000)
    started = time.perf_counter()
    for i in range(0, len(pcm), 640):
        stream.accept(pcm[i : i + 640])
    return stream.finish(), time.perf_counter() - started


def test_turn_after_turn_gives_the_same_words_at_the_same_times(korean_wav: Path) -> None:
    vosk_engine = VoskEngine(find_installed_model("vosk"))  # its own: the first turn gets a new recogniser
    samples, rate = read_wav(korean_wav)
    assert rate == 16000
    pcm = samples.tobytes()
    silence = bytes(2 * 16000 * 2)  # ends the turn on an endpoint: the awkward case
    first, t_first = transcribe(vosk_engine, pcm + silence)
    empty, _ = transcribe(vosk_engine, b"")
    cut, _ = transcribe(vosk_engine, pcm[: len(pcm) // 3])
    again, t_again = transcribe(vosk_engine, pcm + silence)
    print(f"\nfirst turn {t_first:.2f} s, a later one {t_again:.2f} s for {len(pcm) / 32000:.1f} s of audio")
    assert first.words
    assert empty == Segment("", 0.0, 0.0)  # not the previous turn's result again
    assert cut.words and cut.end <= len(pcm) / 3 / 32000 + 0.05
    assert [w.text for w in again.words] == [w.text for w in first.words]
    # Vosk's word times vary by a few ms from run to run even between two new recognisers
    # (its lattice confidences do); what must hold is the time base: within one 30 ms frame.
    for a, b in zip(again.words, first.words, strict=True):
        assert abs(a.start - b.start) < 0.03 and abs(a.end - b.end) < 0.03
