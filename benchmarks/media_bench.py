"""Media benchmark: CPU of the media endpoint per remote member, beside a bare aiortc echo.

    .venv/bin/python benchmarks/media_bench.py [--members 1,4,8] [--seconds 20] [--ballots 40] [--remote 20]
                                               [--votes 5] [--out benchmarks/MEDIA.md]

Needs root (it makes a network namespace and a veth pair with iproute2).
For each number of members N, two runs with the same members:

* **Hemicycle**: a hall server, N remote members enrolled and checked in,
  the first one holding the floor; the media endpoint (``MediaEndpoint``:
  decode, floor gate, mix of a 48 kHz hall feed from a file, N mix-minus
  encodes; its floor feed drained as the recorder would, without
  speech-to-text) in its own process; signalling over the hall's sockets.
* **bare echo**: an aiortc answerer in its own process that sends each
  member's own track straight back (``MediaRelay``; decode and re-encode,
  nothing else); signalling by one HTTP POST.

Then the hall server's ballot-ack latency (``--ballots``): seated members
cast signed ballots (one roll-call after another, casts spread over 2 s)
before, while and after ``--remote`` remote members are connected to the
media endpoint, one of them holding the floor.

The members' peers (espeak-ng speech as their microphones, audio only) run
together in one process inside the namespace, so that media crosses the
veth pair. CPU is the endpoint process's user+system time over a window of
``--seconds`` once every call is up; "real time" is how many 20 ms mix
ticks the endpoint made in that window against how many the clock allows.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription  # noqa: E402
from aiortc.contrib.media import MediaPlayer, MediaRelay  # noqa: E402
from aiortc.mediastreams import MediaStreamError  # noqa: E402

from protocol.keyfile import load_or_create_key  # noqa: E402
from protocol.signalling import Answer, Offer, endpoint_signal  # noqa: E402
from protocol.types import Role  # noqa: E402
from seat_client.client import HallClient  # noqa: E402
from seat_client.identity import DeviceKey, folder_keys  # noqa: E402

TICK_S = 0.02
SELF = str(Path(__file__).resolve())  # the children run this file with a role


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- the processes ---------------------------------------------------------------


async def run_echo(port: int) -> None:
    """The bare baseline: answer each offer, send each member's track back to them."""
    relay = MediaRelay()
    pcs: set[RTCPeerConnection] = set()

    async def offer(request: web.Request) -> web.Response:
        body = await request.json()
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        pcs.add(pc)
        pc.on("track", lambda track: pc.addTrack(relay.subscribe(track)))
        await pc.setRemoteDescription(RTCSessionDescription(sdp=body["sdp"], type="offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        return web.json_response({"sdp": pc.localDescription.sdp})

    app = web.Application()
    app.router.add_post("/offer", offer)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "0.0.0.0", port).start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print(json.dumps({"ready": True}), flush=True)
    await stop.wait()
    for pc in pcs:
        await pc.close()
    await runner.cleanup()


async def run_endpoint(url: str, key: str, hall_wav: str, stats_out: str) -> None:
    """The media endpoint as ``hemicycle media`` runs it, its floor feed drained instead of transcribed."""
    from recorder.capture import FileSource
    from recorder.media import MediaEndpoint

    device = DeviceKey(Path(key).stem, load_or_create_key(Path(key)))
    hall = FileSource(hall_wav, sample_rate=48000, channels=1, realtime=True)
    endpoint = MediaEndpoint(url, device, hall, poll_interval=0.5)
    endpoint.feed.start()
    drain = threading.Thread(target=lambda: [None for _ in endpoint.feed.frames()], daemon=True)
    drain.start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print(json.dumps({"ready": True}), flush=True)
    started = time.monotonic()

    async def report() -> None:
        while not stop.is_set():
            stats = endpoint.stats()
            line = json.dumps({"elapsed": time.monotonic() - started, "ticks": stats.ticks,
                               "mix_dropped": sum(stats.mix_dropped.values()), "peers": len(stats.peers)})
            await asyncio.to_thread(Path(stats_out).write_text, line)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.5)

    await asyncio.gather(endpoint.run(stop), report())
    endpoint.feed.stop()


