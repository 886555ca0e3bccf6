"""Every command a client can send, one model each, told apart by ``type``.

On the wire a command travels in a ``CommandEnvelope``: the client-chosen
``id`` makes it idempotent, ``stream`` names the sitting (or the registry)
it acts on, and ``cmd`` is one of the models below.
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import Field, model_validator

from protocol.seating import SeatingPlan
from protocol.settings import FloorSettings, ItemLimits, RulesProfile
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
    TimeZone,
    VoteKind,
)

Pin = Annotated[str, Field(pattern=r"^[0-9]{4,8}$")]
CardId = Annotated[str, Field(pattern=r"^[A-Za-z0-9]{4,64}$")]


# -- registry: members and devices -------------------------------------------


class RegisterMember(Model):
    type: Literal["member.register"] = "member.register"
    member_id: Id
    name_km: ShortText
    name_latin: ShortText
    group: ShortText
    title_km: OptText = ""
    title_en: OptText = ""


class UpdateMember(Model):
    """Change a registered member's names, group or titles; a field left out (None) stays as it is.

    Scheduled sittings that follow the registry take the new names (``sitting.renew_roster``);
    a sitting once opened keeps its roster: the record names members as they were at the time.
    """

    type: Literal["member.update"] = "member.update"
    member_id: Id
    name_km: ShortText | None = None
    name_latin: ShortText | None = None
    group: ShortText | None = None
    title_km: OptText | None = None
    title_en: OptText | None = None


class SetCredential(Model):
    """Set a member's PIN or card id; kept hashed outside the public log."""

    type: Literal["member.set_credential"] = "member.set_credential"
    member_id: Id
    pin: Pin | None = None
    card_id: CardId | None = None


class EnrolDevice(Model):
    """Bind a device's public key (made on the device) to a member or a seat."""

    type: Literal["device.enrol"] = "device.enrol"
    device_id: Id
    role: Role
    public_key: PublicKeyHex
    member_id: Id | None = None
    seat: Id | None = None
    label: OptText = ""


class RevokeDevice(Model):
    type: Literal["device.revoke"] = "device.revoke"
    device_id: Id


# -- registry: devices edited and routed (issue 12) ---------------------------


class ReassignDevice(Model):
    """Give an enrolled device another seat or member (both as given: None unbinds), keeping its key."""

    type: Literal["device.reassign"] = "device.reassign"
    device_id: Id
    member_id: Id | None = None
    seat: Id | None = None


class RenameDevice(Model):
    type: Literal["device.rename"] = "device.rename"
    device_id: Id
    label: OptText


class RouteDevices(Model):
    """Send devices to a sitting (``stream``; None: back to choosing on their own).

    ``device_ids`` empty means the hall's devices: every active seat, chair and display.
    The devices' pages follow at once, without pairing again.
    """

    type: Literal["device.route"] = "device.route"
    device_ids: list[Id] = Field(default_factory=list, max_length=2000)
    stream: Id | None


class DefineRules(Model):
    """Enter a rules profile in the log (new, or a new version of one), for sittings to name."""

    type: Literal["rules.define"] = "rules.define"
    profile: RulesProfile


# -- registry: rooms (seating plans) -----------------------------------------


class DefinePlan(Model):
    """Enter a room's seating plan (new, or redrawn: the later one replaces it); see ``protocol.seating``."""

    type: Literal["room.define_plan"] = "room.define_plan"
    plan: SeatingPlan


# -- bodies: the plenary, the Standing Committee, the commissions -------------


class Membership(Model):
    """One member's seat in a body over a span of days (both ends included; None = open).

    A substitute (``substitute_for``) sits instead of that member on the days of its span:
    the member leaves the roster of those days' sittings and the number of seats stays.
    """

    member_id: Id
    start: Date | None = None
    end: Date | None = None
    substitute_for: Id | None = None

    @model_validator(mode="after")
    def _span(self) -> Membership:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError("a membership cannot end before it starts")
        if self.substitute_for == self.member_id:
            raise ValueError("a member cannot substitute for themselves")
        return self

    def on(self, day: str) -> bool:
        """Whether the span holds ``day`` (an ISO date)."""
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


class Officer(Model):
    member_id: Id
    office: Office


