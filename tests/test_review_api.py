"""The clerks' review over HTTP: record with transcript versions, a turn's audio, downloads."""

from __future__ import annotations

import json
import math
import struct
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from hemicycle.simulate import simulate
from recorder.archive import ArchiveWriter
from recorder.capture import AudioFrame
from tests.hall import ServerProcess


def get(url: str, token: str | None) -> tuple[int, bytes, str]:
    req = urllib.request.Request(url, headers={"X-Hemicycle-Token": token} if token else {})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.read(), r.headers.get("Content-Type", "")
    except urllib.error.HTTPError as e:
        return e.code, e.read(), ""


@pytest.fixture(scope="module")
def sitting(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("review")
    srv = ServerProcess(f"sqlite:///{tmp / 'hall.db'}", tmp / "srv")
    srv.start()
    import asyncio

    summary = asyncio.run(simulate(srv.url, 5, srv.admin_token, progress=False))
    yield srv, summary
    srv.stop()


def test_review_gives_record_and_every_version(sitting: Any) -> None:
    srv, summary = sitting
    status, body, _ = get(f"{srv.url}/api/review/{summary['sitting']}", srv.admin_token)
    assert status == 200
    doc = json.loads(body)
    assert doc["record"]["header"]["number"] == 1
    versions = [v for segs in doc["transcript"].values() for s in segs for v in s["versions"]]
    assert {v["status"] for v in versions} == {"draft", "corrected", "approved"}
    assert all(s["words"] for segs in doc["transcript"].values() for s in segs)
    assert get(f"{srv.url}/api/review/{summary['sitting']}", None)[0] == 401
    assert get(f"{srv.url}/api/review/nope", srv.admin_token)[0] == 404


@pytest.mark.parametrize("fmt,magic", [("pdf", b"%PDF-"), ("akn", b"<?xml"), ("json", b"{")])
def test_exports_download(sitting: Any, fmt: str, magic: bytes) -> None:
    srv, summary = sitting
    status, body, _ = get(f"{srv.url}/api/export/{summary['sitting']}.{fmt}", srv.admin_token)
    assert status == 200 and body.startswith(magic)
    assert get(f"{srv.url}/api/export/{summary['sitting']}.{fmt}", "wrong-token-123")[0] == 401


def test_a_turns_audio_is_cut_from_the_archive(sitting: Any) -> None:
    srv, summary = sitting
    _, body, _ = get(f"{srv.url}/api/review/{summary['sitting']}", srv.admin_token)
    transcript = json.loads(body)["transcript"]
    turn, segments = next(iter(transcript.items()))
    assert get(f"{srv.url}/api/audio/{summary['sitting']}/{turn}", srv.admin_token)[0] == 404
    t0 = segments[0]["start_ms"] / 1000 - 2
    writer = ArchiveWriter(Path(srv.data) / "archive" / summary["sitting"], 16000, 1)
    for i in range(200):  # 4 s of a 440 Hz tone, 20 ms frames
        pcm = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * (i * 320 + n) / 16000)))
                       for n in range(320))
        writer.write(AudioFrame(pcm, 16000, 1, t0 + i * 0.02))
    writer.close()
    status, wav, ctype = get(f"{srv.url}/api/audio/{summary['sitting']}/{turn}", srv.admin_token)
    assert status == 200 and wav[:4] == b"RIFF" and ctype == "audio/wav"
    assert len(wav) > 16000  # more than half a second of 16-bit audio
