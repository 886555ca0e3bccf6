"""A scripted sitting played by N seat clients and a chair: the seed of the load harness.

It seeds what it needs (roster, devices, its own sitting), then plays:
check-in, agenda, requests, a point of order jumping the list, grants,
stops, reorder, removal, re-adding the last speaker, open-floor override,
and refusals that must happen (a seat trying the chair's job, or acting
for another member). Prints one JSON summary.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from hemicycle.feed import Feed, FeedTurn, word_error_rate
from hemicycle.seed import Seeded, seed_senate
from hemicycle.senate import SPEECHES
from procedure import SittingState
from protocol.commands import (
    AddSegment,
    CheckIn,
    CloseSitting,
    CloseVote,
    ConfigureFloor,
    GrantFloor,
    NextItem,
    OpenSitting,
    OpenVote,
    PublishVote,
    ReaddLastSpeaker,
    ReorderList,
    RequestFloor,
    ReviseSegment,
    StopSpeech,
    WithdrawRequest,
    Word,
)
from protocol.errors import ErrorCode, ProtocolError
from protocol.events import FloorGranted, Record, SpeechStopped
from protocol.settings import FloorSettings
from protocol.types import FloorMode, Role, SegmentStatus, SittingStatus, SpeechType, VoteKind
from seat_client.client import HallClient
from seat_client.identity import DeviceKey


@dataclass
class Tally:
    """What the run saw: latencies, expected refusals, and anything unexpected."""

    latencies_ms: list[float] = field(default_factory=list)
    refusals: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    async def timed(self, fn: Callable[[], Awaitable[Any]]) -> Any:
        start = time.perf_counter()
        try:
            return await fn()
        finally:
            self.latencies_ms.append((time.perf_counter() - start) * 1000)

    async def ok(self, client: HallClient, stream: str, cmd: Any) -> dict[str, Any] | None:
        try:
            return await self.timed(lambda: client.command(stream, cmd))  # type: ignore[no-any-return]
        except ProtocolError as err:
            self.errors.append(f"{cmd.type}: {err}")
            return None

    async def refused(self, client: HallClient, stream: str, cmd: Any, code: ErrorCode) -> None:
        try:
            await self.timed(lambda: client.command(stream, cmd))
            self.errors.append(f"{cmd.type} was accepted but should be refused with {code}")
        except ProtocolError as err:
            if err.code is not code:
                self.errors.append(f"{cmd.type}: expected {code}, got {err.code}")
            self.refusals[err.code.value] = self.refusals.get(err.code.value, 0) + 1


CHOICES = ["yes"] * 7 + ["no"] * 2 + ["abstain"]
LEAD = 0.3  # the chair gives the floor this long before the speech starts in the feed (s)
LAG = 0.4  # and takes it back this long after it ends


@dataclass
class Spoken:
    """Speak the sitting: the recorder on ``feed`` with ``engine``, archiving into ``archive``.

    The engine is a :class:`recorder.stt.Engine`; typed loosely so that
    importing the simulator does not load speech recognition.
    """

    feed: Feed
    engine: Any
    archive: Path


@dataclass
class _Heard:
    turn_id: str
    member_id: str
    feed: FeedTurn
    granted: float = 0.0  # wall times (s)
    stopped: float = 0.0
    captions: list[tuple[float, str]] = field(default_factory=list)


async def _until(wall: float) -> None:
    delay = wall - time.time()
    if delay > 0:
        await asyncio.sleep(delay)


class _Recorder:
    """The recorder service in this process, on the feed paced to the clock."""

    def __init__(self, url: str, seeded: Seeded, sitting: str, spoken: Spoken) -> None:
        from recorder.capture import FileSource
        from recorder.service import RecorderService

        self.sitting = sitting
        self.source = FileSource(spoken.feed.path, realtime=True)
        self.service = RecorderService(url, seeded.device("recorder"), self.source, spoken.engine,
                                       archive_root=spoken.archive, sittings=[sitting], poll_interval=0.5)
        self.stop = asyncio.Event()
        self.task: asyncio.Task[Any] | None = None

    async def start(self, timeout: float = 30.0) -> float:
        """Start capturing; the wall time of the feed's first sample once the sitting is followed."""
        self.task = asyncio.create_task(self.service.run(self.stop))
        deadline = time.monotonic() + timeout
        while self.sitting not in self.service.followed or self.source.start_wall is None:
            if self.task.done():
                self.task.result()
                raise RuntimeError("the recorder stopped before it followed the sitting")
            if time.monotonic() > deadline:
                raise TimeoutError("the recorder did not follow the sitting")
            await asyncio.sleep(0.05)
        return self.source.start_wall

    async def close(self) -> dict[str, Any]:
        self.stop.set()
        assert self.task is not None
        stats = await self.task
        return dict(stats.to_dict())