class DefineBody(Model):
    """Define a body, or change its names, rules profile or time zone; ``body.set_membership`` seats its members.

    ``rules`` None: the profile of its kind (``senate-plenary``, ``senate-committee``).
    """

    type: Literal["body.define"] = "body.define"
    body_id: Id
    kind: Body
    name_km: ShortText
    name_en: ShortText
    rules: Id | None = None
    time_zone: TimeZone = HALL_TIME_ZONE


class SetMembership(Model):
    """A body's whole membership and bureau, replacing the one before (the log keeps each version).

    Scheduled sittings of the body take the members seated on their date
    (``sitting.renew_roster``); a sitting once opened keeps the roster it opened with.
    """

    type: Literal["body.set_membership"] = "body.set_membership"
    body_id: Id
    members: list[Membership] = Field(max_length=2000)
    officers: list[Officer] = Field(default_factory=list, max_length=50)


# -- sitting and agenda ------------------------------------------------------


class CreateSitting(Model):
    """Create a sitting of a body.

    ``body`` is a body's id: one defined by ``body.define``, or ``plenary``,
    ``standing_committee`` or ``commission`` for an undefined body of that kind.
    ``members`` empty: the body's members seated on ``date``, or every registered
    member for a body without a membership. ``simulated``: a rehearsal or load run,
    kept out of the lists people use.
    """

    type: Literal["sitting.create"] = "sitting.create"
    body: Id
    number: int = Field(ge=1, le=100_000)
    title_km: ShortText
    title_en: ShortText
    date: Date
    place: ShortText
    members: list[Id] = Field(default_factory=list, max_length=2000)
    rules: Id | None = None  # a profile in the log or built in; None = the body's own
    floor: FloorSettings = FloorSettings()
    time_zone: TimeZone | None = None  # the hall's clock, every time is shown in it; None = the body's
    room: Id | None = None  # the room whose seating plan the pages draw (``room.define_plan``)
    simulated: bool = False


class AddGuest(Model):
    """List a guest (a minister, an expert, secretariat staff) for the sitting, or for one item.

    The chair may give a guest the floor (for their item, or any item when ``item_id``
    is None); a guest never checks in, votes, counts for quorum or is absent.
    """

    type: Literal["sitting.add_guest"] = "sitting.add_guest"
    guest_id: Id
    kind: GuestKind
    name_km: ShortText
    name_latin: ShortText
    title_km: OptText = ""
    title_en: OptText = ""
    item_id: Id | None = None


class AddItem(Model):
    type: Literal["agenda.add_item"] = "agenda.add_item"
    item_id: Id
    parent_id: Id | None = None
    title_km: ShortText
    title_en: ShortText


class AttachDocument(Model):
    type: Literal["agenda.attach_document"] = "agenda.attach_document"
    item_id: Id
    document_id: Id
    title: ShortText
    media_type: ShortText = "application/pdf"
    sha256: Sha256Hex
    size: int = Field(ge=0)


# -- sitting and agenda edited (issue 12) --------------------------------------


class EditSitting(Model):
    """Change a sitting's titles or place, or reschedule it (``date``, only before it opens); None: unchanged."""

    type: Literal["sitting.edit"] = "sitting.edit"
    title_km: ShortText | None = None
    title_en: ShortText | None = None
    place: ShortText | None = None
    date: Date | None = None


class CancelSitting(Model):
    """Call off a sitting that has not opened; it stays in the record as cancelled."""

    type: Literal["sitting.cancel"] = "sitting.cancel"


class RenewRoster(Model):
    """Take the roster again from the registry, for a sitting not yet opened.

    The sitting's body's members seated on its date (every registered member for a body
    without a membership), with their names, groups and offices as the registry has them
    now; members who leave the roster are checked out. The hall sends it by itself, in
    the name of whoever changed the registry, to each scheduled sitting that followed the
    registry before the change, when the change is to one of its members or to its body's
    membership; a clerk sends it to take in members registered since the sitting was
    scheduled, or to hand a sitting created with its own list back to its body. From the
    opening on, the roster stays as it opened: the record names members as they were at the
    time. Source: issue 12 ("its roster, quorum, eligibility and absentees come from the
    body's membership at that date").
    """

    type: Literal["sitting.renew_roster"] = "sitting.renew_roster"


