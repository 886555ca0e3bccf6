"""Speech-to-text engines behind one interface (Vosk first, Whisper pluggable).

Engines load models only from paths (configuration or the installed model
packages); a missing or broken model raises
:class:`~recorder.errors.ModelNotFound`, never a download. ``vosk`` and
``faster_whisper`` are imported only when an engine is built, so importing
this package is cheap.
"""

from __future__ import annotations

from recorder.stt._base import Engine, RecognizerStream
from recorder.stt._language import Identified, LanguageIdentifier, whisper_base_model
from recorder.stt._models import ENGINES, find_installed_model, make_engine
from recorder.stt._speech import SpeechGate, script_matches
from recorder.stt._types import Segment, Word
from recorder.stt._vosk import VoskEngine
from recorder.stt._whisper import WhisperEngine

__all__ = [
    "ENGINES",
    "Engine",
    "Identified",
    "LanguageIdentifier",
    "RecognizerStream",
    "Segment",
    "SpeechGate",
    "VoskEngine",
    "WhisperEngine",
    "Word",
    "find_installed_model",
    "make_engine",
    "script_matches",
    "whisper_base_model",
]
