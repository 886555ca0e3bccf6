"""The tables: the event log, command results, snapshots, credentials, private notes."""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel


class EventRow(SQLModel, table=True):
    """One record of the hash-chained log; (stream, seq) unique serialises writers."""

    __tablename__ = "events"
    stream: str = Field(primary_key=True, max_length=64)
    seq: int = Field(primary_key=True)
    type: str = Field(max_length=64)
    record: str  # the Record as JSON, hash included


class CommandRow(SQLModel, table=True):
    """The first answer to a command id of one device, committed with its events (idempotency).

    Ids are scoped to the sending device (``""`` for none) and bound to the SHA-256 of the
    command's canonical bytes, so another device's id is an unrelated id and the same id
    with another command is a conflict, never the first command's answer.
    """

    __tablename__ = "command_answers"
    stream: str = Field(primary_key=True, max_length=64)
    device_id: str = Field(primary_key=True, max_length=64)
    command_id: str = Field(primary_key=True, max_length=64)
    command_sha256: str = Field(max_length=64)
    result: str


class SnapshotRow(SQLModel, table=True):
    __tablename__ = "snapshots"
    stream: str = Field(primary_key=True, max_length=64)
    seq: int = Field(primary_key=True)
    state: str


class CredentialRow(SQLModel, table=True):
    """Hashed PINs and card ids: private, so outside the published log."""

    __tablename__ = "credentials"
    member_id: str = Field(primary_key=True, max_length=64)
    pin_hash: str | None = None
    card_hash: str | None = None


class NoteRow(SQLModel, table=True):
    """A member's private note on an agenda item, sealed (AES-256-GCM): outside the published log."""

    __tablename__ = "private_notes"
    member_id: str = Field(primary_key=True, max_length=64)
    stream: str = Field(primary_key=True, max_length=64)
    item_id: str = Field(primary_key=True, max_length=64)
    nonce: bytes
    sealed: bytes
    updated_ms: int = Field(sa_type=BigInteger)  # ms since the epoch: past 32 bits


class AccountRow(SQLModel, table=True):
    """A named account of a clerk, an editor of the record or an operator (``hall_server.accounts``).

    Private like credentials: the password's argon2id hash never enters the published log.
    """

    __tablename__ = "accounts"
    name: str = Field(primary_key=True, max_length=32)
    roles: str = Field(max_length=64)  # space-separated, e.g. "clerk editor"
    password_hash: str
    created_by: str = Field(max_length=64)
    created_ms: int = Field(sa_type=BigInteger)  # ms since the epoch: past 32 bits


class SessionRow(SQLModel, table=True):
    """A signed-in browser: the SHA-256 of its cookie's token, whose account, until when (ms)."""

    __tablename__ = "sessions"
    token_sha256: str = Field(primary_key=True, max_length=64)
    account: str = Field(max_length=32, index=True)
    expires_ms: int = Field(sa_type=BigInteger)


class AccountChangeRow(SQLModel, table=True):
    """A change to an account after it was added: its password changed or reset, disabled or enabled.

    Who did it and when, one row per change, never rewritten. Whether an account is disabled is its
    latest ``disabled``/``enabled`` row, so the ``accounts`` table keeps the shape it was created with
    and a hall's existing database only gains this table.
    """

    __tablename__ = "account_changes"
    id: int | None = Field(default=None, primary_key=True)
    account: str = Field(max_length=32, index=True)
    change: str = Field(max_length=32)  # ``hall_server.accounts.Change``
    by: str = Field(max_length=64)  # an account's name, or "admin" for the admin token
    at_ms: int = Field(sa_type=BigInteger)  # ms since the epoch
