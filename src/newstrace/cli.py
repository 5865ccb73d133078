"""Command line: a thin typer layer over the library. Only here are errors turned into messages and exit codes."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from newstrace import __version__
from newstrace.errors import NewstraceError

app = typer.Typer(
    name="newstrace",
    help="Trace where news text comes from: copies, edits, rewrites, translations and summaries.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
eval_app = typer.Typer(help="Evaluations against labelled data.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")

err = Console(stderr=True)
out = Console()

T = TypeVar("T")

STAGE_LABELS = {
    "ingest": "reading input",
    "enrich": "analysing articles",
    "align": "aligning candidate pairs",
    "pan13": "aligning PAN pairs",
    "pairs": "judging labelled pairs",
}


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[str, int, int | None], None]]:
    """A rich progress bar on stderr, one line per stage; silent when disabled or not a terminal."""
    if not enabled:
        yield lambda stage, done, total: None
        return
    with Progress(
        TextColumn("{task.description:<26}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int | None) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(STAGE_LABELS.get(stage, stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


def run(fn: Callable[[], T]) -> T:
    """Call library code; turn a NewstraceError into one line on stderr and its exit code."""
    try:
        return fn()
    except NewstraceError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, markup=True)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        err.print("interrupted; the store keeps every finished stage, re-run to resume")
        raise typer.Exit(130) from None


def _version(value: bool) -> None:
    if value:
        out.print(f"newstrace {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each stage's counts.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )


@app.command()
def trace(
    inputs: Annotated[list[Path], typer.Argument(help="Files or directories (walked recursively).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Output directory.")],
    store: Annotated[Path | None, typer.Option("--store", help="DuckDB store (default: DIR/newstrace.duckdb).")] = None,
    workers: Annotated[int, typer.Option(help="Processes for pair alignment.", min=1)] = 2,
    engine: Annotated[str, typer.Option(help="local (DuckDB, one machine) or spark (PySpark).")] = "local",
    master: Annotated[str, typer.Option(help="Spark master URL (with --engine spark).")] = "local[*]",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")] = False,
) -> None:
    """Trace the provenance of every article in INPUT... and write DIR/{articles,links,stories,sites}.jsonl."""
    from dataclasses import replace

    from newstrace.config import RunConfig
    from newstrace.errors import UsageError
    from newstrace.runners.local import trace as run_trace

    config = replace(RunConfig(), workers=workers)

    def go(progress: Callable[[str, int, int | None], None]) -> object:
        if engine == "local":
            return run_trace(inputs, out_dir, store, config, progress)
        if engine == "spark":
            from newstrace.runners.spark import run_spark

            return run_spark(inputs, out_dir, config, master=master, progress=progress, store_path=store)
        raise UsageError(f"unknown engine {engine!r}", hint="use --engine local or --engine spark")

    with progress_bar(not quiet and err.is_terminal) as progress:
        summary = run(lambda: go(progress))
    if not quiet:
        print_summary(summary)


def print_summary(summary: object) -> None:
    """One screen: records in/ok/skipped (with reasons), links by relation, stories, top copying sites."""
    from newstrace.runners.local import TraceSummary

    assert isinstance(summary, TraceSummary)
    t = Table(title="newstrace trace", show_header=False, box=None)
    t.add_row("records in", str(summary.records_in))
    t.add_row("  ok", str(summary.ok))
    t.add_row("  skipped", str(summary.skipped))
    for reason, n in summary.skip_reasons.most_common(8):
        t.add_row("", f"{n} × {reason}")
    t.add_row("articles analysed", str(summary.enriched))
    t.add_row("candidate pairs judged", str(summary.pairs_judged))
    t.add_row("links", str(len(summary.links)))
    for rel, n in sorted(summary.relations.items()):
        t.add_row("", f"{n} × {rel}")
    uncredited = sum(1 for k in summary.links if not k.attributed)
    stale = sum(1 for k in summary.links if k.stale)
    t.add_row("uncredited / stale", f"{uncredited} / {stale}")
    t.add_row("stories", str(len(summary.stories)))
    top = sorted((p for p in summary.sites if p.derived_share > 0), key=lambda p: (-p.derived_share, p.site))[:5]
    for p in top:
        t.add_row("", f"{p.site}: {p.derived_share:.0%} derived, {p.uncredited_share:.0%} uncredited")
    t.add_row("time", " ".join(f"{k} {v:.1f}s" for k, v in summary.seconds.items()))
    t.add_row("output", str(summary.out_dir))
    out.print(t)


@app.command()
def spark(
    inputs: Annotated[list[Path], typer.Argument(help="Files or directories (walked recursively).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Output directory (JSONL, Parquet stages, report).")],
    master: Annotated[str, typer.Option(help="Spark master URL, e.g. local[*] or spark://host:7077.")] = "local[*]",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")] = False,
) -> None:
    """Trace on PySpark: the same stages and output files as `trace`; finished stages are skipped on a re-run."""
    from newstrace.config import RunConfig
    from newstrace.runners.spark import run_spark

    with progress_bar(not quiet and err.is_terminal) as progress:
        summary = run(lambda: run_spark(inputs, out_dir, RunConfig(), master=master, progress=progress))
    if not quiet:
        print_summary(summary)


@app.command()
def check(
    files: Annotated[
        list[Path], typer.Argument(help="Articles in any input format (the first record of each file is used).")
    ],
    store: Annotated[Path, typer.Option("--store", help="An existing store made by `trace`.")],
    no_store: Annotated[bool, typer.Option("--dry-run", help="Look up only; do not add the articles.")] = False,
) -> None:
    """Look new articles up against an existing store, add them, and print {"id", "links"} as JSON, one line each.

    Several files are checked in one process against a store opened once, in order (each one sees those added
    before it). A file that cannot be read prints {"file", "error"} in its place and the others go on; the exit
    code is then that of the first error.
    """
    import json

    from newstrace.config import RunConfig
    from newstrace.errors import InputError, StoreError
    from newstrace.ingest import iter_articles
    from newstrace.model import Article
    from newstrace.runners.check import CheckSession
    from newstrace.serialize import link_row

    config = RunConfig()

    def first_article(file: Path) -> Article:
        first = next(iter(iter_articles([file], config.ingest)), None)
        if first is None:
            raise InputError(f"{file} holds no record")
        if not isinstance(first, Article):
            raise InputError(f"{file}: first record skipped: {first.reason}")
        return first

    def emit(row: dict[str, object]) -> None:
        sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    def go() -> int:
        if not store.exists():
            raise StoreError(f"no store at {store}", hint="create one with `newstrace trace INPUT --out DIR`")
        failed = 0
        with CheckSession(store, config, persist=not no_store) as session:
            for file in files:
                try:
                    article = first_article(file)
                except InputError as exc:
                    if len(files) == 1:
                        raise  # one file: its error is the command's (stderr, exit code), nothing on stdout
                    emit({"file": str(file), "error": str(exc)})
                    failed = failed or exc.exit_code
                    continue
                result = session.check(article)
                emit({"id": result.article_id, "links": [link_row(k) for k in result.links]})
        return failed

    code = run(go)
    if code:
        raise typer.Exit(code)


@app.command()
def pan13(
    corpus_dir: Annotated[Path, typer.Argument(help="PAN 2013 text alignment corpus (src/, susp/, pairs).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Where the PAN XML detections go.")],
    pairs: Annotated[Path | None, typer.Option("--pairs", help="Pairs file (default CORPUS_DIR/pairs).")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1)] = 2,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Align PAN13 pairs, write PAN XML, and print PlagDet per obfuscation folder when ground truth is present."""
    from newstrace.config import AlignConfig
    from newstrace.eval.pan13 import run_pan13

    with progress_bar(not quiet and err.is_terminal) as progress:
        report = run(
            lambda: run_pan13(
                corpus_dir,
                out_dir,
                pairs,
                AlignConfig(),
                workers=workers,
                progress=lambda d, t: progress("pan13", d, t),
            )
        )
    out.print(report.format_table(), highlight=False)


