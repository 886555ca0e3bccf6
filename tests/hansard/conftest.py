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
    """shared/standards/akoma-ntoso-3.0, found by walking up from the repo."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "shared" / "standards" / "akoma-ntoso-3.0"
        if (candidate / "akomantoso30.xsd").is_file():
            return candidate
    raise AssertionError(
        f"Akoma Ntoso schema not found: expected shared/standards/akoma-ntoso-3.0/ in a directory above {here}"
    )
