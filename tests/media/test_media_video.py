"""The speaking remote member's camera is archived per turn, and only during the turn."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import av

from protocol.commands import GrantFloor, StopSpeech
from recorder.capture import FileSource
from recorder.media import MediaEndpoint
from tests.media.netns import Netns
from tests.media.remote_hall import RATE, MemberPeer, RemoteHall, voices


async def test_the_speaking_members_video_is_archived_for_their_turn(tmp_path: Path, netns: Netns) -> None:
    hall_wav, member_wav, _ = voices(tmp_path)
    hall = RemoteHall(tmp_path)
    peer: MemberPeer | None = None
    stop = asyncio.Event()
    running: asyncio.Future[Any] | None = None
    try:
        await hall.open()
        feed = FileSource(hall_wav, sample_rate=RATE, channels=1, realtime=True)
        endpoint = MediaEndpoint(hall.server.url, hall.seeded.device("recorder"), feed, sittings=[hall.sitting],
                                 poll_interval=0.5, video_root=tmp_path / "archive")
        running = asyncio.ensure_future(endpoint.run(stop))
        peer = await hall.member_peer(netns, member_wav, tmp_path / "heard.wav", video=True)
        await peer.line(60)
        await asyncio.sleep(2)  # on camera, without the floor
        ack = await hall.chair.command(hall.sitting, GrantFloor(member_id=hall.member.member_id))
        await asyncio.sleep(4)
        await hall.chair.command(hall.sitting, StopSpeech(member_id=hall.member.member_id))
        await asyncio.sleep(2)  # on camera, the floor taken away
        await peer.hang_up()
        stop.set()
        stats = await asyncio.wait_for(running, 60)
        running = None
    finally:
        if peer is not None:
            await peer.kill()
        stop.set()
        if running is not None:
            await asyncio.wait_for(running, 60)
        await hall.close()

    (film,) = (tmp_path / "archive" / hall.sitting / "video").iterdir()
    assert film.name.startswith(f"{ack['turn_id']}-") and film.suffix == ".webm"
    with av.open(str(film)) as container:
        frames = list(container.decode(video=0))
    first, last = frames[0].time, frames[-1].time
    assert first is not None and last is not None
    seconds = last - first
    print(f"filmed {len(frames)} frames over {seconds:.2f} s; stats {stats.video_frames} taken, "
          f"{stats.video_dropped} dropped")
    assert (frames[0].width, frames[0].height) == (320, 240)
    assert 3.0 < seconds < 4.5  # the turn's 4 s, less the call's first frames' travel; none before or after
    assert len(frames) == stats.video_frames and len(frames) > 3.0 * 15
