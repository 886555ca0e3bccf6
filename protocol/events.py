"""Every event in the log, one model each, told apart by ``type``.

Events are facts, in the past tense. A stored event is a ``Record``: the
event plus its stream, position (``seq``), time, the command and actor that
caused it, and its link in the hash chain.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, SerializerFunctionWrapHandler, TypeAdapter, model_serializer

from protocol.canonical import chain_hash
from protocol.commands import Membership, Officer, Word
from protocol.rules import Result
from protocol.seating import SeatingPlan
from protocol.settings import FloorSettings, ItemLimits, MajorityRule, QuorumRule, RulesProfile
from protocol.types import (
    HALL_TIME_ZONE,
    Body,
    Date,
    GuestKind,
    Id,
    LongText,
    Model,
    Office,
    OptionRole,
    OptText,
    PublicKeyHex,
    Question,
    Role,
    SegmentStatus,
    Sha256Hex,
    ShortText,
    SignatureHex,
    SpeechType,
    StopReason,
    TimeZone,
    VoteKind,
)

# -- registry ---------------------------------------------------------------


class MemberRegistered(Model):
    type: Literal["member.registered"] = "member.registered"
    member_id: Id
    name_km: ShortText
    name_latin: ShortText
    group: ShortText
    title_km: OptText = ""
    title_en: OptText = ""


class MemberUpdated(Model):
    """The fields of a member that changed, with their new values (None: unchanged)."""

    type: Literal["member.updated"] = "member.updated"
    member_id: Id
    name_km: ShortText | None = None
    name_latin: ShortText | None = None
    group: ShortText | None = None
    title_km: OptText | None = None
    title_en: OptText | None = None


class DeviceEnrolled(Model):
    type: Literal["device.enrolled"] = "device.enrolled"
    device_id: Id
    role: Role
    member_id: Id | None = None
    seat: Id | None = None
    label: OptText = ""
    public_key: PublicKeyHex


class DeviceRevoked(Model):
    type: Literal["device.revoked"] = "device.revoked"
    device_id: Id


# -- registry: devices edited and routed (issue 12) ---------------------------


class DeviceReassigned(Model):
    type: Literal["device.reassigned"] = "device.reassigned"
    device_id: Id
    member_id: Id | None = None
    seat: Id | None = None


class DeviceRenamed(Model):
    type: Literal["device.renamed"] = "device.renamed"
    device_id: Id
    label: OptText


class DevicesRouted(Model):
    """Devices sent to a sitting (None: to choose on their own); the list is resolved, never empty."""

    type: Literal["device.routed"] = "device.routed"
    device_ids: list[Id]
    stream: Id | None


class RulesDefined(Model):
    """A rules profile entered in the log; a later one of the same id replaces it for new sittings."""

    type: Literal["rules.defined"] = "rules.defined"
    profile: RulesProfile


class PlanDefined(Model):
    """A room's seating plan entered in the log; a later one of the same room replaces it."""

    type: Literal["room.plan_defined"] = "room.plan_defined"
    plan: SeatingPlan


class BodyDefined(Model):
    """A body defined, or its names, rules profile or time zone changed."""

    type: Literal["body.defined"] = "body.defined"
    body_id: Id
    kind: Body
    name_km: ShortText
    name_en: ShortText
    rules: Id | None = None
    time_zone: TimeZone = HALL_TIME_ZONE


class MembershipSet(Model):
    """A body's membership and bureau from now on (for sittings created from now on)."""

    type: Literal["body.membership_set"] = "body.membership_set"
    body_id: Id
    members: list[Membership]
    officers: list[Officer] = Field(default_factory=list)


# -- sitting and agenda -----------------------------------------------------


class RosterEntry(Model):
    """A member as the sitting knows them: names, group, and their office or substitution in the body."""

    member_id: Id
    name_km: ShortText
    name_latin: ShortText
    group: ShortText
    title_km: OptText = ""
    title_en: OptText = ""
    office: Office | None = None
    substitute_for: Id | None = None


class SittingCreated(Model):
    """``body`` is the body's kind; ``body_id`` the body (None in records made before bodies: the kind's)."""

    type: Literal["sitting.created"] = "sitting.created"
    body: Body
    body_id: Id | None = None
    simulated: bool = False
    number: int
    title_km: ShortText
    title_en: ShortText
    date: Date
    place: ShortText
    roster: list[RosterEntry]
    rules: RulesProfile
    floor: FloorSettings
    time_zone: TimeZone = HALL_TIME_ZONE
    room: Id | None = None


