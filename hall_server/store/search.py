"""Full-text search over the sittings' records: every text an event carries, indexed as it is appended.

Khmer is written without spaces between words, so neither database's word
tokenizer can split it. Both index trigrams instead (SQLite FTS5's
``trigram`` tokenizer, PostgreSQL's ``pg_trgm`` GIN index), and a query finds
every text holding each of its words as a substring (Latin letters in any case).

    record_text(stream, seq, kind, text)    one row per event that carries text

The rows are written in the transaction that appends their records; a log made
before the index existed is indexed once, when the index is created.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, inspect, text

from protocol.events import (
    DocumentAttached,
    Event,
    GuestAdded,
    ItemAdded,
    NoticePosted,
    Record,
    SegmentAdded,
    SegmentRevised,
    SittingCreated,
    VoteOpened,
)

TABLE = "record_text"
MAX_WORDS = 8  # of a query: more words than that are ignored
MIN_CHARS = 3  # a trigram index needs three characters to look anything up


@dataclass(frozen=True)
class Hit:
    """A text that matched: where it is in the log, what kind of event it is, and a passage around the match."""

    stream: str
    seq: int
    kind: str
    snippet: str


def event_text(event: Event) -> str | None:
    """The words an event puts in the record (titles, motions, speeches, notices, guests), or None."""
    match event:
        case SittingCreated():
            return f"{event.title_km}\n{event.title_en}\n{event.place}"
        case ItemAdded():
            return f"{event.title_km}\n{event.title_en}"
        case DocumentAttached():
            return event.title
        case NoticePosted():
            return event.text
        case VoteOpened():
            return f"{event.motion_km}\n{event.motion_en}"
        case SegmentAdded():
            return event.text
        case SegmentRevised():
            return event.text
        case GuestAdded():
            return f"{event.name_km}\n{event.name_latin}\n{event.title_km}\n{event.title_en}"
    return None


def words_of(query: str) -> list[str]:
    """The query's words (NFC, as the record's texts are), the short ones left out."""
    words = unicodedata.normalize("NFC", query).split()
    return [w for w in words if len(w) >= MIN_CHARS][:MAX_WORDS]


def create_index(engine: Engine) -> bool:
    """Create the text table and its trigram index when missing; True when it was just made."""
    if inspect(engine).has_table(TABLE):
        return False
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text(f"CREATE VIRTUAL TABLE {TABLE} USING fts5("
                              "stream UNINDEXED, seq UNINDEXED, kind UNINDEXED, text, tokenize='trigram')"))
        else:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            conn.execute(text(f"CREATE TABLE {TABLE} (stream varchar(64) NOT NULL, seq integer NOT NULL, "
                              "kind varchar(64) NOT NULL, text text NOT NULL, PRIMARY KEY (stream, seq))"))
            conn.execute(text(f"CREATE INDEX {TABLE}_trgm ON {TABLE} USING gin (text gin_trgm_ops)"))
    return True


def index_rows(records: Iterable[Record]) -> list[dict[str, Any]]:
    """The rows ``insert_rows`` writes for these records."""
    return [{"stream": r.stream, "seq": r.seq, "kind": r.event.type, "text": t}
            for r in records if (t := event_text(r.event))]


def insert_rows(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(text(f"INSERT INTO {TABLE} (stream, seq, kind, text) VALUES (:stream, :seq, :kind, :text)"),
                     rows)


def search(conn: Connection, query: str, limit: int) -> list[Hit]:
    """Texts holding every word of ``query``, in log order; none for a query without a 3-letter word."""
    words = words_of(query)
    if not words:
        return []
    like = "LIKE" if conn.dialect.name == "sqlite" else "ILIKE"
    where = " AND ".join(f"text {like} :w{i} ESCAPE '\\'" for i in range(len(words)))
    params: dict[str, Any] = {f"w{i}": f"%{_escaped(w)}%" for i, w in enumerate(words)}
    rows = conn.execute(text(f"SELECT stream, seq, kind, text FROM {TABLE} WHERE {where} "
                             "ORDER BY stream, seq LIMIT :limit"), {**params, "limit": limit}).all()
    return [Hit(str(s), int(q), str(k), snippet(str(t), words[0])) for s, q, k, t in rows]


def snippet(body: str, word: str, around: int = 80) -> str:
    """The passage of ``body`` around the first place ``word`` is found (any case), with … where cut."""
    at = max(0, body.casefold().find(word.casefold()))
    start, end = max(0, at - around), min(len(body), at + len(word) + around)
    return f"{'…' if start else ''}{body[start:end]}{'…' if end < len(body) else ''}".replace("\n", " · ")


def _escaped(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


__all__ = ["Hit", "create_index", "event_text", "index_rows", "insert_rows", "search", "snippet", "words_of"]
