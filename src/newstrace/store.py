"""DuckDB persistence only: one file holds articles, per-article features, pair verdicts and results.

Every write is one transaction, and every table is keyed so that re-running on the same input replaces
rows instead of duplicating them. Numeric arrays are stored as raw little-endian BLOBs (float16 vectors,
uint32 MinHash signatures): compact and read back with ``numpy.frombuffer`` without copies.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pyarrow as pa

from newstrace.config import CandidateConfig, StoreConfig
from newstrace.errors import StoreError
from newstrace.graph import UNKNOWN_SITE
from newstrace.model import (
    Article,
    ArticleSignals,
    Credit,
    Dateline,
    Link,
    Signal,
    SiteProfile,
    SkippedRecord,
    Story,
)
from newstrace.serialize import (
    article_row,
    credit_dict,
    dateline_dict,
    dumps,
    link_from_row,
    link_row,
    pubdate_from_iso,
    signal_dict,
    site_row,
    story_row,
)

if TYPE_CHECKING:
    from newstrace.candidates import VectorIndex

log = logging.getLogger(__name__)

# 2: no sentence vectors (embedded on demand), int8 document vectors, an anchor postings table.
SCHEMA_VERSION = "2"

# The postings tables (lsh_bands, anchors) have no primary key: they are only ever scanned whole (candidates,
# save_index) or deleted from by article, and each article's postings are written once, deduplicated, after its
# old ones are deleted. A (key, article) ART index cost more than everything else in enrichment at scale
# (measured: 100 batches of 256 articles × 194 postings, 38.6 CPU s growing per batch vs 10.0 s flat; 484 vs 45 MB
# on disk) and `check` reads the saved index instead. Stores made with the key keep it and work the same.

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS articles (
    id VARCHAR PRIMARY KEY, content_hash VARCHAR, site VARCHAR, date VARCHAR, date_earliest DATE, date_latest DATE,
    url VARCHAR, title VARCHAR, language VARCHAR, chars INTEGER, text VARCHAR, metadata VARCHAR, warnings VARCHAR,
    origin VARCHAR, seq BIGINT);
CREATE TABLE IF NOT EXISTS skipped (id VARCHAR, reason VARCHAR, origin VARCHAR, PRIMARY KEY (id, origin, reason));
CREATE TABLE IF NOT EXISTS features (
    article_id VARCHAR PRIMARY KEY, content_hash VARCHAR, language VARCHAR, lang_confidence DOUBLE,
    seg_starts BLOB, seg_ends BLOB, doc_vector BLOB, signature BLOB, anchors VARCHAR,
    credits VARCHAR, dateline VARCHAR, signals VARCHAR);
CREATE TABLE IF NOT EXISTS lsh_bands (band_key BIGINT, article_id VARCHAR);
CREATE TABLE IF NOT EXISTS anchors (anchor VARCHAR, article_id VARCHAR);
CREATE TABLE IF NOT EXISTS pairs (
    derived VARCHAR, source VARCHAR, relation VARCHAR, score DOUBLE, independent BOOLEAN, reason VARCHAR,
    spans VARCHAR, PRIMARY KEY (derived, source));
CREATE TABLE IF NOT EXISTS links (derived VARCHAR, source VARCHAR, row VARCHAR, PRIMARY KEY (derived, source));
CREATE TABLE IF NOT EXISTS stories (story VARCHAR PRIMARY KEY, row VARCHAR);
CREATE TABLE IF NOT EXISTS sites (site VARCHAR PRIMARY KEY, row VARCHAR);
CREATE TABLE IF NOT EXISTS story_members (article_id VARCHAR PRIMARY KEY, story VARCHAR);
CREATE INDEX IF NOT EXISTS pairs_derived ON pairs(derived);
CREATE INDEX IF NOT EXISTS pairs_source ON pairs(source);
CREATE INDEX IF NOT EXISTS links_derived ON links(derived);
CREATE INDEX IF NOT EXISTS links_source ON links(source);
"""
# Added within schema version 2 (created when a store is opened for writing): ``story_members`` finds an
# article's story without reading every story, and the single-column indexes serve ``check``'s point lookups
# (DuckDB cannot use the (derived, source) key for a lookup by one column).


