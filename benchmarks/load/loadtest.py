"""Load test of `newstrace serve`: N concurrent clients for a bounded time mixing pages, searches and checks.

    .venv/bin/python benchmarks/load/loadtest.py                       # 50 clients, 60 s, example corpus
    .venv/bin/python benchmarks/load/loadtest.py --think 2             # the same with ~2 s between a user's requests
    .venv/bin/python benchmarks/load/loadtest.py --clients 10 --duration 5 --store out/newstrace.duckdb

Without ``--store`` the example corpus is traced into a temporary store first. The server is the real CLI
(`newstrace serve`, read-only: check submissions are not stored) in a subprocess on 127.0.0.1; the client is
one asyncio process with httpx. Every run is bounded: no request starts after ``--duration`` or beyond
``--max-requests``, and each request (with its retries) gives up after ``--timeout`` seconds. A 503 with
``Retry-After`` is retried after that many seconds while the request's time budget lasts, as a browser or a
well-behaved API client would; a request is an error only if its last answer is not a success.
Results go to ``--out`` (JSON) and a Markdown table is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import logging
import multiprocessing
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx

log = logging.getLogger("loadtest")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "corpus"
HOST = "127.0.0.1"
# Request kinds and their share of the traffic: mostly reading, some searching, a few (costly) checks.
DEFAULT_MIX = {"page": 0.70, "search": 0.25, "check": 0.05}
READ_KINDS = ("page", "search")
SEARCH_TERMS = ("fire", "Valmora", "desaladora", "strike", "flood", "battery", "reuters", "efe.com", "grain", "2026")


@dataclass
class Targets:
    """What the clients ask for: page paths, search queries and check bodies, all taken from the store."""

    pages: list[str]
    searches: list[str]
    checks: list[dict[str, str]]


@dataclass
class KindStats:
    """Latencies (seconds, first attempt to final answer), errors and retries of one request kind."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    busy: int = 0  # 503 answers with Retry-After (each followed by a retry or, out of time, an error)
    retried: int = 0  # requests that needed more than one attempt
    started: list[float] = field(default_factory=list)  # time.monotonic() at the first attempt, per latency
    slowest: list[tuple[float, float, str]] = field(default_factory=list)  # (seconds, started, what), 5 slowest

    def add(
        self, seconds: float, error: str | None, attempts: int = 1, started: float | None = None, what: str = ""
    ) -> None:
        self.latencies.append(seconds)
        self.started.append(time.monotonic() - seconds if started is None else started)
        self.slowest = sorted([*self.slowest, (seconds, self.started[-1], what)], reverse=True)[:5]
        self.retried += attempts > 1
        if error is not None:
            self.errors += 1
            if len(self.error_samples) < 5:
                self.error_samples.append(error)


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) by linear interpolation; 0 for no values."""
    if not values:
        return 0.0
    if len(values) == 1:
        return float(values[0])
    return float(statistics.quantiles(values, n=1000, method="inclusive")[min(998, max(0, round(q * 10) - 1))])


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def build_store(base: Path) -> Path:
    """Trace the example corpus into ``base`` and return the store path."""
    from newstrace.config import RunConfig
    from newstrace.runners.local import trace

    store = base / "newstrace.duckdb"
    trace([EXAMPLES / "articles.jsonl", EXAMPLES / "txt"], base / "out", store, RunConfig(workers=1))
    return store


@dataclass(frozen=True)
class Served:
    """A running `newstrace serve`: its base URL and process id."""

    base: str
    pid: int


def process_tree_cpu_s(pid: int) -> tuple[float, float] | None:
    """CPU seconds (user + system) used so far by process ``pid`` and by its live descendants; None off Linux.

    CPU time does not depend on what else the machine runs, unlike latency: it is the cost per request to compare.
    """
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def own(p: int) -> float:
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick  # utime, stime

    def children(p: int) -> list[int]:
        kids: list[int] = []
        for task in Path(f"/proc/{p}/task").iterdir():
            try:
                kids += [int(x) for x in (task / "children").read_text().split()]
            except OSError:  # the thread ended meanwhile
                continue
        return kids

    try:
        server = own(pid)
        todo = children(pid)
    except (OSError, ValueError, IndexError):
        return None
    total_kids = 0.0
    while todo:
        k = todo.pop()
        try:
            total_kids += own(k)
            todo += children(k)
        except (OSError, ValueError, IndexError):  # a child that ended meanwhile
            continue
    return server, total_kids


@contextmanager
def running_server(store: Path, port: int, startup_timeout_s: float = 300.0) -> Iterator[Served]:
    """`newstrace serve` on 127.0.0.1:``port`` in a subprocess; yields it and stops it afterwards."""
    cmd = [sys.executable, "-m", "newstrace.cli", "serve", "--store", str(store), "--host", HOST, "--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + startup_timeout_s
        while True:
            if proc.poll() is not None:
                err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                raise RuntimeError(f"server exited with {proc.returncode}: {err[-2000:]}")
            try:
                r = httpx.get(base + "/api/stories?limit=1", timeout=5.0)
            except httpx.HTTPError:
                r = None  # not listening yet
            if r is not None:
                if r.status_code != 200:  # listening but cannot serve the store: waiting will not help
                    raise RuntimeError(f"server answers {r.status_code}: {r.text[:500]}")
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not ready after {startup_timeout_s:.0f} s")
            time.sleep(0.2)
        yield Served(base, proc.pid)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
        if proc.stderr:
            proc.stderr.close()


def first_check(base: str, targets: Targets, budget_s: float = 600.0) -> float:
    """Send one check (retrying after 503s) and return its seconds: the server's check worker is then warm."""
    t = time.monotonic()
    with httpx.Client(base_url=base, timeout=budget_s) as client:
        while True:
            r = client.post("/api/check", json=targets.checks[0])
            wait = retry_after_s(r)
            if wait is None or time.monotonic() - t > budget_s:
                r.raise_for_status()
                return time.monotonic() - t
            time.sleep(max(wait, 0.1))


