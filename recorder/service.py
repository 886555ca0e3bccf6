"""The recorder process: the hall's floor events in, attributed transcript and captions out.

::

    hall server --records--> HallClient (event loop) --floor events--> Pipeline (threads)
         ^                        |  TurnBook: who spoke when            | capture, archive,
         |                        |  reconcile: live / recover / done    | resample, STT
         +--- caption, ------- senders <-- loop.call_soon_threadsafe ----+ on_caption, on_segment
              transcript.add_segment

The event loop only follows records, decides and sends; audio and speech
recognition never run on it (the pipeline's threads, and a worker thread
for transcribing from the archive).

A turn is taken on once, in one of three ways (``reconcile``):

* **done** — the record already holds a segment for it: nothing is sent,
  ever (this is what makes a restart or a resync harmless);
* **live** — it started after this process began capturing: the pipeline
  gets its floor times (ms -> s) and sends captions while the member speaks
  and the segment when the turn's window has passed;
* **recover** — it started before (the recorder was restarted mid-turn, or
  was down): its transcript is made from the sitting's archive, which holds
  what the previous process captured, the gap, and what this one captures.
  A turn still open gets live captions meanwhile.

Segment and command ids come from the sitting and turn (see
:mod:`recorder.transcript`), so whatever is sent twice is stored once. A
turn still open when the recorder stops is left for the next run to
recover from the archive rather than stored half-heard.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import enum
import logging
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

from procedure import SittingState
from protocol.commands import AddSegment, FlagTurn
from protocol.errors import ErrorCode, ProtocolError
from protocol.events import Record
from protocol.live import Caption
from protocol.types import Role, SittingStatus
from recorder.archive import Archive
from recorder.capture import AudioSource
from recorder.errors import RecorderError
from recorder.pipeline import Pipeline, PipelineStats
from recorder.sittings import FloorTurn, SittingArchives, TurnBook
from recorder.stt import Engine, Segment
from recorder.transcript import TurnRef, flag_command, model_label, segment_commands
from recorder.turns import DEFAULT_GUARD, STT_RATE, to_mono_16k, turn_windows
from seat_client.client import RETRYABLE, HallClient
from seat_client.identity import DeviceKey

__all__ = ["RecorderService", "RecorderStats", "transcribe_archived"]

log = logging.getLogger("hemicycle.recorder.service")

_CAPTION_CHARS: Final = 2000  # protocol limit on a caption's text
_RELEVANT: Final = frozenset(
    {"floor.granted", "floor.stopped", "transcript.segment_added", "sitting.opened", "sitting.closed"}
)


class How(enum.Enum):
    """How the recorder took a turn on."""

    DONE = "done"  # the record has its transcript
    LIVE = "live"  # from the pipeline
    RECOVER = "recover"  # from the archive (captions from the pipeline while it lasts)
    LOST = "lost"  # no audio for it anywhere


@dataclass
class _Tracked:
    turn: FloorTurn
    how: How
    in_pipeline: bool = False
    ended_in_pipeline: bool = False
    sent: bool = False


@dataclass(frozen=True, slots=True)
class RecorderStats:
    """What the operator (and the tests) watch; ``pipeline.dropped_frames`` must stay 0."""

    pipeline: PipelineStats
    segments_sent: int
    segments_already_stored: int
    segments_refused: int
    segments_skipped: int
    flags_sent: int
    flags_already_stored: int
    flags_refused: int
    captions_sent: int
    captions_dropped: int
    turns_live: int
    turns_recovered: int
    turns_lost: int
    archive_errors: int
    sittings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _yield_to_live() -> None:
    """Lower this worker thread's CPU priority (Linux nices threads one by one).

    Recovering a turn from the archive is catch-up work; on a small machine it
    must not delay the live recogniser's captions.
    """
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


def transcribe_archived(engine: Engine, directory: Path, t0: float, t1: float) -> Segment | None:
    """A turn's transcript from the archive between wall times ``t0`` and ``t1``.

    Each unbroken piece (a restart leaves a gap) is recognised on its own and
    placed at its own wall time; None if the archive holds no audio there.
    Blocking and CPU-heavy: call it from a worker thread.
    """
    try:
        archive = Archive(directory)
    except RecorderError as exc:
        log.warning("can't read archive %s: %s", directory, exc)
        return None
    clips = archive.pieces(t0, t1)
    if not clips:
        return None
    parts = []
    step = STT_RATE // 2 * 2  # half a second of 16-bit samples per accept()
    for clip in clips:
        pcm = to_mono_16k(clip.samples, clip.sample_rate, clip.channels).tobytes()
        stream = engine.open_stream(STT_RATE)
        for i in range(0, len(pcm), step):
            stream.accept(pcm[i : i + step])
        parts.append(stream.finish().shifted(clip.start_wall))
    last = clips[-1]
    return Segment.merge(parts, start=clips[0].start_wall, end=last.start_wall + last.duration)


class RecorderService:
    """Connects as the hall's recorder device and keeps every followed sitting's transcript.

    ``sittings`` restricts which sittings are followed (default: every
    sitting not closed, checked every ``poll_interval`` seconds, plus closed
    ones this recorder has audio for, so a turn left open by a crash is
    still recovered).
    """

    def __init__(
        self,
        url: str,
        key: DeviceKey,
        source: AudioSource,
        engine: Engine,
        *,
        archive_root: str | Path | None = None,
        sittings: Iterable[str] | None = None,
        guard: float = DEFAULT_GUARD,
        poll_interval: float = 2.0,
        stats_interval: float = 60.0,
        archive_options: dict[str, Any] | None = None,
    ) -> None:
        self.key = key
        self.client = HallClient(url, Role.RECORDER, key)
        self.client.hooks.append(self._on_record)
        self.engine = engine
        self.engine_label = engine.name
        self.model_label = model_label(engine.model)
        self.guard = guard
        self.poll_interval = poll_interval
        self.stats_interval = stats_interval
        self.only = set(sittings) if sittings else None
        self.archives = (
            SittingArchives(archive_root, source.sample_rate, source.channels, **(archive_options or {}))
            if archive_root is not None
            else None
        )
        self.pipeline = Pipeline(
            source,
            engine,
            archive=self.archives,
            on_caption=self._stt_caption,
            on_segment=self._stt_segment,
            guard=guard,
        )
        self.book = TurnBook()
        self.followed: set[str] = set()
        self._tracked: dict[str, _Tracked] = {}  # turn key -> how it is handled
        self._loop: asyncio.AbstractEventLoop | None = None
        self._dirty = asyncio.Event()
        self._captions: asyncio.Queue[Caption] = asyncio.Queue(maxsize=256)
        self._segments: asyncio.Queue[tuple[FloorTurn, Segment]] = asyncio.Queue()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._recoveries: set[asyncio.Future[Any]] = set()
        self._worker = concurrent.futures.ThreadPoolExecutor(
            1, thread_name_prefix="recorder-recover", initializer=_yield_to_live
        )
        self._capture_started: float | None = None
        self._counts = dict.fromkeys(
            (
                "segments_sent",
                "segments_already_stored",
                "segments_refused",
                "segments_skipped",
                "flags_sent",
                "flags_already_stored",
                "flags_refused",
                "captions_sent",
                "captions_dropped",
            ),
            0,
        )

    # -- lifecycle ------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> RecorderStats:
        """Capture, follow and transcribe until ``stop`` is set; then flush and disconnect."""
        self._loop = asyncio.get_running_loop()
        self._capture_started = time.time()
        self.pipeline.start()  # a bad device fails here, before any network
        log.info("capturing at %d Hz x %d", self.pipeline.source.sample_rate, self.pipeline.source.channels)
        try:
            for coro in (self._reconcile_loop(), self._caption_loop(), self._segment_loop()):
                self._spawn(coro)
            if not await self._connect(stop):
                return self.stats()
            last_stats = time.monotonic()
            while not stop.is_set():
                await self._discover()
                self._dirty.set()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.poll_interval)
                if time.monotonic() - last_stats >= self.stats_interval:
                    last_stats = time.monotonic()
                    log.info("stats %s", self.stats().to_dict())
        finally:
            await self._shutdown()
        return self.stats()

    async def _connect(self, stop: asyncio.Event) -> bool:
        delay = 0.5
        while not stop.is_set():
            try:
                await self.client.connect()
                log.info("connected to %s as %s", self.client.url, self.key.device_id)
                return True
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("can't connect to %s (%s); retrying in %.1f s", self.client.url, exc, delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
                delay = min(delay * 2, 30.0)
        return False

    async def _shutdown(self) -> None:
        # Stopping the source ends every open turn; their segments come back through the loop.
        await asyncio.to_thread(self.pipeline.stop)
        await asyncio.sleep(0)
        if self._recoveries:
            await asyncio.wait(set(self._recoveries), timeout=60)
        if self.client.connected:
            try:
                await asyncio.wait_for(self._segments.join(), 30)
            except TimeoutError:
                log.error("%d segments not stored at shutdown", self._segments.qsize())
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._worker.shutdown(wait=True)
        if self.archives is not None:
            self.archives.close()
        with contextlib.suppress(Exception):
            await self.client.close()
        log.info("stopped: %s", self.stats().to_dict())

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def stats(self) -> RecorderStats:
        hows = [t.how for t in self._tracked.values()]
        return RecorderStats(
            pipeline=self.pipeline.stats(),
            **self._counts,
            turns_live=hows.count(How.LIVE),
            turns_recovered=hows.count(How.RECOVER),
            turns_lost=hows.count(How.LOST),
            archive_errors=0 if self.archives is None else self.archives.errors,
            sittings=sorted(self.followed),
        )

    @property
    def live_from(self) -> float:
        """Wall time of the first audio this process captured (turns after it are live)."""
        start = self.pipeline.source.start_wall
        if start is not None:
            return start
        return self._capture_started if self._capture_started is not None else time.time()

    # -- following ------------------------------------------------------------

    async def _discover(self) -> None:
        """Follow sittings as they appear (the hall's list is small; polling it is cheap)."""
        try:
            listed = await self.client.sittings()
        except asyncio.CancelledError:
            raise
        except (ProtocolError, *RETRYABLE, KeyError) as exc:
            log.warning("can't list sittings: %s", exc)
            return
        for summary in listed:
            stream = summary["stream"]
            if stream in self.followed or (self.only is not None and stream not in self.only):
                continue
            closed = summary["status"] == SittingStatus.CLOSED.value
            if closed and not (self.archives is not None and self.archives.has_audio(stream)):
                continue
            try:
                await self.client.follow(stream)
            except asyncio.CancelledError:
                raise
            except (ProtocolError, *RETRYABLE) as exc:
                log.warning("can't follow %s: %s", stream, exc)
                continue
            self.followed.add(stream)
            log.info("following %s (%s)", stream, summary["status"])

    def _on_record(self, record: Record) -> None:
        """Client hook, for live records and resyncs alike: note, and reconcile soon.

        It is synchronous on purpose: a resync's records are all taken before
        the reconcile task runs, so it never acts on half a history.
        """
        self.book.observe(record)
        if record.event.type in _RELEVANT:
            self._dirty.set()

    async def _reconcile_loop(self) -> None:
        while True:
            await self._dirty.wait()
            self._dirty.clear()
            try:
                self.reconcile()
            except Exception:
                log.exception("reconcile failed")

    def reconcile(self) -> None:
        """Bring each followed sitting's turns and archive window in line with the record."""
        for stream in sorted(self.followed):
            state = self.client.states.get(stream)
            if not isinstance(state, SittingState) or not state.created:
                continue
            if self.archives is not None:
                opened = None if state.opened_ms is None else state.opened_ms / 1000
                closed = None if state.closed_ms is None else state.closed_ms / 1000
                self.archives.set_window(stream, opened, closed)
            speaking = {t.turn_id for t in state.floor.speaking}
            for t in state.floor.speaking:  # open turns a snapshot resync told us of
                self.book.add_open(FloorTurn(stream, t.turn_id, t.member_id, t.item_id, t.started_ms))
            done = {s.added.turn_id for s in state.transcript.values()}
            for turn in self.book.turns(stream):
                self._reconcile_turn(turn, turn.turn_id in done, turn.turn_id in speaking)

    def _reconcile_turn(self, turn: FloorTurn, done: bool, speaking: bool) -> None:
        tracked = self._tracked.get(turn.key)
        if tracked is None:
            if done:
                self._tracked[turn.key] = _Tracked(turn, How.DONE)
                return
            if turn.end_ms is None and not speaking:
                log.warning("turn %s: its end is unknown (missed in a resync); not transcribed", turn.key)
                self._tracked[turn.key] = _Tracked(turn, How.LOST)
                return
            tracked = self._take_on(turn)
            self._tracked[turn.key] = tracked
        tracked.turn = turn
        if done:
            tracked.sent = True
        if tracked.in_pipeline and not tracked.ended_in_pipeline:
            end = turn.end
            if end is None and not speaking:
                end = time.time()  # the stop was lost in a snapshot: end it now
            if end is not None:
                self.pipeline.end_turn(turn.key, end)
                tracked.ended_in_pipeline = True

    def _take_on(self, turn: FloorTurn) -> _Tracked:
        live = turn.start >= self.live_from
        if live or turn.end_ms is None:
            how = How.LIVE if live else How.RECOVER
            self.pipeline.start_turn(turn.key, turn.member_id, turn.item_id, turn.start)
            log.info("turn %s (member %s): %s", turn.key, turn.member_id, how.value)
            return _Tracked(turn, how, in_pipeline=True)
        # Ended before this process could hear it: only the archive has it.
        if self.archives is None or not self.archives.has_audio(turn.stream):
            log.warning("turn %s ended before the recorder started and no archive has it", turn.key)
            return _Tracked(turn, How.LOST)
        log.info("turn %s (member %s): recovering from the archive", turn.key, turn.member_id)
        self._recover(turn)
        return _Tracked(turn, How.RECOVER)

    def _window(self, turn: FloorTurn) -> tuple[float, float]:
        """The turn's audio window: its floor times plus guards, clipped by its neighbours."""
        turns = [t.as_turn() for t in self.book.turns(turn.stream) if t.end_ms is not None or t.turn_id == turn.turn_id]
        for window in turn_windows(turns, self.guard):
            if window.turn.turn_id == turn.key:
                end = window.end if window.end is not None else time.time()
                return window.start, end
        end = turn.end if turn.end is not None else time.time()
        return turn.start - self.guard, end + self.guard

    def _recover(self, turn: FloorTurn, fallback: Segment | None = None) -> None:
        assert self._loop is not None and self.archives is not None
        t0, t1 = self._window(turn)
        directory = self.archives.directory(turn.stream)
        started = time.monotonic()
        log.info("turn %s: transcribing %.1f s from the archive", turn.key, t1 - t0)
        future = self._loop.run_in_executor(self._worker, transcribe_archived, self.engine, directory, t0, t1)
        self._recoveries.add(future)

        def done(f: asyncio.Future[Segment | None]) -> None:
            self._recoveries.discard(f)
            segment = None
            try:
                segment = f.result()
            except Exception:
                log.exception("recovering turn %s from the archive failed", turn.key)
            log.info("turn %s: archive transcribed in %.1f s", turn.key, time.monotonic() - started)
            segment = segment or fallback
            if segment is None:
                log.warning("turn %s: no audio in the archive between %.2f and %.2f", turn.key, t0, t1)
                tracked = self._tracked.get(turn.key)
                if tracked is not None:
                    tracked.how = How.LOST
                return
            self._segments.put_nowait((turn, segment))

        future.add_done_callback(done)

    # -- from the STT thread --------------------------------------------------

    def _stt_caption(self, key: str, text: str) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._caption_ready, key, text, False)

    def _stt_segment(self, key: str, segment: Segment) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._segment_ready, key, segment)

    # -- back on the loop -----------------------------------------------------

    def _caption_ready(self, key: str, text: str, final: bool) -> None:
        tracked = self._tracked.get(key)
        if tracked is None:
            return
        turn = tracked.turn
        caption = Caption(
            stream=turn.stream,
            turn_id=turn.turn_id,
            member_id=turn.member_id,
            text=text[-_CAPTION_CHARS:],
            final=final,
        )
        if self._captions.full():  # captions are live: the oldest is the least useful
            self._captions.get_nowait()
            self._captions.task_done()
            self._counts["captions_dropped"] += 1
        self._captions.put_nowait(caption)

    def _segment_ready(self, key: str, segment: Segment) -> None:
        tracked = self._tracked.get(key)
        if tracked is None:
            return
        log.info("turn %s: heard to the end (%d words)", key, len(segment.words))
        if not tracked.ended_in_pipeline:
            # The recorder is stopping mid-turn: leave the turn whole for the next run's recovery.
            if self.archives is not None and self.archives.has_audio(tracked.turn.stream):
                log.info("turn %s still open at shutdown: left for recovery from the archive", key)
                return
        if segment.text:
            self._caption_ready(key, segment.text, True)
        if tracked.how is How.RECOVER and self.archives is not None and self.archives.has_audio(tracked.turn.stream):
            self._recover(tracked.turn, fallback=segment)
            return
        self._segments.put_nowait((tracked.turn, segment))

    async def _caption_loop(self) -> None:
        while True:
            caption = await self._captions.get()
            try:
                if not self.client.connected:
                    self._counts["captions_dropped"] += 1
                    continue
                ack = await asyncio.wait_for(self.client.call("caption", caption.model_dump(mode="json")), 2.0)
                if isinstance(ack, dict) and ack.get("ok"):
                    self._counts["captions_sent"] += 1
                else:
                    self._counts["captions_dropped"] += 1
                    log.warning("caption refused: %s", ack)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._counts["captions_dropped"] += 1
                log.debug("caption not delivered: %r", exc)
            finally:
                self._captions.task_done()

    async def _segment_loop(self) -> None:
        while True:
            turn, segment = await self._segments.get()
            try:
                await self._store(turn, segment)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("storing the transcript of %s failed", turn.key)
            finally:
                self._segments.task_done()

    async def _send(self, stream: str, command: AddSegment | FlagTurn, command_id: str, what: str) -> bool:
        """Send one transcript command until the hall answers; True if it stored it now.

        Counted as a segment (``segments_*``) or, for a flag, ``flags_*``.
        """
        kind = "flags" if isinstance(command, FlagTurn) else "segments"
        delay = 0.5
        while True:
            try:
                ack = await self.client.command(stream, command, command_id=command_id)
            except ProtocolError as err:
                reused = err.code is ErrorCode.CONFLICT and "command_id" in err.details
                if err.code is ErrorCode.ALREADY_EXISTS or reused:
                    # Stored before a restart (perhaps recognised differently then): the first stays.
                    self._counts[f"{kind}_already_stored"] += 1
                else:
                    self._counts[f"{kind}_refused"] += 1
                    log.error("%s refused: %s", what, err)
                return False
            except RETRYABLE as exc:
                log.warning("%s not acknowledged (%r); sending again", what, exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            if ack.get("replayed"):
                self._counts[f"{kind}_already_stored"] += 1
                return False
            self._counts[f"{kind}_sent"] += 1
            return True

    async def _store(self, turn: FloorTurn, segment: Segment) -> None:
        """Send a turn's transcript; retried while the hall is unreachable, never duplicated."""
        tracked = self._tracked.get(turn.key)
        if tracked is not None and tracked.sent:
            self._counts["segments_skipped"] += 1
            return
        state = self.client.states.get(turn.stream)
        if isinstance(state, SittingState) and any(
            s.added.turn_id == turn.turn_id for s in state.transcript.values()
        ):
            self._counts["segments_skipped"] += 1
            return
        ref = TurnRef(turn.stream, turn.turn_id, turn.member_id, turn.item_id)
        for part in segment_commands(ref, segment, self.engine_label, self.model_label):
            if await self._send(turn.stream, part.command, part.command_id, part.command.segment_id):
                log.info(
                    "stored %s %s: %r (%d words)",
                    turn.stream,
                    part.command.segment_id,
                    part.command.text[:80],
                    len(part.command.words),
                )
        flag = flag_command(ref, segment)
        if flag is not None and await self._send(turn.stream, flag[1], flag[0], f"{turn.turn_id} flag"):
            log.info("flagged %s %s for typing (%s, language %s)", turn.stream, turn.turn_id, flag[1].reason,
                     segment.language)
        if tracked is not None:
            tracked.sent = True
