"""Turn windows and resampling: pure functions, table and property tests."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recorder.errors import TurnError
from recorder.turns import (
    StreamResampler,
    Turn,
    TurnEnded,
    TurnStarted,
    to_mono_16k,
    turn_windows,
    turns_from_events,
)

G = 0.3


def spans(turns: list[Turn], guard: float = G) -> list[tuple[str, float, float | None]]:
    return [
        (w.turn.turn_id, round(w.start, 6), None if w.end is None else round(w.end, 6))
        for w in turn_windows(turns, guard)
    ]


@pytest.mark.parametrize(
    ("turns", "expected"),
    [
        # Alone: the full guard on both sides.
        ([Turn("a", "m1", "i", 10.0, 20.0)], [("a", 9.7, 20.3)]),
        # Open turn: no end yet.
        ([Turn("a", "m1", "i", 10.0)], [("a", 9.7, None)]),
        # Far apart: guards untouched.
        (
            [Turn("a", "m1", "i", 10.0, 20.0), Turn("b", "m2", "i", 25.0, 30.0)],
            [("a", 9.7, 20.3), ("b", 24.7, 30.3)],
        ),
        # 0.4 s apart: the gap is split at its midpoint.
        (
            [Turn("a", "m1", "i", 10.0, 20.0), Turn("b", "m2", "i", 20.4, 30.0)],
            [("a", 9.7, 20.2), ("b", 20.2, 30.3)],
        ),
        # Back to back: windows touch at the handover.
        (
            [Turn("a", "m1", "i", 10.0, 20.0), Turn("b", "m2", "i", 20.0, 30.0)],
            [("a", 9.7, 20.0), ("b", 20.0, 30.3)],
        ),
        # An interruption inside a speech keeps the real overlap.
        (
            [Turn("a", "m1", "i", 10.0, 20.0), Turn("poo", "m2", "i", 12.0, 13.0)],
            [("a", 9.7, 20.3), ("poo", 11.7, 13.3)],
        ),
        # Next speaker starts while the previous is still open: no clipping.
        (
            [Turn("a", "m1", "i", 10.0), Turn("b", "m2", "i", 15.0)],
            [("a", 9.7, None), ("b", 14.7, None)],
        ),
        # Clipped on both sides by close neighbours; input order does not matter.
        (
            [
                Turn("c", "m3", None, 20.2, 25.0),
                Turn("a", "m1", None, 10.0, 19.9),
                Turn("b", "m2", None, 20.0, 20.1),
            ],
            [("a", 9.7, 19.95), ("b", 19.95, 20.15), ("c", 20.15, 25.3)],
        ),
    ],
)
def test_turn_windows(turns: list[Turn], expected: list[tuple[str, float, float | None]]) -> None:
    assert spans(turns) == expected


def test_zero_guard_is_the_floor_times() -> None:
    turns = [Turn("a", "m1", "i", 1.0, 2.0), Turn("b", "m2", "i", 2.5, 3.0)]
    assert spans(turns, 0.0) == [("a", 1.0, 2.0), ("b", 2.5, 3.0)]


def test_negative_guard_is_refused() -> None:
    with pytest.raises(ValueError, match="guard"):
        turn_windows([], -0.1)


def test_a_turn_cannot_end_before_it_starts() -> None:
    with pytest.raises(TurnError) as err:
        Turn("a", "m1", "i", 5.0, 4.0)
    assert err.value.turn_id == "a"


def test_turns_from_events_pairs_starts_and_ends_and_ignores_redelivery() -> None:
    events = [
        TurnStarted("a", "m1", "i1", 1.0),
        TurnStarted("b", "m2", "i1", 5.0),
        TurnEnded("a", 4.0),
        TurnStarted("a", "m1", "i1", 1.0),  # re-delivered after a resync
        TurnEnded("a", 4.0),
    ]
    assert turns_from_events(events) == [
        Turn("a", "m1", "i1", 1.0, 4.0),
        Turn("b", "m2", "i1", 5.0, None),
    ]


@pytest.mark.parametrize(
    ("events", "reason"),
    [
        ([TurnEnded("a", 1.0)], "never started"),
        ([TurnStarted("a", "m1", None, 1.0), TurnStarted("a", "m2", None, 1.0)], "differently"),
        ([TurnStarted("a", "m1", None, 1.0), TurnEnded("a", 2.0), TurnEnded("a", 3.0)], "ended"),
        ([TurnStarted("a", "m1", None, 3.0), TurnEnded("a", 2.0)], "before its start"),
    ],
)
def test_turns_from_events_refuses_contradictions(
    events: list[TurnStarted | TurnEnded], reason: str
) -> None:
    with pytest.raises(TurnError, match=reason):
        turns_from_events(events)


@st.composite
def turn_sets(draw: st.DrawFn) -> list[Turn]:
    n = draw(st.integers(0, 8))
    turns = []
    for i in range(n):
        start = draw(st.floats(0, 100, allow_nan=False))
        length = draw(st.one_of(st.none(), st.floats(0, 20, allow_nan=False)))
        end = None if length is None else start + length
        turns.append(Turn(f"t{i}", f"m{i}", None, start, end))
    return turns


@settings(max_examples=300, deadline=None)
@given(turn_sets(), st.floats(0, 2, allow_nan=False))
def test_windows_cover_the_speech_stay_near_it_and_never_overlap_a_neighbour(
    turns: list[Turn], guard: float
) -> None:
    windows = {w.turn.turn_id: w for w in turn_windows(turns, guard)}
    assert set(windows) == {t.turn_id for t in turns}
    for t in turns:
        w = windows[t.turn_id]
        assert t.start - guard <= w.start <= t.start
        if t.end is None:
            assert w.end is None
        else:
            assert w.end is not None
            assert t.end <= w.end <= t.end + guard
    for a in turns:
        for b in turns:
            if a is not b and a.end is not None and a.end <= b.start:
                wa_end = windows[a.turn_id].end
                assert wa_end is not None
                assert wa_end <= windows[b.turn_id].start


# -- resampling ---------------------------------------------------------------


def tone(rate: int, seconds: float, freq: float, channels: int = 1) -> np.ndarray:
    t = np.arange(round(rate * seconds)) / rate
    mono = np.round(np.sin(2 * np.pi * freq * t) * 10000).astype(np.int16)
    return np.repeat(mono[:, None], channels, axis=1)


@pytest.mark.parametrize(("rate", "channels"), [(48000, 2), (44100, 1), (22050, 1), (8000, 1)])
def test_resampled_tone_is_the_same_tone_at_16k(rate: int, channels: int) -> None:
    out = to_mono_16k(tone(rate, 1.0, 440.0, channels), rate, channels)
    assert len(out) == 16000
    expected = tone(16000, 1.0, 440.0)[:, 0].astype(np.float64)
    # Away from the edges the error is about one LSB of a 10000-amplitude tone.
    assert np.abs(out[100:-100] - expected[100:-100]).max() < 4


def test_tones_above_8k_do_not_alias_into_speech_band() -> None:
    out = to_mono_16k(tone(48000, 1.0, 10000.0), 48000)
    assert np.sqrt(np.mean(out[100:-100].astype(np.float64) ** 2)) < 10


def test_16k_mono_passes_through_untouched() -> None:
    data = tone(16000, 0.5, 300.0)
    assert np.array_equal(to_mono_16k(data.tobytes(), 16000), data[:, 0])


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from([(48000, 2), (44100, 1), (22050, 2), (16000, 2)]),
    st.lists(st.integers(1, 4000), min_size=1, max_size=30),
)
def test_chunking_does_not_change_the_output(
    format_: tuple[int, int], chunk_sizes: list[int]
) -> None:
    rate, channels = format_
    rng = np.random.default_rng(len(chunk_sizes))
    data = (rng.standard_normal((sum(chunk_sizes), channels)) * 3000).astype(np.int16)
    whole = to_mono_16k(data, rate, channels)
    resampler = StreamResampler(rate, channels)
    parts, i = [], 0
    for n in chunk_sizes:
        parts.append(resampler.process(data[i : i + n]))
        i += n
    parts.append(resampler.flush())
    assert np.array_equal(np.concatenate(parts), whole)
    assert len(whole) == -(-len(data) * 16000 // rate)


def test_resampler_refuses_use_after_flush() -> None:
    resampler = StreamResampler(48000)
    resampler.flush()
    with pytest.raises(ValueError, match="after flush"):
        resampler.process(b"\0\0")
