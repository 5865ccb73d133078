"""Shared record handling for every reader: a field mapping → ``Article`` or ``SkippedRecord``."""

from __future__ import annotations

import codecs
import datetime as dt
import email.utils
import math
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from newstrace.config import IngestConfig
from newstrace.model import Article, IngestResult, PubDate, SkippedRecord

# Fields with a meaning of their own; everything else in a record is kept as metadata.
KNOWN_FIELDS = frozenset({"id", "text", "date", "url", "site", "title", "language"})

_YEAR_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_YEAR = re.compile(r"(\d{4})")
_ISO_DAY_PREFIX = re.compile(r"\d{4}-\d{2}-\d{2}[T ]")
_RFC2822 = re.compile(r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\b")
# Nested metadata deeper than this is kept as a placeholder: deep JSON must not exhaust the stack.
_MAX_DEPTH = 32
# Lone surrogates come from JSON escapes such as "\ud800"; they cannot be written as UTF-8 later, so they
# are replaced one-for-one (offsets stay valid).
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_LANG = re.compile(r"[a-z]{2}")
_SITE_PREFIXES = ("www.", "m.", "amp.")
# How far back from the cut point we look for whitespace, so a cut text does not end mid-word.
_CUT_WINDOW = 1000


def parse_date(value: object) -> tuple[PubDate | None, str | None]:
    """A ``PubDate`` from an ISO date/datetime, ``YYYY-MM`` or ``YYYY``; otherwise ``None`` and a warning."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None, None
    if isinstance(value, dt.datetime):
        return PubDate.day(value.date()), None
    if isinstance(value, dt.date):
        return PubDate.day(value), None
    raw = str(value).strip()
    if not raw:
        return None, None
    warning = f"unparseable date {_short(raw, 60)!r}"
    try:
        return PubDate.day(dt.datetime.fromisoformat(raw.replace("z", "Z")).date()), None
    except ValueError:
        pass
    if _ISO_DAY_PREFIX.match(raw):
        # "2023-09-28 10:00:00 UTC" and similar: the ISO date part is unambiguous even if the rest is not.
        try:
            return PubDate.day(dt.date.fromisoformat(raw[:10])), None
        except ValueError:
            return None, warning
    if _RFC2822.match(raw):
        # RSS feeds and HTTP headers: "Thu, 28 Sep 2023 10:00:00 GMT".
        try:
            return PubDate.day(email.utils.parsedate_to_datetime(raw).date()), None
        except (TypeError, ValueError, IndexError, OverflowError):
            return None, warning
    m = _YEAR_MONTH.fullmatch(raw)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        if not (1 <= month <= 12 and year >= 1):
            return None, warning
        first = dt.date(year, month, 1)
        last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        return PubDate(first, last, "month"), None
    m = _YEAR.fullmatch(raw)
    if m and int(m.group(1)) >= 1:
        year = int(m.group(1))
        return PubDate(dt.date(year, 1, 1), dt.date(year, 12, 31), "year"), None
    return None, warning


def site_from_url(url: str | None) -> str | None:
    """Host of ``url``, lower-cased, without a leading ``www.``/``m.``/``amp.`` (``None`` when there is none)."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip() if "//" in url else "//" + url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.lower().rstrip(".")
    for prefix in _SITE_PREFIXES:
        if host.startswith(prefix) and len(host) > len(prefix):
            host = host[len(prefix) :]
            break
    return host or None


def prepare_text(text: str, config: IngestConfig) -> tuple[str | None, str | None, tuple[str, ...]]:
    """``(text, skip_reason, warnings)``: the text made safe to store, or why the record is skipped."""
    if "\x00" in text:
        return None, "binary content", ()
    if len(text.strip()) < config.min_chars:
        return None, "empty text", ()
    warnings: list[str] = []
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
        warnings.append("invalid surrogate characters replaced")
    if len(text) > config.max_chars:
        text = cut_text(text, config.max_chars)
        if len(text.strip()) < config.min_chars:
            return None, f"empty text within the first {config.max_chars} characters", ()
        warnings.append(f"text cut at {len(text)} characters")
    return text, None, tuple(warnings)


def cut_text(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at the last whitespace near the limit when there is one."""
    if len(text) <= limit:
        return text
    lo = max(0, limit - _CUT_WINDOW)
    for i in range(limit, lo, -1):
        if text[i].isspace() and i > 0:
            return text[:i].rstrip()
    return text[:limit]


def clean_str(value: object) -> str | None:
    """A non-empty stripped string from a field value, or ``None`` (also for NaN cells from tables)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    s = _SURROGATE.sub("\ufffd", str(value)).strip()
    return s or None


def json_safe(value: object, depth: int = 0) -> object:
    """``value`` as plain JSON types so metadata can always be stored; other objects become strings."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if depth >= _MAX_DEPTH and isinstance(value, Mapping | list | tuple):
        return "<nested too deep>"
    if isinstance(value, Mapping):
        return {_SURROGATE.sub("\ufffd", str(k)): json_safe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v, depth + 1) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def record_to_result(record: Mapping[str, object], origin: str, config: IngestConfig) -> IngestResult:
    """One input record (JSON object or table row) as an ``Article``, or a ``SkippedRecord`` with the reason."""
    rid = clean_str(record.get("id"))
    if rid is None:
        return SkippedRecord(id=origin, reason="missing 'id'", origin=origin)
    raw_text = record.get("text")
    if raw_text is None or (isinstance(raw_text, float) and math.isnan(raw_text)):
        return SkippedRecord(id=rid, reason="missing 'text'", origin=origin)
    if not isinstance(raw_text, str):
        return SkippedRecord(id=rid, reason=f"'text' is not a string ({type(raw_text).__name__})", origin=origin)
    text, reason, warnings = prepare_text(raw_text, config)
    if text is None:
        return SkippedRecord(id=rid, reason=reason or "empty text", origin=origin)
    date, date_warning = parse_date(record.get("date"))
    url = clean_str(record.get("url"))
    site = clean_str(record.get("site"))
    site = site.lower() if site else site_from_url(url)
    language = clean_str(record.get("language"))
    extra: list[str] = [date_warning] if date_warning else []
    if language is not None:
        language = language.lower().replace("_", "-").split("-")[0]
        if not _LANG.fullmatch(language):
            extra.append(f"language {language!r} is not an ISO 639-1 code; it will be detected")
            language = None
    metadata = {str(k): json_safe(v) for k, v in record.items() if str(k) not in KNOWN_FIELDS}
    return Article(
        id=rid,
        text=text,
        date=date,
        url=url,
        site=site,
        title=clean_str(record.get("title")),
        language=language,
        metadata=metadata,
        warnings=(*warnings, *extra),
        origin=origin,
    )


def _short(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def decode_text(data: bytes, *, partial: bool = False) -> tuple[str | None, str | None]:
    """``(text, skip_reason)`` for the bytes of a text file: UTF-8 (or UTF-16 with a BOM), never binary.

    ``partial``: ``data`` is only the beginning of the file, so a character cut at its end is dropped.
    """
    encoding, skip = "utf-8", 0
    for bom, bom_encoding in _BOMS:
        if data.startswith(bom):
            encoding, skip = bom_encoding, len(bom)
            break
    else:
        if b"\x00" in data:
            return None, "binary content"
    try:
        decoder = codecs.getincrementaldecoder(encoding)()
        return decoder.decode(data[skip:], final=not partial), None
    except UnicodeDecodeError as exc:
        name = "UTF-8" if encoding == "utf-8" else encoding.upper()
        return None, f"invalid {name} at byte {exc.start + skip}"


def read_bounded(path: Path, limit: int, rid: str, what: str = "file") -> bytes | SkippedRecord:
    """The bytes of ``path``, or a skipped record when it is larger than ``limit`` or cannot be read."""
    origin = str(path)
    try:
        size = path.stat().st_size
        if size > limit:
            return SkippedRecord(rid, f"{what} too large ({size} bytes > {limit})", origin)
        return path.read_bytes()
    except OSError as exc:
        return SkippedRecord(rid, f"cannot read file: {exc.strerror or exc}", origin)