async def run_members(mode: str, target: str, keys: list[str], play: str) -> None:
    """N members' peers in this process; each plays ``play`` and takes in what it hears."""
    pcs: list[RTCPeerConnection] = []
    tasks: set[asyncio.Task[Any]] = set()

    async def drain(track: MediaStreamTrack) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                await track.recv()

    async def join(key_path: str | None) -> None:
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        pcs.append(pc)
        player = MediaPlayer(play, loop=True)
        assert player.audio is not None
        pc.addTrack(player.audio)
        up = asyncio.Event()
        pc.on("track", lambda track: tasks.add(asyncio.ensure_future(drain(track))))
        pc.on("connectionstatechange", lambda: up.set() if pc.connectionState == "connected" else None)
        await pc.setLocalDescription(await pc.createOffer())
        if mode == "echo":
            async with aiohttp.ClientSession() as http, \
                    http.post(f"{target}/offer", json={"sdp": pc.localDescription.sdp}) as r:
                sdp = (await r.json())["sdp"]
        else:
            assert key_path is not None
            client = HallClient(target, Role.REMOTE, DeviceKey(Path(key_path).stem, load_or_create_key(Path(key_path))))
            answers: asyncio.Queue[Any] = asyncio.Queue()
            client.sio.on("signal", lambda d: answers.put_nowait(endpoint_signal.validate_python(d)),
                          namespace="/remote")
            await client.connect()
            while not (await client.call("signal", Offer(sdp=pc.localDescription.sdp).model_dump(mode="json")))["ok"]:
                await asyncio.sleep(0.3)
            answer = await asyncio.wait_for(answers.get(), 30)
            assert isinstance(answer, Answer)
            sdp = answer.sdp
        await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))
        await asyncio.wait_for(up.wait(), 30)

    await asyncio.gather(*(join(k) for k in keys))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print(json.dumps({"connected": len(pcs)}), flush=True)
    await stop.wait()
    for pc in pcs:
        await pc.close()


# -- the driver ------------------------------------------------------------------


