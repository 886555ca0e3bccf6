"""A sitting: its roster, agenda, attendance and floor, as one aggregate.

``decide_sitting(state, command, ctx)`` answers with events or raises a
``ProtocolError``; ``apply_sitting(state, event, at_ms)`` folds one event.
Neither does I/O. Every refusal says what could not be done and why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from procedure.agenda import (
    Document,
    Item,
    agenda_order,
    apply_document_edit,
    apply_item_edit,
    decide_document_edit,
    decide_item_edit,
    insert_item,
)
from procedure.context import Context
from procedure.floor import (
    FloorState,
    Request,
    Turn,
    apply_floor,
    check_speeches,
    floor_at_item_change,
    grant_events,
    pause_event,
    stop_event,
)
from procedure.registry import RegistryState
from procedure.states import check_state
from procedure.transcript import (
    GrantedTurn,
    Segment,
    add_segment,
    apply_transcript,
    flag_turn,
    revise_segment,
    type_segment,
)
from procedure.votes import (
    VoteState,
    apply_vote,
    cast_ballot,
    clear_result,
    close_vote,
    open_vote,
    publish_vote,
)
from protocol.commands import (
    AddGuest,
    AddItem,
    AddSegment,
    AttachDocument,
    CancelSitting,
    CastBallot,
    CheckIn,
    CheckOut,
    ClearResult,
    CloseList,
    CloseSitting,
    CloseVote,
    Command,
    ConfigureFloor,
    CreateSitting,
    DefineBody,
    EditItem,
    EditSitting,
    ExpireSpeech,
    ExtendSpeech,
    FlagTurn,
    GrantFloor,
    MoveItem,
    NextItem,
    OpenSitting,
    OpenVote,
    OrderDocuments,
    PauseSpeech,
    PostNotice,
    PreviousItem,
    PublishVote,
    ReaddLastSpeaker,
    RemoveDocument,
    RemoveItem,
    RenewRoster,
    ReopenList,
    ReorderList,
    ReplaceDocument,
    RequestFloor,
    ResumeSitting,
    ResumeSpeech,
    ReviseSegment,
    SetGroupQuota,
    SetItemLimits,
    SetMembership,
    ShowPage,
    SittingCommand,
    StopSpeech,
    SuspendSitting,
    TakeChair,
    TakeUpItem,
    TypeSegment,
    UpdateMember,
    WarnSpeech,
    WithdrawRequest,
)
from protocol.errors import ErrorCode, ProtocolError
from protocol.events import (
    CheckedIn,
    CheckedOut,
    DocumentAttached,
    DocumentRemoved,
    DocumentReplaced,
    DocumentsOrdered,
    Event,
    FloorConfigured,
    FloorGranted,
    FloorRequested,
    GuestAdded,
    ItemAdded,
    ItemEdited,
    ItemLimitsSet,
    ItemMoved,
    ItemRemoved,
    ItemTakenUp,
    ListClosed,
    ListReopened,
    ListReordered,
    NoticePosted,
    PageShown,
    PresidingChanged,
    QuorumWaived,
    QuotaSet,
    RequestWithdrawn,
    RosterEntry,
    RosterRenewed,
    SittingCancelled,
    SittingClosed,
    SittingCreated,
    SittingEdited,
    SittingOpened,
    SittingResumed,
    SittingSuspended,
    SpeechExtended,
    SpeechPaused,
    SpeechResumed,
    SpeechStopped,
    SpeechWarned,
)
from protocol.settings import PROFILES, RulesProfile
from protocol.types import (
    HALL_TIME_ZONE,
    Body,
    FloorMode,
    ItemStatus,
    Role,
    SittingStatus,
    SpeechType,
    StopReason,
    VoteStatus,
)


@dataclass(frozen=True)
class Presence:
    member_id: str
    seat: str | None
    remote: bool
    since_ms: int


@dataclass(frozen=True)
class SittingState:
    stream: str
    seq: int = 0
    head: str = "0" * 64
    created: bool = False
    body: Body = Body.PLENARY  # the kind of body
    body_id: str = Body.PLENARY.value
    simulated: bool = False
    number: int = 0
    title_km: str = ""
    title_en: str = ""
    date: str = ""
    place: str = ""
    room: str | None = None  # the room whose seating plan the pages draw
    status: SittingStatus = SittingStatus.SCHEDULED
    roster: dict[str, RosterEntry] = field(default_factory=dict)
    guests: dict[str, GuestAdded] = field(default_factory=dict)
    rules: RulesProfile | None = None
    time_zone: str = HALL_TIME_ZONE
    items: tuple[Item, ...] = ()  # agenda order: each child follows its parent
    current_item: str | None = None
    presence: dict[str, Presence] = field(default_factory=dict)
    floor: FloorState = FloorState()
    votes: dict[str, VoteState] = field(default_factory=dict)
    transcript: dict[str, Segment] = field(default_factory=dict)  # segment id -> versions
    granted: dict[str, GrantedTurn] = field(default_factory=dict)  # every turn ever granted, by turn id
    notice: str = ""
    shown: PageShown | None = None  # the document page on the hall display
    presiding: str | None = None  # the member in the chair, when the console names one
    opened_ms: int | None = None
    opened_day: str | None = None  # the hall's calendar day at opening; may differ from ``date``
    closed_ms: int | None = None

    # -- derived views -------------------------------------------------------

    def item(self, item_id: str) -> Item | None:
        return next((i for i in self.items if i.item_id == item_id), None)

    def document(self, document_id: str) -> tuple[Item, Document] | None:
        """The attached document and the item it belongs to."""
        return next(((i, d) for i in self.items for d in i.documents if d.document_id == document_id), None)

    def present_count(self) -> int:
        return len(self.presence)

    def seats(self) -> int:
        """The base of the quorum and of all-members majorities: the profile's seats, or the roster."""
        return (self.rules.seats if self.rules and self.rules.seats else None) or len(self.roster)

    def quorum_needed(self) -> int:
        assert self.rules is not None
        return self.rules.quorum.needed(self.seats())

    def has_quorum(self) -> bool:
        return self.rules is not None and self.present_count() >= self.quorum_needed()

    def member_at_seat(self, seat: str) -> str | None:
        return next((p.member_id for p in self.presence.values() if p.seat == seat), None)

    def group_of(self) -> dict[str, str]:
        return {m: e.group for m, e in self.roster.items()}


