"""Read-side lookups the web app needs beyond the Store API: search, and links named in a URL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from newstrace.model import Link
from newstrace.store import Store
from newstrace.web.summary import StoreSummary

# At most this many words of a query are matched (each word is one ILIKE over the article texts).
MAX_QUERY_WORDS = 8
MAX_QUERY_CHARS = 500
# A /links/DERIVED/SOURCE path with more "/"-separated parts than this is not looked up.
MAX_LINK_PATH_PARTS = 64


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result: an article (with where it matched and a snippet), a story or a site."""

    kind: str  # "article", "story" or "site"
    id: str
    title: str | None = None
    site: str | None = None
    date: str | None = None
    matched: str = ""  # id, url, site, title or text
    snippet: str | None = None


def _like(term: str) -> str:
    # ILIKE pattern matching ``term`` literally anywhere ('\' is the ESCAPE character).
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _snippet(text: str, words: Sequence[str], width: int = 90) -> str:
    low = text.lower()
    at = min((i for i in (low.find(w.lower()) for w in words) if i >= 0), default=0)
    lo, hi = max(0, at - width), min(len(text), at + width)
    return ("…" if lo else "") + " ".join(text[lo:hi].split()) + ("…" if hi < len(text) else "")


def search(store: Store, summary: StoreSummary, query: str, limit: int) -> list[SearchHit]:
    """Articles whose id, URL, site, title or text contains the query (all its words), then stories and sites.

    Exact id matches come first. Articles are matched by DuckDB (case-insensitive substring matching), so a search
    never loads the corpus into Python; stories and sites come from the store's summary.
    """
    q = " ".join(query.split())[:MAX_QUERY_CHARS]
    if not q:
        return []
    words = q.split()[:MAX_QUERY_WORDS]
    whole = _like(q)
    # The articles table is read with SQL here (not through a Store method) so that the query stays in DuckDB.
    word_sql = " AND ".join(["(coalesce(title, '') || ' ' || text) ILIKE ? ESCAPE '\\'"] * len(words))
    sql = f"""
        SELECT id, title, site, date, url, text,
          CASE WHEN id = ? THEN 0 WHEN url = ? THEN 1
               WHEN id ILIKE ? ESCAPE '\\' THEN 2 WHEN coalesce(url, '') ILIKE ? ESCAPE '\\' THEN 3
               WHEN coalesce(site, '') ILIKE ? ESCAPE '\\' THEN 4 WHEN coalesce(title, '') ILIKE ? ESCAPE '\\' THEN 5
               ELSE 6 END AS rank
        FROM articles
        WHERE id = ? OR url = ? OR id ILIKE ? ESCAPE '\\' OR coalesce(url, '') ILIKE ? ESCAPE '\\'
           OR coalesce(site, '') ILIKE ? ESCAPE '\\' OR ({word_sql})
        ORDER BY rank, seq LIMIT ?"""
    params: list[Any] = [q, q, whole, whole, whole, whole, q, q, whole, whole, whole, *map(_like, words), int(limit)]
    rows = store.con.execute(sql, params).fetchall()
    names = ["id", "url", "id", "url", "site", "title", "text"]
    hits = [
        SearchHit("article", r[0], r[1], r[2], r[3], names[r[6]], _snippet(r[5] or "", words) if r[6] >= 5 else None)
        for r in rows
    ]
    low = q.lower()
    for story_id in summary.story_ids:
        if len(hits) >= limit:
            break
        if low in story_id.lower():
            hits.append(SearchHit("story", story_id, matched="id"))
    for p in summary.sites:
        if len(hits) >= limit:
            break
        if low in str(p.get("site", "")).lower():
            hits.append(SearchHit("site", str(p["site"]), site=str(p["site"]), matched="site"))
    return hits


def split_link_path(summary: StoreSummary, pair: str) -> Link | None:
    """The link named by ``DERIVED/SOURCE`` where either id may itself contain ``/``: each split point is tried."""
    parts = pair.split("/")
    if len(parts) > MAX_LINK_PATH_PARTS:  # no real pair of ids has this many parts
        return None
    for i in range(1, len(parts)):
        found = summary.link_by_pair.get(("/".join(parts[:i]), "/".join(parts[i:])))
        if found:
            return found
    return None