def warm_pages(base: str, targets: Targets) -> float:
    """Ask for every target page and search once, one at a time; returns the seconds it took.

    A server that has been up a while has answered its pages before, so its response cache is warm; without this the
    first seconds of the run measure 50 clients asking for ~100 never-rendered pages at once.
    """
    t = time.monotonic()
    with httpx.Client(base_url=base, timeout=60.0) as client:
        for page in targets.pages:
            client.get(page)
        for query in targets.searches:
            client.get("/api/search", params={"q": query})
    return time.monotonic() - t


def _items(client: httpx.Client, path: str) -> list[dict[str, object]]:
    r = client.get(path, params={"limit": 500})
    r.raise_for_status()
    items = r.json()["items"]
    assert isinstance(items, list)
    return items


def collect_targets(base: str, seed: int = 8) -> Targets:
    """Page paths (overview, lists, every story, article and link page) and check bodies from the served store."""
    with httpx.Client(base_url=base, timeout=60.0) as client:
        articles = _items(client, "/api/articles")
        stories = _items(client, "/api/stories")
        links = _items(client, "/api/links")
    pages = ["/", "/stories", "/articles", "/sites", "/search?q=fire"]
    pages += ["/articles/" + quote(str(a["id"]), safe="") for a in articles]
    pages += ["/stories/" + quote(str(s["story"]), safe="") for s in stories]
    pages += ["/link?" + urlencode({"derived": k["derived"], "source": k["source"]}) for k in links]
    pages += [f"/links/{quote(str(k['derived']), safe='')}/{quote(str(k['source']), safe='')}" for k in links]
    # Check bodies: light edits of example-corpus articles (the API serves no full texts), so each lookup has
    # real candidates to align, like a new copy would.
    records = [json.loads(x) for x in (EXAMPLES / "articles.jsonl").read_text(encoding="utf-8").splitlines() if x]
    rng = random.Random(seed)
    checks: list[dict[str, str]] = []
    for rec in rng.sample(records, min(8, len(records))):
        text = re.sub(r"\b(said|dijo|a déclaré|sagte)\b", "stated", str(rec["text"]))
        body = {"text": text + "\n\nShare this story.", "url": f"https://checker.example/{len(checks)}"}
        if rec.get("date"):
            body["date"] = str(rec["date"])
        checks.append(body)
    return Targets(pages=pages, searches=list(SEARCH_TERMS), checks=checks)


