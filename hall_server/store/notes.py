"""Members' private notes: one sealed row per member, sitting and agenda item.

Not in the hash-chained log: a note is nobody's record but its member's, so it
is neither published, exported nor verified, and its member can change or
delete it. At rest each text is sealed with AES-256-GCM under a key derived
from the server's key file (``notes_key``), with the row's member, sitting and
item as associated data: a copy of the database alone (a backup, a dump)
reads no note, and a row moved to another member or item no longer opens.
Who holds the server's key file can read them; that is the hall server itself.
"""

from __future__ import annotations

import hashlib
import logging
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine
from sqlmodel import Session, select

from hall_server.store.tables import NoteRow
from protocol.notes import Note

__all__ = ["PrivateNotes", "notes_key"]

log = logging.getLogger("hemicycle.store.notes")


def notes_key(server_key_bytes: bytes) -> bytes:
    """The 32-byte sealing key, derived from the server's private key bytes (domain-separated)."""
    return hashlib.sha256(b"hemicycle/private-notes\x00" + server_key_bytes).digest()


def _bound(member_id: str, stream: str, item_id: str) -> bytes:
    return f"{member_id}\x00{stream}\x00{item_id}".encode()


class PrivateNotes:
    """Read and write sealed notes; synchronous (run it on the store's thread)."""

    def __init__(self, engine: Engine, key: bytes) -> None:
        self.engine = engine
        self._aead = AESGCM(key)

    def read(self, member_id: str, stream: str) -> list[Note]:
        """The member's notes in one sitting, by item id; a row that does not open is left out (logged)."""
        with Session(self.engine) as s:
            rows = s.exec(select(NoteRow).where(NoteRow.member_id == member_id, NoteRow.stream == stream)
                          .order_by(NoteRow.item_id)).all()  # type: ignore[arg-type]
        notes = []
        for row in rows:
            try:
                text = self._aead.decrypt(row.nonce, row.sealed, _bound(member_id, stream, row.item_id))
            except InvalidTag:
                log.warning("a private note of %s in %s (item %s) does not open: edited or moved", member_id,
                            stream, row.item_id)
                continue
            notes.append(Note(item_id=row.item_id, text=text.decode(), updated_ms=row.updated_ms))
        return notes

    def write(self, member_id: str, stream: str, item_id: str, text: str, now_ms: int) -> None:
        """Replace the member's note on an item; an empty text deletes it."""
        with Session(self.engine) as s:
            row = s.get(NoteRow, (member_id, stream, item_id))
            if not text:
                if row is not None:
                    s.delete(row)
                    s.commit()
                return
            nonce = os.urandom(12)
            sealed = self._aead.encrypt(nonce, text.encode(), _bound(member_id, stream, item_id))
            row = row or NoteRow(member_id=member_id, stream=stream, item_id=item_id, nonce=b"", sealed=b"",
                                 updated_ms=0)
            row.nonce, row.sealed, row.updated_ms = nonce, sealed, now_ms
            s.add(row)
            s.commit()
