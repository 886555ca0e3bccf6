"""Shared field types: identifiers, texts, enums used across commands and events."""

from __future__ import annotations

import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:\-]{1,64}$")]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]
OptText = Annotated[str, StringConstraints(max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=10_000)]
def _real_date(value: str) -> str:
    """An ISO calendar date in ASCII digits: 2026-02-30 and Khmer digits are refused."""
    datetime.date.fromisoformat(value)
    return value


Date = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), AfterValidator(_real_date)]
Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
PublicKeyHex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
SignatureHex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{128}$")]


class Model(BaseModel):
    """Base of every wire model: closed (unknown fields refused) and immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Role(StrEnum):
    """Who a connected device is; one Socket.IO namespace per role."""

    SEAT = "seat"
    REMOTE = "remote"
    CHAIR = "chair"
    CLERK = "clerk"
    DISPLAY = "display"
    RECORDER = "recorder"
    SYSTEM = "system"


class Body(StrEnum):
    PLENARY = "plenary"
    STANDING_COMMITTEE = "standing_committee"
    COMMISSION = "commission"


class SittingStatus(StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    SUSPENDED = "suspended"
    CLOSED = "closed"


class ItemStatus(StrEnum):
    PENDING = "pending"
    CURRENT = "current"
    DONE = "done"


class SpeechType(StrEnum):
    CONTRIBUTION = "contribution"
    PRO = "pro"
    CONTRA = "contra"
    REPLY = "reply"
    POINT_OF_ORDER = "point_of_order"


class FloorMode(StrEnum):
    """How microphones open: the chair's list, the chair alone, or open floor."""

    REQUEST_LIST = "request_list"
    CHAIR_ONLY = "chair_only"
    OPEN_FLOOR = "open_floor"


class StopReason(StrEnum):
    CHAIR = "chair"
    SELF = "self"
    EXPIRED = "expired"
    OVERRIDE = "override"
    SITTING_CLOSED = "sitting_closed"


class VoteKind(StrEnum):
    ROLL_CALL = "roll_call"
    SECRET = "secret"


class VoteStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"


class SegmentStatus(StrEnum):
    DRAFT = "draft"
    CORRECTED = "corrected"
    APPROVED = "approved"


class Fraction(Model):
    """An exact ratio; floats never enter the record."""

    num: int = Field(ge=0, le=1000)
    den: int = Field(gt=0, le=1000)

    def of(self, total: int) -> int:
        """Smallest whole count that reaches this fraction of total."""
        return -(-total * self.num // self.den)
