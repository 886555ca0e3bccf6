"""Vosk (Kaldi) engine: streaming recognition with live partial captions.

One ``vosk.Model`` is loaded per engine and shared by every stream; each
stream owns one ``KaldiRecognizer``, which must only be fed from one thread
at a time (it then uses one core).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from recorder.errors import ModelNotFound
from recorder.stt._base import Engine, RecognizerStream
from recorder.stt._types import Segment, Word

__all__ = ["VoskEngine"]

_log_level_lock = threading.Lock()


def check_vosk_model(path: Path) -> None:
    """Raise :class:`ModelNotFound` unless ``path`` looks like a Vosk model directory."""
    if not path.exists():
        raise ModelNotFound("vosk", path, "no such directory")
    if not path.is_dir():
        raise ModelNotFound("vosk", path, "not a directory")
    if not ((path / "am" / "final.mdl").is_file() or (path / "final.mdl").is_file()):
        raise ModelNotFound("vosk", path, "no am/final.mdl: not a Vosk model directory")


def _utterance(result: dict[str, Any]) -> Segment | None:
    words = tuple(
        Word(str(w["word"]), float(w["start"]), float(w["end"]), float(w.get("conf", 1.0)))
        for w in result.get("result", ())
    )
    text = str(result.get("text", "")).strip()
    if not words and not text:
        return None
    if not words:
        return Segment(text, 0.0, 0.0)
    return Segment(text or " ".join(w.text for w in words), words[0].start, words[-1].end, words)


class _VoskStream(RecognizerStream):
    def __init__(self, model: Any, sample_rate: int, partial_every: float) -> None:
        from vosk import KaldiRecognizer

        super().__init__("vosk", sample_rate)
        self._rec = KaldiRecognizer(model, float(sample_rate))
        self._rec.SetWords(True)
        self._utterances: list[Segment] = []
        self._caption = ""
        self._partial_samples = max(1, round(partial_every * sample_rate))
        self._since_partial = 0

    def _changed(self, text: str) -> str | None:
        text = text.strip()
        if not text or text == self._caption:
            return None
        self._caption = text
        return text

    def _accept(self, pcm: bytes) -> str | None:
        if self._rec.AcceptWaveform(pcm):
            self._since_partial = 0
            utterance = _utterance(json.loads(self._rec.Result()))
            if utterance is None:
                return None
            self._utterances.append(utterance)
            return self._changed(utterance.text)
        # PartialResult re-decodes the utterance so far: ask a few times a second only.
        self._since_partial += len(pcm) // 2
        if self._since_partial < self._partial_samples:
            return None
        self._since_partial = 0
        return self._changed(str(json.loads(self._rec.PartialResult()).get("partial", "")))

    def _finish(self) -> list[Segment]:
        last = _utterance(json.loads(self._rec.FinalResult()))
        if last is not None:
            self._utterances.append(last)
        return self._utterances


class VoskEngine(Engine):
    """Kaldi models for Vosk, loaded from a directory (never downloaded).

    ``partial_every`` (seconds of audio) bounds how often a partial caption
    is computed; ``log_level`` is Vosk's (process-wide; -1 silences Kaldi).
    """

    name = "vosk"

    def __init__(
        self, model_path: str | Path, *, partial_every: float = 0.25, log_level: int = -1
    ) -> None:
        self.model = Path(model_path)
        check_vosk_model(self.model)
        import vosk

        with _log_level_lock:
            vosk.SetLogLevel(log_level)
        try:
            self._model = vosk.Model(str(self.model))
        except Exception as exc:  # vosk raises a bare Exception on a bad model
            raise ModelNotFound("vosk", self.model, f"Vosk can't load it: {exc}") from exc
        self.partial_every = partial_every

    def open_stream(self, sample_rate: int = 16000) -> RecognizerStream:
        return _VoskStream(self._model, sample_rate, self.partial_every)
