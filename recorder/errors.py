"""Errors of the recorder's media half, one tree so callers can catch by concern.

::

    RecorderError
     ├── CaptureError            a source cannot deliver audio
     │    ├── DeviceNotFound     no input device matches the name or index
     │    └── AudioFileError     a file cannot be opened or decoded
     ├── ArchiveError            archive directory unusable, or mismatched on resume
     ├── TurnError               floor events that contradict each other
     └── SttError                speech-to-text configuration or use
          ├── ModelNotFound      no usable model at the configured path
          ├── UnknownEngine      engine name not one of ENGINES
          └── StreamFinished     audio fed to a recogniser after finish()

Each carries the data a caller needs to report it (the path, the device,
the turn) as attributes, not only in the message.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "ArchiveError",
    "AudioFileError",
    "CaptureError",
    "DeviceNotFound",
    "ModelNotFound",
    "RecorderError",
    "StreamFinished",
    "SttError",
    "TurnError",
    "UnknownEngine",
]


class RecorderError(Exception):
    """Base of every error raised on purpose by the recorder."""


class CaptureError(RecorderError):
    """An audio source failed to open or to keep delivering frames."""


class DeviceNotFound(CaptureError):
    """No PortAudio input device matches ``device`` (a name part or an index)."""

    def __init__(self, device: str | int, available: list[str]) -> None:
        self.device = device
        self.available = available
        names = ", ".join(repr(n) for n in available) or "none"
        super().__init__(f"no input device matches {device!r}; input devices: {names}")


class AudioFileError(CaptureError):
    """An audio file is missing or cannot be decoded."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"can't read audio file {path}: {reason}")


class ArchiveError(RecorderError):
    """The sitting's audio archive cannot be written, resumed or read."""

    def __init__(self, directory: Path, reason: str) -> None:
        self.directory = directory
        self.reason = reason
        super().__init__(f"archive {directory}: {reason}")


class TurnError(RecorderError):
    """A floor event that cannot apply, e.g. an end before its start."""

    def __init__(self, turn_id: str, reason: str) -> None:
        self.turn_id = turn_id
        self.reason = reason
        super().__init__(f"turn {turn_id!r}: {reason}")


class SttError(RecorderError):
    """Speech-to-text is misconfigured or misused."""


class ModelNotFound(SttError):
    """No usable model for ``engine`` at ``path``; models are never downloaded."""

    def __init__(self, engine: str, path: Path | None, reason: str) -> None:
        self.engine = engine
        self.path = path
        self.reason = reason
        where = str(path) if path is not None else "(no path)"
        super().__init__(f"no {engine} model at {where}: {reason}")


class UnknownEngine(SttError):
    """The configured engine name is not one the recorder knows."""

    def __init__(self, name: str, known: tuple[str, ...]) -> None:
        self.name = name
        self.known = known
        super().__init__(f"unknown STT engine {name!r}; known: {', '.join(known)}")


class StreamFinished(SttError):
    """A recogniser stream was used after ``finish()``."""

    def __init__(self, engine: str) -> None:
        self.engine = engine
        super().__init__(f"can't use a {engine} stream after finish()")
