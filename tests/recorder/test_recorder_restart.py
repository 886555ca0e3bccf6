"""kill -9 of the recorder mid-turn: the archive stays playable, and a restart duplicates nothing.

The member keeps speaking while the recorder is down. The restarted recorder
finds in the record that the first turn is transcribed already (it sends
nothing for it), that the second is still open and began before it could
hear it (it transcribes that turn from the sitting's archive: the part the
killed process captured and the part it captures itself), and takes the
third live.
"""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path

import av
import numpy as np
import pytest

from protocol.commands import GrantFloor, StopSpeech
from recorder.archive import Archive
from recorder.capture import make_replay_device
from recorder.turns import DEFAULT_GUARD
from tests.chaos import trials
from tests.recorder.hall_sitting import LAG, LEAD, Hall, sleep_until, wait_for_origin
from tests.recorder.speech import KOREAN, read_wav, sitting, write_wav

SPEECHES = [KOREAN[0], f"{KOREAN[1]}. {KOREAN[2]}. {KOREAN[0]}", KOREAN[2]]
KILL_INTO_SPEECH = 2.5  # seconds into the second speech (the first trial; `make chaos` draws the others)
LOST = 0.3  # seconds of the feed nobody captured while the recorder was down


def playable_seconds(directory: Path, rate: int) -> float:
    """Decode every FLAC file of an archive with PyAV (FFmpeg), as a player would."""
    samples = 0
    for path in sorted(directory.glob("seg-*.flac")):
        with av.open(str(path)) as container:
            try:
                for frame in container.decode(audio=0):
                    samples += frame.samples
            except av.FFmpegError:  # a torn last frame: what came before still plays
                pass
    return samples / rate


@pytest.mark.parametrize("trial", range(trials(1, 5)))
async def test_kill_9_mid_turn_then_restart_stores_each_turn_once(tmp_path: Path, trial: int) -> None:
    kill_into = KILL_INTO_SPEECH if trial == 0 else random.Random(trial).uniform(1.5, 4.0)
    (tmp_path / "speech").mkdir()
    feed = sitting(SPEECHES, "ko", tmp_path / "speech", rate=48000, channels=2, gap=2.0)
    (_, s1, e1), (_, s2, e2), (_, s3, e3) = feed.speeches
    hall = Hall(tmp_path)
    await hall.open()
    first = hall.recorder(make_replay_device(feed.path, tmp_path / "alsa-1", channels=2), "vosk", "rec-1")
    second = None
    try:
        first.start()
        origin1 = await wait_for_origin(hall.archive / hall.sitting, first)
        t1 = await hall.speak(0, origin1, s1, e1)
        await hall.wait_segments(1, timeout=30)

        await sleep_until(origin1 + s2 - LEAD)
        t2 = (await hall.chair.command(hall.sitting, GrantFloor(member_id=hall.member(1))))["turn_id"]
        await sleep_until(origin1 + s2 + kill_into)
        first.kill9()
        killed_at = time.time()
        captured = killed_at - origin1  # paced capture: audio heard so far, to within a frame

        # What the killed recorder left is playable, up to its last second.
        directory = hall.archive / hall.sitting
        played = playable_seconds(directory, 48000)
        archive = Archive(directory)
        print(f"\nkill -9 after {captured:.2f} s captured: {played:.2f} s playable (index: {archive.duration:.2f} s)")
        assert abs(played - captured) <= 1.2
        assert abs(archive.duration - played) < 0.01
        speech = archive.read(origin1 + s2 + 0.2, origin1 + s2 + kill_into - 0.5)
        assert np.abs(speech.samples).max() > 1000  # the second speech is in it

        # The feed goes on; a new recorder process picks it up LOST seconds later.
        resume_at = captured + LOST
        samples, rate = read_wav(feed.path)
        rest = write_wav(tmp_path / "rest.wav", samples[round(resume_at * rate) :], rate)
        second = hall.recorder(make_replay_device(rest, tmp_path / "alsa-2", channels=2), "vosk", "rec-2")
        second.start()
        origin2 = await wait_for_origin(directory, second, after=killed_at)
        shift = origin2 - resume_at  # feed time x is now heard at wall time shift + x
        await sleep_until(shift + e2 + LAG)
        await hall.chair.command(hall.sitting, StopSpeech(member_id=hall.member(1)))
        t3 = await hall.speak(2, shift, s3, e3)
        await hall.wait_segments(3, timeout=60)
        await asyncio.sleep(1.0)  # room for a duplicate, were one coming
        stats = second.stop()
    finally:
        for proc in (first, second):
            if proc is not None and proc.proc is not None and proc.proc.poll() is None:
                proc.kill9()
        await hall.close()

    stored = hall.stored()
    ids = sorted(seg.segment_id for _, seg in stored)
    print(f"segments: {[(s.segment_id, s.text) for _, s in stored]}")
    assert ids == sorted([f"{t1}.0", f"{t2}.0", f"{t3}.0"]), ids
    by_turn = {seg.turn_id: seg for _, seg in stored}
    assert [by_turn[t].member_id for t in (t1, t2, t3)] == [hall.member(i) for i in range(3)]
    assert stats["segments_sent"] == 2  # t2 and t3; t1 was in the record already
    assert stats["segments_already_stored"] == 0 and stats["segments_refused"] == 0
    assert (stats["turns_recovered"], stats["turns_live"]) == (1, 1)
    assert stats["pipeline"]["dropped_frames"] == 0

    # The interrupted turn's transcript has words from both recorders' audio, in order.
    words = by_turn[t2].words
    starts = [w.start_ms / 1000 for w in words]
    assert starts == sorted(starts)
    before, after = [t for t in starts if t < killed_at], [t for t in starts if t > origin2]
    print(f"{t2}: {len(before)} words before the kill, {len(after)} after the restart")
    assert before and after
    granted, stopped = hall.floor()[t2]
    assert stopped is not None
    slack = DEFAULT_GUARD * 1000 + 30
    assert all(granted - slack <= w.start_ms <= w.end_ms <= stopped + slack for w in words)

    # One archive, two runs of audio with the gap between them.
    archive = Archive(hall.archive / hall.sitting)
    runs = archive.runs()
    assert len(runs) == 2
    assert archive.wall_of(runs[1][0]) == origin2