class EditItem(Model):
    type: Literal["agenda.edit_item"] = "agenda.edit_item"
    item_id: Id
    title_km: ShortText | None = None
    title_en: ShortText | None = None


class RemoveItem(Model):
    """Remove an agenda item never taken up and without sub-items."""

    type: Literal["agenda.remove_item"] = "agenda.remove_item"
    item_id: Id


class MoveItem(Model):
    """Put an item (with its sub-items) under ``parent_id`` (None: top level), just before
    its sibling ``before_id`` (None: last). Reordering is a move under the same parent."""

    type: Literal["agenda.move_item"] = "agenda.move_item"
    item_id: Id
    parent_id: Id | None = None
    before_id: Id | None = None


class ReplaceDocument(Model):
    """A new version of an attached document: readers get it, the record keeps the old one."""

    type: Literal["agenda.replace_document"] = "agenda.replace_document"
    document_id: Id
    title: ShortText
    media_type: ShortText = "application/pdf"
    sha256: Sha256Hex
    size: int = Field(ge=0)


class RemoveDocument(Model):
    """Take a document off an item not yet taken up."""

    type: Literal["agenda.remove_document"] = "agenda.remove_document"
    document_id: Id


class OrderDocuments(Model):
    """The order of an item's documents: exactly the documents it has."""

    type: Literal["agenda.order_documents"] = "agenda.order_documents"
    item_id: Id
    document_ids: list[Id] = Field(max_length=200)


class OpenSitting(Model):
    """Open the sitting; without quorum only with the chair's ``without_quorum`` confirmation."""

    type: Literal["sitting.open"] = "sitting.open"
    without_quorum: bool = False


class SuspendSitting(Model):
    type: Literal["sitting.suspend"] = "sitting.suspend"


class ResumeSitting(Model):
    type: Literal["sitting.resume"] = "sitting.resume"


class CloseSitting(Model):
    type: Literal["sitting.close"] = "sitting.close"


class TakeUpItem(Model):
    type: Literal["agenda.take_up"] = "agenda.take_up"
    item_id: Id
    clear_list: bool = False  # the chair empties the speakers' list for the new item


class NextItem(Model):
    type: Literal["agenda.next"] = "agenda.next"
    clear_list: bool = False


class PreviousItem(Model):
    type: Literal["agenda.previous"] = "agenda.previous"
    clear_list: bool = False


# -- attendance ---------------------------------------------------------------


class CheckIn(Model):
    """A member checks in at a seat (PIN or card) or joins remotely."""

    type: Literal["attendance.check_in"] = "attendance.check_in"
    member_id: Id
    pin: Pin | None = None
    card_id: CardId | None = None
    remote: bool = False


class CheckOut(Model):
    type: Literal["attendance.check_out"] = "attendance.check_out"
    member_id: Id


# -- floor ------------------------------------------------------------------


class RequestFloor(Model):
    """Ask to speak; the chair may also put a member on the list."""

    type: Literal["floor.request"] = "floor.request"
    member_id: Id
    speech_type: SpeechType = SpeechType.CONTRIBUTION


class WithdrawRequest(Model):
    """Leave the list; by the member, or removal by the chair."""

    type: Literal["floor.withdraw"] = "floor.withdraw"
    member_id: Id


class GrantFloor(Model):
    """Open a member's microphone; without a member, the head of the list."""

    type: Literal["floor.grant"] = "floor.grant"
    member_id: Id | None = None


class StopSpeech(Model):
    """Close a microphone: the chair's revoke, or the speaker's own stop."""

    type: Literal["floor.stop"] = "floor.stop"
    member_id: Id


class ExpireSpeech(Model):
    """Sent by the server's clock when a speech with auto-stop runs out."""

    type: Literal["floor.expire"] = "floor.expire"
    turn_id: Id


class ReorderList(Model):
    type: Literal["floor.reorder"] = "floor.reorder"
    member_ids: list[Id] = Field(max_length=2000)


class ReaddLastSpeaker(Model):
    type: Literal["floor.readd_last"] = "floor.readd_last"


class ConfigureFloor(Model):
    type: Literal["floor.configure"] = "floor.configure"
    settings: FloorSettings


class SetGroupQuota(Model):
    """Speaking time per political group for the current item; 0 removes it."""

    type: Literal["floor.set_quota"] = "floor.set_quota"
    group: ShortText
    seconds: int = Field(ge=0, le=86_400)


