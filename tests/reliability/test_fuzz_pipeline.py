"""Fuzz tests beyond tests/ingest: text round-trips through every reader, and junk through every text stage.

tests/ingest/test_ingest_fuzz.py already throws arbitrary bytes and arbitrary JSON at the readers, and the
stage tests cover segment_sentences, detect_signals (English), extract_anchors, MinHash and langid on
arbitrary text. Here: arbitrary Unicode *text* written by each format's own writer must come back
unchanged (or be skipped with a reason), and the remaining per-text and per-pair stages (aligner
segmentation and lexical alignment, pair features and the verdict, fact diffs, signals in every
language) never raise and keep every offset inside the text it indexes.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from newstrace.align import align_pair, split_sentences
from newstrace.changes import diff_facts
from newstrace.classify import classify_pair, link_probability, pair_features
from newstrace.config import AlignConfig, ClassifyConfig, IngestConfig, NormaliseConfig, SignalConfig
from newstrace.ingest import IngestStats, iter_articles
from newstrace.model import Article, PubDate, SkippedRecord, Span
from newstrace.normalise import segment_sentences, tokenize
from newstrace.signals import detect_signals

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
INGEST = IngestConfig(max_chars=4000)
# Lexical alignment only: the property is about offsets and robustness, and embedding every example is slow.
LEXICAL = AlignConfig(semantic=False)

# Text that looks like news often enough to reach the interesting branches (sentence ends, quotes, numbers,
# names, datelines, newlines), mixed with arbitrary Unicode (but no lone surrogates: no writer can encode them).
_NEWSY = st.sampled_from(
    [
        "The minister said on Tuesday that talks would continue.",
        "KYIV (AP) — ",
        "(Reuters) - ",
        " 2,4 millones ",
        " 38,000 tonnes ",
        "«Nous sommes prêts», a déclaré M. Dupont. ",
        "\n\n",
        "\r\n",
        "U.S. officials ",
        "„Das ist gut“, sagte sie. ",
        "。",
        "۔ ",
        "\u200b",
        "\u2029",
        "\ufeff",
        "12 mar (EFE).- ",
        "https://example.com/a?b=c ",
        '"',
        "…",
    ]
)
_CHARS = st.characters(blacklist_categories=["Cs"])
TEXT = st.one_of(
    st.text(_CHARS, max_size=600),
    st.lists(st.one_of(_NEWSY, st.text(_CHARS, max_size=12)), max_size=40).map("".join),
)
LANGS = st.sampled_from([None, "en", "es", "fr", "de", "pt", "ru", "zh", "ar", "und"])


def _read_one(path: Path) -> Article | SkippedRecord:
    stats = IngestStats()
    results = list(iter_articles([path], INGEST, stats))
    assert len(results) == 1 == stats.records_in == stats.ok + stats.skipped
    return results[0]


def _storable(text: str) -> bool:
    """What a reader may keep: some non-blank text, no NUL (binary), within the cut."""
    return bool(text.strip()) and "\x00" not in text and len(text) <= INGEST.max_chars


def _write_jsonl(path: Path, text: str) -> Path:
    path = path / "a.jsonl"
    path.write_text(json.dumps({"id": "x", "text": text}) + "\n", encoding="utf-8")
    return path


def _write_jsonl_gz(path: Path, text: str) -> Path:
    path = path / "a.jsonl.gz"
    path.write_bytes(gzip.compress((json.dumps({"id": "x", "text": text}, ensure_ascii=False) + "\n").encode()))
    return path


def _write_csv(path: Path, text: str) -> Path:
    path = path / "a.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "text", "date"])
        w.writerow(["x", text, "2024-05-01"])
    return path


def _write_parquet(path: Path, text: str) -> Path:
    path = path / "a.parquet"
    pq.write_table(pa.table({"id": ["x"], "text": [text]}), path)
    return path


def _write_txt(path: Path, text: str) -> Path:
    path = path / "x.txt"
    path.write_bytes(text.encode("utf-8"))
    return path


WRITERS: dict[str, Callable[[Path, str], Path]] = {
    "jsonl": _write_jsonl,
    "jsonl.gz": _write_jsonl_gz,
    "csv": _write_csv,
    "parquet": _write_parquet,
    "txt": _write_txt,
}


@FUZZ
@given(text=TEXT, fmt=st.sampled_from(sorted(WRITERS)))
def test_text_round_trips_through_structured_readers(text: str, fmt: str) -> None:
    """A text written by the format's own writer is read back unchanged, or skipped with a reason."""
    if fmt == "txt":
        # A text file's leading BOM and " date YYYY-MM-DD " prefix are file syntax, not text.
        assume(not text.lstrip().startswith(("\ufeff", "date ")) and not text.startswith("\ufeff"))
    with tempfile.TemporaryDirectory() as tmp:
        got = _read_one(WRITERS[fmt](Path(tmp), text))
    if isinstance(got, SkippedRecord):
        assert got.reason
        assert not _storable(text), f"a storable text was skipped: {got.reason!r}"
        return
    assert _storable(text)
    assert got.id == "x"
    if fmt == "csv":
        # The CSV reader may strip whitespace around a cell, nothing else.
        assert got.text.strip() == text.strip()
    else:
        assert got.text == text


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])  # trafilatura is slow
@given(text=TEXT, title=st.text(_CHARS, max_size=40))
def test_html_and_warc_never_raise_on_any_text(text: str, title: str) -> None:
    """Arbitrary text inside a well-formed page (and a WARC response holding it) gives an Article or a skip."""
    from html import escape

    page = (
        f"<html><head><title>{escape(title)}</title></head><body><article><p>{escape(text)}</p></article></body></html>"
    )
    body = page.encode("utf-8")
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + body
    warc = (
        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\n"
        b"WARC-Date: 2024-05-01T00:00:00Z\r\nWARC-Target-URI: https://example.com/a\r\n"
        b"Content-Type: application/http; msgtype=response\r\n"
        + f"Content-Length: {len(http)}\r\n\r\n".encode()
        + http
        + b"\r\n\r\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in (("a.html", body), ("a.warc", warc), ("a.warc.gz", gzip.compress(warc))):
            path = Path(tmp) / name
            path.write_bytes(data)
            for r in iter_articles([path], INGEST):
                assert isinstance(r, Article | SkippedRecord)
                if isinstance(r, Article):
                    assert r.text.strip() and len(r.text) <= INGEST.max_chars
                    r.text.encode("utf-8")


@FUZZ
@given(text=TEXT, limit=st.integers(min_value=1, max_value=200))
def test_aligner_sentences_are_trimmed_ordered_and_in_bounds(text: str, limit: int) -> None:
    bounds = split_sentences(text, AlignConfig(max_sentence_chars=limit))
    prev = 0
    for a, b in bounds:
        assert prev <= a < b <= len(text)
        assert b - a <= limit
        assert not text[a].isspace() and not text[b - 1].isspace()
        prev = b


@FUZZ
@given(text=TEXT)
def test_tokens_and_segments_index_the_original_text(text: str) -> None:
    for t in tokenize(text):
        assert 0 <= t.start < t.end <= len(text) and t.norm
    for s in segment_sentences("a", text, NormaliseConfig()):
        assert text[s.start : s.end] == s.text


def _edit(source: str, cuts: list[int], inserts: list[str]) -> str:
    """A derived text: the source with pieces removed and junk inserted (the shape of a light edit)."""
    out = source
    for cut, ins in zip(cuts, inserts, strict=False):
        at = cut % (len(out) + 1)
        out = out[:at] + ins + out[at + len(ins) // 2 :]
    return out


def _check_spans(spans: list[Span], derived: str, source: str) -> None:
    for x in spans:
        assert 0 <= x.derived_start < x.derived_end <= len(derived), x
        assert 0 <= x.source_start < x.source_end <= len(source), x
        assert 0.0 <= x.score <= 1.0
    assert [x.derived_start for x in spans] == sorted(x.derived_start for x in spans)


@FUZZ
@given(
    source=TEXT,
    other=TEXT,
    cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=6),
    inserts=st.lists(st.one_of(_NEWSY, st.text(_CHARS, max_size=20)), max_size=6),
    edit=st.booleans(),
    langs=st.tuples(LANGS, LANGS),
)
def test_lexical_alignment_pair_features_and_verdict_never_raise(
    source: str,
    other: str,
    cuts: list[int],
    inserts: list[str],
    edit: bool,
    langs: tuple[str | None, str | None],
) -> None:
    derived = _edit(source, cuts, inserts) if edit else other
    spans = align_pair(derived, source, LEXICAL, derived_lang=langs[0], source_lang=langs[1])
    _check_spans(spans, derived, source)
    d = Article("d", derived, PubDate.day(dt.date(2024, 5, 2)), language=langs[0])
    s = Article("s", source, PubDate.day(dt.date(2024, 5, 1)), language=langs[1])
    feats = pair_features(d, s, spans)
    p = link_probability(feats, ClassifyConfig())
    assert 0.0 <= p <= 1.0
    verdict = classify_pair(feats, ClassifyConfig())
    assert verdict.relation is None or verdict.score >= 0.0
    changes = diff_facts(derived, source, spans, langs[0], langs[1])
    assert changes is not None


@FUZZ
@given(text=TEXT, language=LANGS, dated=st.booleans())
def test_signals_in_every_language_keep_offsets_in_bounds(text: str, language: str | None, dated: bool) -> None:
    a = Article("h", text, PubDate.day(dt.date(2023, 9, 28)) if dated else None, language=language)
    result = detect_signals(a, SignalConfig())
    assert result.article_id == "h"
    for c in result.credits:
        assert 0 <= c.start < c.end <= len(text) and c.name
    if result.dateline is not None:
        assert 0 <= result.dateline.start <= result.dateline.end <= len(text)
    for sig in result.signals:
        assert 0 <= sig.start <= sig.end <= len(text)
        assert 0.0 <= sig.score <= 1.0 and sig.evidence
