"""Socket.IO namespaces, one per role: authenticate, then load-decide-append-emit.

Wire (see ``hemicycle protocol schema``):
    connect(auth={"v": 1, "device_id", "nonce", "signature"})   nonce from GET /api/challenge
            (the bootstrap clerk alone may use auth={"v": 1, "token": <admin token>}; a page signed in
            to an account, auth={"v": 1, "csrf": <its csrftoken cookie>} with its session cookie)
    "command"  CommandEnvelope          -> ack {"ok": true, ...result} | {"ok": false, "error"}
    "sync"     {"stream", "after"}      -> ack {"ok": true, "records": [...]} | snapshot
    "streams"  {}                       -> ack {"ok": true, "sittings": [...], "route", "today"}
    "view"     {"stream"}               -> ack {"ok": true, "view", "roster", "plan", "own"?}; then "view" pushes
                                           ("own": a seat's own member's ballots, for its eyes only;
                                           "plan": the sitting's room's seating plan or null, pushed
                                           again as "plan" when the clerk redraws it; the roster
                                           pushed again as "roster" {"stream", "roster"} when
                                           it is renewed before the opening)
    "caption"  {"stream", "turn_id", "member_id", "text", "final"}  (recorder only; relayed live)
    "documents" {}                      -> ack {"ok": true, "cookie", "pass", "expires"}: a document
                                           pass (hall_server.web.documents), for GET /documents/<sha256>
    "notes" / "note"                    a member's private notes, to its own device only
                                           (hall_server.transport.notes)
    server emits "records" (a list of Records, in seq order) to the stream's room,
    "view" to its view room (the browser apps), "caption" to both, and "device" (its route,
    seat, member, label, revoked) to one device's connections when the registry changes it.
Handlers never raise: any failure becomes a typed error in the ack.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo

import socketio
from pydantic import ValidationError
from socketio.async_pubsub_manager import AsyncPubSubManager

from hall_server.accounts import Accounts
from hall_server.hall import Caller, Hall
from hall_server.store.notes import PrivateNotes
from hall_server.transport.challenge import Challenges
from hall_server.transport.fair import Doorman, Limiter, retry_after
from hall_server.transport.notes import read_notes, write_note
from hall_server.transport.pairing import Pairings
from hall_server.transport.remote_links import LinkTable
from hall_server.transport.sessions import session_caller, socket_token
from hall_server.transport.signalling import relay_signal
from hall_server.transport.wire import UNREADABLE, check_payload
from hall_server.web.documents import PASS_COOKIE, DocumentPasses
from procedure import SittingState, dump_state, empty_state
from procedure.views import (
    own_ballots,
    plan_view,
    project_record,
    project_state,
    public_view,
    roster_view,
    sitting_summary,
)
from protocol.commands import COMMAND_TYPES, REGISTRY_STREAM, CommandEnvelope
from protocol.errors import ErrorCode, ProtocolError, validation_problems
from protocol.events import (
    Actor,
    DeviceReassigned,
    DeviceRenamed,
    DeviceRevoked,
    DevicesRouted,
    PlanDefined,
    Record,
    RosterRenewed,
)
from protocol.keys import connect_message, verify
from protocol.limits import SYNC_LIMIT
from protocol.live import Caption
from protocol.types import HALL_TIME_ZONE, Role
from protocol.version import PROTOCOL_VERSION

log = logging.getLogger("hemicycle.transport")

MAX_SEQ = 2**63 - 1  # the store's seq column is a signed 64-bit integer
STREAM_ID = re.compile(r"[A-Za-z0-9_.:\-]{1,64}")
ROLES = (Role.SEAT, Role.REMOTE, Role.CHAIR, Role.CLERK, Role.DISPLAY, Role.RECORDER)
def error(code: ErrorCode, message: str, **details: Any) -> dict[str, Any]:
    return {"ok": False, "error": ProtocolError(code, message, **details).to_wire()}


def refused(err: ProtocolError) -> socketio.exceptions.ConnectionRefusedError:
    """A refused connection: the client's ``connect_error`` gets ``message`` and, as ``data``,
    the JSON error ``{"code", "message", "details"}`` that every refusal carries."""
    return socketio.exceptions.ConnectionRefusedError(err.message, err.to_wire())


class RoleNamespace(socketio.AsyncNamespace):
    """One role's namespace: every connection here authenticates as that role."""

    def __init__(
        self,
        role: Role,
        hall: Hall,
        admin_token: str,
        challenges: Challenges,
        pairings: Pairings,
        broadcaster: Broadcaster,
        limiter: Limiter,
        doorman: Doorman,
        passes: DocumentPasses,
        links: LinkTable,
        notes: PrivateNotes,
        accounts: Accounts | None = None,
    ) -> None:
        super().__init__(f"/{role.value}")
        self.links = links
        self.notes = notes
        self.accounts = accounts  # signed-in accounts (clerk namespace): ``transport.sessions``
        self.passes = passes
        self.limiter = limiter
        self.doorman = doorman
        self.pairings = pairings
        self.broadcaster = broadcaster
        self.role = role
        self.hall = hall
        self.admin_token = admin_token
        self.challenges = challenges
        self.known = COMMAND_TYPES
        self.callers: dict[str, Caller] = {}  # sid -> who is connected
        self.sessions: dict[str, str] = {}  # sid -> the session token of a signed-in account
        self.tasks: set[asyncio.Task[None]] = set()  # messages sent after the connect handler returns

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        auth = auth if isinstance(auth, dict) else {}
        if auth.get("v", PROTOCOL_VERSION) != PROTOCOL_VERSION:
            raise refused(ProtocolError(ErrorCode.UNSUPPORTED_VERSION, "this server speaks another protocol version",
                                        supported=PROTOCOL_VERSION))
        caller = self.authenticate(auth)
        if caller is None and auth.get("device_id"):
            await self.hall.refresh(REGISTRY_STREAM)  # enrolled through another worker?
            caller = self.authenticate(auth)
        token = socket_token(environ, auth) if caller is None and self.role is Role.CLERK else None
        if token is not None and self.accounts is not None:
            caller = await session_caller(self.accounts, token)
            if caller is not None:
                self.sessions[sid] = token
        if caller is None:
            raise refused(ProtocolError(ErrorCode.UNAUTHENTICATED,
                                        "unknown device, revoked key, stale challenge or bad signature"))
        self.callers[sid] = caller
        if caller.enrolled:
            await self.enter_room(sid, device_room(caller.actor.device_id or ""))
        self.doorman.authenticated(self.server.manager.eio_sid_from_sid(sid, self.namespace))
        self.hall.metrics.connected.labels(role=self.role.value).inc()
        if self.role is Role.REMOTE:
            await self.links.connected(caller)
        elif self.role is Role.CHAIR:
            # After the connect handler: Socket.IO sends the CONNECT packet when it returns, and an
            # event before it is one the client may not take (python-socketio's ``always_connect``).
            task = asyncio.create_task(self.emit("remote_links", self.links.table(), to=sid))
            self.tasks.add(task)  # held until done, so it is not collected mid-run
            task.add_done_callback(self.tasks.discard)

    def authenticate(self, auth: dict[str, Any]) -> Caller | None:
        """Admin token (clerk bootstrap), or a signature over a fresh challenge."""
        token = auth.get("token")
        if token is not None:
            if self.role is Role.CLERK and isinstance(token, str) and self.admin_token and \
                    hmac.compare_digest(token.encode(), self.admin_token.encode()):
                return Caller(Actor(role=Role.CLERK, device_id="admin"))
            return None
        device_id, nonce, signature = auth.get("device_id"), auth.get("nonce"), auth.get("signature")
        if not isinstance(device_id, str) or not isinstance(signature, str) or len(signature) != 128:
            return None
        device = self.hall.registry.active_device(device_id)
        if device is None or device.role is not self.role:
            return None
        if not isinstance(nonce, str) or not verify(device.public_key, signature,
                                                    connect_message(nonce, device_id)):
            return None
        if not self.challenges.redeem(nonce):
            return None
        return Caller(
            Actor(role=self.role, device_id=device.device_id, member_id=device.member_id),
            seat=device.seat,
            enrolled=True,
        )

    async def drop_ended_sessions(self) -> None:
        """Disconnect this worker's sockets whose account session has ended (password changed or reset,
        account disabled); other workers' sockets are refused at their next command."""
        if self.accounts is None:
            return
        for sid, token in list(self.sessions.items()):
            if await session_caller(self.accounts, token) is None:
                log.info("socket %s: its account's session has ended, dropped", sid)
                await self.disconnect(sid)

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        self.limiter.forget(sid)
        self.sessions.pop(sid, None)
        caller = self.callers.pop(sid, None)
        if caller is not None:
            self.hall.metrics.connected.labels(role=self.role.value).dec()
            if self.role is Role.REMOTE:
                await self.links.disconnected(caller)

    async def trigger_event(self, event: str, *args: Any) -> Any:
        """Every event a client sends passes here: checked, then handled, always answered.

        ``connect`` and ``disconnect`` reach their handlers only from the server itself
        (a client sending those names gets ``unknown_command``); an unreadable packet
        (``wire.UNREADABLE``), an unknown event, extra arguments or a payload that
        ``check_payload`` refuses gets its typed error; every message first takes a
        token from its connection's and its device's bucket (``fair.Limiter``), and
        without one is answered ``rate_limited`` with ``retry_after_s`` (a connection that
        keeps sending regardless is disconnected, ``fair.MAX_IGNORED``); a failure
        in a handler is the server's (``internal``, logged with its traceback).
        """
        if event in ("connect", "disconnect") and self._from_server(event, args):
            return await super().trigger_event(event, *args)
        sid, payload = args[0], args[1:]
        caller = self.callers.get(sid)
        wait = self.limiter.take(sid, caller.actor.device_id or sid if caller else sid, self.role, time.monotonic())
        if wait:
            self.hall.metrics.count("refused", ErrorCode.RATE_LIMITED.value)
            if self.limiter.ignoring(sid):
                log.warning("disconnecting %s in %s: it ignores rate_limited", sid, self.namespace)
                await self.disconnect(sid)
            return error(ErrorCode.RATE_LIMITED, "too many messages: wait and send again",
                         retry_after_s=retry_after(wait))
        if event == UNREADABLE:
            return error(ErrorCode.MALFORMED, "the message is not JSON the hall can read",
                         reason=str(payload[0] if payload else "")[:120])
        handler = self.handlers.get(event)
        if handler is None:
            return error(ErrorCode.UNKNOWN_COMMAND, "unknown event", event=event[:64], known=sorted(self.handlers))
        if len(payload) > 1:
            return error(ErrorCode.MALFORMED, "an event takes one argument", event=event)
        data = payload[0] if payload else None
        refusal = check_payload(data)
        if refusal is not None:
            return {"ok": False, "error": refusal.to_wire()}
        try:
            return await handler(sid, data)
        except asyncio.CancelledError:
            raise
        except ProtocolError as err:
            return {"ok": False, "error": err.to_wire()}
        except Exception:
            log.exception("%s failed in %s", event, self.namespace)
            return error(ErrorCode.INTERNAL, f"the server could not handle this {event}")

    def _from_server(self, event: str, args: tuple[Any, ...]) -> bool:
        """Whether a connect/disconnect comes from the Socket.IO server, not a client's event.

        The server hands ``connect`` the very environ of the connection; it calls
        ``disconnect`` once the connection is already marked as leaving.
        """
        sid = args[0]
        if event == "connect":
            return len(args) >= 2 and args[1] is self.server.get_environ(sid, self.namespace)
        return not self.server.manager.is_connected(sid, self.namespace)

    @property
    def handlers(self) -> dict[str, Callable[[str, Any], Awaitable[dict[str, Any]]]]:
        return {"command": self.on_command, "sync": self.on_sync, "view": self.on_view,
                "caption": self.on_caption, "pairings": self.on_pairings, "streams": self.on_streams,
                "documents": self.on_documents, "signal": self.on_signal,
                "call_quality": self.on_call_quality, "notes": self.on_notes, "note": self.on_note}

    async def on_command(self, sid: str, data: Any = None) -> dict[str, Any]:
        caller = self.callers.get(sid)
        if caller is None:
            return error(ErrorCode.UNAUTHENTICATED, "not connected")
        if not isinstance(data, dict):
            return error(ErrorCode.MALFORMED, "a command is a JSON object")
        cmd = data.get("cmd")
        kind = cmd.get("type") if isinstance(cmd, dict) else None
        if kind is None:
            return error(ErrorCode.MALFORMED, "a command needs cmd.type",
                         problems=[{"loc": "cmd.type" if isinstance(cmd, dict) else "cmd", "type": "missing",
                                    "msg": "required"}])
        if not isinstance(kind, str) or kind not in self.known:
            return error(ErrorCode.UNKNOWN_COMMAND, "unknown command type", type=str(kind)[:64])
        token = self.sessions.get(sid)
        if token is not None and self.accounts is not None and await session_caller(self.accounts, token) is None:
            return error(ErrorCode.UNAUTHENTICATED, "the session has ended: sign in again")
        if not caller.may_command(kind):
            return error(ErrorCode.FORBIDDEN, "this account's roles do not allow this command", type=kind,
                         roles=sorted(caller.roles or ()))
        try:
            env = CommandEnvelope.model_validate(data)
        except ValidationError as exc:
            problems = validation_problems(exc.errors())
            return error(ErrorCode.MALFORMED, "command does not match the protocol", problems=problems)
        if env.v != PROTOCOL_VERSION:
            return error(ErrorCode.UNSUPPORTED_VERSION, "protocol version", supported=PROTOCOL_VERSION)
        result = await self.hall.execute(env, caller)
        return {"ok": True, **result}

    async def on_sync(self, sid: str, data: Any = None) -> dict[str, Any]:
        """Join a stream's room and get what was missed since ``after`` (projected for this role)."""
        caller = self.callers.get(sid)
        if caller is None:
            return error(ErrorCode.UNAUTHENTICATED, "not connected")
        if not isinstance(data, dict):
            return error(ErrorCode.MALFORMED, "sync takes {stream, after}")
        stream, after = data.get("stream"), data.get("after", 0)
        if (
            not isinstance(stream, str)
            or not STREAM_ID.fullmatch(stream)
            or not isinstance(after, int)
            or isinstance(after, bool)
            or not 0 <= after <= MAX_SEQ
        ):
            return error(ErrorCode.MALFORMED, f"sync takes {{stream: id, after: 0..{MAX_SEQ}}}")
        if stream == REGISTRY_STREAM and self.role is not Role.CLERK:
            return error(ErrorCode.FORBIDDEN, "only clerks follow the registry")
        state = await self.hall.refresh(stream)
        if state.seq == 0:
            return error(ErrorCode.UNKNOWN_SITTING, "no such stream", stream=stream)
        await self.enter_room(sid, stream)
        if state.seq - after > SYNC_LIMIT:
            return {"ok": True, "snapshot": dump_state(project_state(state, self.role)), "seq": state.seq}
        records = await self.hall.records_after(stream, after, SYNC_LIMIT) if after < state.seq else []
        return {"ok": True, "records": [project_record(r, self.role, state) for r in records]}

    async def on_view(self, sid: str, data: Any = None) -> dict[str, Any]:
        """Follow a sitting as a page does: the public view now, pushed on every change."""
        if sid not in self.callers:
            return error(ErrorCode.UNAUTHENTICATED, "not connected")
        stream = data.get("stream") if isinstance(data, dict) else None
        state = await self.hall.refresh(stream) if isinstance(stream, str) and STREAM_ID.fullmatch(stream) else None
        if not isinstance(state, SittingState) or not state.created:
            return error(ErrorCode.UNKNOWN_SITTING, "no such sitting", stream=str(stream)[:64])
        await self.enter_room(sid, f"view:{state.stream}")
        answer = {"ok": True, "view": {**public_view(state), "now_ms": self.hall.clock()}, "roster": roster_view(state),
                  "plan": plan_view(self.hall.registry, state.room)}
        if self.role in (Role.SEAT, Role.REMOTE):
            caller = self.hall.current(self.callers[sid])
            member = caller.actor.member_id or (state.member_at_seat(caller.seat) if caller.seat else None)
            answer["own"] = own_ballots(state, member)
        return answer

    async def on_caption(self, sid: str, data: Any = None) -> dict[str, Any]:
        """Live captions from the recorder: relayed, not logged (segments are)."""
        if self.role is not Role.RECORDER or sid not in self.callers:
            return error(ErrorCode.FORBIDDEN, "only the recorder sends captions")
        try:
            caption = Caption.model_validate(data)
        except ValidationError:
            return error(ErrorCode.MALFORMED, "caption takes {stream, turn_id, member_id, text, final}")
        if caption.stream not in self.hall.states:
            return error(ErrorCode.UNKNOWN_SITTING, "no such sitting")
        await self.broadcaster.caption(caption)
        return {"ok": True}

    async def on_signal(self, sid: str, data: Any = None) -> dict[str, Any]:
        """WebRTC signalling between remote members and the media endpoint (see ``signalling``)."""
        return await relay_signal(self, self.role, self.callers.get(sid), sid, data)

    async def on_call_quality(self, sid: str, data: Any = None) -> dict[str, Any]:
        """A remote member's call report, for the chairs' table (see ``remote_links``)."""
        if self.role is not Role.REMOTE:
            return error(ErrorCode.FORBIDDEN, "only remote members report their call")
        return await self.links.report(self.callers.get(sid), data)

    async def on_pairings(self, sid: str, data: Any = None) -> dict[str, Any]:
        """Devices waiting to be enrolled (clerks only)."""
        caller = self.callers.get(sid)
        if caller is None or not caller.may("pairings"):
            return error(ErrorCode.FORBIDDEN, "only clerks and operators see pairing requests")
        return {"ok": True, "pairings": self.pairings.pending(self.hall.registry)}

    async def on_documents(self, sid: str, data: Any = None) -> dict[str, Any]:
        """A document pass for this device: the cookie that lets its pages load /documents/<sha256>."""
        caller = self.callers.get(sid)
        if caller is None:
            return error(ErrorCode.UNAUTHENTICATED, "not connected")
        token, expiry = self.passes.issue(caller.actor.device_id or "" if caller.enrolled else "")
        return {"ok": True, "cookie": PASS_COOKIE, "pass": token, "expires": expiry}

    async def on_notes(self, sid: str, data: Any = None) -> dict[str, Any]:
        """The asking member's private notes in a sitting (``transport.notes``)."""
        return await read_notes(self.hall, self.notes, self.callers.get(sid), data)

    async def on_note(self, sid: str, data: Any = None) -> dict[str, Any]:
        """Write the asking member's private note on an item (``transport.notes``)."""
        return await write_note(self.hall, self.notes, self.callers.get(sid), data)

    async def on_streams(self, sid: str, data: Any = None) -> dict[str, Any]:
        """The sittings this device can follow, newest first; ``route``: the sitting this device is
        sent to (``device.route``, None: it chooses); ``today``: the hall's calendar day."""
        caller = self.callers.get(sid)
        if caller is None:
            return error(ErrorCode.UNAUTHENTICATED, "not connected")
        await self.hall.refresh_all()
        sittings = sorted(self.hall.sittings(), key=lambda s: (s.date, s.stream), reverse=True)
        return {"ok": True, "sittings": [sitting_summary(s, self.hall.registry) for s in sittings],
                "route": self.hall.route_of(caller), "today": hall_day(self.hall.clock())}


