"""``hemicycle media``: the WebRTC media endpoint beside the hall server.

    hemicycle media --url URL --key FILE (--hall-device NAME|INDEX | --hall-file AUDIO)
                    [--loudspeaker NAME|INDEX | --loudspeaker-wav FILE]
                    [--engine vosk|whisper] [--model PATH] [--language L] [--archive DIR]
                    [--sitting ID ...] [--ice-server URL [--ice-username U --ice-credential C]]

It answers remote members' calls, gates their audio by the floor, sends
each the floor mix, and runs the recorder's pipeline (archive, turns,
speech-to-text) on the floor: run it instead of ``hemicycle record``, with
the recorder device's key. No STUN server is asked unless ``--ice-server``
names one on the hall network. Exit codes: 0 done, 2 a configuration error
told on stderr in one line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from pathlib import Path

__all__ = ["add_media_parser", "cmd_media"]


def _fail(message: object) -> int:
    print(f"hemicycle media: {message}", file=sys.stderr)
    return 2


def _device(value: str) -> str | int:
    return int(value) if value.isdigit() else value


def add_media_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Register ``media``: remote members over WebRTC, heard on the floor while they hold it."""
    m = subparsers.add_parser(
        "media",
        help="run the WebRTC media endpoint for remote members (and the recorder on the floor)",
        description="Connect as the recorder device, answer remote members' calls, let their audio "
        "reach the floor, loudspeakers and record only while they hold the floor, and send each "
        "the hall feed plus the floor minus their own voice.",
    )
    m.add_argument("--url", required=True, help="the hall server, e.g. http://127.0.0.1:8765")
    m.add_argument("--key", required=True, help="the recorder device's key file (PEM); its name is the device id")
    m.add_argument("--device-id", help="device id enrolled for the key (default: the key file's name)")
    hall = m.add_mutually_exclusive_group(required=True)
    hall.add_argument("--hall-device", type=_device, help="the hall feed: PortAudio input, index or name")
    hall.add_argument("--hall-file", help="the hall feed from an audio file, played in real time (tests, demos)")
    out = m.add_mutually_exclusive_group()
    out.add_argument("--loudspeaker", type=_device, help="PortAudio output device for remote voices")
    out.add_argument("--loudspeaker-wav", help="write the loudspeaker feed to this WAV file instead")
    m.add_argument("--engine", choices=["vosk", "whisper"], default="vosk")
    m.add_argument("--model", help="model directory (default: the installed model package)")
    m.add_argument("--language", help="language for engines that take one (whisper)")
    m.add_argument("--archive", help="directory for the sittings' archives (one folder each: audio, and the "
                   "speaking remote members' video per turn)")
    m.add_argument("--sitting", action="append", help="follow only this sitting (repeatable)")
    m.add_argument("--ice-server", action="append", default=[],
                   help="a STUN/TURN server on the hall network, e.g. turn:10.0.0.5:3478 (repeatable)")
    m.add_argument("--ice-username", help="TURN user name")
    m.add_argument("--ice-credential", help="TURN password")
    m.set_defaults(fn=cmd_media)
    return m


def cmd_media(args: argparse.Namespace) -> int:
    key_path = Path(args.key)
    if not key_path.is_file():
        return _fail(f"no key file {key_path}: enrol the recorder device first")

    from protocol.keyfile import load_or_create_key
    from recorder.capture import AudioSource, FileSource, PyAudioSource
    from recorder.errors import RecorderError
    from recorder.media import FloorSink, IceServer, MediaEndpoint, PortAudioSink, WavSink
    from recorder.service import RecorderService
    from recorder.stt import make_engine
    from seat_client.identity import DeviceKey

    try:
        key = DeviceKey(args.device_id or key_path.stem, load_or_create_key(key_path))
    except (OSError, ValueError) as exc:
        return _fail(f"can't read key {key_path}: {exc}")
    try:
        engine = make_engine(args.engine, args.model, args.language)
        hall: AudioSource = (
            FileSource(args.hall_file, sample_rate=48000, channels=1, realtime=True)
            if args.hall_file
            else PyAudioSource(args.hall_device, sample_rate=48000, channels=1)
        )
        sink: FloorSink | None = None
        if args.loudspeaker is not None:
            sink = PortAudioSink(args.loudspeaker)
        elif args.loudspeaker_wav:
            sink = WavSink(args.loudspeaker_wav)
    except (RecorderError, OSError) as exc:
        return _fail(exc)
    ice = [IceServer(url, args.ice_username, args.ice_credential) for url in args.ice_server]
    endpoint = MediaEndpoint(args.url, key, hall, sink=sink, ice_servers=ice, sittings=args.sitting,
                             video_root=args.archive)
    recorder = RecorderService(args.url, key, endpoint.feed, engine, archive_root=args.archive, sittings=args.sitting)
    logging.getLogger("hemicycle.media").setLevel(logging.INFO)
    logging.getLogger("hemicycle.recorder").setLevel(logging.INFO)

    async def run() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        media_stats, recorder_stats = await asyncio.gather(endpoint.run(stop), recorder.run(stop))
        line = {"media": media_stats.to_dict(), "recorder": recorder_stats.to_dict()}
        print(json.dumps(line, ensure_ascii=False, default=str), file=sys.stderr, flush=True)
        return 0

    try:
        return asyncio.run(run())
    except RecorderError as exc:  # the hall feed would not open
        return _fail(exc)
