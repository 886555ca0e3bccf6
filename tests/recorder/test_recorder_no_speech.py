"""No speech, no words: 30 s of silence, mains hum or pink noise give no segment from either engine.

The noises are made by sox: digital silence; 50 Hz mains hum with its
odd harmonics (150, 250, 350 Hz) as a hall's wiring picks it up; pink
noise (the spectrum of ventilation and crowd rumble).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from recorder.stt import Segment, SpeechGate, VoskEngine, WhisperEngine
from recorder.stt._speech import script_matches
from tests.recorder.speech import read_wav

NOISES = {  # sox effects after -n, on (channels, then mixed to one)
    "silence": (1, ["trim", "0", "30"]),
    "hum": (4, ["synth", "30", "sine", "50", "sine", "150", "sine", "250", "sine", "350"]),
    "pink": (1, ["synth", "30", "pinknoise", "vol", "0.3"]),
}


@pytest.fixture(scope="module", params=sorted(NOISES))
def noise(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("noise")
    channels, effects = NOISES[request.param]
    raw, out = folder / "raw.wav", folder / f"{request.param}.wav"
    subprocess.run(["sox", "-V1", "-n", "-r", "16000", "-c", str(channels), "-b", "16", str(raw), *effects], check=True)
    subprocess.run(["sox", "-V1", str(raw), "-c", "1", "-b", "16", str(out), "remix", "-", "vol", "0.5"], check=True)
    return out


def transcribe(engine: VoskEngine | WhisperEngine, wav: Path) -> list[Segment]:
    samples, rate = read_wav(wav)
    assert samples.shape[1] == 1 and len(samples) == 30 * rate
    stream = engine.open_stream(rate)
    pcm = samples.tobytes()
    for i in range(0, len(pcm), rate // 5 * 2):
        stream.accept(pcm[i : i + rate // 5 * 2])
    return stream.finish_utterances()


@pytest.mark.slow
def test_no_segment_from_vosk(vosk_engine: VoskEngine, noise: Path) -> None:
    assert transcribe(vosk_engine, noise) == []


@pytest.mark.slow
def test_no_segment_from_whisper(whisper_engine: WhisperEngine, noise: Path) -> None:
    assert transcribe(whisper_engine, noise) == []


@pytest.mark.slow
def test_whisper_own_signals_drop_what_vad_lets_through(whisper_engine: WhisperEngine, noise: Path) -> None:
    """With VAD made blind (every window speech), Whisper's no-speech and log-probability cut-offs still hold."""
    samples, _rate = read_wav(noise)
    audio = samples[:, 0].astype("float32") / 32768.0
    segments, _language = whisper_engine.transcribe(audio, regions=[(0.0, 30.0)])
    assert segments == []
    loose = SpeechGate(no_speech_prob=1.0, min_avg_logprob=-100.0, max_compression_ratio=100.0)
    assert loose.keeps(0.99, -5.0, 3.0) and not SpeechGate().keeps(0.99, -5.0, 3.0)


def test_script_of_a_language() -> None:
    assert script_matches("The session is open.", "en")
    assert not script_matches("Ni sok sabay chea te", "km")
    assert script_matches("សភា​បើក​សម័យ​ប្រជុំ NATO", "km")
    assert script_matches("의원 여러분 안녕하십니까", "ko")
    assert not script_matches("의원 여러분", "en")
    assert script_matches("2026 — 12.5 %", "km")  # no letters: nothing to judge
