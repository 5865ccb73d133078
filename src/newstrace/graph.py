"""Stories (groups of articles about one event, linked or independent) and per-site profiles."""

from __future__ import annotations

import hashlib
import logging
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence

from newstrace.model import Article, Link, SiteProfile, Story

log = logging.getLogger(__name__)

UNKNOWN_SITE = "unknown"


def story_id(members: Iterable[str]) -> str:
    """Deterministic id of a story: a short hash of its sorted member ids."""
    digest = hashlib.sha1("\n".join(sorted(members)).encode("utf-8")).hexdigest()
    return f"story-{digest[:12]}"


def build_stories(
    article_ids: Sequence[str],
    links: Sequence[Link],
    related_pairs: Iterable[tuple[str, str]] = (),
    *,
    include_singletons: bool = True,
) -> list[Story]:
    """Connected components over links and independent same-event pairs, sorted by id.

    ``origins`` are the members that derive from no other member. Ids not in ``article_ids`` are added (a link's
    endpoints are always members).
    """
    parent: dict[str, str] = {a: a for a in article_ids}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for k in links:
        union(k.derived, k.source)
    for a, b in related_pairs:
        union(a, b)
    groups: dict[str, list[str]] = defaultdict(list)
    for x in list(parent):
        groups[find(x)].append(x)
    derived = {k.derived for k in links if k.derived != k.source}
    stories: list[Story] = []
    for members in groups.values():
        if len(members) < 2 and not include_singletons:
            continue
        members.sort()
        origins = tuple(m for m in members if m not in derived)
        stories.append(Story(id=story_id(members), articles=tuple(members), origins=origins))
    stories.sort(key=lambda s: s.id)
    return stories


def site_profiles(articles: Sequence[Article], links: Sequence[Link]) -> list[SiteProfile]:
    """Per site: how many of its articles derive from another, how many of those credit no source, median lag.

    ``derived_share`` = derived articles / articles; ``uncredited_share`` = derived articles none of whose links is
    attributed / derived articles (0 when the site has none); ``median_lag_days`` = median over derived articles of
    the smallest known lag to a direct source. Articles without a site count under ``"unknown"``.
    """
    by_derived: dict[str, list[Link]] = defaultdict(list)
    for k in links:
        by_derived[k.derived].append(k)
    per_site: dict[str, list[Article]] = defaultdict(list)
    for a in articles:
        per_site[a.site or UNKNOWN_SITE].append(a)
    out: list[SiteProfile] = []
    for site in sorted(per_site):
        members = per_site[site]
        derived = [a for a in members if by_derived.get(a.id)]
        uncredited = [a for a in derived if not any(k.attributed for k in by_derived[a.id])]
        lags = [
            min(k.lag_days for k in by_derived[a.id] if k.lag_days is not None)
            for a in derived
            if any(k.lag_days is not None for k in by_derived[a.id])
        ]
        out.append(
            SiteProfile(
                site=site,
                articles=len(members),
                derived_share=len(derived) / len(members),
                uncredited_share=len(uncredited) / len(derived) if derived else 0.0,
                median_lag_days=float(statistics.median(lags)) if lags else None,
            )
        )
    return out