class GuestAdded(Model):
    type: Literal["sitting.guest_added"] = "sitting.guest_added"
    guest_id: Id
    kind: GuestKind
    name_km: ShortText
    name_latin: ShortText
    title_km: OptText = ""
    title_en: OptText = ""
    item_id: Id | None = None


class ItemAdded(Model):
    type: Literal["agenda.item_added"] = "agenda.item_added"
    item_id: Id
    parent_id: Id | None
    title_km: ShortText
    title_en: ShortText


class DocumentAttached(Model):
    type: Literal["agenda.document_attached"] = "agenda.document_attached"
    item_id: Id
    document_id: Id
    title: ShortText
    media_type: ShortText
    sha256: Sha256Hex
    size: int


# -- sitting and agenda edited (issue 12) --------------------------------------


class SittingEdited(Model):
    """The fields that changed, with their new values (None: unchanged)."""

    type: Literal["sitting.edited"] = "sitting.edited"
    title_km: ShortText | None = None
    title_en: ShortText | None = None
    place: ShortText | None = None
    date: Date | None = None


class SittingCancelled(Model):
    type: Literal["sitting.cancelled"] = "sitting.cancelled"


class RosterRenewed(Model):
    """The sitting's whole roster, taken again from the registry before it opened."""

    type: Literal["sitting.roster_renewed"] = "sitting.roster_renewed"
    roster: list[RosterEntry]


class ItemEdited(Model):
    type: Literal["agenda.item_edited"] = "agenda.item_edited"
    item_id: Id
    title_km: ShortText | None = None
    title_en: ShortText | None = None


class ItemRemoved(Model):
    type: Literal["agenda.item_removed"] = "agenda.item_removed"
    item_id: Id


class ItemMoved(Model):
    type: Literal["agenda.item_moved"] = "agenda.item_moved"
    item_id: Id
    parent_id: Id | None
    before_id: Id | None


class DocumentReplaced(Model):
    """Version ``version`` (2 and up) of a document; the one it replaces stays in the record."""

    type: Literal["agenda.document_replaced"] = "agenda.document_replaced"
    item_id: Id
    document_id: Id
    version: int
    title: ShortText
    media_type: ShortText
    sha256: Sha256Hex
    size: int
    previous_sha256: Sha256Hex


class DocumentRemoved(Model):
    type: Literal["agenda.document_removed"] = "agenda.document_removed"
    item_id: Id
    document_id: Id


class DocumentsOrdered(Model):
    type: Literal["agenda.documents_ordered"] = "agenda.documents_ordered"
    item_id: Id
    document_ids: list[Id]


class SittingOpened(Model):
    """The sitting opens; ``day`` is the calendar day on the hall's clock (None in records made before)."""

    type: Literal["sitting.opened"] = "sitting.opened"
    day: Date | None = None


class QuorumWaived(Model):
    """The chair opened the sitting (or a vote, ``vote_id``) with fewer present than the quorum.

    Recorded just before ``sitting.opened`` or ``vote.opened``, with the count at that moment.
    """

    type: Literal["sitting.quorum_waived"] = "sitting.quorum_waived"
    vote_id: Id | None = None
    present: int
    needed: int


class SittingSuspended(Model):
    type: Literal["sitting.suspended"] = "sitting.suspended"


class SittingResumed(Model):
    type: Literal["sitting.resumed"] = "sitting.resumed"


class SittingClosed(Model):
    type: Literal["sitting.closed"] = "sitting.closed"


class ItemTakenUp(Model):
    type: Literal["agenda.item_taken_up"] = "agenda.item_taken_up"
    item_id: Id
    previous_item_id: Id | None


class PresidingChanged(Model):
    """A member takes the chair: the first one presides over the sitting, later ones are changes."""

    type: Literal["sitting.presiding_changed"] = "sitting.presiding_changed"
    member_id: Id


class NoticePosted(Model):
    type: Literal["sitting.notice_posted"] = "sitting.notice_posted"
    text: LongText


class PageShown(Model):
    """The hall display shows ``page`` of ``document_id`` (attached to ``item_id``); None: no document."""

    type: Literal["document.page_shown"] = "document.page_shown"
    document_id: Id | None
    item_id: Id | None
    page: int


# -- attendance -------------------------------------------------------------


class CheckedIn(Model):
    type: Literal["attendance.checked_in"] = "attendance.checked_in"
    member_id: Id
    seat: Id | None
    remote: bool


class CheckedOut(Model):
    type: Literal["attendance.checked_out"] = "attendance.checked_out"
    member_id: Id


# -- floor ------------------------------------------------------------------


