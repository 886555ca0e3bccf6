"""The floor gate and mix-minus, sample by sample (pure: no network, no threads)."""

from __future__ import annotations

import numpy as np
import pytest

from recorder.media import FRAME_SAMPLES, FloorMixer


def frame(value: int) -> np.ndarray:
    return np.full(FRAME_SAMPLES, value, dtype=np.int16)


def test_audio_passes_only_while_the_member_holds_the_floor() -> None:
    mixer = FloorMixer()
    mixer.add("tab-a", "m1")
    mixer.add("tab-b", "m2")
    hall = frame(100)

    assert not mixer.push("tab-a", frame(1000))  # before the grant: dropped on arrival
    mix = mixer.tick(hall)
    assert (mix.floor == 100).all() and (mix.loudspeaker == 0).all()

    mixer.set_floor({"m1"})
    assert mixer.push("tab-a", frame(1000))
    assert not mixer.push("tab-b", frame(7))  # m2 does not hold the floor
    mix = mixer.tick(hall)
    assert (mix.floor == 1100).all() and (mix.loudspeaker == 1000).all()
    assert (mix.members["tab-a"] == 100).all()  # the hall, not their own voice
    assert (mix.members["tab-b"] == 1100).all()  # the hall and the speaker

    mixer.push("tab-a", frame(1000))
    mixer.set_floor(set())  # stopped: what was buffered never reaches the floor
    mix = mixer.tick(hall)
    assert (mix.floor == 100).all() and (mix.loudspeaker == 0).all()
    stats = mixer.stats()["tab-a"]
    assert (stats.received, stats.gated, stats.passed) == (3 * FRAME_SAMPLES, FRAME_SAMPLES, FRAME_SAMPLES)
    assert stats.gated + stats.passed + FRAME_SAMPLES == stats.received  # the last frame was discarded at stop


def test_two_speakers_each_hear_the_other_and_the_sum_saturates() -> None:
    mixer = FloorMixer()
    mixer.add("tab-a", "m1")
    mixer.add("tab-b", "m2")
    mixer.set_floor({"m1", "m2"})
    mixer.push("tab-a", frame(30000))
    mixer.push("tab-b", frame(20000))
    mix = mixer.tick(frame(0))
    assert (mix.floor == 32767).all()  # clipped, not wrapped
    assert (mix.members["tab-a"] == 20000).all() and (mix.members["tab-b"] == 30000).all()


def test_a_member_running_ahead_is_bounded_and_underruns_are_counted() -> None:
    mixer = FloorMixer(max_buffer=2 * FRAME_SAMPLES)
    mixer.add("tab-a", "m1")
    mixer.set_floor({"m1"})
    for v in (1, 2, 3):
        mixer.push("tab-a", frame(v))
    assert (mixer.tick(frame(0)).floor == 2).all()  # the oldest frame was dropped
    assert (mixer.tick(frame(0)).floor == 3).all()
    assert (mixer.tick(frame(0)).floor == 0).all()
    stats = mixer.stats()["tab-a"]
    assert (stats.overflow, stats.underruns) == (FRAME_SAMPLES, 1)


def test_a_tick_takes_exactly_one_mono_frame() -> None:
    with pytest.raises(ValueError, match="960"):
        FloorMixer().tick(np.zeros((FRAME_SAMPLES, 2), dtype=np.int16))
