"""Pair features and the link / relation decision: constructed spans, the example corpus and the seeds."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newstrace.align import align_pair
from newstrace.classify import PairFeatures, classify_pair, pair_features, relation_type, span_coverage
from newstrace.config import ClassifyConfig, IngestConfig, RunConfig
from newstrace.ingest import iter_articles
from newstrace.model import Article, Span

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "examples" / "corpus"
SEEDS = ROOT.parent / "shared" / "seeds"
# Languages of the corpus articles that leave the field out (examples/corpus/README.md).
LANGUAGES = {"desal-plant": "es"}


def _load(paths: list[Path]) -> dict[str, Article]:
    out = {}
    for a in iter_articles(paths, IngestConfig()):
        if isinstance(a, Article):
            lang = a.language or LANGUAGES.get(a.id.rsplit("-", 1)[0].rsplit("-", 1)[0], "en")
            out[a.id] = replace(a, language=lang)
    return out


@pytest.fixture(scope="module")
def corpus() -> dict[str, Article]:
    if not (CORPUS / "articles.jsonl").exists():
        pytest.skip(f"example corpus missing: {CORPUS}")
    return _load([CORPUS / "articles.jsonl", CORPUS / "txt"])


def _judge(d: Article, s: Article) -> tuple[PairFeatures, str | None, bool]:
    # The aligner settings of a trace (RunConfig), which is what these pairs go through in practice.
    spans = align_pair(d.text, s.text, RunConfig().align, derived_lang=d.language, source_lang=s.language)
    feats = pair_features(d, s, spans)
    verdict = classify_pair(feats, ClassifyConfig())
    assert 0.0 <= verdict.score <= 1.0 and verdict.reason
    return feats, verdict.relation, verdict.independent


# --- features on constructed spans -------------------------------------------------------------------------------


def test_coverage_counts_non_space_characters() -> None:
    derived = "aaaa bbbb\n\ncccc dddd"
    source = "aaaa bbbb zzzz"
    spans = [Span(0, 9, 0, 9, "exact")]
    d_cov, s_cov = span_coverage(derived, source, spans)
    assert d_cov == pytest.approx(8 / 16) and s_cov == pytest.approx(8 / 12)


def test_quoted_overlap_does_not_count_as_own_coverage() -> None:
    quote = '"We will rebuild the terminal within a year, whatever it costs us," the minister said.'
    derived = quote + " Our reporter saw the damage at dawn and spoke to three dock workers about their shifts."
    source = "At the port on Friday. " + quote
    q0 = source.index('"')
    spans = [Span(0, len(quote), q0, q0 + len(quote), "exact")]
    f = pair_features(Article("d", derived, language="en"), Article("s", source, language="en"), spans)
    assert f.quote_share > 0.7
    assert f.unquoted_coverage < f.derived_coverage


def test_order_of_crossing_spans() -> None:
    d = Article("d", "x" * 300, language="en")
    s = Article("s", "y" * 300, language="en")
    same = [Span(0, 100, 0, 100, "near"), Span(100, 200, 100, 200, "near"), Span(200, 300, 200, 300, "near")]
    crossed = [Span(0, 100, 200, 300, "near"), Span(100, 200, 100, 200, "near"), Span(200, 300, 0, 100, "near")]
    assert pair_features(d, s, same).order == 1.0
    f = pair_features(d, s, crossed)
    assert f.order == pytest.approx(1 / 3) and f.ordered_coverage == pytest.approx(1 / 3)
    assert pair_features(d, s, []).order == 0.0


def test_relation_types_from_features() -> None:
    base = pair_features(Article("d", "x " * 200, language="en"), Article("s", "x " * 200, language="en"), [])
    cfg = ClassifyConfig()
    assert relation_type(replace(base, exact_share=1.0, derived_coverage=0.95, source_coverage=1.0), cfg)[0] == (
        "verbatim"
    )
    assert relation_type(replace(base, near_share=1.0, derived_coverage=1.0, source_coverage=0.9), cfg)[0] == (
        "light_edit"
    )
    assert relation_type(replace(base, paraphrase_share=1.0, length_ratio=0.9), cfg)[0] == "paraphrase"
    assert relation_type(replace(base, paraphrase_share=1.0, length_ratio=0.2), cfg)[0] == "summary"
    assert relation_type(replace(base, cross_language=True, translation_share=1.0), cfg)[0] == "translation"


def test_tiny_texts_are_not_linked() -> None:
    f = pair_features(Article("d", "Fire.", language="en"), Article("s", "Fire.", language="en"),
                      [Span(0, 5, 0, 5, "exact")])
    assert classify_pair(f).relation is None


# --- the example corpus and the seeds ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("derived", "source", "relation"),
    [
        ("harbor-fire-verbatim", "harbor-fire-wire", "verbatim"),
        ("harbor-fire-light", "harbor-fire-wire", "light_edit"),
        ("harbor-fire-paraphrase", "harbor-fire-wire", "paraphrase"),
        ("harbor-fire-summary", "harbor-fire-wire", "summary"),
        ("harbor-fire-translation-pt", "harbor-fire-wire", "translation"),
    ],
)
def test_corpus_relations(corpus: dict[str, Article], derived: str, source: str, relation: str) -> None:
    _, got, _ = _judge(corpus[derived], corpus[source])
    assert got == relation


@pytest.mark.parametrize("other", ["harbor-fire-wire", "harbor-fire-light"])
def test_independent_report_is_not_linked(corpus: dict[str, Article], other: str) -> None:
    feats, relation, independent = _judge(corpus["harbor-fire-independent"], corpus[other])
    assert relation is None
    assert independent, "same event with shared facts should be marked independent coverage"
    assert feats.shared_facts >= 3


@pytest.mark.parametrize(("derived", "source"), [("valmora-bike-lanes", "harbor-fire-wire")])
def test_unrelated_article_is_neither_linked_nor_same_event(
    corpus: dict[str, Article], derived: str, source: str
) -> None:
    _, relation, independent = _judge(corpus[derived], corpus[source])
    assert relation is None and not independent


def test_seeds_are_not_linked() -> None:
    if not SEEDS.exists():
        pytest.skip(f"seeds missing: {SEEDS}")
    seeds = sorted(_load([SEEDS]).values(), key=lambda a: a.id)
    assert len(seeds) == 2
    a, b = seeds
    for d, s in ((a, b), (b, a)):
        _, relation, independent = _judge(d, s)
        assert relation is None, f"{d.id} must not be linked to {s.id}"
        assert independent


# --- robustness -------------------------------------------------------------------------------------------------------

_span = st.builds(
    Span,
    st.integers(-5, 400),
    st.integers(-5, 400),
    st.integers(-5, 400),
    st.integers(-5, 400),
    st.sampled_from(["exact", "near", "paraphrase", "translation"]),
    st.floats(0, 1),
)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300), st.text(max_size=300), st.lists(_span, max_size=8))
def test_features_never_crash_and_stay_in_range(derived: str, source: str, spans: list[Span]) -> None:
    f = pair_features(Article("d", derived, language="en"), Article("s", source, language="fr"), spans)
    for name in ("derived_coverage", "source_coverage", "unquoted_coverage", "order", "ordered_coverage",
                 "quote_share", "derived_novelty", "source_novelty"):
        assert 0.0 <= getattr(f, name) <= 1.0, name
    verdict = classify_pair(f)
    assert 0.0 <= verdict.score <= 1.0
