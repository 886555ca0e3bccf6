"""The hall: the application service between transport and domain.

For each command: load the stream's state, decide, seal the events into the
chain, commit them with the command's answer, fold them in, hand them to
the broadcaster, answer. One writer per stream (an asyncio lock here; the
store's (stream, seq) key across workers). Nothing here touches sockets.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import multiprocessing
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hall_server.accounts import AccountRole, Act, may, may_command
from hall_server.metrics import HallMetrics
from hall_server.store import AsyncLog, CommandAnswer, Conflict, EarlierAnswer, EventLog, credential_matches
from procedure import (
    Context,
    OutOfOrder,
    RegistryState,
    SittingState,
    State,
    decide,
    dump_state,
    empty_state,
    fold,
    load_state,
)
from procedure.sitting import follows_registry, moves_roster, own_member
from procedure.states import check_state
from protocol.ballots import decode_ballot
from protocol.canonical import canonical_bytes
from protocol.commands import (
    REGISTRY_STREAM,
    CastBallot,
    CheckIn,
    Command,
    CommandEnvelope,
    CreateSitting,
    RenewRoster,
    RouteDevices,
    SetCredential,
)
from protocol.errors import ErrorCode, ProtocolError
from protocol.events import Actor, BallotCast, Event, Record, VoteClosed, VoteSealed
from protocol.keys import public_key_hex, seal_message, verify
from protocol.types import Role, SittingStatus

log = logging.getLogger("hemicycle.hall")
T = TypeVar("T")

Publisher = Callable[[str, list[Record]], Awaitable[None]]
SNAPSHOT_EVERY = 1000
MAX_RETRIES = 5
MAX_BATCH = 500
# The registry commands a sitting's roster is made of: its members' names, groups, offices and seats in bodies.
ROSTER_SOURCES = frozenset({"member.update", "body.define", "body.set_membership"})  # see ``moves_roster``


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass
class _Pending:
    """A checked command waiting for its stream's writer, and where its answer goes."""

    env: CommandEnvelope
    caller: Caller
    signature_ok: bool | None
    answer: asyncio.Future[dict[str, Any]]
    before: RegistryState | None = None  # the registry before this command, when it may move rosters


@dataclass(frozen=True)
class Caller:
    """An authenticated connection: its actor, its seat, whether a device key proved it, an account's roles."""

    actor: Actor
    seat: str | None = None
    enrolled: bool = False
    roles: frozenset[AccountRole] | None = None  # a signed-in account's; None: a device or the admin token

    def may(self, act: Act) -> bool:
        """Whether this caller may ``act`` (``accounts.ACTS``): any clerk device or the admin token, an account
        by its roles."""
        return self.actor.role is Role.CLERK and (self.roles is None or may(self.roles, act))

    def may_command(self, kind: str) -> bool:
        """Whether this caller may send a command of this kind: all but accounts, those by their roles."""
        return self.roles is None or may_command(self.roles, kind)


def acting_actor(state: State, cmd: Command, events: list[Event], ctx: Context) -> Actor:
    """The record's actor: the device and role, and the member the command was made for.

    A member's device acts for the member its command names (check-in, floor, check-out:
    the decision has already refused any other), for the member of the ballot it cast (as
    the decision read it: ``vote.ballot_cast``), or else for the member bound to it or
    checked in at its seat. Other roles keep their own binding.
    """
    actor = ctx.actor
    if actor.role not in (Role.SEAT, Role.REMOTE) or not isinstance(state, SittingState):
        return actor
    member = getattr(cmd, "member_id", None)
    if member is None:
        member = next((e.member_id for e in events if isinstance(e, BallotCast)), None)
    if member is None:
        member = own_member(state, ctx)
    return actor.model_copy(update={"member_id": member})


def command_digest(env: CommandEnvelope) -> str:
    """SHA-256 (hex) of the command's canonical bytes: what an idempotency key is bound to."""
    return hashlib.sha256(canonical_bytes(env.cmd.model_dump(mode="json"))).hexdigest()


def replay(earlier: EarlierAnswer, digest: str, command_id: str) -> dict[str, Any] | ProtocolError:
    """The first answer again for a re-sent command; ``conflict`` when the id named another command."""
    if earlier.command_sha256 != digest:
        return ProtocolError(ErrorCode.CONFLICT, "this command id was already used for a different command",
                             command_id=command_id)
    return {**earlier.result, "replayed": True}


