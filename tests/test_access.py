"""The authorisation matrix, as data, checked over real sockets: every command x every
actor is let through exactly where ``MATRIX`` says, and refused (``forbidden``,
``not_your_member``) everywhere else. The table is the documentation.

Let through means the answer is not a refusal of *who* asks; the command may still
meet the state (``invalid_state``, ``already_present`` ...). Actors:

    seat          a seat device, for the member checked in at it
    seat/other    the same device, naming another member
    remote        a member's remote device, for its member
    remote/other  the same device, naming another member
    chair, clerk, display, recorder
    chair/other   a chair console routed to another sitting (device.route): it acts on that one only
Devices without a valid key (revoked, unknown, no auth) never get as far as a
command: ``test_no_key_no_entry``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
import socketio

from hemicycle.seed import seed_senate
from hemicycle.senate import Senator
from protocol.commands import (
    COMMAND_TYPES,
    REGISTRY_STREAM,
    CheckIn,
    CreateSitting,
    EnrolDevice,
    NextItem,
    OpenSitting,
    OpenVote,
    RegisterMember,
    RevokeDevice,
    RouteDevices,
)
from protocol.errors import ErrorCode, ProtocolError
from protocol.types import Body, Role
from seat_client.client import HallClient
from seat_client.identity import DeviceKey, memory_keys
from tests.hall import ServerProcess
from tests.test_fuzz import valid_commands

ACTORS = ("seat", "seat/other", "remote", "remote/other", "chair", "clerk", "display", "recorder", "chair/other")
MEMBER = {"seat", "remote"}  # a member's own device
VOICE = {"seat", "remote", "chair"}  # the floor: members for themselves, the chair for anyone
CHAIR = {"chair"}
CLERK = {"clerk"}

MATRIX: dict[str, set[str]] = {
    # registry and preparation
    "member.register": CLERK,
    "member.set_credential": CLERK,
    "device.enrol": CLERK,
    "device.revoke": CLERK,
    "sitting.create": CLERK,
    "agenda.add_item": CLERK,
    "agenda.attach_document": CLERK,
    # running the sitting
    "sitting.open": CHAIR, "sitting.suspend": CHAIR, "sitting.resume": CHAIR, "sitting.close": CHAIR,
    "agenda.take_up": CHAIR, "agenda.next": CHAIR, "agenda.previous": CHAIR, "sitting.notice": CHAIR,
    # attendance: a seat checks in whoever gives their PIN or card there (never as remote);
    # a remote device only its member; a clerk anyone
    "attendance.check_in": {"seat", "seat/other", "remote", "clerk"},
    "attendance.check_in remote": {"remote", "clerk"},
    "attendance.check_out": {"seat", "remote", "clerk"},
    # the floor
    "floor.request": VOICE, "floor.withdraw": VOICE, "floor.stop": VOICE,
    "floor.grant": CHAIR, "floor.reorder": CHAIR, "floor.readd_last": CHAIR, "floor.configure": CHAIR,
    "floor.set_quota": CHAIR,
    "floor.expire": set(),  # the server's clock only
    # votes
    "vote.open": CHAIR, "vote.close": CHAIR, "vote.publish": CHAIR, "vote.clear_result": CHAIR,
    "vote.cast": MEMBER,
    # the record
    "transcript.add_segment": {"recorder"},
    "transcript.revise": CLERK,
    "transcript.type": CLERK,
    "transcript.flag_turn": {"recorder"},
    # this round's: members edited and rules entered by the clerk, the chair's time and list
    "member.update": CLERK,
    "rules.define": CLERK,
    "sitting.take_chair": CHAIR,
    "floor.extend": CHAIR, "floor.pause": CHAIR, "floor.resume": CHAIR, "floor.close_list": CHAIR,
    "floor.reopen_list": CHAIR, "floor.set_item_limits": CHAIR,
    "floor.warn": set(),  # the server's clock only
    # bodies and guests
    "body.define": CLERK, "body.set_membership": CLERK, "sitting.add_guest": CLERK,
    # documents on the hall display: the chair or a clerk turns its pages
    "document.show_page": {"chair", "clerk"},
    # seating plans (issue 13)
    "room.define_plan": CLERK,
    # issue 12: edits are the clerk's; the chair (even one of another sitting) may route the hall's devices
    "sitting.edit": CLERK, "sitting.cancel": CLERK, "agenda.edit_item": CLERK, "agenda.remove_item": CLERK,
    "agenda.move_item": CLERK, "agenda.replace_document": CLERK, "agenda.remove_document": CLERK,
    "agenda.order_documents": CLERK, "device.reassign": CLERK, "device.rename": CLERK,
    "device.route": {"clerk", "chair", "chair/other"},
    "sitting.renew_roster": CLERK,
}
DENIED = {ErrorCode.FORBIDDEN, ErrorCode.NOT_YOUR_MEMBER}


def test_the_matrix_covers_every_command() -> None:
    assert {kind.split()[0] for kind in MATRIX} == COMMAND_TYPES
    assert all(who <= set(ACTORS) for who in MATRIX.values())


async def test_every_command_by_every_actor(tmp_path: Path) -> None:
    srv = ServerProcess(f"sqlite:///{tmp_path / 'hall.db'}", tmp_path / "srv", env={"HEMICYCLE_RATE_SCALE": "100"})
    srv.start()
    clients: list[HallClient] = []
    try:
        clerk = HallClient(srv.url, Role.CLERK, srv.admin_token)
        await clerk.connect()
        clients.append(clerk)
        seeded = await seed_senate(clerk, seats=3, prefix=f"a{uuid.uuid4().hex[:4]}", commission=False)
        sitting, m = seeded.plenary, seeded.members
        remote_key = memory_keys()(f"{seeded.prefix}-remote")
        await clerk.command(REGISTRY_STREAM, EnrolDevice(device_id=remote_key.device_id, role=Role.REMOTE,
                                                         member_id=m[2].member_id, public_key=remote_key.public_hex))
        other_key, other_sitting = memory_keys()(f"{seeded.prefix}-chair-other"), f"{sitting}-other"
        await clerk.command(REGISTRY_STREAM, EnrolDevice(device_id=other_key.device_id, role=Role.CHAIR,
                                                         public_key=other_key.public_hex))
        await clerk.command(other_sitting, CreateSitting(body=Body.COMMISSION, number=2, title_km="ក",
                                                         title_en="Other", date="2026-01-01", place="P"))
        await clerk.command(REGISTRY_STREAM, RouteDevices(device_ids=[other_key.device_id], stream=other_sitting))
        seat = HallClient(srv.url, Role.SEAT, seeded.device(f"seat-{m[0].seat}"))
        remote = HallClient(srv.url, Role.REMOTE, remote_key)
        chair = HallClient(srv.url, Role.CHAIR, seeded.device("chair"))
        display = HallClient(srv.url, Role.DISPLAY, seeded.device("display"))
        recorder = HallClient(srv.url, Role.RECORDER, seeded.device("recorder"))
        chair_other = HallClient(srv.url, Role.CHAIR, other_key)
        for c in (seat, remote, chair, display, recorder, chair_other):
            await c.connect()
            clients.append(c)
        await chair.command(sitting, OpenSitting(without_quorum=True))
        await chair.command(sitting, NextItem())
        await seat.command(sitting, CheckIn(member_id=m[0].member_id, pin=m[0].pin))
        await remote.command(sitting, CheckIn(member_id=m[2].member_id))
        await chair.command(sitting, OpenVote(without_quorum=True, vote_id="vz1", motion_km="សំណើ", motion_en="Motion"))
        by_actor: dict[str, tuple[HallClient, Senator | None]] = {
            "seat": (seat, m[0]), "seat/other": (seat, m[1]), "remote": (remote, m[2]),
            "remote/other": (remote, m[1]), "chair": (chair, m[1]), "clerk": (clerk, m[1]),
            "display": (display, m[1]), "recorder": (recorder, m[1]), "chair/other": (chair_other, m[1]),
        }

        async def present() -> None:
            """Put back what an earlier command took away, so each command meets the same hall."""
            for c, member in ((seat, m[0]), (remote, m[2])):
                with contextlib.suppress(ProtocolError):
                    await c.command(sitting, CheckIn(member_id=member.member_id, pin=member.pin
                                                     if c is seat else None))
            with contextlib.suppress(ProtocolError):
                await chair.command(sitting, {"type": "sitting.resume"})

        def command_for(kind: str, actor: str) -> tuple[str, dict[str, Any]]:
            c, member = by_actor[actor]
            assert member is not None
            key = c.identity if isinstance(c.identity, DeviceKey) else seeded.device("chair")
            ballot = key.ballot(sitting, "vz1", member.member_id, m[0].seat if c is seat else None, "yes")
            cmd = next(x for x in valid_commands(sitting, member.member_id, ballot.model_dump(mode="json"))
                       if x["type"] == kind.split()[0])
            if kind.startswith("attendance.check_in"):
                cmd = {**cmd, "pin": member.pin, "remote": kind.endswith("remote")}
            if kind == "floor.reorder":
                cmd = {**cmd, "member_ids": [member.member_id]}
            if kind == "device.route":  # the display only: the other devices keep their places in this test
                cmd = {**cmd, "device_ids": [f"{seeded.prefix}-display"]}
            if kind in ("member.register", "member.update", "member.set_credential", "device.enrol", "device.revoke",
                        "rules.define", "room.define_plan", "device.reassign", "device.rename", "device.route",
                        "body.define", "body.set_membership"):
                return REGISTRY_STREAM, cmd
            if kind == "sitting.create":
                return f"{sitting}-new-{actor.replace('/', '-')}", cmd
            return sitting, cmd

        wrong: list[str] = []
        kinds = [*sorted(set(MATRIX) - {"sitting.close"}), "sitting.close"]  # closing last
        for kind in kinds:
            for actor in ACTORS:
                await present()
                stream, cmd = command_for(kind, actor)
                c = by_actor[actor][0]
                try:
                    await c.command(stream, cmd)
                    code = None
                except ProtocolError as err:
                    code = err.code
                let_through = code not in DENIED
                if let_through != (actor in MATRIX[kind]):
                    wrong.append(f"{kind} by {actor}: {code or 'ok'}")
        assert not wrong, "\n".join(wrong)
    finally:
        for c in clients:
            with contextlib.suppress(Exception):
                await c.close()
        srv.stop()


async def test_no_key_no_entry(tmp_path: Path) -> None:
    """No auth, a stranger's key, a revoked key: refused on connect; revoked while connected: told so and
    disconnected at once (a command racing the revocation gets key_revoked: ``hall.current``)."""
    srv = ServerProcess(f"sqlite:///{tmp_path / 'hall.db'}", tmp_path / "srv")
    srv.start()
    try:
        clerk = HallClient(srv.url, Role.CLERK, srv.admin_token)
        await clerk.connect()
        seeded = await seed_senate(clerk, seats=2, prefix=f"k{uuid.uuid4().hex[:4]}", commission=False)
        for role in (Role.SEAT, Role.REMOTE, Role.CHAIR, Role.CLERK, Role.DISPLAY, Role.RECORDER):
            bare = socketio.AsyncClient(reconnection=False)
            with pytest.raises(socketio.exceptions.ConnectionError):
                await bare.connect(srv.url, namespaces=[f"/{role.value}"], transports=["websocket"])
            await bare.disconnect()
            stranger = HallClient(srv.url, role, memory_keys()("stranger"), give_up_after=1)
            with pytest.raises(socketio.exceptions.ConnectionError):
                await stranger.connect(wait_timeout=3)
            await stranger.sio.disconnect()
        m = seeded.members[0]
        seat = HallClient(srv.url, Role.SEAT, seeded.device(f"seat-{m.seat}"))
        await seat.connect()
        await clerk.command(REGISTRY_STREAM, RevokeDevice(device_id=f"{seeded.prefix}-seat-{m.seat}"))
        for _ in range(250):  # told, and shown out at once (issue 12)
            if seat.revoked and not seat.connected:
                break
            await asyncio.sleep(0.02)
        assert seat.revoked and not seat.connected
        await seat.close()
        again = HallClient(srv.url, Role.SEAT, seeded.device(f"seat-{m.seat}"), give_up_after=1)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await again.connect(wait_timeout=3)
        await again.sio.disconnect()
        await clerk.close()
    finally:
        srv.stop()


async def test_a_member_without_a_credential_cannot_be_checked_in_at_a_seat(tmp_path: Path) -> None:
    srv = ServerProcess(f"sqlite:///{tmp_path / 'hall.db'}", tmp_path / "srv")
    srv.start()
    try:
        clerk = HallClient(srv.url, Role.CLERK, srv.admin_token)
        await clerk.connect()
        seeded = await seed_senate(clerk, seats=2, prefix=f"c{uuid.uuid4().hex[:4]}", commission=False)
        await clerk.command(REGISTRY_STREAM, RegisterMember(member_id="m-nocred", name_km="ក", name_latin="K",
                                                            group="G"))
        sitting = f"{seeded.prefix}-later"
        await clerk.command(sitting, CreateSitting(body=Body.PLENARY, number=2, title_km="ក", title_en="T",
                                                   date="2026-01-01", place="P"))
        seat = HallClient(srv.url, Role.SEAT, seeded.device(f"seat-{seeded.members[0].seat}"))
        await seat.connect()
        for pin in ("0000", "1234", None):
            with pytest.raises(ProtocolError) as refused:
                await seat.command(sitting, CheckIn(member_id="m-nocred", pin=pin))
            assert refused.value.code is ErrorCode.BAD_CREDENTIAL
        await clerk.command(sitting, CheckIn(member_id="m-nocred"))  # a clerk still can, at no seat
        for c in (seat, clerk):
            await c.close()
    finally:
        srv.stop()


async def test_documents_are_for_enrolled_devices_and_clerks(tmp_path: Path) -> None:
    srv = ServerProcess(f"sqlite:///{tmp_path / 'hall.db'}", tmp_path / "srv")
    srv.start()
    try:
        clerk = HallClient(srv.url, Role.CLERK, srv.admin_token)
        await clerk.connect()
        seeded = await seed_senate(clerk, seats=2, prefix=f"d{uuid.uuid4().hex[:4]}", commission=False)
        pdf = b"%PDF-1.4\n% a bill\n"
        status, uploaded = fetch(srv, "/api/documents", pdf, {"X-Hemicycle-Token": srv.admin_token,
                                                              "Content-Type": "application/pdf"})
        assert status == 201
        path = f"/documents/{uploaded['sha256']}"
        assert fetch(srv, path)[0] == 401  # nobody in particular
        assert fetch(srv, path, headers={"X-Hemicycle-Token": srv.admin_token}) == (200, pdf)
        seat = HallClient(srv.url, Role.SEAT, seeded.device(f"seat-{seeded.members[0].seat}"))
        display = HallClient(srv.url, Role.DISPLAY, seeded.device("display"))
        for c in (seat, display):
            await c.connect()
        for c in (seat, display, clerk):
            ticket = await c.call("documents", {})
            assert fetch(srv, path, headers={"Cookie": f"{ticket['cookie']}={ticket['pass']}"}) == (200, pdf)
            assert fetch(srv, f"{path}?pass={ticket['pass']}") == (200, pdf)
        forged = ticket["pass"][:-1] + ("0" if ticket["pass"][-1] != "0" else "1")
        assert fetch(srv, f"{path}?pass={forged}")[0] == 401
        seat_pass = (await seat.call("documents", {}))["pass"]
        await clerk.command(REGISTRY_STREAM, RevokeDevice(device_id=f"{seeded.prefix}-seat-{seeded.members[0].seat}"))
        assert fetch(srv, f"{path}?pass={seat_pass}")[0] == 401  # dies with its device's key
        for c in (seat, display, clerk):
            await c.close()
    finally:
        srv.stop()


def fetch(srv: ServerProcess, path: str, body: bytes | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(f"{srv.url}{path}", data=body, headers=headers or {},
                                     method="POST" if body is not None else "GET")
    try:
        with urllib.request.urlopen(request) as r:
            data = r.read()
            return r.status, json.loads(data) if r.headers["Content-Type"] == "application/json" else data
    except urllib.error.HTTPError as e:
        e.close()
        return e.code, None
