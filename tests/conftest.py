"""Shared test fixtures: paths to the example corpus and to ../shared (skipped when absent)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

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


def load_module(name: str, path: Path) -> ModuleType:
    """A helper module of the test suite or benchmarks by path (importlib mode puts no test folder on sys.path)."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="session")
def data() -> ModuleType:
    """tests/report/report_data.py: hostile strings, a hand-written store, the traced example corpus."""
    return load_module("newstrace_tests_report_data", ROOT / "tests" / "report" / "report_data.py")


@pytest.fixture(scope="session")
def hand_store_path(tmp_path_factory: pytest.TempPathFactory, data: ModuleType) -> Path:
    """Built once per session (tests only read it); the same file for tests/report and tests/web."""
    path = tmp_path_factory.getbasetemp() / "hand-store" / "hand.duckdb"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        data.hand_store(path)
    return path


@pytest.fixture(scope="session")
def traced_store(tmp_path_factory: pytest.TempPathFactory, data: ModuleType) -> Path:
    """The example corpus plus a hostile article, traced once per session (report, web and load tests share it)."""
    return data.traced_example(tmp_path_factory.getbasetemp() / "traced-example")  # type: ignore[no-any-return]