class Hall:
    """Runs commands against streams held in memory, backed by the event log."""

    def __init__(
        self, log_: EventLog, server_key: Ed25519PrivateKey, clock: Callable[[], int] = now_ms
    ) -> None:
        self.store = AsyncLog(log_)
        self.server_key = server_key
        self.server_public = public_key_hex(server_key)
        self.clock = clock
        # Ed25519 and scrypt hold the GIL: ballots and PINs are checked in another
        # process, spawned (not forked) so it never inherits the listening socket.
        self._verifier = new_verifier()
        self.states: dict[str, State] = {}
        self._queues: dict[str, list[_Pending]] = {}  # stream -> commands waiting for its writer
        self._writers: dict[str, asyncio.Task[None]] = {}  # stream -> its writer, while it has work
        self._publishers: list[Publisher] = []
        self.metrics = HallMetrics()

    # -- lifecycle --------------------------------------------------------------

    async def start(self) -> None:
        """Rebuild every stream from its latest snapshot and the records after it."""
        for stream in await self.store.run(self.store.log.streams):
            await self.reload(stream)
        # Start the verifier process now, not on the first ballot of the day.
        await self.offload(verify, self.server_public, "0" * 128, b"")
        log.info("hall started with %d streams", len(self.states))

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self.store.close)
        # Joined here, not left to the interpreter's exit, whose hook then writes to a pipe already closed.
        await loop.run_in_executor(None, lambda: self._verifier.shutdown(wait=True, cancel_futures=True))

    def subscribe(self, publisher: Publisher) -> None:
        self._publishers.append(publisher)

    async def reload(self, stream: str) -> State:
        state = await self.store.run(rebuild, self.store.log, stream)
        self.states[stream] = state
        return state

    async def refresh(self, stream: str) -> State:
        """Catch a stream up with the store: with several workers, others write too."""
        current = self.states.get(stream) or empty_state(stream)
        fresh = await self.store.run(catch_up, self.store.log, current)
        latest = self.states.get(stream)
        if fresh.seq > (latest.seq if latest else 0):  # never step back past a concurrent commit
            self.states[stream] = fresh
        return self.states.get(stream) or fresh

    async def refresh_all(self) -> None:
        """Learn the streams other workers created, and catch up those that moved on."""
        for stream, seq in (await self.store.run(self.store.log.heads)).items():
            known = self.states.get(stream)
            if known is None or known.seq < seq:
                await self.refresh(stream)

    # -- reads ------------------------------------------------------------------

    @property
    def registry(self) -> RegistryState:
        state = self.states.get(REGISTRY_STREAM)
        return state if isinstance(state, RegistryState) else RegistryState()

    def sittings(self) -> list[SittingState]:
        return [s for s in self.states.values() if isinstance(s, SittingState) and s.created]

    def footprint(self) -> dict[str, int]:
        """Entries held in memory per kind (streams, queues, writers): /healthz shows them, so
        anyone can see that input naming things that do not exist leaves nothing behind."""
        return {"streams": len(self.states), "queues": len(self._queues), "writers": len(self._writers)}

    async def records_after(self, stream: str, after: int, limit: int) -> list[Record]:
        return await self.store.run(self.store.log.records, stream, after, limit)

    # -- commands ---------------------------------------------------------------

    async def execute(self, env: CommandEnvelope, caller: Caller, *, renew_rosters: bool = True) -> dict[str, Any]:
        """Run one command; return its answer after commit, or raise ProtocolError (nothing changed).

        Checks that need no stream state (revoked key, PIN, ballot signature) run first
        and concurrently; then the command joins its stream's queue, and one writer
        decides and commits whatever has queued up in a single transaction (group commit).
        A registry change to members or bodies is carried to the scheduled sittings'
        rosters before it is answered (``renew_rosters``), unless the caller does that
        once for many changes (a roster import).
        """
        started = time.perf_counter()
        try:
            cmd = env.cmd
            device_id = caller.actor.device_id
            if caller.enrolled:
                caller = self.current(caller)
            if isinstance(cmd, RouteDevices) and cmd.stream is not None:
                await self._check_route_target(cmd.stream)
            if isinstance(cmd, SetCredential):
                return await self._set_credential(cmd, caller)
            if env.stream == REGISTRY_STREAM and isinstance(cmd, CreateSitting):
                raise ProtocolError(ErrorCode.MALFORMED, "a sitting cannot be called 'registry'")
            if isinstance(cmd, CheckIn) and caller.actor.role is Role.SEAT:
                # The rules' refusals (not on the roster, already present, seat taken) come before
                # the credential's: a dry run of the pure decision on the state as it stands.
                known = self.states.get(env.stream)
                if isinstance(known, SittingState) and known.created:
                    decide(known, cmd, Context(caller.actor, self.clock(), caller.seat), self.registry)
                stored = await self.store.run(self.store.log.credential, cmd.member_id)
                if stored == (None, None):  # no credential, no check-in at a seat: a clerk sets one first
                    raise ProtocolError(ErrorCode.BAD_CREDENTIAL, "this member has no PIN or card set",
                                        member_id=cmd.member_id)
                ok = await self.offload(credential_matches, cmd.member_id, stored, cmd.pin, cmd.card_id)
                if not ok:
                    raise ProtocolError(ErrorCode.BAD_CREDENTIAL, "PIN or card does not match",
                                        member_id=cmd.member_id)
            signature_ok = await self._check_signature(cmd, device_id) if isinstance(cmd, CastBallot) else None
            pending = _Pending(env, caller, signature_ok, asyncio.get_running_loop().create_future())
            self._queues.setdefault(env.stream, []).append(pending)
            if env.stream not in self._writers:
                task = asyncio.create_task(self._write(env.stream), name=f"writer:{env.stream}")
                self._writers[env.stream] = task
            answer = await pending.answer
            if renew_rosters and pending.before is not None:
                await self.renew_rosters(pending.before, [env.cmd], env.id, caller)
            return answer
        except ProtocolError as err:
            self.metrics.count("refused", err.code.value)
            raise
        finally:
            self.metrics.command_seconds.observe(time.perf_counter() - started)

    async def renew_rosters(self, before: RegistryState, changes: list[Command], cause: str,
                            caller: Caller) -> list[str]:
        """Carry registry ``changes`` made since ``before`` to the rosters of the scheduled sittings they
        touch (``moves_roster``) that followed the registry then and no longer do (``sitting.renew_roster``),
        in ``caller``'s name; the streams renewed. Command ids derive from ``cause`` (the change's id), so a
        change re-sent renews once; a sitting that opened in between keeps its roster."""
        registry, renewed = self.registry, []
        for sitting in self.sittings():
            if sitting.status is not SittingStatus.SCHEDULED or not any(moves_roster(sitting, c) for c in changes):
                continue
            if not follows_registry(sitting, before) or follows_registry(sitting, registry):
                continue
            cid = "roster-" + hashlib.sha256(f"{cause} {sitting.stream}".encode()).hexdigest()[:40]
            try:
                await self.execute(CommandEnvelope(id=cid, stream=sitting.stream, cmd=RenewRoster()), caller)
                renewed.append(sitting.stream)
            except ProtocolError as err:
                log.info("roster of %s not renewed after %s: %s", sitting.stream, cause, err.code.value)
        return renewed

    def current(self, caller: Caller) -> Caller:
        """An enrolled caller as the registry has its device now: reassigned seat or member, or revoked
        (KEY_REVOKED)."""
        device = self.registry.active_device(caller.actor.device_id or "")
        if device is None:
            raise ProtocolError(ErrorCode.KEY_REVOKED, "this device's key has been revoked",
                                device_id=caller.actor.device_id)
        return replace(caller, actor=caller.actor.model_copy(update={"member_id": device.member_id}),
                       seat=device.seat)

    def route_of(self, caller: Caller) -> str | None:
        """The sitting an enrolled caller's device is routed to, if any."""
        device = self.registry.active_device(caller.actor.device_id or "") if caller.enrolled else None
        return device.route if device else None

    async def _check_route_target(self, stream: str) -> None:
        """Devices go only to a sitting that exists and whose state takes them (``states.ALLOWED``)."""
        target = await self.refresh(stream) if stream != REGISTRY_STREAM else None
        if not isinstance(target, SittingState) or not target.created:
            raise ProtocolError(ErrorCode.UNKNOWN_SITTING, "no such sitting", stream=stream)
        check_state(target.status, "device.route")

    async def _write(self, stream: str) -> None:
        """The stream's single writer: drains its queue batch by batch."""
        try:
            while self._queues.get(stream):
                batch = self._queues[stream][:MAX_BATCH]
                del self._queues[stream][:MAX_BATCH]
                try:
                    await self._commit(stream, batch)
                except asyncio.CancelledError:
                    raise
                except ProtocolError as err:  # the store is unavailable: a re-send (same id) learns the outcome
                    log.warning("writer for %s: %s", stream, err)
                    for p in batch:
                        if not p.answer.done():
                            p.answer.set_exception(err)
                except Exception as exc:
                    log.exception("writer for %s failed", stream)
                    for p in batch:
                        if not p.answer.done():
                            p.answer.set_exception(ProtocolError(ErrorCode.INTERNAL, f"not committed: {exc}"))
        finally:
            self._writers.pop(stream, None)
            if not self._queues.get(stream):
                self._queues.pop(stream, None)  # a stream nobody writes to leaves nothing behind

    async def _commit(self, stream: str, batch: list[_Pending]) -> None:
        await self.refresh(stream)  # what other workers committed, before deciding
        if stream != REGISTRY_STREAM:
            await self.refresh(REGISTRY_STREAM)
        for _attempt in range(MAX_RETRIES):
            keys = [(p.caller.actor.author, p.env.id) for p in batch]
            earlier = await self.store.run(self.store.log.answers, stream, keys)
            before = self.states.get(stream) or empty_state(stream)
            state = before
            records: list[Record] = []
            answers: list[CommandAnswer] = []
            outcomes: list[dict[str, Any] | ProtocolError] = []
            for p in batch:
                key, digest = (p.caller.actor.author or "", p.env.id), command_digest(p.env)
                if key in earlier:
                    outcomes.append(replay(earlier[key], digest, p.env.id))
                    continue
                ctx = Context(p.caller.actor, self.clock(), p.caller.seat, p.signature_ok, self.route_of(p.caller))
                registry = state if isinstance(state, RegistryState) else self.registry
                try:
                    events = decide(state, p.env.cmd, ctx, registry)
                except ProtocolError as err:
                    outcomes.append(err)
                    continue
                acting = replace(ctx, actor=acting_actor(state, p.env.cmd, events, ctx))
                new = seal_records(stream, state, events, acting, p.env.id)
                new += self._seals(stream, new, ctx, p.env.id)
                for r in new:
                    state = fold(state, r)
                if new and isinstance(state, RegistryState) and p.env.cmd.type in ROSTER_SOURCES:
                    p.before = registry
                result = {
                    "seq": new[-1].seq if new else state.seq,
                    "events": [r.event.type for r in new],
                    **result_extras(new),
                }
                records += new
                answers.append(CommandAnswer(stream, p.env.id, p.caller.actor.author, result, digest))
                earlier[key] = EarlierAnswer(digest, result)
                outcomes.append(result)
            if answers:
                try:
                    await self.store.run(self.store.log.append, records, answers)
                except Conflict:
                    self.metrics.conflicts.inc()
                    await self.reload(stream)
                    continue
                self.states[stream] = state
                self.metrics.events.inc(len(records))
                if state.seq // SNAPSHOT_EVERY > before.seq // SNAPSHOT_EVERY:
                    try:
                        await self.store.run(self.store.log.save_snapshot, stream, state.seq, dump_state(state))
                    except ProtocolError as err:  # committed all the same: a snapshot only speeds up a restart
                        log.warning("snapshot of %s at %d not saved: %s", stream, state.seq, err)
                for publish in self._publishers:
                    await publish(stream, records)
            for p, outcome in zip(batch, outcomes, strict=True):
                if isinstance(outcome, ProtocolError):
                    p.answer.set_exception(outcome)
                else:
                    self.metrics.count("replayed" if outcome.get("replayed") else "accepted")
                    p.answer.set_result(outcome)
            return
        for p in batch:
            p.answer.set_exception(ProtocolError(ErrorCode.CONFLICT, "stream is busy; send the command again"))

    async def offload(self, fn: Callable[..., T], *args: Any) -> T:
        """Run CPU-bound checks in the verifier process; a dead one is replaced, once."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._verifier, fn, *args)
        except BrokenProcessPool:
            log.error("the verifier process died; starting a new one")
            self._verifier = new_verifier()
            return await loop.run_in_executor(self._verifier, fn, *args)

    async def _check_signature(self, cmd: CastBallot, device_id: str | None) -> bool:
        device = self.registry.active_device(device_id or "")
        if device is None:
            return False
        _, raw = decode_ballot(cmd.ballot)
        return await self.offload(verify, device.public_key, cmd.signature, raw)

    def _seals(self, stream: str, records: list[Record], ctx: Context, cid: str) -> list[Record]:
        """A closed vote is sealed at once: the server signs its result and the chain head."""
        seals: list[Record] = []
        for r in records:
            if isinstance(r.event, VoteClosed):
                seal = make_seal(self.server_key, stream, r)
                prev = seals[-1] if seals else records[-1]
                seals += seal_records(stream, _Head(prev.seq, prev.hash), [seal], ctx, cid)
        return seals

    async def _set_credential(self, cmd: SetCredential, caller: Caller) -> dict[str, Any]:
        if caller.actor.role is not Role.CLERK:
            raise ProtocolError(ErrorCode.FORBIDDEN, "only a clerk can set credentials")
        if cmd.member_id not in self.registry.members:
            raise ProtocolError(ErrorCode.UNKNOWN_MEMBER, "no such member", member_id=cmd.member_id)
        await self.store.run(self.store.log.set_credential, cmd.member_id, cmd.pin, cmd.card_id)
        return {"seq": self.registry.seq, "events": []}


def new_verifier() -> ProcessPoolExecutor:
    # Spawned, not forked: it must never inherit the listening socket.
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))


@dataclass(frozen=True)
class _Head:
    """Where a chain stands: enough to seal further records onto it."""

    seq: int
    head: str


def make_seal(key: Ed25519PrivateKey, stream: str, closed: Record) -> VoteSealed:
    assert isinstance(closed.event, VoteClosed)
    result_sha = hashlib.sha256(canonical_bytes(closed.event.result.model_dump(mode="json"))).hexdigest()
    message = seal_message(stream, closed.event.vote_id, closed.seq, closed.hash, result_sha)
    return VoteSealed(
        vote_id=closed.event.vote_id,
        closed_seq=closed.seq,
        closed_hash=closed.hash,
        result_sha256=result_sha,
        server_key=public_key_hex(key),
        signature=key.sign(message).hex(),
    )


def result_extras(records: list[Record]) -> dict[str, Any]:
    """What the client needs back: the request or turn it created, a ballot's receipt."""
    extras: dict[str, Any] = {}
    for r in records:
        data = r.event.model_dump()
        for key in ("request_id", "turn_id"):
            if key in data:
                extras[key] = data[key]
        if r.event.type == "vote.ballot_cast":
            extras["receipt"] = {"seq": r.seq, "hash": r.hash}
    return extras


def seal_records(
    stream: str, state: State | _Head, events: list[Event], ctx: Context, command_id: str | None
) -> list[Record]:
    records: list[Record] = []
    prev, seq = state.head, state.seq
    for event in events:
        seq += 1
        record = Record.seal(
            stream=stream,
            seq=seq,
            at_ms=ctx.now_ms,
            command_id=command_id,
            actor=ctx.actor,
            event=event,
            prev_hash=prev,
        )
        records.append(record)
        prev = record.hash
    return records


def rebuild(log_: EventLog, stream: str) -> State:
    """State of a stream from its latest snapshot and the records after it."""
    snap = log_.latest_snapshot(stream)
    return catch_up(log_, load_state(snap[1]) if snap else empty_state(stream))


def catch_up(log_: EventLog, state: State) -> State:
    """Fold the stored records that follow ``state``, checking each link."""
    stream = REGISTRY_STREAM if isinstance(state, RegistryState) else state.stream
    for record in log_.iter_records(stream, after=state.seq):
        if not record.verify_link():
            raise OutOfOrder(f"record {stream}#{record.seq} does not match its hash: the log was edited")
        state = fold(state, record)
    return state