def device_room(device_id: str) -> str:
    """The room of one device's connections: where its route and its revocation are pushed."""
    return f"device:{device_id}"


def hall_day(now_ms: int) -> str:
    """The calendar day on the hall's clock (ISO)."""
    return dt.datetime.fromtimestamp(now_ms / 1000, ZoneInfo(HALL_TIME_ZONE)).date().isoformat()



HEAL_EVERY_S = 2.0


class Broadcaster:
    """Sends committed records, and the public view after them, to each role's rooms.

    Records go through a queue drained by one task, so a command's answer
    never waits on fan-out and order per stream is kept. Whatever queued up
    meanwhile goes out together: a burst of 1,500 ballots is a few "records"
    packets and a few views per seat, not 1,500 of each.

    A fan-out can be lost (Redis down between workers: another worker's records
    never reach this one's clients; a commit whose confirmation the database
    connection lost). Every ``HEAL_EVERY_S`` a second task re-tells this worker's own
    clients the latest record of each stream that moved, read from the log: a
    client that missed records sees the gap and resyncs, one that did not ignores it.
    """

    def __init__(self, sio: socketio.AsyncServer, hall: Hall) -> None:
        self.sio = sio
        self.hall = hall
        self.queue: asyncio.Queue[tuple[str, list[Record]]] = asyncio.Queue()
        # Scaled out, other workers' clients are not visible here: then always emit.
        self.local_only = not isinstance(sio.manager, AsyncPubSubManager)
        self._tasks: list[asyncio.Task[None]] = []

    async def publish(self, stream: str, records: list[Record]) -> None:
        self.queue.put_nowait((stream, records))

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._run(), name="broadcaster"),
                       asyncio.create_task(self._heal(), name="broadcaster-heal")]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass

    async def _emit(self, event: str, data: Any | Callable[[Role], Any], room: str, local: bool = False) -> None:
        """Emit to a room in every role's namespace that has someone in it.

        ``data`` is the same for every role, or a function giving each role its projection;
        ``local``: to this worker's clients only, not through Redis to the others'.
        """
        for role in ROLES:
            namespace = f"/{role.value}"
            if (self.local_only or local) and \
                    not any(True for _ in self.sio.manager.get_participants(namespace, room)):
                continue  # nobody listens here: skip building the packet
            try:
                await self.sio.emit(event, data(role) if callable(data) else data, room=room, namespace=namespace,
                                    ignore_queue=local)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("broadcast of %s to %s failed", event, namespace)

    async def _tell_devices(self, records: list[Record]) -> None:
        """Push each routed, reassigned or revoked device its new standing ("device"); a revoked
        device's connections here are then closed: it leaves its sitting at once."""
        registry = self.hall.registry
        touched: dict[str, None] = {}
        for r in records:
            event = r.event
            if isinstance(event, DevicesRouted):
                touched.update(dict.fromkeys(event.device_ids))
            elif isinstance(event, DeviceRevoked | DeviceReassigned | DeviceRenamed):
                touched[event.device_id] = None
        for device_id in touched:
            device = registry.devices.get(device_id)
            if device is None:
                continue
            standing = {"device_id": device_id, "route": device.route, "revoked": device.revoked,
                        "seat": device.seat, "member_id": device.member_id, "label": device.label}
            await self._emit("device", standing, device_room(device_id))
            if device.revoked:
                for namespace in (f"/{role.value}" for role in ROLES):
                    for sid, _ in list(self.sio.manager.get_participants(namespace, device_room(device_id))):
                        await self.sio.disconnect(sid, namespace=namespace)

    async def caption(self, caption: Caption) -> None:
        data = caption.model_dump(mode="json")
        await self._emit("caption", data, caption.stream)
        await self._emit("caption", data, f"view:{caption.stream}")

    async def _replan(self, records: list[Record]) -> None:
        """A redrawn seating plan goes to the pages following a sitting in its room."""
        for plan in {r.event.plan.room_id: r.event.plan for r in records if isinstance(r.event, PlanDefined)}.values():
            for sitting in self.hall.sittings():
                if sitting.room == plan.room_id:
                    await self._emit("plan", plan.model_dump(mode="json"), f"view:{sitting.stream}")

    async def _send(self, stream: str, records: list[Record], local: bool = False) -> None:
        """Records to the stream's room, projected for each role, then the sitting's view to its pages."""
        state = self.hall.states.get(stream) or empty_state(stream)

        def projected(role: Role) -> Any:
            return [project_record(r, role, state) for r in records]

        await self._emit("records", projected, stream, local)
        if isinstance(state, SittingState) and state.created:
            if any(isinstance(r.event, RosterRenewed) for r in records):  # before the view that counts it
                await self._emit("roster", {"stream": stream, "roster": roster_view(state)}, f"view:{stream}", local)
            view = {**public_view(state), "now_ms": self.hall.clock()}  # pages set their clocks by it
            await self._emit("view", view, f"view:{stream}", local)

    async def _run(self) -> None:
        while True:
            batch = [await self.queue.get()]
            while not self.queue.empty():
                batch.append(self.queue.get_nowait())
            by_stream: dict[str, list[Record]] = {}
            for stream, records in batch:
                by_stream.setdefault(stream, []).extend(records)
            for stream, records in by_stream.items():
                try:
                    await self._send(stream, records)
                    if stream == REGISTRY_STREAM:
                        await self._tell_devices(records)
                    await self._replan(records)
                except asyncio.CancelledError:
                    raise
                except Exception:  # one bad stream must not stop fan-out for the others
                    log.exception("fan-out for %s failed; clients will resync", stream)

    async def _heal(self) -> None:
        """Every ``HEAL_EVERY_S``: each stream's head in the log; where it moved, its last record again,
        to this worker's clients (the state caught up from the log first)."""
        told: dict[str, int] | None = None
        while True:
            await asyncio.sleep(HEAL_EVERY_S)
            try:
                heads = await self.hall.store.run(self.hall.store.log.heads)
                moved = [(s, seq) for s, seq in heads.items() if told is not None and seq > told.get(s, 0)]
                for stream, seq in moved:
                    await self.hall.refresh(stream)
                    await self._send(stream, await self.hall.records_after(stream, seq - 1, 1), local=True)
                told = heads
            except asyncio.CancelledError:
                raise
            except ProtocolError as err:  # the store is unavailable: the next round tries again
                log.warning("re-telling the heads: %s", err)
            except Exception:
                log.exception("re-telling the heads failed")
