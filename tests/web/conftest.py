"""Fixtures for the web tests; the stores themselves come from tests/conftest.py (shared with tests/report)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture
def traced_copy(traced_store: Path, tmp_path: Path) -> Path:
    """A private copy of the traced store, for tests that may write to it."""
    dst = tmp_path / "copy.duckdb"
    shutil.copyfile(traced_store, dst)
    return dst
