"""The presiding console as a library: the chair's actions by name, one call each.

A thin layer over ``HallClient`` that keeps the sitting's state folded, so a
script (or the CLI) can say "grant the next speaker" without knowing who
that is; every action is one protocol command and raises ``ProtocolError``
when refused.
"""

from __future__ import annotations

import uuid
from typing import Any

from procedure import SittingState
from protocol.commands import (
    CloseList,
    CloseSitting,
    CloseVote,
    ConfigureFloor,
    ExtendSpeech,
    GrantFloor,
    NextItem,
    OpenSitting,
    OpenVote,
    PauseSpeech,
    PostNotice,
    PreviousItem,
    PublishVote,
    ReaddLastSpeaker,
    ReopenList,
    ReorderList,
    RequestFloor,
    ResumeSitting,
    ResumeSpeech,
    SetItemLimits,
    StopSpeech,
    SuspendSitting,
    TakeUpItem,
    WithdrawRequest,
)
from protocol.settings import FloorSettings, ItemLimits
from protocol.types import FloorMode, SpeechType, VoteKind
from seat_client.client import HallClient


class ChairConsole:
    def __init__(self, client: HallClient, sitting: str) -> None:
        self.client = client
        self.sitting = sitting

    async def start(self) -> SittingState:
        state = await self.client.follow(self.sitting)
        assert isinstance(state, SittingState)
        return state

    @property
    def state(self) -> SittingState:
        s = self.client.states[self.sitting]
        assert isinstance(s, SittingState)
        return s

    async def _do(self, cmd: Any) -> dict[str, Any]:
        ack = await self.client.command(self.sitting, cmd)
        await self.client.wait_for(self.sitting, lambda s: s.seq >= int(ack["seq"]))
        return ack

    # sitting and agenda
    async def open(self, without_quorum: bool = False) -> dict[str, Any]:
        """Open the sitting; ``without_quorum`` is the chair's confirmation when too few are present."""
        return await self._do(OpenSitting(without_quorum=without_quorum))

    async def suspend(self) -> dict[str, Any]:
        return await self._do(SuspendSitting())

    async def resume(self) -> dict[str, Any]:
        return await self._do(ResumeSitting())

    async def close(self) -> dict[str, Any]:
        return await self._do(CloseSitting())

    async def next_item(self, clear_list: bool = False) -> dict[str, Any]:
        """Take up the next item; ``clear_list`` empties the speakers' list first."""
        return await self._do(NextItem(clear_list=clear_list))

    async def previous_item(self, clear_list: bool = False) -> dict[str, Any]:
        return await self._do(PreviousItem(clear_list=clear_list))

    async def take_up(self, item_id: str, clear_list: bool = False) -> dict[str, Any]:
        return await self._do(TakeUpItem(item_id=item_id, clear_list=clear_list))

    async def notice(self, text: str) -> dict[str, Any]:
        return await self._do(PostNotice(text=text))

    # floor
    async def grant(self, member_id: str | None = None) -> dict[str, Any]:
        """Open the microphone of a member, or of the head of the list."""
        return await self._do(GrantFloor(member_id=member_id))

    async def stop(self, member_id: str | None = None) -> dict[str, Any]:
        """Close a member's microphone, or the one opened first."""
        return await self._do(StopSpeech(member_id=self._speaker(member_id)))

    def _speaker(self, member_id: str | None) -> str:
        """The member named, or the one whose microphone opened first."""
        return member_id or (self.state.floor.speaking[0].member_id if self.state.floor.speaking else "")

    async def extend(self, seconds: int = 60, member_id: str | None = None) -> dict[str, Any]:
        """Give a speaker (default: the first one speaking) ``seconds`` more."""
        return await self._do(ExtendSpeech(member_id=self._speaker(member_id), seconds=seconds))

    async def pause(self, member_id: str | None = None) -> dict[str, Any]:
        """Mute a speaker and stop their clock; their turn is kept."""
        return await self._do(PauseSpeech(member_id=self._speaker(member_id)))

    async def resume_speech(self, member_id: str | None = None) -> dict[str, Any]:
        return await self._do(ResumeSpeech(member_id=self._speaker(member_id)))

    async def close_list(self) -> dict[str, Any]:
        """Close the speakers' list: members may still raise points of order."""
        return await self._do(CloseList())

    async def reopen_list(self) -> dict[str, Any]:
        return await self._do(ReopenList())

    async def item_limits(self, item_id: str, limits: ItemLimits) -> dict[str, Any]:
        return await self._do(SetItemLimits(item_id=item_id, limits=limits))

    async def add(self, member_id: str, speech_type: SpeechType = SpeechType.CONTRIBUTION) -> dict[str, Any]:
        return await self._do(RequestFloor(member_id=member_id, speech_type=speech_type))

    async def remove(self, member_id: str) -> dict[str, Any]:
        return await self._do(WithdrawRequest(member_id=member_id))

    async def reorder(self, member_ids: list[str]) -> dict[str, Any]:
        return await self._do(ReorderList(member_ids=member_ids))

    async def readd_last(self) -> dict[str, Any]:
        return await self._do(ReaddLastSpeaker())

    async def mode(self, mode: FloorMode, max_open_mics: int, speaking_time_s: int = 300) -> dict[str, Any]:
        settings = FloorSettings(**{**self.state.floor.settings.model_dump(), "mode": mode,
                                    "max_open_mics": max_open_mics, "speaking_time_s": speaking_time_s})
        return await self._do(ConfigureFloor(settings=settings))

    # votes
    async def open_vote(self, motion_km: str, motion_en: str, kind: VoteKind = VoteKind.ROLL_CALL,
                        majority: str | None = None, duration_s: int = 0, options: list[str] | None = None,
                        without_quorum: bool = False) -> str:
        """Open a vote; ``options`` None keeps the protocol's default (a motion's yes/no/abstain).

        ``without_quorum`` is the chair's confirmation when fewer than the quorum are present.
        """
        vote_id = f"v{uuid.uuid4().hex[:8]}"
        extra = {"options": options} if options else {}
        await self._do(OpenVote(vote_id=vote_id, motion_km=motion_km, motion_en=motion_en, kind=kind,
                                majority=majority, duration_s=duration_s, without_quorum=without_quorum, **extra))
        return vote_id

    async def close_vote(self, vote_id: str | None = None) -> dict[str, Any]:
        return await self._do(CloseVote(vote_id=vote_id or self._open_vote()))

    async def publish_vote(self, vote_id: str) -> dict[str, Any]:
        return await self._do(PublishVote(vote_id=vote_id))

    def _open_vote(self) -> str:
        return next((v for v, s in self.state.votes.items() if s.status.value == "open"), "")
