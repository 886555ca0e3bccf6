"""A hall client for any role: commands that survive reconnects, state that resyncs.

Every command carries a client-chosen id and is re-sent with the same id
until the server answers, so a lost ack never becomes a double action.
Followed streams are folded with the hall's own pure ``fold``; a gap in
``seq`` (or a reconnect) triggers a resync from the last seen record.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import socketio

from procedure import State, empty_state, fold, load_state
from protocol.commands import CommandEnvelope
from protocol.errors import ErrorCode, ProtocolError
from protocol.events import Record
from protocol.limits import MAX_MESSAGE_BYTES
from protocol.types import Role
from protocol.version import PROTOCOL_VERSION
from seat_client.identity import DeviceKey

log = logging.getLogger("hemicycle.client")

RETRYABLE = (
    TimeoutError,
    socketio.exceptions.TimeoutError,
    socketio.exceptions.BadNamespaceError,
    socketio.exceptions.DisconnectedError,
)
RecordHook = Callable[[Record], Awaitable[None] | None]


def message_size(data: Any) -> int:
    """Bytes ``data`` takes on the wire, as the Socket.IO client encodes it (ASCII-escaped JSON)."""
    return len(json.dumps(data, separators=(",", ":"), default=str))


RETRIED = (ErrorCode.RATE_LIMITED.value, ErrorCode.UNAVAILABLE.value)


def retry_after(answer: Any) -> float | None:
    """Seconds the server asked us to wait (a ``rate_limited`` or ``unavailable`` answer), else None."""
    if isinstance(answer, dict) and answer.get("ok") is False:
        err = answer.get("error")
        if isinstance(err, dict) and err.get("code") in RETRIED:
            return float(err.get("details", {}).get("retry_after_s", 1.0))
    return None


class ChainBroken(Exception):
    """A record from the server does not hash to what it claims."""


class HallClient:
    def __init__(
        self,
        url: str,
        role: Role,
        identity: DeviceKey | str,
        *,
        call_timeout: float = 10.0,
        give_up_after: float = 60.0,
    ) -> None:
        self.url = url.rstrip("/")
        self.role = role
        self.namespace = f"/{role.value}"
        self.identity = identity  # a device key, or the bootstrap clerk's admin token
        self.call_timeout = call_timeout
        self.give_up_after = give_up_after
        self.states: dict[str, State] = {}
        self.hooks: list[RecordHook] = []
        self._locks: dict[str, asyncio.Lock] = {}
        self._connected = asyncio.Event()
        self._lost = asyncio.Event()  # set from a disconnect until the next connect
        # One HTTP session for the client's life (challenges and the websocket), closed by ``close``:
        # left to Engine.IO, a session per attempt leaked when a reconnect failed mid-way (kill -9 campaign).
        self._http: aiohttp.ClientSession | None = None
        self.sio = socketio.AsyncClient(reconnection=True, reconnection_delay=0.2,
                                        reconnection_delay_max=2.0, http_session=self._session)
        self.sio.on("connect", self._on_connect, namespace=self.namespace)
        self.sio.on("disconnect", self._on_disconnect, namespace=self.namespace)
        self.sio.on("records", self._on_records, namespace=self.namespace)
        self._tasks: set[asyncio.Task[Any]] = set()

    # -- connection -------------------------------------------------------------

    async def connect(self, wait_timeout: float = 10.0) -> None:
        await self.sio.connect(
            self.url,
            namespaces=[self.namespace],
            auth=self._auth,
            transports=["websocket"],
            wait_timeout=wait_timeout,
        )
        await asyncio.wait_for(self._connected.wait(), wait_timeout)

    async def _auth(self) -> dict[str, object]:
        """Fresh proof for each (re)connect: sign a new challenge from the server."""
        if isinstance(self.identity, str):
            return {"v": PROTOCOL_VERSION, "token": self.identity}
        async with self._session().get(f"{self.url}/api/challenge") as r:
            nonce = (await r.json())["nonce"]
        return self.identity.connect_auth(nonce)

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession()
        return self._http

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await self.sio.disconnect()
        if self._http is not None:
            await self._http.close()

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    async def _on_connect(self) -> None:
        self._lost.clear()
        self._connected.set()
        for stream in list(self.states):
            self._spawn(self.resync(stream))

    async def _on_disconnect(self, *args: Any) -> None:
        self._connected.clear()
        self._lost.set()

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- commands ---------------------------------------------------------------

    async def call(self, event: str, data: Any) -> Any:
        """One round trip; waits out a disconnect and sends again, up to a limit.

        A message larger than the transport takes (``MAX_MESSAGE_BYTES``) is refused
        here with ``too_large``: sent, it would only drop the connection, and a
        reconnect would send it again. A ``rate_limited`` or ``unavailable`` answer (the
        store is full or restarting) is waited out and the message sent again (commands
        keep their id, so the log takes each once); any other answer is final.
        """
        size = message_size(data)
        if size > MAX_MESSAGE_BYTES:
            raise ProtocolError(ErrorCode.TOO_LARGE, "message too large to send",
                                limit=MAX_MESSAGE_BYTES, size=size)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.give_up_after
        while True:
            try:
                await asyncio.wait_for(self._connected.wait(), max(0.1, deadline - loop.time()))
                answer = await self._call_while_connected(event, data)
            except RETRYABLE:
                if loop.time() >= deadline:
                    raise
                await asyncio.sleep(0.1)
                continue
            wait = retry_after(answer)
            if wait is None or loop.time() + wait >= deadline:
                return answer
            await asyncio.sleep(wait)  # told to slow down: the same message again, later

    async def _call_while_connected(self, event: str, data: Any) -> Any:
        """One ``sio.call``, given up (``DisconnectedError``) as soon as the connection drops.

        The answer of a call in flight when the server dies never comes; waiting out
        ``call_timeout`` for it would stall every re-send after a restart by that long.
        """
        call = asyncio.ensure_future(self.sio.call(event, data, namespace=self.namespace, timeout=self.call_timeout))
        lost = asyncio.ensure_future(self._lost.wait())
        try:
            await asyncio.wait({call, lost}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            lost.cancel()
            if not call.done():
                call.cancel()
        if call.done() and not call.cancelled():
            return call.result()
        raise socketio.exceptions.DisconnectedError()

    async def command(
        self, stream: str, cmd: Any, command_id: str | None = None
    ) -> dict[str, Any]:
        """Send a command (a protocol model or dict); raise ProtocolError on refusal."""
        env = CommandEnvelope.model_validate(
            {"id": command_id or uuid.uuid4().hex, "stream": stream, "cmd": cmd}
        )
        ack = await self.call("command", env.model_dump(mode="json"))
        if not isinstance(ack, dict):
            raise ProtocolError(ErrorCode.INTERNAL, f"unexpected answer: {ack!r}")
        if not ack.get("ok"):
            raise ProtocolError.from_wire(ack["error"])
        return ack

    async def send_raw(self, data: Any) -> Any:
        """Send anything as a command: for tests of the server's defences."""
        return await self.call("command", data)

    # -- following streams ------------------------------------------------------

    async def sittings(self) -> list[dict[str, Any]]:
        ack = await self.call("streams", {})
        return list(ack["sittings"])

    async def follow(self, stream: str) -> State:
        self.states.setdefault(stream, empty_state(stream))
        await self.resync(stream)
        return self.states[stream]

    async def resync(self, stream: str) -> None:
        lock = self._locks.setdefault(stream, asyncio.Lock())
        async with lock:
            state = self.states.get(stream) or empty_state(stream)
            ack = await self.call("sync", {"stream": stream, "after": state.seq})
            if not ack.get("ok"):
                raise ProtocolError.from_wire(ack["error"])
            if "snapshot" in ack:
                self.states[stream] = load_state(ack["snapshot"])
                return
            for raw in ack["records"]:
                await self._take(Record.model_validate(raw))

    async def _on_records(self, batch: list[dict[str, Any]]) -> None:
        for data in batch:
            record = Record.model_validate(data)
            state = self.states.get(record.stream)
            if state is None:
                return
            if record.seq == state.seq + 1:
                await self._take(record)
            elif record.seq > state.seq + 1:
                self._spawn(self.resync(record.stream))
                return

    async def _take(self, record: Record) -> None:
        state = self.states[record.stream]
        if record.seq <= state.seq:
            return
        if not record.redacted and not record.verify_link():
            raise ChainBroken(f"{record.stream}#{record.seq}")
        self.states[record.stream] = fold(state, record)
        for hook in self.hooks:
            result = hook(record)
            if result is not None:
                await result

    async def wait_for(
        self, stream: str, predicate: Callable[[State], bool], timeout: float = 10.0
    ) -> State:
        """Wait until the followed state satisfies predicate (for scripts and tests)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate(self.states[stream]):
            if loop.time() > deadline:
                raise TimeoutError(f"{stream}: condition not met at seq {self.states[stream].seq}")
            await asyncio.sleep(0.02)
        return self.states[stream]