class Child:
    """A child process that prints one JSON line when it is ready."""

    def __init__(self, args: list[str], log: Path) -> None:
        self.log = log
        out = log.open("ab")
        self.proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=out,
                                     env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"})
        out.close()

    def ready(self, timeout: float = 90) -> dict[str, Any]:
        assert self.proc.stdout is not None
        box: list[bytes] = []
        reader = threading.Thread(target=lambda: box.append(self.proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(timeout)
        if not box or not box[0]:
            raise RuntimeError(f"{self.proc.args[:6]} not ready: {self.log.read_text()[-2000:]}")
        return dict(json.loads(box[0]))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def measure(pid: int, seconds: float, stats_file: Path | None) -> dict[str, float]:
    """CPU share of one core over ``seconds``, and mix ticks against the clock if the endpoint reports them."""
    before_stats = json.loads(stats_file.read_text()) if stats_file else None
    cpu0, t0 = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    cpu1, t1 = cpu_seconds(pid), time.monotonic()
    result = {"cpu": (cpu1 - cpu0) / (t1 - t0)}
    if stats_file and before_stats:
        after = json.loads(stats_file.read_text())
        elapsed = after["elapsed"] - before_stats["elapsed"]
        result["realtime"] = (after["ticks"] - before_stats["ticks"]) * TICK_S / elapsed if elapsed > 0 else 0.0
        result["mix_dropped"] = after["mix_dropped"] - before_stats["mix_dropped"]
    return result


async def setup_hall(tmp: Path, members: int) -> tuple[Any, str, list[str], str]:
    """A hall server with ``members`` remote members checked in, the first holding the floor."""
    from hemicycle.seed import seed_senate
    from protocol.commands import REGISTRY_STREAM, CheckIn, EnrolDevice, GrantFloor, NextItem, OpenSitting
    from seat_client.identity import folder_keys
    from tests.hall import ServerProcess

    server = ServerProcess(f"sqlite:///{tmp / 'hall.db'}", tmp / "srv", extra=("--host", "0.0.0.0"))
    server.start()
    keys = folder_keys(tmp / "keys")
    clerk = HallClient(server.url, Role.CLERK, server.admin_token)
    await clerk.connect()
    prefix = f"b{uuid.uuid4().hex[:6]}"
    seeded = await seed_senate(clerk, seats=members, prefix=prefix, commission=False, keys=keys)
    chair = HallClient(server.url, Role.CHAIR, seeded.device("chair"))
    await chair.connect()
    await chair.command(seeded.plenary, OpenSitting(without_quorum=True))
    await chair.command(seeded.plenary, NextItem())
    key_files = []
    for i, m in enumerate(seeded.members[:members]):
        device_id = f"{prefix}-remote-{i}"
        await clerk.command(REGISTRY_STREAM, EnrolDevice(device_id=device_id, role=Role.REMOTE,
                                                         member_id=m.member_id, public_key=keys(device_id).public_hex))
        remote = HallClient(server.url, Role.REMOTE, keys(device_id))
        await remote.connect()
        await remote.command(seeded.plenary, CheckIn(member_id=m.member_id, pin=m.pin, remote=True))
        await remote.close()
        key_files.append(str(tmp / "keys" / f"{device_id}.pem"))
    await chair.command(seeded.plenary, GrantFloor(member_id=seeded.members[0].member_id))
    seeded.device("recorder")
    await chair.close()
    await clerk.close()
    return server, str(tmp / "keys" / f"{prefix}-recorder.pem"), key_files, seeded.plenary


def bench(n: int, seconds: float, tmp: Path, netns: Any, play: Path, hall_wav: Path) -> dict[str, dict[str, float]]:
    me = [sys.executable, SELF]
    results: dict[str, dict[str, float]] = {}
    # bare echo
    port = 18000 + os.getpid() % 1000
    echo = Child([*me, "echo", "--port", str(port)], tmp / f"echo-{n}.log")
    members: Child | None = None
    try:
        echo.ready()
        members = Child([*netns.exec(), *me, "members", "--mode", "echo", "--target",
                         f"http://{netns.host_ip}:{port}", "--count", str(n), "--play", str(play)],
                        tmp / f"members-echo-{n}.log")
        members.ready()
        time.sleep(2)
        results["echo"] = measure(echo.proc.pid, seconds, None)
    finally:
        if members:
            members.stop()
        echo.stop()
    # Hemicycle
    run = tmp / f"hall-{n}"
    run.mkdir()
    server, recorder_key, key_files, _ = asyncio.run(setup_hall(run, n))
    stats_file = run / "endpoint.json"
    endpoint = Child([*me, "endpoint", "--url", server.url, "--key", recorder_key, "--hall", str(hall_wav),
                      "--stats", str(stats_file)], tmp / f"endpoint-{n}.log")
    members = None
    try:
        endpoint.ready()
        members = Child([*netns.exec(), *me, "members", "--mode", "hall", "--target",
                         f"http://{netns.host_ip}:{server.port}", "--keys", ",".join(key_files),
                         "--play", str(play)], tmp / f"members-hall-{n}.log")
        members.ready()
        time.sleep(2)
        results["hemicycle"] = measure(endpoint.proc.pid, seconds, stats_file)
    finally:
        if members:
            members.stop()
        endpoint.stop()
        server.stop()
    return results


async def ballot_acks(tmp: Path, netns: Any, play: Path, hall_wav: Path, seated: int, remote: int,
                      votes: int, members_nice: int, endpoint_nice: int) -> dict[str, Any]:
    """Ballot acks (ms) of ``seated`` seats with no remote member, with ``remote`` in calls, and after."""
    from benchmarks.recorder_bench import HallRun
    from protocol.commands import REGISTRY_STREAM, CheckIn, CheckOut, EnrolDevice, GrantFloor

    hall = HallRun(tmp, seated + remote)
    hall.server.extra = ("--host", "0.0.0.0")
    await hall.open()
    me = [sys.executable, SELF]
    endpoint: Child | None = None
    members: Child | None = None
    try:
        clerk = hall.clients[0]
        keys = folder_keys(tmp / "keys")
        key_files = []
        for i in range(seated, seated + remote):  # these members leave their seats and join remotely
            m = hall.seeded.members[i]
            await hall.seats[i].command(hall.sitting, CheckOut(member_id=m.member_id))
            device_id = f"{hall.seeded.prefix}-remote-{i}"
            await clerk.command(REGISTRY_STREAM, EnrolDevice(device_id=device_id, role=Role.REMOTE,
                                                             member_id=m.member_id,
                                                             public_key=keys(device_id).public_hex))
            client = HallClient(hall.server.url, Role.REMOTE, keys(device_id))
            await client.connect()
            await client.command(hall.sitting, CheckIn(member_id=m.member_id, pin=m.pin, remote=True))
            await client.close()
            key_files.append(str(tmp / "keys" / f"{device_id}.pem"))
        await hall.chair.command(hall.sitting, GrantFloor(member_id=hall.seeded.members[seated].member_id))

        async def roll_calls() -> list[float]:
            acks: list[float] = []
            for _ in range(votes):
                acks += await roll_call(hall, seated)
            return acks

        before = await roll_calls()
        endpoint = Child(["nice", "-n", str(endpoint_nice), *me, "endpoint", "--url", hall.server.url, "--key",
                          str(tmp / "keys" / f"{hall.seeded.prefix}-recorder.pem"), "--hall", str(hall_wav),
                          "--stats", str(tmp / "ballots-endpoint.json")], tmp / "ballots-endpoint.log")
        await asyncio.to_thread(endpoint.ready)
        members = Child(["nice", "-n", str(members_nice), *netns.exec(), *me, "members", "--mode", "hall",
                         "--target", f"http://{netns.host_ip}:{hall.server.port}", "--keys", ",".join(key_files),
                         "--play", str(play)], tmp / "ballots-members.log")
        await asyncio.to_thread(members.ready)
        server_cpu0 = cpu_seconds(hall.server.proc.pid)  # type: ignore[union-attr]
        t0 = time.monotonic()
        during = await roll_calls()
        server_cpu = (cpu_seconds(hall.server.proc.pid) - server_cpu0) / (time.monotonic() - t0)  # type: ignore[union-attr]
        members.stop()
        endpoint.stop()
        members = endpoint = None
        after = await roll_calls()
    finally:
        if members:
            members.stop()
        if endpoint:
            endpoint.stop()
        await hall.close()
    return {"before": before, "during": during, "after": after, "server_cpu": server_cpu}


async def roll_call(hall: Any, seated: int) -> list[float]:
    """One roll-call of the first ``seated`` seats, casts spread over 2 s; each ack's latency in ms."""
    from protocol.commands import CloseVote, OpenVote

    acks: list[float] = []
    vote = f"v{uuid.uuid4().hex[:8]}"
    await hall.chair.command(hall.sitting, OpenVote(without_quorum=True, vote_id=vote, motion_km="សំណើ",
                                                    motion_en="Motion"))

    async def cast(i: int, at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        m = hall.seeded.members[i]
        ballot = hall.seats[i].identity.ballot(hall.sitting, vote, m.member_id, m.seat, "yes")
        started = time.perf_counter()
        await hall.seats[i].command(hall.sitting, ballot)
        acks.append((time.perf_counter() - started) * 1000)

    t0 = time.perf_counter()
    await asyncio.gather(*(cast(i, t0 + i * 2.0 / seated) for i in range(seated)))
    await hall.chair.command(hall.sitting, CloseVote(vote_id=vote))
    return acks


def ms(values: list[float]) -> str:
    ordered = sorted(values)
    return " | ".join(f"{ordered[min(len(ordered) - 1, int(p * len(ordered)))]:.1f} ms" for p in (0.5, 0.95, 0.99)) + \
        f" | {ordered[-1]:.1f} ms"


def report(rows: dict[int, dict[str, dict[str, float]]], seconds: float, load: list[str]) -> str:
    out = [
        "# Media benchmark",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, Python "
        f"{platform.python_version()}. Load average (1, 5, 15 min) before each run: {'; '.join(load)} — the "
        "machine is shared with other work, so read the numbers as an upper bound.",
        f"Run: `.venv/bin/python benchmarks/media_bench.py --members {','.join(map(str, rows))} "
        f"--seconds {seconds:g}` on {time.strftime('%Y-%m-%d')}.",
        "",
        "Each remote member sends one audio track (espeak-ng speech, Opus) and receives one. CPU is the "
        "endpoint process's user+system time over the window, as a share of one core. The bare echo decodes "
        "each member's audio and encodes it back (aiortc `MediaRelay`), nothing else; the Hemicycle endpoint "
        "also resamples to 48 kHz mono, gates by the floor (the first member holds it), mixes a 48 kHz hall "
        "feed read from a file in real time, and encodes one mix-minus per member. Media crosses a veth pair "
        "into a network namespace; no STUN.",
        "",
        "| members | bare echo CPU | per member | Hemicycle endpoint CPU | per member | mix ticks / clock "
        "| mix frames dropped |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for n, r in rows.items():
        e, h = r["echo"], r["hemicycle"]
        out.append(f"| {n} | {e['cpu']:.1%} | {e['cpu'] / n:.1%} | {h['cpu']:.1%} | {h['cpu'] / n:.1%} "
                   f"| {h.get('realtime', 0):.3f} | {h.get('mix_dropped', 0):.0f} |")
    out += [
        "",
        "\"Mix ticks / clock\" is 1.000 while the mix keeps real time (the hall feed's clock drives it); a "
        "member whose mix falls behind loses its oldest frames (\"dropped\").",
        "",
        "",
    ]
    return "\n".join(out)


def ballots_report(acks: dict[str, Any], seated: int, remote: int, votes: int, members_nice: int,
                   endpoint_nice: int, load: str) -> str:
    return "\n".join([
        f"## The hall's ballot-ack latency while remote members are connected (members' peers nice "
        f"{members_nice}, endpoint nice {endpoint_nice})",
        "",
        f"Run: `.venv/bin/python benchmarks/media_bench.py --ballots {seated} --remote {remote} --votes {votes} "
        f"--members-nice {members_nice} --endpoint-nice {endpoint_nice}`; load average after: {load}.",
        "",
        f"{seated} seated members cast signed ballots ({votes} roll-calls per phase, each seat's cast spread "
        f"over 2 s), before, while and after {remote} remote members are in calls with the media endpoint "
        "(one holding the floor); endpoint and members' peers are their own processes on the same 2 cores.",
        "",
        "| phase | ballots | median | p95 | p99 | worst |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| before: no remote member | {len(acks['before'])} | {ms(acks['before'])} |",
        f"| {remote} remote members in calls | {len(acks['during'])} | {ms(acks['during'])} |",
        f"| after they hung up | {len(acks['after'])} | {ms(acks['after'])} |",
        "",
        f"The hall server's own CPU meanwhile: {acks['server_cpu']:.1%} of a core (it relays no media).",
        "",
        "",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="role")
    e = sub.add_parser("echo")
    e.add_argument("--port", type=int, required=True)
    p = sub.add_parser("endpoint")
    for name in ("--url", "--key", "--hall", "--stats"):
        p.add_argument(name, required=True)
    m = sub.add_parser("members")
    m.add_argument("--mode", choices=["echo", "hall"], required=True)
    m.add_argument("--target", required=True)
    m.add_argument("--count", type=int, default=0)
    m.add_argument("--keys", default="")
    m.add_argument("--play", required=True)
    parser.add_argument("--members", default="1,4,8")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--members-nice", type=int, default=0,
                        help="niceness of the members' peers (19: they stand for laptops elsewhere)")
    parser.add_argument("--endpoint-nice", type=int, default=0, help="niceness of the media endpoint")
    parser.add_argument("--ballots", type=int, default=40, help="seated members casting ballots (0: skip)")
    parser.add_argument("--remote", type=int, default=20, help="remote members connected meanwhile")
    parser.add_argument("--votes", type=int, default=5, help="roll-calls in each phase")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "MEDIA.md"))
    args = parser.parse_args()
    if args.role == "echo":
        asyncio.run(run_echo(args.port))
    elif args.role == "endpoint":
        asyncio.run(run_endpoint(args.url, args.key, args.hall, args.stats))
    elif args.role == "members":
        keys = args.keys.split(",") if args.keys else [None] * args.count
        asyncio.run(run_members(args.mode, args.target, keys, args.play))
    else:
        from tests.media.netns import veth_namespace
        from tests.media.remote_hall import voices

        rows: dict[int, dict[str, dict[str, float]]] = {}
        load: list[str] = []
        with tempfile.TemporaryDirectory() as d, veth_namespace() as netns:
            tmp = Path(d)
            hall_wav, play, _ = voices(tmp)
            for n in (int(x) for x in args.members.split(",") if x):
                load.append(" ".join(f"{x:.2f}" for x in os.getloadavg()))
                rows[n] = bench(n, args.seconds, tmp, netns, play, hall_wav)
                print(n, rows[n], file=sys.stderr, flush=True)
            text = report(rows, args.seconds, load) if rows else "# Media benchmark\n\n"
            if args.ballots:
                run = tmp / "ballots"
                run.mkdir()
                acks = asyncio.run(ballot_acks(run, netns, play, hall_wav, args.ballots, args.remote, args.votes,
                                               args.members_nice, args.endpoint_nice))
                text += ballots_report(acks, args.ballots, args.remote, args.votes, args.members_nice,
                                       args.endpoint_nice, " ".join(f"{x:.2f}" for x in os.getloadavg()))
        Path(args.out).write_text(text)
        print(Path(args.out).read_text())


if __name__ == "__main__":
    main()
