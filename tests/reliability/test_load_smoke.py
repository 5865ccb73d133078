"""A short run of the load test (benchmarks/load/loadtest.py): 10 clients for 5 s against `newstrace serve`, no errors;
and the client's handling of 503 + Retry-After.

Latency is not asserted here (the test machines are shared and loaded); the 50-client figures are in
benchmarks/load/README.md.
"""

from __future__ import annotations

import asyncio
import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
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
    with loadtest.running_server(store, loadtest.free_port()) as served:
        base = served.base
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
                request_timeout_s=900.0,
                procs=2,  # the clients in two forked client processes, their stats merged
            )
        )
    assert result["all"]["requests"] > 10, result
    assert result["all"]["errors"] == 0, result["kinds"]
    assert result["client_processes"] == 2 and result["reads_timeline"]


def test_load_client_refuses_other_hosts() -> None:
    targets = loadtest.Targets(pages=["/"], searches=["x"], checks=[{"text": "x"}])
    with pytest.raises(ValueError, match="only targets this machine"):
        asyncio.run(loadtest.run_load("http://10.1.2.3:8000", targets, clients=1, duration_s=1, max_requests=1))


def _busy_then_ok(busy_answers: int, retry_after: str) -> tuple[httpx.MockTransport, list[str]]:
    """A stand-in server for the client under test: 503 + Retry-After ``busy_answers`` times, then 200."""
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if len(seen) <= busy_answers:
            return httpx.Response(503, headers={"retry-after": retry_after}, json={"detail": "busy"})
        return httpx.Response(200, json={"id": "x", "links": [], "stored": False})

    return httpx.MockTransport(handle), seen


def _one_check(transport: httpx.MockTransport, budget_s: float) -> Any:
    targets = loadtest.Targets(pages=["/"], searches=["x"], checks=[{"text": "x"}])
    stats = loadtest.KindStats()

    async def go() -> None:
        async with httpx.AsyncClient(base_url="http://127.0.0.1:9", transport=transport) as client:
            await loadtest._request(client, "check", targets, random.Random(1), budget_s, stats)

    asyncio.run(go())
    return stats


def test_client_retries_after_503_within_its_budget() -> None:
    transport, seen = _busy_then_ok(2, "0")
    stats = _one_check(transport, budget_s=10.0)
    assert seen == ["/api/check"] * 3
    assert (len(stats.latencies), stats.errors, stats.busy, stats.retried) == (1, 0, 2, 1)


def test_client_counts_an_error_when_retrying_would_exceed_its_budget() -> None:
    transport, seen = _busy_then_ok(5, "30")
    stats = _one_check(transport, budget_s=1.0)
    assert seen == ["/api/check"]  # 30 s is beyond the 1 s budget: no retry, one error
    assert (stats.errors, stats.busy) == (1, 1)
    assert "503" in stats.error_samples[0]