def content_hash(article: Article) -> str:
    """Stable hash of what the pipeline reads from an article: a changed hash means recompute."""
    h = hashlib.sha1()
    for part in (article.text, article.date.iso() if article.date else "", article.language or "", article.site or ""):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


@dataclass(frozen=True, slots=True)
class ArticleFeatures:
    """Per-article results computed once and reused by every pair and every later run."""

    article_id: str
    content_hash: str
    language: str
    lang_confidence: float
    seg_starts: np.ndarray  # int32
    seg_ends: np.ndarray  # int32
    doc_vector: np.ndarray  # int8 (512,), see embed.quantize; zeros when nothing was embedded
    signature: np.ndarray  # uint32 MinHash
    band_keys: tuple[int, ...]
    anchors: frozenset[str]
    signals: ArticleSignals


@dataclass(frozen=True, slots=True)
class PairVerdictRow:
    """A stored alignment + classification result for one candidate pair (also the 'no link' ones)."""

    derived: str
    source: str
    relation: str | None
    score: float
    independent: bool
    reason: str
    spans_json: str


@dataclass(frozen=True, slots=True)
class CheckUpdate:
    """What one ``check`` adds to a store: the article, its features and verdicts, and the results it changed."""

    article: Article
    features: ArticleFeatures
    pairs: Sequence[PairVerdictRow]
    decided: Sequence[str]  # derived articles whose links are replaced by ``links``
    links: Sequence[Link]
    old_stories: Sequence[str]  # story ids replaced by ``stories``
    stories: Sequence[Story] | None  # None: stories left as they are
    sites: Sequence[str]  # sites whose profile is recomputed


def signals_from_json(
    credits: str | None, dateline: str | None, signals: str | None, article_id: str
) -> ArticleSignals:

    cr = tuple(Credit(c["name"], c["start"], c["end"], c.get("form", "")) for c in json.loads(credits or "[]"))
    dl_raw = json.loads(dateline or "null")
    dl = None
    if dl_raw:
        ev = dt.date.fromisoformat(dl_raw["event_date"]) if dl_raw.get("event_date") else None
        dl = Dateline(dl_raw.get("place"), dl_raw["start"], dl_raw["end"], ev, dl_raw.get("time_phrase"))
    sg = tuple(
        Signal(s["kind"], s["start"], s["end"], float(s["score"]), s["evidence"]) for s in json.loads(signals or "[]")
    )
    return ArticleSignals(article_id, cr, dl, sg)


# Lists up to this long are written into the SQL as literals, so DuckDB can answer them from an ART index
# (it does not for ``IN (SELECT unnest(?))`` or for parameters); longer lists are joined instead.
_LITERAL_MAX = 256


def _literal(value: str | int) -> str:
    if isinstance(value, int):
        return str(int(value))
    return "'" + value.replace("'", "''") + "'"


def _in(column: str, values: Sequence[str] | Sequence[int]) -> tuple[str, list[Any]]:
    """``column IN (...)`` as SQL and parameters: literals for short lists (index lookups), a join otherwise."""
    vals: list[str | int] = list(dict.fromkeys(values))
    if not vals:
        return "FALSE", []
    if len(vals) <= _LITERAL_MAX and not any(isinstance(v, str) and "\x00" in v for v in vals):
        return f"{column} IN ({', '.join(_literal(v) for v in vals)})", []
    return f"{column} IN (SELECT unnest(?))", [vals]


def _insert_rows(
    con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *,
    replace: bool = False, distinct: bool = False,
) -> None:
    """Bulk insert ``rows`` (tuples in ``columns`` order) through Arrow.

    DuckDB's ``executemany`` runs one statement per row (≈ 2 ms each: 18 s of the 10k benchmark's ingest went
    there); an Arrow scan costs ≈ 20 µs a row.
    """
    if not rows:
        return
    data = pa.table({c: [r[i] for r in rows] for i, c in enumerate(columns)})
    cols = ", ".join(columns)
    con.register("_bulk_rows", data)
    try:
        verb = "INSERT OR REPLACE" if replace else "INSERT"
        con.execute(f"{verb} INTO {table} ({cols}) SELECT {'DISTINCT ' if distinct else ''}{cols} FROM _bulk_rows")
    finally:
        con.unregister("_bulk_rows")


