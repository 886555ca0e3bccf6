"""The event log's contract, run unchanged against SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from hall_server.hall import seal_records
from hall_server.store import CommandAnswer, Conflict, EarlierAnswer, EventLog, credential_matches
from procedure import Context, RegistryState, SittingState, decide, empty_state, fold
from protocol.commands import CreateSitting, RegisterMember
from protocol.events import Actor, NoticePosted, Record
from protocol.types import Body, Role

CLERK = Context(Actor(role=Role.CLERK, device_id="admin"), now_ms=1_700_000_000_000)


def created_sitting(stream: str, members: int = 3) -> tuple[RegistryState, SittingState, list[Record]]:
    """A registry with a few members and a sitting created from it: state and its records."""
    registry = empty_state("registry")
    assert isinstance(registry, RegistryState)
    for i in range(members):
        cmd = RegisterMember(member_id=f"m{i}", name_km=f"សមាជិក {i}", name_latin=f"Member {i}",
                             group="A")
        for r in seal_records("registry", registry, decide(registry, cmd, CLERK, registry), CLERK, None):
            registry = fold(registry, r)  # type: ignore[assignment]
    state = empty_state(stream)
    create = CreateSitting(body=Body.PLENARY, number=1, title_km="ក", title_en="A",
                           date="2026-11-29", place="Hall")
    records = seal_records(stream, state, decide(state, create, CLERK, registry), CLERK, "create")
    for r in records:
        state = fold(state, r)
    assert isinstance(state, SittingState)
    return registry, state, records


def notice(state: SittingState, text: str, cid: str | None = None) -> list:  # type: ignore[type-arg]
    return seal_records(state.stream, state, [NoticePosted(text=text)], CLERK, cid)


@pytest.fixture
def log(db_url: str):  # type: ignore[no-untyped-def]
    log = EventLog(db_url)
    yield log
    log.close()


def test_append_and_read_back_in_order(log: EventLog) -> None:
    _, state, _ = created_sitting("s1")
    recs = notice(state, "one")
    log.append(recs, [CommandAnswer("s1", "cmd-00001", "dev", {"seq": 2}, "ab" * 32)])
    assert [r.seq for r in log.records("s1")] == [2]
    assert log.answers("s1", [("dev", "cmd-00001")]) == {("dev", "cmd-00001"): EarlierAnswer("ab" * 32, {"seq": 2})}
    assert log.answers("s1", [("other", "cmd-00001")]) == {}, "ids are scoped to their device"
    assert log.answers("s1", [("dev", "nope")]) == {}
    assert log.head_seq("s1") == 2 and log.streams() == ["s1"] and log.heads() == {"s1": 2}


def test_a_second_writer_at_the_same_seq_conflicts_and_writes_nothing(log: EventLog) -> None:
    _, state, _ = created_sitting("s2")
    log.append(notice(state, "first"), [CommandAnswer("s2", "a-000001", None, {})])
    with pytest.raises(Conflict):
        log.append(notice(state, "second"), [CommandAnswer("s2", "b-000001", None, {})])
    assert [r.event.text for r in log.records("s2")] == ["first"]  # type: ignore[union-attr]
    assert log.answers("s2", [(None, "b-000001")]) == {}


def test_the_same_command_id_twice_conflicts(log: EventLog) -> None:
    _, state, _ = created_sitting("s3")
    first = notice(state, "x")
    log.append(first, [CommandAnswer("s3", "same-0001", None, {})])
    state = fold(state, first[0])  # type: ignore[assignment]
    with pytest.raises(Conflict):
        log.append(notice(state, "y"), [CommandAnswer("s3", "same-0001", None, {})])  # type: ignore[arg-type]


def test_iter_records_pages_through_batches(log: EventLog) -> None:
    _, state, _ = created_sitting("s4")
    batch = []
    for i in range(25):
        (rec,) = notice(state, f"n{i}")
        batch.append(rec)
        state = fold(state, rec)  # type: ignore[assignment]
    log.append(batch, [])
    seqs = [r.seq for r in log.iter_records("s4", after=3, batch=7)]
    assert seqs == list(range(4, 27))
    assert [r.seq for r in log.iter_records("s4", after=0, limit=5, batch=2)] == [2, 3, 4, 5, 6]


def test_snapshots_latest_wins(log: EventLog) -> None:
    log.save_snapshot("s5", 10, {"a": 1})
    log.save_snapshot("s5", 20, {"a": 2})
    assert log.latest_snapshot("s5") == (20, {"a": 2})
    assert log.latest_snapshot("other") is None


def test_credentials_are_hashed_and_checked(log: EventLog) -> None:
    def check(pin: str | None, card: str | None) -> bool:
        return credential_matches("m1", log.credential("m1"), pin, card)

    assert check("1234", None)  # none set: passes
    log.set_credential("m1", "1234", "CARD0001")
    assert check("1234", None)
    assert not check("9999", None)
    assert check(None, "CARD0001")
    assert not check(None, None)
    assert "1234" not in str(log.credential("m1"))
    assert empty_state("x") != empty_state("registry")


def test_search_finds_khmer_and_latin_words_in_any_sitting(log: EventLog) -> None:
    """Khmer has no spaces between words: a word inside a longer run is found all the same."""
    _, state, created = created_sitting("s7")
    log.append(created, [])
    state = fold_all(state, created)
    said = notice(state, "សូមអញ្ជើញឯកឧត្តមរដ្ឋមន្ត្រីក្រសួងសេដ្ឋកិច្ច\nThe Budget Law is adopted.")
    log.append(said, [])
    hits = log.search("រដ្ឋមន្ត្រី")
    assert [(h.stream, h.seq, h.kind) for h in hits] == [("s7", 2, "sitting.notice_posted")]
    assert "រដ្ឋមន្ត្រី" in hits[0].snippet
    assert [h.seq for h in log.search("budget LAW")] == [2], "every word, any case"
    assert log.search("budget treaty") == [] and log.search("ab") == [], "all words; three letters at least"
    assert [h.kind for h in log.search("Hall")] == ["sitting.created"]
    assert log.search("100%") == [] and log.search("a_b_c") == [], "LIKE wildcards are plain letters"


def test_a_refused_append_indexes_nothing_and_an_older_log_is_indexed_once(log: EventLog) -> None:
    _, state, created = created_sitting("s8")
    log.append([*created, *notice(fold_all(state, created), "first words")], [])
    with pytest.raises(Conflict):
        log.append(notice(fold_all(state, created), "second words"), [])
    assert [h.seq for h in log.search("words")] == [2]
    with log.engine.begin() as conn:
        conn.execute(text("DROP TABLE record_text"))
    again = EventLog(log.url)
    try:
        assert [h.seq for h in again.search("first")] == [2]
    finally:
        again.close()


def fold_all(state: SittingState, records: list[Record]) -> SittingState:
    if state.seq >= records[-1].seq:
        return state
    for r in records:
        state = fold(state, r)  # type: ignore[assignment]
    return state
