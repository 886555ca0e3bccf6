"""Signalling: the protocol messages round-trip, and a real hall server relays them, and only them.

The remote device and the media endpoint are plain socket clients here (no
WebRTC): what matters is who may send what, what reaches whom, stamped how,
and that every answer, good or bad, matches the AsyncAPI document.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator  # type: ignore[import-untyped]
from pydantic import TypeAdapter

from hemicycle.seed import Seeded, seed_senate
from protocol.asyncapi import asyncapi_document
from protocol.commands import REGISTRY_STREAM, EnrolDevice
from protocol.signalling import (
    MAX_SDP_CHARS,
    Answer,
    CallReport,
    EndpointReady,
    FromMember,
    HangUp,
    IceCandidate,
    Offer,
    RemoteLinks,
    ToMember,
    endpoint_signal,
    media_message,
    member_signal,
)
from protocol.types import Role
from seat_client.client import HallClient
from seat_client.identity import DeviceKey, memory_keys
from tests.hall import ServerProcess

DOC = asyncapi_document()
SDP = "v=0\r\no=- 1 1 IN IP4 10.0.0.2\r\ns=-\r\nt=0 0\r\n"


def check(schema: str, value: Any) -> None:
    root = {"$ref": f"#/components/schemas/{schema}", "components": DOC["components"]}
    errors = list(Draft7Validator(root).iter_errors(value))
    assert not errors, f"{schema}: {errors[0].message} in {json.dumps(value)[:300]}"


CANDIDATE = IceCandidate(candidate="candidate:1 1 udp 2130706431 10.0.0.2 5000 typ host", sdp_mid="0",
                         sdp_mline_index=0)
CASES: list[tuple[Any, TypeAdapter[Any], str]] = [
    (Offer(sdp=SDP), member_signal, "MemberSignal"),
    (CANDIDATE, member_signal, "MemberSignal"),
    (HangUp(), member_signal, "MemberSignal"),
    (Answer(sdp=SDP), endpoint_signal, "EndpointSignal"),
    (CANDIDATE, endpoint_signal, "EndpointSignal"),
    (EndpointReady(), media_message, "MediaMessage"),
    (ToMember(device_id="d1", signal=Answer(sdp=SDP)), media_message, "MediaMessage"),
    (FromMember(device_id="d1", member_id="m1", signal=CANDIDATE), TypeAdapter(FromMember), "FromMember"),
    (FromMember(device_id="display", member_id=None, signal=HangUp()), TypeAdapter(FromMember), "FromMember"),
    (CallReport(state="connected", rtt_ms=12.5, loss_pct=0.0, jitter_ms=3.1), TypeAdapter(CallReport), "CallReport"),
]


@pytest.mark.parametrize(("message", "adapter", "schema"), CASES)
def test_signals_round_trip_and_match_the_document(message: Any, adapter: TypeAdapter[Any], schema: str) -> None:
    wire = json.loads(json.dumps(message.model_dump(mode="json")))
    assert adapter.validate_python(wire) == message
    check(schema, wire)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    tmp: Path = tmp_path_factory.mktemp("signalling")
    srv = ServerProcess(f"sqlite:///{tmp / 'hall.db'}", tmp / "srv")
    srv.start()
    yield srv
    srv.stop()


class Client(HallClient):
    """A hall client that keeps every ``signal`` pushed to it."""

    def __init__(self, url: str, role: Role, key: DeviceKey) -> None:
        super().__init__(url, role, key)
        self.key = key
        self.signals: asyncio.Queue[Any] = asyncio.Queue()
        self.sio.on("signal", self.signals.put_nowait, namespace=self.namespace)


@pytest.fixture
async def hall(server: ServerProcess) -> AsyncIterator[tuple[Seeded, Client, Client, Client]]:
    clerk = HallClient(server.url, Role.CLERK, server.admin_token)
    await clerk.connect()
    keys = memory_keys()
    prefix = f"s{uuid.uuid4().hex[:6]}"
    seeded = await seed_senate(clerk, seats=1, prefix=prefix, commission=False, keys=keys)
    remote_key = keys(f"{prefix}-remote")
    await clerk.command(REGISTRY_STREAM, EnrolDevice(device_id=remote_key.device_id, role=Role.REMOTE,
                                                     member_id=seeded.members[0].member_id,
                                                     public_key=remote_key.public_hex))
    remote = Client(server.url, Role.REMOTE, remote_key)
    endpoint = Client(server.url, Role.RECORDER, seeded.device("recorder"))
    seat = Client(server.url, Role.SEAT, seeded.device(f"seat-{seeded.members[0].seat}"))
    for c in (remote, endpoint, seat):
        await c.connect()
    yield seeded, remote, endpoint, seat
    for c in (remote, endpoint, seat):
        await c.close()
    await clerk.close()


def code(ack: Any) -> str:
    check("SignalAck", ack)
    return "ok" if ack["ok"] else str(ack["error"]["code"])


async def test_the_hall_relays_signals_between_a_member_and_the_media_endpoint(
    hall: tuple[Seeded, Client, Client, Client],
) -> None:
    seeded, remote, endpoint, _ = hall
    offer = Offer(sdp=SDP).model_dump(mode="json")
    # Media endpoints of earlier tests in this module are gone; this one has not announced itself.
    assert code(await remote.call("signal", offer)) == "invalid_state"
    assert code(await endpoint.call("signal", EndpointReady().model_dump(mode="json"))) == "ok"

    assert code(await remote.call("signal", offer)) == "ok"
    relayed = await asyncio.wait_for(endpoint.signals.get(), 5)
    check("FromMember", relayed)
    assert FromMember.model_validate(relayed) == FromMember(
        device_id=remote.key.device_id, member_id=seeded.members[0].member_id, signal=Offer(sdp=SDP))

    answer = ToMember(device_id=remote.key.device_id, signal=Answer(sdp=SDP)).model_dump(mode="json")
    assert code(await endpoint.call("signal", answer)) == "ok"
    heard = await asyncio.wait_for(remote.signals.get(), 5)
    check("EndpointSignal", heard)
    assert endpoint_signal.validate_python(heard) == Answer(sdp=SDP)
    assert endpoint.signals.empty()


async def test_bad_signals_get_typed_errors_and_change_nothing(hall: tuple[Seeded, Client, Client, Client]) -> None:
    _, remote, endpoint, seat = hall
    assert code(await endpoint.call("signal", EndpointReady().model_dump(mode="json"))) == "ok"
    bad_from_member = [
        None, "offer", {"type": "offer"}, {"type": "answer", "sdp": SDP}, {"type": "offer", "sdp": ""},
        {"type": "offer", "sdp": "x" * (MAX_SDP_CHARS + 1)}, {"type": "hangup", "extra": 1},
        {"type": "candidate", "candidate": "c", "sdp_mline_index": -1},
    ]
    for data in bad_from_member:
        ack = await remote.call("signal", data)
        assert code(ack) == "malformed", data
    assert ack["error"]["details"]["problems"]
    assert code(await seat.call("signal", HangUp().model_dump(mode="json"))) == "forbidden"
    assert code(await endpoint.call("signal", HangUp().model_dump(mode="json"))) == "malformed"
    to_nobody = ToMember(device_id="no-such-device", signal=HangUp()).model_dump(mode="json")
    assert code(await endpoint.call("signal", to_nobody)) == "unknown_device"
    await asyncio.sleep(0.2)
    assert endpoint.signals.empty() and remote.signals.empty()
    # Everyone is still connected and the relay still works.
    assert code(await remote.call("signal", HangUp().model_dump(mode="json"))) == "ok"
    relayed = FromMember.model_validate(await asyncio.wait_for(endpoint.signals.get(), 5))
    assert relayed.signal == HangUp()


async def test_the_display_calls_with_no_member_and_chairs_see_remote_links(
    hall: tuple[Seeded, Client, Client, Client],
) -> None:
    seeded, remote, endpoint, seat = hall
    assert code(await endpoint.call("signal", EndpointReady().model_dump(mode="json"))) == "ok"
    display = Client(remote.url, Role.DISPLAY, seeded.device("display"))
    chair = Client(remote.url, Role.CHAIR, seeded.device("chair"))
    links: asyncio.Queue[Any] = asyncio.Queue()
    chair.sio.on("remote_links", links.put_nowait, namespace=chair.namespace)
    await display.connect()
    await chair.connect()
    try:
        # The hall display watches: its offer reaches the endpoint without a member, the answer comes back.
        assert code(await display.call("signal", Offer(sdp=SDP).model_dump(mode="json"))) == "ok"
        relayed = FromMember.model_validate(await asyncio.wait_for(endpoint.signals.get(), 5))
        assert (relayed.device_id, relayed.member_id) == (display.key.device_id, None)
        answer = ToMember(device_id=display.key.device_id, signal=Answer(sdp=SDP)).model_dump(mode="json")
        assert code(await endpoint.call("signal", answer)) == "ok"
        assert endpoint_signal.validate_python(await asyncio.wait_for(display.signals.get(), 5)) == Answer(sdp=SDP)

        # A chair gets the table as it connects, then every change: a report, a dropped link.
        async def table() -> RemoteLinks:
            wire = await asyncio.wait_for(links.get(), 5)
            check("RemoteLinks", wire)
            return RemoteLinks.model_validate(wire)

        (row,) = [r for r in (await table()).links if r.device_id == remote.key.device_id]
        assert row.connected and row.member_id == seeded.members[0].member_id
        report = CallReport(state="connected", rtt_ms=21.0, loss_pct=1.5, jitter_ms=4.0)
        assert code(await remote.call("call_quality", report.model_dump(mode="json"))) == "ok"
        (row,) = [r for r in (await table()).links if r.device_id == remote.key.device_id]
        assert row.connected and row.call == report
        for bad in (None, {"state": "fine"}, {"state": "connected", "loss_pct": 101}, {**report.model_dump(), "x": 1}):
            assert code(await remote.call("call_quality", bad)) == "malformed", bad
        assert code(await seat.call("call_quality", report.model_dump(mode="json"))) == "forbidden"
        await remote.close()
        (row,) = [r for r in (await table()).links if r.device_id == remote.key.device_id]
        assert not row.connected and row.call is None
        await remote.connect()  # the same key, no pairing: connected again
        (row,) = [r for r in (await table()).links if r.device_id == remote.key.device_id]
        assert row.connected
    finally:
        await display.close()
        await chair.close()