_LINK_COLS = ("derived", "source", "row")
_ARTICLE_COLS = (
    "id", "content_hash", "site", "date", "date_earliest", "date_latest", "url", "title", "language", "chars",
    "text", "metadata", "warnings", "origin", "seq",
)  # fmt: skip


def _insert_articles(con: duckdb.DuckDBPyConnection, articles: Sequence[Article]) -> list[str]:
    """Insert or replace articles inside the caller's transaction; returns the new or changed ids."""
    where, params = _in("id", [a.id for a in articles])
    known = dict(con.execute(f"SELECT id, content_hash FROM articles WHERE {where}", params).fetchall())
    rows = []
    changed = []
    next_seq = con.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchall()[0][0]
    for a in articles:
        h = content_hash(a)
        if known.get(a.id) == h:
            continue
        changed.append(a.id)
        next_seq += 1
        rows.append(
            (
                a.id, h, a.site, a.date.iso() if a.date else None,
                a.date.earliest if a.date else None, a.date.latest if a.date else None,
                a.url, a.title, a.language, len(a.text), a.text,
                json.dumps(dict(a.metadata), ensure_ascii=False, default=str), json.dumps(list(a.warnings)),
                a.origin, next_seq,
            )
        )  # fmt: skip
    if not rows:
        return changed
    # Changed text invalidates everything computed from it; brand-new ids have nothing to delete (and the
    # postings deletes scan their whole table, which ``check`` must not do for every new article).
    stale = [i for i in changed if i in known]
    if stale:
        where, params = _in("id", stale)
        con.execute(f"DELETE FROM articles WHERE {where}", params)
        for table in ("features", "lsh_bands", "anchors"):
            where, params = _in("article_id", stale)
            con.execute(f"DELETE FROM {table} WHERE {where}", params)
        for column in ("derived", "source"):
            where, params = _in(column, stale)
            con.execute(f"DELETE FROM pairs WHERE {where}", params)
    _insert_rows(con, "articles", _ARTICLE_COLS, rows)
    return changed


_FEATURE_TABLE_COLS = [
    "article_id", "content_hash", "language", "lang_confidence", "seg_starts", "seg_ends", "doc_vector",
    "signature", "anchors", "credits", "dateline", "signals",
]  # fmt: skip


def _insert_features(con: duckdb.DuckDBPyConnection, feats: Sequence[ArticleFeatures]) -> None:
    """Replace per-article features and postings inside the caller's transaction."""
    rows = []
    bands: list[tuple[int, str]] = []
    for f in feats:
        rows.append(
            (
                f.article_id, f.content_hash, f.language, float(f.lang_confidence),
                np.asarray(f.seg_starts, dtype="<i4").tobytes(), np.asarray(f.seg_ends, dtype="<i4").tobytes(),
                np.asarray(f.doc_vector, dtype=np.int8).tobytes(),
                np.asarray(f.signature, dtype="<u4").tobytes(), json.dumps(sorted(f.anchors), ensure_ascii=False),
                json.dumps([credit_dict(c) for c in f.signals.credits], ensure_ascii=False),
                json.dumps(dateline_dict(f.signals.dateline), ensure_ascii=False),
                json.dumps([signal_dict(s) for s in f.signals.signals], ensure_ascii=False),
            )
        )  # fmt: skip
        bands.extend((int(k), f.article_id) for k in set(f.band_keys))
    ids = [f.article_id for f in feats]
    postings = [(a, f.article_id) for f in feats for a in sorted(f.anchors)]
    where, params = _in("article_id", ids)
    had = [r[0] for r in con.execute(f"SELECT article_id FROM features WHERE {where}", params).fetchall()]
    if had:
        # Only articles that had features have postings to replace (these deletes scan the postings tables).
        for table in ("features", "lsh_bands", "anchors"):
            where, params = _in("article_id", had)
            con.execute(f"DELETE FROM {table} WHERE {where}", params)
    _insert_rows(con, "features", _FEATURE_TABLE_COLS, rows)
    _insert_rows(con, "lsh_bands", ("band_key", "article_id"), bands, distinct=True)
    _insert_rows(con, "anchors", ("anchor", "article_id"), postings, distinct=True)
    con.register("new_langs", pa.table({"id": ids, "language": [f.language for f in feats]}))
    con.execute("UPDATE articles SET language = n.language FROM new_langs n WHERE articles.id = n.id")
    con.unregister("new_langs")


