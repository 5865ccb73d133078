"""Crash safety: `trace` killed with SIGKILL at random points, then re-run on the same store, gives the output of an
uninterrupted run: nothing lost, nothing duplicated.

Each run is the real CLI in its own process group; the kill takes the whole group (the runner and its alignment
workers), like an OOM kill or a lost machine. Kill points are seeded random positions in a stage's progress (the CLI
runs on a pseudo-terminal so it shows its progress bar) plus a random extra delay, so they land inside chosen
stages (enrichment, alignment, decide and output) whatever the machine's speed or load.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pty
import random
import re
import select
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import pytest

from newstrace.doctor import check_store

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


@dataclass(frozen=True)
class KillPoint:
    """Where to kill: once ``stage``'s progress shows at least ``fraction`` done (but not all, unless
    ``fraction`` is 1: then after the stage, in decide/output), plus ``extra_s`` so the kill can fall inside a batch
    or a commit."""

    stage: str
    fraction: float
    extra_s: float


@dataclass
class Attempt:
    """One killed run: where it was meant to die, whether it was still running, and what the store held after."""

    point: KillPoint
    killed: bool
    progress: str = ""
    store_rows: dict[str, int] = field(default_factory=dict)


# The CLI's progress labels (cli.STAGE_LABELS); "M/N" follows each on its progress line.
STAGE_LABELS = {"ingest": "reading input", "enrich": "analysing articles", "align": "aligning candidate pairs"}
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]")


def _cmd(corpus: Path, out: Path, store: Path, workers: int, quiet: bool = True) -> list[str]:
    return [
        sys.executable, "-m", "newstrace.cli", "trace", str(corpus), "--out", str(out), "--store", str(store),
        "--workers", str(workers), *(["-q"] if quiet else []),
    ]  # fmt: skip


def _run(corpus: Path, out: Path, store: Path, workers: int) -> None:
    """One run of the CLI to completion."""
    proc = subprocess.run(
        _cmd(corpus, out, store, workers), capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False
    )
    assert proc.returncode == 0, proc.stderr[-3000:]


def _progress(screen: str, stage: str) -> tuple[int, int | None] | None:
    """The latest ``done/total`` shown for ``stage`` on the progress display, if any."""
    found = re.findall(re.escape(STAGE_LABELS[stage]) + r"[^\n\r]*?(\d+)/(\d+|\?)", screen)
    if not found:
        return None
    done, total = found[-1]
    return int(done), (None if total == "?" else int(total))


def _reached(screen: str, point: KillPoint) -> bool:
    got = _progress(screen, point.stage)
    if got is None:
        return False
    done, total = got
    if total is None:  # ingest: the total is unknown while it streams
        return True
    if point.fraction >= 1.0:
        return done >= total
    return done >= point.fraction * total and (done < total or total == 0)


def _run_and_kill(corpus: Path, out: Path, store: Path, workers: int, point: KillPoint) -> Attempt:
    """Start a run on a pseudo-terminal (so the CLI shows its progress), follow its progress, and SIGKILL its whole
    process group at ``point``. Progress, not wall time, places the kill: the machines' load varies too much."""
    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": "160", "TERM": "xterm"}
    proc = subprocess.Popen(
        _cmd(corpus, out, store, workers, quiet=False),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=slave,
        env=env,
        start_new_session=True,  # its own process group: the kill reaches the alignment workers too
    )
    os.close(slave)
    screen = ""
    deadline = time.monotonic() + RUN_TIMEOUT_S
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the terminal: it is exiting
                    chunk = b""
                if not chunk and proc.poll() is not None:
                    break
                screen = (screen + _ANSI.sub("", chunk.decode("utf-8", "replace")))[-20_000:]
            elif proc.poll() is not None:
                break
            if _reached(screen, point):
                time.sleep(point.extra_s)
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=60)
                    shown = _progress(screen, point.stage)
                    return Attempt(
                        point, killed=True, progress=f"{point.stage} {shown}", store_rows=_table_counts(store)
                    )
                break
    finally:
        os.close(master)
    proc.wait(timeout=RUN_TIMEOUT_S)
    # It finished before the kill point: the run must have succeeded.
    assert proc.returncode == 0, f"run failed before the kill (exit {proc.returncode}): {screen[-2000:]}"
    return Attempt(point, killed=False, progress="finished", store_rows=_table_counts(store))