async def roll_call(
    chair: HallClient,
    seats: list[tuple[HallClient, Any]],
    sitting: str,
    tally: Tally,
    chair_do: Callable[[Any], Awaitable[None]],
) -> dict[str, Any]:
    """A roll-call vote: every seat signs its ballot on the device; the chair closes it."""
    vote_id = f"v{uuid.uuid4().hex[:6]}"
    await chair_do(OpenVote(vote_id=vote_id, motion_km="សុំអនុម័តសេចក្តីព្រាងច្បាប់",
                            motion_en="That the draft law be adopted", kind=VoteKind.ROLL_CALL))

    async def cast(i: int, client: HallClient, member: Any) -> None:
        assert isinstance(client.identity, DeviceKey)
        ballot = client.identity.ballot(sitting, vote_id, member.member_id, member.seat,
                                        CHOICES[i % len(CHOICES)])
        await tally.ok(client, sitting, ballot)

    await asyncio.gather(*(cast(i, c, m) for i, (c, m) in enumerate(seats)))
    await chair_do(CloseVote(vote_id=vote_id))
    await chair_do(PublishVote(vote_id=vote_id))
    vote = chair.states[sitting].votes[vote_id]  # type: ignore[union-attr]
    assert vote.result is not None
    return {"id": vote_id, "counts": vote.result.counts, "voted": vote.result.voted,
            "outcome": vote.result.outcome, "sealed": vote.sealed is not None}


async def secret_vote(
    chair: HallClient,
    seats: list[tuple[HallClient, Any]],
    sitting: str,
    tally: Tally,
    chair_do: Callable[[Any], Awaitable[None]],
) -> dict[str, Any]:
    """A secret vote under the two-thirds rule, with a timer the clock may close."""
    vote_id = f"s{uuid.uuid4().hex[:6]}"
    await chair_do(OpenVote(vote_id=vote_id, motion_km="សុំអនុម័តវិសោធនកម្មមាត្រា ១២",
                            motion_en="That the amendment to Article 12 be adopted",
                            kind=VoteKind.SECRET, majority="two_thirds", duration_s=600))

    async def cast(i: int, client: HallClient, member: Any) -> None:
        assert isinstance(client.identity, DeviceKey)
        choice = "yes" if i % 4 else "no"
        await tally.ok(client, sitting, client.identity.ballot(sitting, vote_id, member.member_id, member.seat, choice))

    await asyncio.gather(*(cast(i, c, m) for i, (c, m) in enumerate(seats)))
    await chair_do(CloseVote(vote_id=vote_id))
    await chair_do(PublishVote(vote_id=vote_id))
    vote = chair.states[sitting].votes[vote_id]  # type: ignore[union-attr]
    assert vote.result is not None
    return {"id": vote_id, "counts": vote.result.counts, "voted": vote.result.voted,
            "outcome": vote.result.outcome, "sealed": vote.sealed is not None}


