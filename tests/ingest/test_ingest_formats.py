"""Readers for text, JSON, CSV and Parquet files, with the bad-input cases each must survive."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newstrace.config import IngestConfig
from newstrace.ingest import jsonl, table, text
from newstrace.model import Article, IngestResult, SkippedRecord

CFG = IngestConfig()


def articles(results: list[IngestResult]) -> list[Article]:
    return [r for r in results if isinstance(r, Article)]


def skipped(results: list[IngestResult]) -> list[SkippedRecord]:
    return [r for r in results if isinstance(r, SkippedRecord)]


# --- .txt -------------------------------------------------------------------------------------------------


def test_txt_date_prefix_removed(tmp_path: Path) -> None:
    p = tmp_path / "a1.txt"
    p.write_text(" date 2023-09-28 The Secretary General said.\n\nMore.", encoding="utf-8")
    [art] = list(text.read(p, CFG))
    assert isinstance(art, Article)
    assert art.id == "a1"
    assert art.text == "The Secretary General said.\n\nMore."
    assert art.date is not None and art.date.iso() == "2023-09-28"
    assert art.origin == str(p)


def test_txt_without_prefix_kept_whole(tmp_path: Path) -> None:
    p = tmp_path / "b.txt"
    p.write_text("  dated 2023-09-28 text", encoding="utf-8")
    [art] = list(text.read(p, CFG))
    assert isinstance(art, Article)
    assert art.text == "  dated 2023-09-28 text"
    assert art.date is None


def test_txt_impossible_prefix_date(tmp_path: Path) -> None:
    p = tmp_path / "c.txt"
    p.write_text("date 2024-13-45 Body.", encoding="utf-8")
    [art] = list(text.read(p, CFG))
    assert isinstance(art, Article)
    assert art.text == "Body."
    assert art.date is None
    assert art.warnings == ("unparseable date '2024-13-45'",)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x7fELF\x02\x01\x00\x00\x00binary", "binary content"),
        (b"caf\xe9 au lait", "invalid UTF-8 at byte 3"),
        (b"   \n\t  ", "empty text"),
        (b"", "empty text"),
        (b" date 2023-01-01  ", "empty text"),
    ],
)
def test_txt_bad_files(tmp_path: Path, data: bytes, reason: str) -> None:
    p = tmp_path / "bad.txt"
    p.write_bytes(data)
    [rec] = list(text.read(p, CFG))
    assert isinstance(rec, SkippedRecord)
    assert (rec.id, rec.reason) == ("bad", reason)


def test_txt_larger_than_any_text_reads_only_the_start(tmp_path: Path) -> None:
    p = tmp_path / "big.txt"
    p.write_bytes("€uro ".encode() * 3000 + b"\xff" * 100)  # invalid bytes beyond what the cut could keep
    [art] = list(text.read(p, IngestConfig(max_chars=1000)))
    assert isinstance(art, Article)
    assert len(art.text) <= 1000 and art.text.startswith("€uro €uro")
    assert art.warnings == (f"text cut at {len(art.text)} characters",)


def test_txt_bom_and_utf16(tmp_path: Path) -> None:
    p = tmp_path / "bom.txt"
    p.write_bytes(b"\xef\xbb\xbfHello.")
    q = tmp_path / "wide.txt"
    q.write_bytes("Wide text.".encode("utf-16"))  # the codec writes the BOM
    [a] = list(text.read(p, CFG))
    [b] = list(text.read(q, CFG))
    assert isinstance(a, Article) and a.text == "Hello."
    assert isinstance(b, Article) and b.text == "Wide text."


def test_txt_20mb_is_cut_quickly(tmp_path: Path) -> None:
    p = tmp_path / "huge.txt"
    sentence = "The minister said on Tuesday that the talks would continue. "
    p.write_text(sentence * (20_000_000 // len(sentence)), encoding="utf-8")
    t0 = time.perf_counter()
    [art] = list(text.read(p, IngestConfig(max_chars=2_000_000)))
    elapsed = time.perf_counter() - t0
    assert isinstance(art, Article)
    assert len(art.text) <= 2_000_000
    assert art.text.split()[-1] in sentence.split()  # cut between words
    assert art.warnings == (f"text cut at {len(art.text)} characters",)
    assert elapsed < 10


# --- .jsonl / .jsonl.gz / .json -------------------------------------------------------------------------


def jsonl_bytes(*records: object) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records)


def test_jsonl_records_and_bad_lines(tmp_path: Path) -> None:
    p = tmp_path / "a.jsonl"
    p.write_bytes(
        jsonl_bytes({"id": "x1", "text": "First.", "date": "2023-09-28", "url": "https://www.example.com/a"})
        + b'{"id": "x2", "text": "broken\n'
        + b"\n"
        + b'{"id": "x3", "text": "caf\xe9"}\n'
        + jsonl_bytes({"id": 4, "text": "Fourth.", "date": "2024-13-45", "section": "world"}, [1, 2])
        + b'{"id": "x6", "text": "   "}\n'
        + b'{"id": "x7"}'
    )
    res = list(jsonl.read(p, CFG))
    ok = articles(res)
    assert [a.id for a in ok] == ["x1", "4"]
    assert ok[0].site == "example.com" and ok[0].date is not None and ok[0].origin == f"{p}:1"
    assert ok[1].date is None and ok[1].warnings == ("unparseable date '2024-13-45'",)
    assert dict(ok[1].metadata) == {"section": "world"}
    reasons = [s.reason for s in skipped(res)]
    assert reasons[0].startswith("invalid JSON at line 2: ")
    assert reasons[1] == "invalid UTF-8 at line 4, byte 25"
    assert reasons[2:] == ["line 6 is not a JSON object (list)", "empty text", "missing 'text'"]
    assert [s.id for s in skipped(res)][-2:] == ["x6", "x7"]


def test_jsonl_gz_and_truncated_gz(tmp_path: Path) -> None:
    payload = jsonl_bytes(*({"id": f"r{i}", "text": f"Record number {i} " * 40} for i in range(200)))
    good = tmp_path / "good.jsonl.gz"
    good.write_bytes(gzip.compress(payload))
    assert [a.id for a in articles(list(jsonl.read(good, CFG)))] == [f"r{i}" for i in range(200)]

    cut = tmp_path / "cut.jsonl.gz"
    blob = gzip.compress(payload)
    cut.write_bytes(blob[: len(blob) // 2])
    res = list(jsonl.read(cut, CFG))
    ok = articles(res)
    assert 0 < len(ok) < 200
    assert [a.id for a in ok] == [f"r{i}" for i in range(len(ok))]
    last = res[-1]
    assert isinstance(last, SkippedRecord)
    assert last.reason.startswith("gzip error after line ") and "rest of file not read" in last.reason


def test_jsonl_gz_not_gzip(tmp_path: Path) -> None:
    p = tmp_path / "fake.jsonl.gz"
    p.write_bytes(jsonl_bytes({"id": "a", "text": "t"}))
    [rec] = list(jsonl.read(p, CFG))
    assert isinstance(rec, SkippedRecord)
    assert "gzip error" in rec.reason or "cannot read" in rec.reason


def test_jsonl_binary(tmp_path: Path) -> None:
    p = tmp_path / "bin.jsonl"
    p.write_bytes(bytes(range(256)) * 10)
    [rec] = list(jsonl.read(p, CFG))
    assert isinstance(rec, SkippedRecord) and rec.reason == "binary content"


def test_jsonl_20mb_record(tmp_path: Path) -> None:
    p = tmp_path / "big.jsonl"
    body = "Lorem ipsum dolor sit amet. " * (20_000_000 // 28)
    p.write_bytes(jsonl_bytes({"id": "big", "text": body}, {"id": "small", "text": "Small."}))
    t0 = time.perf_counter()
    res = list(jsonl.read(p, IngestConfig(max_chars=1_000_000)))
    assert time.perf_counter() - t0 < 15
    big, small = articles(res)
    assert len(big.text) <= 1_000_000 and big.warnings[0].startswith("text cut at ")
    assert small.text == "Small."


def test_jsonl_overlong_line_skipped_rest_kept(tmp_path: Path) -> None:
    p = tmp_path / "long.jsonl"
    p.write_bytes(jsonl_bytes({"id": "a", "text": "x" * 5000}, {"id": "b", "text": "fine"}))
    res = list(jsonl.read(p, IngestConfig(max_file_bytes=1000)))
    assert isinstance(res[0], SkippedRecord) and res[0].reason == "line 1 longer than 1000 bytes"
    assert [a.id for a in articles(res)] == ["b"]


def test_json_array(tmp_path: Path) -> None:
    p = tmp_path / "arr.json"
    p.write_text(json.dumps([{"id": "a", "text": "A."}, "junk", {"id": "b", "text": "B.", "date": "2022"}]))
    res = list(jsonl.read(p, CFG))
    assert [a.id for a in articles(res)] == ["a", "b"]
    assert articles(res)[1].date is not None and articles(res)[1].date.precision == "year"  # type: ignore[union-attr]
    assert skipped(res)[0].reason == "item 1 is not a JSON object (str)"


def test_json_holding_json_lines(tmp_path: Path) -> None:
    p = tmp_path / "lines.json"
    p.write_bytes(jsonl_bytes({"id": "a", "text": "A."}, {"id": "b", "text": "B."}))
    assert [a.id for a in articles(list(jsonl.read(p, CFG)))] == ["a", "b"]


def test_json_invalid(tmp_path: Path) -> None:
    p = tmp_path / "bad.json"
    p.write_text('[{"id": "a", "text": "A."},')
    [rec] = list(jsonl.read(p, CFG))
    assert isinstance(rec, SkippedRecord) and rec.reason.startswith("invalid JSON: ")


# --- .csv / .parquet -------------------------------------------------------------------------------------


def test_csv_rows(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    huge = "Word " * 100_000  # 500 KB: beyond the csv module's default field limit
    p.write_bytes(
        b"ID,Text,date,url,extra\n"
        + b'1,"Multi-line\ntext, with comma.",2023-09-28,https://www.a.com/x,meta\n'
        + b"2,caf\xe9,2023-09-28,,\n"
        + b",no id,,,\n"
        + b"\n"
        + f'3,"{huge}",2023-02,,\n'.encode()
        + b"4,,,,\n"
    )
    res = list(table.read(p, CFG))
    ok = articles(res)
    assert [a.id for a in ok] == ["1", "3"]
    assert ok[0].text == "Multi-line\ntext, with comma." and ok[0].site == "a.com"
    assert dict(ok[0].metadata) == {"extra": "meta"}
    assert ok[1].date is not None and ok[1].date.precision == "month"
    assert [s.reason for s in skipped(res)] == ["invalid UTF-8 at line 4", "missing 'id'", "empty text"]


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_csv_other_delimiters(tmp_path: Path, delimiter: str) -> None:
    p = tmp_path / "t.csv"
    rows = [["id", "text", "date"], ["1", "Prix: 3,5 millions, dit-il.", "2023-09-28"], ["2", "Zwei.", ""]]
    p.write_text("\n".join(delimiter.join(r) for r in rows) + "\n", encoding="utf-8")
    ok = articles(list(table.read(p, CFG)))
    assert [(a.id, a.text) for a in ok] == [("1", "Prix: 3,5 millions, dit-il."), ("2", "Zwei.")]


def test_csv_binary(tmp_path: Path) -> None:
    p = tmp_path / "b.csv"
    p.write_bytes(b"id,text\n\x00\x01\x02")
    [rec] = list(table.read(p, CFG))
    assert isinstance(rec, SkippedRecord) and rec.reason == "binary content"


def test_parquet_rows(tmp_path: Path) -> None:
    import datetime as dt

    p = tmp_path / "t.parquet"
    tbl = pa.table(
        {
            "id": [1, 2, 3],
            "text": ["Alpha text.", None, "Gamma text."],
            "date": [dt.datetime(2023, 9, 28, 10), None, dt.datetime(2021, 1, 1)],
            "url": ["https://m.site.org/1", None, None],
            "score": [0.5, 1.5, float("nan")],
        }
    )
    pq.write_table(tbl, p)
    res = list(table.read(p, CFG))
    ok = articles(res)
    assert [a.id for a in ok] == ["1", "3"]
    assert ok[0].date is not None and ok[0].date.iso() == "2023-09-28"
    assert ok[0].site == "site.org" and dict(ok[0].metadata) == {"score": 0.5}
    assert dict(ok[1].metadata) == {"score": None}
    assert [s.reason for s in skipped(res)] == ["missing 'text'"]


def test_parquet_garbage(tmp_path: Path) -> None:
    p = tmp_path / "g.parquet"
    p.write_bytes(b"PAR1 not really parquet")
    [rec] = list(table.read(p, CFG))
    assert isinstance(rec, SkippedRecord) and rec.reason.startswith("invalid Parquet file")
