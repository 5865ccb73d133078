from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from newstrace.errors import StoreError
from newstrace.model import Article, ArticleSignals, Credit, Link, PubDate, SiteProfile, SkippedRecord, Span, Story
from newstrace.store import ArticleFeatures, PairVerdictRow, Store


def _article(i: str, text: str = "Some text.") -> Article:
    return Article(i, text, PubDate.day(dt.date(2024, 5, 1)), url=f"https://a.example/{i}", site="a.example")


def _features(i: str, n: int = 2) -> ArticleFeatures:
    rng = np.random.default_rng(0)
    return ArticleFeatures(
        article_id=i, content_hash="h", language="en", lang_confidence=0.9,
        seg_starts=np.arange(n, dtype=np.int32), seg_ends=np.arange(n, dtype=np.int32) + 1,
        doc_vector=rng.integers(-127, 128, 512).astype(np.int8),
        signature=np.arange(128, dtype=np.uint32), band_keys=(1, 2, 3), anchors=frozenset({"42", "valmora"}),
        signals=ArticleSignals(i, (Credit("Reuters", 0, 7, "dateline"),)),
    )  # fmt: skip


def test_rerun_does_not_duplicate(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with Store(path) as s:
        assert s.upsert_articles([_article("a"), _article("b")]) == ["a", "b"]
        s.record_skipped([SkippedRecord("x.jsonl:3", "invalid JSON at line 3", "x.jsonl:3")])
    with Store(path) as s:
        assert s.upsert_articles([_article("a"), _article("b")]) == []
        s.record_skipped([SkippedRecord("x.jsonl:3", "invalid JSON at line 3", "x.jsonl:3")])
        assert s.article_count() == 2
        assert s.con.execute("SELECT count(*) FROM skipped").fetchone() == (1,)
        # A changed text is new work, and invalidates what was computed from the old text.
        s.put_features([_features("a")])
        assert s.upsert_articles([_article("a", "Other text.")]) == ["a"]
        assert s.get_features(["a"]) == {}
        assert s.con.execute("SELECT count(*) FROM anchors WHERE article_id = 'a'").fetchone() == (0,)


def test_features_round_trip(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as s:
        s.upsert_articles([_article("a")])
        f = _features("a", 3)
        s.put_features([f])
        g = s.get_features(["a"], with_bands=True)["a"]
        postings = sorted(r[0] for r in s.con.execute("SELECT anchor FROM anchors").fetchall())
    assert np.array_equal(g.doc_vector, f.doc_vector) and g.doc_vector.dtype == np.int8
    assert np.array_equal(g.signature, f.signature)
    assert g.band_keys == (1, 2, 3) and g.anchors == f.anchors
    assert postings == ["42", "valmora"]
    assert g.signals.credits == f.signals.credits


def test_results_replace_and_read_back(tmp_path: Path) -> None:
    link = Link("b", "a", "verbatim", 0.99, "a", 1.0, True, False, 1.0, 0.9, (Span(0, 5, 0, 5, "exact", 1.0),))
    with Store(tmp_path / "s.duckdb") as s:
        s.upsert_articles([_article("a"), _article("b")])
        s.put_pairs([PairVerdictRow("b", "a", "verbatim", 0.99, False, "copy", "[]")])
        s.put_pairs([PairVerdictRow("b", "a", "verbatim", 0.98, False, "copy", "[]")])
        assert s.known_pairs() == {("b", "a")}
        for _ in range(2):
            s.replace_results(
                [link], [Story("story-1", ("a", "b"), ("a",))], [SiteProfile("a.example", 2, 0.5, 0, 1.0)]
            )
        assert s.links() == [link]
        assert s.links("a") == [link]
        assert len(s.story_rows()) == 1 and len(s.site_rows()) == 1


def test_read_only_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store"):
        Store(tmp_path / "missing.duckdb", read_only=True)
