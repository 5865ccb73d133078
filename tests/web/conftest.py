"""Fixtures for the web tests: the stores of tests/report (loaded by path) and apps over them."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPORT_DATA = Path(__file__).resolve().parents[1] / "report" / "report_data.py"


def load_report_data() -> ModuleType:
    """tests/report/report_data.py as a module, shared with the report tests (one traced store per session)."""
    name = "newstrace_tests_report_data"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPORT_DATA)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="session")
def data() -> ModuleType:
    return load_report_data()


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
    return data.traced_example(tmp_path_factory.getbasetemp() / "traced-example")  # type: ignore[no-any-return]


@pytest.fixture
def traced_copy(traced_store: Path, tmp_path: Path) -> Path:
    """A private copy of the traced store, for tests that may write to it."""
    dst = tmp_path / "copy.duckdb"
    shutil.copyfile(traced_store, dst)
    return dst