# -- who may do what ----------------------------------------------------------

CLERK_ONLY = {"sitting.create", "agenda.add_item", "agenda.attach_document", "transcript.revise", "transcript.type",
              # issue 12: edits
              "sitting.edit", "sitting.cancel", "agenda.edit_item", "agenda.remove_item", "agenda.move_item",
              "agenda.replace_document", "agenda.remove_document", "agenda.order_documents",
              # bodies and guests
              "sitting.add_guest", "sitting.renew_roster"}
RECORDER_ONLY = {"transcript.add_segment", "transcript.flag_turn"}
CHAIR_ONLY = {
    "sitting.open",
    "sitting.suspend",
    "sitting.resume",
    "sitting.close",
    "agenda.take_up",
    "agenda.next",
    "agenda.previous",
    "floor.grant",
    "floor.reorder",
    "floor.readd_last",
    "floor.configure",
    "floor.set_quota",
    "floor.extend",
    "floor.pause",
    "floor.resume",
    "floor.close_list",
    "floor.reopen_list",
    "floor.set_item_limits",
    "sitting.notice",
    "sitting.take_chair",
    "vote.open",
    "vote.publish",
    "vote.clear_result",
}
MEMBERS_ONLY = {"vote.cast"}
CHAIR_OR_CLOCK = {"vote.close"}
SYSTEM_ONLY = {"floor.expire", "floor.warn"}
CHAIR_OR_CLERK = {"document.show_page"}


def own_member(state: SittingState, ctx: Context) -> str | None:
    """The member a seat or remote device acts for: bound, or checked in at its seat."""
    if ctx.actor.member_id is not None:
        return ctx.actor.member_id
    if ctx.seat is not None:
        return state.member_at_seat(ctx.seat)
    return None


def authorise_role(cmd: SittingCommand, ctx: Context) -> None:
    """Refuse a command its role may never send, whatever the sitting's state (FORBIDDEN)."""
    role, kind = ctx.role, cmd.type
    if kind in CLERK_ONLY and role is not Role.CLERK:
        raise ProtocolError(ErrorCode.FORBIDDEN, f"only a clerk can {kind}", role=role)
    if kind in CHAIR_ONLY and role is not Role.CHAIR:
        raise ProtocolError(ErrorCode.FORBIDDEN, f"only the chair can {kind}", role=role)
    if kind in RECORDER_ONLY and role is not Role.RECORDER:
        raise ProtocolError(ErrorCode.FORBIDDEN, f"only the recorder can {kind}", role=role)
    if kind in MEMBERS_ONLY and role not in (Role.SEAT, Role.REMOTE):
        raise ProtocolError(ErrorCode.FORBIDDEN, f"only a member's device can {kind}", role=role)
    if kind in CHAIR_OR_CLOCK and role not in (Role.CHAIR, Role.SYSTEM):
        raise ProtocolError(ErrorCode.FORBIDDEN, f"only the chair can {kind}", role=role)
    if kind in CHAIR_OR_CLERK and role not in (Role.CHAIR, Role.CLERK):
        raise ProtocolError(ErrorCode.FORBIDDEN, f"only the chair or a clerk can {kind}", role=role)
    if kind in SYSTEM_ONLY and role is not Role.SYSTEM:
        raise ProtocolError(ErrorCode.FORBIDDEN, f"only the server's clock can {kind}", role=role)


def authorise_route(state: SittingState, ctx: Context) -> None:
    """A chair console routed to a sitting presides over that one only (FORBIDDEN elsewhere)."""
    if ctx.role is Role.CHAIR and ctx.route is not None and ctx.route != state.stream:
        raise ProtocolError(ErrorCode.FORBIDDEN, "this console is routed to another sitting",
                            role=ctx.role, routed_to=ctx.route)


def authorise(state: SittingState, cmd: SittingCommand, ctx: Context) -> None:
    """Refuse a command that acts for someone else, or that this kind of device cannot send for a member."""
    role, kind = ctx.role, cmd.type
    if isinstance(cmd, RequestFloor | WithdrawRequest | StopSpeech):
        if role is Role.CHAIR:
            return
        if role not in (Role.SEAT, Role.REMOTE):
            raise ProtocolError(ErrorCode.FORBIDDEN, f"a {role} device cannot {kind}", role=role)
        member = cmd.member_id
        if member != own_member(state, ctx):
            raise ProtocolError(
                ErrorCode.NOT_YOUR_MEMBER,
                f"this device cannot {kind} for another member",
                member_id=member,
            )
    if isinstance(cmd, CheckIn | CheckOut):
        member = cmd.member_id
        if role is Role.CLERK:
            return
        if role is Role.REMOTE:
            if member != ctx.actor.member_id:
                raise ProtocolError(
                    ErrorCode.NOT_YOUR_MEMBER, "a remote device acts for its own member only"
                )
            return
        if role is not Role.SEAT:
            raise ProtocolError(ErrorCode.FORBIDDEN, f"a {role} device cannot {kind}", role=role)
        if isinstance(cmd, CheckIn) and cmd.remote:
            raise ProtocolError(ErrorCode.FORBIDDEN, "a seat checks members in at its seat; remote "
                                "check-in is for the member's remote device or a clerk", role=role)
        if ctx.actor.member_id is not None and member != ctx.actor.member_id:
            raise ProtocolError(
                ErrorCode.NOT_YOUR_MEMBER, "a personal device acts for its own member only"
            )
        if kind == "attendance.check_out" and member != own_member(state, ctx):
            raise ProtocolError(
                ErrorCode.NOT_YOUR_MEMBER, "only the member at this seat can check out here"
            )


