"""Floor settings and rules profiles: data, so each body can have its own."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from protocol.types import FloorMode, Fraction, Id, Model, ShortText


class FloorSettings(Model):
    """How the speakers' list and the microphones behave in a sitting."""

    mode: FloorMode = FloorMode.REQUEST_LIST
    max_open_mics: int = Field(default=1, ge=1, le=25)
    speaking_time_s: int = Field(default=300, ge=0, le=7200)  # 0 = no limit
    warning_s: int = Field(default=30, ge=0, le=600)
    auto_stop: bool = False
    point_of_order_time_s: int = Field(default=120, ge=0, le=3600)


class ItemLimits(Model):
    """The chair's limits for the debate on one agenda item, over the sitting's settings.

    ``speaking_time_s`` and ``auto_stop`` replace the floor settings' values while
    the item is current (None keeps them); ``max_speeches`` caps the speeches each
    member makes on the item, points of order not counted (0 = no cap), as the
    standing orders' "no member speaks more than twice on the same question".
    """

    speaking_time_s: int | None = Field(default=None, ge=0, le=7200)
    auto_stop: bool | None = None
    max_speeches: int = Field(default=0, ge=0, le=100)


class MajorityBase(StrEnum):
    """What the majority is counted against."""

    VOTES_CAST = "votes_cast"  # yes + no (abstentions ignored)
    VOTES_CAST_WITH_ABSTENTIONS = "votes_cast_with_abstentions"
    PRESENT = "present"
    ALL_MEMBERS = "all_members"


class MajorityRule(Model):
    """A majority as data: yes must exceed (or reach) a fraction of a base."""

    name: ShortText
    base: MajorityBase
    fraction: Fraction = Fraction(num=1, den=2)
    strictly_more: bool = True  # "more than half" vs "at least two thirds"


class RulesProfile(Model):
    """Quorum and majorities of one body. The Senate's profile is the default."""

    id: Id
    name: ShortText
    quorum: Fraction
    default_majority: Id
    majorities: dict[Id, MajorityRule]


SIMPLE = MajorityRule(name="Simple majority", base=MajorityBase.VOTES_CAST)
ABSOLUTE = MajorityRule(name="Absolute majority", base=MajorityBase.ALL_MEMBERS)
TWO_THIRDS = MajorityRule(
    name="Two-thirds of all members",
    base=MajorityBase.ALL_MEMBERS,
    fraction=Fraction(num=2, den=3),
    strictly_more=False,
)
TWO_THIRDS_VOTING = MajorityRule(
    name="Two-thirds of those voting",
    base=MajorityBase.VOTES_CAST_WITH_ABSTENTIONS,
    fraction=Fraction(num=2, den=3),
    strictly_more=False,
)

# Quorum of seven tenths of all members and absolute majority for decisions,
# as the Cambodian Constitution sets for the chambers; each is data that the
# Senate's secretariat can change per body.
SENATE_PLENARY = RulesProfile(
    id="senate-plenary",
    name="Senate plenary",
    quorum=Fraction(num=7, den=10),
    default_majority="absolute",
    majorities={
        "simple": SIMPLE,
        "absolute": ABSOLUTE,
        "two_thirds": TWO_THIRDS,
        "two_thirds_voting": TWO_THIRDS_VOTING,
    },
)
SENATE_COMMITTEE = RulesProfile(
    id="senate-committee",
    name="Senate committee or commission",
    quorum=Fraction(num=1, den=2),
    default_majority="simple",
    majorities={"simple": SIMPLE, "absolute": ABSOLUTE, "two_thirds": TWO_THIRDS},
)
PROFILES: dict[str, RulesProfile] = {p.id: p for p in (SENATE_PLENARY, SENATE_COMMITTEE)}
