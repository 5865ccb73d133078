"""Plain-text reader: one article per ``.txt`` file, id = file stem, optional ``date YYYY-MM-DD`` prefix."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from newstrace.config import IngestConfig
from newstrace.ingest.records import decode_text, parse_date, prepare_text
from newstrace.model import Article, IngestResult, SkippedRecord

# The seed files start with " date 2023-09-28 ": optional whitespace, the word, the date and exactly one space.
_DATE_PREFIX = re.compile(r"\s*date (\d{4}-\d{2}-\d{2}) ")


def split_date_prefix(text: str) -> tuple[str | None, str]:
    """``(date string or None, text without the prefix)``."""
    m = _DATE_PREFIX.match(text)
    if m is None:
        return None, text
    return m.group(1), text[m.end() :]


def read(path: Path, config: IngestConfig) -> Iterator[IngestResult]:
    """The article in one text file, or one skipped record saying why not."""
    origin = str(path)
    rid = path.stem
    # A character takes at most 4 bytes, so nothing past this many bytes can survive the max_chars cut:
    # a huge file costs no more than a text at the limit.
    limit = config.max_chars * 4 + 64
    try:
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        yield SkippedRecord(rid, f"cannot read file: {exc.strerror or exc}", origin)
        return
    partial = len(data) > limit
    yield from parse(rid, data[:limit] if partial else data, origin, config, partial=partial)


def parse(rid: str, data: bytes, origin: str, config: IngestConfig, *, partial: bool = False) -> Iterator[IngestResult]:
    """The article in the bytes of one text file (``partial``: only its beginning was read)."""
    raw, reason = decode_text(data, partial=partial)
    if raw is None:
        yield SkippedRecord(rid, reason or "unreadable", origin)
        return
    date_str, body = split_date_prefix(raw)
    text, reason, warnings = prepare_text(body, config)
    if text is None:
        yield SkippedRecord(rid, reason or "empty text", origin)
        return
    date, date_warning = parse_date(date_str)
    article = Article(id=rid, text=text, date=date, origin=origin, warnings=warnings)
    yield replace(article, warnings=(*warnings, date_warning)) if date_warning else article
