"""What the recorder keeps per sitting: the floor's turns, and the sitting's audio archive.

:class:`TurnBook` folds floor records into turns (who spoke, from when to
when, in epoch milliseconds as the hall stamped them). It is pure
bookkeeping: re-delivered records change nothing.

:class:`SittingArchives` cuts the one hall feed into one archive per
sitting: a frame belongs to a sitting from the moment it was opened to the
moment it was closed (the records' times, not the time the recorder heard of
them: a few seconds of pre-roll cover the delay). It runs on the pipeline's
dispatch thread; the event loop only moves the windows. Layout::

    ARCHIVE/<sitting id>/index.jsonl, seg-000001.flac, ...

A restarted recorder resumes a sitting's directory (a discontinuity mark
shows the gap); a directory made with another rate or channel count is
left alone and the sitting continues in ``<sitting id>@<rate>x<channels>``.
"""

from __future__ import annotations

import collections
import logging
import math
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from protocol.events import FloorGranted, Record, SpeechStopped
from recorder.archive import ArchiveWriter
from recorder.capture import AudioFrame
from recorder.errors import ArchiveError
from recorder.turns import Turn

__all__ = ["FloorTurn", "SittingArchives", "TurnBook"]

log = logging.getLogger("hemicycle.recorder.sittings")


@dataclass(frozen=True, slots=True)
class FloorTurn:
    """A turn on the floor of one sitting; ``end_ms`` None while the microphone is open."""

    stream: str
    turn_id: str
    member_id: str
    item_id: str | None
    start_ms: int
    end_ms: int | None = None

    @property
    def key(self) -> str:
        """Unique across sittings (turn ids are per sitting): ``<sitting>/<turn>``."""
        return f"{self.stream}/{self.turn_id}"

    @property
    def start(self) -> float:
        return self.start_ms / 1000

    @property
    def end(self) -> float | None:
        return None if self.end_ms is None else self.end_ms / 1000

    def as_turn(self) -> Turn:
        """The pipeline's (seconds-based) view of this turn."""
        end = None if self.end_ms is None else max(self.end_ms, self.start_ms) / 1000
        return Turn(self.key, self.member_id, self.item_id, self.start, end)


class TurnBook:
    """Turns of each followed sitting, from ``floor.granted`` / ``floor.stopped`` records."""

    def __init__(self) -> None:
        self._turns: dict[str, dict[str, FloorTurn]] = {}  # stream -> turn id -> turn

    def observe(self, record: Record) -> bool:
        """Take a record; True if it started or ended a turn not seen before."""
        event = record.event
        turns = self._turns.setdefault(record.stream, {})
        if isinstance(event, FloorGranted):
            if event.turn_id in turns:
                return False
            turns[event.turn_id] = FloorTurn(
                record.stream, event.turn_id, event.member_id, event.item_id, record.at_ms
            )
            return True
        if isinstance(event, SpeechStopped):
            turn = turns.get(event.turn_id)
            if turn is None or turn.end_ms is not None:
                return False
            turns[event.turn_id] = replace(turn, end_ms=record.at_ms)
            return True
        return False

    def add_open(self, turn: FloorTurn) -> bool:
        """A turn known only from state (a snapshot resync skipped its record); True if new."""
        turns = self._turns.setdefault(turn.stream, {})
        if turn.turn_id in turns:
            return False
        turns[turn.turn_id] = turn
        return True

    def turns(self, stream: str) -> list[FloorTurn]:
        return sorted(self._turns.get(stream, {}).values(), key=lambda t: (t.start_ms, t.turn_id))

    def get(self, stream: str, turn_id: str) -> FloorTurn | None:
        return self._turns.get(stream, {}).get(turn_id)


@dataclass(frozen=True, slots=True)
class _Window:
    opened: float | None  # wall time the sitting opened; None while scheduled
    closed: float | None  # wall time it closed; None while it runs


