"""The protocol documents: valid by their standards' own validators, current, and matched by the wire.

- the AsyncAPI document passes the AsyncAPI Initiative's parser (@asyncapi/parser, Node);
- the OpenAPI document passes openapi-spec-validator and names every route the app serves;
- docs/PROTOCOL.md is what ``hemicycle protocol markdown`` generates;
- over a real socket, every command kind (accepted and refused), every ack and every pushed
  event validates against the document's JSON Schemas.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
import socketio
from jsonschema import Draft7Validator
from openapi_spec_validator import validate as validate_openapi

from hall_server.refusals import protocol_document
from hall_server.transport.openapi import openapi_document
from hemicycle.protocol_docs import reference_markdown
from hemicycle.seed import seed_senate
from protocol.commands import COMMAND_TYPES
from protocol.types import Role
from seat_client.client import HallClient
from seat_client.identity import DeviceKey, memory_keys
from tests.hall import ServerProcess

ROOT = Path(__file__).resolve().parent.parent
NODE_DIR = ROOT / "examples" / "node-seat"
DOC = protocol_document()


def check(schema: str, value: Any) -> None:
    """Validate ``value`` against ``#/components/schemas/<schema>`` of the AsyncAPI document."""
    root = {"$ref": f"#/components/schemas/{schema}", "components": DOC["components"]}
    errors = sorted(Draft7Validator(root).iter_errors(value), key=lambda e: list(e.path))
    assert not errors, f"{schema}: {errors[0].message} at {list(errors[0].path)} in {json.dumps(value)[:400]}"


