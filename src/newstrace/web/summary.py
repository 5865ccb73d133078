"""What every page of the web app needs from a store beyond one article: built once per store version, not per request.

The links, stories and sites tables are replaced whole by each trace or stored check, so everything derived from them
(the overview, links by article, the story of each article, story headlines, the story and site orderings) is
computed once from one read of those tables and reused until the store file changes. The key is the file's identity
and modification time: DuckDB lets no other process write while the app holds its read-only connection, and the
app's own writes go through ``StoreAccess.exclusive``, which closes that connection, so a changed key is seen on the
next open.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from newstrace.config import ReportConfig
from newstrace.model import Article, ArticleSignals, Link
from newstrace.report.render import Overview, build_overview, copying_sites
from newstrace.serialize import article_row
from newstrace.store import Store

StoreKey = tuple[int, ...]


def store_key(path: Path) -> StoreKey:
    """The store file's identity and last change (and its write-ahead log's, when one is left over)."""
    parts: list[int] = []
    for p in (path, path.with_name(path.name + ".wal")):
        try:
            st = os.stat(p)
        except OSError:
            parts += [-1, -1, -1, -1]
            continue
        parts += [st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size]
    return tuple(parts)


class ArticleCache:
    """Articles and their signals by id, least recently used first out, bounded by the characters of text held.

    It belongs to one version of the store (a summary), so it is never stale: a changed store gets a new one.
    """

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self._lock = threading.Lock()
        self._items: OrderedDict[str, tuple[Article | None, ArticleSignals | None]] = OrderedDict()
        self._chars = 0
        self.hits = 0
        self.misses = 0

    def get(self, store: Store, ids: Sequence[str]) -> tuple[dict[str, Article], dict[str, ArticleSignals]]:
        """The articles among ``ids`` that exist, and the signals of those that have them (read once, then kept)."""
        found: dict[str, tuple[Article | None, ArticleSignals | None]] = {}
        with self._lock:
            for i in ids:
                got = self._items.get(i)
                if got is not None:
                    self._items.move_to_end(i)
                    found[i] = got
            self.hits += len(found)
            missing = [i for i in dict.fromkeys(ids) if i not in found]
            self.misses += len(missing)
        if missing:
            arts = store.get_articles(missing)
            sigs = store.get_signals(missing)
            fresh = {i: (arts.get(i), sigs.get(i)) for i in missing}  # unknown ids are kept too: no query per 404
            found.update(fresh)
            self._put(fresh)
        arts_out = {i: a for i, (a, _) in found.items() if a is not None}
        sigs_out = {i: g for i, (_, g) in found.items() if g is not None}
        return arts_out, sigs_out

    def rows(self, store: Store, ids: Sequence[str]) -> list[dict[str, Any]]:
        """``articles.jsonl``-shaped rows of the ``ids`` that exist, in order (``Store.article_rows``)."""
        arts, sigs = self.get(store, ids)
        return [article_row(arts[i], sigs.get(i)) for i in ids if i in arts]

    def _put(self, items: Mapping[str, tuple[Article | None, ArticleSignals | None]]) -> None:
        with self._lock:
            for i, item in items.items():
                if i in self._items:
                    continue
                size = _cost(item[0])
                if size > self.max_chars:
                    continue
                self._items[i] = item
                self._chars += size
            while self._chars > self.max_chars and self._items:
                _, (art, _sig) = self._items.popitem(last=False)
                self._chars -= _cost(art)


def _cost(article: Article | None) -> int:
    # Text length, with a floor for the objects around it, so that remembered unknown ids are bounded too.
    return max(200, len(article.text) if article is not None else 0)


@dataclass(frozen=True)
class StoreSummary:
    """The derived read-side views of one version of a store (shared by all requests: never mutate its rows)."""

    key: StoreKey
    article_ids: tuple[str, ...]  # input order
    links: tuple[Link, ...]  # by (derived, source)
    links_by_article: Mapping[str, tuple[Link, ...]]  # either side, by (derived, source)
    link_by_pair: Mapping[tuple[str, str], Link]
    stories: tuple[dict[str, Any], ...]  # largest first, then by id
    story_by_id: Mapping[str, dict[str, Any]]
    story_ids: tuple[str, ...]  # sorted
    story_by_article: Mapping[str, dict[str, Any]]
    heads: Mapping[str, str]  # story id -> headline
    sites: tuple[dict[str, Any], ...]  # by site
    copying_sites: tuple[dict[str, Any], ...]
    overview: Overview
    multi_stories: tuple[dict[str, Any], ...]  # stories of more than one article, largest first (the index page)
    articles: ArticleCache = field(default_factory=lambda: ArticleCache(0), compare=False)

    def story_links(self, members: Sequence[str]) -> list[Link]:
        """Links between members of one story, by (derived, source)."""
        member_set = set(members)
        found = {
            (k.derived, k.source): k
            for m in members
            for k in self.links_by_article.get(m, ())
            if k.derived in member_set and k.source in member_set
        }
        return [found[key] for key in sorted(found)]


def _titles(store: Store, ids: Sequence[str]) -> dict[str, str | None]:
    # Only ids and titles: the headline of every story needs no article text.
    if not ids:
        return {}
    rows = store.con.execute("SELECT id, title FROM articles WHERE id IN (SELECT unnest(?))", [list(ids)]).fetchall()
    return {str(r[0]): r[1] for r in rows}


def story_heads(store: Store, rows: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """A headline per story: the title of its first origin (else of any member), else the first id."""
    want = [str((r.get("origins") or r.get("articles") or [""])[0]) for r in rows]
    titles = _titles(store, sorted(set(want)))
    return {str(r.get("story", "")): str(titles.get(w) or w) for r, w in zip(rows, want, strict=True)}


def summarise_store(
    store: Store, key: StoreKey, config: ReportConfig, index_stories: int, cache_chars: int
) -> StoreSummary:
    """Read the results tables once and derive every view the pages share (``index_stories`` rows on ``/``).

    Articles are not read here: they are read when first shown and then kept, up to ``cache_chars`` of text.
    """
    ids = tuple(store.article_ids())
    links = tuple(store.links())
    by_article: dict[str, list[Link]] = {}
    for k in links:
        by_article.setdefault(k.derived, []).append(k)
        if k.source != k.derived:
            by_article.setdefault(k.source, []).append(k)
    story_rows = store.story_rows()
    stories = tuple(sorted(story_rows, key=lambda r: (-len(r.get("articles", [])), str(r.get("story", "")))))
    story_by_article: dict[str, dict[str, Any]] = {}
    for row in sorted(story_rows, key=lambda r: str(r.get("story", ""))):
        for a in row.get("articles", []):
            story_by_article.setdefault(str(a), row)  # an article in two stories (a bad store) keeps the first
    sites = tuple(store.site_rows())
    multi = tuple(r for r in stories if len(r.get("articles", [])) > 1)[:index_stories]
    return StoreSummary(
        key=key,
        article_ids=ids,
        links=links,
        links_by_article=MappingProxyType({a: tuple(ks) for a, ks in by_article.items()}),
        link_by_pair=MappingProxyType({(k.derived, k.source): k for k in links}),
        stories=stories,
        story_by_id=MappingProxyType({str(r.get("story", "")): r for r in stories}),
        story_ids=tuple(sorted(str(r.get("story", "")) for r in stories)),
        story_by_article=MappingProxyType(story_by_article),
        heads=MappingProxyType(story_heads(store, stories)),
        sites=sites,
        copying_sites=tuple(copying_sites(sites, len(sites))),
        overview=build_overview(len(ids), links, story_rows, sites, config),
        multi_stories=multi,
        articles=ArticleCache(cache_chars),
    )
