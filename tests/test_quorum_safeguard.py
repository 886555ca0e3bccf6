"""Opening without quorum: refused unless the chair confirms it, and then on the record.

The quorum is the rules profile's (seven tenths of the members in the
Senate's plenary, after the Constitution): six members need five present.
"""

from __future__ import annotations

import pytest

from protocol.commands import OpenSitting, OpenVote
from protocol.errors import ErrorCode
from protocol.events import QuorumWaived, SittingOpened
from tests.domain_support import chair, refused, sitting, step

MOTION = {"vote_id": "v1", "motion_km": "សំណើ", "motion_en": "Motion"}


def test_a_sitting_without_quorum_opens_only_on_the_chairs_confirmation() -> None:
    state, _ = sitting(6, opened=False, present=[1, 2])
    err = refused(state, OpenSitting(), chair())
    assert (err.code, err.details) == (ErrorCode.NO_QUORUM, {"present": 2, "needed": 5})
    events, after = step(state, OpenSitting(without_quorum=True), chair())
    assert events == [QuorumWaived(present=2, needed=5), SittingOpened(day="2023-11-15")]
    assert after.status == "open"


@pytest.mark.parametrize("confirmed", [False, True])
def test_with_quorum_nothing_is_waived(confirmed: bool) -> None:
    state, _ = sitting(6, opened=False, present=[1, 2, 3, 4, 5])
    assert step(state, OpenSitting(without_quorum=confirmed), chair())[0] == [SittingOpened(day="2023-11-15")]


def test_a_vote_without_quorum_opens_only_on_the_chairs_confirmation() -> None:
    state, _ = sitting(6, present=[1, 2, 3])
    err = refused(state, OpenVote(**MOTION), chair())
    assert (err.code, err.details) == (ErrorCode.NO_QUORUM, {"present": 3, "needed": 5})
    events, after = step(state, OpenVote(**MOTION, without_quorum=True), chair())
    assert events[0] == QuorumWaived(vote_id="v1", present=3, needed=5)
    assert [e.type for e in events] == ["sitting.quorum_waived", "vote.opened"]
    assert "v1" in after.votes


def test_a_quorate_vote_opens_as_before() -> None:
    state, _ = sitting(6, present=[1, 2, 3, 4, 5])
    assert [e.type for e in step(state, OpenVote(**MOTION), chair())[0]] == ["vote.opened"]
