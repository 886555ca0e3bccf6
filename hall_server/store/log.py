"""The durable event log over SQLite (WAL) or PostgreSQL.

Synchronous by design: one writer thread owns the connection pool
(``AsyncLog`` below), so the event loop never waits on a disk flush.
A command is acknowledged only after ``append`` returns: its events and its
answer are in one committed transaction.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Engine, event, func
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlmodel import Session, SQLModel, create_engine, select

from hall_server.store import search
from hall_server.store.tables import CommandRow, CredentialRow, EventRow, SnapshotRow
from protocol.errors import ErrorCode, ProtocolError
from protocol.events import Record

T = TypeVar("T")
RETRY_AFTER_S = 1.0  # what a client is told to wait when the store cannot answer
# What the database drivers say when the disk under the log is full (SQLite, PostgreSQL).
FULL = ("database or disk is full", "no space left on device", "could not extend file", "disk full")


class Conflict(Exception):
    """Another writer appended to the stream first: reload and decide again."""


@dataclass(frozen=True)
class CommandAnswer:
    """A command's first answer, kept under (stream, device, command id) with the command's hash."""

    stream: str
    command_id: str
    device_id: str | None
    result: dict[str, Any]
    command_sha256: str = ""


@dataclass(frozen=True)
class EarlierAnswer:
    """What a device's command id was first used for, and the answer it got."""

    command_sha256: str
    result: dict[str, Any]


def engine_for(url: str) -> Engine:
    """An engine for a database URL; SQLite gets WAL and full fsync on commit."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(conn: Any, _record: Any) -> None:
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA busy_timeout=5000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def secret_hash(secret: str, salt: str) -> str:
    """Slow salted hash for PINs and card ids (scrypt), hex."""
    return hashlib.scrypt(secret.encode(), salt=salt.encode(), n=2**12, r=8, p=1).hex()


class EventLog:
    """Append, read and snapshot streams; remember command answers."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = engine_for(url)
        SQLModel.metadata.create_all(self.engine)
        if search.create_index(self.engine):
            for stream in self.streams():
                with self.engine.begin() as conn:
                    search.insert_rows(conn, search.index_rows(self.iter_records(stream)))

    def close(self) -> None:
        self.engine.dispose()

    def append(self, records: list[Record], answers: list[CommandAnswer]) -> None:
        """Commit records and the commands' answers together, or none of them."""
        with Session(self.engine) as s:
            for r in records:
                s.add(
                    EventRow(
                        stream=r.stream,
                        seq=r.seq,
                        type=r.event.type,
                        record=r.model_dump_json(),
                    )
                )
            for answer in answers:
                s.add(
                    CommandRow(
                        stream=answer.stream,
                        command_id=answer.command_id,
                        device_id=answer.device_id or "",
                        command_sha256=answer.command_sha256,
                        result=json.dumps(answer.result, ensure_ascii=False),
                    )
                )
            try:
                s.flush()  # a taken (stream, seq) conflicts here, before any text is indexed
                search.insert_rows(s.connection(), search.index_rows(records))
                s.commit()
            except IntegrityError as exc:
                s.rollback()
                raise Conflict(str(exc.orig)) from exc

    def answers(
        self, stream: str, keys: list[tuple[str | None, str]]
    ) -> dict[tuple[str, str], EarlierAnswer]:
        """The first answers already given in this stream to any of these (device_id, command_id)."""
        wanted = {(device or "", cid) for device, cid in keys}
        with Session(self.engine) as s:
            rows = s.exec(
                select(CommandRow.device_id, CommandRow.command_id, CommandRow.command_sha256,
                       CommandRow.result).where(
                    CommandRow.stream == stream,
                    CommandRow.command_id.in_([cid for _, cid in wanted]),  # type: ignore[attr-defined]
                )
            ).all()
        return {(device, cid): EarlierAnswer(sha, json.loads(result))
                for device, cid, sha, result in rows if (device, cid) in wanted}

    def records(self, stream: str, after: int = 0, limit: int | None = None) -> list[Record]:
        return list(self.iter_records(stream, after, limit))

    def iter_records(
        self, stream: str, after: int = 0, limit: int | None = None, batch: int = 5000
    ) -> Iterator[Record]:
        """Records of a stream in seq order, read in batches."""
        left = limit
        while left is None or left > 0:
            size = batch if left is None else min(batch, left)
            with Session(self.engine) as s:
                rows = s.exec(
                    select(EventRow.seq, EventRow.record)
                    .where(EventRow.stream == stream, EventRow.seq > after)
                    .order_by(EventRow.seq)  # type: ignore[arg-type]
                    .limit(size)
                ).all()
            for _seq, raw in rows:
                yield Record.model_validate_json(raw)
            if len(rows) < size:
                return
            after = rows[-1][0]
            if left is not None:
                left -= len(rows)

    def head_seq(self, stream: str) -> int:
        with Session(self.engine) as s:
            return s.exec(select(func.max(EventRow.seq)).where(EventRow.stream == stream)).one() or 0

    def heads(self) -> dict[str, int]:
        """Every stream's last seq, in one query."""
        with Session(self.engine) as s:
            rows = s.exec(select(EventRow.stream, func.max(EventRow.seq)).group_by(EventRow.stream)).all()
        return {stream: int(seq) for stream, seq in rows}

    def streams(self) -> list[str]:
        with Session(self.engine) as s:
            return sorted(s.exec(select(EventRow.stream).distinct()).all())

    def search(self, query: str, limit: int = 100) -> list[search.Hit]:
        """The records' texts holding every word of ``query`` (see ``store.search``)."""
        with self.engine.connect() as conn:
            return search.search(conn, query, limit)

    def save_snapshot(self, stream: str, seq: int, state: dict[str, Any]) -> None:
        with Session(self.engine) as s:
            s.merge(SnapshotRow(stream=stream, seq=seq, state=json.dumps(state, ensure_ascii=False)))
            s.commit()

    def latest_snapshot(self, stream: str) -> tuple[int, dict[str, Any]] | None:
        with Session(self.engine) as s:
            row = s.exec(
                select(SnapshotRow)
                .where(SnapshotRow.stream == stream)
                .order_by(SnapshotRow.seq.desc())  # type: ignore[attr-defined]
                .limit(1)
            ).first()
            return (row.seq, json.loads(row.state)) if row else None

    def set_credential(self, member_id: str, pin: str | None, card_id: str | None) -> None:
        with Session(self.engine) as s:
            row = s.get(CredentialRow, member_id) or CredentialRow(member_id=member_id)
            if pin is not None:
                row.pin_hash = secret_hash(pin, "pin:" + member_id)
            if card_id is not None:
                row.card_hash = secret_hash(card_id, "card:" + member_id)
            s.add(row)
            s.commit()

    def credential(self, member_id: str) -> tuple[str | None, str | None]:
        """The member's stored (PIN hash, card hash); (None, None) when none is set."""
        with Session(self.engine) as s:
            row = s.get(CredentialRow, member_id)
        return (row.pin_hash, row.card_hash) if row else (None, None)