# -- decisions ----------------------------------------------------------------


def _need_member(state: SittingState, member_id: str) -> RosterEntry:
    entry = state.roster.get(member_id)
    if entry is None:
        raise ProtocolError(
            ErrorCode.UNKNOWN_MEMBER, "not a member of this sitting", member_id=member_id
        )
    return entry


def _need_present(state: SittingState, member_id: str, action: str) -> None:
    _not_guest(state, member_id, action)
    _need_member(state, member_id)
    if member_id not in state.presence:
        raise ProtocolError(
            ErrorCode.NOT_PRESENT, f"can't {action}: member is not checked in", member_id=member_id
        )


def _not_guest(state: SittingState, person_id: str, action: str) -> None:
    if person_id in state.guests:
        raise ProtocolError(ErrorCode.GUEST, f"can't {action}: a guest is heard, never counted or polled",
                            member_id=person_id)


# The profile a sitting takes when neither its creation nor its body names one: each kind its own.
BODY_RULES = {
    Body.PLENARY: "senate-plenary",
    Body.STANDING_COMMITTEE: "senate-committee",
    Body.COMMISSION: "senate-committee",
}


def roster_on(registry: RegistryState, body_id: str, date: str, members: Sequence[str] = ()) -> list[RosterEntry]:
    """A sitting's roster: ``members`` if listed, else the body's members seated on ``date`` (ISO),
    else every registered member (a body without a membership); each entry as the registry
    has the member now, with their office in the body and whom they substitute for.

    Raises UNKNOWN_BODY for a body neither defined nor a kind, INVALID_STATE when the body
    seats nobody that day, UNKNOWN_MEMBER and MALFORMED for a bad list.
    """
    body = registry.bodies.get(body_id)
    if body is None and body_id not in {*Body}:
        raise ProtocolError(ErrorCode.UNKNOWN_BODY, "no such body", body_id=body_id, known=sorted(registry.bodies))
    seated = {m.member_id: m for m in body.seated_on(date)} if body and body.members else None
    ids = list(members) or (list(seated) if seated is not None else list(registry.members))
    if not ids:
        raise ProtocolError(ErrorCode.INVALID_STATE, "the body seats no member on that date",
                            body_id=body_id, date=date)
    missing = [m for m in ids if m not in registry.members]
    if missing:
        raise ProtocolError(ErrorCode.UNKNOWN_MEMBER, "unregistered members", member_ids=missing)
    if len(set(ids)) != len(ids):
        raise ProtocolError(ErrorCode.MALFORMED, "a member is listed twice")
    return [
        RosterEntry(**registry.members[m].model_dump(exclude={"type"}),
                    office=body.office_of(m) if body else None,
                    substitute_for=seated[m].substitute_for if seated and m in seated else None)
        for m in ids
    ]


def moves_roster(state: SittingState, cmd: Command) -> bool:
    """Whether a registry command may change this sitting's roster: a member of it renamed or regrouped,
    or its body's membership or bureau set. Registering a member does not: a body without a membership
    takes the members registered when its sitting is scheduled (a clerk's ``sitting.renew_roster`` adds
    those registered since). Cheap, so the hall asks it of every sitting before comparing rosters."""
    match cmd:
        case UpdateMember():
            return cmd.member_id in state.roster
        case DefineBody() | SetMembership():
            return state.body_id == cmd.body_id
    return False


def follows_registry(state: SittingState, registry: RegistryState) -> bool:
    """Whether a scheduled sitting's roster is what ``registry`` gives its body on its date
    (so a change to the registry is a change to the sitting's roster: ``sitting.renew_roster``)."""
    if not state.created or state.status is not SittingStatus.SCHEDULED:
        return False
    try:
        return roster_on(registry, state.body_id, state.date) == list(state.roster.values())
    except ProtocolError:
        return False


def _renew_roster(state: SittingState, registry: RegistryState) -> list[Event]:
    """The roster taken again (nothing when it is the same); members who leave it are checked out first."""
    roster = roster_on(registry, state.body_id, state.date)
    if roster == list(state.roster.values()):
        return []
    kept = {e.member_id for e in roster}
    return [*(CheckedOut(member_id=m) for m in state.presence if m not in kept), RosterRenewed(roster=roster)]