async def test_hall_server_kill_9_then_the_recorder_resyncs_and_delivers_once(tmp_path: Path) -> None:
    """The server dies as a turn ends: its transcript waits, then is stored once; nothing is re-sent."""
    (tmp_path / "speech").mkdir()
    # A long pause between the speeches: the server is killed, restarted and reconnected within it, even on a
    # loaded machine (a restart that ran into the second speech granted the floor after the words: 3 s was short).
    feed = sitting([KOREAN[0], KOREAN[2]], "ko", tmp_path / "speech", rate=48000, channels=2, gap=12.0)
    (_, s1, e1), (_, s2, e2) = feed.speeches
    hall = Hall(tmp_path)
    await hall.open()
    recorder = hall.recorder(make_replay_device(feed.path, tmp_path / "alsa", channels=2), "vosk")
    try:
        recorder.start()
        origin = await wait_for_origin(hall.archive / hall.sitting, recorder)
        t1 = await hall.speak(0, origin, s1, e1)
        hall.server.kill9()  # before the recorder's transcript of t1 can reach it
        down_at = time.time()
        await asyncio.sleep(1.0)
        hall.server.start()
        await hall.chair.wait_for(hall.sitting, lambda s: hall.chair.connected, timeout=20)
        back = time.time() - origin
        assert back < s2 - 1.0, f"the hall was back only at +{back:.1f} s, the second speech starts at +{s2:.1f} s"
        t2 = await hall.speak(1, origin, s2, e2)
        await hall.wait_segments(2, timeout=60)
        await asyncio.sleep(1.0)
        stats = recorder.stop()
    finally:
        if recorder.proc is not None and recorder.proc.poll() is None:
            recorder.kill9()
        await hall.close()

    stored = hall.stored()
    print(f"\nserver down at +{down_at - origin:.2f} s; stored: {[(s.segment_id, s.text) for _, s in stored]}")
    assert sorted(s.segment_id for _, s in stored) == sorted([f"{t1}.0", f"{t2}.0"])
    assert all(s.words for _, s in stored)
    floor = hall.floor()
    slack = DEFAULT_GUARD * 1000 + 30
    for _, seg in stored:  # a stop that reached the recorder late takes no words from the next turn
        granted, stopped = floor[seg.turn_id]
        assert stopped is not None
        assert all(granted - slack <= w.start_ms <= stopped + slack for w in seg.words), seg
    assert stats["segments_refused"] == 0 and stats["pipeline"]["dropped_frames"] == 0
    assert stats["segments_sent"] + stats["segments_already_stored"] == 2
    first = next(r for r, seg in stored if seg.turn_id == t1)
    assert first.at_ms / 1000 > down_at  # it waited for the hall to come back
