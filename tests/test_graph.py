"""Stories and site profiles on a small hand-built link set."""

from __future__ import annotations

import datetime as dt

from newstrace.graph import build_stories, site_profiles, story_id
from newstrace.model import Article, Link, PubDate


def _link(derived: str, source: str, *, attributed: bool = False, lag: float | None = 1.0) -> Link:
    return Link(
        derived=derived,
        source=source,
        relation="verbatim",
        score=0.9,
        origin=source,
        lag_days=lag,
        attributed=attributed,
        stale=False,
        derived_coverage=1.0,
        source_coverage=1.0,
    )


def _article(aid: str, site: str | None) -> Article:
    return Article(id=aid, text="text", date=PubDate.day(dt.date(2026, 3, 5)), site=site)


def test_stories_are_components_of_links_and_independent_pairs() -> None:
    links = [_link("copy", "wire"), _link("scrape", "copy")]
    stories = build_stories(["wire", "copy", "scrape", "indep", "lonely"], links, [("indep", "wire")])
    by_members = {s.articles: s for s in stories}
    event = by_members[("copy", "indep", "scrape", "wire")]
    # The independent report derives from nobody, so it is an origin of its story next to the wire.
    assert event.origins == ("indep", "wire")
    assert event.id == story_id(["wire", "copy", "scrape", "indep"])
    assert by_members[("lonely",)].origins == ("lonely",)
    assert len(stories) == 2


def test_story_ids_are_deterministic_and_order_free() -> None:
    a = build_stories(["x", "y"], [_link("y", "x")], [])
    b = build_stories(["y", "x"], [_link("y", "x")], [])
    assert a == b
    assert a[0].id.startswith("story-") and len(a[0].id) == len("story-") + 12


def test_singletons_can_be_left_out() -> None:
    stories = build_stories(["a", "b", "c"], [_link("b", "a")], [], include_singletons=False)
    assert [s.articles for s in stories] == [("a", "b")]


def test_site_profiles_shares_and_median_lag() -> None:
    articles = [
        _article("w1", "wire.example"),
        _article("w2", "wire.example"),
        _article("c1", "copies.example"),
        _article("c2", "copies.example"),
        _article("c3", "copies.example"),
        _article("n1", None),
    ]
    links = [
        _link("c1", "w1", attributed=True, lag=1.0),
        _link("c2", "w1", attributed=False, lag=3.0),
        _link("c2", "w2", attributed=False, lag=2.0),  # second source: smallest lag counts
        _link("n1", "w2", attributed=False, lag=None),
    ]
    profiles = {p.site: p for p in site_profiles(articles, links)}
    copies = profiles["copies.example"]
    assert copies.articles == 3
    assert copies.derived_share == 2 / 3
    assert copies.uncredited_share == 1 / 2
    assert copies.median_lag_days == 1.5  # median of c1: 1 and c2: min(3, 2) = 2
    wire = profiles["wire.example"]
    assert (wire.derived_share, wire.uncredited_share, wire.median_lag_days) == (0.0, 0.0, None)
    unknown = profiles["unknown"]
    assert unknown.derived_share == 1.0 and unknown.uncredited_share == 1.0 and unknown.median_lag_days is None
