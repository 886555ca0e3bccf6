"""Floor settings and rules profiles: data, so each body can have its own.

A rules profile is a document the secretariat writes (YAML or JSON, the
shape of ``RulesProfile``), enters in the log (``rules.define``), and names
when it creates a sitting; the sitting's creation record carries the whole
profile, so an export holds the rules its votes were decided under.

Shape::

    RulesProfile
    ├── id, name
    ├── seats: int | None          statutory seats; None = the sitting's roster
    ├── quorum: QuorumRule         fraction of the seats, present or voting
    ├── default_majority: id       the rule a vote takes when it names none
    └── majorities: {id: MajorityRule}
          base, fraction, strictly_more    for-votes against a base
          also: [Threshold, ...]           further conditions, all must hold
          on_tie: tie | rejected           what an equality of votes is
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

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
    """What a majority is counted against."""

    VOTES_CAST = "votes_cast"  # for + against (abstentions and blanks left out)
    VOTES_CAST_WITH_ABSTENTIONS = "votes_cast_with_abstentions"  # every ballot
    PRESENT = "present"  # members present when the vote opened
    ALL_MEMBERS = "all_members"  # the seats (or the roster)


class TieRule(StrEnum):
    """What an equality of for and against (or of the leading candidates) comes to."""

    TIE = "tie"  # recorded as a tie: not adopted, nobody elected
    REJECTED = "rejected"  # an equality of votes is a rejection (not elected)


class Threshold(Model):
    """One condition: the for-votes must exceed (or reach) a fraction of a base."""

    base: MajorityBase
    fraction: Fraction = Fraction(num=1, den=2)
    strictly_more: bool = True  # "more than half" vs "at least two thirds"


class MajorityRule(Model):
    """A majority as data: the main condition, further ones (``also``), and the tie rule.

    A motion is adopted when every condition holds and for > against; an
    election elects the one leading candidate when every condition holds for
    its votes.
    """

    name: ShortText
    base: MajorityBase
    fraction: Fraction = Fraction(num=1, den=2)
    strictly_more: bool = True
    also: tuple[Threshold, ...] = Field(default=(), max_length=4)
    on_tie: TieRule = TieRule.REJECTED

    def conditions(self) -> tuple[Threshold, ...]:
        return (Threshold(base=self.base, fraction=self.fraction, strictly_more=self.strictly_more), *self.also)


class QuorumCount(StrEnum):
    """Who counts towards the quorum of a vote."""

    PRESENT = "present"  # members checked in when the vote opened
    VOTING = "voting"  # members who cast a ballot (abstentions included)


class QuorumRule(Model):
    """The quorum: a fraction of the seats that must be present (or vote)."""

    fraction: Fraction
    strictly_more: bool = False  # "more than half" vs "at least seven tenths"
    counts: QuorumCount = QuorumCount.PRESENT

    def needed(self, seats: int) -> int:
        """The smallest number of members that makes the quorum of ``seats``."""
        if self.strictly_more:
            return seats * self.fraction.num // self.fraction.den + 1
        return self.fraction.of(seats)


class RulesProfile(Model):
    """Quorum and majorities of one body; see the module docstring for the shape."""

    id: Id
    name: ShortText
    seats: int | None = Field(default=None, ge=1, le=5000)
    quorum: QuorumRule
    default_majority: Id
    majorities: dict[Id, MajorityRule] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _default_is_known(self) -> Self:
        if self.default_majority not in self.majorities:
            raise ValueError(f"default_majority {self.default_majority!r} is not one of the majorities")
        return self


SIMPLE = MajorityRule(name="Simple majority", base=MajorityBase.VOTES_CAST, on_tie=TieRule.TIE)
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
    quorum=QuorumRule(fraction=Fraction(num=7, den=10)),
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
    quorum=QuorumRule(fraction=Fraction(num=1, den=2)),
    default_majority="simple",
    majorities={"simple": SIMPLE, "absolute": ABSOLUTE, "two_thirds": TWO_THIRDS},
)
PROFILES: dict[str, RulesProfile] = {p.id: p for p in (SENATE_PLENARY, SENATE_COMMITTEE)}