def _wal(store: Path) -> Path:
    return store.with_name(store.name + ".wal")


def _table_counts(store: Path) -> dict[str, int]:
    """Rows per table; opening the store also replays a WAL left by a killed writer."""
    con = duckdb.connect(str(store), read_only=True)
    try:
        return {
            t: int(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0])  # type: ignore[index]
            for t in ("articles", "features", "lsh_bands", "pairs", "links", "stories", "sites")
        }
    finally:
        con.close()


def _lines(path: Path) -> list[str]:
    return sorted(line for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


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
    tmp: Path, copies: int, points: list[KillPoint], workers: int, first: int | None = None
) -> tuple[list[Attempt], dict[str, int]]:
    """Reference run, then one killed run per point and a final run on a second store; outputs must be equal."""
    corpus = tmp / "corpus.jsonl"
    corpus_module.build_corpus(corpus, copies, first)
    ref_out = tmp / "reference"
    _run(corpus, ref_out, ref_out / "store.duckdb", workers)

    out = tmp / "resumed"
    store = out / "store.duckdb"
    attempts = []
    for point in points:
        attempt = _run_and_kill(corpus, out, store, workers, point)
        attempts.append(attempt)
        if attempt.killed:
            # A killed run leaves an unfinished store, never a broken one: `newstrace doctor` finds no failure.
            problems = [c for c in check_store(store) if c.status == "fail"]
            assert not problems, problems
    _run(corpus, out, store, workers)
    _assert_same_output(ref_out, out)
    reference_rows = _table_counts(ref_out / "store.duckdb")
    assert _table_counts(store) == reference_rows
    return attempts, reference_rows


def random_points(seed: int, stages: list[str]) -> list[KillPoint]:
    """One seeded random kill point per stage name ("align_end" = after alignment: decide and output)."""
    rng = random.Random(seed)
    points = []
    for stage in stages:
        extra = round(rng.uniform(0.0, 1.5), 2)
        if stage == "align_end":
            points.append(KillPoint("align", 1.0, extra))
        elif stage == "enrich":
            # A corpus below RunConfig.batch_size is enriched in one batch: its progress shows 0/N until the batch
            # is stored, so the kill falls a random few seconds into the batch.
            points.append(KillPoint("enrich", 0.0, round(rng.uniform(0.5, 3.0), 2)))
        else:
            points.append(KillPoint(stage, round(rng.uniform(0.05, 0.7), 2), extra))
    return points


@pytest.mark.timeout(3 * RUN_TIMEOUT_S)
def test_one_kill_then_resume_gives_identical_output(tmp_path: Path) -> None:
    # The first story of the example corpus (wire, copies, edit, translation, summary, independent report), in
    # three unrelated copies: 84 candidate pairs, judged in chunks of 48, so the kill falls after the first
    # committed chunk, a seeded fraction of a second into the second one.
    point = KillPoint("align", 0.01, round(random.Random(8).uniform(0.0, 0.3), 2))
    attempts, reference = crash_and_resume(tmp_path, 3, [point], workers=1, first=8)
    assert attempts[0].killed, f"the run finished before the kill: the test proved nothing ({attempts})"
    assert attempts[0].store_rows["pairs"] < reference["pairs"], attempts


@pytest.mark.slow
@pytest.mark.timeout(8 * RUN_TIMEOUT_S)
def test_three_random_kills_then_resume_gives_identical_output(tmp_path: Path) -> None:
    points = random_points(20_260_308, ["enrich", "align", "align_end"])
    attempts, reference = crash_and_resume(tmp_path, 2, points, workers=2)
    print(json.dumps({"reference": reference, "attempts": [asdict(a) for a in attempts]}))
    assert all(a.killed for a in attempts), attempts
    # The kills landed where meant: before any verdict, inside alignment (some verdicts stored, not all), after it.
    assert attempts[0].store_rows["pairs"] == 0, attempts
    assert 0 < attempts[1].store_rows["pairs"] < reference["pairs"], attempts
    assert attempts[2].store_rows["pairs"] == reference["pairs"], attempts