async def transcribe_turns(
    url: str, seeded: Seeded, sitting: str, turns: dict[str, list[Any]], clerk: HallClient, tally: Tally
) -> int:
    """Stand in for the recorder: one scripted segment per finished turn; a clerk corrects one.

    Segments carry engine "scripted" so no one mistakes them for speech recognition.
    """
    recorder = HallClient(url, Role.RECORDER, seeded.device("recorder"))
    await recorder.connect()
    done = 0
    for n, (turn_id, (granted, start, end)) in enumerate(sorted(turns.items())):
        if end is None:
            continue
        text = SPEECHES[n % len(SPEECHES)]
        words = text.split()
        step = max(1, (end - start) // max(1, len(words)))
        await tally.ok(recorder, sitting, AddSegment(
            segment_id=f"{turn_id}-0", turn_id=turn_id, member_id=granted.member_id, item_id=granted.item_id,
            start_ms=start, end_ms=max(end, start),
            text=text, words=[Word(w=w, start_ms=start + i * step, end_ms=start + (i + 1) * step, conf=900)
                              for i, w in enumerate(words)],
            engine="scripted", model="demo"))
        done += 1
    if done:
        first = f"{sorted(k for k, v in turns.items() if v[2] is not None)[0]}-0"
        await tally.ok(clerk, sitting, ReviseSegment(
            segment_id=first, text=SPEECHES[0].replace("សូមគោរព", "សូមគោរពដ៏ខ្ពង់ខ្ពស់"),
            status=SegmentStatus.CORRECTED))
        await tally.ok(clerk, sitting, ReviseSegment(segment_id=first, status=SegmentStatus.APPROVED))
    await recorder.close()
    return done


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _spoken_report(state: SittingState, heard: list[_Heard]) -> list[dict[str, Any]]:
    """Per spoken turn: the script, the machine's text, its WER (English), the flag, captions seen live."""
    report = []
    for h in heard:
        segments = [s for s in state.transcript.values() if s.added.turn_id == h.turn_id]
        machine = " ".join(s.added.text for s in segments if s.added.text)
        flag = next((s.flag for s in segments if s.flag is not None), None)
        live = [text for at, text in h.captions if h.granted <= at <= h.stopped + LAG]
        report.append({
            "turn": h.turn_id, "member": h.member_id, "language": "en" if h.feed.spoken else "km",
            "script": h.feed.text, "machine": machine, "segments": len(segments),
            "wer": round(word_error_rate(h.feed.text, machine), 3) if h.feed.spoken else None,
            "flag": None if flag is None else flag.reason, "live_captions": len(live),
        })
    return report


async def simulate(
    url: str, seats: int, admin_token: str, progress: bool = True, spoken: Spoken | None = None
) -> dict[str, Any]:
    """Play the scripted sitting; with ``spoken``, its first speeches come from the feed through the recorder."""
    started = time.perf_counter()
    tally = Tally()
    run = uuid.uuid4().hex[:8]
    clerk = HallClient(url, Role.CLERK, admin_token)
    await clerk.connect()
    seeded: Seeded = await seed_senate(clerk, seats=seats, prefix=f"sim-{run}", commission=False,
                                       simulated=True)
    sitting = seeded.plenary
    members = seeded.members[:seats]

    bar = tqdm(total=seats + 1, desc="connecting seats", disable=not progress, file=sys.stderr)
    chair = HallClient(url, Role.CHAIR, seeded.device("chair"))
    await chair.connect()
    turn_log: dict[str, list[Any]] = {}  # turn id -> [granted event, start ms, end ms]

    def log_turns(record: Record) -> None:
        ev = record.event
        if isinstance(ev, FloorGranted):
            turn_log[ev.turn_id] = [ev, record.at_ms, None]
        elif isinstance(ev, SpeechStopped):
            turn_log[ev.turn_id][2] = record.at_ms

    chair.hooks.append(log_turns)
    await chair.follow(sitting)
    bar.update(1)
    clients: list[HallClient] = []

    async def join(m: Any) -> HallClient:
        c = HallClient(url, Role.SEAT, seeded.device(f"seat-{m.seat}"))
        await c.connect()
        await c.follow(sitting)
        bar.update(1)
        return c

    for i in range(0, len(members), 50):
        clients += await asyncio.gather(*(join(m) for m in members[i : i + 50]))
    bar.close()

    def state() -> SittingState:
        s = chair.states[sitting]
        assert isinstance(s, SittingState)
        return s

    async def chair_do(cmd: Any, expect_refusal: bool = False) -> None:
        """A chair command, then wait until the chair's own view has caught up."""
        if expect_refusal:
            await tally.refused(chair, sitting, cmd, ErrorCode.INVALID_STATE)
            return
        ack = await tally.ok(chair, sitting, cmd)
        if ack is not None:
            await chair.wait_for(sitting, lambda s: s.seq >= int(ack["seq"]))

    await chair_do(OpenSitting(without_quorum=True))
    await asyncio.gather(
        *(tally.ok(c, sitting, CheckIn(member_id=m.member_id, pin=m.pin))
          for c, m in zip(clients, members, strict=True))
    )
    await chair.wait_for(sitting, lambda s: len(s.presence) == seats)  # type: ignore[union-attr]
    await tally.ok(chair, sitting, NextItem())
    await tally.ok(chair, sitting, NextItem())
    await tally.ok(chair, sitting, NextItem())

    speakers = list(zip(clients, members, strict=True))[: max(1, min(6, seats))]
    kinds = [SpeechType.CONTRIBUTION, SpeechType.PRO, SpeechType.CONTRA, SpeechType.REPLY]
    for (c, m), kind in zip(speakers[:4], kinds, strict=False):
        await tally.ok(c, sitting, RequestFloor(member_id=m.member_id, speech_type=kind))
    if len(speakers) > 4:
        c, m = speakers[4]
        await tally.ok(c, sitting, RequestFloor(member_id=m.member_id,
                                                 speech_type=SpeechType.POINT_OF_ORDER))
    # The chair's powers are not a seat's, and a seat acts only for its member.
    await chair.wait_for(sitting, lambda s: len(s.floor.queue) == min(5, len(speakers)))  # type: ignore[union-attr]
    c0, m0 = speakers[0]
    await tally.refused(c0, sitting, GrantFloor(), ErrorCode.FORBIDDEN)
    if len(speakers) > 1:
        await tally.refused(c0, sitting, WithdrawRequest(member_id=speakers[1][1].member_id),
                            ErrorCode.NOT_YOUR_MEMBER)
    await tally.refused(c0, sitting, RequestFloor(member_id=m0.member_id),
                        ErrorCode.ALREADY_REQUESTED)

    turns = 0
    if len(speakers) > 2:
        order = [r.member_id for r in state().floor.queue]
        await chair_do(ReorderList(member_ids=[order[0], *order[:0:-1]]))
        await chair_do(WithdrawRequest(member_id=order[-1]))
    await chair_do(OpenSitting(), expect_refusal=True)

    recorder = _Recorder(url, seeded, sitting, spoken) if spoken is not None else None
    heard: list[_Heard] = []
    origin = await recorder.start() if recorder is not None else 0.0
    if recorder is not None:
        def caption(data: dict[str, Any]) -> None:
            for h in heard:
                if h.turn_id == data.get("turn_id"):
                    h.captions.append((time.time(), str(data.get("text", ""))))

        clients[0].sio.on("caption", caption, namespace="/seat")

    async def speak(head: str) -> None:
        """The chair gives ``head`` the floor and takes it back: on the feed's timeline when spoken."""
        said = spoken.feed.turns[len(heard)] if spoken is not None and len(heard) < len(spoken.feed.turns) else None
        if said is not None:
            await _until(origin + said.start - LEAD)
        await chair_do(GrantFloor())
        if said is not None:
            turn = next(t for t in state().floor.speaking if t.member_id == head)
            heard.append(_Heard(turn.turn_id, head, said, granted=time.time()))
            await _until(origin + said.end + LAG)
        await chair_do(StopSpeech(member_id=head))
        if said is not None:
            heard[-1].stopped = time.time()

    while state().floor.queue:
        await speak(state().floor.queue[0].member_id)
        turns += 1
    await chair_do(ReaddLastSpeaker())
    await speak(state().floor.queue[0].member_id)
    turns += 1
    recorder_stats: dict[str, Any] = {}
    if recorder is not None:
        def transcribed(s: Any) -> bool:
            done = {seg.added.turn_id for seg in s.transcript.values()}
            flagged = {seg.added.turn_id for seg in s.transcript.values() if seg.flag is not None}
            return all(h.turn_id in done and (h.feed.spoken or h.turn_id in flagged) for h in heard)

        with contextlib.suppress(TimeoutError):
            await chair.wait_for(sitting, transcribed, 120)
        recorder_stats = await recorder.close()

    votes = [await roll_call(chair, list(zip(clients, members, strict=True)), sitting, tally, chair_do)]

    if spoken is None:  # open floor: instant turns no feed speaks for
        await tally.ok(chair, sitting, ConfigureFloor(settings=FloorSettings(
            mode=FloorMode.OPEN_FLOOR, max_open_mics=2, speaking_time_s=120)))
        last_seq = 0
        for c, m in speakers[:3]:
            ack = await tally.ok(c, sitting, RequestFloor(member_id=m.member_id))
            last_seq = int(ack["seq"]) if ack else last_seq
            turns += 1
        await chair.wait_for(sitting, lambda s: s.seq >= last_seq)
        for t in list(state().floor.speaking):
            await tally.ok(chair, sitting, StopSpeech(member_id=t.member_id))

    votes.append(await secret_vote(chair, list(zip(clients, members, strict=True)), sitting, tally, chair_do))
    if spoken is None:
        segments = await transcribe_turns(url, seeded, sitting, turn_log, clerk, tally)
    else:
        segments = len(state().transcript)
        spoken_report = _spoken_report(state(), heard)

    while True:
        try:
            await tally.timed(lambda: chair.command(sitting, NextItem()))
        except ProtocolError as err:
            if err.code is not ErrorCode.INVALID_STATE:
                tally.errors.append(f"agenda.next: {err}")
            break
    present = len(state().presence)  # closing checks everyone out
    await tally.ok(chair, sitting, CloseSitting())
    final = await chair.wait_for(sitting, lambda s: s.status is SittingStatus.CLOSED)  # type: ignore[union-attr]
    assert isinstance(final, SittingState)
    await asyncio.gather(*(c.close() for c in [*clients, chair, clerk]))
    return {
        "sitting": sitting,
        "seats": seats,
        "events": final.seq,
        "head": final.head,
        "errors": len(tally.errors),
        "error_messages": tally.errors[:20],
        "refusals_as_expected": tally.refusals,
        "present": present,
        "quorum": {"needed": final.quorum_needed(), "present": present},
        "turns": turns,
        "votes": votes,
        "segments": segments,
        "speaking_time_ms": dict(final.floor.member_total_ms),
        "commands": len(tally.latencies_ms),
        "command_ms": {
            "p50": round(statistics.median(tally.latencies_ms), 2),
            "p99": round(percentile(tally.latencies_ms, 99), 2),
        },
        "duration_s": round(time.perf_counter() - started, 2),
        **({"spoken": spoken_report, "recorder": recorder_stats} if spoken is not None else {}),
    }
