"""A member's private notes: asked for and written over the socket, never in the record.

Only a member's own device sends these (a seat with that member checked in, or
the member's remote device while checked in); the answers go to that
connection alone and nothing is broadcast (``hall_server.transport.notes``).
"""

from __future__ import annotations

from pydantic import Field

from protocol.types import Id, LongText, Model


class NotesRequest(Model):
    """``notes``: every note of the asking member in one sitting."""

    stream: Id


class NoteWrite(Model):
    """``note``: replace the member's note on one agenda item ("" deletes it)."""

    stream: Id
    item_id: Id
    text: LongText


class Note(Model):
    """One note as its member reads it; ``updated_ms``: server time of the last write."""

    item_id: Id
    text: LongText
    updated_ms: int = Field(ge=0)


__all__ = ["Note", "NoteWrite", "NotesRequest"]