_PAIR_COLS = ("derived", "source", "relation", "score", "independent", "reason", "spans")


def _insert_pairs(con: duckdb.DuckDBPyConnection, rows: Sequence[PairVerdictRow]) -> None:
    _insert_rows(
        con, "pairs", _PAIR_COLS,
        [(r.derived, r.source, r.relation, float(r.score), bool(r.independent), r.reason, r.spans_json) for r in rows],
        replace=True,
    )  # fmt: skip


def _insert_stories(con: duckdb.DuckDBPyConnection, stories: Sequence[Story]) -> None:
    if not stories:
        return
    _insert_rows(con, "stories", ("story", "row"), [(s.id, dumps(story_row(s))) for s in stories])
    _insert_story_members(con, [(m, s.id) for s in stories for m in s.articles])


def _insert_story_members(con: duckdb.DuckDBPyConnection, members: Sequence[tuple[str, str]]) -> None:
    _insert_rows(con, "story_members", ("article_id", "story"), members, replace=True)


class Store:
    """A DuckDB file. Use as a context manager; one writer process at a time (DuckDB's rule)."""

    def __init__(self, path: Path | str, config: StoreConfig | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.config = config or StoreConfig()
        if read_only and not self.path.exists():
            raise StoreError(f"no store at {self.path}", hint="run `newstrace trace INPUT --out DIR` first")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            raise StoreError(
                f"cannot open store {self.path}: {exc}",
                hint="is another newstrace process using it? a store is written by one process at a time",
            ) from exc
        self.con.execute(f"SET memory_limit='{self.config.memory_limit}'")
        self.con.execute(f"SET threads={int(self.config.threads)}")
        # Let short literal IN lists use the ART indexes (DuckDB's default only does so for a handful of rows).
        self.con.execute("SET index_scan_percentage=0.5")
        if not read_only:
            self.con.execute(_SCHEMA)
            self.con.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
            if self._story_members_missing():
                # Stories written before ``story_members`` existed: index their members once.
                with self.transaction() as con:
                    rows = self.story_rows()
                    _insert_story_members(con, [(str(m), str(r["story"])) for r in rows for m in r.get("articles", [])])
        # fetchall, not fetchone: DuckDB refuses register() while a result is left unfinished.
        found = self.con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchall()
        version = found[0] if found else None
        if version is None or version[0] != SCHEMA_VERSION:
            raise StoreError(
                f"store {self.path} has schema version {version[0] if version else 'none'}, expected {SCHEMA_VERSION}",
                hint="use a new --store path or re-create the store from the input",
            )

    # -- plumbing -----------------------------------------------------------------------------------------
    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        else:
            self.con.execute("COMMIT")

    # -- articles -----------------------------------------------------------------------------------------
    def upsert_articles(self, articles: Sequence[Article]) -> list[str]:
        """Insert or replace articles; returns the ids that are new or whose content changed."""
        if not articles:
            return []
        with self.transaction() as con:
            return _insert_articles(con, articles)

    def record_skipped(self, records: Iterable[SkippedRecord]) -> None:
        rows = [(r.id, r.reason, r.origin) for r in records]
        if rows:
            with self.transaction() as con:
                _insert_rows(con, "skipped", ("id", "reason", "origin"), rows, replace=True)

    def article_count(self) -> int:
        return int(self.con.execute("SELECT count(*) FROM articles").fetchall()[0][0])

    def article_ids(self) -> list[str]:
        return [r[0] for r in self.con.execute("SELECT id FROM articles ORDER BY seq").fetchall()]

    def _article_from(self, r: tuple[Any, ...]) -> Article:
        return Article(
            id=r[0], text=r[5], date=pubdate_from_iso(r[1]), url=r[2], site=r[3], title=r[4], language=r[6],
            metadata=json.loads(r[7] or "{}"), warnings=tuple(json.loads(r[8] or "[]")), origin=r[9] or "",
        )  # fmt: skip

    _ARTICLE_COLS = "id, date, url, site, title, text, language, metadata, warnings, origin"

    def get_articles(self, ids: Sequence[str]) -> dict[str, Article]:
        if not ids:
            return {}
        where, params = _in("id", ids)
        rows = self.con.execute(f"SELECT {self._ARTICLE_COLS} FROM articles WHERE {where}", params).fetchall()
        return {r[0]: self._article_from(r) for r in rows}

    def get_article(self, article_id: str) -> Article | None:
        return self.get_articles([article_id]).get(article_id)

    def iter_articles(self, batch: int = 2000) -> Iterator[Article]:
        ids = self.article_ids()
        for lo in range(0, len(ids), batch):
            chunk = ids[lo : lo + batch]
            got = self.get_articles(chunk)
            for i in chunk:
                yield got[i]

    def set_language(self, article_id: str, language: str) -> None:
        self.con.execute("UPDATE articles SET language=? WHERE id=?", [language, article_id])

    # -- features -----------------------------------------------------------------------------------------
    def ids_without_features(self) -> list[str]:
        rows = self.con.execute(
            "SELECT a.id FROM articles a LEFT JOIN features f ON a.id = f.article_id "
            "WHERE f.article_id IS NULL OR f.content_hash <> a.content_hash ORDER BY a.seq"
        ).fetchall()
        return [r[0] for r in rows]

    def put_features(self, feats: Sequence[ArticleFeatures]) -> None:
        if not feats:
            return
        with self.transaction() as con:
            _insert_features(con, feats)

    _FEATURE_COLS = (
        "article_id, content_hash, language, lang_confidence, seg_starts, seg_ends, doc_vector, "
        "signature, anchors, credits, dateline, signals"
    )

    def _features_from(self, r: tuple[Any, ...], band_keys: tuple[int, ...] = ()) -> ArticleFeatures:
        return ArticleFeatures(
            article_id=r[0], content_hash=r[1], language=r[2], lang_confidence=r[3],
            seg_starts=np.frombuffer(r[4], dtype="<i4"), seg_ends=np.frombuffer(r[5], dtype="<i4"),
            doc_vector=np.frombuffer(r[6], dtype=np.int8), signature=np.frombuffer(r[7], dtype="<u4"),
            band_keys=band_keys, anchors=frozenset(json.loads(r[8] or "[]")),
            signals=signals_from_json(r[9], r[10], r[11], r[0]),
        )  # fmt: skip

    def get_features(self, ids: Sequence[str], *, with_bands: bool = False) -> dict[str, ArticleFeatures]:
        if not ids:
            return {}
        where, params = _in("article_id", ids)
        rows = self.con.execute(f"SELECT {self._FEATURE_COLS} FROM features WHERE {where}", params).fetchall()
        bands: dict[str, list[int]] = {}
        if with_bands:
            for key, aid in self.con.execute(
                "SELECT band_key, article_id FROM lsh_bands WHERE article_id IN (SELECT unnest(?))", [list(ids)]
            ).fetchall():
                bands.setdefault(aid, []).append(int(key))
        return {r[0]: self._features_from(r, tuple(sorted(bands.get(r[0], ())))) for r in rows}

    def get_signals(self, ids: Sequence[str]) -> dict[str, ArticleSignals]:
        if not ids:
            return {}
        where, params = _in("article_id", ids)
        rows = self.con.execute(
            f"SELECT article_id, credits, dateline, signals FROM features WHERE {where}", params
        ).fetchall()
        return {r[0]: signals_from_json(r[1], r[2], r[3], r[0]) for r in rows}

    # -- pair verdicts ------------------------------------------------------------------------------------
    def known_pairs(self) -> set[tuple[str, str]]:
        return {(r[0], r[1]) for r in self.con.execute("SELECT derived, source FROM pairs").fetchall()}

    def put_pairs(self, rows: Sequence[PairVerdictRow]) -> None:
        if not rows:
            return
        with self.transaction() as con:
            _insert_pairs(con, rows)

    def iter_pairs(self) -> list[PairVerdictRow]:
        rows = self.con.execute(
            "SELECT derived, source, relation, score, independent, reason, spans FROM pairs ORDER BY derived, source"
        ).fetchall()
        return [PairVerdictRow(*r) for r in rows]

    # -- results --------------------------------------------------------------------------------------------
    def replace_results(self, links: Sequence[Link], stories: Sequence[Story], sites: Sequence[SiteProfile]) -> None:
        """Results are recomputed from all pair verdicts each run, so they are replaced as a whole."""
        with self.transaction() as con:
            con.execute("DELETE FROM links")
            con.execute("DELETE FROM stories")
            con.execute("DELETE FROM sites")
            con.execute("DELETE FROM story_members")
            _insert_stories(con, stories)
            _insert_rows(con, "links", _LINK_COLS, [(k.derived, k.source, dumps(link_row(k))) for k in links])
            _insert_rows(con, "sites", ("site", "row"), [(p.site, dumps(site_row(p))) for p in sites])

    def links(self, article_id: str | None = None) -> list[Link]:
        if article_id is None:
            rows = self.con.execute("SELECT row FROM links ORDER BY derived, source").fetchall()
        else:
            rows = self.con.execute(
                "SELECT row FROM links WHERE derived=? OR source=? ORDER BY derived, source", [article_id, article_id]
            ).fetchall()
        return [link_from_row(json.loads(r[0])) for r in rows]

    def story_rows(self) -> list[dict[str, Any]]:
        return [json.loads(r[0]) for r in self.con.execute("SELECT row FROM stories ORDER BY story").fetchall()]

    def site_rows(self) -> list[dict[str, Any]]:
        return [json.loads(r[0]) for r in self.con.execute("SELECT row FROM sites ORDER BY site").fetchall()]

    # -- persisted candidate index ------------------------------------------------------------------------
    def save_index(self, config: CandidateConfig, vectors: VectorIndex | None = None) -> Path:
        """Write the candidate index (postings + document vectors) of every stored article beside the store.

        Call at the end of ``trace``: ``check`` then looks candidates up in it without reading the store. Written
        into a new folder ``<store>.index/seq<N>-…`` and switched to in one transaction, so readers never see half
        an index. Returns that folder. ``vectors``: see :func:`newstrace.store_index.save_index`.
        """
        from newstrace.store_index import save_index  # the index code imports this module

        return save_index(self, config, vectors)

    # -- point reads and one-article writes (``check``) ---------------------------------------------------------
    def content_hashes(self, ids: Sequence[str]) -> dict[str, str]:
        where, params = _in("id", ids)
        return dict(self.con.execute(f"SELECT id, content_hash FROM articles WHERE {where}", params).fetchall())

    def article_sites(self, ids: Sequence[str]) -> dict[str, str | None]:
        where, params = _in("id", ids)
        return dict(self.con.execute(f"SELECT id, site FROM articles WHERE {where}", params).fetchall())

    def pairs_touching(self, ids: Sequence[str]) -> list[PairVerdictRow]:
        """Stored verdicts of every pair with an end in ``ids`` (two index lookups, not a scan)."""
        if not ids:
            return []
        found: dict[tuple[str, str], PairVerdictRow] = {}
        for column in ("derived", "source"):
            where, params = _in(column, ids)
            for r in self.con.execute(
                f"SELECT derived, source, relation, score, independent, reason, spans FROM pairs WHERE {where}",
                params,
            ).fetchall():
                found[(r[0], r[1])] = PairVerdictRow(*r)
        return [found[k] for k in sorted(found)]

    def links_touching(self, ids: Sequence[str], *, as_source: bool = True) -> list[Link]:
        """Stored links derived from an article of ``ids`` (and, with ``as_source``, those with it as source)."""
        if not ids:
            return []
        rows: dict[tuple[str, str], str] = {}
        for column in ("derived", "source") if as_source else ("derived",):
            where, params = _in(column, ids)
            for d, src, row in self.con.execute(
                f"SELECT derived, source, row FROM links WHERE {where}", params
            ).fetchall():
                rows[(d, src)] = row
        return [link_from_row(json.loads(rows[k])) for k in sorted(rows)]

    def stories_of(self, ids: Sequence[str]) -> dict[str, list[str]]:
        """The stored stories (id → member ids) that hold any of ``ids``."""
        if not ids:
            return {}
        if self._story_members_missing():
            # A store written before ``story_members`` existed: read every story once.
            wanted = set(ids)
            return {
                str(r["story"]): [str(m) for m in r.get("articles", [])]
                for r in self.story_rows()
                if wanted & {str(m) for m in r.get("articles", [])}
            }
        where, params = _in("article_id", ids)
        found = self.con.execute(f"SELECT story FROM story_members WHERE {where}", params).fetchall()
        story_ids = [r[0] for r in found]
        if not story_ids:
            return {}
        where, params = _in("story", story_ids)
        rows = self.con.execute(f"SELECT story, row FROM stories WHERE {where}", params).fetchall()
        return {sid: [str(m) for m in json.loads(row).get("articles", [])] for sid, row in rows}

    def _story_members_missing(self) -> bool:
        tables = {r[0] for r in self.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if "story_members" not in tables:
            return True
        has_members = self.con.execute("SELECT count(*) FROM (SELECT 1 FROM story_members LIMIT 1)").fetchall()[0][0]
        has_stories = self.con.execute("SELECT count(*) FROM (SELECT 1 FROM stories LIMIT 1)").fetchall()[0][0]
        return bool(has_stories) and not has_members

    def site_profiles(self, sites: Iterable[str]) -> list[SiteProfile]:
        """Profiles of ``sites`` from SQL aggregates over their articles and links (graph.site_profiles' rules)."""
        out = []
        for site in sorted(set(sites)):
            row = self.con.execute(
                """
                WITH m AS (SELECT id FROM articles WHERE coalesce(nullif(site, ''), ?) = ?),
                d AS (
                    SELECT l.derived,
                           bool_or(coalesce(json_extract(l.row, '$.attributed')::BOOLEAN, FALSE)) AS attributed,
                           min(TRY_CAST(json_extract_string(l.row, '$.lag_days') AS DOUBLE)) AS lag
                    FROM links l JOIN m ON l.derived = m.id
                    WHERE l.source <> l.derived
                    GROUP BY l.derived)
                SELECT (SELECT count(*) FROM m), count(*), count(*) FILTER (WHERE NOT attributed), median(lag) FROM d
                """,
                [UNKNOWN_SITE, site],
            ).fetchall()[0]
            n, derived, uncredited, lag = int(row[0]), int(row[1]), int(row[2]), row[3]
            if n == 0:
                continue
            out.append(
                SiteProfile(
                    site=site,
                    articles=n,
                    derived_share=derived / n,
                    uncredited_share=uncredited / derived if derived else 0.0,
                    median_lag_days=float(lag) if lag is not None else None,
                )
            )
        return out

    def apply_check(self, update: CheckUpdate) -> None:
        """Write one checked article and everything it changed, in one transaction."""
        with self.transaction() as con:
            changed = _insert_articles(con, [update.article])
            if update.article.id not in changed:
                # Same text as stored: a new verdict replaces the stored one of its pair in either orientation.
                for r in update.pairs:
                    con.execute("DELETE FROM pairs WHERE derived = ? AND source = ?", [r.source, r.derived])
            _insert_features(con, [update.features])
            if update.pairs:
                _insert_pairs(con, update.pairs)
            where, params = _in("derived", update.decided)
            con.execute(f"DELETE FROM links WHERE {where}", params)
            rows = [(k.derived, k.source, dumps(link_row(k))) for k in update.links]
            _insert_rows(con, "links", _LINK_COLS, rows, replace=True)
            if update.stories is not None:
                where, params = _in("story", update.old_stories)
                con.execute(f"DELETE FROM stories WHERE {where}", params)
                where, params = _in("article_id", [m for s in update.stories for m in s.articles])
                con.execute(f"DELETE FROM story_members WHERE {where}", params)
                _insert_stories(con, update.stories)
            sites = self.site_profiles(update.sites)
            where, params = _in("site", [p.site for p in sites])
            con.execute(f"DELETE FROM sites WHERE {where}", params)
            _insert_rows(con, "sites", ("site", "row"), [(p.site, dumps(site_row(p))) for p in sites])

    def article_rows(self, ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """``articles.jsonl``-shaped rows (with signals when computed)."""
        wanted = self.article_ids() if ids is None else list(ids)
        arts = self.get_articles(wanted)
        sigs = self.get_signals(wanted)
        return [article_row(arts[i], sigs.get(i)) for i in wanted if i in arts]
