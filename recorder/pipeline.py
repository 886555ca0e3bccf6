"""The live recorder: capture -> archive -> the speaking member's recogniser.

Three threads, joined by bounded queues, none of them an event loop:

* the source's capture thread (see :mod:`recorder.capture`);
* the dispatch thread: writes every frame to the archive, converts it to
  16 kHz mono and hands the samples inside each turn's window to STT;
* the STT thread: feeds recognisers and calls ``on_caption`` and
  ``on_segment`` (so callbacks run there; an asyncio caller should bridge
  with ``loop.call_soon_threadsafe``).

If STT falls behind, its queue (``stt_buffer`` seconds deep) fills, then
dispatch waits, then capture waits: back-pressure all the way, and the only
place audio can be lost is the device, where losses are counted.

:meth:`Pipeline.start_turn` / :meth:`Pipeline.end_turn` only record the floor
event and return (safe from any thread, including an event loop); dispatch
applies them before its next frame. Windows come from
:func:`recorder.turns.turn_windows`; a turn whose start arrives after its
audio is back-filled from a few seconds of pre-roll. Re-delivered floor
events change nothing. Segment and word times are wall-clock seconds.
"""

from __future__ import annotations

import collections
import dataclasses
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Protocol

import numpy as np
import numpy.typing as npt

from recorder.capture import AudioFrame, AudioSource
from recorder.errors import RecorderError, TurnError
from recorder.stt import Engine, RecognizerStream, Segment
from recorder.turns import (
    DEFAULT_GUARD,
    STT_RATE,
    StreamResampler,
    Turn,
    TurnEnded,
    TurnStarted,
    TurnWindow,
    turn_windows,
)

__all__ = ["CaptionCallback", "FrameSink", "Pipeline", "PipelineStats", "SegmentCallback"]

log = logging.getLogger("hemicycle.recorder.pipeline")

CaptionCallback = Callable[[str, str], None]  # (turn_id, caption text)
SegmentCallback = Callable[[str, Segment], None]  # (turn_id, the turn's segment)



class FrameSink(Protocol):
    """Where every captured frame is kept: an :class:`~recorder.archive.ArchiveWriter`, or a router of them."""

    def write(self, frame: AudioFrame) -> None: ...


_GAP: Final = 0.005  # seconds between frames that still count as contiguous
_MAX_PAD: Final = 30.0  # longest silence inserted into a turn for a capture gap


@dataclass(frozen=True, slots=True)
class PipelineStats:
    """What an operator watches: drops must be 0, the backlog near 0."""

    frames: int
    dropped_frames: int
    backpressure_waits: int
    stt_backlog: int
    turns_open: int
    segments: int
    stt_errors: int
    callback_errors: int


@dataclass(frozen=True, slots=True)
class _Chunk:
    """16 kHz mono samples and the wall time of the first."""

    wall: float
    samples: npt.NDArray[np.int16]

    @property
    def end(self) -> float:
        return self.wall + len(self.samples) / STT_RATE


@dataclass(frozen=True, slots=True)
class _Feed:
    turn_id: str
    wall: float
    samples: npt.NDArray[np.int16]


@dataclass(frozen=True, slots=True)
class _Finish:
    turn_id: str
    window: TurnWindow


_STOP: Final = object()


class _TurnState:
    """Dispatch-side bookkeeping for one turn (touched by the dispatch thread only)."""

    def __init__(self, turn: Turn) -> None:
        self.turn = turn
        self.fed_until: float | None = None  # wall time just after the last fed sample
        self.finished = False


def _clip(segment: Segment, window: TurnWindow) -> Segment:
    """Drop words said after the turn's window.

    A floor event that arrives late (the hall was unreachable) leaves audio
    past the turn's end in its recogniser: the next speaker's first words
    must not be attributed to this one.
    """
    if window.end is None or not segment.words or segment.words[-1].start < window.end:
        return segment
    kept = tuple(w for w in segment.words if w.start < window.end)
    text = " ".join(w.text for w in kept)
    if not kept:
        return dataclasses.replace(segment, text="", end=min(segment.end, window.end), words=())
    end = min(max(segment.end, kept[-1].end), window.end)
    return dataclasses.replace(segment, text=text, end=end, words=kept)


