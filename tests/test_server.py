"""The hall server over real sockets: a whole sitting, authorisation,
idempotency, resync, and bad input — against SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from hemicycle.seed import Seeded, seed_senate
from hemicycle.simulate import simulate
from procedure import SittingState
from protocol.commands import CheckIn, GrantFloor, NextItem, OpenSitting, RequestFloor, StopSpeech
from protocol.errors import ErrorCode, ProtocolError
from protocol.types import Role, SpeechType
from seat_client.client import HallClient
from tests.hall import ServerProcess


@dataclass
class Hall:
    server: ServerProcess
    seeded: Seeded
    clerk: HallClient
    chair: HallClient
    seats: list[HallClient]

    @property
    def sitting(self) -> str:
        return self.seeded.plenary

    def state(self, client: HallClient | None = None) -> SittingState:
        s = (client or self.chair).states[self.sitting]
        assert isinstance(s, SittingState)
        return s


@pytest.fixture
async def hall(server: ServerProcess) -> AsyncIterator[Hall]:
    clerk = HallClient(server.url, Role.CLERK, server.admin_token)
    await clerk.connect()
    prefix = f"t{uuid.uuid4().hex[:6]}"
    seeded = await seed_senate(clerk, seats=4, prefix=prefix, commission=False)
    chair = HallClient(server.url, Role.CHAIR, seeded.device("chair"))
    await chair.connect()
    await chair.follow(seeded.plenary)
    seats = []
    for m in seeded.members[:4]:
        c = HallClient(server.url, Role.SEAT, seeded.device(f"seat-{m.seat}"))
        await c.connect()
        await c.follow(seeded.plenary)
        seats.append(c)
    h = Hall(server, seeded, clerk, chair, seats)
    await chair.command(h.sitting, OpenSitting(without_quorum=True))
    for c, m in zip(seats, seeded.members, strict=False):
        await c.command(h.sitting, CheckIn(member_id=m.member_id, pin=m.pin))
    await chair.command(h.sitting, NextItem())
    await chair.wait_for(h.sitting, lambda s: len(s.presence) == 4 and s.current_item == "i1")  # type: ignore[union-attr]
    yield h
    await asyncio.gather(*(c.close() for c in [clerk, chair, *seats]))


async def test_simulated_sitting_end_to_end(server: ServerProcess) -> None:
    summary = await simulate(server.url, 12, server.admin_token, progress=False)
    assert summary["errors"] == 0, summary["error_messages"]
    assert summary["present"] == 12
    assert summary["turns"] >= 6
    assert summary["refusals_as_expected"]["forbidden"] == 1
    assert summary["refusals_as_expected"]["not_your_member"] == 1


async def test_seat_cannot_run_the_sitting_or_act_for_another(hall: Hall) -> None:
    seat, other = hall.seeded.members[0], hall.seeded.members[1]
    before = hall.state().seq
    with pytest.raises(ProtocolError) as e:
        await hall.seats[0].command(hall.sitting, GrantFloor(member_id=seat.member_id))
    assert e.value.code is ErrorCode.FORBIDDEN
    with pytest.raises(ProtocolError) as e:
        await hall.seats[0].command(hall.sitting, RequestFloor(member_id=other.member_id))
    assert e.value.code is ErrorCode.NOT_YOUR_MEMBER
    with pytest.raises(ProtocolError) as e:
        await hall.seats[0].command(hall.sitting, CheckIn(member_id=other.member_id, pin="0000"))
    assert e.value.code in (ErrorCode.BAD_CREDENTIAL, ErrorCode.ALREADY_PRESENT)
    with pytest.raises(ProtocolError) as e:
        await hall.chair.command("registry", {"type": "device.revoke", "device_id": "x1"})
    assert e.value.code is ErrorCode.FORBIDDEN
    await asyncio.sleep(0.2)
    assert hall.state().seq == before
    assert all(c.connected for c in hall.seats)


async def test_a_resent_command_changes_nothing(hall: Hall) -> None:
    m = hall.seeded.members[0]
    cmd = RequestFloor(member_id=m.member_id, speech_type=SpeechType.PRO)
    first = await hall.seats[0].command(hall.sitting, cmd, command_id="same-id-0001")
    again = await hall.seats[0].command(hall.sitting, cmd, command_id="same-id-0001")
    assert again["replayed"] is True
    assert again["seq"] == first["seq"] and again["request_id"] == first["request_id"]
    await hall.chair.wait_for(hall.sitting, lambda s: s.seq >= first["seq"])
    await asyncio.sleep(0.2)
    assert hall.state().seq == first["seq"]
    assert [r.member_id for r in hall.state().floor.queue] == [m.member_id]


async def test_a_command_id_reused_for_another_command_conflicts_and_changes_nothing(hall: Hall) -> None:
    m = hall.seeded.members[1]
    first = await hall.seats[1].command(hall.sitting, RequestFloor(member_id=m.member_id), command_id="reuse-id-0001")
    other = RequestFloor(member_id=m.member_id, speech_type=SpeechType.CONTRA)
    with pytest.raises(ProtocolError) as e:
        await hall.seats[1].command(hall.sitting, other, command_id="reuse-id-0001")
    assert e.value.code is ErrorCode.CONFLICT and e.value.details.get("command_id") == "reuse-id-0001"
    await asyncio.sleep(0.2)
    assert hall.state().seq == first["seq"]
    queue = hall.state().floor.queue
    assert [(r.member_id, r.speech_type) for r in queue] == [(m.member_id, SpeechType.CONTRIBUTION)]


async def test_another_devices_command_id_is_an_unrelated_id(hall: Hall) -> None:
    a, b = hall.seeded.members[0], hall.seeded.members[3]
    first = await hall.seats[0].command(hall.sitting, RequestFloor(member_id=a.member_id), command_id="shared-id-001")
    second = await hall.seats[3].command(hall.sitting, RequestFloor(member_id=b.member_id), command_id="shared-id-001")
    assert not second.get("replayed") and second["seq"] > first["seq"]
    assert second["request_id"] != first["request_id"]
    await hall.chair.wait_for(hall.sitting, lambda s: s.seq >= second["seq"])
    assert [r.member_id for r in hall.state().floor.queue] == [a.member_id, b.member_id]


async def test_records_name_the_member_a_command_was_made_for(hall: Hall) -> None:
    m = hall.seeded.members[2]
    ack = await hall.seats[2].command(hall.sitting, RequestFloor(member_id=m.member_id))
    await hall.chair.wait_for(hall.sitting, lambda s: s.seq >= ack["seq"])
    records = await hall.chair.call("sync", {"stream": hall.sitting, "after": 0})
    by_seq = {r["seq"]: r for r in records["records"]}
    assert by_seq[ack["seq"]]["actor"] == {"role": "seat", "device_id": f"{hall.seeded.prefix}-seat-{m.seat}",
                                          "member_id": m.member_id}
    check_ins = [r for r in records["records"] if r["event"]["type"] == "attendance.checked_in"]
    assert {r["actor"]["member_id"] for r in check_ins} == {x.member_id for x in hall.seeded.members}
    assert all(r["actor"]["member_id"] is None for r in records["records"] if r["actor"]["role"] == "chair")


async def test_a_member_not_on_the_roster_is_unknown_before_any_pin_is_checked(hall: Hall) -> None:
    from protocol.commands import CreateSitting

    small = f"{hall.sitting}-small"
    first = hall.seeded.members[0]
    await hall.clerk.command(small, CreateSitting(body="commission", number=3, title_km="ក", title_en="Small",
                                                  date="2026-12-01", place="Room", members=[first.member_id]))
    outsider = hall.seeded.members[1]
    for pin in ("0000", outsider.pin):
        with pytest.raises(ProtocolError) as e:
            await hall.seats[1].command(small, CheckIn(member_id=outsider.member_id, pin=pin))
        assert e.value.code is ErrorCode.UNKNOWN_MEMBER, e.value
    with pytest.raises(ProtocolError) as e:
        await hall.seats[0].command(small, CheckIn(member_id=first.member_id, pin="0000"))
    assert e.value.code is ErrorCode.BAD_CREDENTIAL


async def test_reconnect_resyncs_without_double_effects(hall: Hall) -> None:
    seat = hall.seats[2]
    member = hall.seeded.members[2]
    await seat.sio.disconnect()
    assert not seat.connected
    # The sitting moves on while the seat is away.
    await hall.seats[0].command(hall.sitting, RequestFloor(member_id=hall.seeded.members[0].member_id))
    await hall.chair.command(hall.sitting, GrantFloor())
    ack = await hall.chair.command(hall.sitting, StopSpeech(member_id=hall.seeded.members[0].member_id))
    await seat.connect()
    await seat.follow(hall.sitting)
    await seat.wait_for(hall.sitting, lambda s: s.seq >= ack["seq"])
    assert seat.states[hall.sitting] == hall.chair.states[hall.sitting]
    # A command whose ack was lost is re-sent after reconnecting: applied once.
    cid = uuid.uuid4().hex
    await seat.command(hall.sitting, RequestFloor(member_id=member.member_id), command_id=cid)
    await seat.sio.disconnect()
    await seat.connect()
    await seat.follow(hall.sitting)
    again = await seat.command(hall.sitting, RequestFloor(member_id=member.member_id), command_id=cid)
    assert again["replayed"]
    await hall.chair.wait_for(hall.sitting, lambda s: s.seq >= again["seq"])
    assert [r.member_id for r in hall.state().floor.queue].count(member.member_id) == 1


BAD_INPUTS = [
    ("not an object", "hello", ErrorCode.MALFORMED),
    ("list", [1, 2, 3], ErrorCode.MALFORMED),
    ("no cmd", {"id": "abcdefgh", "stream": "x"}, ErrorCode.MALFORMED),
    ("no type", {"id": "abcdefgh", "stream": "x", "cmd": {"text": "hello"}}, ErrorCode.MALFORMED),
    ("unknown type", {"id": "abcdefgh", "stream": "x", "cmd": {"type": "floor.dance"}},
     ErrorCode.UNKNOWN_COMMAND),
    ("wrong type", {"id": "abcdefgh", "stream": "x",
                    "cmd": {"type": "floor.request", "member_id": 42}}, ErrorCode.MALFORMED),
    ("extra field", {"id": "abcdefgh", "stream": "x",
                     "cmd": {"type": "sitting.open", "evil": True}}, ErrorCode.MALFORMED),
    ("bad id", {"id": "../../etc", "stream": "x", "cmd": {"type": "sitting.open"}},
     ErrorCode.MALFORMED),
    ("oversize", {"id": "abcdefgh", "stream": "x",
                  "cmd": {"type": "sitting.notice", "text": "x" * 100_000}}, ErrorCode.TOO_LARGE),
    ("null", None, ErrorCode.MALFORMED),
]


@pytest.mark.parametrize("name,data,code", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
async def test_bad_input_gets_a_typed_error_and_changes_nothing(
    hall: Hall, name: str, data: object, code: ErrorCode
) -> None:
    before = hall.state().seq
    if isinstance(data, dict) and data.get("stream") == "x":
        data = {**data, "stream": hall.sitting}
    ack = await hall.seats[1].send_raw(data)
    assert ack["ok"] is False
    assert ack["error"]["code"] == code.value, ack
    # Others stay connected and the sitting goes on.
    ack2 = await hall.seats[0].command(hall.sitting, RequestFloor(member_id=hall.seeded.members[0].member_id))
    assert ack2["seq"] == before + 1
    assert all(c.connected for c in [*hall.seats, hall.chair])


async def test_bad_sync_and_unknown_stream(hall: Hall) -> None:
    seat = hall.seats[0]
    for data in ({"stream": "nope", "after": 0}, {"stream": 5}, "x", {"stream": "a b", "after": -1},
                 {"stream": "registry", "after": 0}):
        ack = await seat.call("sync", data)
        assert ack["ok"] is False and ack["error"]["code"] in {
            "unknown_sitting", "malformed", "forbidden"}
    assert seat.connected


async def test_unauthenticated_connect_is_refused(server: ServerProcess) -> None:
    import socketio

    bad = HallClient(server.url, Role.CHAIR, "not-a-real-token")
    with pytest.raises(socketio.exceptions.ConnectionError):
        await bad.sio.connect(server.url, namespaces=["/chair"], auth={"v": 1, "token": "nope-nope"},
                              transports=["websocket"], wait_timeout=5)
    await bad.sio.disconnect()


@pytest.mark.parametrize(("auth", "code"), [
    ({"v": 1, "token": "nope-nope"}, "unauthenticated"),
    ({"v": 1, "device_id": "no-such-device", "nonce": "x", "signature": "0" * 128}, "unauthenticated"),
    ({"v": 99, "token": "nope-nope"}, "unsupported_version"),
])
async def test_a_refused_connection_says_why_in_json(server: ServerProcess, auth: dict[str, object],
                                                     code: str) -> None:
    import socketio

    client = socketio.AsyncClient(reconnection=False)
    seen: list[object] = []
    client.on("connect_error", seen.append, namespace="/chair")
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(server.url, namespaces=["/chair"], auth=auth, transports=["websocket"], wait_timeout=5)
    await client.disconnect()
    assert len(seen) == 1 and isinstance(seen[0], dict)
    error = seen[0]["data"]
    assert isinstance(error, dict) and error["code"] == code
    assert isinstance(error["message"], str) and isinstance(error["details"], dict)
    assert seen[0]["message"] == error["message"]


async def test_health_and_metrics(hall: Hall) -> None:
    import urllib.error
    import urllib.request

    with urllib.request.urlopen(f"{hall.server.url}/healthz") as r:
        health = json.loads(r.read())
    assert health["ok"] and health["sittings"] >= 1
    from prometheus_client.parser import text_string_to_metric_families

    with pytest.raises(urllib.error.HTTPError) as refused:  # no scrape token, no metrics
        urllib.request.urlopen(f"{hall.server.url}/metrics")
    assert refused.value.code == 401
    refused.value.close()
    scrape = urllib.request.Request(f"{hall.server.url}/metrics",
                                    headers={"Authorization": f"Bearer {hall.server.admin_token}"})
    with urllib.request.urlopen(scrape) as r:
        text = r.read().decode()
    families = {f.name: f for f in text_string_to_metric_families(text)}
    value = {(f.name, s.name, tuple(sorted(s.labels.items()))): s.value
             for f in families.values() for s in f.samples}
    assert value[("hemicycle_commands", "hemicycle_commands_total", (("outcome", "accepted"),))] > 0
    assert value[("hemicycle_connected_clients", "hemicycle_connected_clients", (("role", "seat"),))] == 4
    assert families["hemicycle_command_seconds"].type == "histogram"
    count = value[("hemicycle_command_seconds", "hemicycle_command_seconds_count", ())]
    assert count >= value[("hemicycle_commands", "hemicycle_commands_total", (("outcome", "accepted"),))]