class SittingArchives:
    """One :class:`ArchiveWriter` per sitting, fed from the one capture (a ``FrameSink``).

    :meth:`set_window` may be called from any thread; :meth:`write` and
    :meth:`close` only from the thread that feeds frames (or after it ended).
    A sitting whose archive fails (disk full, say) stops being archived with
    an error in the log; transcription goes on.
    """

    def __init__(
        self,
        root: str | Path,
        sample_rate: int,
        channels: int,
        *,
        preroll: float = 5.0,
        **writer_options: Any,
    ) -> None:
        self.root = Path(root)
        self.sample_rate = sample_rate
        self.channels = channels
        self.preroll = preroll
        self.writer_options = writer_options
        self.errors = 0
        self._lock = threading.Lock()
        self._windows: dict[str, _Window] = {}
        self._dirs: dict[str, Path] = {}
        self._writers: dict[str, ArchiveWriter] = {}
        self._done: set[str] = set()  # closed or failed: never written again by this process
        self._recent: collections.deque[AudioFrame] = collections.deque()
        self.root.mkdir(parents=True, exist_ok=True)

    # -- any thread -----------------------------------------------------------

    def set_window(self, stream: str, opened: float | None, closed: float | None) -> None:
        """The sitting runs from ``opened`` to ``closed`` (wall seconds; None: not yet)."""
        with self._lock:
            self._windows[stream] = _Window(opened, closed)

    def directory(self, stream: str) -> Path:
        """Where the sitting's audio is (or would be) kept."""
        with self._lock:
            return self._dirs.get(stream, self.root / stream)

    def has_audio(self, stream: str) -> bool:
        return (self.directory(stream) / "index.jsonl").is_file()

    # -- the feeding thread ---------------------------------------------------

    def write(self, frame: AudioFrame) -> None:
        self._recent.append(frame)
        while self._recent and self._recent[0].end_time < frame.end_time - self.preroll:
            self._recent.popleft()
        with self._lock:
            windows = dict(self._windows)
        for stream, window in windows.items():
            if window.opened is None or stream in self._done:
                continue
            closed = math.inf if window.closed is None else window.closed
            if frame.wall_time >= closed:
                self._finish(stream, "closed")
                continue
            if frame.end_time <= window.opened:
                continue
            writer = self._writers.get(stream)
            if writer is None:
                writer = self._open(stream)
                if writer is None:
                    continue
                # Frames heard before the recorder learnt the sitting had opened.
                backlog = [f for f in self._recent if f.end_time > window.opened and f.wall_time < closed]
            else:
                backlog = [frame]
            try:
                for f in backlog:
                    writer.write(f)
            except Exception:
                self.errors += 1
                log.exception("archive of %s failed: no more audio is archived for it", stream)
                self._finish(stream, "failed")

    def _open(self, stream: str) -> ArchiveWriter | None:
        directory = self.root / stream
        try:
            writer = ArchiveWriter(directory, self.sample_rate, self.channels, **self.writer_options)
        except ArchiveError as exc:
            fallback = self.root / f"{stream}@{self.sample_rate}x{self.channels}"
            log.error("%s; archiving %s in %s instead", exc, stream, fallback)
            try:
                writer = ArchiveWriter(fallback, self.sample_rate, self.channels, **self.writer_options)
            except ArchiveError:
                self.errors += 1
                log.exception("can't archive %s", stream)
                self._done.add(stream)
                return None
            directory = fallback
        with self._lock:
            self._dirs[stream] = directory
        self._writers[stream] = writer
        log.info("archiving %s in %s (%.1f s already there)", stream, directory, writer.duration)
        return writer

    def _finish(self, stream: str, why: str) -> None:
        self._done.add(stream)
        writer = self._writers.pop(stream, None)
        if writer is None:
            return
        try:
            writer.close()
        except Exception:
            self.errors += 1
            log.exception("closing the archive of %s failed", stream)
        log.info("archive of %s %s at %.1f s", stream, why, writer.duration)

    def close(self) -> None:
        """Finish every open archive (call once the pipeline has stopped)."""
        for stream in list(self._writers):
            writer = self._writers.pop(stream)
            try:
                writer.close()
            except Exception:
                self.errors += 1
                log.exception("closing the archive of %s failed", stream)