class Pipeline:
    """Route a source's audio to the archive and to per-turn recognisers."""

    def __init__(
        self,
        source: AudioSource,
        engine: Engine,
        *,
        archive: FrameSink | None = None,
        on_caption: CaptionCallback | None = None,
        on_segment: SegmentCallback | None = None,
        guard: float = DEFAULT_GUARD,
        preroll: float = 5.0,
        stt_buffer: float = 600.0,
    ) -> None:
        self.source = source
        self.engine = engine
        self.archive = archive
        self.on_caption = on_caption
        self.on_segment = on_segment
        self.guard = guard
        self._preroll_seconds = preroll
        # Feeds are one capture frame each (>= 5 ms); the bound is in seconds of audio.
        self._stt: queue.Queue[object] = queue.Queue(maxsize=max(16, int(stt_buffer / 0.02)))
        self._events: collections.deque[TurnStarted | TurnEnded] = collections.deque()
        self._events_lock = threading.Lock()
        self._turns: dict[str, _TurnState] = {}
        self._windows: list[TurnWindow] = []
        self._preroll: collections.deque[_Chunk] = collections.deque()
        self._preroll_trimmed = False
        self._resampler: StreamResampler | None = None
        self._resampled_wall = 0.0  # wall time of the resampler's first output sample
        self._expected: float | None = None  # wall time the next frame should start at
        self._clock: float | None = None  # end of the audio dispatched so far
        self._frames = 0
        self._segments = 0
        self._callback_errors = 0
        self._stt_errors = 0
        self._open_turns = 0
        self._threads: list[threading.Thread] = []
        self._error: BaseException | None = None
        self._started = False

    # -- control (any thread) ---------------------------------------------

    def start(self) -> None:
        """Start the source, then the dispatch and STT threads."""
        if self._started:
            raise RecorderError("can't start the pipeline: already started")
        self.source.start()
        self._started = True
        for name, target in (("stt", self._stt_loop), ("dispatch", self._dispatch_loop)):
            thread = threading.Thread(target=target, name=f"recorder-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def start_turn(self, turn_id: str, member_id: str, item_id: str | None, at: float) -> None:
        """A member got the floor at wall time ``at``; returns at once."""
        with self._events_lock:
            self._events.append(TurnStarted(turn_id, member_id, item_id, at))

    def end_turn(self, turn_id: str, at: float) -> None:
        """The member's microphone closed at wall time ``at``; returns at once."""
        with self._events_lock:
            self._events.append(TurnEnded(turn_id, at))

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the source to end and every segment to be delivered; True if done."""
        for thread in self._threads:
            thread.join(timeout)
            if thread.is_alive():
                return False
        if self._error is not None:
            raise RecorderError(f"pipeline failed: {self._error}") from self._error
        return True

    def stop(self, timeout: float = 30.0) -> None:
        """Stop capturing; turns still open end with the audio captured so far."""
        self.source.stop()
        self.join(timeout)

    def stats(self) -> PipelineStats:
        source = self.source.stats
        return PipelineStats(
            frames=self._frames,
            dropped_frames=source.dropped_frames,
            backpressure_waits=source.backpressure_waits,
            stt_backlog=self._stt.qsize(),
            turns_open=self._open_turns,
            segments=self._segments,
            stt_errors=self._stt_errors,
            callback_errors=self._callback_errors,
        )

    # -- dispatch thread ----------------------------------------------------

    def _dispatch_loop(self) -> None:
        try:
            for frame in self.source.frames():
                self._frames += 1
                if self.archive is not None:
                    self.archive.write(frame)
                self._apply_events()
                for chunk in self._resample(frame):
                    self._route(chunk)
            self._apply_events()
            if self._resampler is not None:
                self._route_tail()
            self._finish_all()
        except Exception as exc:
            log.exception("dispatch failed")
            self._error = exc
            self.source.stop()
        finally:
            self._stt.put(_STOP)

    def _resample(self, frame: AudioFrame) -> list[_Chunk]:
        chunks: list[_Chunk] = []
        if self._expected is not None and abs(frame.wall_time - self._expected) > _GAP:
            gap = frame.wall_time - self._expected
            log.warning("audio gap of %.3f s before %.3f", gap, frame.wall_time)
            chunks.extend(self._flush_resampler())
        if self._resampler is None:
            self._resampler = StreamResampler(frame.sample_rate, frame.channels)
            self._resampled_wall = frame.wall_time
        self._expected = frame.end_time
        before = self._resampler.emitted
        out = self._resampler.process(frame.pcm)
        if len(out):
            chunks.append(_Chunk(self._resampled_wall + before / STT_RATE, out))
        return chunks

    def _flush_resampler(self) -> list[_Chunk]:
        if self._resampler is None:
            return []
        before = self._resampler.emitted
        out = self._resampler.flush()
        wall = self._resampled_wall + before / STT_RATE
        self._resampler = None
        return [_Chunk(wall, out)] if len(out) else []

    def _route_tail(self) -> None:
        for chunk in self._flush_resampler():
            self._route(chunk)

    def _apply_events(self) -> None:
        with self._events_lock:
            events = list(self._events)
            self._events.clear()
        if not events:
            return
        new: list[str] = []
        for event in events:
            try:
                if self._apply(event):
                    new.append(event.turn_id)
            except TurnError as exc:
                log.warning("ignored floor event %s: %s", event, exc)
        live = [s.turn for s in self._turns.values() if not s.finished or self._recent(s.turn)]
        self._windows = turn_windows(live, self.guard)
        for turn_id in new:
            self._backfill(turn_id)
        self._close_due()

    def _recent(self, turn: Turn) -> bool:
        """Finished turns still clip the guard margins of turns starting soon after."""
        return (
            turn.end is not None
            and self._clock is not None
            and turn.end + 2 * self.guard + self._preroll_seconds >= self._clock
        )

    def _apply(self, event: TurnStarted | TurnEnded) -> bool:
        """Record a floor event; True if it started a new turn."""
        state = self._turns.get(event.turn_id)
        if isinstance(event, TurnStarted):
            if state is not None:
                t = state.turn
                if (t.member_id, t.item_id, t.start) != (event.member_id, event.item_id, event.at):
                    raise TurnError(event.turn_id, "can't start again: already started differently")
                return False
            self._turns[event.turn_id] = _TurnState(
                Turn(event.turn_id, event.member_id, event.item_id, event.at)
            )
            self._open_turns += 1
            return True
        if state is None:
            raise TurnError(event.turn_id, "can't end a turn that never started")
        if state.turn.end is not None:
            if state.turn.end != event.at:
                raise TurnError(event.turn_id, f"can't end at {event.at}: ended at {state.turn.end}")
            return False
        t = state.turn
        state.turn = Turn(t.turn_id, t.member_id, t.item_id, t.start, event.at)
        return False

    def _backfill(self, turn_id: str) -> None:
        window = self._window(turn_id)
        if window is None or not self._preroll:
            return
        if self._preroll_trimmed and window.start < self._preroll[0].wall:
            missed = self._preroll[0].wall - window.start
            log.warning("turn %s: its first %.2f s were older than the pre-roll", turn_id, missed)
        for chunk in self._preroll:
            self._feed(turn_id, window, chunk)

    def _window(self, turn_id: str) -> TurnWindow | None:
        for window in self._windows:
            if window.turn.turn_id == turn_id:
                return window
        return None

    def _route(self, chunk: _Chunk) -> None:
        self._preroll.append(chunk)
        while self._preroll and self._preroll[0].end < chunk.end - self._preroll_seconds:
            self._preroll.popleft()
            self._preroll_trimmed = True
        self._clock = chunk.end
        for window in self._windows:
            state = self._turns[window.turn.turn_id]
            if not state.finished:
                self._feed(window.turn.turn_id, window, chunk)
        self._close_due()

    def _feed(self, turn_id: str, window: TurnWindow, chunk: _Chunk) -> None:
        """Send the part of ``chunk`` inside ``window`` not yet fed to this turn."""
        state = self._turns[turn_id]
        lo = window.start if state.fed_until is None else max(window.start, state.fed_until)
        hi = chunk.end if window.end is None else min(window.end, chunk.end)
        i0 = max(0, round((lo - chunk.wall) * STT_RATE))
        i1 = min(len(chunk.samples), round((hi - chunk.wall) * STT_RATE))
        if i1 <= i0:
            return
        samples = chunk.samples[i0:i1]
        wall = chunk.wall + i0 / STT_RATE
        if state.fed_until is not None and wall - state.fed_until > _GAP:
            # Lost capture audio inside the turn: keep word times true with silence.
            pad = round(min(wall - state.fed_until, _MAX_PAD) * STT_RATE)
            samples = np.concatenate([np.zeros(pad, dtype=np.int16), samples])
            wall -= pad / STT_RATE
        self._stt.put(_Feed(turn_id, wall, samples))
        state.fed_until = chunk.wall + i1 / STT_RATE

    def _close_due(self) -> None:
        """Finish turns whose window has ended in the audio dispatched so far."""
        if self._clock is None:
            return
        for window in self._windows:
            state = self._turns[window.turn.turn_id]
            if not state.finished and window.end is not None and window.end <= self._clock:
                self._finish(state, window)

    def _finish(self, state: _TurnState, window: TurnWindow) -> None:
        state.finished = True
        self._open_turns -= 1
        self._stt.put(_Finish(state.turn.turn_id, window))

    def _finish_all(self) -> None:
        """The source ended: every turn ends with the audio there is."""
        for window in self._windows:
            state = self._turns[window.turn.turn_id]
            if not state.finished:
                self._finish(state, window)
        for state in self._turns.values():  # turns never in a window (shouldn't happen)
            if not state.finished:
                self._finish(state, TurnWindow(state.turn, state.turn.start, state.turn.end))

    # -- STT thread -------------------------------------------------------

    def _stt_loop(self) -> None:
        streams: dict[str, tuple[RecognizerStream, float]] = {}
        while True:
            item = self._stt.get()
            if item is _STOP:
                return
            try:
                if isinstance(item, _Feed):
                    if item.turn_id not in streams:
                        streams[item.turn_id] = (self.engine.open_stream(STT_RATE), item.wall)
                    caption = streams[item.turn_id][0].accept(item.samples.tobytes())
                    if caption is not None and self.on_caption is not None:
                        self._call(self.on_caption, item.turn_id, caption)
                elif isinstance(item, _Finish):
                    entry = streams.pop(item.turn_id, None)
                    if entry is None:
                        end = item.window.end if item.window.end is not None else item.window.start
                        segment = Segment("", item.window.start, end)
                    else:
                        stream, origin = entry
                        segment = _clip(stream.finish().shifted(origin), item.window)
                        if not segment.words and not segment.text:
                            segment = dataclasses.replace(segment, start=origin, end=origin + stream.duration)
                    self._segments += 1
                    if self.on_segment is not None:
                        self._call(self.on_segment, item.turn_id, segment)
            except Exception:
                # A broken recogniser loses its turn, not the sitting.
                self._stt_errors += 1
                log.exception("STT failed on %s", item)

    def _call(self, callback: Callable[[str, Any], None], turn_id: str, value: Any) -> None:
        try:
            callback(turn_id, value)
        except Exception:
            self._callback_errors += 1
            log.exception("recorder callback failed for turn %s", turn_id)
