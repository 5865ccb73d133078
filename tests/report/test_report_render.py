"""The HTML report: span highlighting, safe URLs, graph layout, escaping of hostile articles, size caps."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from html import unescape
from pathlib import Path
from types import ModuleType

from hypothesis import given
from hypothesis import strategies as st

from newstrace.config import ReportConfig
from newstrace.model import Article, Link, PubDate
from newstrace.report import highlight_segments, render_report, safe_url, write_report
from newstrace.report.render import article_card, layout_story, marks
from newstrace.store import Store

KINDS = ["exact", "near", "paraphrase", "translation"]


# -- highlight_segments ----------------------------------------------------------------------------------------------
def test_highlight_segments_cuts_at_span_boundaries() -> None:
    pieces = highlight_segments("abcdefghij", [(2, 5, "exact", 0), (7, 9, "near", 1)])
    assert pieces == [("ab", None, None), ("cde", "exact", 0), ("fg", None, None), ("hi", "near", 1), ("j", None, None)]


def test_highlight_segments_overlap_latest_start_wins_and_clamps() -> None:
    pieces = highlight_segments("abcdefghij", [(3, 8, "near", 5), (0, 5, "exact", 2), (8, 99, "paraphrase", 7)])
    assert pieces == [("abc", "exact", 2), ("defgh", "near", 5), ("ij", "paraphrase", 7)]
    assert highlight_segments("abc", [(5, 9, "exact", 0), (2, 2, "near", 1), (-4, -1, "near", 2)]) == [
        ("abc", None, None)
    ]
    assert highlight_segments("", [(0, 3, "exact", 0)]) == []


@given(
    text=st.text(max_size=60),
    ranges=st.lists(
        st.tuples(st.integers(-5, 70), st.integers(-5, 70), st.sampled_from(KINDS), st.integers(0, 9)), max_size=8
    ),
)
def test_highlight_segments_tiles_the_text(text: str, ranges: list[tuple[int, int, str, int]]) -> None:
    pieces = highlight_segments(text, ranges)
    assert "".join(p[0] for p in pieces) == text
    assert all(p[0] for p in pieces)
    assert all((a[1], a[2]) != (b[1], b[2]) for a, b in itertools.pairwise(pieces))
    n = len(text)
    clamped = [(max(0, min(s, n)), max(0, min(e, n)), order, k, i) for order, (s, e, k, i) in enumerate(ranges)]
    pos = 0
    for piece, kind, index in pieces:
        for p in range(pos, pos + len(piece)):
            covering = sorted((-s, e, order, k, i) for s, e, order, k, i in clamped if s <= p < e)
            assert (kind, index) == ((covering[0][3], covering[0][4]) if covering else (None, None))
        pos += len(piece)


def test_marks_flag_only_the_first_piece_of_each_span() -> None:
    pieces = highlight_segments("abcdefgh", [(0, 6, "exact", 0), (2, 4, "bogus-kind", 1)])
    drawn = marks(pieces)
    assert drawn == [
        ("ab", "exact", 0, True),
        ("cd", "other", 1, True),
        ("ef", "exact", 0, False),
        ("gh", None, None, False),
    ]


def test_safe_url_allows_only_http_links() -> None:
    assert safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert safe_url("http://example.org") == "http://example.org"
    bad_urls = [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java\nscript:alert(1)",
        " https://x.org",
        "//evil.example/x",
    ]
    for bad in [*bad_urls, "data:text/html,x", "/relative", "https://", "", None, 42]:
        assert safe_url(bad) is None, bad


# -- graph layout ----------------------------------------------------------------------------------------------------
class _Anchors:
    def article(self, article_id: str) -> str | None:
        return f"#a-{article_id}"

    def story(self, story_id: str) -> str | None:
        return None

    def link(self, derived: str, source: str) -> str | None:
        return f"#l-{derived}-{source}"


def test_layout_places_by_date_without_overlap() -> None:
    day = dt.date(2026, 3, 1)
    arts = [Article(f"a{i}", "x", PubDate.day(day + dt.timedelta(days=i // 4))) for i in range(12)]
    arts.append(Article("undated", "x"))
    cards = {a.id: article_card(a) for a in arts}
    links = [Link(f"a{i}", "a0", "verbatim", 0.9, "a0", float(i // 4), True, False, 1.0, 1.0) for i in range(1, 12)]
    g = layout_story([a.id for a in arts], ["a0"], links, cards, _Anchors(), ReportConfig())
    xs = {n.id: n.x for n in g.nodes}
    assert xs["a0"] < xs["a4"] < xs["a8"] < xs["undated"]
    boxes = [(n.x, n.y) for n in g.nodes]
    for i, (x1, y1) in enumerate(boxes):
        for x2, y2 in boxes[i + 1 :]:
            assert abs(x1 - x2) >= 168 or abs(y1 - y2) >= 38, "node boxes overlap"
    assert len(g.edges) == 11
    assert {e.label for e in g.edges} == {"verbatim +0d", "verbatim +1d", "verbatim +2d"}
    assert {e.href for e in g.edges} >= {"#l-a1-a0"}
    assert [n.origin for n in g.nodes if n.id == "a0"] == [True]
    cyclic = [Link("a1", "a2", "verbatim", 1, "a1", 0.0, True, False, 1, 1), Link("a2", "a1", "verbatim", 1, "a1", 0.0,
              True, False, 1, 1)]  # fmt: skip
    assert len(layout_story(["a1", "a2"], [], cyclic, cards, _Anchors(), ReportConfig()).edges) == 2
    small = layout_story([a.id for a in arts], ["a0"], links, cards, _Anchors(), ReportConfig(graph_max_nodes=5))
    assert len(small.nodes) == 5 and small.omitted == 8


# -- the report ------------------------------------------------------------------------------------------------------
def test_report_shows_overview_story_graph_and_side_by_side(hand_store_path: Path) -> None:
    with Store(hand_store_path, read_only=True) as store:
        html = render_report(store, title="Test report")
    assert "<h1>Test report</h1>" in html
    assert re.search(r'<div class="big">4</div><div class="lbl">articles', html)
    assert re.search(r'<div class="big">2</div><div class="lbl">derived → source links', html)
    assert '<svg class="graph"' in html and "light_edit +15d" in html and "verbatim +1d" in html
    # Side by side: the derived passage links to its source counterpart and back.
    assert 'id="link-0-d0" href="#link-0-s0"' in html and 'id="link-0-s0" href="#link-0-d0"' in html
    for kind in ("exact", "near", "paraphrase"):
        assert f'class="m {kind}"' in html
    assert "uncredited" in html and ">stale<" in html
    assert "<li>Copied</li>" in html  # changes.added
    # Ids with '/', ':', '?' and '#' appear as text; anchors are positional and never built from ids.
    assert "copy/with:odd?chars#1" in html
    assert not re.search(r'id="[^"]*[/:?#][^"]*"', html)


def test_report_escapes_hostile_articles_and_is_self_contained(hand_store_path: Path, data: ModuleType) -> None:
    with Store(hand_store_path, read_only=True) as store:
        html = render_report(store)
    assert data.unsafe_markup(html) == []
    assert "<script" not in html.lower()
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    assert 'href="javascript:' not in html.lower()
    assert "javascript:window.__xss=7" in html  # the URL is shown, as text
    assert data.XSS_TITLE in unescape(html)
    assert "@import" not in html and "url(" not in html.replace("url(#", "")


def test_report_caps_links_and_stories_and_says_so(hand_store_path: Path) -> None:
    with Store(hand_store_path, read_only=True) as store:
        html = render_report(store, config=ReportConfig(max_links=1, max_articles=2))
    assert "It shows 1 of 2 links side by side" in html
    assert "Showing the first 2 of 4 articles" in html
    assert html.count('<details class="link"') == 1


def test_report_on_empty_store(tmp_path: Path, data: ModuleType) -> None:
    with Store(tmp_path / "empty.duckdb") as store:
        html = render_report(store)
    assert "No story has more than one article" in html
    assert data.unsafe_markup(html) == []


def test_report_of_the_traced_example_corpus(traced_store: Path, tmp_path: Path, data: ModuleType) -> None:
    with Store(traced_store, read_only=True) as store:
        links = store.links()
        multi = [s for s in store.story_rows() if len(s["articles"]) > 1]
        path = write_report(store, tmp_path / "report.html")
    html = path.read_text(encoding="utf-8")
    assert links and multi, "the example corpus has copies, so the pipeline must find some"
    assert len(html) < 3_000_000
    # Every link has its side-by-side block and every story with two or more articles its graph.
    assert html.count('<details class="link"') == len(links)
    assert html.count('<svg class="graph"') == len(multi)
    for k in links:
        assert f"{k.relation} {_lag_label(k.lag_days)}" in html
    assert data.unsafe_markup(html) == []
    assert data.HOSTILE_ID not in html and data.XSS_TITLE in unescape(html)
    assert "harbor-fire-wire" in html
    # `trace` itself writes the same report next to its JSONL files.
    written = (traced_store.parent / "out" / "report.html").read_text(encoding="utf-8")
    assert written.count('<details class="link"') == len(links) and data.unsafe_markup(written) == []


def _lag_label(lag: float | None) -> str:
    if lag is None:
        return "?"
    return f"{lag:+.0f}d" if float(lag).is_integer() else f"{lag:+.1f}d"


def test_report_survives_inconsistent_store_rows(tmp_path: Path, data: ModuleType) -> None:
    """Links to articles the store lacks, spans past the text end, empty stories: shown as such, never a crash."""
    from newstrace.model import Span, Story

    with Store(tmp_path / "odd.duckdb") as store:
        store.upsert_articles([Article("a", "short text", PubDate.day(dt.date(2026, 1, 2)))])
        bad = Link("a", "ghost", "paraphrase", 0.6, "ghost", None, False, False, 0.5, 0.5,
                   (Span(5, 500, 900, 1000, "paraphrase"), Span(-3, 2, 0, 0, "weird")))  # fmt: skip
        store.replace_results([bad], [Story("s", ("a", "ghost"), ("ghost",)), Story("e", (), ())], [])
        html = render_report(store)
    assert "(not in the store)" in html and 'class="m paraphrase"' in html and 'class="m other"' in html
    assert data.unsafe_markup(html) == []
