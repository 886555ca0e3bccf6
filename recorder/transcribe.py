"""Offline transcription of an audio file through the live path's parts.

The file is decoded by FFmpeg (through :class:`~recorder.capture.FileSource`,
so anything sox or FFmpeg reads), converted to 16 kHz mono, and fed to the
same engine streams the pipeline uses, in half-second chunks, with a
progress bar on stderr (audio fed for streaming engines, audio decoded for
those that work at the end). Times in the result count from the file's start.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from recorder.capture import FileSource
from recorder.stt import Engine, Segment, make_engine
from recorder.turns import STT_RATE

__all__ = ["segments_to_json", "transcribe_file"]

_CHUNK = STT_RATE // 2  # samples per accept() call


def transcribe_file(
    path: str | Path,
    engine_name: str = "vosk",
    model_path: str | Path | None = None,
    language: str | None = None,
    progress: bool = True,
    *,
    engine: Engine | None = None,
) -> list[Segment]:
    """Utterance segments of the speech in ``path``.

    ``engine`` (an already loaded one) overrides ``engine_name``,
    ``model_path`` and ``language``. Raises
    :class:`~recorder.errors.AudioFileError` for an unreadable file and
    :class:`~recorder.errors.ModelNotFound` for a missing model.
    """
    from tqdm import tqdm

    source = FileSource(path, sample_rate=STT_RATE, channels=1, frame_ms=100.0, start_wall=0.0)
    if engine is None:
        engine = make_engine(engine_name, model_path, language)
    stream = engine.open_stream(STT_RATE)
    total = source.file_duration
    with tqdm(
        total=total,
        unit="s",
        desc=f"{engine.name} {Path(path).name}",
        file=sys.stderr,
        disable=not progress,
        bar_format="{l_bar}{bar}| {n:.1f}/{total:.1f} s [{elapsed}<{remaining}]",
    ) as bar:

        def advance(seconds: float) -> None:
            target = seconds if total is None else min(seconds, total)
            if target > bar.n:
                bar.update(target - bar.n)

        stream.progress = advance
        fed = 0
        pending: list[bytes] = []
        with source:
            for frame in source.frames():
                pending.append(frame.pcm)
                if sum(len(p) for p in pending) // 2 >= _CHUNK:
                    fed += _accept(stream, pending)
                    if stream.streaming:
                        advance(fed / STT_RATE)
            fed += _accept(stream, pending)
        segments = stream.finish_utterances()
        advance(fed / STT_RATE)
        return segments


def _accept(stream: Any, pending: list[bytes]) -> int:
    """Feed and clear ``pending``; the number of samples fed."""
    pcm = b"".join(pending)
    pending.clear()
    if pcm:
        stream.accept(pcm)
    return len(pcm) // 2


def segments_to_json(segments: list[Segment]) -> list[dict[str, Any]]:
    """JSON-ready dicts with keys ``text``, ``start``, ``end``, ``words``."""
    return [s.to_dict() for s in segments]
