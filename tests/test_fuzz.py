"""Fuzz the wire: whatever a client sends, it gets a typed answer, the server
stays up, nothing changes, and every other client stays connected."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hemicycle.seed import seed_senate
from protocol.commands import (
    COMMAND_TYPES,
    REGISTRY_STREAM,
    CheckIn,
    EnrolDevice,
    NextItem,
    OpenSitting,
    OpenVote,
)
from protocol.errors import ErrorCode
from protocol.limits import MAX_MESSAGE_BYTES
from protocol.types import Role
from seat_client.client import HallClient
from seat_client.identity import DeviceKey, memory_keys
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


# -- the campaign: every event of every namespace and role, generated and mutated ----------------

MESSAGES = int(os.environ.get("HEMICYCLE_FUZZ_MESSAGES", "3000"))  # `make chaos` sends 100,000
HOSTILE: list[Any] = [
    "\ud800", "a\udfffb", "\u202egnp.exe", "\x00\x07", "", " ", "ក" * 6000, "x" * 300,
    2**64, -(2**64), 2**63, -1, 0, 10**30, 1.5, 1e308, float("inf"), float("nan"), True, False, None,
    [], {}, json.loads("[" * 20 + "]" * 20), {"type": "sitting.notice"}, ["command"],
    "registry", "connect", "\x00unreadable",
]
EVENTS = ("command", "sync", "view", "caption", "pairings", "streams")
NAMES = ("connect", "disconnect", "\x00unreadable", "", "message", "x" * 200, "on_command", "__init__",
         "\ud800", "records", "COMMAND")


def raw_frames(ns: str, ack: int) -> list[str]:
    """Packets no well-behaved client library would send."""
    head = f"42{ns},{ack}"
    return [
        head + "[" * 5000 + "]" * 5000,  # past the JSON decoder's recursion limit
        head + '["command", ' + "9" * 5000 + "]",  # an integer Python will not read
        head + '["command", {"v": 1,',  # truncated
        head + "{}", head + "[]", head + "[1, 2]", head + '"command"', head + "null", head + "NaN",
        head + '["sync", {"stream": "x", "after": 99999999999999999999999999}]',
        head + '["sync", {"stream": "x", "after": -1}]',
        head + '["command", 1, 2, 3]',
        head + '["connect", {}, {}]', head + '["disconnect", "client disconnect"]',
        head + '["command", {"a": "\\udc00"}]',
    ]


def mutate(value: Any, rng: random.Random, depth: int = 0) -> Any:
    """One hostile change somewhere in ``value``."""
    if isinstance(value, dict) and value and rng.random() < 0.8 and depth < 6:
        key = rng.choice(sorted(value))
        out = dict(value)
        roll = rng.random()
        if roll < 0.1:
            del out[key]
        elif roll < 0.2:
            out[rng.choice(["", "\ud800", "__proto__", "x" * 100])] = rng.choice(HOSTILE)
        else:
            out[key] = mutate(value[key], rng, depth + 1)
        return out
    if isinstance(value, list) and value and rng.random() < 0.7 and depth < 6:
        i = rng.randrange(len(value))
        return [*value[:i], mutate(value[i], rng, depth + 1), *value[i + 1:]]
    if isinstance(value, str) and value and rng.random() < 0.5:
        i = rng.randrange(len(value) + 1)
        return value[:i] + rng.choice(["\ud800", "\udfff", "\u202e", "\x00", "ក" * 50, "\n"]) + value[i:]
    return rng.choice(HOSTILE)


class RawSocket:
    """Engine.IO 4 over a websocket, by hand: sends any frame, reads acks by id."""

    def __init__(self, url: str, ns: str) -> None:
        self.url = url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
        self.ns = ns
        self.acks: dict[int, asyncio.Future[Any]] = {}
        self.next_id = 1
        self.connected = False

    async def open(self, session: aiohttp.ClientSession, auth: dict[str, Any]) -> None:
        self.ws = await session.ws_connect(self.url, max_msg_size=0)
        opened = await self.ws.receive_str()
        assert opened.startswith("0")
        await self.ws.send_str(f"40{self.ns}," + json.dumps(auth))
        answer = await self.ws.receive_str()
        assert answer.startswith(f"40{self.ns},"), answer
        self.connected = True
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for msg in self.ws:
            if msg.type is not aiohttp.WSMsgType.TEXT:
                break
            text = msg.data
            if text == "2":
                await self.ws.send_str("3")
            elif text.startswith(f"43{self.ns},"):
                rest = text[len(self.ns) + 3:]
                i = len(rest) - len(rest.lstrip("0123456789"))
                future = self.acks.pop(int(rest[:i]), None)
                if future is not None and not future.done():
                    future.set_result(json.loads(rest[i:]))
        self.connected = False
        for future in self.acks.values():
            if not future.done():
                future.set_exception(ConnectionError("closed"))

    async def frame(self, build: Any, binary: bytes | None = None) -> Any:
        """Send ``build(ack_id)`` and wait for its ack."""
        ack = self.next_id
        self.next_id += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.acks[ack] = future
        await self.ws.send_str(build(ack))
        if binary is not None:
            await self.ws.send_bytes(binary)
        return await asyncio.wait_for(future, 10)

    async def emit(self, event: Any, *args: Any) -> Any:
        body = json.dumps([event, *args])
        return await self.frame(lambda ack: f"42{self.ns},{ack}{body}")

    async def close(self) -> None:
        await self.ws.close()
        self.reader.cancel()


def typed(answer: Any) -> dict[str, Any]:
    """The one answer an ack carries; it must be ok, or a known code other than internal."""
    assert isinstance(answer, list) and len(answer) == 1 and isinstance(answer[0], dict), answer
    body = answer[0]
    assert body.get("ok") in (True, False), body
    if body["ok"] is False:
        assert body["error"]["code"] in CODES and body["error"]["code"] != "internal", body
    return body


async def test_every_event_of_every_role_gets_a_typed_answer(tmp_path: Path) -> None:
    # Rate limits lifted: this campaign is about what each message gets, not how many (test_fair.py).
    srv = ServerProcess(f"sqlite:///{tmp_path / 'hall.db'}", tmp_path / "srv", env={"HEMICYCLE_RATE_SCALE": "1000"})
    srv.start()
    rng = random.Random(14)
    clients: list[HallClient] = []
    sockets: list[RawSocket] = []
    try:
        clerk = HallClient(srv.url, Role.CLERK, srv.admin_token)
        await clerk.connect()
        clients.append(clerk)
        seeded = await seed_senate(clerk, seats=3, prefix=f"z{uuid.uuid4().hex[:4]}", commission=False)
        sitting, members = seeded.plenary, seeded.members
        remote_key = memory_keys()(f"{seeded.prefix}-remote")
        await clerk.command(REGISTRY_STREAM, EnrolDevice(device_id=remote_key.device_id, role=Role.REMOTE,
                                                         member_id=members[2].member_id,
                                                         public_key=remote_key.public_hex))
        chair = HallClient(srv.url, Role.CHAIR, seeded.device("chair"))
        bystander = HallClient(srv.url, Role.SEAT, seeded.device(f"seat-{members[1].seat}"))
        for c in (chair, bystander):
            await c.connect()
            clients.append(c)
        await chair.command(sitting, OpenSitting(without_quorum=True))
        await bystander.command(sitting, CheckIn(member_id=members[1].member_id, pin=members[1].pin))
        await chair.command(sitting, NextItem())
        await chair.command(sitting, OpenVote(without_quorum=True, vote_id="v1", motion_km="សំណើ", motion_en="Motion"))
        await bystander.follow(sitting)
        seat_key = seeded.device(f"seat-{members[0].seat}")
        ballot = seat_key.ballot(sitting, "v1", members[0].member_id, members[0].seat, "yes")
        corpus = valid_commands(sitting, members[0].member_id, ballot.model_dump(mode="json"))
        assert {c["type"] for c in corpus} == COMMAND_TYPES  # every command is a seed for mutation
        bases: dict[str, list[Any]] = {
            "command": [{"v": 1, "id": uuid.uuid4().hex, "stream": sitting, "cmd": c} for c in corpus],
            "sync": [{"stream": sitting, "after": 0}, {"stream": "registry", "after": 5}],
            "view": [{"stream": sitting}],
            "caption": [{"stream": sitting, "turn_id": "t1", "member_id": members[0].member_id,
                         "text": "សួស្តី", "final": False}],
            "pairings": [{}], "streams": [{}],
        }

        async with aiohttp.ClientSession() as http:
            async def auth(key: DeviceKey) -> dict[str, Any]:
                async with http.get(f"{srv.url}/api/challenge") as r:
                    return key.connect_auth((await r.json())["nonce"])

            identities: dict[Role, dict[str, Any]] = {
                Role.SEAT: await auth(seat_key), Role.REMOTE: await auth(remote_key),
                Role.CHAIR: await auth(seeded.device("chair")), Role.CLERK: {"v": 1, "token": srv.admin_token},
                Role.DISPLAY: await auth(seeded.device("display")),
                Role.RECORDER: await auth(seeded.device("recorder")),
            }
            for role, identity in identities.items():
                s = RawSocket(srv.url, f"/{role.value}")
                await s.open(http, identity)
                sockets.append(s)
            sent = 0
            answered: dict[str, int] = {}

            async def campaign(s: RawSocket, share: int) -> None:
                nonlocal sent
                for frame in raw_frames(s.ns, 0):
                    body = typed(await s.frame(lambda ack, f=frame: f.replace(f"{s.ns},0", f"{s.ns},{ack}", 1)))
                    answered[body.get("error", {}).get("code", "ok")] = 1 + answered.get(
                        body.get("error", {}).get("code", "ok"), 0)
                    sent += 1
                body = typed(await s.frame(
                    lambda ack: f'451-{s.ns},{ack}["command",{{"_placeholder":true,"num":0}}]', b"\x00\xff" * 8))
                assert body["error"]["code"] == "malformed"
                sent += 1
                for n in range(share):
                    roll = rng.random()
                    if roll < 0.08:
                        answer = await s.emit(rng.choice(NAMES), rng.choice(HOSTILE))
                    elif roll < 0.12:
                        answer = await s.emit(rng.choice(EVENTS), *[rng.choice(HOSTILE)] * rng.randint(0, 3))
                    else:
                        event = EVENTS[n % len(EVENTS)] if roll < 0.5 else "command"
                        payload = rng.choice(bases[event])
                        for _ in range(rng.randint(1, 3)):
                            payload = mutate(payload, rng)
                        answer = await s.emit(event, payload)
                    code = typed(answer).get("error", {}).get("code", "ok")
                    answered[code] = answered.get(code, 0) + 1
                    sent += 1

            share = max(1, MESSAGES // len(sockets))
            await asyncio.gather(*(campaign(s, share) for s in sockets))
            assert sent >= MESSAGES
            assert all(s.connected for s in sockets)
            # A message past the transport's limit drops only its own connection.
            big = RawSocket(srv.url, "/seat")
            await big.open(http, await auth(seat_key))
            with pytest.raises((ConnectionError, TimeoutError)):
                await big.emit("command", {"x": "a" * (MAX_MESSAGE_BYTES + 10)})
            sockets.append(big)
        print(f"fuzz: {sent} messages, answers by code: {dict(sorted(answered.items()))}")
        assert bystander.connected and chair.connected
        assert (await bystander.call("view", {"stream": sitting}))["ok"]  # still served
        with urllib.request.urlopen(f"{srv.url}/healthz") as r:
            health = json.loads(r.read())
        assert health["ok"] and health["footprint"]["queues"] == 0
        log = (tmp_path / "srv" / "server.log").read_text()
        assert "Traceback" not in log, log[log.index("Traceback") - 500:][:3000]
    finally:
        for s in sockets:
            with contextlib.suppress(Exception):
                await s.close()
        for c in clients:
            with contextlib.suppress(Exception):
                await c.close()
        srv.stop()


def valid_commands(sitting: str, member: str, ballot: dict[str, Any]) -> list[dict[str, Any]]:
    """One valid command of each type: the seeds the campaign mutates."""
    key = "ab" * 32
    return [
        {"type": "member.register", "member_id": "mz1", "name_km": "ក", "name_latin": "K", "group": "G"},
        {"type": "member.set_credential", "member_id": member, "pin": "1234"},
        {"type": "device.enrol", "device_id": "dz1", "role": "seat", "public_key": key, "seat": "S99"},
        {"type": "device.revoke", "device_id": "dz1"},
        {"type": "sitting.create", "body": "plenary", "number": 9, "title_km": "ក", "title_en": "T",
         "date": "2026-01-01", "place": "P"},
        {"type": "agenda.add_item", "item_id": "iz1", "title_km": "ក", "title_en": "T"},
        {"type": "agenda.attach_document", "item_id": "iz1", "document_id": "d1", "title": "D", "sha256": "0" * 64,
         "size": 1},
        {"type": "sitting.open"}, {"type": "sitting.suspend"}, {"type": "sitting.resume"},
        {"type": "sitting.close"}, {"type": "agenda.take_up", "item_id": "iz1"}, {"type": "agenda.next"},
        {"type": "agenda.previous"},
        {"type": "attendance.check_in", "member_id": member, "pin": "0000"},
        {"type": "attendance.check_out", "member_id": member},
        {"type": "floor.request", "member_id": member},
        {"type": "floor.withdraw", "member_id": member},
        {"type": "floor.grant", "member_id": member},
        {"type": "floor.stop", "member_id": member},
        {"type": "floor.expire", "turn_id": "t1"},
        {"type": "floor.reorder", "member_ids": [member]},
        {"type": "floor.readd_last"},
        {"type": "floor.configure", "settings": {"mode": "request_list", "max_open_mics": 2}},
        {"type": "floor.set_quota", "group": "G", "seconds": 60},
        {"type": "vote.open", "vote_id": "vz1", "motion_km": "ក", "motion_en": "M"},
        ballot,
        {"type": "vote.close", "vote_id": "vz1"},
        {"type": "vote.publish", "vote_id": "vz1"},
        {"type": "vote.clear_result", "vote_id": "vz1"},
        {"type": "transcript.add_segment", "segment_id": "s1", "turn_id": "t1", "member_id": member,
         "item_id": None, "start_ms": 0, "end_ms": 1, "text": "a", "engine": "e", "model": "m",
         "words": [{"w": "a", "start_ms": 0, "end_ms": 1, "conf": 500}]},
        {"type": "transcript.revise", "segment_id": "s1", "text": "b", "status": "corrected"},
        {"type": "sitting.notice", "text": "ក"},
        {"type": "member.update", "member_id": member, "group": "G2"},
        {"type": "rules.define", "profile": {
            "id": "fz-rules", "name": "Fuzz rules", "quorum": {"fraction": {"num": 1, "den": 2}},
            "default_majority": "simple",
            "majorities": {"simple": {"name": "Simple", "base": "votes_cast"}}}},
        {"type": "sitting.take_chair", "member_id": member},
        {"type": "floor.extend", "member_id": member, "seconds": 60},
        {"type": "floor.pause", "member_id": member},
        {"type": "floor.resume", "member_id": member},
        {"type": "floor.warn", "turn_id": "t1"},
        {"type": "floor.close_list"}, {"type": "floor.reopen_list"},
        {"type": "floor.set_item_limits", "item_id": "iz1", "limits": {"speaking_time_s": 120}},
        {"type": "transcript.flag_turn", "turn_id": "t1", "language": "km"},
        {"type": "transcript.type", "segment_id": "s1", "text": "typed"},
        # bodies and guests
        {"type": "body.define", "body_id": "fz-body", "kind": "commission", "name_km": "ក", "name_en": "C"},
        {"type": "body.set_membership", "body_id": "fz-body", "members": [{"member_id": member}]},
        {"type": "sitting.add_guest", "guest_id": "gz1", "kind": "expert", "name_km": "ក", "name_latin": "G"},
        {"type": "document.show_page", "document_id": "d1", "page": 2},
        # seating plans (issue 13)
        {"type": "room.define_plan", "plan": {"room_id": "rz1", "name_km": "ក", "name_en": "R", "rows": 1, "columns": 2,
                                              "seats": [{"seat": "1", "row": 1, "column": 1}]}},
        # issue 12: edits
        {"type": "device.reassign", "device_id": "dz1", "seat": "S98"},
        {"type": "device.rename", "device_id": "dz1", "label": "L"},
        {"type": "device.route", "device_ids": [], "stream": sitting},
        {"type": "sitting.edit", "place": "P2"},
        {"type": "sitting.cancel"},
        {"type": "sitting.renew_roster"},
        {"type": "agenda.edit_item", "item_id": "iz1", "title_en": "T2"},
        {"type": "agenda.remove_item", "item_id": "iz1"},
        {"type": "agenda.move_item", "item_id": "iz1"},
        {"type": "agenda.replace_document", "document_id": "d1", "title": "D2", "sha256": "1" * 64, "size": 2},
        {"type": "agenda.remove_document", "document_id": "d1"},
        {"type": "agenda.order_documents", "item_id": "iz1", "document_ids": ["d1"]},
    ]
