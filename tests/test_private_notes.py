"""Private notes over real sockets: only the member's own device, while checked in, ever gets them.

A real hall server in its own process; a raw Socket.IO client per device (two seats, two remote
members, chair, clerk, display, recorder), each keeping every message the server pushes to it.
Member A writes a note; every other device asks for notes, follows the sitting, watches A check
out and in again at another seat; the note's words reach A's devices only, no other device ever
sees them in any push or answer, and the database holds them sealed, not in clear.
"""

from __future__ import annotations

import json
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import socketio
from sqlalchemy import text

from hall_server.store import engine_for
from hemicycle.seed import seed_senate
from protocol.commands import REGISTRY_STREAM, CheckIn, CheckOut, EnrolDevice
from protocol.types import Role
from seat_client.client import HallClient
from seat_client.identity import DeviceKey, memory_keys
from tests.hall import ServerProcess

SECRET = "ក្រដាសសម្ងាត់ private-note-" + uuid.uuid4().hex


class Device:
    """A raw Socket.IO client of one role that keeps everything it receives, pushes and answers."""

    def __init__(self, url: str, role: Role, key: DeviceKey) -> None:
        self.url, self.role, self.key = url, role, key
        self.ns = f"/{role.value}"
        self.sio = socketio.AsyncClient(reconnection=False)
        self.received: list[Any] = []
        self.sio.on("*", self._keep, namespace=self.ns)

    async def _keep(self, event: str, data: Any = None) -> None:
        self.received.append((event, data))

    async def connect(self) -> None:
        with urllib.request.urlopen(f"{self.url}/api/challenge") as r:
            nonce = json.loads(r.read())["nonce"]
        await self.sio.connect(self.url, namespaces=[self.ns], auth=self.key.connect_auth(nonce),
                               transports=["websocket"], wait_timeout=10)

    async def call(self, event: str, data: Any) -> Any:
        answer = await self.sio.call(event, data, namespace=self.ns, timeout=10)
        self.received.append((f"{event} ack", answer))
        return answer

    def saw(self, text: str) -> bool:
        return text in json.dumps(self.received, ensure_ascii=False)


def stored_rows(db_url: str) -> list[tuple[bytes, bytes]]:
    """The notes table as the database holds it (SQLite or PostgreSQL)."""
    engine = engine_for(db_url)
    try:
        with engine.connect() as conn:
            return [(bytes(n), bytes(s)) for n, s in conn.execute(text("SELECT nonce, sealed FROM private_notes"))]
    finally:
        engine.dispose()


