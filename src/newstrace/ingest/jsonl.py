"""JSON readers: ``.jsonl`` / ``.jsonl.gz`` (one object per line) and ``.json`` (an array of objects)."""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Iterator
from pathlib import Path

from newstrace.config import IngestConfig
from newstrace.ingest.records import decode_text, read_bounded, record_to_result
from newstrace.model import IngestResult, SkippedRecord

# What a damaged gzip stream raises while being read (EOFError: cut short; BadGzipFile/zlib.error: corrupt).
_GZIP_ERRORS = (OSError, EOFError, zlib.error)


def read(path: Path, config: IngestConfig) -> Iterator[IngestResult]:
    """Records of a JSON Lines file (gzip when the name ends in ``.gz``) or of a JSON array file."""
    name = path.name.lower()
    if name.endswith(".json"):
        yield from _read_array(path, config)
    else:
        yield from _read_lines(path, config, gz=name.endswith(".gz"))


def _read_lines(path: Path, config: IngestConfig, *, gz: bool) -> Iterator[IngestResult]:
    origin = str(path)
    try:
        fh = _open(path, gz=gz)
    except OSError as exc:
        yield SkippedRecord(origin, f"cannot read file: {exc.strerror or exc}", origin)
        return
    lineno = 0
    with fh:
        try:
            head = fh.read(8192)
        except _GZIP_ERRORS:
            head = b""  # the loop below meets the same error and reports it with its line number
        try:
            fh.seek(0)
        except _GZIP_ERRORS as exc:
            yield SkippedRecord(origin, f"cannot read file: {_msg(exc)}", origin)
            return
        if b"\x00" in head:
            yield SkippedRecord(origin, "binary content", origin)
            return
        while True:
            try:
                line = fh.readline(config.max_file_bytes + 1)
            except _GZIP_ERRORS as exc:
                where = f"{origin}:{lineno + 1}"
                kind = "gzip error" if gz else "read error"
                yield SkippedRecord(where, f"{kind} after line {lineno}: {_msg(exc)}; rest of file not read", where)
                return
            if not line:
                return
            lineno += 1
            if len(line) > config.max_file_bytes:
                # Consume the rest of the over-long line so the following lines are still read.
                while line and not line.endswith(b"\n"):
                    try:
                        line = fh.readline(config.max_file_bytes + 1)
                    except _GZIP_ERRORS:
                        break
                where = f"{origin}:{lineno}"
                yield SkippedRecord(where, f"line {lineno} longer than {config.max_file_bytes} bytes", where)
                continue
            if not line.strip():
                continue
            yield parse_line(line, f"{origin}:{lineno}", lineno, config)


def _open(path: Path, *, gz: bool) -> gzip.GzipFile | io.BufferedReader:
    if gz:
        return gzip.GzipFile(path, "rb")
    return path.open("rb")


def parse_line(line: bytes, origin: str, lineno: int, config: IngestConfig) -> IngestResult:
    """One JSON Lines record (``origin`` names it in skipped records)."""
    if lineno == 1 and line.startswith(b"\xef\xbb\xbf"):
        line = line[3:]
    try:
        s = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return SkippedRecord(origin, f"invalid UTF-8 at line {lineno}, byte {exc.start}", origin)
    try:
        obj = json.loads(s)
    except (ValueError, RecursionError) as exc:
        return SkippedRecord(origin, f"invalid JSON at line {lineno}: {_msg(exc)}", origin)
    if not isinstance(obj, dict):
        return SkippedRecord(origin, f"line {lineno} is not a JSON object ({type(obj).__name__})", origin)
    return record_to_result(obj, origin, config)


def _read_array(path: Path, config: IngestConfig) -> Iterator[IngestResult]:
    origin = str(path)
    data = read_bounded(path, config.max_file_bytes, origin)
    if isinstance(data, SkippedRecord):
        yield data
        return
    text, reason = decode_text(data)
    if text is None:
        yield SkippedRecord(origin, reason or "unreadable", origin)
        return
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and text.lstrip().startswith("{"):
            # One object per line saved as ".json": read it as the JSON Lines it is.
            yield from _read_lines(path, config, gz=False)
        else:
            yield SkippedRecord(origin, f"invalid JSON: {_msg(exc)}", origin)
        return
    except (ValueError, RecursionError) as exc:
        yield SkippedRecord(origin, f"invalid JSON: {_msg(exc)}", origin)
        return
    items = obj if isinstance(obj, list) else [obj]
    for i, item in enumerate(items):
        where = f"{origin}:[{i}]"
        if isinstance(item, dict):
            yield record_to_result(item, where, config)
        else:
            yield SkippedRecord(where, f"item {i} is not a JSON object ({type(item).__name__})", where)


def _msg(exc: BaseException) -> str:
    """A short one-line message for a skip reason."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text if len(text) <= 120 else text[:119] + "…"