# -- floor: time under the chair's hand ---------------------------------------


class ExtendSpeech(Model):
    """Give the speaker more time (the console's +1 / +2 minutes, or any)."""

    type: Literal["floor.extend"] = "floor.extend"
    member_id: Id
    seconds: int = Field(ge=1, le=3600)


class PauseSpeech(Model):
    """Mute a speaker and stop their clock, keeping their turn."""

    type: Literal["floor.pause"] = "floor.pause"
    member_id: Id


class ResumeSpeech(Model):
    """Open a paused speaker's microphone again; their clock runs on."""

    type: Literal["floor.resume"] = "floor.resume"
    member_id: Id


class WarnSpeech(Model):
    """Sent by the server's clock when a speech reaches its warning time."""

    type: Literal["floor.warn"] = "floor.warn"
    turn_id: Id


class CloseList(Model):
    """Close the speakers' list: members can no longer ask to speak, bar points of order."""

    type: Literal["floor.close_list"] = "floor.close_list"


class ReopenList(Model):
    type: Literal["floor.reopen_list"] = "floor.reopen_list"


class SetItemLimits(Model):
    """Speaking time, automatic cut and speeches per member for one agenda item."""

    type: Literal["floor.set_item_limits"] = "floor.set_item_limits"
    item_id: Id
    limits: ItemLimits


# -- votes ------------------------------------------------------------------


class OpenVote(Model):
    """The chair puts a motion (or an election) to the vote on the current agenda item.

    ``roles`` give options their meaning; an option left out takes it from its
    label (yes, no, abstain for a motion; abstain, blank in an election, every
    other label a candidate).
    """

    type: Literal["vote.open"] = "vote.open"
    vote_id: Id
    motion_km: LongText
    motion_en: LongText
    question: Question = Question.MOTION
    options: list[ShortText] = Field(default_factory=lambda: ["yes", "no", "abstain"],
                                     min_length=2, max_length=20)
    roles: dict[ShortText, OptionRole] = Field(default_factory=dict, max_length=20)
    kind: VoteKind = VoteKind.ROLL_CALL
    majority: Id | None = None  # a rule of the sitting's profile; None = its default
    duration_s: int = Field(default=0, ge=0, le=86_400)  # 0 = until the chair closes it
    allow_change: bool = False
    without_quorum: bool = False  # the chair confirms opening with fewer present than the quorum


class CastBallot(Model):
    """A ballot: canonical bytes (base64) and the device's Ed25519 signature over them."""

    type: Literal["vote.cast"] = "vote.cast"
    ballot: Annotated[str, Field(max_length=2048, pattern=r"^[A-Za-z0-9+/]*={0,2}$")]
    signature: SignatureHex


class CloseVote(Model):
    type: Literal["vote.close"] = "vote.close"
    vote_id: Id


class PublishVote(Model):
    """Publish a closed vote's result; the hall display shows it for ``show_s`` seconds (0: until cleared)."""

    type: Literal["vote.publish"] = "vote.publish"
    vote_id: Id
    show_s: int = Field(default=0, ge=0, le=86_400)


class ClearResult(Model):
    """Take a published result off the hall display (it stays in the record and on the seats)."""

    type: Literal["vote.clear_result"] = "vote.clear_result"
    vote_id: Id


# -- transcript -------------------------------------------------------------


class Word(Model):
    """A recognised word; times in ms from the epoch, confidence in thousandths."""

    w: OptText
    start_ms: int
    end_ms: int
    conf: int = Field(ge=0, le=1000)


class AddSegment(Model):
    """The recorder's machine transcript of (part of) a turn; immutable once stored."""

    type: Literal["transcript.add_segment"] = "transcript.add_segment"
    segment_id: Id
    turn_id: Id
    member_id: Id
    item_id: Id | None
    start_ms: int
    end_ms: int
    text: LongText
    words: list[Word] = Field(default_factory=list, max_length=5000)
    engine: ShortText
    model: ShortText


class ReviseSegment(Model):
    """A clerk's correction or approval: a new version on top of the machine text."""

    type: Literal["transcript.revise"] = "transcript.revise"
    segment_id: Id
    text: LongText | None = None  # None: approve the latest text as it is
    status: SegmentStatus


