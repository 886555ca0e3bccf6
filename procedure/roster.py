"""A roster import as commands: which rows add a member, which change one, which are bad.

    plan_roster(registry, rows) -> [RowPlan]     pure; the hall runs each row's commands

Rows are matched on ``member_id``. A new member needs ``name_km``, ``name_latin`` and
``group``; a known member's row changes only the cells that differ, and a blank cell
leaves the value as it is (so a row of ``member_id`` and ``pin`` only sets the PIN).
A row with a bad cell is reported with its line and its problems and changes
nothing; the other rows still go in. Columns: ``member_id, name_km, name_latin, group,
title_km, title_en, pin, card_id`` (others are ignored).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pydantic import ValidationError

from procedure.registry import RegistryState
from protocol.commands import RegisterMember, SetCredential, UpdateMember
from protocol.errors import validation_problems

MEMBER_FIELDS = ("name_km", "name_latin", "group", "title_km", "title_en")
COLUMNS = ("member_id", *MEMBER_FIELDS, "pin", "card_id")


@dataclass(frozen=True)
class RowPlan:
    """What one row of the roster does: ``kind`` is added | updated | unchanged | bad."""

    line: int
    member_id: str
    kind: str
    member: RegisterMember | UpdateMember | None = None
    credential: SetCredential | None = None
    problems: list[dict[str, str]] = field(default_factory=list)


def plan_row(registry: RegistryState, line: int, row: dict[str, str]) -> RowPlan:
    """The commands for one row (cells already stripped; blank cells absent)."""
    cells = {k: v for k, v in row.items() if k in COLUMNS and v}
    member_id = cells.get("member_id", "")
    try:
        credential = None
        if "pin" in cells or "card_id" in cells:
            credential = SetCredential(member_id=member_id, pin=cells.get("pin"), card_id=cells.get("card_id"))
        known = registry.members.get(member_id)
        fields = {k: cells[k] for k in MEMBER_FIELDS if k in cells}
        if known is None:
            member: RegisterMember | UpdateMember | None = RegisterMember(member_id=member_id, **fields)
            kind = "added"
        else:
            changed = {k: v for k, v in fields.items() if getattr(known, k) != v}
            member = UpdateMember(member_id=member_id, **changed) if changed else None
            kind = "updated" if changed else "unchanged"
    except ValidationError as exc:
        return RowPlan(line, member_id, "bad", problems=validation_problems(exc.errors()))
    return RowPlan(line, member_id, kind, member, credential)


def plan_roster(registry: RegistryState, rows: Iterable[tuple[int, dict[str, str]]]) -> list[RowPlan]:
    """Every row's plan, in file order; a member id given twice is a bad row the second time."""
    seen: set[str] = set()
    plans = []
    for line, row in rows:
        plan = plan_row(registry, line, row)
        if plan.kind != "bad" and plan.member_id in seen:
            plan = RowPlan(line, plan.member_id, "bad", problems=[
                {"loc": "member_id", "type": "duplicate", "msg": "this member is already in an earlier row"}])
        seen.add(plan.member_id)
        plans.append(plan)
    return plans


__all__ = ["COLUMNS", "RowPlan", "plan_roster", "plan_row"]
