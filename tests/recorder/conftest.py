"""Recorder fixtures: speech made with espeak-ng, real models loaded once per session."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from recorder.stt import VoskEngine, WhisperEngine, find_installed_model
from tests.recorder.speech import ENGLISH, KOREAN, Sitting, sitting, speak


@pytest.fixture(scope="session")
def speech_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("speech")


@pytest.fixture(scope="session")
def english_wav(speech_dir: Path) -> Path:
    """The four English sentences, 16 kHz mono."""
    return speak(" ".join(ENGLISH), "en", speech_dir / "english.wav")


@pytest.fixture(scope="session")
def korean_wav(speech_dir: Path) -> Path:
    return speak(". ".join(KOREAN) + ".", "ko", speech_dir / "korean.wav")


@pytest.fixture(scope="session")
def korean_sitting(speech_dir: Path) -> Sitting:
    """Three Korean speeches, 48 kHz stereo like a hall feed, 1 s of silence around each."""
    return sitting(KOREAN, "ko", speech_dir, rate=48000, channels=2)


@pytest.fixture(scope="session")
def vosk_engine() -> VoskEngine:
    return VoskEngine(find_installed_model("vosk"))


@pytest.fixture(scope="session")
def whisper_engine() -> WhisperEngine:
    return WhisperEngine(find_installed_model("whisper"), "en")


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    """Every thread a test starts must be gone when it ends (tqdm's monitor excepted)."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 2.0
    while True:
        leaked = [
            t
            for t in threading.enumerate()
            if t not in before and t.is_alive() and type(t).__name__ != "TMonitor"
        ]
        if not leaked or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert not leaked, f"threads leaked: {leaked}"
