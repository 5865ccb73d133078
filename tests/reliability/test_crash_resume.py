"""Crash safety: `trace` killed with SIGKILL at random points, then re-run on the same store, gives the output of an
uninterrupted run: nothing lost, nothing duplicated.

Each run is the real CLI in its own process group; the kill takes the whole group (the runner and its alignment
workers), like an OOM kill or a lost machine. Kill times are seeded fractions of the uninterrupted run's wall time,
so they land in different stages (ingest, enrichment, alignment, decide, output) on any machine speed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

# tests/ is not a package (pytest runs with --import-mode=importlib): load the sibling helper by path.
_spec = importlib.util.spec_from_file_location(
    "newstrace_tests_reliability_corpus", Path(__file__).with_name("corpus.py")
)
assert _spec and _spec.loader
corpus_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus_module)

OUTPUTS = ("articles.jsonl", "links.jsonl", "stories.jsonl", "sites.jsonl")
# The machines are shared and often heavily loaded: a run that takes 10 s alone may take minutes.
RUN_TIMEOUT_S = 1800.0


@dataclass
class Attempt:
    """One killed run: when it was killed and whether it was still running then."""

    delay_s: float
    killed: bool


def _cmd(corpus: Path, out: Path, store: Path, workers: int) -> list[str]:
    return [
        sys.executable, "-m", "newstrace.cli", "trace", str(corpus), "--out", str(out), "--store", str(store),
        "--workers", str(workers), "-q",
    ]  # fmt: skip


def _run(corpus: Path, out: Path, store: Path, workers: int) -> float:
    """One uninterrupted run; returns its wall time."""
    t = time.monotonic()
    proc = subprocess.run(
        _cmd(corpus, out, store, workers), capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return time.monotonic() - t


def _run_and_kill(corpus: Path, out: Path, store: Path, workers: int, delay_s: float) -> Attempt:
    """Start a run and SIGKILL its whole process group after ``delay_s`` (if it is still running)."""
    proc = subprocess.Popen(
        _cmd(corpus, out, store, workers),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: the kill reaches the alignment workers too
    )
    try:
        proc.wait(timeout=delay_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        return Attempt(delay_s, killed=True)
    finally:
        if proc.stderr:
            proc.stderr.close()
    # It finished before the kill: the run must have succeeded.
    assert proc.returncode == 0, f"run failed before the kill (exit {proc.returncode})"
    return Attempt(delay_s, killed=False)


def _lines(path: Path) -> list[str]:
    return sorted(line for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def _table_counts(store: Path) -> dict[str, int]:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return {
            t: int(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0])  # type: ignore[index]
            for t in ("articles", "features", "lsh_bands", "pairs", "links", "stories", "sites")
        }
    finally:
        con.close()


def _assert_same_output(reference: Path, resumed: Path) -> None:
    for name in OUTPUTS:
        ref, got = _lines(reference / name), _lines(resumed / name)
        assert len(got) == len(set(got)), f"{name}: duplicated rows after resume"
        missing = sorted(set(ref) - set(got))
        extra = sorted(set(got) - set(ref))
        assert not missing and not extra, (
            f"{name} differs after resume: {len(missing)} rows missing, {len(extra)} unexpected; "
            f"first missing {missing[:1]!r}; first unexpected {extra[:1]!r}"
        )


def crash_and_resume(
    tmp: Path, copies: int, kills: int, seed: int, workers: int, first: int | None = None
) -> list[Attempt]:
    """Reference run, then ``kills`` killed runs and a final run on a second store; outputs must be equal."""
    corpus = tmp / "corpus.jsonl"
    corpus_module.build_corpus(corpus, copies, first)
    ref_out = tmp / "reference"
    ref_time = _run(corpus, ref_out, ref_out / "store.duckdb", workers)

    out = tmp / "resumed"
    store = out / "store.duckdb"
    rng = random.Random(seed)
    attempts = []
    for i in range(kills):
        # Spread kills over the run: each attempt resumes earlier work, so later attempts finish sooner.
        lo, hi = (0.15 + 0.7 * i / kills, 0.15 + 0.7 * (i + 1) / kills)
        attempts.append(_run_and_kill(corpus, out, store, workers, rng.uniform(lo, hi) * ref_time))
    _run(corpus, out, store, workers)
    _assert_same_output(ref_out, out)
    assert _table_counts(store) == _table_counts(ref_out / "store.duckdb")
    return attempts


@pytest.mark.timeout(3 * RUN_TIMEOUT_S)
def test_one_kill_then_resume_gives_identical_output(tmp_path: Path) -> None:
    # The first story of the example corpus (wire, copies, edit, translation, summary, independent report).
    attempts = crash_and_resume(tmp_path, copies=1, kills=1, seed=8, workers=1, first=8)
    assert attempts[0].killed, "the run finished before the kill: the test proved nothing"


@pytest.mark.slow
@pytest.mark.timeout(8 * RUN_TIMEOUT_S)
def test_three_random_kills_then_resume_gives_identical_output(tmp_path: Path) -> None:
    attempts = crash_and_resume(tmp_path, copies=3, kills=3, seed=20_260_308, workers=2)
    assert sum(a.killed for a in attempts) >= 2, attempts
    print(json.dumps([a.__dict__ for a in attempts]))
