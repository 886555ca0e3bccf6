"""``hemicycle record`` and ``hemicycle transcribe``: the recorder's command line.

    hemicycle record --url URL --key FILE [--device NAME|INDEX] [--rate R] [--channels C]
                     [--engine vosk|whisper] [--model PATH] [--language L] [--archive DIR]
                     [--sitting ID ...] [--realtime] [--list-devices]
    hemicycle transcribe AUDIO --engine vosk|whisper [--model PATH] [--language L]

``hemicycle.cli`` registers both with :func:`add_record_parser` and
:func:`add_transcribe_parser`; ``python -m recorder.cli`` runs them alone.
Each sets ``fn`` to a function of the parsed arguments returning the exit
code: 0 done, 2 a configuration error (no model, no device, no key), told
on stderr in one line, without a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from pathlib import Path

from recorder.stt import SpeechGate

__all__ = ["add_record_parser", "add_transcribe_parser", "main"]

log = logging.getLogger("hemicycle.recorder")


def _fail(command: str, message: object) -> int:
    print(f"hemicycle {command}: {message}", file=sys.stderr)
    return 2


def _device(value: str) -> str | int:
    return int(value) if value.isdigit() else value


def add_record_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Register ``record``: capture the hall feed, follow the floor, transcribe into the record."""
    r = subparsers.add_parser(
        "record",
        help="run the recorder: capture, archive, transcribe each turn into the record",
        description="Connect to the hall server as its recorder device, capture the hall feed, "
        "archive it per sitting, and send each turn's transcript and live captions.",
    )
    r.add_argument("--url", help="the hall server, e.g. http://127.0.0.1:8765")
    r.add_argument("--key", help="the recorder device's Ed25519 key file (PEM); its name is the device id")
    r.add_argument("--device-id", help="device id enrolled for the key (default: the key file's name)")
    r.add_argument("--device", type=_device, help="input device: index, name, or part of a name")
    r.add_argument("--rate", type=int, default=48000, help="capture sample rate (default 48000)")
    r.add_argument("--channels", type=int, default=1, help="capture channels (default 1)")
    r.add_argument("--engine", choices=["vosk", "whisper"], default="vosk")
    r.add_argument("--model", help="model directory (default: the installed model package)")
    r.add_argument("--language", help="language for engines that take one (whisper)")
    r.add_argument(
        "--no-language-id",
        action="store_true",
        help="don't identify each turn's language (by default a turn in a language the model lacks "
        "gets no text and is flagged for the clerk to type)",
    )
    gate = SpeechGate()
    r.add_argument("--vad-threshold", type=float, default=gate.vad_threshold,
                   help=f"Silero speech probability (0-1) that counts as speech (default {gate.vad_threshold})")
    r.add_argument("--no-speech-prob", type=float, default=gate.no_speech_prob,
                   help=f"drop Whisper segments above this no-speech probability (default {gate.no_speech_prob})")
    r.add_argument("--min-logprob", type=float, default=gate.min_avg_logprob,
                   help=f"drop Whisper segments below this mean log-probability (default {gate.min_avg_logprob})")
    r.add_argument("--max-region", type=float, default=gate.max_region,
                   help=f"longest stretch of speech decoded at once, s (default {gate.max_region:g}; ~12 for Khmer)")
    r.add_argument("--archive", help="directory for the sittings' audio archives (one folder each)")
    r.add_argument("--sitting", action="append", help="follow only this sitting (repeatable)")
    r.add_argument(
        "--realtime",
        action="store_true",
        help="pace capture to the clock: for replay devices (ALSA file PCMs) that do not pace themselves",
    )
    r.add_argument("--list-devices", action="store_true", help="list input devices and exit")
    r.set_defaults(fn=cmd_record)
    return r


def add_transcribe_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """Register ``transcribe``: an audio file in, JSON segments out."""
    t = subparsers.add_parser(
        "transcribe",
        help="transcribe an audio file offline; JSON segments on stdout",
        description="Transcribe AUDIO (any format FFmpeg reads) through the recorder's engines "
        "and print JSON segments (text, start, end, words) on stdout; progress goes to stderr.",
    )
    t.add_argument("audio")
    t.add_argument("--engine", choices=["vosk", "whisper"], required=True)
    t.add_argument("--model", help="model directory (default: the installed model package)")
    t.add_argument("--language", help="language for engines that take one (whisper)")
    t.add_argument("--quiet", action="store_true", help="no progress bar")
    t.set_defaults(fn=cmd_transcribe)
    return t


def cmd_transcribe(args: argparse.Namespace) -> int:
    from recorder.errors import RecorderError
    from recorder.transcribe import segments_to_json, transcribe_file

    try:
        segments = transcribe_file(args.audio, args.engine, args.model, args.language, progress=not args.quiet)
    except RecorderError as exc:
        return _fail("transcribe", exc)
    json.dump(segments_to_json(segments), sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 0


def _list_devices() -> int:
    from recorder.capture import list_devices

    devices = list_devices()
    if not devices:
        print("no input devices", file=sys.stderr)
    for d in devices:
        print(f"{d.index:3d}  {d.name}  ({d.channels} ch, {d.default_sample_rate:.0f} Hz, {d.host_api})")
    return 0


def cmd_record(args: argparse.Namespace) -> int:
    if args.list_devices:
        return _list_devices()
    if not args.url or not args.key:
        return _fail("record", "--url and --key are required (or --list-devices)")
    key_path = Path(args.key)
    if not key_path.is_file():
        return _fail("record", f"no key file {key_path}: enrol the recorder device first")

    from protocol.keyfile import load_or_create_key
    from recorder.capture import PyAudioSource
    from recorder.errors import RecorderError
    from recorder.service import RecorderService
    from recorder.stt import make_engine
    from seat_client.identity import DeviceKey

    try:
        key = DeviceKey(args.device_id or key_path.stem, load_or_create_key(key_path))
    except (OSError, ValueError) as exc:
        return _fail("record", f"can't read key {key_path}: {exc}")
    try:
        gate = SpeechGate(vad_threshold=args.vad_threshold, no_speech_prob=args.no_speech_prob,
                          min_avg_logprob=args.min_logprob, max_region=args.max_region)
        engine = make_engine(args.engine, args.model, args.language, identify=not args.no_language_id, gate=gate)
    except RecorderError as exc:
        return _fail("record", exc)
    source = PyAudioSource(args.device, sample_rate=args.rate, channels=args.channels, realtime=args.realtime)
    service = RecorderService(args.url, key, source, engine, archive_root=args.archive, sittings=args.sitting)
    logging.getLogger("hemicycle.recorder").setLevel(logging.INFO)

    async def run() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        stats = await service.run(stop)
        print(json.dumps({"recorder": stats.to_dict()}, ensure_ascii=False), file=sys.stderr, flush=True)
        return 0

    try:
        return asyncio.run(run())
    except RecorderError as exc:  # the device would not open
        return _fail("record", exc)


def main(argv: list[str] | None = None) -> int:
    """``python -m recorder.cli record|transcribe ...`` until ``hemicycle`` carries them."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    parser = argparse.ArgumentParser(prog="hemicycle", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    add_record_parser(sub)
    add_transcribe_parser(sub)
    args = parser.parse_args(argv)
    return int(args.fn(args))


if __name__ == "__main__":
    sys.exit(main())
