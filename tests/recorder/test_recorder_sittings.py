"""Per-sitting bookkeeping: turns from floor records, and one archive per sitting from one feed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from protocol.canonical import GENESIS_HASH
from protocol.events import Actor, Event, FloorGranted, Record, SpeechStopped
from protocol.types import Role, SpeechType, StopReason
from recorder.archive import Archive, ArchiveWriter
from recorder.capture import AudioFrame
from recorder.sittings import FloorTurn, SittingArchives, TurnBook

T0 = 1_760_000_000.0
RATE = 16000


def record(stream: str, seq: int, at_ms: int, event: Event) -> Record:
    return Record.seal(stream=stream, seq=seq, at_ms=at_ms, command_id=None,
                       actor=Actor(role=Role.CHAIR, device_id="chair"), event=event, prev_hash=GENESIS_HASH)


def granted(turn_id: str, member_id: str) -> FloorGranted:
    return FloorGranted(turn_id=turn_id, member_id=member_id, speech_type=SpeechType.CONTRIBUTION,
                        item_id="i1", mic="S001", request_id=None, time_limit_s=300, warning_s=30,
                        auto_stop=False)


def stopped(turn_id: str, member_id: str, ms: int) -> SpeechStopped:
    return SpeechStopped(turn_id=turn_id, member_id=member_id, reason=StopReason.CHAIR, duration_ms=ms)


def test_turn_book_folds_floor_records_and_ignores_redelivery() -> None:
    book = TurnBook()
    history = [
        record("s", 1, 1000, granted("t1", "m1")),
        record("s", 2, 4000, stopped("t1", "m1", 3000)),
        record("s", 3, 5000, granted("t2", "m2")),
        record("other", 1, 1500, granted("t1", "m9")),  # turn ids are per sitting
    ]
    assert [book.observe(r) for r in history] == [True, True, True, True]
    assert [book.observe(r) for r in history] == [False] * 4  # a resync sends them again
    assert book.turns("s") == [
        FloorTurn("s", "t1", "m1", "i1", 1000, 4000),
        FloorTurn("s", "t2", "m2", "i1", 5000, None),
    ]
    assert book.get("other", "t1") == FloorTurn("other", "t1", "m9", "i1", 1500)
    assert book.get("s", "t2").key == "s/t2"  # type: ignore[union-attr]
    assert not book.add_open(FloorTurn("s", "t2", "m2", "i1", 5000))
    assert book.add_open(FloorTurn("s", "t3", "m3", None, 9000))
    turn = book.get("s", "t1")
    assert turn is not None and turn.as_turn().start == 1.0 and turn.as_turn().end == 4.0


def frames(seconds: float, start: float, ms: int = 20) -> list[AudioFrame]:
    n = RATE * ms // 1000
    count = round(seconds * 1000 / ms)
    out = []
    for i in range(count):
        t = np.arange(i * n, (i + 1) * n) / RATE
        pcm = (np.sin(2 * np.pi * 220 * t) * 3000).astype("<i2").tobytes()
        out.append(AudioFrame(pcm, RATE, 1, start + i * ms / 1000))
    return out


def test_each_sitting_gets_the_feed_from_its_opening_to_its_closing(tmp_path: Path) -> None:
    archives = SittingArchives(tmp_path, RATE, 1, preroll=2.0, fsync=False)
    feed = frames(10.0, T0)
    archives.set_window("plenary", T0 + 1.0, None)
    for f in feed[:100]:  # 2 s heard ...
        archives.write(f)
    # ... before the recorder learns that the commission opened at T0 + 0.5 (within the pre-roll)
    # and the plenary closed at T0 + 6.
    archives.set_window("c9", T0 + 0.5, None)
    archives.set_window("plenary", T0 + 1.0, T0 + 6.0)
    archives.set_window("scheduled", None, None)
    for f in feed[100:]:
        archives.write(f)
    archives.close()

    plenary = Archive(archives.directory("plenary"))
    assert plenary.start_wall == pytest.approx(T0 + 1.0)
    assert plenary.duration == pytest.approx(5.0)
    c9 = Archive(archives.directory("c9"))
    assert c9.start_wall == pytest.approx(T0 + 0.5)  # back-filled from the pre-roll
    assert c9.duration == pytest.approx(9.5)
    assert not archives.has_audio("scheduled")
    assert archives.errors == 0


def test_a_restart_resumes_the_archive_and_pieces_keep_their_own_times(tmp_path: Path) -> None:
    first = SittingArchives(tmp_path, RATE, 1, fsync=False)
    first.set_window("s", T0, None)
    for f in frames(3.0, T0):
        first.write(f)
    first.close()
    second = SittingArchives(tmp_path, RATE, 1, fsync=False)  # the next process, 4 s later
    second.set_window("s", T0, None)
    for f in frames(2.0, T0 + 7.0):
        second.write(f)
    second.close()
    archive = Archive(tmp_path / "s")
    assert archive.duration == pytest.approx(5.0)
    assert archive.runs() == [(0, 3 * RATE), (3 * RATE, 5 * RATE)]
    pieces = archive.pieces(T0 + 2.0, T0 + 8.0)
    assert [(round(p.start_wall - T0, 3), round(p.duration, 3)) for p in pieces] == [(2.0, 1.0), (7.0, 1.0)]
    assert archive.pieces(T0 + 3.5, T0 + 6.5) == []  # nobody was recording then


def test_a_directory_in_another_format_is_left_alone(tmp_path: Path) -> None:
    with ArchiveWriter(tmp_path / "s", 48000, 2) as old:
        old.write(AudioFrame(bytes(4 * 960), 48000, 2, T0))
    archives = SittingArchives(tmp_path, RATE, 1, fsync=False)
    archives.set_window("s", T0, None)
    for f in frames(1.0, T0 + 10):
        archives.write(f)
    archives.close()
    assert archives.directory("s") == tmp_path / "s@16000x1"
    assert Archive(tmp_path / "s@16000x1").duration == pytest.approx(1.0)
    assert Archive(tmp_path / "s").duration == pytest.approx(0.02)
