"""Live-only messages: shown as they happen, never part of the record."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, StringConstraints

from protocol.types import Id, Model, clean_lines


class Caption(Model):
    """A live caption of the current speech; the final text arrives as a segment."""

    stream: Id
    turn_id: Id
    member_id: Id
    text: Annotated[str, BeforeValidator(clean_lines), StringConstraints(max_length=2000)]
    final: bool = False
