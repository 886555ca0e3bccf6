"""The sitting's audio archive: lossless, incremental, cut back out by wall time.

Format: a directory of FLAC segment files plus ``index.jsonl``. FLAC rather
than WAV because a sitting is hours long and kept for years (speech
compresses to about half), and because FLAC is made of self-contained
frames, each with a sync code and a CRC: a file cut off by a crash decodes
up to its last whole frame. Each encoded packet is written through to the
OS as it is produced (FFmpeg's ``flush_packets``), and the index is flushed
and fsync'd at least every ``flush_interval``, so ``kill -9`` loses at most
the encoder's one frame in progress (<0.1 s at 48 kHz) and power loss at most
about a second. Segments (5 minutes by default) bound what a damaged file
can cost and what a cut has to decode.

``index.jsonl`` lines::

    {"kind": "archive", "version": 1, "sample_rate": 48000, "channels": 1, "codec": "flac"}
    {"kind": "segment", "file": "seg-000001.flac", "sample": 0}
    {"kind": "mark", "sample": 48000, "wall": 1718000001.0}

``sample`` counts samples per channel from the start of the archive. A
``mark`` pins a sample to wall-clock time; marks are written at every
discontinuity (a capture loss, a recorder restart) and every second, and
the time of any sample is its previous mark's plus elapsed samples.
Reopening an archive for writing resumes it: the torn tail is measured
by decoding, stale marks beyond it are dropped, and a new segment starts.
"""

from __future__ import annotations

import bisect
import itertools
import json
import logging
import os
import wave
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Final

import numpy as np
import numpy.typing as npt

from recorder.capture import AudioFrame
from recorder.errors import ArchiveError

__all__ = ["Archive", "ArchiveWriter", "AudioClip", "cut_turn", "write_clip"]

log = logging.getLogger("hemicycle.recorder.archive")

INDEX: Final = "index.jsonl"
VERSION: Final = 1
_GAP_TOLERANCE: Final = 0.005  # seconds of timestamp jitter that is not a gap


@dataclass(frozen=True, slots=True)
class AudioClip:
    """Samples cut from the archive: ``(n, channels)`` int16 from ``start_wall``."""

    samples: npt.NDArray[np.int16]
    sample_rate: int
    start_wall: float

    @property
    def channels(self) -> int:
        return int(self.samples.shape[1])

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


@dataclass(frozen=True, slots=True)
class _Segment:
    file: str
    sample: int


@dataclass(frozen=True, slots=True)
class _Mark:
    sample: int
    wall: float


def _layout(channels: int) -> str:
    return {1: "mono", 2: "stereo"}.get(channels, f"{channels}c")


