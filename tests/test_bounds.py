"""Tables keyed by what anyone can send stay bounded: pending pairings per source
address, commands and resyncs naming sittings that do not exist."""

from __future__ import annotations

import http.client
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hall_server.transport.pairing import MAX_PER_SOURCE
from protocol.commands import OpenSitting, OpenVote
from protocol.errors import ErrorCode, ProtocolError
from protocol.keys import public_key_hex
from protocol.limits import MAX_COMMAND_BYTES, MAX_MESSAGE_BYTES
from protocol.types import Role
from seat_client.client import HallClient
from tests.hall import ServerProcess


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    tmp: Path = tmp_path_factory.mktemp("bounds")
    s = ServerProcess(f"sqlite:///{tmp / 'hall.db'}", tmp / "srv")
    s.start()
    yield s
    s.stop()


def http_call(srv: ServerProcess, method: str, path: str, body: Any = None,
              source: str = "127.0.0.1") -> tuple[int, dict[str, str], Any]:
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10, source_address=(source, 0))
    conn.request(method, path, body=json.dumps(body) if body is not None else None,
                 headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    answer = (r.status, {k.lower(): v for k, v in r.getheaders()}, json.loads(r.read()))
    conn.close()
    return answer


def new_key() -> str:
    return public_key_hex(Ed25519PrivateKey.generate())


def test_pending_pairings_are_bounded_per_source_and_cannot_be_overwritten(srv: ServerProcess) -> None:
    key = new_key()
    status, _, first = http_call(srv, "POST", "/api/pairings", {"public_key": key, "role": "seat", "label": "S1"})
    assert status == 200
    # The same request again (a tablet reloading its page) gets the same code.
    assert http_call(srv, "POST", "/api/pairings", {"public_key": key, "role": "seat", "label": "S1"})[2] == first
    # Another role or label for a pending key is refused; the clerk still sees what it was shown.
    for change in ({"role": "chair", "label": "S1"}, {"role": "seat", "label": "evil"}):
        status, _, answer = http_call(srv, "POST", "/api/pairings", {"public_key": key, **change})
        assert status == 409 and answer["error"]["code"] == ErrorCode.ALREADY_EXISTS, answer
    assert http_call(srv, "GET", f"/api/pairings/{first['code']}")[2]["status"] == "pending"
    # One address fills only its own share ...
    for _ in range(MAX_PER_SOURCE - 1):
        assert http_call(srv, "POST", "/api/pairings", {"public_key": new_key(), "role": "seat"})[0] == 200
    status, headers, answer = http_call(srv, "POST", "/api/pairings", {"public_key": new_key(), "role": "seat"})
    assert status == 429 and answer["error"]["code"] == ErrorCode.RATE_LIMITED
    assert 0 < answer["error"]["details"]["retry_after_s"] <= 900 and int(headers["retry-after"]) > 0
    # ... and a real tablet elsewhere in the hall still pairs.
    assert http_call(srv, "POST", "/api/pairings", {"public_key": new_key(), "role": "seat"},
                     source="127.0.0.2")[0] == 200


async def test_names_that_do_not_exist_leave_nothing_behind(srv: ServerProcess) -> None:
    before = http_call(srv, "GET", "/healthz")[2]["footprint"]
    clerk = HallClient(srv.url, Role.CLERK, srv.admin_token)
    await clerk.connect()
    try:
        for _ in range(200):
            stream = f"nowhere-{uuid.uuid4().hex}"
            with pytest.raises(ProtocolError) as refused:
                await clerk.command(stream, OpenSitting())
            assert refused.value.code is ErrorCode.UNKNOWN_SITTING
            for event in ("sync", "view"):
                assert (await clerk.call(event, {"stream": stream}))["error"]["code"] == "unknown_sitting"
    finally:
        await clerk.close()
    after = http_call(srv, "GET", "/healthz")[2]["footprint"]
    assert after == before


async def test_text_limits_fit_the_byte_limits_in_khmer(srv: ServerProcess) -> None:
    """Every text at its character limit, in Khmer (3 bytes a character), fits a command;
    past the command limit the answer is too_large; past the transport's, the client
    refuses to send (no dropped connection, no re-send loop)."""
    clerk = HallClient(srv.url, Role.CLERK, srv.admin_token)
    await clerk.connect()
    try:
        khmer = "ក"
        worst = OpenVote(vote_id="v-worst", motion_km=khmer * 10_000, motion_en=khmer * 10_000,
                         options=[f"{i:02d}" + khmer * 198 for i in range(20)])
        env = {"v": 1, "id": uuid.uuid4().hex, "stream": "nowhere", "cmd": worst.model_dump(mode="json")}
        size = len(json.dumps(env, ensure_ascii=False).encode())
        assert MAX_COMMAND_BYTES > size > 70_000
        with pytest.raises(ProtocolError) as refused:
            await clerk.command("nowhere", worst)
        assert refused.value.code is ErrorCode.UNKNOWN_SITTING  # read whole, refused for what it says
        over = {**env, "pad": "x" * MAX_COMMAND_BYTES}
        answer = await clerk.send_raw(over)
        assert answer["error"]["code"] == ErrorCode.TOO_LARGE
        assert answer["error"]["details"]["limit"] == MAX_COMMAND_BYTES
        with pytest.raises(ProtocolError) as too_big:
            await clerk.send_raw({**env, "pad": "x" * MAX_MESSAGE_BYTES})
        assert too_big.value.code is ErrorCode.TOO_LARGE
        assert clerk.connected and (await clerk.call("streams", {}))["ok"]
    finally:
        await clerk.close()
