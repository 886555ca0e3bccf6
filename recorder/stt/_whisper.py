"""Whisper engine via faster-whisper (CTranslate2, CPU, int8).

Whisper decodes 30-second windows, not a stream, so a stream buffers its
turn and transcribes it at :meth:`finish`; it gives no partial captions.
It is the pluggable second engine (multilingual models cover languages
that have no Vosk model); the model directory is configuration and is never
downloaded (``local_files_only``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from recorder.errors import ModelNotFound, SttError
from recorder.stt._base import Engine, RecognizerStream
from recorder.stt._types import Segment, Word
from recorder.turns import STT_RATE, to_mono_16k

__all__ = ["WhisperEngine"]

_REQUIRED = ("model.bin", "config.json")


def check_whisper_model(path: Path) -> None:
    """Raise :class:`ModelNotFound` unless ``path`` is a CTranslate2 Whisper model."""
    if not path.exists():
        raise ModelNotFound("whisper", path, "no such directory")
    if not path.is_dir():
        raise ModelNotFound("whisper", path, "not a directory")
    missing = [name for name in _REQUIRED if not (path / name).is_file()]
    if missing:
        raise ModelNotFound("whisper", path, f"missing {', '.join(missing)}")


class _WhisperStream(RecognizerStream):
    streaming = False

    def __init__(self, engine: WhisperEngine, sample_rate: int) -> None:
        super().__init__("whisper", sample_rate)
        self._engine = engine
        self._chunks: list[bytes] = []

    def _accept(self, pcm: bytes) -> str | None:
        self._chunks.append(pcm)
        return None

    def _finish(self) -> list[Segment]:
        pcm = b"".join(self._chunks)
        self._chunks = []
        samples = to_mono_16k(pcm, self.sample_rate) if self.sample_rate != STT_RATE else pcm
        audio = np.frombuffer(samples, dtype="<i2").astype(np.float32) / 32768.0
        if len(audio) == 0:
            return []
        return self._engine.transcribe(audio, self.progress)


class WhisperEngine(Engine):
    """A CTranslate2 Whisper model directory (``model.bin``, ``config.json``, tokenizer).

    ``language`` None lets a multilingual model detect it; English-only
    (``.en``) models refuse any language but ``en``.
    """

    name = "whisper"

    def __init__(
        self,
        model_path: str | Path,
        language: str | None = None,
        *,
        compute_type: str = "int8",
        cpu_threads: int = 0,
        beam_size: int = 5,
        vad_filter: bool = False,
    ) -> None:
        self.model = Path(model_path)
        check_whisper_model(self.model)
        from faster_whisper import WhisperModel

        try:
            self._model = WhisperModel(
                str(self.model),
                device="cpu",
                compute_type=compute_type,
                cpu_threads=cpu_threads,
                local_files_only=True,
            )
        except Exception as exc:  # CTranslate2 raises RuntimeError/ValueError variously
            raise ModelNotFound("whisper", self.model, f"can't load it: {exc}") from exc
        if language not in (None, "en") and not self._model.model.is_multilingual:
            raise SttError(f"whisper model {self.model} is English-only: can't do {language!r}")
        self.language = language
        self.beam_size = beam_size
        self.vad_filter = vad_filter

    def open_stream(self, sample_rate: int = 16000) -> RecognizerStream:
        return _WhisperStream(self, sample_rate)

    def transcribe(
        self, audio: Any, progress: Callable[[float], None] | None = None
    ) -> list[Segment]:
        """Float32 16 kHz mono samples -> utterance segments with word times.

        Segments are decoded lazily; ``progress`` gets each one's end time.
        """
        segments, _info = self._model.transcribe(
            audio,
            language=self.language,
            beam_size=self.beam_size,
            word_timestamps=True,
            vad_filter=self.vad_filter,
            condition_on_previous_text=False,
        )
        out = []
        for s in segments:
            words = tuple(
                Word(w.word.strip(), float(w.start), float(w.end), float(w.probability))
                for w in (s.words or ())
                if w.word.strip()
            )
            text = s.text.strip()
            if text or words:
                out.append(Segment(text, float(s.start), float(s.end), words))
            if progress is not None:
                progress(float(s.end))
        if progress is not None:
            progress(len(audio) / STT_RATE)
        return out