def _read_index(directory: Path) -> tuple[dict[str, Any], list[_Segment], list[_Mark]]:
    path = directory / INDEX
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ArchiveError(directory, f"no {INDEX}") from None
    header: dict[str, Any] | None = None
    segments: list[_Segment] = []
    marks: list[_Mark] = []
    for number, line in enumerate(lines, 1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            if number == len(lines):  # torn by a crash mid-write: ignore
                break
            raise ArchiveError(directory, f"{INDEX} line {number} is not JSON") from None
        kind = record.get("kind")
        if kind == "archive":
            header = record
        elif kind == "segment":
            segments.append(_Segment(str(record["file"]), int(record["sample"])))
        elif kind == "mark":
            marks.append(_Mark(int(record["sample"]), float(record["wall"])))
    if header is None:
        raise ArchiveError(directory, f"{INDEX} has no archive header")
    if header.get("version") != VERSION:
        raise ArchiveError(directory, f"unsupported archive version {header.get('version')}")
    return header, segments, marks


def _decode(path: Path, channels: int) -> npt.NDArray[np.int16]:
    """All whole frames of a (possibly truncated) FLAC file as ``(n, channels)`` int16."""
    import av

    parts: list[npt.NDArray[np.int16]] = []
    try:
        with av.open(str(path)) as container:
            try:
                for frame in container.decode(audio=0):
                    arr = frame.to_ndarray()
                    if frame.format.is_planar:
                        arr = arr.T
                    parts.append(np.ascontiguousarray(arr, dtype=np.int16).reshape(-1, channels))
            except av.FFmpegError as exc:  # a torn last frame: keep what decoded
                log.warning("%s: decoding stopped early: %s", path, exc)
    except av.FFmpegError as exc:
        log.warning("%s: unreadable: %s", path, exc)
    if not parts:
        return np.zeros((0, channels), dtype=np.int16)
    return np.concatenate(parts)


class ArchiveWriter:
    """Appends frames to a sitting's archive directory (created or resumed).

    Single-threaded: call :meth:`write` from one thread (the pipeline's).
    """

    def __init__(
        self,
        directory: str | Path,
        sample_rate: int,
        channels: int,
        *,
        segment_seconds: float = 300.0,
        flush_interval: float = 1.0,
        fsync: bool = True,
    ) -> None:
        if segment_seconds <= 0 or flush_interval <= 0:
            raise ValueError("segment_seconds and flush_interval must be positive")
        self.directory = Path(directory)
        self.sample_rate = sample_rate
        self.channels = channels
        self.segment_samples = max(1, round(segment_seconds * sample_rate))
        self.flush_samples = max(1, round(flush_interval * sample_rate))
        self.fsync = fsync
        self.directory.mkdir(parents=True, exist_ok=True)
        self._segments: list[_Segment] = []
        self._position = 0  # samples in the archive
        self._expected_wall: float | None = None
        self._since_mark = 0
        self._container: Any = None
        self._stream: Any = None
        self._file: IO[bytes] | None = None
        self._segment_start = 0
        self._closed = False
        if (self.directory / INDEX).exists():
            self._resume()
        else:
            self._index = (self.directory / INDEX).open("a", encoding="utf-8")
            self._append(
                {
                    "kind": "archive",
                    "version": VERSION,
                    "sample_rate": sample_rate,
                    "channels": channels,
                    "codec": "flac",
                }
            )
            self._sync_index()

    @property
    def samples_written(self) -> int:
        return self._position

    @property
    def duration(self) -> float:
        return self._position / self.sample_rate

    def _resume(self) -> None:
        header, segments, marks = _read_index(self.directory)
        if (header["sample_rate"], header["channels"]) != (self.sample_rate, self.channels):
            raise ArchiveError(
                self.directory,
                f"can't resume: archive is {header['sample_rate']} Hz x {header['channels']}, "
                f"writer is {self.sample_rate} Hz x {self.channels}",
            )
        end = 0
        if segments:
            last = segments[-1]
            end = last.sample + len(_decode(self.directory / last.file, self.channels))
        kept = [m for m in marks if m.sample < end]
        # Rewrite the index without marks past the torn tail, atomically.
        tmp = self.directory / (INDEX + ".tmp")
        with tmp.open("w", encoding="utf-8") as f:
            f.write(json.dumps(header) + "\n")
            for s in segments:
                f.write(json.dumps({"kind": "segment", "file": s.file, "sample": s.sample}) + "\n")
            for m in kept:
                f.write(json.dumps({"kind": "mark", "sample": m.sample, "wall": m.wall}) + "\n")
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(self.directory / INDEX)
        self._segments = segments
        self._position = end
        self._index = (self.directory / INDEX).open("a", encoding="utf-8")
        log.info("resumed archive %s at %.2f s", self.directory, end / self.sample_rate)

    def _append(self, record: dict[str, Any]) -> None:
        # Handed to the OS at once (kill -9 safe); fsync'd with the audio every second.
        self._index.write(json.dumps(record) + "\n")
        self._index.flush()

    def _sync_index(self) -> None:
        self._index.flush()
        if self.fsync:
            os.fsync(self._index.fileno())

    def _open_segment(self) -> None:
        import av

        name = f"seg-{len(self._segments) + 1:06d}.flac"
        self._file = (self.directory / name).open("wb", buffering=0)
        self._container = av.open(
            self._file, "w", format="flac", container_options={"flush_packets": "1"}
        )
        self._stream = self._container.add_stream(
            "flac", rate=self.sample_rate, layout=_layout(self.channels)
        )
        self._stream.format = "s16"
        self._segment_start = self._position
        segment = _Segment(name, self._position)
        self._segments.append(segment)
        self._append({"kind": "segment", "file": name, "sample": self._position})
        self._sync_index()

    def _close_segment(self) -> None:
        if self._container is None:
            return
        for packet in self._stream.encode(None):
            self._container.mux(packet)
        self._container.close()
        assert self._file is not None
        if self.fsync:
            os.fsync(self._file.fileno())
        self._file.close()
        self._container = self._stream = self._file = None

    def write(self, frame: AudioFrame) -> None:
        """Append one frame; its wall time is recorded if it does not follow on."""
        import av

        if self._closed:
            raise ArchiveError(self.directory, "can't write: archive closed")
        if (frame.sample_rate, frame.channels) != (self.sample_rate, self.channels):
            raise ArchiveError(
                self.directory,
                f"can't write a {frame.sample_rate} Hz x {frame.channels} frame "
                f"to a {self.sample_rate} Hz x {self.channels} archive",
            )
        data = frame.to_array()
        offset = 0
        while offset < len(data):
            if self._container is None:
                self._open_segment()
            room = self.segment_samples - (self._position - self._segment_start)
            part = data[offset : offset + room]
            wall = frame.wall_time + offset / self.sample_rate
            if (
                self._expected_wall is None
                or abs(wall - self._expected_wall) > _GAP_TOLERANCE
                or self._since_mark >= self.flush_samples
            ):
                self._append({"kind": "mark", "sample": self._position, "wall": wall})
                if self._since_mark >= self.flush_samples:
                    self._sync()
                self._since_mark = 0
            av_frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(part).reshape(1, -1), format="s16", layout=_layout(self.channels)
            )
            av_frame.sample_rate = self.sample_rate
            av_frame.pts = self._position - self._segment_start
            for packet in self._stream.encode(av_frame):
                self._container.mux(packet)
            self._position += len(part)
            self._since_mark += len(part)
            self._expected_wall = wall + len(part) / self.sample_rate
            offset += len(part)
            if self._position - self._segment_start >= self.segment_samples:
                self._close_segment()

    def _sync(self) -> None:
        self._sync_index()
        if self.fsync and self._file is not None:
            os.fsync(self._file.fileno())

    def flush(self) -> None:
        """Force the index (and, with ``fsync``, the segment) to disk now."""
        self._sync()

    def close(self) -> None:
        """Finish the open segment (its FLAC header then carries the length) and the index."""
        if self._closed:
            return
        self._closed = True
        self._close_segment()
        self._sync_index()
        self._index.close()

    def __enter__(self) -> ArchiveWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class Archive:
    """Read access to an archive directory, even one a crash left torn."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        header, self._segments, marks = _read_index(self.directory)
        self.sample_rate = int(header["sample_rate"])
        self.channels = int(header["channels"])
        self._cache: tuple[str, npt.NDArray[np.int16]] | None = None
        self.samples = self._count_samples()
        self._marks = sorted((m for m in marks if m.sample < self.samples), key=lambda m: m.sample)
        self._mark_walls = [m.wall for m in self._marks]
        self._mark_samples = [m.sample for m in self._marks]

    def _segment_audio(self, segment: _Segment) -> npt.NDArray[np.int16]:
        # Cuts of consecutive turns mostly fall in the same segment: keep the last one.
        if self._cache is None or self._cache[0] != segment.file:
            self._cache = (segment.file, _decode(self.directory / segment.file, self.channels))
        return self._cache[1]

    def _count_samples(self) -> int:
        if not self._segments:
            return 0
        last = self._segments[-1]
        return last.sample + len(self._segment_audio(last))

    @property
    def duration(self) -> float:
        return self.samples / self.sample_rate

    @property
    def start_wall(self) -> float | None:
        return self._marks[0].wall if self._marks else None

    @property
    def end_wall(self) -> float | None:
        return None if not self._marks else self.wall_of(self.samples)

    @property
    def files(self) -> list[Path]:
        return [self.directory / s.file for s in self._segments]

    def wall_of(self, sample: int) -> float:
        """Wall time of ``sample`` (from the last mark at or before it)."""
        if not self._marks:
            raise ArchiveError(self.directory, "no time marks")
        i = max(0, bisect.bisect_right(self._mark_samples, sample) - 1)
        mark = self._marks[i]
        return mark.wall + (sample - mark.sample) / self.sample_rate

    def sample_at(self, wall: float) -> int:
        """The sample recorded at ``wall``, clamped into the archive (gaps map to their end)."""
        if not self._marks:
            raise ArchiveError(self.directory, "no time marks")
        i = bisect.bisect_right(self._mark_walls, wall) - 1
        if i < 0:
            return self._marks[0].sample
        mark = self._marks[i]
        sample = mark.sample + round((wall - mark.wall) * self.sample_rate)
        limit = self._marks[i + 1].sample if i + 1 < len(self._marks) else self.samples
        return max(0, min(sample, limit, self.samples))

    def read_samples(self, first: int, stop: int) -> npt.NDArray[np.int16]:
        """Samples ``[first, stop)`` as ``(n, channels)`` int16."""
        first, stop = max(0, first), min(stop, self.samples)
        parts = []
        for i, segment in enumerate(self._segments):
            seg_end = (
                self._segments[i + 1].sample if i + 1 < len(self._segments) else self.samples
            )
            if seg_end <= first or segment.sample >= stop:
                continue
            audio = self._segment_audio(segment)
            parts.append(audio[max(0, first - segment.sample) : stop - segment.sample])
        if not parts:
            return np.zeros((0, self.channels), dtype=np.int16)
        return np.concatenate(parts)

    def read(self, t0: float, t1: float) -> AudioClip:
        """The audio recorded between wall times ``t0`` and ``t1`` (a turn's cut)."""
        if t1 < t0:
            raise ValueError("t1 must not be before t0")
        first, stop = self.sample_at(t0), self.sample_at(t1)
        return AudioClip(self.read_samples(first, stop), self.sample_rate, self.wall_of(first))

    def runs(self) -> list[tuple[int, int]]:
        """``[first, stop)`` sample ranges recorded without a break (a loss, a restart)."""
        bounds = [0]
        for prev, mark in itertools.pairwise(self._marks):
            expected = prev.wall + (mark.sample - prev.sample) / self.sample_rate
            if abs(mark.wall - expected) > _GAP_TOLERANCE and mark.sample not in bounds:
                bounds.append(mark.sample)
        bounds.append(self.samples)
        return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]

    def pieces(self, t0: float, t1: float) -> list[AudioClip]:
        """The audio between ``t0`` and ``t1`` as unbroken clips, each with its own start time.

        Unlike :meth:`read`, a break in the recording (e.g. a recorder restart
        mid-turn) splits the result, so times stay true on both sides of it.
        """
        if t1 < t0:
            raise ValueError("t1 must not be before t0")
        if not self._marks:
            return []
        clips = []
        for first, stop in self.runs():
            start_wall = self.wall_of(first)
            lo = max(first, first + round((t0 - start_wall) * self.sample_rate))
            hi = min(stop, first + round((t1 - start_wall) * self.sample_rate))
            if hi > lo:
                clips.append(AudioClip(self.read_samples(lo, hi), self.sample_rate, self.wall_of(lo)))
        return clips

    def cut(self, t0: float, t1: float, path: str | Path) -> AudioClip:
        """Write the audio between ``t0`` and ``t1`` to ``path`` (.flac or .wav)."""
        clip = self.read(t0, t1)
        write_clip(clip, path)
        return clip


