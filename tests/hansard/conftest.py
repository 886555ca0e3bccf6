"""Fixtures for the Hansard tests; the records themselves are in ``samples``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from hansard.record import SittingRecord

from .samples import sample


@pytest.fixture
def sample_record() -> Callable[..., SittingRecord]:
    """A factory: ``sample_record(draft=True, sealed=True)``."""
    return sample


@pytest.fixture(scope="session")
def standards_dir() -> Path:
    """The OASIS Akoma Ntoso 3.0 schema kept in the repository (``standards/``, CC-BY 2.0), so a clone
    anywhere validates offline."""
    return Path(__file__).resolve().parents[2] / "standards" / "akoma-ntoso-3.0"