def retry_after_s(response: httpx.Response) -> float | None:
    """The delay a 503 asks for (``Retry-After`` in seconds), or None when it does not ask to retry."""
    if response.status_code != 503:
        return None
    try:
        return max(0.0, float(response.headers.get("retry-after", "")))
    except ValueError:
        return None


async def _request(
    client: httpx.AsyncClient, kind: str, targets: Targets, rng: random.Random, budget_s: float, stats: KindStats
) -> None:
    """One logical request: retried after a 503's ``Retry-After`` while ``budget_s`` lasts; recorded once."""
    page = rng.choice(targets.pages)
    query = rng.choice(targets.searches)
    body = rng.choice(targets.checks)

    def build(timeout: float) -> httpx.Request:
        if kind == "page":
            return client.build_request("GET", page, timeout=timeout)
        if kind == "search":
            return client.build_request("GET", "/api/search", params={"q": query}, timeout=timeout)
        return client.build_request("POST", "/api/check", json=body, timeout=timeout)

    t = time.perf_counter()
    started = time.monotonic()
    give_up = started + budget_s
    attempts = 0
    error: str | None = None
    while True:
        attempts += 1
        error = None
        try:
            r = await client.send(build(max(0.1, give_up - time.monotonic())))
        except httpx.HTTPError as exc:
            error = f"{kind}: {type(exc).__name__}: {exc}"
            break
        wait = retry_after_s(r)
        if wait is not None:
            stats.busy += 1
            if time.monotonic() + wait < give_up:
                await asyncio.sleep(max(wait, 0.1))
                continue
        if r.status_code != 200:
            error = f"{kind} {r.request.url.path} -> {r.status_code}: {r.text[:200]}"
        elif kind == "check" and r.json().get("stored") is not False:
            error = "check stored an article on a read-only server"
        break
    what = page if kind == "page" else f"q={query}" if kind == "search" else "check"
    stats.add(time.perf_counter() - t, error, attempts, started, what)


async def _worker(
    client: httpx.AsyncClient,
    targets: Targets,
    mix: dict[str, float],
    rng: random.Random,
    deadline: float,
    budget: list[int],
    stats: dict[str, KindStats],
    request_budget_s: float,
    think_s: float,
) -> None:
    kinds = list(mix)
    weights = [mix[k] for k in kinds]
    if think_s > 0:  # users do not all arrive in the same millisecond
        await asyncio.sleep(rng.uniform(0, think_s))
    while time.monotonic() < deadline and budget[0] > 0:
        budget[0] -= 1
        kind = rng.choices(kinds, weights)[0]
        await _request(client, kind, targets, rng, request_budget_s, stats[kind])
        if think_s > 0:
            # Exponential think time (mean think_s): a user reads the page before the next click.
            await asyncio.sleep(min(rng.expovariate(1.0 / think_s), 10 * think_s))


async def _load(
    base: str,
    targets: Targets,
    *,
    clients: int,
    duration_s: float,
    max_requests: int,
    mix: dict[str, float],
    seed: int,
    request_timeout_s: float,
    think_s: float,
    start_at: float | None = None,
) -> tuple[dict[str, KindStats], float, float]:
    """One event loop's share of the load: its stats, its start (``time.monotonic``) and how long it ran."""
    stats = {k: KindStats() for k in mix}
    budget = [max_requests]
    # Idle connections are dropped well before uvicorn's 5 s keep-alive timeout: reusing one the server is closing
    # fails with a ReadError that says nothing about the app (browsers retry those silently).
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients, keepalive_expiry=1.0)
    async with httpx.AsyncClient(base_url=base, timeout=request_timeout_s, limits=limits) as client:
        if start_at is not None:  # the client processes start together
            await asyncio.sleep(max(0.0, start_at - time.monotonic()))
        t0 = time.monotonic()
        deadline = t0 + duration_s
        await asyncio.gather(
            *(
                _worker(
                    client, targets, mix, random.Random(seed + i), deadline, budget, stats, request_timeout_s, think_s
                )
                for i in range(clients)
            )
        )
        elapsed = time.monotonic() - t0
    return stats, t0, elapsed