def cut_turn(directory: Path, t0: float, t1: float, out: Path) -> bool:
    """A turn's audio for the clerks' review (``hall_server.media.CutAudio``): the sitting
    archive in ``directory`` between t0 and t1 seconds written as WAV to ``out``; False
    when the sitting has no archive."""
    if not (directory / INDEX).is_file():
        return False
    Archive(directory).cut(t0, t1, out)
    return True


def write_clip(clip: AudioClip, path: str | Path) -> None:
    """Save a clip as WAV (stdlib) or FLAC (PyAV), chosen by the file suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".wav":
        with wave.open(str(path), "wb") as w:
            w.setnchannels(clip.channels)
            w.setsampwidth(2)
            w.setframerate(clip.sample_rate)
            w.writeframes(np.ascontiguousarray(clip.samples, dtype="<i2").tobytes())
        return
    if suffix != ".flac":
        raise ValueError(f"can't write {suffix!r}: use .wav or .flac")
    import av

    with av.open(str(path), "w", format="flac") as container:
        stream = container.add_stream("flac", rate=clip.sample_rate, layout=_layout(clip.channels))
        stream.format = "s16"
        if len(clip.samples):
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(clip.samples).reshape(1, -1),
                format="s16",
                layout=_layout(clip.channels),
            )
            frame.sample_rate = clip.sample_rate
            frame.pts = 0
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
