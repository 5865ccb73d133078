"""Fixtures for the report tests: a store written through the Store API and one made by the real pipeline."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest


def load_report_data() -> ModuleType:
    """tests/report/report_data.py as a module (pytest's importlib mode puts no test folder on sys.path)."""
    name = "newstrace_tests_report_data"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("report_data.py"))
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
