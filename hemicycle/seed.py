"""Seed a hall through the protocol, as a clerk would: roster, devices, sittings.

Used by ``hemicycle demo`` and ``hemicycle simulate``; idempotent (every
command has a stable id), so running it twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from hemicycle.senate import COMMISSION_AGENDA, PLENARY_AGENDA, Senator, senators
from protocol.commands import (
    REGISTRY_STREAM,
    AddItem,
    AttachDocument,
    CreateSitting,
    DefineBody,
    DefinePlan,
    EnrolDevice,
    Membership,
    Officer,
    RegisterMember,
    SetCredential,
    SetMembership,
)
from protocol.errors import ErrorCode, ProtocolError
from protocol.seating import PlanSeat, PlanShape, SeatingPlan
from protocol.settings import FloorSettings
from protocol.types import HALL_TIME_ZONE, Body, Office, Role
from seat_client.client import HallClient
from seat_client.identity import DeviceKey, KeySource, memory_keys


@dataclass
class Seeded:
    plenary: str
    commission: str
    members: list[Senator]
    keys: KeySource

    def device(self, suffix: str) -> DeviceKey:
        """The key of a seeded device: "chair", "display", "recorder" or "seat-S001"."""
        return self.keys(f"{self.prefix}-{suffix}")

    @property
    def prefix(self) -> str:
        return self.plenary.split("-plenary-")[0]


async def _once(clerk: HallClient, stream: str, cmd: object, cid: str) -> dict[str, object] | None:
    """Send a seeding command; an existing thing is fine (seeding twice)."""
    try:
        return await clerk.command(stream, cmd, command_id=cid)
    except ProtocolError as err:
        if err.code is ErrorCode.ALREADY_EXISTS:
            return None
        raise


def _cid(*parts: str) -> str:
    return "seed-" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]


SENATE_HALL = "senate-hall"


def senate_hall(seats: list[str]) -> SeatingPlan:
    """The Senate hall as a hemicycle, rows of 16 front first, seats in order from the front left;
    a short back row is centred."""
    columns = min(16, len(seats))
    rows = math.ceil(len(seats) / columns)
    placed: list[PlanSeat] = []
    for i, seat in enumerate(seats):
        row, k = divmod(i, columns)
        in_row = min(columns, len(seats) - row * columns)
        placed.append(PlanSeat(seat=seat, row=row + 1, column=k + 1 + (columns - in_row) // 2))
    return SeatingPlan(room_id=SENATE_HALL, name_km="សាលប្រជុំព្រឹទ្ធសភា", name_en="Senate Hall",
                       shape=PlanShape.HEMICYCLE, rows=rows, columns=columns, prefix="S", seats=placed)


async def seed_senate(
    clerk: HallClient,
    seats: int = 62,
    prefix: str = "senate",
    date: str | None = None,
    commission: bool = True,
    keys: KeySource | None = None,
    simulated: bool = False,
    plan: bool = False,
) -> Seeded:
    """Register the Senate, enrol one device per seat plus chair and display, create sittings.

    With ``commission``, the Ninth Commission (``<prefix>-commission-9``) is defined with the first
    nine members, its bureau the first three, and its sitting takes them from it. ``simulated`` marks
    the sittings as a rehearsal, kept out of the lists people use. With ``plan``, the hall's seating
    plan too, and the plenary sitting in that room.
    """
    members = senators(max(seats, 1))
    day = date or dt.datetime.now(ZoneInfo(HALL_TIME_ZONE)).date().isoformat()  # today on the hall's clock
    for m in members:
        await _once(
            clerk,
            REGISTRY_STREAM,
            RegisterMember(
                member_id=m.member_id,
                name_km=m.name_km,
                name_latin=m.name_latin,
                group=m.group,
                title_km="សមាជិកព្រឹទ្ធសភា",
                title_en="Senator",
            ),
            _cid(prefix, "member", m.member_id),
        )
        await clerk.command(
            REGISTRY_STREAM,
            SetCredential(member_id=m.member_id, pin=m.pin),
            command_id=_cid(prefix, "pin", m.member_id),
        )
    seeded = Seeded(plenary=f"{prefix}-plenary-{day}", commission=f"{prefix}-c9-{day}",
                    members=members, keys=keys or memory_keys())
    devices = [(f"{prefix}-seat-{m.seat}", Role.SEAT, m.seat) for m in members]
    devices += [(f"{prefix}-chair", Role.CHAIR, None), (f"{prefix}-display", Role.DISPLAY, None),
                (f"{prefix}-recorder", Role.RECORDER, None)]
    for device_id, role, seat in devices:
        await _once(
            clerk,
            REGISTRY_STREAM,
            EnrolDevice(device_id=device_id, role=role, seat=seat, label=seat or role.value,
                        public_key=seeded.keys(device_id).public_hex),
            _cid(prefix, "device", device_id),
        )
    if plan:
        hall = senate_hall([m.seat for m in members])
        await _once(clerk, REGISTRY_STREAM, DefinePlan(plan=hall), _cid(prefix, "plan", SENATE_HALL))
    await _create(clerk, seeded.plenary, Body.PLENARY, 1, "សម័យប្រជុំពេញអង្គព្រឹទ្ធសភា",
                  "Plenary sitting of the Senate", day, PLENARY_AGENDA, "senate-plenary", simulated,
                  SENATE_HALL if plan else None)
    if commission:
        body = f"{prefix}-commission-9"
        await _once(clerk, REGISTRY_STREAM, DefineBody(body_id=body, kind=Body.COMMISSION, name_km="គណៈកម្មការទី៩",
                                                       name_en="Ninth Commission"), _cid(prefix, "body", body))
        bureau = zip((Office.PRESIDENT, Office.VICE_PRESIDENT, Office.SECRETARY), members, strict=False)
        await _once(clerk, REGISTRY_STREAM, SetMembership(
            body_id=body, members=[Membership(member_id=m.member_id) for m in members[:9]],
            officers=[Officer(member_id=m.member_id, office=office) for office, m in bureau],
        ), _cid(prefix, "members", body))
        await _create(clerk, seeded.commission, body, 9, "កិច្ចប្រជុំគណៈកម្មការទី៩", "Meeting of the Ninth Commission",
                      day, COMMISSION_AGENDA, "senate-committee", simulated)
    return seeded


async def _create(
    clerk: HallClient,
    stream: str,
    body: str,
    number: int,
    title_km: str,
    title_en: str,
    day: str,
    agenda: list[tuple[str, str | None, str, str]],
    rules: str,
    simulated: bool,
    room: str | None = None,
) -> None:
    await _once(
        clerk,
        stream,
        CreateSitting(
            body=body,
            number=number,
            title_km=title_km,
            title_en=title_en,
            date=day,
            place="សាលប្រជុំព្រឹទ្ធសភា, ភ្នំពេញ / Senate Hall, Phnom Penh",
            rules=rules,
            simulated=simulated,
            floor=FloorSettings(max_open_mics=2, speaking_time_s=300, warning_s=30),
            room=room,
        ),
        _cid(stream, "create"),
    )
    for item_id, parent, km, en in agenda:
        await _once(
            clerk,
            stream,
            AddItem(item_id=item_id, parent_id=parent, title_km=km, title_en=en),
            _cid(stream, "item", item_id),
        )
    doc = hashlib.sha256(f"{stream}-report".encode()).hexdigest()
    await _once(
        clerk,
        stream,
        AttachDocument(item_id=agenda[1][0], document_id=f"{agenda[1][0]}-report",
                       title="Committee report / របាយការណ៍គណៈកម្មការ", sha256=doc, size=0),
        _cid(stream, "doc"),
    )
