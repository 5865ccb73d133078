"""Walking inputs: order, dispatch by extension, duplicates, unknown types, missing paths, counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newstrace.config import IngestConfig
from newstrace.errors import InputError
from newstrace.ingest import IngestStats, file_format, iter_articles, reason_kind
from newstrace.model import Article, SkippedRecord

SEEDS = Path(__file__).resolve().parents[2] / ".." / "shared" / "seeds"


def test_seeds() -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"shared seeds not found at {SEEDS}")
    stats = IngestStats()
    res = list(iter_articles([SEEDS], IngestConfig(), stats))
    assert all(isinstance(r, Article) for r in res)
    arts = [r for r in res if isinstance(r, Article)]
    assert [a.id for a in arts] == ["000_ad87435f5b9800d0", "002_45e8615605c2f88a"]
    assert [a.date.iso() if a.date else None for a in arts] == ["2023-09-28", "2023-11-09"]
    assert arts[0].text.startswith("The Secretary General of NATO")
    assert arts[1].text.startswith("In a surprise visit to Kyiv")
    assert (stats.records_in, stats.ok, stats.skipped) == (2, 2, 0)


def make_tree(root: Path) -> None:
    (root / "b").mkdir(parents=True)
    (root / "a.txt").write_text("Alpha text.")
    (root / "b" / "c.jsonl").write_text(
        json.dumps({"id": "a", "text": "Duplicate of a."}) + "\n" + json.dumps({"id": "c1", "text": "C one."}) + "\n"
    )
    (root / "b" / "notes.docx").write_bytes(b"PK\x03\x04")
    (root / "b" / "README").write_text("no extension")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "x.txt").write_text("hidden")
    (root / ".DS_Store").write_bytes(b"\x00")
    (root / "Z.TXT").write_text("Upper-case extension.")


def test_walk_order_dispatch_and_skips(tmp_path: Path) -> None:
    make_tree(tmp_path)
    stats = IngestStats()
    res = list(iter_articles([tmp_path], IngestConfig(), stats))
    summary = [(r.id, r.reason if isinstance(r, SkippedRecord) else "ok") for r in res]
    assert summary == [
        ("Z", "ok"),
        ("a", "ok"),
        (str(tmp_path / "b" / "README"), "unknown file type (no extension)"),
        ("a", f"duplicate id (first seen in {tmp_path / 'a.txt'})"),
        ("c1", "ok"),
        (str(tmp_path / "b" / "notes.docx"), "unknown file type '.docx'"),
    ]
    assert stats.records_in == stats.ok + stats.skipped == 6
    assert stats.ok == 3
    assert stats.reasons == {"unknown file type": 1, "unknown file type '.docx'": 1, "duplicate id": 1}


def test_same_result_twice(tmp_path: Path) -> None:
    make_tree(tmp_path)
    first = list(iter_articles([tmp_path], IngestConfig()))
    assert first == list(iter_articles([tmp_path], IngestConfig()))


def test_files_and_dirs_mixed(tmp_path: Path) -> None:
    make_tree(tmp_path)
    res = list(iter_articles([tmp_path / "a.txt", str(tmp_path / "b" / "c.jsonl")], IngestConfig()))
    assert [(r.id, isinstance(r, Article)) for r in res] == [("a", True), ("a", False), ("c1", True)]


def test_a_single_path_is_not_split_into_characters(tmp_path: Path) -> None:
    make_tree(tmp_path)
    assert list(iter_articles(str(tmp_path), IngestConfig())) == list(iter_articles([tmp_path], IngestConfig()))


def test_missing_path_is_usage_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        iter_articles([tmp_path, tmp_path / "nope.jsonl"], IngestConfig())
    assert err.value.exit_code == 2
    assert "nope.jsonl" in str(err.value) and err.value.hint


@pytest.mark.parametrize(
    ("name", "module"),
    [
        ("a.txt", "text"),
        ("a.jsonl", "jsonl"),
        ("a.JSONL.GZ", "jsonl"),
        ("a.json", "jsonl"),
        ("a.csv", "table"),
        ("a.parquet", "table"),
        ("a.html", "html"),
        ("a.HTM", "html"),
        ("a.warc", "warc"),
        ("a.warc.gz", "warc"),
        ("a.gz", None),
        ("a.xml", None),
        (".txt", None),
    ],
)
def test_file_format(name: str, module: str | None) -> None:
    assert file_format(Path(name)) == module


def test_reason_kind() -> None:
    assert reason_kind("invalid JSON at line 12: Expecting value") == "invalid JSON at line N"
    assert reason_kind("duplicate id (first seen in x.jsonl:3)") == "duplicate id"
    assert reason_kind("unknown file type '.docx'") == "unknown file type '.docx'"
