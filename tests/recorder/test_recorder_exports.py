"""The recorder's public surface is deliberate: pin it."""

from __future__ import annotations

import importlib

import pytest

EXPORTS = {
    "recorder.errors": [
        "ArchiveError",
        "AudioFileError",
        "CaptureError",
        "DeviceNotFound",
        "ModelNotFound",
        "RecorderError",
        "StreamFinished",
        "SttError",
        "TurnError",
        "UnknownEngine",
    ],
    "recorder.capture": [
        "AudioFrame",
        "AudioSource",
        "CaptureStats",
        "FileSource",
        "InputDevice",
        "PyAudioSource",
        "ReplayDevice",
        "list_devices",
        "make_replay_device",
        "probe_audio",
        "quiet_audio_libraries",
    ],
    "recorder.archive": ["Archive", "ArchiveWriter", "AudioClip", "cut_turn", "write_clip"],
    "recorder.turns": [
        "DEFAULT_GUARD",
        "STT_RATE",
        "StreamResampler",
        "Turn",
        "TurnEnded",
        "TurnStarted",
        "TurnWindow",
        "to_mono_16k",
        "turn_windows",
        "turns_from_events",
    ],
    "recorder.stt": [
        "ENGINES",
        "Engine",
        "Identified",
        "LanguageIdentifier",
        "RecognizerStream",
        "Segment",
        "SpeechGate",
        "VoskEngine",
        "WhisperEngine",
        "Word",
        "find_installed_model",
        "make_engine",
        "script_matches",
        "whisper_base_model",
    ],
    "recorder.transcribe": ["segments_to_json", "transcribe_file"],
    "recorder.pipeline": ["CaptionCallback", "FrameSink", "Pipeline", "PipelineStats", "SegmentCallback"],
    "recorder.sittings": ["FloorTurn", "SittingArchives", "TurnBook"],
    "recorder.transcript": [
        "SegmentCommand",
        "TurnRef",
        "command_id",
        "flag_command",
        "model_label",
        "segment_commands",
        "segment_id",
        "to_ms",
    ],
    "recorder.service": ["RecorderService", "RecorderStats", "transcribe_archived"],
    "recorder.cli": ["add_record_parser", "add_transcribe_parser", "main"],
}


@pytest.mark.parametrize("module", sorted(EXPORTS))
def test_exports(module: str) -> None:
    mod = importlib.import_module(module)
    assert sorted(mod.__all__) == EXPORTS[module]
    for name in mod.__all__:
        assert hasattr(mod, name)


def test_importing_the_recorder_does_not_load_engines_or_portaudio() -> None:
    import subprocess
    import sys

    code = (
        "import sys, recorder.pipeline, recorder.transcribe, recorder.cli, recorder.service;"
        "print(sorted(m for m in ('vosk', 'faster_whisper', 'pyaudio', 'av') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