class FloorRequested(Model):
    type: Literal["floor.requested"] = "floor.requested"
    request_id: Id
    member_id: Id
    speech_type: SpeechType


class RequestWithdrawn(Model):
    type: Literal["floor.withdrawn"] = "floor.withdrawn"
    request_id: Id
    member_id: Id
    by_chair: bool


class FloorGranted(Model):
    """A microphone opens: a turn starts. The recorder cuts speech on these."""

    type: Literal["floor.granted"] = "floor.granted"
    turn_id: Id
    member_id: Id
    speech_type: SpeechType
    item_id: Id | None
    mic: Id | None
    request_id: Id | None
    time_limit_s: int
    warning_s: int
    auto_stop: bool


class SpeechStopped(Model):
    type: Literal["floor.stopped"] = "floor.stopped"
    turn_id: Id
    member_id: Id
    reason: StopReason
    duration_ms: int


class ListReordered(Model):
    type: Literal["floor.reordered"] = "floor.reordered"
    request_ids: list[Id]


class FloorConfigured(Model):
    type: Literal["floor.configured"] = "floor.configured"
    settings: FloorSettings


class QuotaSet(Model):
    type: Literal["floor.quota_set"] = "floor.quota_set"
    group: ShortText
    seconds: int


# -- floor: time under the chair's hand ---------------------------------------


class SpeechExtended(Model):
    """The chair gave a speaker more time; ``time_limit_s`` is the new whole limit."""

    type: Literal["floor.extended"] = "floor.extended"
    turn_id: Id
    member_id: Id
    seconds: int
    time_limit_s: int


class SpeechPaused(Model):
    """A microphone is muted and its clock stopped; ``spent_ms`` spoken so far in the turn.

    ``by_suspension``: paused because the sitting was suspended; its resumption
    opens the microphone again.
    """

    type: Literal["floor.paused"] = "floor.paused"
    turn_id: Id
    member_id: Id
    spent_ms: int
    by_suspension: bool = False


class SpeechResumed(Model):
    type: Literal["floor.resumed"] = "floor.resumed"
    turn_id: Id
    member_id: Id


class SpeechWarned(Model):
    """The speech reached its warning time: ``remaining_s`` seconds are left."""

    type: Literal["floor.warned"] = "floor.warned"
    turn_id: Id
    member_id: Id
    remaining_s: int


class ListClosed(Model):
    type: Literal["floor.list_closed"] = "floor.list_closed"


class ListReopened(Model):
    type: Literal["floor.list_reopened"] = "floor.list_reopened"


class ItemLimitsSet(Model):
    type: Literal["floor.item_limits_set"] = "floor.item_limits_set"
    item_id: Id
    limits: ItemLimits


# -- votes ------------------------------------------------------------------


class VoteOpened(Model):
    """A vote opens; who may vote is fixed now (members present at this moment)."""

    type: Literal["vote.opened"] = "vote.opened"
    vote_id: Id
    item_id: Id | None
    motion_km: LongText
    motion_en: LongText
    question: Question = Question.MOTION
    options: list[ShortText]
    roles: dict[ShortText, OptionRole]  # every option's meaning, resolved at opening
    kind: VoteKind
    majority: MajorityRule
    quorum: QuorumRule
    eligible: list[Id]
    members: int  # the base of quorum and all-members majorities: the seats, or the roster
    deadline_ms: int | None
    allow_change: bool


class BallotCast(Model):
    """A verified ballot, its signed bytes verbatim. Live channels redact it while secret."""

    type: Literal["vote.ballot_cast"] = "vote.ballot_cast"
    vote_id: Id
    member_id: str
    device_id: str
    choice: str
    ballot: str
    signature: str
    replaces: int | None = None  # seq of the ballot this one changes, when allowed


class VoteClosed(Model):
    type: Literal["vote.closed"] = "vote.closed"
    vote_id: Id
    by_clock: bool
    result: Result
    named: dict[Id, ShortText]  # roll-call: member -> choice; empty for secret votes


class VoteSealed(Model):
    """The server's signature over the result and the chain head at close."""

    type: Literal["vote.sealed"] = "vote.sealed"
    vote_id: Id
    closed_seq: int
    closed_hash: Sha256Hex
    result_sha256: Sha256Hex
    server_key: PublicKeyHex
    signature: SignatureHex


class VotePublished(Model):
    type: Literal["vote.published"] = "vote.published"
    vote_id: Id
    show_until_ms: int | None = None  # the hall display shows the result until then (None: until cleared)


class ResultCleared(Model):
    type: Literal["vote.result_cleared"] = "vote.result_cleared"
    vote_id: Id


# -- transcript -------------------------------------------------------------