class TakeChair(Model):
    """A member takes the chair (from a shared presiding console); a console bound to a
    member records its member on its own the first time it acts."""

    type: Literal["sitting.take_chair"] = "sitting.take_chair"
    member_id: Id


class FlagTurn(Model):
    """The recorder's word that a turn needs a clerk to type it.

    ``language_not_covered``: no installed model writes its language;
    ``no_speech_heard``: voice-activity detection found no speech in it.
    ``language`` is the code the identifier named (Whisper's: ``km``, ``ko``), None if unknown.
    """

    type: Literal["transcript.flag_turn"] = "transcript.flag_turn"
    turn_id: Id
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}$")] | None
    reason: Literal["language_not_covered", "no_speech_heard"] = "language_not_covered"


class TypeSegment(Model):
    """A clerk types or pastes a speech's text: a version marked typed.

    Exactly one of ``segment_id`` (a segment the machine could not write: a flagged turn)
    or ``turn_id`` (a turn no recorder transcribed at all: a room without a recorder).
    """

    type: Literal["transcript.type"] = "transcript.type"
    segment_id: Id | None = None
    turn_id: Id | None = None
    text: LongText

    @model_validator(mode="after")
    def _one_target(self) -> TypeSegment:
        if (self.segment_id is None) == (self.turn_id is None):
            raise ValueError("give exactly one of segment_id or turn_id")
        return self


class PostNotice(Model):
    """A short message from the chair to every seat and the display."""

    type: Literal["sitting.notice"] = "sitting.notice"
    text: LongText


# -- documents on the hall display ----------------------------------------------


class ShowPage(Model):
    """Show a page of an attached document on the hall display (None: show none).

    Seats that follow the speaker's page turn with it. Logged: the record says
    what the hall was shown, and a display or seat that reconnects finds it in the view.
    """

    type: Literal["document.show_page"] = "document.show_page"
    document_id: Id | None
    page: int = Field(default=1, ge=1, le=100_000)  # 1-based; the server does not read the PDF


DEVICE_EDITS = ReassignDevice | RenameDevice | RouteDevices  # issue 12

RegistryCommand = Annotated[
    RegisterMember | UpdateMember | SetCredential | EnrolDevice | RevokeDevice | DefineRules | DefinePlan
    | DEVICE_EDITS
    | DefineBody | SetMembership,
    Field(discriminator="type"),
]

SittingCommand = (
    CreateSitting
    | AddGuest
    | AddItem
    | AttachDocument
    | OpenSitting
    | SuspendSitting
    | ResumeSitting
    | CloseSitting
    | TakeUpItem
    | NextItem
    | PreviousItem
    | CheckIn
    | CheckOut
    | RequestFloor
    | WithdrawRequest
    | GrantFloor
    | StopSpeech
    | ExpireSpeech
    | ReorderList
    | ReaddLastSpeaker
    | ConfigureFloor
    | SetGroupQuota
    | ExtendSpeech
    | PauseSpeech
    | ResumeSpeech
    | WarnSpeech
    | CloseList
    | ReopenList
    | SetItemLimits
    | PostNotice
    | ShowPage
    | TakeChair
    | OpenVote
    | CastBallot
    | CloseVote
    | PublishVote
    | ClearResult
    | AddSegment
    | ReviseSegment
    | FlagTurn
    | TypeSegment
    # issue 12: sittings, agenda and documents edited
    | EditSitting
    | CancelSitting
    | RenewRoster
    | EditItem
    | RemoveItem
    | MoveItem
    | ReplaceDocument
    | RemoveDocument
    | OrderDocuments
)

Command = Annotated[
    RegisterMember | UpdateMember | SetCredential | EnrolDevice | RevokeDevice | DefineRules | DefinePlan
    | DEVICE_EDITS
    | DefineBody | SetMembership
    | SittingCommand,
    Field(discriminator="type"),
]

REGISTRY_STREAM = "registry"


class CommandEnvelope(Model):
    """One command on the wire: idempotent by ``id``, aimed at ``stream``."""

    v: int = 1
    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_\-]{8,64}$")]
    stream: Id
    cmd: Command

COMMAND_TYPES: frozenset[str] = frozenset(
    m.model_fields["type"].default for m in get_args(get_args(Command)[0])
)