@eval_app.command("pairs")
def eval_pairs(
    file: Annotated[Path, typer.Argument(help="Labelled pairs: COUNTER or crossling JSONL, or an example-corpus dir.")],
    limit: Annotated[int | None, typer.Option(help="Only the first N pairs.")] = None,
) -> None:
    """Precision, recall and F1 of derived-vs-not, and the relation confusion matrix, on labelled pairs."""
    from newstrace.config import RunConfig
    from newstrace.eval.pairs import evaluate_pairs

    report = run(lambda: evaluate_pairs(file, RunConfig(), limit=limit))
    out.print(report.format_table(), highlight=False)


@app.command()
def serve(
    store: Annotated[Path, typer.Option("--store", help="Store made by `trace`.")],
    host: Annotated[str, typer.Option(help="Interface to bind (default: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    allow_writes: Annotated[bool, typer.Option("--allow-writes", help="Let POST /api/check add articles.")] = False,
    api_token: Annotated[
        str | None, typer.Option("--api-token", help="Bearer token that lets /api/check store articles.")
    ] = None,
) -> None:
    """Web UI and JSON API over a store (OpenAPI docs at /docs)."""
    from newstrace.errors import StoreError
    from newstrace.web.app import serve as run_server

    def go() -> None:
        if not store.exists():
            raise StoreError(f"no store at {store}", hint="create one with `newstrace trace INPUT --out DIR`")
        run_server(store, host=host, port=port, allow_writes=allow_writes, api_token=api_token)

    run(go)


@app.command()
def doctor(
    store: Annotated[Path | None, typer.Option("--store", help="Also check this store's integrity.")] = None,
) -> None:
    """Check the environment (versions, offline model, optional tools) and a store, and say what to do."""
    from newstrace.doctor import run_checks

    checks = run(lambda: run_checks(store))
    t = Table(title="newstrace doctor", show_header=True)
    for col in ("check", "status", "detail", "what to do"):
        t.add_column(col, overflow="fold")
    colour = {"ok": "green", "warn": "yellow", "fail": "red"}
    for c in checks:
        t.add_row(c.name, f"[{colour[c.status]}]{c.status}[/]", c.detail, c.hint)
    out.print(t)
    if any(c.status == "fail" for c in checks):
        raise typer.Exit(1)


def main() -> None:
    """Console entry point."""
    try:
        app()
    except SystemExit as exc:  # click's usage errors already exit 2
        sys.exit(exc.code)


if __name__ == "__main__":
    main()