class SegmentAdded(Model):
    type: Literal["transcript.segment_added"] = "transcript.segment_added"
    segment_id: Id
    turn_id: Id
    member_id: Id
    item_id: Id | None
    start_ms: int
    end_ms: int
    text: LongText
    words: list[Word]
    engine: ShortText
    model: ShortText


class SegmentRevised(Model):
    """Version n of a segment's text; version 0 is the machine's, never changed."""

    type: Literal["transcript.segment_revised"] = "transcript.segment_revised"
    segment_id: Id
    version: int
    text: LongText
    status: SegmentStatus


class TurnFlagged(Model):
    """A turn with no machine text for the clerk to type: its language is not covered, or no speech was heard."""

    type: Literal["transcript.turn_flagged"] = "transcript.turn_flagged"
    turn_id: Id
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}$")] | None
    reason: Literal["language_not_covered", "no_speech_heard"]


class SegmentTyped(Model):
    """Version ``version`` of a segment (a ``segment_revised`` just before) was typed by a clerk, not corrected."""

    type: Literal["transcript.segment_typed"] = "transcript.segment_typed"
    segment_id: Id
    version: int


Event = Annotated[
    MemberRegistered
    | MemberUpdated
    | DeviceEnrolled
    | DeviceRevoked
    | RulesDefined
    | PlanDefined
    | BodyDefined
    | MembershipSet
    | SittingCreated
    | GuestAdded
    | ItemAdded
    | DocumentAttached
    | SittingOpened
    | QuorumWaived
    | SittingSuspended
    | SittingResumed
    | SittingClosed
    | ItemTakenUp
    | NoticePosted
    | PageShown
    | PresidingChanged
    | CheckedIn
    | CheckedOut
    | FloorRequested
    | RequestWithdrawn
    | FloorGranted
    | SpeechStopped
    | ListReordered
    | FloorConfigured
    | QuotaSet
    | SpeechExtended
    | SpeechPaused
    | SpeechResumed
    | SpeechWarned
    | ListClosed
    | ListReopened
    | ItemLimitsSet
    | VoteOpened
    | BallotCast
    | VoteClosed
    | VoteSealed
    | VotePublished
    | ResultCleared
    | SegmentAdded
    | SegmentRevised
    | TurnFlagged
    | SegmentTyped
    # issue 12: edits
    | DeviceReassigned
    | DeviceRenamed
    | DevicesRouted
    | SittingEdited
    | SittingCancelled
    | RosterRenewed
    | ItemEdited
    | ItemRemoved
    | ItemMoved
    | DocumentReplaced
    | DocumentRemoved
    | DocumentsOrdered,
    Field(discriminator="type"),
]

EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


class Actor(Model):
    """Who caused an event: the device, its role, the member it acted for, the clerk's account.

    ``account`` names the signed-in account of a clerk, editor or operator (``hall_server.accounts``);
    it is left out of the dump when unset, so records written before accounts keep their hashes.
    """

    role: Role
    device_id: Id | None = None
    member_id: Id | None = None
    account: Id | None = None

    @model_serializer(mode="wrap")
    def _drop_unset_account(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if data.get("account") is None:
            data.pop("account", None)
        return data

    @property
    def author(self) -> str | None:
        """Who to name for the act: the account, else the device (``admin`` for the bootstrap token)."""
        return self.account or self.device_id


class Record(Model):
    """An event as stored: position, time, cause, and its link in the chain."""

    stream: Id
    seq: int
    at_ms: int
    command_id: str | None
    actor: Actor
    event: Event
    prev_hash: Sha256Hex
    hash: Sha256Hex
    redacted: bool = False  # a live-channel copy with secret parts blanked; not hashed

    def body(self) -> dict[str, Any]:
        """The hashed part: everything but the hash itself."""
        return self.model_dump(mode="json", exclude={"hash", "redacted"})

    def verify_link(self) -> bool:
        return chain_hash(self.prev_hash, self.body()) == self.hash

    @classmethod
    def seal(
        cls,
        *,
        stream: str,
        seq: int,
        at_ms: int,
        command_id: str | None,
        actor: Actor,
        event: Event,
        prev_hash: str,
    ) -> Record:
        """Build the stored form of an event, computing its chain hash."""
        body = {
            "stream": stream,
            "seq": seq,
            "at_ms": at_ms,
            "command_id": command_id,
            "actor": actor.model_dump(mode="json"),
            "event": event.model_dump(mode="json"),
            "prev_hash": prev_hash,
        }
        return cls.model_validate({**body, "hash": chain_hash(prev_hash, body)})