def _create(cmd: CreateSitting, registry: RegistryState) -> list[Event]:
    """The sitting of a body: its roster is ``roster_on`` its date (or the members listed).

    Raises what ``roster_on`` raises, and MALFORMED for an unknown rules profile or room.
    """
    roster = roster_on(registry, cmd.body, cmd.date, cmd.members)
    body = registry.bodies.get(cmd.body)
    kind = body.definition.kind if body else Body(cmd.body)
    rules_id = cmd.rules or (body.definition.rules if body else None) or BODY_RULES[kind]
    rules = registry.profile(rules_id)
    if rules is None:
        raise ProtocolError(
            ErrorCode.MALFORMED, "no such rules profile", rules=rules_id,
            known=sorted({*PROFILES, *registry.profiles}),
        )
    if cmd.room is not None and cmd.room not in registry.plans:
        raise ProtocolError(ErrorCode.MALFORMED, "no room has this id (room.define_plan first)", room=cmd.room,
                            known=sorted(registry.plans))
    return [
        SittingCreated(
            body=kind,
            body_id=cmd.body,
            simulated=cmd.simulated,
            number=cmd.number,
            title_km=cmd.title_km,
            title_en=cmd.title_en,
            date=cmd.date,
            place=cmd.place,
            roster=roster,
            rules=rules,
            floor=cmd.floor,
            time_zone=cmd.time_zone or (body.definition.time_zone if body else HALL_TIME_ZONE),
            room=cmd.room,
        )
    ]


def _edit(state: SittingState, cmd: EditSitting) -> list[Event]:
    """The sitting's titles and place any time before it closes; its date only before it opens."""
    changes = {k: v for k, v in cmd.model_dump(exclude={"type"}).items() if v is not None and v != getattr(state, k)}
    if "date" in changes and state.status is not SittingStatus.SCHEDULED:
        raise ProtocolError(ErrorCode.INVALID_STATE, "a sitting is rescheduled only before it opens",
                            status=state.status)
    return [SittingEdited(**changes)] if changes else []


def _add_guest(state: SittingState, cmd: AddGuest) -> list[Event]:
    if cmd.guest_id in state.roster or cmd.guest_id in state.guests:
        raise ProtocolError(ErrorCode.ALREADY_EXISTS, "this id is a member or guest of the sitting already",
                            member_id=cmd.guest_id)
    if cmd.item_id is not None and state.item(cmd.item_id) is None:
        raise ProtocolError(ErrorCode.UNKNOWN_ITEM, "no such agenda item", item_id=cmd.item_id)
    return [GuestAdded(**cmd.model_dump(exclude={"type"}))]


def _check_heard(state: SittingState, guest: GuestAdded) -> None:
    """A guest is given the floor on their item while it is current, or on any item (INVALID_STATE)."""
    if guest.item_id is not None and guest.item_id != state.current_item:
        raise ProtocolError(ErrorCode.INVALID_STATE, "the guest is heard on another item",
                            member_id=guest.guest_id, item_id=guest.item_id)



def _take_up(state: SittingState, item_id: str, clear_list: bool) -> list[Event]:
    """Take up an item; with ``clear_list`` the chair first empties the speakers' list."""
    if state.item(item_id) is None:
        raise ProtocolError(ErrorCode.UNKNOWN_ITEM, "no such agenda item", item_id=item_id)
    if state.current_item == item_id:
        raise ProtocolError(ErrorCode.INVALID_STATE, "item is already current", item_id=item_id)
    cleared: list[Event] = [
        RequestWithdrawn(request_id=r.request_id, member_id=r.member_id, by_chair=True)
        for r in state.floor.queue
    ] if clear_list else []
    return [*cleared, ItemTakenUp(item_id=item_id, previous_item_id=state.current_item)]


def _step(state: SittingState, delta: int, clear_list: bool) -> list[Event]:
    order = agenda_order(state.items)
    if not order:
        raise ProtocolError(ErrorCode.INVALID_STATE, "the agenda is empty")
    if state.current_item is None and delta < 0:
        raise ProtocolError(ErrorCode.INVALID_STATE, "no item has been taken up yet")
    pos = order.index(state.current_item) + delta if state.current_item else 0
    if not 0 <= pos < len(order):
        where = "last" if delta > 0 else "first"
        raise ProtocolError(ErrorCode.INVALID_STATE, f"already at the {where} item")
    return _take_up(state, order[pos], clear_list)


def _show_page(state: SittingState, cmd: ShowPage) -> list[Event]:
    """The hall display turns to a page; nothing when it shows that page already."""
    if cmd.document_id is None:
        if state.shown is None:
            raise ProtocolError(ErrorCode.INVALID_STATE, "no document is shown")
        return [PageShown(document_id=None, item_id=None, page=1)]
    found = state.document(cmd.document_id)
    if found is None:
        raise ProtocolError(ErrorCode.UNKNOWN_DOCUMENT, "no such document in this sitting",
                            document_id=cmd.document_id)
    shown = state.shown
    if shown is not None and (shown.document_id, shown.page) == (cmd.document_id, cmd.page):
        raise ProtocolError(ErrorCode.INVALID_STATE, "that page is shown already",
                            document_id=cmd.document_id, page=cmd.page)
    return [PageShown(document_id=cmd.document_id, item_id=found[0].item_id, page=cmd.page)]


