"""The page on the hall display: the chair or a clerk turns it, the record keeps it, the view names it."""

from __future__ import annotations

from procedure.sitting import SittingState
from procedure.views import public_view
from protocol.commands import CloseSitting, ShowPage
from protocol.errors import ErrorCode
from protocol.events import PageShown
from tests.domain_support import chair, clerk, play, refused, seat, step
from tests.test_domain_sitting import base, doc


def with_documents() -> SittingState:
    return play(base(), (doc("i1", "d1", 10), clerk()), (doc("i2", "d2", 20), clerk()))


def test_the_chair_turns_pages_and_the_view_names_the_document_and_its_hash() -> None:
    state = with_documents()
    events, state = step(state, ShowPage(document_id="d2", page=3), chair())
    assert events == [PageShown(document_id="d2", item_id="i2", page=3)]
    assert public_view(state)["shown"] == {"document_id": "d2", "item_id": "i2", "page": 3,
                                           "sha256": f"{20:064x}", "title": "ឯកសារ d2"}
    events, state = step(state, ShowPage(document_id="d2", page=4), clerk())
    assert public_view(state)["shown"]["page"] == 4


def test_showing_no_document_clears_the_display() -> None:
    state = play(with_documents(), (ShowPage(document_id="d1", page=1), chair()))
    events, state = step(state, ShowPage(document_id=None), chair())
    assert events == [PageShown(document_id=None, item_id=None, page=1)]
    assert state.shown is None and public_view(state)["shown"] is None
    assert refused(state, ShowPage(document_id=None), chair()).code is ErrorCode.INVALID_STATE


def test_unknown_documents_repeated_pages_and_members_are_refused() -> None:
    state = play(with_documents(), (ShowPage(document_id="d1", page=2), chair()))
    err = refused(state, ShowPage(document_id="nope", page=1), chair())
    assert (err.code, err.details) == (ErrorCode.UNKNOWN_DOCUMENT, {"document_id": "nope"})
    err = refused(state, ShowPage(document_id="d1", page=2), chair())
    assert (err.code, err.details) == (ErrorCode.INVALID_STATE, {"document_id": "d1", "page": 2})
    assert refused(state, ShowPage(document_id="d1", page=3), seat("s1")).code is ErrorCode.FORBIDDEN


def test_a_closed_sitting_shows_no_document() -> None:
    state = play(with_documents(), (ShowPage(document_id="d1", page=2), chair()), (CloseSitting(), chair()))
    assert state.shown is None
