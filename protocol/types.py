"""Shared field types: identifiers, texts, enums used across commands and events."""

from __future__ import annotations

import datetime
import unicodedata
import zoneinfo
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError


def _refused(ch: str) -> bool:
    """C0 and C1 controls, DEL, lone surrogates and Unicode non-characters.

    Non-characters are U+FDD0..U+FDEF and the last two code points of every
    plane (Unicode 15, section 23.7); XML 1.0 forbids the controls and
    surrogates, so a text that passes here can always reach Akoma Ntoso.
    """
    c = ord(ch)
    return (
        c < 0x20 or 0x7F <= c <= 0x9F or 0xD800 <= c <= 0xDFFF
        or 0xFDD0 <= c <= 0xFDEF or (c & 0xFFFE) == 0xFFFE
    )


def _clean(value: str, *, lines: bool) -> str:
    if lines:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    for i, ch in enumerate(value):
        if _refused(ch) and not (lines and ch in "\n\t"):
            raise PydanticCustomError(
                "unclean_text",
                "text holds {char} at position {index}, which a record cannot carry",
                {"char": f"U+{ord(ch):04X}", "index": i},
            )
    return unicodedata.normalize("NFC", value)


def clean_line(value: object) -> object:
    """A one-line text: refused if it holds any control character; NFC-normalised."""
    return _clean(value, lines=False) if isinstance(value, str) else value


def clean_lines(value: object) -> object:
    """A long text: newlines (CR LF and CR become LF) and tabs allowed; NFC-normalised."""
    return _clean(value, lines=True) if isinstance(value, str) else value


Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:\-]{1,64}$")]
ShortText = Annotated[str, BeforeValidator(clean_line), StringConstraints(min_length=1, max_length=200)]
OptText = Annotated[str, BeforeValidator(clean_line), StringConstraints(max_length=200)]
LongText = Annotated[str, BeforeValidator(clean_lines), StringConstraints(max_length=10_000)]


def _known_zone(value: str) -> str:
    """An IANA time zone name the tz database knows (Asia/Phnom_Penh)."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise PydanticCustomError("unknown_time_zone", "no such IANA time zone: {zone}", {"zone": value}) from exc
    return value


TimeZone = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+){0,2}$", max_length=64),
                     AfterValidator(_known_zone)]
HALL_TIME_ZONE = "Asia/Phnom_Penh"


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
    """The kind of a body: its default rules profile and how its record is titled.

    A body itself is named by its id (``plenary``, ``commission-9``); a body never
    defined in the registry is the one whose id is its kind's value, and its
    sittings take every registered member.
    """

    PLENARY = "plenary"
    STANDING_COMMITTEE = "standing_committee"
    COMMISSION = "commission"


class Office(StrEnum):
    """An officer's post in a body's bureau (Senate Internal Rules: president, vice-presidents, secretaries)."""

    PRESIDENT = "president"
    VICE_PRESIDENT = "vice_president"
    SECRETARY = "secretary"


class GuestKind(StrEnum):
    """Who a guest of a sitting is: heard by the body, never one of its members."""

    MINISTER = "minister"
    EXPERT = "expert"
    STAFF = "staff"  # secretariat staff


class SittingStatus(StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    SUSPENDED = "suspended"
    CLOSED = "closed"
    CANCELLED = "cancelled"  # called off before it opened: nothing more happens in it


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


class Question(StrEnum):
    """What a vote decides: a motion (for, against, abstain) or an election among named options."""

    MOTION = "motion"
    ELECTION = "election"


class OptionRole(StrEnum):
    """What an option means, whatever its label or place in the list.

    A motion has one FOR, one AGAINST and at most one ABSTAIN option; an
    election has CANDIDATE options and may have ABSTAIN and BLANK ones,
    which are counted but can never be elected.
    """

    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"
    BLANK = "blank"
    CANDIDATE = "candidate"


class Fraction(Model):
    """An exact ratio; floats never enter the record."""

    num: int = Field(ge=0, le=1000)
    den: int = Field(gt=0, le=1000)

    def of(self, total: int) -> int:
        """Smallest whole count that reaches this fraction of total."""
        return -(-total * self.num // self.den)