def _request(state: SittingState, cmd: RequestFloor, ctx: Context) -> list[Event]:
    """Put a member on the speakers' list (or, on an open floor, give them the floor).

    A member already on the list may raise a point of order and keep their
    place; a closed list takes only points of order and the chair's additions.
    """
    floor = state.floor
    _need_present(state, cmd.member_id, "request the floor")
    if ctx.role is not Role.CHAIR and floor.settings.mode is FloorMode.CHAIR_ONLY:
        raise ProtocolError(
            ErrorCode.INVALID_STATE,
            "can't request the floor in chair-only mode",
            mode=floor.settings.mode,
        )
    point_of_order = cmd.speech_type is SpeechType.POINT_OF_ORDER
    if ctx.role is not Role.CHAIR and floor.list_closed and not point_of_order:
        raise ProtocolError(ErrorCode.LIST_CLOSED, "the speakers' list is closed")
    held = floor.requests_of(cmd.member_id)
    if floor.turn_of(cmd.member_id) or any(
        (r.speech_type is SpeechType.POINT_OF_ORDER) == point_of_order for r in held
    ):
        raise ProtocolError(
            ErrorCode.ALREADY_REQUESTED,
            "member is already on the list or speaking",
            member_id=cmd.member_id,
        )
    check_speeches(floor, state.current_item, cmd.member_id, cmd.speech_type)
    request_id = floor.next_request_id()
    events: list[Event] = [
        FloorRequested(request_id=request_id, member_id=cmd.member_id, speech_type=cmd.speech_type)
    ]
    if floor.settings.mode is FloorMode.OPEN_FLOOR:
        events += grant_events(
            floor,
            cmd.member_id,
            cmd.speech_type,
            request_id,
            state.roster[cmd.member_id].group,
            state.current_item,
            _mic_of(state, cmd.member_id),
            ctx.now_ms,
        )
    return events


def _point_of_order_first(held: tuple[Request, ...]) -> Request | None:
    """Of a member's requests, the point of order if there is one: it is dealt with first."""
    return min(held, key=lambda r: r.speech_type is not SpeechType.POINT_OF_ORDER, default=None)


def _running_turn(state: SittingState, member_id: str) -> Turn:
    turn = state.floor.turn_of(member_id)
    if turn is None:
        raise ProtocolError(
            ErrorCode.NOT_SPEAKING, "member has no open microphone", member_id=member_id
        )
    return turn


