"""``hemicycle demo``: one command, a running hall with the Senate seeded.

Starts the server as its own process (SQLite in the data folder), seeds the
Senate roster, the plenary and a commission meeting through the protocol,
plays a simulated sitting, and prints what to open next.

The sitting is spoken (unless ``scripted``): its first five speeches are
synthesised into a hall feed (:mod:`hemicycle.feed`), and the recorder,
beside the server in this process, captures that feed paced to the clock,
transcribes each turn with Whisper tiny.en (live captions every 1.5 s of
audio), identifies its language with Whisper base, and sends the segments
and captions to the hall. Khmer speeches, which no installed voice or model
covers, come out flagged for the clerk to type.

Beside them runs the media endpoint (``hemicycle media``) on the seeded
plenary, so that a remote member's page (``/remote``) can call in, be given
the floor from ``/chair`` and be heard, seen and transcribed. Its hall feed is
silence (no microphone is assumed on a demo machine).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from hemicycle.cli import admin_token_for
from hemicycle.feed import build_feed
from hemicycle.seed import Seeded, seed_senate
from hemicycle.senate import SPEECHES
from hemicycle.simulate import Spoken, simulate
from protocol.types import Role
from seat_client.client import HallClient
from seat_client.identity import folder_keys


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"server at {url} did not become healthy")


async def _seed(url: str, token: str, devices: Path) -> Seeded:
    clerk = HallClient(url, Role.CLERK, token)
    await clerk.connect()
    seeded = await seed_senate(clerk, keys=folder_keys(devices), plan=True)
    await clerk.close()
    return seeded


SPOKEN_TURNS = 5  # the speeches the simulated sitting's floor control gives before its votes


def _spoken(data: Path) -> Spoken:
    from recorder.stt import make_engine

    feed = build_feed(SPEECHES[:SPOKEN_TURNS], data / "speech")
    print("Loading speech recognition (Whisper tiny.en) and language identification (Whisper base) ...",
          flush=True)
    engine = make_engine("whisper", identify=True, caption_every=1.5)
    return Spoken(feed, engine, data / "archive")


def _print_spoken(summary: dict[str, Any]) -> None:
    print("Spoken turns (machine draft against the script):")
    for turn in summary["spoken"]:
        if turn["language"] == "en":
            print(f"  {turn['turn']} English  WER {turn['wer']:.2f}  live captions {turn['live_captions']}"
                  f"  machine: {turn['machine']!r}")
        else:
            print(f"  {turn['turn']} Khmer    no machine text; flagged for the clerk to type ({turn['flag']})")
    wers = [t["wer"] for t in summary["spoken"] if t["wer"] is not None]
    if wers:
        print(f"  English turns: mean WER {sum(wers) / len(wers):.2f}")


MEDIA_HALL_FEED_S = 2 * 3600  # the silent hall feed of the demo's media endpoint (its mix ends with it)


def _silence(path: Path, seconds: int) -> Path:
    """A 48 kHz mono FLAC of silence (a few kilobytes an hour), made once."""
    if path.exists():
        return path
    import av
    import numpy as np

    part = path.with_suffix(".part.flac")
    with av.open(str(part), "w", format="flac") as out:
        stream = out.add_stream("flac", rate=48000, layout="mono")
        block = np.zeros((1, 48000 * 60), dtype=np.int16)
        for minute in range(seconds // 60):
            frame = av.AudioFrame.from_ndarray(block, format="s16", layout="mono")
            frame.sample_rate, frame.pts = 48000, minute * block.shape[1]
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    part.rename(path)
    return path


def start_media(url: str, data: Path, seeded: Seeded) -> subprocess.Popen[bytes]:
    """``hemicycle media`` on the seeded plenary, as the recorder device, logging to ``data/media.log``."""
    feed = _silence(data / "hall-silence.flac", MEDIA_HALL_FEED_S)
    args = [sys.executable, "-m", "hemicycle.cli", "media", "--url", url,
            "--key", str(data / "devices" / f"{seeded.prefix}-recorder.pem"), "--hall-file", str(feed),
            "--engine", "whisper", "--archive", str(data / "archive"), "--sitting", seeded.plenary]
    with (data / "media.log").open("ab") as log:
        return subprocess.Popen(args, stdout=log, stderr=log)


def run_demo(data: Path, host: str, port: int, exit_after: bool, *, scripted: bool = False) -> int:
    data.mkdir(parents=True, exist_ok=True)
    spoken = None if scripted else _spoken(data)
    token = admin_token_for(data, None, create=True)
    url = f"http://{host}:{port}"
    env = {**os.environ, "HEMICYCLE_ADMIN_TOKEN": token}
    proc = subprocess.Popen(
        [sys.executable, "-m", "hemicycle.cli", "serve", "--host", host, "--port", str(port),
         "--data", str(data)],
        env=env,
    )
    media = None
    try:
        wait_healthy(url, proc)
        seeded = asyncio.run(_seed(url, token, data / "devices"))
        media = start_media(url, data, seeded)
        first = seeded.members[0]
        print(f"Hemicycle is running at {url}", flush=True)
        print(f"  sittings seeded: {seeded.plenary} and {seeded.commission}")
        print(f"  clerk:    {url}/clerk    sign in with the clerk token: {token}")
        print(f"  chair:    {url}/chair    seat: {url}/seat    display: {url}/display")
        print("            each browser shows a pairing code: enrol it in the clerk's Devices tab")
        print(f"  remote:   {url}/remote   a remote member over WebRTC: enrol it as a remote device for a member"
              f" (e.g. {first.name_latin}, PIN {first.pin}), check in, request the floor; grant it from /chair")
        print(f"            media endpoint on {seeded.plenary}, log {data / 'media.log'}")
        print(f"  Python devices' keys: {data / 'devices'}/   health, metrics: {url}/healthz  {url}/metrics")
        print("Playing a simulated sitting with 62 seats"
              + ("" if spoken is None else f"; its first {SPOKEN_TURNS} speeches spoken into the recorder")
              + f" ... (watch {url}/display)", flush=True)
        summary = asyncio.run(simulate(url, 62, token, spoken=spoken))
        print(json.dumps(summary, ensure_ascii=False, indent=2), flush=True)
        if spoken is not None:
            _print_spoken(summary)
        db = f"sqlite:///{data}/hall.db"
        print("Export it:")
        print(f"  hemicycle export {summary['sitting']} --db {db} --format json -o sitting.json"
              f" && hemicycle verify sitting.json")
        print(f"  hemicycle export {summary['sitting']} --db {db} --format pdf -o sitting.pdf")
        print(f"  hemicycle export {summary['sitting']} --db {db} --format akn -o sitting.akn.xml")
        if exit_after:
            return 0 if summary["errors"] == 0 else 1
        print("Press Ctrl-C to stop.", flush=True)
        proc.wait()
        return proc.returncode
    except KeyboardInterrupt:
        return 0
    finally:
        if media is not None and media.poll() is None:
            media.send_signal(signal.SIGTERM)
            try:
                media.wait(20)
            except subprocess.TimeoutExpired:
                media.kill()
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
