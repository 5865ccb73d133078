from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from newstrace.config import CandidateConfig
from newstrace.errors import StoreError
from newstrace.fingerprint import band_keys
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


def _synthetic(n: int, seed: int) -> tuple[list[Article], list[ArticleFeatures]]:
    """``n`` articles over 60 days: unique passages plus one whose band keys ~190 articles share, anchors, vectors."""
    rng = np.random.default_rng(seed)
    arts, feats = [], []
    for k in range(n):
        i = f"s{seed}-{k:05d}"
        date = PubDate.day(dt.date(2024, 1, 1) + dt.timedelta(days=int(rng.integers(0, 60))))
        arts.append(Article(i, f"text {i}", date, site=f"site{k % 7}.example"))
        # Two random passages and one drawn from a tiny alphabet, whose band keys many articles share.
        sig = np.vstack([rng.integers(0, 2**32, (2, 20)), rng.integers(0, 4, (1, 20))]).astype(np.uint32)
        feats.append(
            ArticleFeatures(
                article_id=i, content_hash="h", language="en", lang_confidence=1.0,
                seg_starts=np.zeros(0, np.int32), seg_ends=np.zeros(0, np.int32),
                doc_vector=rng.integers(-127, 128, 512).astype(np.int8), signature=sig,
                band_keys=tuple(band_keys(sig, CandidateConfig())),
                anchors=frozenset(f"a{x}" for x in rng.integers(0, 3000, 12)),
                signals=ArticleSignals(i),
            )
        )  # fmt: skip
    return arts, feats


def test_saved_index_answers_like_the_in_memory_state(tmp_path: Path) -> None:
    from newstrace import candidates
    from newstrace.embed import dequantize
    from newstrace.store_index import StoreIndexState

    config = CandidateConfig()
    arts, feats = _synthetic(3000, 1)
    late_arts, late_feats = _synthetic(5, 2)  # added after the index was saved
    memory = candidates.MemoryIndexState(config)
    path = tmp_path / "s.duckdb"
    with Store(path) as s:
        s.upsert_articles(arts)
        s.put_features(feats)
        folder = s.save_index(config)
        s.upsert_articles(late_arts)
        s.put_features(late_feats)
    assert folder.is_dir() and (folder / "vectors.usearch").is_file()

    def record(a: Article, f: ArticleFeatures) -> candidates.CandidateRecord:
        return candidates.CandidateRecord(a.id, a.date, f.band_keys, f.anchors, dequantize(f.doc_vector))

    for a, f in zip([*arts, *late_arts], [*feats, *late_feats], strict=True):
        memory.add(record(a, f))
    rng = np.random.default_rng(3)
    with Store(path, read_only=True) as s:
        state = StoreIndexState(s, config)
        assert state.stats["tail"] == 5
        for j in [0, 17, 2999, 3001, 3004]:
            a, f = [*arts, *late_arts][j], [*feats, *late_feats][j]
            # A new article that shares a stored one's keys and anchors, with a vector close to it.
            near = np.asarray(f.doc_vector, np.float32) + rng.normal(0, 20, 512)
            new = candidates.CandidateRecord(f"new-{j}", a.date, f.band_keys, f.anchors, dequantize(near))
            assert candidates.candidates_for(new, state, config) == candidates.candidates_for(new, memory, config)
            assert any(a.id in (c.derived, c.source) for c in candidates.candidates_for(new, state, config))
        # Lookups read the postings of the asked keys only (capped per key), never the whole index.
        read = state.stats["postings_read"]
        assert 0 < read <= 5 * 30 * (config.max_bucket + 1) + 5 * 12 * (config.anchor_max_df + 1)
        assert read < len(np.load(folder / "bands.keys.npy", mmap_mode="r")) // 10