def _floor_decision(state: SittingState, cmd: SittingCommand, ctx: Context) -> list[Event]:
    floor = state.floor
    match cmd:
        case RequestFloor():
            return _request(state, cmd, ctx)
        case WithdrawRequest():
            held = floor.requests_of(cmd.member_id)
            if not held:
                raise ProtocolError(
                    ErrorCode.UNKNOWN_REQUEST, "member is not on the list", member_id=cmd.member_id
                )
            # A point of order goes first: the member keeps their place for the debate.
            leaving = _point_of_order_first(held)
            assert leaving is not None
            return [
                RequestWithdrawn(
                    request_id=leaving.request_id,
                    member_id=cmd.member_id,
                    by_chair=ctx.role is Role.CHAIR,
                )
            ]
        case GrantFloor():
            member_id = cmd.member_id
            if member_id is None:
                if not floor.queue:
                    raise ProtocolError(ErrorCode.INVALID_STATE, "the speakers' list is empty")
                member_id = floor.queue[0].member_id
            guest = state.guests.get(member_id)
            if guest is not None:
                _check_heard(state, guest)
            else:
                _need_present(state, member_id, "grant the floor")
            if floor.turn_of(member_id):
                raise ProtocolError(
                    ErrorCode.INVALID_STATE, "member is already speaking", member_id=member_id
                )
            if (
                floor.settings.mode is not FloorMode.OPEN_FLOOR
                and len(floor.speaking) >= floor.settings.max_open_mics
            ):
                raise ProtocolError(
                    ErrorCode.MIC_LIMIT,
                    "can't open another microphone: the limit is reached",
                    max_open_mics=floor.settings.max_open_mics,
                    speaking=[t.member_id for t in floor.speaking],
                )
            held = floor.requests_of(member_id)
            req = _point_of_order_first(held)
            speech_type = req.speech_type if req else SpeechType.CONTRIBUTION
            group = "" if guest else state.roster[member_id].group
            return grant_events(
                floor,
                member_id,
                speech_type,
                req.request_id if req else None,
                group,
                state.current_item,
                _mic_of(state, member_id),
                ctx.now_ms,
            )
        case StopSpeech():
            turn = _running_turn(state, cmd.member_id)
            reason = StopReason.CHAIR if ctx.role is Role.CHAIR else StopReason.SELF
            return [stop_event(turn, reason, ctx.now_ms)]
        case ExpireSpeech():
            found = next((t for t in floor.speaking if t.turn_id == cmd.turn_id), None)
            deadline = found.deadline_ms() if found else None
            if found is None or not found.auto_stop or deadline is None or ctx.now_ms < deadline:
                raise ProtocolError(
                    ErrorCode.INVALID_STATE, "turn is not running out", turn_id=cmd.turn_id
                )
            return [stop_event(found, StopReason.EXPIRED, ctx.now_ms)]
        case WarnSpeech():
            found = next((t for t in floor.speaking if t.turn_id == cmd.turn_id), None)
            due = found.warning_ms() if found else None
            if found is None or found.warned or due is None or ctx.now_ms < due:
                raise ProtocolError(
                    ErrorCode.INVALID_STATE, "turn is not at its warning time", turn_id=cmd.turn_id
                )
            remaining = max(0, (found.time_limit_s * 1000 - found.elapsed_ms(ctx.now_ms)) // 1000)
            return [SpeechWarned(turn_id=found.turn_id, member_id=found.member_id, remaining_s=remaining)]
        case ExtendSpeech():
            turn = _running_turn(state, cmd.member_id)
            if not turn.time_limit_s:
                raise ProtocolError(
                    ErrorCode.INVALID_STATE, "the speech has no time limit", member_id=cmd.member_id
                )
            return [
                SpeechExtended(
                    turn_id=turn.turn_id,
                    member_id=turn.member_id,
                    seconds=cmd.seconds,
                    time_limit_s=turn.time_limit_s + cmd.seconds,
                )
            ]
        case PauseSpeech():
            turn = _running_turn(state, cmd.member_id)
            if turn.paused:
                raise ProtocolError(
                    ErrorCode.INVALID_STATE, "the speech is already paused", member_id=cmd.member_id
                )
            return [pause_event(turn, ctx.now_ms)]
        case ResumeSpeech():
            turn = _running_turn(state, cmd.member_id)
            if not turn.paused:
                raise ProtocolError(
                    ErrorCode.INVALID_STATE, "the speech is not paused", member_id=cmd.member_id
                )
            return [SpeechResumed(turn_id=turn.turn_id, member_id=turn.member_id)]
        case CloseList():
            if floor.list_closed:
                raise ProtocolError(ErrorCode.INVALID_STATE, "the speakers' list is already closed")
            return [ListClosed()]
        case ReopenList():
            if not floor.list_closed:
                raise ProtocolError(ErrorCode.INVALID_STATE, "the speakers' list is open")
            return [ListReopened()]
        case SetItemLimits():
            if state.item(cmd.item_id) is None:
                raise ProtocolError(ErrorCode.UNKNOWN_ITEM, "no such agenda item", item_id=cmd.item_id)
            if floor.limits_for(cmd.item_id) == cmd.limits:
                raise ProtocolError(ErrorCode.INVALID_STATE, "the item already has these limits")
            return [ItemLimitsSet(item_id=cmd.item_id, limits=cmd.limits)]
        case ReorderList():
            current = [r.member_id for r in floor.queue]
            if sorted(current) != sorted(cmd.member_ids):
                raise ProtocolError(
                    ErrorCode.MALFORMED,
                    "a reorder must list exactly the members on the list",
                    on_list=current,
                )
            # A member listed twice (a request and a point of order) keeps their requests' order.
            pending = {m: list(floor.requests_of(m)) for m in current}
            return [ListReordered(request_ids=[pending[m].pop(0).request_id for m in cmd.member_ids])]
        case ReaddLastSpeaker():
            if floor.last_speaker is None:
                raise ProtocolError(ErrorCode.INVALID_STATE, "nobody has spoken yet")
            member_id, speech_type = floor.last_speaker
            _need_present(state, member_id, "re-add the last speaker")
            if floor.request_of(member_id) or floor.turn_of(member_id):
                raise ProtocolError(
                    ErrorCode.ALREADY_REQUESTED, "member is already on the list or speaking"
                )
            return [
                FloorRequested(
                    request_id=floor.next_request_id(), member_id=member_id, speech_type=speech_type
                )
            ]
        case ConfigureFloor():
            if cmd.settings == floor.settings:
                raise ProtocolError(ErrorCode.INVALID_STATE, "the floor already has these settings")
            return [FloorConfigured(settings=cmd.settings)]
        case SetGroupQuota():
            if cmd.group not in {e.group for e in state.roster.values()}:
                raise ProtocolError(ErrorCode.MALFORMED, "no such group", group=cmd.group)
            return [QuotaSet(group=cmd.group, seconds=cmd.seconds)]
    raise ProtocolError(ErrorCode.UNKNOWN_COMMAND, f"not a floor command: {cmd.type}")


def _quorum_check(
    state: SittingState, confirmed: bool, action: str, vote_id: str | None = None
) -> list[Event]:
    """Without quorum, a sitting or a vote opens only on the chair's confirmation, and the record says so.

    Raises NO_QUORUM (with ``present`` and ``needed``) when unconfirmed; the
    quorum is the sitting's rules profile's (Constitution: seven tenths in plenary).
    """
    if state.has_quorum():
        return []
    present, needed = state.present_count(), state.quorum_needed()
    if not confirmed:
        raise ProtocolError(
            ErrorCode.NO_QUORUM,
            f"can't {action} without quorum unless the chair confirms it",
            present=present,
            needed=needed,
        )
    return [QuorumWaived(vote_id=vote_id, present=present, needed=needed)]


def _running_vote(state: SittingState, action: str) -> None:
    running = [v for v, vs in state.votes.items() if vs.status is VoteStatus.OPEN]
    if running:
        raise ProtocolError(
            ErrorCode.INVALID_STATE, f"can't {action} during a vote", vote_id=running[0]
        )


def _suspend(state: SittingState, ctx: Context) -> list[Event]:
    """Suspension mutes every open microphone and stops its clock: the break is nobody's time.

    Refused during a vote, which is neither interrupted nor left running through a break.
    """
    _running_vote(state, "suspend the sitting")
    return [pause_event(t, ctx.now_ms, by_suspension=True) for t in state.floor.speaking if not t.paused]


def _close(state: SittingState, ctx: Context) -> list[Event]:
    """Closing ends every turn, empties the speakers' list and checks everyone out."""
    _running_vote(state, "close the sitting")
    stops: list[Event] = [
        stop_event(t, StopReason.SITTING_CLOSED, ctx.now_ms) for t in state.floor.speaking
    ]
    cleared: list[Event] = [
        RequestWithdrawn(request_id=r.request_id, member_id=r.member_id, by_chair=True)
        for r in state.floor.queue
    ]
    gone: list[Event] = [CheckedOut(member_id=m) for m in state.presence]
    return [*stops, *cleared, *gone]


def _mic_of(state: SittingState, member_id: str) -> str | None:
    p = state.presence.get(member_id)
    if p is None:
        return None
    return "remote" if p.remote else p.seat


def decide_sitting(
    state: SittingState, cmd: SittingCommand, ctx: Context, registry: RegistryState
) -> list[Event]:
    """Check role, member and state; answer with the events the command causes.

    A presiding console bound to a member records that member in the chair
    (``sitting.presiding_changed``) before its first accepted action, and
    again whenever another member's console takes over.
    """
    events = _decide(state, cmd, ctx, registry)
    member = ctx.actor.member_id
    if (ctx.role is Role.CHAIR and member is not None and member != state.presiding
            and member in state.roster and not isinstance(cmd, TakeChair)):
        return [PresidingChanged(member_id=member), *events]
    return events


def _decide(
    state: SittingState, cmd: SittingCommand, ctx: Context, registry: RegistryState
) -> list[Event]:
    if isinstance(cmd, CreateSitting):
        if ctx.role is not Role.CLERK:
            raise ProtocolError(ErrorCode.FORBIDDEN, "only a clerk can create a sitting")
        if state.created:
            raise ProtocolError(ErrorCode.ALREADY_EXISTS, "sitting exists", sitting=state.stream)
        return _create(cmd, registry)
    if not state.created:
        raise ProtocolError(ErrorCode.UNKNOWN_SITTING, "no such sitting", sitting=state.stream)
    authorise_role(cmd, ctx)  # a role that may never send it is told so, whatever the state
    authorise_route(state, ctx)
    check_state(state.status, cmd.type)  # then the sitting's state, before whose member it is
    authorise(state, cmd, ctx)
    match cmd:
        case AddGuest():
            return _add_guest(state, cmd)
        case AddItem():
            if state.item(cmd.item_id):
                raise ProtocolError(ErrorCode.ALREADY_EXISTS, "item exists", item_id=cmd.item_id)
            if cmd.parent_id is not None and state.item(cmd.parent_id) is None:
                raise ProtocolError(ErrorCode.UNKNOWN_ITEM, "no such parent", item_id=cmd.parent_id)
            return [ItemAdded(**cmd.model_dump(exclude={"type"}))]
        case AttachDocument():
            item = state.item(cmd.item_id)
            if item is None:
                raise ProtocolError(ErrorCode.UNKNOWN_ITEM, "no such item", item_id=cmd.item_id)
            if any(d.document_id == cmd.document_id for i in state.items for d in i.documents):
                raise ProtocolError(
                    ErrorCode.ALREADY_EXISTS, "document exists", document_id=cmd.document_id
                )
            return [DocumentAttached(**cmd.model_dump(exclude={"type"}))]
        case EditSitting():
            return _edit(state, cmd)
        case CancelSitting():
            return [SittingCancelled()]
        case RenewRoster():
            return _renew_roster(state, registry)
        case EditItem() | RemoveItem() | MoveItem():
            return decide_item_edit(state.items, cmd)
        case ReplaceDocument() | RemoveDocument() | OrderDocuments():
            return decide_document_edit(state.items, cmd)
        case OpenSitting():
            day = dt.datetime.fromtimestamp(ctx.now_ms / 1000, ZoneInfo(state.time_zone)).date()
            return [*_quorum_check(state, cmd.without_quorum, "open the sitting"), SittingOpened(day=day.isoformat())]
        case SuspendSitting():
            return [*_suspend(state, ctx), SittingSuspended()]
        case ResumeSitting():
            resumed: list[Event] = [
                SpeechResumed(turn_id=t.turn_id, member_id=t.member_id)
                for t in state.floor.speaking
                if t.paused_by_suspension
            ]
            return [SittingResumed(), *resumed]
        case CloseSitting():
            return [*_close(state, ctx), SittingClosed()]
        case TakeUpItem():
            return _take_up(state, cmd.item_id, cmd.clear_list)
        case NextItem():
            return _step(state, +1, cmd.clear_list)
        case PreviousItem():
            return _step(state, -1, cmd.clear_list)
        case PostNotice():
            return [NoticePosted(text=cmd.text)]
        case ShowPage():
            return _show_page(state, cmd)
        case TakeChair():
            _need_member(state, cmd.member_id)
            if ctx.actor.member_id is not None and ctx.actor.member_id != cmd.member_id:
                raise ProtocolError(ErrorCode.NOT_YOUR_MEMBER, "this console presides for its own member only",
                                    member_id=cmd.member_id)
            if cmd.member_id == state.presiding:
                raise ProtocolError(ErrorCode.INVALID_STATE, "member is in the chair already",
                                    member_id=cmd.member_id)
            return [PresidingChanged(member_id=cmd.member_id)]
        case OpenVote():
            assert state.rules is not None
            opened = open_vote(cmd, state.status, state.votes, state.rules, list(state.presence),
                               state.seats(), state.current_item, ctx.now_ms)
            return [*_quorum_check(state, cmd.without_quorum, "open the vote", cmd.vote_id), *opened]
        case CastBallot():
            return cast_ballot(cmd, state.stream, state.votes, own_member(state, ctx), ctx, set(state.guests))
        case CloseVote():
            return close_vote(cmd, state.votes, ctx)
        case PublishVote():
            return publish_vote(cmd, state.votes, ctx.now_ms)
        case ClearResult():
            return clear_result(cmd, state.votes)
        case AddSegment():
            return add_segment(cmd, state.transcript, set(state.granted))
        case ReviseSegment():
            return revise_segment(cmd, state.transcript)
        case FlagTurn():
            return flag_turn(cmd, state.transcript)
        case TypeSegment():
            return type_segment(cmd, state.transcript, state.granted)
        case CheckIn():
            _not_guest(state, cmd.member_id, "check in")
            _need_member(state, cmd.member_id)
            if cmd.member_id in state.presence:
                raise ProtocolError(
                    ErrorCode.ALREADY_PRESENT, "member is already checked in",
                    member_id=cmd.member_id,
                )
            remote = cmd.remote or ctx.role is Role.REMOTE
            seat = None if remote else ctx.seat
            if seat is not None and state.member_at_seat(seat) is not None:
                raise ProtocolError(
                    ErrorCode.INVALID_STATE, "another member is checked in at this seat", seat=seat
                )
            return [CheckedIn(member_id=cmd.member_id, seat=seat, remote=remote)]
        case CheckOut():
            if cmd.member_id not in state.presence:
                raise ProtocolError(
                    ErrorCode.NOT_PRESENT, "member is not checked in", member_id=cmd.member_id
                )
            events: list[Event] = []
            turn = state.floor.turn_of(cmd.member_id)
            if turn:
                events.append(stop_event(turn, StopReason.SELF, ctx.now_ms))
            events += [
                RequestWithdrawn(request_id=r.request_id, member_id=cmd.member_id, by_chair=False)
                for r in state.floor.requests_of(cmd.member_id)
            ]
            return [*events, CheckedOut(member_id=cmd.member_id)]
    return _floor_decision(state, cmd, ctx)


# -- folding ------------------------------------------------------------------


def _set_status(items: tuple[Item, ...], item_id: str | None, status: ItemStatus) -> tuple[Item, ...]:
    return tuple(replace(i, status=status) if i.item_id == item_id else i for i in items)


def apply_sitting(
    state: SittingState, event: Event, at_ms: int, seq: int, by: str | None = None
) -> SittingState:
    if event.type.startswith("vote."):
        return replace(state, votes=apply_vote(state.votes, event, seq))
    if event.type.startswith("transcript."):
        return replace(state, transcript=apply_transcript(state.transcript, event, at_ms, by))
    if isinstance(event, FloorGranted):
        turn = GrantedTurn(event.member_id, event.item_id, at_ms)
        state = replace(state, granted={**state.granted, event.turn_id: turn})
    match event:
        case SittingCreated():
            return replace(
                state,
                created=True,
                body=event.body,
                body_id=event.body_id or event.body.value,
                simulated=event.simulated,
                number=event.number,
                title_km=event.title_km,
                title_en=event.title_en,
                date=event.date,
                place=event.place,
                room=event.room,
                roster={e.member_id: e for e in event.roster},
                rules=event.rules,
                time_zone=event.time_zone,
                floor=FloorState(settings=event.floor),
            )
        case GuestAdded():
            return replace(state, guests={**state.guests, event.guest_id: event})
        case ItemAdded():
            item = Item(event.item_id, event.parent_id, event.title_km, event.title_en)
            return replace(state, items=insert_item(state.items, item))
        case DocumentAttached():
            document = Document(event.document_id, event.title, event.media_type, event.sha256, event.size)
            return replace(state, items=tuple(
                replace(i, documents=(*i.documents, document)) if i.item_id == event.item_id else i
                for i in state.items))
        case SittingEdited():
            changes = {k: v for k, v in event.model_dump(exclude={"type"}).items() if v is not None}
            return replace(state, **changes)
        case SittingCancelled():
            return replace(state, status=SittingStatus.CANCELLED)
        case RosterRenewed():
            return replace(state, roster={e.member_id: e for e in event.roster})
        case ItemEdited() | ItemRemoved() | ItemMoved():
            return replace(state, items=apply_item_edit(state.items, event))
        case DocumentReplaced() | DocumentRemoved() | DocumentsOrdered():
            return replace(state, items=apply_document_edit(state.items, event))
        case SittingOpened():
            return replace(state, status=SittingStatus.OPEN, opened_ms=at_ms, opened_day=event.day)
        case SittingSuspended():
            return replace(state, status=SittingStatus.SUSPENDED)
        case SittingResumed():
            return replace(state, status=SittingStatus.OPEN)
        case SittingClosed():
            items = _set_status(state.items, state.current_item, ItemStatus.DONE)
            return replace(state, status=SittingStatus.CLOSED, closed_ms=at_ms, items=items, shown=None)
        case ItemTakenUp():
            items = _set_status(state.items, event.previous_item_id, ItemStatus.DONE)
            items = _set_status(items, event.item_id, ItemStatus.CURRENT)
            floor = floor_at_item_change(state.floor, at_ms)
            return replace(state, items=items, current_item=event.item_id, floor=floor)
        case NoticePosted():
            return replace(state, notice=event.text)
        case PageShown():
            return replace(state, shown=event if event.document_id else None)
        case PresidingChanged():
            return replace(state, presiding=event.member_id)
        case CheckedIn():
            p = Presence(event.member_id, event.seat, event.remote, at_ms)
            return replace(state, presence={**state.presence, event.member_id: p})
        case CheckedOut():
            presence = {k: v for k, v in state.presence.items() if k != event.member_id}
            return replace(state, presence=presence)
        case (
            FloorRequested()
            | RequestWithdrawn()
            | FloorGranted()
            | SpeechStopped()
            | ListReordered()
            | FloorConfigured()
            | QuotaSet()
            | SpeechExtended()
            | SpeechPaused()
            | SpeechResumed()
            | SpeechWarned()
            | ListClosed()
            | ListReopened()
            | ItemLimitsSet()
        ):
            return replace(state, floor=apply_floor(state.floor, event, at_ms, state.group_of()))
    return state
