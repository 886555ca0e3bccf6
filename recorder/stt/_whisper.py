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

import numpy as np
import numpy.typing as npt

from recorder.errors import ModelNotFound, SttError
from recorder.stt._base import Engine, RecognizerStream, Regions
from recorder.stt._language import LanguageIdentifier
from recorder.stt._speech import SpeechGate, load_vad, script_matches, speech_regions
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
        super().__init__(engine, sample_rate)
        self._engine = engine
        self._since_caption = 0

    def _accept(self, pcm: bytes) -> str | None:
        every = self._engine.caption_every
        if every is None or self._engine.language is None:
            return None
        self._since_caption += len(pcm) // 2
        if self._since_caption < every * self.sample_rate:
            return None
        self._since_caption = 0
        want = round(self._engine.caption_window * self.sample_rate) * 2
        tail: list[bytes] = []
        got = 0
        for chunk in reversed(self._pcm):
            tail.append(chunk)
            got += len(chunk)
            if got >= want:
                break
        pcm_tail = b"".join(reversed(tail))[-want:]
        samples = to_mono_16k(pcm_tail, self.sample_rate) if self.sample_rate != STT_RATE else pcm_tail
        return self._engine.caption(np.frombuffer(samples, dtype="<i2").astype(np.float32) / 32768.0)

    def _finish(self, audio: npt.NDArray[np.float32], regions: Regions) -> list[Segment]:
        segments, language = self._engine.transcribe(audio, self.progress, regions=regions, language=self.language)
        self.language = language
        return segments

    def _abandon(self) -> None:
        return None


class WhisperEngine(Engine):
    """A CTranslate2 Whisper model directory (``model.bin``, ``config.json``, tokenizer).

    ``language`` None lets a multilingual model detect it; English-only
    (``.en``) models refuse any language but ``en``. A multilingual model
    with a ``language`` writes only that one (a Khmer fine-tune: ``km``,
    with ``gate.max_region`` about 12 s); without, it may write any language
    it knows, and a turn it writes in the wrong script gets no text.

    Whisper decodes windows, not a stream: with ``caption_every`` (seconds
    of audio) a model with one ``language`` also re-decodes the last
    ``caption_window`` seconds that often, greedily, for a live caption;
    the turn's text still comes from :meth:`transcribe` at the end.
    """

    name = "whisper"

    def __init__(
        self,
        model_path: str | Path,
        language: str | None = None,
        *,
        identifier: LanguageIdentifier | None = None,
        gate: SpeechGate | None = None,
        compute_type: str = "int8",
        cpu_threads: int = 0,
        beam_size: int = 5,
        caption_every: float | None = None,
        caption_window: float = 8.0,
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
        multilingual = bool(self._model.model.is_multilingual)
        if language not in (None, "en") and not multilingual:
            raise SttError(f"whisper model {self.model} is English-only: can't do {language!r}")
        if not multilingual:
            language = "en"
        self.language = language
        self.languages = (
            frozenset({language}) if language is not None else frozenset(self._model.supported_languages)
        )
        self.identifier = identifier
        self.gate = gate if gate is not None else SpeechGate()
        load_vad()
        self.beam_size = beam_size
        self.caption_every = caption_every
        self.caption_window = caption_window

    def open_stream(self, sample_rate: int = 16000) -> RecognizerStream:
        return _WhisperStream(self, sample_rate)

    def caption(self, audio: npt.NDArray[np.float32]) -> str | None:
        """A quick caption of float32 16 kHz speech (greedy, no word times); None if no speech in it."""
        regions = speech_regions(audio, self.gate)
        if not regions:
            return None
        segments, _info = self._model.transcribe(
            audio,
            language=self.language,
            beam_size=1,
            clip_timestamps=[t for region in regions for t in region],
            condition_on_previous_text=False,
            without_timestamps=True,
        )
        text = " ".join(
            s.text.strip() for s in segments if self.gate.keeps(s.no_speech_prob, s.avg_logprob, s.compression_ratio)
        ).strip()
        if not text or not script_matches(text, self.language or "en"):
            return None
        return text

    def transcribe(
        self,
        audio: npt.NDArray[np.float32],
        progress: Callable[[float], None] | None = None,
        *,
        regions: Regions | None = None,
        language: str | None = None,
    ) -> tuple[list[Segment], str]:
        """Float32 16 kHz mono samples -> (utterance segments with word times, their language).

        Only ``regions`` (seconds; default: all of it) are decoded, each in
        windows no longer than the region; segments the gate finds unlikely
        are dropped. ``language`` (one this engine writes) overrides the
        engine's. Segments are decoded lazily; ``progress`` gets each one's end.
        """
        clips = [t for region in regions for t in region] if regions else "0"
        segments, info = self._model.transcribe(
            audio,
            language=language if language is not None else self.language,
            beam_size=self.beam_size,
            word_timestamps=True,
            clip_timestamps=clips,
            condition_on_previous_text=False,
        )
        out = []
        for s in segments:
            if self.gate.keeps(s.no_speech_prob, s.avg_logprob, s.compression_ratio):
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
        return out, str(info.language)
