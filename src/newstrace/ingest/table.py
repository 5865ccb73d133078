"""Table readers: ``.csv`` (csv module, header row) and ``.parquet`` (pyarrow), columns as in JSON records."""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from newstrace.config import IngestConfig
from newstrace.ingest.records import KNOWN_FIELDS, record_to_result
from newstrace.model import IngestResult, SkippedRecord

# Undecodable bytes are carried through the csv parser as these surrogates (errors="surrogateescape"),
# so one bad row can be skipped without losing the rest of the file.
_ESCAPED_BYTE = re.compile(r"[\udc80-\udcff]")
_PARQUET_BATCH_ROWS = 1024
# Spreadsheet exports in many locales use ";" (the decimal comma takes ","); tab and pipe also occur.
_DELIMITERS = (",", ";", "\t", "|")


def read(path: Path, config: IngestConfig) -> Iterator[IngestResult]:
    """Rows of a CSV or Parquet file as records."""
    if path.name.lower().endswith(".parquet"):
        yield from _read_parquet(path, config)
    else:
        yield from _read_csv(path, config)


def _column(name: object) -> str:
    key = str(name).strip()
    return key.lower() if key.lower() in KNOWN_FIELDS else key


def _read_csv(path: Path, config: IngestConfig) -> Iterator[IngestResult]:
    origin = str(path)
    # News texts in one cell easily pass the csv module's 128 KB default field limit. The limit is
    # process-wide state of the csv module; raising it to our own file-size bound is safe for every caller.
    if csv.field_size_limit() < config.max_file_bytes:
        csv.field_size_limit(min(config.max_file_bytes, sys.maxsize))
    try:
        raw = path.open("rb")
    except OSError as exc:
        yield SkippedRecord(origin, f"cannot read file: {exc.strerror or exc}", origin)
        return
    with raw:
        head = raw.read(8192)
        if b"\x00" in head:
            yield SkippedRecord(origin, "binary content", origin)
            return
        raw.seek(0)
        fh = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")
        reader = csv.reader(fh, delimiter=_delimiter(head))
        try:
            header = next(reader, None)
        except csv.Error as exc:
            yield SkippedRecord(origin, f"invalid CSV header: {exc}", origin)
            return
        if header is None:
            return
        if any(_ESCAPED_BYTE.search(h) for h in header):
            yield SkippedRecord(origin, "invalid UTF-8 in CSV header", origin)
            return
        columns = [_column(h) for h in header]
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                where = f"{origin}:{reader.line_num}"
                yield SkippedRecord(where, f"invalid CSV at line {reader.line_num}: {exc}", where)
                continue
            if not any(cell.strip() for cell in row):
                continue
            where = f"{origin}:{reader.line_num}"
            if any(_ESCAPED_BYTE.search(cell) for cell in row):
                yield SkippedRecord(where, f"invalid UTF-8 at line {reader.line_num}", where)
                continue
            record: dict[str, object] = dict(zip(columns, row, strict=False))
            if len(row) > len(columns):
                record["_extra_cells"] = row[len(columns) :]
            yield record_to_result(record, where, config)


def _delimiter(head: bytes) -> str:
    """The header's delimiter: the first of , ; tab | that yields both an ``id`` and a ``text`` column."""
    first = head.split(b"\n", 1)[0].decode("utf-8", errors="replace").lstrip("\ufeff")
    for delimiter in _DELIMITERS:
        names = {_column(c.strip().strip('"')) for c in first.split(delimiter)}
        if {"id", "text"} <= names:
            return delimiter
    return ","


def _read_parquet(path: Path, config: IngestConfig) -> Iterator[IngestResult]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    origin = str(path)
    try:
        pf = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as exc:
        yield SkippedRecord(origin, f"invalid Parquet file: {_first_line(exc)}", origin)
        return
    row = 0
    try:
        for batch in pf.iter_batches(batch_size=_PARQUET_BATCH_ROWS):
            for rec in batch.to_pylist():
                where = f"{origin}:row {row}"
                row += 1
                yield record_to_result({_column(k): v for k, v in rec.items()}, where, config)
    except (OSError, pa.ArrowException) as exc:
        where = f"{origin}:row {row}"
        yield SkippedRecord(where, f"Parquet read error after row {row}: {_first_line(exc)}; rest not read", where)


def _first_line(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text if len(text) <= 120 else text[:119] + "…"
