"""A short run of the load test (benchmarks/load/loadtest.py): 10 clients for 5 s against `newstrace serve`, no errors.

Latency is not asserted here (the test machines are shared and loaded); the 50-client figures are in
benchmarks/load/README.md.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str, path: Path) -> ModuleType:
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


loadtest = _load("newstrace_benchmarks_loadtest", ROOT / "benchmarks" / "load" / "loadtest.py")


@pytest.fixture(scope="module")
def store(traced_store: Path) -> Path:
    # The same traced example store as tests/web and tests/report (one trace per session).
    return traced_store


@pytest.mark.timeout(1200)
def test_ten_clients_for_five_seconds_without_errors(store: Path) -> None:
    with loadtest.running_server(store, loadtest.free_port()) as base:
        targets = loadtest.collect_targets(base)
        assert targets.pages and targets.checks
        # Few checks: each one aligns against the store, and on a loaded machine a handful can exceed the
        # request timeout; the point here is that concurrent reads, searches and checks never fail.
        result = asyncio.run(
            loadtest.run_load(
                base,
                targets,
                clients=10,
                duration_s=5.0,
                max_requests=2000,
                mix={"page": 0.75, "search": 0.23, "check": 0.02},
                request_timeout_s=300.0,
            )
        )
    assert result["all"]["requests"] > 10, result
    assert result["all"]["errors"] == 0, result["kinds"]


def test_load_client_refuses_other_hosts() -> None:
    targets = loadtest.Targets(pages=["/"], searches=["x"], checks=[{"text": "x"}])
    with pytest.raises(ValueError, match="only targets this machine"):
        asyncio.run(loadtest.run_load("http://10.1.2.3:8000", targets, clients=1, duration_s=1, max_requests=1))
