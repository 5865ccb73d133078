"""HTML reader: one page per ``.html``/``.htm`` file; main text, title and date via trafilatura/htmldate."""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from newstrace.config import IngestConfig
from newstrace.ingest.records import json_safe, parse_date, prepare_text, read_bounded, site_from_url
from newstrace.model import Article, IngestResult, SkippedRecord

log = logging.getLogger(__name__)

# <meta charset="…"> or <meta http-equiv="Content-Type" content="text/html; charset=…"> in the page head.
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]{1,40})""", re.I)
_HEAD_BYTES = 4096
# How much of a page charset detection looks at: enough to be right, bounded so huge pages stay cheap.
_DETECT_BYTES = 100_000
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# Page metadata worth keeping (trafilatura Document attribute → metadata key).
_KEEP = (("author", "author"), ("sitename", "sitename"), ("description", "description"), ("url", "canonical_url"))


def read(path: Path, config: IngestConfig) -> Iterator[IngestResult]:
    """The article in one HTML file (id = file stem), or one skipped record saying why not."""
    data = read_bounded(path, config.max_html_bytes, path.stem, "page")
    yield data if isinstance(data, SkippedRecord) else page_to_result(path.stem, data, str(path), config)


def _charset_ok(name: str | None) -> str | None:
    """A Python codec name for ``name``, or ``None`` when Python does not know it."""
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def decode_html(data: bytes, header_charset: str | None = None) -> tuple[str, tuple[str, ...]]:
    """Page bytes as text, with warnings when the charset had to be guessed.

    Order: BOM; valid UTF-8 (multi-byte UTF-8 almost never validates by accident, while declared charsets
    are often wrong); the HTTP charset; the ``<meta>`` charset; detection by charset_normalizer.
    """
    for bom, bom_encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(bom_encoding, errors="replace"), ()
    declared: list[str | None] = ["utf-8", _charset_ok(header_charset)]
    m = _META_CHARSET.search(data[:_HEAD_BYTES])
    if m:
        declared.append(_charset_ok(m.group(1).decode("ascii", errors="ignore")))
    for encoding in declared:
        if encoding is None:
            continue
        try:
            return data.decode(encoding), ()
        except (UnicodeDecodeError, LookupError):
            continue
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # it comes with trafilatura, but the reader must not depend on that to stay alive
        return data.decode("utf-8", errors="replace"), ("charset unknown: decoded as UTF-8 with replacement",)
    best = from_bytes(data[:_DETECT_BYTES]).best()
    detected = _charset_ok(best.encoding if best else None)
    if detected:
        return data.decode(detected, errors="replace"), (f"charset detected as {detected}",)
    return data.decode("utf-8", errors="replace"), ("charset unknown: decoded as UTF-8 with replacement",)


def _looks_binary(data: bytes) -> bool:
    head = data[:_HEAD_BYTES]
    return b"\x00" in head and not any(head.startswith(bom) for bom, _ in _BOMS)


def page_to_result(
    rid: str,
    data: bytes,
    origin: str,
    config: IngestConfig,
    *,
    url: str | None = None,
    header_charset: str | None = None,
    metadata: Mapping[str, object] | None = None,
) -> IngestResult:
    """One HTML page as an ``Article`` (main text, title, date, canonical URL) or a ``SkippedRecord``.

    ``url`` is where the page was fetched (WARC); without it the page's canonical URL is used.
    """
    if len(data) > config.max_html_bytes:
        return SkippedRecord(rid, f"page too large ({len(data)} bytes > {config.max_html_bytes})", origin)
    if _looks_binary(data):
        return SkippedRecord(rid, "binary content", origin)
    html, warnings = decode_html(data, header_charset)
    try:
        doc = _extract(html, url)
    except Exception as exc:  # trafilatura/lxml on hostile markup: cost one page, never the run
        log.warning("HTML extraction failed for %s: %s", origin, exc)
        return SkippedRecord(rid, f"HTML extraction error: {type(exc).__name__}", origin)
    raw_text = getattr(doc, "text", None) if doc is not None else None
    if not raw_text or len(raw_text.strip()) < config.min_page_chars:
        return SkippedRecord(rid, "no article text", origin)
    text, reason, text_warnings = prepare_text(raw_text, config)
    if text is None:
        return SkippedRecord(rid, "no article text" if reason == "empty text" else reason or "no article text", origin)
    date, date_warning = parse_date(getattr(doc, "date", None))
    meta: dict[str, object] = {key: json_safe(v) for key, v in (metadata or {}).items()}
    for attr, key in _KEEP:
        value = getattr(doc, attr, None)
        if value and not (key == "canonical_url" and url is None):
            meta[key] = json_safe(value)
    page_url = url or getattr(doc, "url", None) or None
    title = getattr(doc, "title", None)
    return Article(
        id=rid,
        text=text,
        date=date,
        url=page_url,
        site=site_from_url(page_url),
        title=title.strip() if isinstance(title, str) and title.strip() else None,
        metadata=meta,
        warnings=(*warnings, *text_warnings, *((date_warning,) if date_warning else ())),
        origin=origin,
    )


def _extract(html: str, url: str | None) -> object:
    import trafilatura

    # Dates come from htmldate (inside trafilatura) with the extensive search off: it only reads the markup
    # and the URL, so extraction stays fast and never touches the network.
    return trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        date_extraction_params={"extensive_search": False, "original_date": True, "outputformat": "%Y-%m-%d"},
    )