def _load_in_child(conn: Connection, kwargs: dict[str, Any]) -> None:
    """Body of a forked client process: run its share and send the raw stats back as plain data."""
    try:
        stats, t0, elapsed = asyncio.run(_load(**kwargs))
        conn.send(({k: asdict(s) for k, s in stats.items()}, t0, elapsed))
    finally:
        conn.close()


def _merge(parts: Sequence[dict[str, KindStats]]) -> dict[str, KindStats]:
    """The stats of several client processes as one."""
    out: dict[str, KindStats] = {}
    for part in parts:
        for kind, s in part.items():
            m = out.setdefault(kind, KindStats())
            m.latencies += s.latencies
            m.started += s.started
            m.errors += s.errors
            m.error_samples = (m.error_samples + s.error_samples)[:5]
            m.busy += s.busy
            m.retried += s.retried
            m.slowest = sorted([*m.slowest, *((float(a), float(b), str(w)) for a, b, w in s.slowest)], reverse=True)[:5]
    return out


async def run_load(
    base: str,
    targets: Targets,
    *,
    clients: int,
    duration_s: float,
    max_requests: int,
    mix: dict[str, float] | None = None,
    seed: int = 8,
    request_timeout_s: float = 120.0,
    think_s: float = 0.0,
    procs: int = 1,
) -> dict[str, object]:
    """``clients`` concurrent workers for at most ``duration_s`` and ``max_requests``; returns the summary.

    With ``think_s`` 0 every worker sends its next request as soon as the last one is answered (a closed-loop
    stress test); otherwise it waits an exponentially distributed time of mean ``think_s`` first. With ``procs`` > 1
    the clients are spread over that many forked client processes, each with its own event loop: one Python loop
    spends ~4 ms of CPU per request (httpx), so at ~200 requests/s a single loop is saturated and its own queueing,
    not the server, would make the latencies.
    """
    host = httpx.URL(base).host
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"the load test only targets this machine, not {host}")
    mix = mix or DEFAULT_MIX
    procs = max(1, min(procs, clients))
    common: dict[str, Any] = {"base": base, "targets": targets, "duration_s": duration_s, "mix": mix,
                              "request_timeout_s": request_timeout_s, "think_s": think_s}  # fmt: skip
    if procs == 1:
        stats, t0, elapsed = await _load(clients=clients, max_requests=max_requests, seed=seed, **common)
    else:
        ctx = multiprocessing.get_context("fork")  # no threads yet in this process; targets need no pickling
        start_at = time.monotonic() + 1.0
        children = []
        for i in range(procs):
            share = clients // procs + (i < clients % procs)
            kwargs = {**common, "clients": share, "max_requests": max_requests // procs + (i < max_requests % procs),
                      "seed": seed + 1000 * i, "start_at": start_at}  # fmt: skip
            recv, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_load_in_child, args=(send, kwargs), daemon=True)
            proc.start()
            send.close()
            children.append((proc, recv))
        results = []
        for proc, recv in children:
            raw, t0_i, elapsed_i = await asyncio.to_thread(recv.recv)
            proc.join()
            results.append(({k: KindStats(**v) for k, v in raw.items()}, t0_i, elapsed_i))
        stats = _merge([r[0] for r in results])
        t0 = min(r[1] for r in results)
        elapsed = max(r[1] + r[2] for r in results) - t0
    result = summarise(stats, elapsed, clients=clients, duration_s=duration_s, max_requests=max_requests)
    result["reads_timeline"] = timeline([stats[k] for k in READ_KINDS if k in stats], t0, window_s=10.0)
    result["slowest"] = {
        k: [{"ms": round(1000 * x, 1), "at_s": round(at - t0, 1), "what": w} for x, at, w in s.slowest]
        for k, s in stats.items()
    }
    result["mix"] = mix
    result["think_s"] = think_s
    result["request_timeout_s"] = request_timeout_s
    result["client_processes"] = procs
    return result


