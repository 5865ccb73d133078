"""Direction, credit, staleness, source selection and chains, on the example corpus and small link sets."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from newstrace.align import align_pair
from newstrace.attribute import (
    build_link,
    orient,
    resolve_origins,
    select_all_sources,
    select_sources,
    swap_spans,
)
from newstrace.classify import PairVerdict
from newstrace.config import AlignConfig, IngestConfig, SignalConfig
from newstrace.ingest import iter_articles
from newstrace.model import Article, ArticleSignals, Changes, Credit, Link, PubDate, Span
from newstrace.signals import detect_signals

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus"
# Lexical alignment is enough for copies and edits and keeps these tests fast.
LEXICAL = AlignConfig(semantic=False)


@pytest.fixture(scope="module")
def corpus() -> dict[str, Article]:
    path = CORPUS / "articles.jsonl"
    if not path.exists():
        pytest.skip(f"example corpus missing: {path}")
    out = {}
    for a in iter_articles([path], IngestConfig()):
        if isinstance(a, Article) and a.id.startswith("harbor-fire"):
            # The harbor-fire articles without a language field are English (see examples/corpus/README.md).
            out[a.id] = replace(a, language=a.language or "en")
    return out


def _signals(a: Article) -> ArticleSignals:
    return detect_signals(a, SignalConfig())


def _link(corpus: dict[str, Article], derived: str, source: str, relation: str = "light_edit") -> Link:
    d, s = corpus[derived], corpus[source]
    spans = align_pair(d.text, s.text, LEXICAL, derived_lang=d.language, source_lang=s.language)
    verdict = PairVerdict(relation, 0.9, False, "given")  # type: ignore[arg-type]
    return build_link(d, s, spans, verdict, _signals(d), _signals(s))


def test_orient_by_dates(corpus: dict[str, Article]) -> None:
    light, wire = corpus["harbor-fire-light"], corpus["harbor-fire-wire"]
    assert orient(wire, light) == ("harbor-fire-light", "harbor-fire-wire", "dated")
    assert orient(light, wire) == ("harbor-fire-light", "harbor-fire-wire", "dated")


def test_orient_same_day_uses_credit(corpus: dict[str, Article]) -> None:
    # Same publication day: the syndicated copy credits Reuters, whose site published the wire.
    copy, wire = corpus["harbor-fire-verbatim"], corpus["harbor-fire-wire"]
    assert copy.date == wire.date
    got = orient(wire, copy, (), _signals(wire), _signals(copy))
    assert got == ("harbor-fire-verbatim", "harbor-fire-wire", "inferred")


def test_orient_without_dates_uses_containment(corpus: dict[str, Article]) -> None:
    summary = replace(corpus["harbor-fire-summary"], date=None, site=None)
    wire = replace(corpus["harbor-fire-wire"], date=None, site=None)
    # A summary is mostly explained by the wire, the wire only a little by the summary.
    spans = [Span(0, len(summary.text), 0, 600, "paraphrase", 0.7)]
    assert orient(summary, wire, spans) == (summary.id, wire.id, "inferred")
    assert orient(wire, summary, swap_spans(spans)) == (summary.id, wire.id, "inferred")


def test_orient_is_deterministic_without_any_evidence() -> None:
    a = Article(id="a", text="same text here")
    b = Article(id="b", text="same text here")
    assert orient(a, b) == orient(b, a)
    assert orient(a, b)[2] == "inferred"


def test_build_link_credit_lag_and_changes(corpus: dict[str, Article]) -> None:
    verbatim = _link(corpus, "harbor-fire-verbatim", "harbor-fire-wire", "verbatim")
    assert verbatim.attributed and not verbatim.stale and verbatim.lag_days == 0.0
    assert verbatim.origin == "harbor-fire-wire" and verbatim.direction == "inferred"
    light = _link(corpus, "harbor-fire-light", "harbor-fire-wire")
    assert not light.attributed  # the aggregator cut the credit
    assert light.lag_days == 1.0 and light.direction == "dated"
    assert light.derived_coverage > 0.9 and light.source_coverage > 0.8
    assert "5.9 → 6" in light.changes.changed


def test_build_link_without_details_differs_only_in_changes_and_staleness(corpus: dict[str, Article]) -> None:
    d, s = corpus["harbor-fire-light"], corpus["harbor-fire-wire"]
    spans = align_pair(d.text, s.text, LEXICAL, derived_lang=d.language, source_lang=s.language)
    verdict = PairVerdict("light_edit", 0.9, False, "given")
    full = build_link(d, s, spans, verdict, _signals(d), _signals(s))
    light = build_link(d, s, spans, verdict, _signals(d), _signals(s), details=False)
    assert full.changes.changed and light.changes == Changes() and not light.stale
    assert replace(full, changes=Changes(), stale=False) == light


def test_build_link_reorients_a_reversed_pair(corpus: dict[str, Article]) -> None:
    link = _link(corpus, "harbor-fire-wire", "harbor-fire-light")
    assert (link.derived, link.source) == ("harbor-fire-light", "harbor-fire-wire")
    light = corpus["harbor-fire-light"]
    for sp in link.spans:
        assert 0 <= sp.derived_start < sp.derived_end <= len(light.text)


def test_stale_paraphrase_weeks_later(corpus: dict[str, Article]) -> None:
    d, s = corpus["harbor-fire-paraphrase"], corpus["harbor-fire-wire"]
    spans = [Span(0, 200, 0, 200, "paraphrase", 0.7)]
    link = build_link(d, s, spans, PairVerdict("paraphrase", 0.8, False, "given"), _signals(d), _signals(s))
    assert link.lag_days == 42.0 and link.stale and not link.attributed


def test_unlinked_verdict_is_refused(corpus: dict[str, Article]) -> None:
    d, s = corpus["harbor-fire-light"], corpus["harbor-fire-wire"]
    with pytest.raises(ValueError):
        build_link(d, s, [], PairVerdict(None, 0.1, True, "independent"))


def test_chain_scraper_copy_keeps_light_edit_as_source_and_wire_as_origin(corpus: dict[str, Article]) -> None:
    links = [
        _link(corpus, "harbor-fire-chain", "harbor-fire-light"),
        _link(corpus, "harbor-fire-chain", "harbor-fire-wire"),
        _link(corpus, "harbor-fire-light", "harbor-fire-wire"),
    ]
    selected = select_sources("harbor-fire-chain", links) + select_sources("harbor-fire-light", links)
    assert {(k.derived, k.source) for k in selected} == {
        ("harbor-fire-chain", "harbor-fire-light"),
        ("harbor-fire-light", "harbor-fire-wire"),
    }
    resolved = {k.derived: k.origin for k in resolve_origins(selected)}
    assert resolved == {"harbor-fire-chain": "harbor-fire-wire", "harbor-fire-light": "harbor-fire-wire"}


def _mk(derived: str, source: str, spans: tuple[Span, ...], score: float = 0.9) -> Link:
    return Link(derived, source, "light_edit", score, source, 1.0, False, False, 0.5, 0.5, spans)


def test_select_sources_keeps_an_ancestor_that_explains_its_own_part() -> None:
    # C copies paragraph 1 from B (an edited copy of A, with B's edits) and paragraph 2 straight from A.
    c_b = _mk("C", "B", (Span(0, 500, 0, 500, "exact"),))
    c_a = _mk("C", "A", (Span(0, 500, 0, 500, "near", 0.9), Span(600, 1100, 600, 1100, "exact")))
    b_a = _mk("B", "A", (Span(0, 500, 0, 500, "near", 0.9),))
    assert {k.source for k in select_sources("C", [c_b, c_a, b_a])} == {"A", "B"}
    # If B's paragraph 1 is word for word A's, nothing shows C used B: A alone.
    c_a_exact = _mk("C", "A", (Span(0, 500, 0, 500, "exact"), Span(600, 1100, 600, 1100, "exact")))
    assert [k.source for k in select_sources("C", [c_b, c_a_exact, b_a])] == ["A"]
    # Without the second paragraph neither explains anything the other does not: the closer wording decides.
    c_a_near = _mk("C", "A", (Span(0, 500, 0, 500, "near", 0.9),))
    assert [k.source for k in select_sources("C", [c_b, c_a_near, b_a])] == ["B"]
    # Equally close: B only repeats A, so the original A is kept.
    c_a_same = _mk("C", "A", (Span(0, 500, 0, 500, "exact"),))
    assert [k.source for k in select_sources("C", [c_b, c_a_same, b_a])] == ["A"]
    # B explains text A does not (C copied B's additions): B is the source even if A looks as close.
    c_b_more = _mk("C", "B", (Span(0, 1100, 0, 1100, "near", 0.9),))
    assert [k.source for k in select_sources("C", [c_b_more, c_a_same, b_a])] == ["B"]


def test_select_all_sources_is_select_sources_for_each_derived_article() -> None:
    c_b = _mk("C", "B", (Span(0, 500, 0, 500, "exact"),))
    c_a = _mk("C", "A", (Span(0, 500, 0, 500, "near", 0.9), Span(600, 1100, 600, 1100, "exact")))
    c_a_same = _mk("C", "A", (Span(0, 500, 0, 500, "exact"),))
    b_a = _mk("B", "A", (Span(0, 500, 0, 500, "near", 0.9),))
    d_c = _mk("D", "C", (Span(0, 300, 0, 300, "exact"),))
    d_b = _mk("D", "B", (Span(0, 300, 0, 300, "near", 0.7),))
    for links in ([c_b, c_a, b_a, d_c, d_b], [d_b, c_a_same, b_a, c_b, d_c], [b_a]):
        each = [k for derived in sorted({k.derived for k in links}) for k in select_sources(derived, links)]
        assert select_all_sources(links) == each
    assert [k.source for k in select_all_sources([c_b, c_a_same, b_a])] == ["A", "A"]


def test_select_sources_credit_and_strength_break_ties() -> None:
    b_a = _mk("B", "A", (Span(0, 500, 0, 500, "near", 0.9),))
    # C credits A's outlet and not B's: A, even though C's wording is a little closer to B.
    c_b = _mk("C", "B", (Span(0, 500, 0, 500, "paraphrase", 0.8),))
    c_a = replace(_mk("C", "A", (Span(0, 500, 0, 500, "paraphrase", 0.7),)), attributed=True)
    assert [k.source for k in select_sources("C", [c_b, c_a, b_a])] == ["A"]
    # A explains a little more (below the unique-text bar) at the same similarity: A.
    c_a_more = _mk("C", "A", (Span(0, 600, 0, 600, "paraphrase", 0.8),))
    assert [k.source for k in select_sources("C", [c_b, c_a_more, b_a])] == ["A"]


def test_select_sources_prefers_the_wire_over_its_verbatim_copy(corpus: dict[str, Article]) -> None:
    links = [
        _link(corpus, "harbor-fire-light", "harbor-fire-verbatim"),
        _link(corpus, "harbor-fire-light", "harbor-fire-wire"),
        _link(corpus, "harbor-fire-verbatim", "harbor-fire-wire", "verbatim"),
    ]
    assert [k.source for k in select_sources("harbor-fire-light", links)] == ["harbor-fire-wire"]


def test_select_sources_keeps_unrelated_sources() -> None:
    links = [_mk("C", "A", (Span(0, 100, 0, 100, "exact"),)), _mk("C", "B", (Span(0, 100, 0, 100, "exact"),))]
    assert len(select_sources("C", links)) == 2
    # Each explains its own half: both stay even when one is weaker.
    halves = [_mk("C", "A", (Span(0, 500, 0, 500, "exact"),)), _mk("C", "B", (Span(500, 1000, 0, 500, "near"),), 0.5)]
    assert len(select_sources("C", halves)) == 2


def test_select_sources_explains_away_a_weak_same_event_source() -> None:
    # A brief made from the wire (strong link) also resembles an independent report (weak link, same passages).
    wire = _mk("brief", "wire", (Span(0, 500, 0, 2000, "paraphrase", 0.6),), 0.99)
    indep = _mk("brief", "indep", (Span(0, 270, 0, 900, "paraphrase", 0.65),), 0.55)
    assert [k.source for k in select_sources("brief", [wire, indep])] == ["wire"]


def test_resolve_origins_follows_chains_and_survives_cycles() -> None:
    links = [_mk("D", "C", ()), _mk("C", "B", ()), _mk("B", "A", ())]
    assert {k.derived: k.origin for k in resolve_origins(links)} == {"D": "A", "C": "A", "B": "A"}
    cyclic = [_mk("X", "Y", ()), _mk("Y", "X", ())]
    assert {k.derived: k.origin for k in resolve_origins(cyclic)} == {"X": "Y", "Y": "X"}


def test_attribution_through_the_sources_own_credit() -> None:
    # A scraper credits AP; its source is a syndicating site whose text credits AP: attributed.
    day = PubDate.day(dt.date(2026, 3, 23))
    src = Article(id="s", text="BRENNAN FALLS (AP) — Train operators walked out.", date=day, site="gazette.example")
    der = Article(id="d", text="Train operators walked out, the AP reported.", date=day, site="scraper.example")
    s_sig = ArticleSignals("s", credits=(Credit("Associated Press", 15, 17, "dateline"),))
    d_sig = ArticleSignals("d", credits=(Credit("Associated Press", 36, 38, "according_to"),))
    spans = [Span(0, 30, 22, 50, "near", 0.9)]
    link = build_link(der, src, spans, PairVerdict("light_edit", 0.9, False, "given"), d_sig, s_sig)
    assert link.attributed
    plain = build_link(der, src, spans, PairVerdict("light_edit", 0.9, False, "given"), None, s_sig)
    assert not plain.attributed


def test_unrelated_source_explaining_far_less_is_dropped_even_with_a_high_score() -> None:
    # A brief made from the wire also resembles an independent report of the same event: both links score high, but
    # the report explains a fraction of what the wire does and nothing of its own.
    c_wire = _mk("C", "W", (Span(0, 400, 0, 400, "paraphrase", 0.7),), score=0.99)
    c_ind = _mk("C", "I", (Span(100, 300, 50, 250, "paraphrase", 0.6),), score=0.9)
    assert [k.source for k in select_sources("C", [c_wire, c_ind])] == ["W"]
    # When the report explains text of its own, C may have used both: both stay.
    c_ind_own = _mk("C", "I", (Span(100, 300, 50, 250, "paraphrase", 0.6), Span(500, 900, 300, 700, "near", 0.9)))
    assert {k.source for k in select_sources("C", [c_wire, c_ind_own])} == {"W", "I"}
