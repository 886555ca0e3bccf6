"""Fixtures: each backend-aware test runs against SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hall import ServerProcess
from tests.services import fresh_database, postgres_server


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hall.db'}"
    else:
        with fresh_database(request.getfixturevalue("pg_server")) as url:
            yield url


@pytest.fixture
def server(db_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    srv = ServerProcess(db_url, tmp_path / "srv")
    srv.start()
    yield srv
    srv.stop()


# Speech and media tests cut turns by the hall's clock against audio played in real time: run beside other
# tests on two cores, a turn's edges can shift past its words. ``make test`` runs them first, alone, one
# after another (``-m realtime_audio``), then the rest on three pytest-xdist workers.
REAL_TIME_AUDIO = ("tests/recorder/", "tests/media/", "tests/test_demo.py", "tests/browser/test_remote.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    root = Path(__file__).resolve().parent.parent
    for item in items:
        where = item.path.resolve().relative_to(root).as_posix()
        if where.startswith(REAL_TIME_AUDIO):
            item.add_marker(pytest.mark.realtime_audio)