def timeline(stats: Sequence[KindStats], t0: float, window_s: float) -> list[dict[str, float]]:
    """Requests, p50 and p99 per window of ``window_s`` seconds by start time: shows warm-up effects and stalls."""
    windows: dict[int, list[float]] = {}
    for s in stats:
        for started, seconds in zip(s.started, s.latencies, strict=True):
            windows.setdefault(int((started - t0) // window_s), []).append(seconds)
    return [
        {
            "from_s": w * window_s,
            "requests": len(v),
            "p50_ms": round(1000 * percentile(v, 50), 1),
            "p99_ms": round(1000 * percentile(v, 99), 1),
        }
        for w, v in sorted(windows.items())
    ]


def _row(stats: Sequence[KindStats], window_s: float) -> dict[str, object]:
    # Rates are per second of the load window (when requests start), not of the drain after it, when only the
    # slowest requests (checks) are still being answered.
    lat = [x for s in stats for x in s.latencies]
    return {
        "requests": len(lat),
        "errors": sum(s.errors for s in stats),
        "requests_per_s": round(len(lat) / window_s, 2) if window_s else 0.0,
        "p50_ms": round(1000 * percentile(lat, 50), 1),
        "p99_ms": round(1000 * percentile(lat, 99), 1),
        "max_ms": round(1000 * max(lat, default=0.0), 1),
    }


def summarise(
    stats: dict[str, KindStats], elapsed: float, *, clients: int, duration_s: float, max_requests: int
) -> dict[str, object]:
    """Per-kind and overall counts, errors, requests/s and p50/p99/max latency."""
    window = min(elapsed, duration_s)
    kinds = {
        k: {**_row([s], window), "busy_503": s.busy, "retried": s.retried, "error_samples": s.error_samples}
        for k, s in stats.items()
    }
    reads = _row([stats[k] for k in READ_KINDS if k in stats], window)
    return {
        "clients": clients,
        "duration_s": duration_s,
        "max_requests": max_requests,
        "elapsed_s": round(elapsed, 2),
        "kinds": kinds,
        "reads": reads,
        "all": _row(list(stats.values()), window),
        "target": {"errors": 0, "reads_p99_ms_below": 500},
        "target_met": reads["errors"] == 0 and float(reads["p99_ms"]) < 500,  # type: ignore[arg-type]
    }


def markdown_table(result: dict[str, object]) -> str:
    """The README table: one row per kind, then reads and all."""
    lines = [
        "| kind | requests | errors | 503 + retry | req/s | p50 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    kinds = result["kinds"]
    assert isinstance(kinds, dict)
    rows = [*kinds.items(), ("reads (page+search)", result["reads"]), ("all", result["all"])]
    for name, r in rows:
        busy = r.get("busy_503", "")
        lines.append(
            f"| {name} | {r['requests']} | {r['errors']} | {busy} | {r['requests_per_s']} | {r['p50_ms']} "
            f"| {r['p99_ms']} | {r['max_ms']} |"
        )
    return "\n".join(lines)


def benchmark(
    store: Path | None,
    *,
    clients: int,
    duration_s: float,
    max_requests: int,
    seed: int = 8,
    mix: dict[str, float] | None = None,
    request_timeout_s: float = 120.0,
    think_s: float = 0.0,
    procs: int = 2,
    warm: bool = True,
) -> dict[str, object]:
    """Build a store if none is given, serve it, collect targets and run the load; returns the summary."""
    with tempfile.TemporaryDirectory(prefix="newstrace-load-") as tmp:
        if store is None:
            t = time.monotonic()
            store = build_store(Path(tmp))
            log.info("traced the example corpus in %.1f s", time.monotonic() - t)
        with running_server(store, free_port()) as served:
            base = served.base
            targets = collect_targets(base, seed)
            # A server that has been up a while has its check worker warm: the first check waits for the encoder to
            # load. Done before the clock even when the mix has no checks, so that loading does not share the CPU
            # with the measured reads.
            warm_s = first_check(base, targets)
            log.info("first check answered in %.1f s", warm_s)
            if warm:
                log.info("every page and search asked for once in %.1f s", warm_pages(base, targets))
            cpu_before = process_tree_cpu_s(served.pid)
            client_before = os.times()
            result = asyncio.run(
                run_load(
                    base,
                    targets,
                    clients=clients,
                    duration_s=duration_s,
                    max_requests=max_requests,
                    mix=mix,
                    seed=seed,
                    request_timeout_s=request_timeout_s,
                    think_s=think_s,
                    procs=procs,
                )
            )
            cpu_after = process_tree_cpu_s(served.pid)
            client_after = os.times()
    result["first_check_s"] = round(warm_s, 2)
    result["pages_warmed"] = warm
    if cpu_before and cpu_after:
        all_row = result["all"]
        assert isinstance(all_row, dict)
        server_s, workers_s = cpu_after[0] - cpu_before[0], cpu_after[1] - cpu_before[1]
        result["cpu"] = {
            "server_s": round(server_s, 2),  # the web process: reads, HTTP, admission of checks
            "check_workers_s": round(workers_s, 2),  # its child processes: the checks themselves
            "server_ms_per_request": round(1000 * server_s / max(1, int(all_row["requests"])), 2),
            # this load client and its client processes (same machine, same cores); the server is not reaped yet, so
            # the children's times are the client processes' alone
            "client_s": round(sum(client_after[:4]) - sum(client_before[:4]), 2),
        }
    result["targets"] = {"pages": len(targets.pages), "searches": len(targets.searches), "checks": len(targets.checks)}
    result["machine"] = {"cpus": os.cpu_count(), "load_avg_after": [round(x, 2) for x in os.getloadavg()]}
    return result


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--store", type=Path, help="store to serve (default: trace the example corpus into a temp dir)")
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    p.add_argument("--max-requests", type=int, default=50_000, help="hard cap on requests")
    p.add_argument("--seed", type=int, default=8)
    p.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        help="time budget per request, retries after 503 included (s); running out is an error",
    )
    p.add_argument("--think", type=float, default=0.0,
                   help="mean think time (s) between a client's requests; 0 = closed loop, no pause")  # fmt: skip
    p.add_argument("--mix", default=",".join(f"{k}={v}" for k, v in DEFAULT_MIX.items()),
                   help="request shares, e.g. page=0.7,search=0.3 (kinds: page, search, check)")  # fmt: skip
    p.add_argument("--procs", type=int, default=2,
                   help="client processes to spread the clients over (each its own event loop); 1 = one")  # fmt: skip
    p.add_argument("--cold", action="store_true",
                   help="skip asking for every page once before the clock (a freshly started server)")  # fmt: skip
    p.add_argument("--out", type=Path, default=Path(__file__).with_name("results.json"))
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    load_before = os.getloadavg()
    mix = {k: float(v) for k, v in (part.split("=") for part in args.mix.split(","))}
    result = benchmark(args.store, clients=args.clients, duration_s=args.duration, max_requests=args.max_requests,
                       seed=args.seed, mix=mix, request_timeout_s=args.timeout, think_s=args.think,
                       procs=args.procs, warm=not args.cold)  # fmt: skip
    result["machine"]["load_avg_before"] = [round(x, 2) for x in load_before]  # type: ignore[index]
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(markdown_table(result))
    machine = result["machine"]
    assert isinstance(machine, dict)
    print(f"load average (1, 5, 15 min) before: {machine['load_avg_before']}, after: {machine['load_avg_after']}")
    print(f"target met: {result['target_met']}  (results in {args.out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
