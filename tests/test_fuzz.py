"""Fuzz the wire: whatever a client sends, it gets a typed answer, the server
stays up, nothing changes, and every other client stays connected."""

from __future__ import annotations

import asyncio
import urllib.request
import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hemicycle.seed import seed_senate
from protocol.commands import COMMAND_TYPES, CheckIn, OpenSitting
from protocol.errors import ErrorCode
from protocol.types import Role
from seat_client.client import HallClient
from tests.hall import ServerProcess

CODES = {c.value for c in ErrorCode}
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=20,
)
commands = st.fixed_dictionaries(
    {"v": st.sampled_from([1, 2, "1", None]), "id": st.text(max_size=70), "stream": st.text(max_size=70),
     "cmd": st.fixed_dictionaries({"type": st.sampled_from(sorted(COMMAND_TYPES)) | st.text(max_size=20)},
                                  optional={"member_id": json_values, "item_id": json_values,
                                            "ballot": json_values, "signature": json_values,
                                            "settings": json_values, "text": json_values})},
)


def test_fuzzed_messages_never_hurt_the_hall(tmp_path: Any) -> None:
    srv = ServerProcess(f"sqlite:///{tmp_path / 'hall.db'}", tmp_path / "srv")
    srv.start()
    loop = asyncio.new_event_loop()
    try:
        clerk = HallClient(srv.url, Role.CLERK, srv.admin_token)
        loop.run_until_complete(clerk.connect())
        seeded = loop.run_until_complete(seed_senate(clerk, seats=3, prefix=f"f{uuid.uuid4().hex[:4]}",
                                                     commission=False))
        chair = HallClient(srv.url, Role.CHAIR, seeded.device("chair"))
        fuzzer = HallClient(srv.url, Role.SEAT, seeded.device(f"seat-{seeded.members[0].seat}"))
        bystander = HallClient(srv.url, Role.SEAT, seeded.device(f"seat-{seeded.members[1].seat}"))
        for c in (chair, fuzzer, bystander):
            loop.run_until_complete(c.connect())
        loop.run_until_complete(chair.command(seeded.plenary, OpenSitting(without_quorum=True)))
        m = seeded.members[1]
        loop.run_until_complete(bystander.command(seeded.plenary, CheckIn(member_id=m.member_id, pin=m.pin)))
        state = loop.run_until_complete(chair.follow(seeded.plenary))
        before = state.seq

        @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
        @given(st.one_of(commands, json_values))
        def send(data: Any) -> None:
            cmd = data.get("cmd") if isinstance(data, dict) else None
            if isinstance(cmd, dict) and cmd.get("type") in COMMAND_TYPES and isinstance(data.get("stream"), str):
                data["stream"] = seeded.plenary  # aim at the real sitting, so refusals are real ones
            ack = loop.run_until_complete(fuzzer.send_raw(data))
            assert isinstance(ack, dict)
            if not ack["ok"]:
                assert ack["error"]["code"] in CODES

        send()
        for event, data in (("sync", "x"), ("sync", {"stream": [1]}), ("view", None), ("caption", {"a": 1}),
                            ("pairings", 5), ("streams", [1, 2])):
            ack = loop.run_until_complete(fuzzer.call(event, data))
            assert isinstance(ack, dict) and ack.get("ok") in (True, False)
        loop.run_until_complete(asyncio.sleep(0.3))
        # Nothing changed for anyone, and everyone is still here.
        assert chair.states[seeded.plenary].seq == before
        assert all(c.connected for c in (chair, fuzzer, bystander))
        with urllib.request.urlopen(f"{srv.url}/healthz") as r:
            assert r.status == 200
        for c in (clerk, chair, fuzzer, bystander):
            loop.run_until_complete(c.close())
    finally:
        loop.close()
        srv.stop()
