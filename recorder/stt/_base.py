"""The engine interface every speech-to-text backend implements.

An :class:`Engine` holds a loaded model (expensive, shared by threads); a
:class:`RecognizerStream` is one turn's recognition (cheap, one thread at a
time). The pipeline and offline transcription only ever see this interface,
so another engine (e.g. one for Khmer) plugs in without touching them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from recorder.errors import StreamFinished
from recorder.stt._types import Segment

__all__ = ["Engine", "RecognizerStream"]


class RecognizerStream(ABC):
    """Mono int16 little-endian PCM in, captions while it runs, a segment at the end.

    ``streaming`` is False for engines that do their work in ``finish()``;
    those call ``progress`` (if set) with the seconds of audio decoded so far.
    """

    streaming: ClassVar[bool] = True

    def __init__(self, engine: str, sample_rate: int) -> None:
        self.engine = engine
        self.sample_rate = sample_rate
        self.progress: Callable[[float], None] | None = None
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
        return self._accept(pcm)

    def finish(self) -> Segment:
        """End the stream: the whole turn as one segment (times from the first sample)."""
        return Segment.merge(self.finish_utterances(), start=0.0, end=self.duration)

    def finish_utterances(self) -> list[Segment]:
        """End the stream: one segment per utterance the engine found."""
        if self._finished:
            raise StreamFinished(self.engine)
        self._finished = True
        return self._finish()

    @abstractmethod
    def _accept(self, pcm: bytes) -> str | None: ...

    @abstractmethod
    def _finish(self) -> list[Segment]: ...


class Engine(ABC):
    """A loaded model; ``open_stream`` may be called from any thread."""

    name: str
    model: Path

    @abstractmethod
    def open_stream(self, sample_rate: int = 16000) -> RecognizerStream: ...