def test_asyncapi_document_passes_the_asyncapi_parser(tmp_path: Path) -> None:
    path = tmp_path / "asyncapi.json"
    path.write_text(json.dumps(DOC))
    out = subprocess.run(["node", "validate.mjs", str(path)], cwd=NODE_DIR, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    report = json.loads(out.stdout)
    assert report["errors"] == 0 and report["warnings"] == 0
    assert report["channels"] == 6 and report["operations"] == len(DOC["operations"])


def test_openapi_document_is_valid_and_names_every_route(server: ServerProcess, tmp_path: Path) -> None:
    api = openapi_document()
    validate_openapi(api)
    served = served_paths(tmp_path)
    assert served == set(api["paths"]), served ^ set(api["paths"])
    with urllib.request.urlopen(f"{server.url}/api/openapi.json") as r:
        assert json.loads(r.read()) == json.loads(json.dumps(api))
    with urllib.request.urlopen(f"{server.url}/api/asyncapi.json") as r:
        assert json.loads(r.read()) == json.loads(json.dumps(DOC))


def served_paths(folder: Path) -> set[str]:
    """Every HTTP route of the app, pages and static files aside."""
    from starlette.routing import Route

    from hall_server.transport.app import ServerConfig, create_app

    app = create_app(ServerConfig(db_url="sqlite://", admin_token="x", server_key=folder / "server.key",
                                  data_dir=folder, archive_dir=folder / "archive"))
    routes = app.other_asgi_app.routes
    paths = {r.path for r in routes if isinstance(r, Route)}
    return {p for p in paths if p.startswith(("/api/", "/documents/")) or p in ("/healthz", "/metrics")}


def test_reference_page_is_current() -> None:
    committed = (ROOT / "docs" / "PROTOCOL.md").read_text()
    assert committed == reference_markdown(), "run: hemicycle protocol markdown > docs/PROTOCOL.md"


def test_cli_prints_the_documents() -> None:
    for what in ("asyncapi", "openapi"):
        out = subprocess.run([sys.executable, "-m", "hemicycle.cli", "protocol", what], capture_output=True,
                             text=True, check=True)
        assert json.loads(out.stdout) == json.loads(json.dumps(DOC if what == "asyncapi" else openapi_document()))


class Watcher:
    """A raw Socket.IO client of one role that keeps every pushed event, for checking against the document."""

    def __init__(self, url: str, role: Role, key: DeviceKey) -> None:
        self.url, self.role, self.key = url, role, key
        self.sio = socketio.AsyncClient(reconnection=False)
        self.pushed: list[tuple[str, Any]] = []
        for event in ("records", "view", "caption"):
            self.sio.on(event, self._keep(event), namespace=f"/{role.value}")

    def _keep(self, event: str) -> Any:
        async def keep(data: Any) -> None:
            self.pushed.append((event, data))
        return keep

    async def connect(self) -> None:
        with urllib.request.urlopen(f"{self.url}/api/challenge") as r:
            nonce = json.loads(r.read())["nonce"]
        await self.sio.connect(self.url, namespaces=[f"/{self.role.value}"], auth=self.key.connect_auth(nonce),
                               transports=["websocket"], wait_timeout=10)

    async def call(self, event: str, data: Any) -> Any:
        return await self.sio.call(event, data, namespace=f"/{self.role.value}", timeout=10)


async def test_the_wire_matches_the_document(server: ServerProcess) -> None:
    clerk = HallClient(server.url, Role.CLERK, server.admin_token)
    await clerk.connect()
    keys = memory_keys()
    seeded = await seed_senate(clerk, seats=2, prefix=f"w{uuid.uuid4().hex[:6]}", commission=False, keys=keys)
    s = seeded.plenary
    m1, m2 = seeded.members[:2]
    chair, seat1, seat2 = (HallClient(server.url, role, seeded.device(d)) for role, d in
                           ((Role.CHAIR, "chair"), (Role.SEAT, f"seat-{m1.seat}"), (Role.SEAT, f"seat-{m2.seat}")))
    recorder = HallClient(server.url, Role.RECORDER, seeded.device("recorder"))
    display = Watcher(server.url, Role.DISPLAY, seeded.device("display"))
    for c in (chair, seat1, seat2, recorder):
        await c.connect()
    await display.connect()
    acks: list[tuple[str, Any]] = []  # (command type, raw ack)

    async def send(client: HallClient, stream: str, cmd: dict[str, Any]) -> dict[str, Any]:
        env = {"v": 1, "id": uuid.uuid4().hex, "stream": stream, "cmd": cmd}
        ack = await client.call("command", env)
        acks.append((cmd["type"], ack))
        return ack

    first = await display.call("sync", {"stream": s, "after": 0})
    check("SyncAck", first)
    synced = first["records"][-1]["seq"]
    check("ViewAck", await display.call("view", {"stream": s}))
    check("StreamsAck", await display.call("streams", {}))
    check("PairingsAck", await clerk.call("pairings", {}))
    check("DocumentsAck", await display.call("documents", {}))
    check("SyncAck", await display.call("sync", {"stream": "no-such-sitting", "after": 0}))

    reg = "registry"
    guest = f"g{uuid.uuid4().hex[:8]}"
    await send(clerk, reg, {"type": "member.register", "member_id": guest, "name_km": "ភ្ញៀវ",
                            "name_latin": "Guest", "group": "none"})
    await send(clerk, reg, {"type": "member.set_credential", "member_id": guest, "pin": "4321"})
    spare = DeviceKey(f"{guest}-tab", keys(f"{guest}-tab").key)
    await send(clerk, reg, {"type": "device.enrol", "device_id": spare.device_id, "role": "seat",
                            "public_key": spare.public_hex, "seat": "S999"})
    await send(clerk, reg, {"type": "device.revoke", "device_id": spare.device_id})
    other = f"{s}-x"
    await send(clerk, other, {"type": "sitting.create", "body": "plenary", "number": 2, "title_km": "ក",
                              "title_en": "Second", "date": "2026-12-01", "place": "Hall"})
    await send(clerk, s, {"type": "agenda.add_item", "item_id": "w1", "title_km": "ក", "title_en": "Extra"})
    await send(clerk, s, {"type": "agenda.attach_document", "item_id": "w1", "document_id": "w1-doc",
                          "title": "Doc", "sha256": "ab" * 32, "size": 10})
    await send(chair, s, {"type": "sitting.open", "without_quorum": True})
    await send(seat1, s, {"type": "attendance.check_in", "member_id": m1.member_id, "pin": m1.pin})
    await send(seat2, s, {"type": "attendance.check_in", "member_id": m2.member_id, "pin": m2.pin})
    await send(chair, s, {"type": "agenda.next"})
    await send(chair, s, {"type": "agenda.take_up", "item_id": "w1"})
    await send(chair, s, {"type": "agenda.previous"})
    await send(seat1, s, {"type": "floor.request", "member_id": m1.member_id})
    await send(seat1, s, {"type": "floor.withdraw", "member_id": m1.member_id})
    await send(seat1, s, {"type": "floor.request", "member_id": m1.member_id})
    await send(seat2, s, {"type": "floor.request", "member_id": m2.member_id})
    await send(chair, s, {"type": "floor.reorder", "member_ids": [m2.member_id, m1.member_id]})
    granted = await send(chair, s, {"type": "floor.grant"})
    await recorder.call("caption", {"stream": s, "turn_id": granted.get("turn_id", "t1"),
                                    "member_id": m2.member_id, "text": "live words", "final": False})
    acks.append(("caption", await recorder.call("caption", {"stream": s, "turn_id": "t1",
                                                             "member_id": m2.member_id, "text": "x"})))
    await send(recorder, s, {"type": "transcript.add_segment", "segment_id": "seg-w1", "turn_id":
                             granted.get("turn_id", "t1"), "member_id": m2.member_id, "item_id": None,
                             "start_ms": 0, "end_ms": 1000, "text": "Words of the speech.", "engine": "test",
                             "model": "none"})
    await send(clerk, s, {"type": "transcript.revise", "segment_id": "seg-w1", "text": "Words of a speech.",
                          "status": "corrected"})
    await send(chair, s, {"type": "floor.stop", "member_id": m2.member_id})
    await send(chair, s, {"type": "floor.expire", "turn_id": "no-such-turn"})
    await send(chair, s, {"type": "floor.readd_last"})
    await send(chair, s, {"type": "floor.configure", "settings": {"max_open_mics": 2, "speaking_time_s": 120}})
    await send(chair, s, {"type": "floor.set_quota", "group": m1.group, "seconds": 600})
    await send(chair, s, {"type": "sitting.notice", "text": "A notice to the hall."})
    await send(chair, s, {"type": "vote.open", "without_quorum": True, "vote_id": "v1", "motion_km": "ញត្តិ",
                          "motion_en": "Motion"})
    ballot = seeded.device(f"seat-{m1.seat}").ballot(s, "v1", m1.member_id, m1.seat, "yes")
    await send(seat1, s, ballot.model_dump(mode="json"))
    await send(seat1, s, ballot.model_dump(mode="json"))  # the same ballot again: refused
    await send(chair, s, {"type": "vote.close", "vote_id": "v1"})
    await send(chair, s, {"type": "vote.publish", "vote_id": "v1"})
    await send(chair, s, {"type": "sitting.suspend"})
    await send(chair, s, {"type": "sitting.resume"})
    await send(seat2, s, {"type": "attendance.check_out", "member_id": m2.member_id})
    await send(chair, s, {"type": "sitting.close"})
    # Every kind refused too: a command missing its fields, a stranger's command, an unknown kind.
    for kind in sorted(COMMAND_TYPES):
        await send(seat2, s, {"type": kind})
    await send(seat2, s, {"type": "no.such_command"})
    acks.append(("raw", await seat2.call("command", {"id": "short", "stream": s})))
    acks.append(("raw", await seat2.call("command", "not an object")))

    await asyncio.sleep(0.5)
    sent = {kind for kind, _ in acks}
    assert COMMAND_TYPES <= sent
    accepted = {kind for kind, ack in acks if ack.get("ok")}
    assert len(accepted) >= 28, sorted(COMMAND_TYPES - accepted)
    for kind, ack in acks:
        check("CaptionAck" if kind == "caption" else "CommandAck", ack)
        if not ack["ok"]:
            code = ack["error"]["code"]
            refusals = DOC["x-hemicycle"]["refusals"]
            allowed = {*refusals["common"], *refusals["by_command"].get(kind, [])}
            assert code in allowed, f"{kind} refused with {code}, which the document does not list"
    assert {e for e, _ in display.pushed} == {"records", "view", "caption"}
    for event, data in display.pushed:
        check({"records": "RecordBatch", "view": "View", "caption": "Caption"}[event], data)
    pushed = [r["seq"] for e, batch in display.pushed if e == "records" for r in batch if r["stream"] == s]
    last = await display.call("sync", {"stream": s, "after": 0})
    check("SyncAck", last)
    assert pushed == list(range(synced + 1, last["records"][-1]["seq"] + 1)), "every record pushed, in order"
    await display.sio.disconnect()
    for c in (clerk, chair, seat1, seat2, recorder):
        await c.close()


@pytest.fixture
def server(tmp_path: Path) -> Any:
    srv = ServerProcess(f"sqlite:///{tmp_path / 'hall.db'}", tmp_path / "srv")
    srv.start()
    yield srv
    srv.stop()
