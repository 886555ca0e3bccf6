"""Offline transcription: any format in, JSON segments out, progress on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recorder.errors import AudioFileError, ModelNotFound
from recorder.stt import VoskEngine, WhisperEngine
from recorder.transcribe import segments_to_json, transcribe_file
from tests.recorder.speech import ENGLISH, sox, word_error_rate


def test_whisper_transcribes_an_ogg_file_to_json_segments(
    english_wav: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    whisper_engine: WhisperEngine,
) -> None:
    ogg = sox(english_wav, tmp_path / "speech.ogg", rate=44100, channels=2)
    segments = transcribe_file(ogg, "whisper", engine=whisper_engine)
    data = segments_to_json(segments)
    json.dumps(data)
    assert len(data) >= 2
    assert all(set(d) == {"text", "start", "end", "words"} for d in data)
    assert all(set(w) == {"text", "start", "end", "conf"} for d in data for w in d["words"])
    assert [d["start"] for d in data] == sorted(d["start"] for d in data)
    text = " ".join(d["text"] for d in data)
    assert word_error_rate(" ".join(ENGLISH), text) < 0.35
    err = capsys.readouterr().err
    assert "speech.ogg" in err and "100%" in err


def test_vosk_transcribes_a_flac_file_by_engine_name(korean_wav: Path, tmp_path: Path) -> None:
    flac = sox(korean_wav, tmp_path / "speech.flac", rate=22050, channels=1)
    segments = transcribe_file(flac, "vosk", progress=False)
    assert segments and all(s.words for s in segments)
    assert segments[-1].end <= 8.0


def test_transcribe_reports_missing_inputs(tmp_path: Path, vosk_engine: VoskEngine) -> None:
    with pytest.raises(AudioFileError):
        transcribe_file(tmp_path / "absent.mp3", engine=vosk_engine, progress=False)
    wav = tmp_path / "x.wav"
    sox_silence(wav)
    with pytest.raises(ModelNotFound):
        transcribe_file(wav, "vosk", model_path=tmp_path / "no-model", progress=False)


def sox_silence(path: Path) -> None:
    import subprocess

    subprocess.run(["sox", "-n", "-r", "16000", "-c", "1", "-b", "16", str(path), "trim", "0", "0.5"],
                   check=True)
