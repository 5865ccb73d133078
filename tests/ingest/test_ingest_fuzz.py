"""Property tests: no input bytes make any reader raise; every record is an Article or a SkippedRecord."""

from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newstrace.config import IngestConfig
from newstrace.ingest import IngestStats, iter_articles
from newstrace.model import Article, SkippedRecord

CFG = IngestConfig(max_chars=5000)
SUFFIXES = [".txt", ".jsonl", ".jsonl.gz", ".json", ".csv", ".parquet", ".html", ".htm", ".warc", ".warc.gz", ".bin"]

# Byte strings biased towards the structure readers look for, so that fuzzing gets past the first check.
_FRAGMENTS = st.sampled_from(
    [
        b"{",
        b"}",
        b'"id": 1, "text": "x"',
        b"\n",
        b"\x00",
        b"\xff\xfe",
        b"\xef\xbb\xbf",
        b"\x1f\x8b\x08",
        b"WARC/1.1\r\n",
        b"Content-Length: 10\r\n\r\n",
        b"WARC-Type: response\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n",
        b"<html><body><p>",
        b"id,text,date\n",
        b'"a","b"\n',
        b"PAR1",
        b" date 2024-13-45 ",
        b"\xe9",
    ]
)
_BYTES = st.one_of(
    st.binary(max_size=2000), st.lists(st.one_of(_FRAGMENTS, st.binary(max_size=20)), max_size=40).map(b"".join)
)


def _check(path: Path) -> None:
    stats = IngestStats()
    results = list(iter_articles([path], CFG, stats))
    assert results, "every file yields at least one record (or skip) unless it is empty"
    for r in results:
        assert isinstance(r, Article | SkippedRecord)
        if isinstance(r, Article):
            assert r.text.strip() and len(r.text) <= CFG.max_chars
            r.text.encode("utf-8")  # storable
    assert stats.records_in == stats.ok + stats.skipped == len(results)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_BYTES, suffix=st.sampled_from(SUFFIXES), gz=st.booleans())
def test_arbitrary_bytes_never_raise(data: bytes, suffix: str, gz: bool) -> None:
    if gz and suffix.endswith(".gz"):
        data = gzip.compress(data)[: max(1, len(data))]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"f{suffix}"
        path.write_bytes(data)
        stats = IngestStats()
        results = list(iter_articles([path], CFG, stats))
        assert stats.records_in == stats.ok + stats.skipped == len(results)
        for r in results:
            assert isinstance(r, Article | SkippedRecord)
            if isinstance(r, Article):
                assert r.text.strip() and len(r.text) <= CFG.max_chars
                r.text.encode("utf-8")


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["id", "text", "date", "url", "site", "title", "language", "x"]), _JSON_VALUES, max_size=8
        ),
        min_size=1,
        max_size=5,
    )
)
def test_arbitrary_json_records(records: list[dict[str, object]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        _check(path)
