"""WARC reader: every HTML response record of a ``.warc``/``.warc.gz`` file is a page (id = target URI)."""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from newstrace.config import IngestConfig
from newstrace.ingest.html import page_to_result
from newstrace.model import IngestResult, SkippedRecord

log = logging.getLogger(__name__)

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_CHUNK = 1 << 20


def read(path: Path, config: IngestConfig) -> Iterator[IngestResult]:
    """Pages of a WARC file; non-HTML, non-200 and empty pages are skipped; a cut file ends in one skip."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    origin = str(path)
    try:
        fh = path.open("rb")
    except OSError as exc:
        yield SkippedRecord(origin, f"cannot read file: {exc.strerror or exc}", origin)
        return
    with fh:
        seen = 0
        pages = 0
        last_pos = 0
        try:
            # Every record type is read (not filtered in fastwarc) so that a record header cut short, whose type
            # is unreadable, is still seen and reported. fsspec is off: the path is local, never a URL.
            records = ArchiveIterator(fh, parse_http=True, auto_decode="all", fsspec_args=False)
            for record in records:
                seen += 1
                last_pos = record.stream_pos
                if record.record_type not in (WarcRecordType.response, WarcRecordType.resource):
                    if record.headers.get("Content-Length") is None:
                        where = f"{origin}@{record.stream_pos}"
                        yield SkippedRecord(where, "truncated WARC: record header cut short", where)
                        return
                    continue  # requests, metadata, warcinfo, revisits: not pages, not input records
                pages += 1
                result, truncated = _record_result(record, origin, config)
                yield result
                if truncated:
                    return
        except OSError as exc:  # fastwarc reports bad gzip data and unparseable headers as OSError
            where = f"{origin}@record {seen}"
            if seen:
                reason = f"truncated WARC or gzip error after {seen} records: {exc}; rest not read"
            else:
                reason = f"not a readable WARC file: {exc}"
            yield SkippedRecord(where, reason, where)
            return
        # A gzip member cut before any of its data decompresses looks like a clean end to fastwarc, so the
        # compressed tail (from the last record's member on) is checked to end on a complete member.
        try:
            cut = _is_gzip(fh) and not _gzip_tail_complete(fh, last_pos)
        except OSError:
            cut = True
        if cut:
            where = f"{origin}@end"
            yield SkippedRecord(where, f"truncated WARC: gzip stream cut short after {seen} records", where)
        log.debug("%s: %d WARC records, %d pages", origin, seen, pages)


def _is_gzip(fh: BinaryIO) -> bool:
    fh.seek(0)
    return fh.read(2) == b"\x1f\x8b"


def _gzip_tail_complete(fh: BinaryIO, offset: int) -> bool:
    """Whether the gzip members from byte ``offset`` to the end of the file are all complete."""
    fh.seek(offset)
    dec = zlib.decompressobj(wbits=31)
    while True:
        chunk = fh.read(_CHUNK)
        if not chunk:
            return dec.eof and not dec.unconsumed_tail
        while chunk:
            try:
                dec.decompress(chunk, _CHUNK)
            except zlib.error:
                return False
            chunk = dec.unconsumed_tail
            if dec.eof:
                chunk = dec.unused_data + chunk
                if not chunk:
                    break
                if not chunk.strip(b"\x00"):
                    return True  # zero padding after the last member is common and harmless
                dec = zlib.decompressobj(wbits=31)


def _record_result(record: Any, origin: str, config: IngestConfig) -> tuple[IngestResult, bool]:
    """``(result, file_is_cut)`` for one response/resource record."""
    headers = record.headers
    where = f"{origin}@{record.stream_pos}"
    uri = (headers.get("WARC-Target-URI") or "").strip().strip("<>") or None
    rid = uri or record.record_id or where
    if headers.get("Content-Length") is None:
        # The record header itself was cut short: this is where the file ends.
        return SkippedRecord(rid, "truncated WARC: record header cut short", where), True
    reason: str | None = None
    if record.is_http:
        if record.http_headers is None:
            return SkippedRecord(rid, "unparseable HTTP headers", where), False
        status = record.http_headers.status_code
        mime = (record.http_content_type or "").lower()
        charset = record.http_charset
        encoded = bool(record.http_headers.get("Content-Encoding") or record.http_headers.get("Transfer-Encoding"))
        if status != 200:
            reason = f"HTTP status {status}"
    else:
        mime = (headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        charset = None
        encoded = False
    declared = record.content_length
    if reason is None and mime and mime not in _HTML_TYPES:
        reason = f"not HTML ({mime})"
    if reason is None and declared > config.max_html_bytes:
        reason = f"page too large ({declared} bytes > {config.max_html_bytes})"
    body = record.reader.read(config.max_html_bytes + 1) if reason is None else b""
    # Read (without keeping) whatever is left, to tell a complete record from one cut by the end of the file;
    # only the last record of a file can be cut. Decoded payloads have no comparable length.
    record.reader.consume()
    if not encoded and record.reader.tell() < declared:
        return SkippedRecord(
            rid, f"truncated WARC: record cut at {record.reader.tell()} of {declared} bytes", where
        ), True
    if reason is not None:
        return SkippedRecord(rid, reason, where), False
    if not mime and b"<html" not in body[:4096].lower():
        return SkippedRecord(rid, "not HTML (no content type)", where), False
    meta: dict[str, object] = {"warc_record_id": record.record_id}
    warc_date = headers.get("WARC-Date")
    if warc_date:
        meta["warc_date"] = warc_date
    return page_to_result(rid, body, where, config, url=uri, header_charset=charset, metadata=meta), False