def credential_matches(
    member_id: str, stored: tuple[str | None, str | None], pin: str | None, card_id: str | None
) -> bool:
    """True when the PIN or card matches what is stored; a member with none set passes.

    Deliberately slow (scrypt): run it off the event loop and off the store's thread.
    """
    pin_hash, card_hash = stored
    if pin_hash is None and card_hash is None:
        return True
    if pin is not None and pin_hash is not None:
        return hmac.compare_digest(pin_hash, secret_hash(pin, "pin:" + member_id))
    if card_id is not None and card_hash is not None:
        return hmac.compare_digest(card_hash, secret_hash(card_id, "card:" + member_id))
    return False


def unavailable(exc: OperationalError | InterfaceError | OSError) -> ProtocolError:
    """The store failed for a reason outside the command (disk full, database down or restarting).

    ``unavailable`` with ``reason`` ``storage_full`` or ``database`` and ``retry_after_s``: the
    transaction was rolled back, or its fate is unknown (the connection died during the commit),
    so the client sends the same command again with the same id and the log answers it once.
    """
    said = str(getattr(exc, "orig", None) or exc).lower()
    reason = "storage_full" if any(words in said for words in FULL) else "database"
    return ProtocolError(ErrorCode.UNAVAILABLE, "the hall cannot store or read its record just now; "
                         "send the same command again", reason=reason, retry_after_s=RETRY_AFTER_S)


class AsyncLog:
    """The event log behind one thread, so the event loop never blocks on I/O."""

    def __init__(self, log: EventLog) -> None:
        self.log = log
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="eventlog")

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` on the store's thread; a failing database or disk raises ``unavailable``."""
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)
        except (OperationalError, InterfaceError, OSError) as exc:
            raise unavailable(exc) from exc

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.log.close()
