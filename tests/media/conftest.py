"""Media fixtures: a network namespace joined to ours by a veth pair, the vosk model once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from recorder.stt import VoskEngine, find_installed_model
from tests.media.netns import Netns, veth_namespace


@pytest.fixture
def netns() -> Iterator[Netns]:
    with veth_namespace() as ns:
        yield ns


@pytest.fixture(scope="session")
def vosk_engine() -> VoskEngine:
    return VoskEngine(find_installed_model("vosk"))
