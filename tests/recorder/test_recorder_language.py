"""The right language or none: a turn the configured model cannot write gets no text and is flagged.

The hall runs the English model (Whisper tiny.en) with language
identification (Whisper base). One member speaks English, another Korean
(espeak-ng's voice): the English turn is transcribed; the Korean turn gets
an empty machine segment and a ``transcript.turn_flagged`` naming the
language Whisper base heard, for the clerk to type.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from recorder.capture import make_replay_device
from tests.recorder.hall_sitting import Hall, wait_for_origin
from tests.recorder.speech import ENGLISH, KOREAN, sitting, word_error_rate


@pytest.mark.slow
async def test_a_turn_in_a_language_the_model_lacks_is_flagged_with_its_language(tmp_path: Path) -> None:
    (tmp_path / "speech").mkdir()
    english = sitting([ENGLISH[0]], "en", tmp_path / "speech", rate=48000, channels=2, gap=2.0)
    korean = sitting([f"{KOREAN[0]}. {KOREAN[1]}"], "ko", tmp_path / "speech", rate=48000, channels=2, gap=2.0)
    feed = english.path.parent / "both.wav"

    subprocess.run(["sox", "-V1", str(english.path), str(korean.path), str(feed)], check=True)
    offset = english.duration
    speeches = [english.speeches[0][1:], (korean.speeches[0][1] + offset, korean.speeches[0][2] + offset)]
    replay = make_replay_device(feed, tmp_path / "alsa", sample_rate=48000, channels=2)
    hall = Hall(tmp_path)
    await hall.open()
    recorder = hall.recorder(replay, "whisper")
    try:
        recorder.start()
        origin = await wait_for_origin(hall.archive / hall.sitting, recorder)
        turns = [await hall.speak(i, origin, start, end) for i, (start, end) in enumerate(speeches)]
        await hall.chair.wait_for(
            hall.sitting,
            lambda s: any(seg.flag is not None for seg in s.transcript.values()),  # type: ignore[union-attr]
            90,
        )
        recorder.stop()
    finally:
        if recorder.proc is not None and recorder.proc.poll() is None:
            recorder.kill9()
        await hall.close()

    by_turn = {s.added.turn_id: s for s in hall.state().transcript.values()}
    spoken, foreign = by_turn[turns[0]], by_turn[turns[1]]
    wer = word_error_rate(ENGLISH[0], spoken.added.text)
    print(f"\nEnglish turn: {spoken.added.text!r} (WER {wer:.2f}); Korean turn flagged: {foreign.flag}")
    assert wer < 0.35 and spoken.flag is None
    assert foreign.added.text == "" and foreign.added.words == []
    assert foreign.flag is not None and foreign.flag.reason == "language_not_covered"
    # Named, and not as English: Whisper base hears espeak-ng's Korean voice as Thai (p ~ 0.95).
    assert foreign.flag.language is not None and foreign.flag.language != "en"