async def test_a_members_notes_reach_only_that_member_on_any_tablet(server: ServerProcess) -> None:
    clerk = HallClient(server.url, Role.CLERK, server.admin_token)
    await clerk.connect()
    devices: list[Device] = []
    try:
        seeded = await seed_senate(clerk, seats=4, prefix=f"n{uuid.uuid4().hex[:4]}", commission=False)
        sitting, m = seeded.plenary, seeded.members
        a, b = m[0], m[1]
        remote_keys = memory_keys()
        for member in (m[2], a):  # another member's remote device, and A's own
            key = remote_keys(f"{seeded.prefix}-remote-{member.member_id}")
            await clerk.command(REGISTRY_STREAM, EnrolDevice(device_id=key.device_id, role=Role.REMOTE,
                                                             member_id=member.member_id, public_key=key.public_hex))
        seat_a = Device(server.url, Role.SEAT, seeded.device(f"seat-{a.seat}"))
        seat_b = Device(server.url, Role.SEAT, seeded.device(f"seat-{b.seat}"))
        remote_other = Device(server.url, Role.REMOTE, remote_keys(f"{seeded.prefix}-remote-{m[2].member_id}"))
        remote_a = Device(server.url, Role.REMOTE, remote_keys(f"{seeded.prefix}-remote-{a.member_id}"))
        chair = Device(server.url, Role.CHAIR, seeded.device("chair"))
        display = Device(server.url, Role.DISPLAY, seeded.device("display"))
        recorder = Device(server.url, Role.RECORDER, seeded.device("recorder"))
        clerk_dev = Device(server.url, Role.CLERK, seeded.keys("unused"))
        devices = [seat_a, seat_b, remote_other, remote_a, chair, display, recorder]
        for d in devices:
            await d.connect()
            assert (await d.call("view", {"stream": sitting}))["ok"]
            assert (await d.call("sync", {"stream": sitting, "after": 0}))["ok"]
        # The bootstrap clerk (admin token) too, the role with the widest view.
        await clerk_dev.sio.connect(server.url, namespaces=["/clerk"], auth={"v": 1, "token": server.admin_token},
                                    transports=["websocket"], wait_timeout=10)
        devices.append(clerk_dev)
        assert (await clerk_dev.call("view", {"stream": sitting}))["ok"]
        assert (await clerk_dev.call("sync", {"stream": sitting, "after": 0}))["ok"]
        item = (await seat_a.call("view", {"stream": sitting}))["view"]["items"][0]["item_id"]

        # Nobody checked in at the seat: no notes to read or write.
        refused = await seat_a.call("note", {"stream": sitting, "item_id": item, "text": SECRET})
        assert refused["error"]["code"] == "not_present"

        seat_a_client = HallClient(server.url, Role.SEAT, seeded.device(f"seat-{a.seat}"))
        seat_b_client = HallClient(server.url, Role.SEAT, seeded.device(f"seat-{b.seat}"))
        for c in (seat_a_client, seat_b_client):
            await c.connect()
        try:
            await seat_a_client.command(sitting, CheckIn(member_id=a.member_id, pin=a.pin))
            await seat_b_client.command(sitting, CheckIn(member_id=b.member_id, pin=b.pin))
            await clerk.command(sitting, CheckIn(member_id=m[2].member_id, remote=True))

            written = await seat_a.call("note", {"stream": sitting, "item_id": item, "text": SECRET})
            assert written["ok"], written
            mine = await seat_a.call("notes", {"stream": sitting})
            assert mine["member_id"] == a.member_id
            assert [(n["item_id"], n["text"]) for n in mine["notes"]] == [(item, SECRET)]

            # Every other device asks, for itself and by naming the sitting: never A's note.
            answers = {d.role.value + ("/b" if d is seat_b else ""): await d.call("notes", {"stream": sitting})
                       for d in devices if d not in (seat_a, remote_a)}
            assert answers["seat/b"] == {"ok": True, "member_id": b.member_id, "notes": []}
            assert answers["remote"] == {"ok": True, "member_id": m[2].member_id, "notes": []}
            for role in ("chair", "clerk", "display", "recorder"):
                assert answers[role]["error"]["code"] == "forbidden", (role, answers[role])
            # A message naming A does not help: the member comes from the connection, not the message.
            sneaky = await seat_b.call("notes", {"stream": sitting, "member_id": a.member_id})
            assert sneaky["error"]["code"] == "malformed"
            # A's own remote device is A's, but A is checked in at a seat, so it reads them as well.
            assert (await remote_a.call("notes", {"stream": sitting}))["notes"][0]["text"] == SECRET

            # A checks out: the seat no longer reads them; A checks in at B's seat (B leaves) and finds them.
            await seat_a_client.command(sitting, CheckOut(member_id=a.member_id))
            gone = await seat_a.call("notes", {"stream": sitting})
            assert gone["error"]["code"] == "not_present"
            assert (await remote_a.call("notes", {"stream": sitting}))["error"]["code"] == "not_present"
            await seat_b_client.command(sitting, CheckOut(member_id=b.member_id))
            await seat_b_client.command(sitting, CheckIn(member_id=a.member_id, pin=a.pin))
            moved = await seat_b.call("notes", {"stream": sitting})
            assert moved["member_id"] == a.member_id and moved["notes"][0]["text"] == SECRET
            await seat_b_client.command(sitting, CheckOut(member_id=a.member_id))
            await seat_b_client.command(sitting, CheckIn(member_id=b.member_id, pin=b.pin))
            assert (await seat_b.call("notes", {"stream": sitting}))["notes"] == []
        finally:
            for c in (seat_a_client, seat_b_client):
                await c.close()

        # Every spy heard the sitting's pushes (the check-ins and -outs), so silence about the note means something.
        heard = {d.role.value: sorted({event for event, _ in d.received}) for d in devices}
        assert all({"records", "view"} <= set(events) for events in heard.values()), heard
        # Besides the answers to A's own requests (at A's seat, A's remote device, and B's seat
        # while A sat there), no message to any device carried the note.
        leaks = []
        for d in devices:
            own = {"note ack", "notes ack"} if d in (seat_a, seat_b, remote_a) else set()
            if any(SECRET in json.dumps(data, ensure_ascii=False) for event, data in d.received if event not in own):
                leaks.append(d.role.value)
        assert not leaks, leaks
        assert not any(d.saw(SECRET) for d in devices if d not in (seat_a, seat_b, remote_a))
        # Not in the log, and sealed at rest: the stored row (and a SQLite file) holds no trace of the words.
        rows = stored_rows(server.db_url)
        assert len(rows) == 1 and all(SECRET.split()[-1].encode() not in b"".join(r) for r in rows)
        if server.db_url.startswith("sqlite:///"):
            db = server.db_url.removeprefix("sqlite:///")
            raw = b"".join(Path(p).read_bytes() for p in (db, db + "-wal") if Path(p).exists())
            assert SECRET.encode() not in raw and SECRET.split()[-1].encode() not in raw
        records = await clerk.call("sync", {"stream": sitting, "after": 0})
        assert SECRET not in json.dumps(records, ensure_ascii=False)
    finally:
        for d in devices:
            await d.sio.disconnect()
        await clerk.close()


async def test_notes_refuse_bad_messages_and_unknown_items(server: ServerProcess) -> None:
    clerk = HallClient(server.url, Role.CLERK, server.admin_token)
    await clerk.connect()
    seeded = await seed_senate(clerk, seats=2, prefix=f"n{uuid.uuid4().hex[:4]}", commission=False)
    a = seeded.members[0]
    seat = Device(server.url, Role.SEAT, seeded.device(f"seat-{a.seat}"))
    await seat.connect()
    client = HallClient(server.url, Role.SEAT, seeded.device(f"seat-{a.seat}"))
    await client.connect()
    try:
        await client.command(seeded.plenary, CheckIn(member_id=a.member_id, pin=a.pin))
        cases = [
            ("notes", None, "malformed"),
            ("notes", {"stream": "no-such-sitting"}, "unknown_sitting"),
            ("note", {"stream": seeded.plenary, "item_id": "nope", "text": "x"}, "unknown_item"),
            ("note", {"stream": seeded.plenary, "item_id": "x", "text": "ក" * 10_001}, "malformed"),
        ]
        for event, data, code in cases:
            answer = await seat.call(event, data)
            assert answer["ok"] is False and answer["error"]["code"] == code, (event, data, answer)
        item = (await seat.call("view", {"stream": seeded.plenary}))["view"]["items"][0]["item_id"]
        assert (await seat.call("note", {"stream": seeded.plenary, "item_id": item, "text": "x"}))["ok"]
        assert (await seat.call("note", {"stream": seeded.plenary, "item_id": item, "text": ""}))["ok"]
        assert (await seat.call("notes", {"stream": seeded.plenary}))["notes"] == []  # "" deleted it
    finally:
        await seat.sio.disconnect()
        await client.close()
        await clerk.close()
