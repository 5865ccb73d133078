"""Shared test fixtures: paths to the example corpus and to ../shared (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "corpus"
SHARED = ROOT.parent / "shared"


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"../shared not found at {SHARED}: shared data sets are not available here")
    return SHARED


@pytest.fixture
def example_corpus() -> Path:
    assert EXAMPLES.is_dir(), "examples/corpus is part of the repository"
    return EXAMPLES
