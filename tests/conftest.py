"""Shared pytest fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# The shared real data sits beside the repository: <repo>/../shared/data.
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Folder of the shared real data sets.

    Skipped when absent, except in CI (``CI=true``), where missing data is a failure:
    a CI run must never pass by skipping the real-data tests.
    """
    if not SHARED_DATA.is_dir():
        message = f"shared data not found at {SHARED_DATA} (expected ../shared/data beside the repo)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return SHARED_DATA
