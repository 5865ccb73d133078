"""Ingest: one reader per format, each yielding ``Article`` or ``SkippedRecord``.

Contract shared by every reader module (``text``, ``jsonl``, ``table``, ``html``, ``warc``):
``read(path: Path, config: IngestConfig) -> Iterator[IngestResult]``. A reader never raises for a bad
record or a bad file: it yields a ``SkippedRecord`` with a specific reason and goes on.
``iter_articles`` walks inputs, dispatches on extension and drops duplicate ids (as skipped records).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

from newstrace.config import IngestConfig
from newstrace.errors import InputError
from newstrace.model import Article, IngestResult, SkippedRecord

__all__ = ["IngestStats", "file_format", "iter_articles", "iter_files", "read_file"]

log = logging.getLogger(__name__)

Reader = Callable[[Path, IngestConfig], Iterator[IngestResult]]

# Longest suffixes first so ".jsonl.gz" is not taken for ".gz". Values name the reader module.
_FORMATS: tuple[tuple[str, str], ...] = (
    (".jsonl.gz", "jsonl"),
    (".warc.gz", "warc"),
    (".jsonl", "jsonl"),
    (".json", "jsonl"),
    (".txt", "text"),
    (".csv", "table"),
    (".parquet", "table"),
    (".html", "html"),
    (".htm", "html"),
    (".warc", "warc"),
)
_DIGITS = re.compile(r"\d+")


@dataclass(slots=True)
class IngestStats:
    """Counts of one ingest run; ``records_in == ok + skipped`` always holds."""

    records_in: int = 0
    ok: int = 0
    skipped: int = 0
    reasons: Counter[str] = field(default_factory=Counter)

    def add(self, result: IngestResult) -> None:
        """Count one result; skip reasons are grouped by kind (numbers and details removed)."""
        self.records_in += 1
        if isinstance(result, Article):
            self.ok += 1
        else:
            self.skipped += 1
            self.reasons[reason_kind(result.reason)] += 1


def reason_kind(reason: str) -> str:
    """The stable part of a skip reason, for counting: ``invalid JSON at line 7: …`` → ``invalid JSON at line N``."""
    head = reason.split(":", 1)[0].split(" (", 1)[0]
    return _DIGITS.sub("N", head).strip()


def file_format(path: Path) -> str | None:
    """Name of the reader module for ``path`` by extension (case-insensitive), or ``None`` when unknown."""
    name = path.name.lower()
    for suffix, module in _FORMATS:
        if name.endswith(suffix) and len(name) > len(suffix):
            return module
    return None


def _reader(module: str) -> Reader:
    # Imported on first use so that, e.g., reading JSON never imports trafilatura or fastwarc.
    mod = import_module(f"newstrace.ingest.{module}")
    read: Reader = mod.read
    return read


def iter_files(paths: Sequence[str | Path]) -> list[Path]:
    """Every file under ``paths`` (directories walked recursively, sorted, hidden entries ignored).

    Raises:
        InputError: a path does not exist.
    """
    if isinstance(paths, str | Path):  # one path given where a list was expected: not its characters
        paths = [paths]
    missing = [str(p) for p in paths if not Path(p).exists()]
    if missing:
        raise InputError(
            f"input path does not exist: {', '.join(missing)}",
            hint="pass existing files or directories (.txt, .jsonl, .json, .csv, .parquet, .html, .warc)",
        )
    out: list[Path] = []
    for p in paths:
        _walk(Path(p), out)
    return out


def _walk(path: Path, out: list[Path]) -> None:
    if path.is_dir():
        try:
            children = sorted(path.iterdir(), key=lambda c: c.name)
        except OSError as exc:
            log.warning("cannot list directory %s: %s", path, exc)
            return
        for child in children:
            if child.name.startswith("."):
                continue
            # Symlinked directories are not followed: they can form cycles.
            if child.is_dir() and child.is_symlink():
                continue
            _walk(child, out)
    else:
        out.append(path)


def read_file(path: Path, config: IngestConfig) -> Iterator[IngestResult]:
    """Records of one file by its extension; an unknown type or an unexpected reader failure is a skipped record."""
    module = file_format(path)
    origin = str(path)
    if module is None:
        suffix = path.suffix.lower()
        yield SkippedRecord(
            origin, f"unknown file type {suffix!r}" if suffix else "unknown file type (no extension)", origin
        )
        return
    try:
        yield from _reader(module)(path, config)
    except Exception as exc:  # a reader bug must cost one file, not the whole run
        log.exception("%s reader failed on %s", module, path)
        yield SkippedRecord(origin, f"{module} reader error: {type(exc).__name__}: {exc}", origin)


def iter_articles(
    paths: Sequence[str | Path], config: IngestConfig, stats: IngestStats | None = None
) -> Iterator[IngestResult]:
    """Every record under ``paths`` in deterministic order; a repeated id becomes a skipped record.

    Raises:
        InputError: a path does not exist (checked before anything is read).
    """
    files = iter_files(paths)
    return _iter_results(files, config, stats if stats is not None else IngestStats())


def _iter_results(files: list[Path], config: IngestConfig, stats: IngestStats) -> Iterator[IngestResult]:
    seen: dict[str, str] = {}
    for path in files:
        for result in read_file(path, config):
            if isinstance(result, Article):
                first = seen.get(result.id)
                if first is not None:
                    result = SkippedRecord(result.id, f"duplicate id (first seen in {first})", result.origin)
                else:
                    seen[result.id] = result.origin
            stats.add(result)
            yield result
    log.info(
        "ingest: %d records in, %d ok, %d skipped %s", stats.records_in, stats.ok, stats.skipped, dict(stats.reasons)
    )
