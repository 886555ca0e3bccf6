"""Kill -9 of ``hemicycle media`` mid-turn: the member calls the restarted endpoint again,
the archive holds the turn up to the last second before the crash, and the turn still gets
one transcript segment, attributed to the member.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from procedure import SittingState
from protocol.commands import GrantFloor, RequestFloor, StopSpeech
from recorder.archive import Archive
from tests.media.netns import Netns
from tests.media.remote_hall import MediaProcess, MemberPeer, RemoteHall, bands, floor_audio, voices


async def test_members_call_the_restarted_endpoint_and_the_archive_survives(tmp_path: Path, netns: Netns) -> None:
    hall_wav, member_wav, loop_s = voices(tmp_path)
    hall = RemoteHall(tmp_path)
    archive_root = tmp_path / "archive"
    media = MediaProcess(hall, hall_wav, archive_root)
    peer: MemberPeer | None = None
    try:
        await hall.open()
        sitting, member = hall.sitting, hall.member
        media.start()
        peer = await hall.member_peer(netns, member_wav, tmp_path / "heard.wav")
        first = await peer.line(60)
        await hall.remote.command(sitting, RequestFloor(member_id=member.member_id))
        await hall.chair.command(sitting, GrantFloor(member_id=member.member_id))
        await asyncio.sleep(loop_s)
        killed = time.time()
        media.kill9()
        media.start()
        again = await peer.line(60)  # the member noticed the silence and called again
        recalled = time.time()
        await asyncio.sleep(loop_s)
        await hall.chair.command(sitting, StopSpeech(member_id=member.member_id))
        state = await hall.chair.wait_for(sitting, lambda s: isinstance(s, SittingState) and bool(s.transcript), 120)
        await peer.hang_up()
        stats = media.stop()
    finally:
        if peer is not None:
            await peer.kill()
        if media.proc is not None and media.proc.poll() is None:
            media.kill9()
        await hall.close()

    assert first["pair"] == again["pair"] == [netns.member_ip, netns.host_ip]
    print(f"called again {recalled - killed:.2f} s after the kill; stats {stats}")
    (granted,), (stopped,) = hall.floor_at["floor.granted"], hall.floor_at["floor.stopped"]
    archive = archive_root / sitting
    pieces = Archive(archive).pieces(granted, stopped)
    assert len(pieces) == 2, [(p.start_wall, p.duration) for p in pieces]  # the crash left one gap
    before_crash = pieces[0]
    lost = killed - (before_crash.start_wall + before_crash.duration)
    print(f"archive: the first run's audio ends {lost:.2f} s before the kill")
    assert lost < 1.5  # flushed (fsync) every second
    for piece in pieces:  # the member's voice on both sides of the crash
        voice = bands(floor_audio(archive, piece.start_wall + 0.5, piece.start_wall + piece.duration - 0.1))
        assert voice["member"] / voice["total"] > 0.005, voice

    assert isinstance(state, SittingState)
    segments = [s.added for s in state.transcript.values()]
    assert len(segments) == 1 and segments[0].member_id == member.member_id and segments[0].text, segments
