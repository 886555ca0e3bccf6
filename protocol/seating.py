"""Seating plans: a room's seats on a grid, as the clerk draws them (``room.define_plan``).

A room is a place where sittings happen (the plenary hall, a commission
room). Its plan is a grid of ``rows`` x ``columns`` positions, front row
first and left first as pages draw it (the rostrum at the top); each seat
holds one position and carries the id that seat devices are enrolled to
(``device.enrol`` ``seat``) and that check-ins record (``attendance.checked_in``
``seat``). Positions with no seat
are gaps (aisles, pillars). The shape says how pages lay the grid out:
straight rows, or a hemicycle (each row an arc facing the chair). The
numbering is the scheme the clerk's editor used to name the seats, kept so
the plan reopens the way it was drawn; the seat ids are what count.

Shape::

    SeatingPlan
    ├── room_id, name_km, name_en
    ├── shape: rows | hemicycle
    ├── rows, columns               the grid, 1..MAX_PLAN_ROWS x 1..MAX_PLAN_COLUMNS
    ├── numbering, prefix           how the editor named the seats (S + 001: S001)
    └── seats: [PlanSeat]           seat id, row (1 = front), column (1 = left as drawn)
"""

from __future__ import annotations

from collections import Counter
from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, StringConstraints, model_validator

from protocol.types import Id, Model, ShortText

MAX_PLAN_ROWS = 40
MAX_PLAN_COLUMNS = 80
MAX_PLAN_SEATS = 1200
"""A plan's bounds: 1,200 seats is about 38 KB of command, within ``MAX_COMMAND_BYTES``."""


class PlanShape(StrEnum):
    ROWS = "rows"
    HEMICYCLE = "hemicycle"


class PlanNumbering(StrEnum):
    """How the editor names seats: 1..N row by row from the chair's left (``continuous``),
    the same from the chair's right (``continuous_right``), or row and seat (``row_seat``: 3-12)."""

    CONTINUOUS = "continuous"
    CONTINUOUS_RIGHT = "continuous_right"
    ROW_SEAT = "row_seat"


class PlanSeat(Model):
    seat: Id
    row: int = Field(ge=1, le=MAX_PLAN_ROWS)
    column: int = Field(ge=1, le=MAX_PLAN_COLUMNS)


class SeatingPlan(Model):
    """A room's plan; refused when a seat lies outside the grid, or two seats share an id or a position."""

    room_id: Id
    name_km: ShortText
    name_en: ShortText
    shape: PlanShape = PlanShape.ROWS
    rows: int = Field(ge=1, le=MAX_PLAN_ROWS)
    columns: int = Field(ge=1, le=MAX_PLAN_COLUMNS)
    numbering: PlanNumbering = PlanNumbering.CONTINUOUS
    prefix: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:\-]{0,16}$")] = ""  # before each number: S001
    seats: list[PlanSeat] = Field(min_length=1, max_length=MAX_PLAN_SEATS)

    @model_validator(mode="after")
    def _seats_fit(self) -> Self:
        outside = [s.seat for s in self.seats if s.row > self.rows or s.column > self.columns]
        if outside:
            raise ValueError(f"seats outside the {self.rows} x {self.columns} grid: {', '.join(outside[:10])}")
        twice = sorted(i for i, n in Counter(s.seat for s in self.seats).items() if n > 1)
        if twice:
            raise ValueError(f"seat ids used twice: {', '.join(twice[:10])}")
        if len({(s.row, s.column) for s in self.seats}) != len(self.seats):
            raise ValueError("two seats share a position")
        return self
