"""Vosk (Kaldi) engine: streaming recognition with live partial captions.

One ``vosk.Model`` is loaded per engine and shared by every stream; each
stream owns one ``KaldiRecognizer``, which must only be fed from one thread
at a time (it then uses one core).

Recognisers are reused from turn to turn. A new one builds its share of the
decoding graph (the on-the-fly composition of ``HCLr`` and ``Gr``) as it
goes, which makes its first seconds about five times slower than a warm
one's (2.2 s against 0.4 s for 6.6 s of Korean on our 2-core box) and
delays the first captions of every turn. After ``FinalResult()`` a
recogniser restarts its decoder and features from scratch (no adaptation
carries over) but keeps that graph; its word times then count from the
first sample it ever took, which the stream subtracts. A recogniser is
retired after an hour of audio, before Vosk's single-precision times
would blur.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from recorder.errors import ModelNotFound
from recorder.stt._base import Engine, RecognizerStream, Regions
from recorder.stt._language import LanguageIdentifier
from recorder.stt._speech import SpeechGate, load_vad
from recorder.stt._types import Segment, Word

__all__ = ["VoskEngine"]

_log_level_lock = threading.Lock()
_RETIRE_AFTER = 3600.0  # seconds of audio one recogniser takes before it is dropped
_POOL = 2  # warm recognisers kept idle per engine


def check_vosk_model(path: Path) -> None:
    """Raise :class:`ModelNotFound` unless ``path`` looks like a Vosk model directory."""
    if not path.exists():
        raise ModelNotFound("vosk", path, "no such directory")
    if not path.is_dir():
        raise ModelNotFound("vosk", path, "not a directory")
    if not ((path / "am" / "final.mdl").is_file() or (path / "final.mdl").is_file()):
        raise ModelNotFound("vosk", path, "no am/final.mdl: not a Vosk model directory")


def _utterance(result: dict[str, Any], offset: float = 0.0) -> Segment | None:
    words = tuple(
        Word(
            str(w["word"]),
            max(0.0, float(w["start"]) - offset),
            max(0.0, float(w["end"]) - offset),
            float(w.get("conf", 1.0)),
        )
        for w in result.get("result", ())
    )
    text = str(result.get("text", "")).strip()
    if not words and not text:
        return None
    if not words:
        return Segment(text, 0.0, 0.0)
    return Segment(text or " ".join(w.text for w in words), words[0].start, words[-1].end, words)


def _in_speech(segment: Segment, regions: Regions, min_conf: float) -> Segment | None:
    """The utterance with only the words whose middle lies in speech and that are confident enough."""
    words = tuple(
        w
        for w in segment.words
        if w.conf >= min_conf and any(a <= (w.start + w.end) / 2 <= b for a, b in regions)
    )
    if not words:
        return None
    if words == segment.words:
        return segment
    return Segment(" ".join(w.text for w in words), words[0].start, words[-1].end, words)


class _VoskStream(RecognizerStream):
    def __init__(self, engine: VoskEngine, sample_rate: int, partial_every: float) -> None:
        super().__init__(engine, sample_rate)
        self._engine = engine
        self._rec, self._before = engine._take_recognizer(sample_rate)
        self._offset = self._before / sample_rate  # where this stream starts on the recogniser's clock
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
            utterance = _utterance(json.loads(self._rec.Result()), self._offset)
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

    def _final(self) -> None:
        # FinalResult() only finalises a running recogniser; one that just hit an endpoint
        # would keep its features for the next turn. A few ms of silence make it run.
        pad = bytes(2 * (self.sample_rate // 100))
        self._rec.AcceptWaveform(pad)
        last = _utterance(json.loads(self._rec.FinalResult()), self._offset)
        if last is not None:
            self._utterances.append(last)
        self._engine._give_back(self._rec, self.sample_rate, self._before + self._samples + len(pad) // 2)

    def _finish(self, audio: npt.NDArray[np.float32], regions: Regions) -> list[Segment]:
        self._final()
        min_conf = self._engine.gate.min_word_conf
        kept = (_in_speech(u, regions, min_conf) for u in self._utterances)
        return [u for u in kept if u is not None]

    def _abandon(self) -> None:
        self._final()


class VoskEngine(Engine):
    """Kaldi models for Vosk, loaded from a directory (never downloaded).

    ``partial_every`` (seconds of audio) bounds how often a partial caption
    is computed; ``log_level`` is Vosk's (process-wide; -1 silences Kaldi).
    ``language`` is the model's (a Vosk model does not say it); with an
    ``identifier``, turns in any other language get no text.
    """

    name = "vosk"

    def __init__(
        self,
        model_path: str | Path,
        *,
        language: str | None = None,
        identifier: LanguageIdentifier | None = None,
        gate: SpeechGate | None = None,
        partial_every: float = 0.25,
        log_level: int = -1,
    ) -> None:
        self.model = Path(model_path)
        self.languages = frozenset({language}) if language is not None else None
        self.identifier = identifier
        self.gate = gate if gate is not None else SpeechGate()
        load_vad()
        check_vosk_model(self.model)
        import vosk

        with _log_level_lock:
            vosk.SetLogLevel(log_level)
        try:
            self._model = vosk.Model(str(self.model))
        except Exception as exc:  # vosk raises a bare Exception on a bad model
            raise ModelNotFound("vosk", self.model, f"Vosk can't load it: {exc}") from exc
        self.partial_every = partial_every
        self._idle: list[tuple[Any, int, int]] = []  # (recogniser, its sample rate, samples it took)
        self._idle_lock = threading.Lock()

    def open_stream(self, sample_rate: int = 16000) -> RecognizerStream:
        return _VoskStream(self, sample_rate, self.partial_every)

    def _take_recognizer(self, sample_rate: int) -> tuple[Any, int]:
        """A warm recogniser for ``sample_rate`` and the samples it already took, or a new one."""
        with self._idle_lock:
            for i, (rec, rate, taken) in enumerate(self._idle):
                if rate == sample_rate:
                    del self._idle[i]
                    return rec, taken
        from vosk import KaldiRecognizer

        rec = KaldiRecognizer(self._model, float(sample_rate))
        rec.SetWords(True)
        return rec, 0

    def _give_back(self, rec: Any, sample_rate: int, taken: int) -> None:
        """A finished stream's recogniser (after ``FinalResult``) waits for the next turn."""
        if taken >= _RETIRE_AFTER * sample_rate:
            return
        with self._idle_lock:
            if len(self._idle) < _POOL:
                self._idle.append((rec, sample_rate, taken))
