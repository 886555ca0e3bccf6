"""The engine interface every speech-to-text backend implements.

An :class:`Engine` holds a loaded model (expensive, shared by threads); a
:class:`RecognizerStream` is one turn's recognition (cheap, one thread at a
time). The pipeline and offline transcription only ever see this interface,
so another engine (e.g. one for Khmer) plugs in without touching them.

Every stream keeps its turn's audio and, at :meth:`RecognizerStream.finish`,
decides what may be written (see :mod:`recorder.stt._speech`): no speech
found by voice-activity detection, no segment; a language (named by the
engine's :class:`~recorder.stt._language.LanguageIdentifier`) outside the
engine's ``languages``, no text and the turn marked not covered; words
outside speech, or in another script than the language's, dropped.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import numpy.typing as npt

from recorder.errors import StreamFinished
from recorder.stt._speech import SpeechGate, script_matches, speech_regions
from recorder.stt._types import Segment

if TYPE_CHECKING:
    from recorder.stt._language import LanguageIdentifier

__all__ = ["Engine", "RecognizerStream", "Regions"]

Regions = list[tuple[float, float]]  # speech found in a turn: (start s, end s) from its first sample
_RATE = 16000


class RecognizerStream(ABC):
    """Mono int16 little-endian PCM in, captions while it runs, a segment at the end.

    ``streaming`` is False for engines that do their work in ``finish()``;
    those call ``progress`` (if set) with the seconds of audio decoded so far.
    After finishing, ``language`` is the turn's language when it was
    identified and ``covered`` is False when the engine has no model for it.
    """

    streaming: ClassVar[bool] = True

    def __init__(self, engine: Engine, sample_rate: int) -> None:
        self.engine = engine.name
        self.owner = engine
        self.sample_rate = sample_rate
        self.progress: Callable[[float], None] | None = None
        self.language: str | None = None
        self.covered = True
        self._pcm: list[bytes] = []
        self._samples = 0
        self._finished = False

    @property
    def duration(self) -> float:
        """Seconds of audio accepted so far."""
        return self._samples / self.sample_rate

    def accept(self, pcm: bytes) -> str | None:
        """Feed audio; returns the current caption when it changed, else None.

        The caption is the utterance in progress (or the one just completed),
        not the whole turn, so caption messages stay small in long speeches.
        """
        if self._finished:
            raise StreamFinished(self.engine)
        self._samples += len(pcm) // 2
        self._pcm.append(pcm)
        return self._accept(pcm)

    def finish(self) -> Segment:
        """End the stream: the whole turn as one segment (times from the first sample)."""
        merged = Segment.merge(self.finish_utterances(), start=0.0, end=self.duration)
        return dataclasses.replace(merged, language=self.language, covered=self.covered)

    def finish_utterances(self) -> list[Segment]:
        """End the stream: one segment per utterance the engine found, none if no speech."""
        if self._finished:
            raise StreamFinished(self.engine)
        self._finished = True
        audio = self._audio()
        self._pcm = []
        gate = self.owner.gate
        regions = speech_regions(audio, gate)
        if regions and self.owner.identifier is not None:
            speech = np.concatenate([audio[round(a * _RATE) : round(b * _RATE)] for a, b in regions])
            found = self.owner.identifier.identify(speech)
            languages = self.owner.languages
            self.language = found.language
            if languages is not None and found.language not in languages:
                # Synthetic or accented speech can spread Whisper's guess over neighbours
                # (espeak-ng's English: en 0.65, la 0.19): a fair share for the model's languages is enough.
                self.covered = found.share(languages) >= gate.min_language_share
                if self.covered:
                    self.language = max(languages, key=lambda code: found.probabilities.get(code, 0.0))
        if not regions or not self.covered:
            self._abandon()
            return []
        heard = self._finish(audio, regions)
        script = self.language or self.owner.only_language
        if script is None:
            return heard
        utterances = [u for u in heard if script_matches(u.text, script)]
        if heard and not utterances:
            # The model wrote this language in another script (Whisper writes Khmer in Latin
            # letters): it does not have the language, whatever it claims.
            self.covered = False
        return utterances

    def _audio(self) -> npt.NDArray[np.float32]:
        pcm = b"".join(self._pcm)
        pcm = pcm[: len(pcm) // 2 * 2]  # a caller may cut a buffer mid-sample; Vosk takes it whole
        if self.sample_rate != _RATE:
            from recorder.turns import to_mono_16k

            pcm = to_mono_16k(pcm, self.sample_rate).tobytes()
        return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0

    @abstractmethod
    def _accept(self, pcm: bytes) -> str | None: ...

    @abstractmethod
    def _finish(self, audio: npt.NDArray[np.float32], regions: Regions) -> list[Segment]:
        """The utterances heard in ``regions`` of ``audio`` (float32, 16 kHz), in the turn's language."""

    @abstractmethod
    def _abandon(self) -> None:
        """The turn gets no text: release what the stream holds."""


class Engine(ABC):
    """A loaded model; ``open_stream`` may be called from any thread.

    ``languages``: the language codes (Whisper's: ``en``, ``km``, ``ko``) the
    model writes, None if unknown (then no turn is refused for its language).
    ``identifier``: names each turn's language, or None to trust the model.
    ``gate``: the thresholds of what counts as speech.
    """

    name: str
    model: Path
    languages: frozenset[str] | None = None
    identifier: LanguageIdentifier | None = None
    gate: SpeechGate = SpeechGate()

    @property
    def only_language(self) -> str | None:
        """The one language the model writes, if it writes exactly one."""
        if self.languages is not None and len(self.languages) == 1:
            return next(iter(self.languages))
        return None

    @abstractmethod
    def open_stream(self, sample_rate: int = 16000) -> RecognizerStream: ...
