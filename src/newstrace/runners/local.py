"""Local runner: the pipeline stages over an embedded DuckDB store, on one machine.

Each stage reads what the store lacks and writes its results in one transaction, so a killed run resumes
where it stopped and a re-run over the same input only does new work.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newstrace import candidates
from newstrace.align import AlignText, SentenceVectors, sentence_vectors
from newstrace.changes import ArticleFacts
from newstrace.config import RunConfig
from newstrace.ingest import iter_articles
from newstrace.model import Article, ArticleSignals, Candidate, Link, SiteProfile, SkippedRecord, Story
from newstrace.pipeline import (
    assemble_links,
    candidate_record,
    encodes_pair,
    enrich_articles,
    judge_encoded,
    judge_words,
    verdict_links,
)
from newstrace.report.render import write_report
from newstrace.serialize import dumps, link_row, site_row, skipped_row, story_row
from newstrace.store import ArticleFeatures, PairVerdictRow, Store

log = logging.getLogger(__name__)

# progress(stage, done, total): total is None while unknown (ingest streams).
ProgressFn = Callable[[str, int, int | None], None]

STORE_NAME = "newstrace.duckdb"


@dataclass
class TraceSummary:
    """What a run did, for the end-of-run screen and for tests."""

    records_in: int = 0
    ok: int = 0
    skipped: int = 0
    skip_reasons: Counter[str] = field(default_factory=Counter)
    warnings: int = 0
    new_articles: int = 0
    enriched: int = 0
    candidates: int = 0
    pairs_judged: int = 0
    links: list[Link] = field(default_factory=list)
    stories: list[Story] = field(default_factory=list)
    sites: list[SiteProfile] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    out_dir: Path | None = None
    store_path: Path | None = None

    @property
    def relations(self) -> Counter[str]:
        return Counter(k.relation for k in self.links)


def _noop(stage: str, done: int, total: int | None) -> None:
    return None


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for lo in range(0, len(items), size):
        yield items[lo : lo + size]


def _short_reason(reason: str) -> str:
    # "invalid JSON at line 7: Expecting ','" → "invalid JSON": groups reasons for the summary table.
    for sep in (" at ", ":", " ("):
        if sep in reason:
            reason = reason.split(sep, 1)[0]
    return reason.strip()


def ingest_into(
    store: Store, inputs: Sequence[str | Path], config: RunConfig, summary: TraceSummary, progress: ProgressFn
) -> list[str | SkippedRecord]:
    """Stage 1: read every input record; store articles; return this run's records in input order."""
    order: list[str | SkippedRecord] = []
    batch: list[Article] = []
    skipped: list[SkippedRecord] = []

    def flush() -> None:
        summary.new_articles += len(store.upsert_articles(batch))
        batch.clear()

    for rec in iter_articles(list(inputs), config.ingest):
        summary.records_in += 1
        if isinstance(rec, SkippedRecord):
            summary.skipped += 1
            summary.skip_reasons[_short_reason(rec.reason)] += 1
            skipped.append(rec)
            order.append(rec)
        else:
            summary.ok += 1
            summary.warnings += len(rec.warnings)
            batch.append(rec)
            order.append(rec.id)
            if len(batch) >= 1000:
                flush()
        progress("ingest", summary.records_in, None)
    flush()
    store.record_skipped(skipped)
    return order


def _enrich_batch(args: tuple[list[Article], RunConfig]) -> list[ArticleFeatures]:
    return enrich_articles(*args)


def _ordered_map(
    pool: ProcessPoolExecutor | None, fn: Callable[[Any], Any], jobs: Iterable[Any], window: int
) -> Iterator[Any]:
    """``map(fn, jobs)`` in order, in the pool when there is one, with at most ``window`` jobs in flight.

    Bounded so that a big corpus never has all its texts pickled and queued at once.
    """
    if pool is None:
        yield from map(fn, jobs)
        return
    pending: deque[Future[Any]] = deque()
    for job in jobs:
        pending.append(pool.submit(fn, job))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


@contextmanager
def worker_pool(config: RunConfig) -> Iterator[ProcessPoolExecutor | None]:
    """The process pool shared by enrichment and alignment (None when ``config.workers`` <= 1)."""
    if config.workers <= 1:
        yield None
        return
    # forkserver: DuckDB and BLAS hold threads in this process, which a plain fork could inherit locked.
    with ProcessPoolExecutor(max_workers=config.workers, mp_context=mp.get_context("forkserver")) as pool:
        yield pool


def enrich_missing(
    store: Store,
    config: RunConfig,
    summary: TraceSummary,
    progress: ProgressFn,
    pool: ProcessPoolExecutor | None = None,
) -> None:
    """Stage 2: per-article features for every article that has none (or whose text changed).

    Batches are the same whatever the pool (``config.batch_size`` articles in store order), so embeddings
    — which depend a little on what shares their encoder batch — are the same too.
    """
    todo = store.ids_without_features()
    progress("enrich", 0, len(todo))
    if not todo:
        return
    chunks = list(_chunks(todo, config.batch_size))
    # Store reads stay in this process (one DuckDB connection); workers only compute.
    def job(chunk: Sequence[str]) -> tuple[list[Article], RunConfig]:
        got = store.get_articles(chunk)
        return [got[i] for i in chunk if i in got], config

    jobs = (job(chunk) for chunk in chunks)
    done = 0
    for feats in _ordered_map(pool if len(chunks) > 1 else None, _enrich_batch, jobs, 2 * config.workers):
        store.put_features(feats)
        done += len(feats)
        summary.enriched += len(feats)
        progress("enrich", done, len(todo))


def find_candidates(
    store: Store, config: RunConfig
) -> tuple[list[Candidate], dict[str, Article], dict[str, ArticleFeatures], candidates.VectorIndex]:
    """Stage 3: candidate pairs over the whole store, minus pairs already judged in earlier runs.

    Also returns the vector index it searched (every stored article's document vector), which the run saves
    for ``check`` at its end.
    """
    ids = store.article_ids()
    arts = store.get_articles(ids)
    feats = store.get_features(ids, with_bands=True)
    records = [candidate_record(arts[i], feats[i]) for i in ids if i in feats]
    vectors = candidates.vector_index(records, config.candidates)
    # Undirected pairs may have been stored the other way round once the text decided their direction.
    known = store.known_pairs()
    cands = [
        c
        for c in candidates.generate_candidates(records, config.candidates, vectors=vectors)
        if (c.derived, c.source) not in known and (c.source, c.derived) not in known
    ]
    return cands, arts, feats, vectors


PairWork = tuple[Article, Article, ArticleFeatures, ArticleFeatures, RunConfig, bool, tuple[str, ...]]


def _judge_words_many(args: list[PairWork]) -> list[PairVerdictRow | None]:
    # Per batch: an article met in several pairs of the batch has its facts and prepared text computed once
    # (pairs come in neighbourhood order, see _local_order).
    facts: dict[str, ArticleFacts] = {}
    prepared: dict[str, AlignText] = {}
    return [
        judge_words(d, s, df, sf, cfg, undirected=u, via=v, facts=facts, prepared=prepared)
        for d, s, df, sf, cfg, u, v in args
    ]


def _local_order(cands: Sequence[Candidate]) -> list[Candidate]:
    """The pairs in neighbourhood order: breadth-first over the pair graph, each pair at its first-reached end.

    An article is in ~5.7 pairs on the 10k benchmark; in candidate order a 48-pair batch holds 0.70 distinct
    articles per pair side, in this order 0.48, so the per-batch tables above analyse an article fewer times
    (words pass 18.2 → 11.4 ms a pair on a sample). Verdicts do not depend on the order (the store reads them
    back sorted).
    """
    adj: dict[str, list[str]] = {}
    for c in cands:
        adj.setdefault(c.derived, []).append(c.source)
        adj.setdefault(c.source, []).append(c.derived)
    rank: dict[str, int] = {}
    for root in sorted(adj):
        if root in rank:
            continue
        rank[root] = len(rank)
        queue = deque([root])
        while queue:
            node = queue.popleft()
            for nxt in adj[node]:
                if nxt not in rank:
                    rank[nxt] = len(rank)
                    queue.append(nxt)
    return sorted(cands, key=lambda c: (min(rank[c.derived], rank[c.source]), max(rank[c.derived], rank[c.source])))


EncodedWork = tuple[list[PairWork], dict[str, SentenceVectors]]


def _judge_encoded_many(args: EncodedWork) -> list[PairVerdictRow]:
    work, vectors = args
    facts: dict[str, ArticleFacts] = {}
    return [
        judge_encoded(d, s, df, sf, cfg, undirected=u, facts=facts, vectors=vectors)
        for d, s, df, sf, cfg, u, _ in work
    ]


def _embed_many(args: tuple[list[Article], RunConfig]) -> list[SentenceVectors]:
    texts, config = args
    return [sentence_vectors(a.text, config.align, config.embed) for a in texts]


def judge_candidates(
    store: Store,
    cands: Sequence[Candidate],
    arts: dict[str, Article],
    feats: dict[str, ArticleFeatures],
    config: RunConfig,
    summary: TraceSummary,
    progress: ProgressFn,
    pool: ProcessPoolExecutor | None = None,
) -> None:
    """Stage 4: align and classify each candidate pair; verdicts (links and non-links) are stored.

    In two passes with the same verdicts as ``pipeline.judge_pair``: every pair on shared words first
    (``judge_words``); then the pairs the words left open (translations, rewrites proposed by the vector index)
    with sentence embeddings (``judge_encoded``). Between the two, each article of the open pairs has its sentences
    embedded once for all its pairs (an article meets ~3 such pairs, and embedding is most of their cost).
    """
    work: list[PairWork] = [
        (arts[c.derived], arts[c.source], feats[c.derived], feats[c.source], config, c.undirected, c.via)
        for c in _local_order(cands)
    ]
    progress("align", 0, len(work))
    if not work:
        return
    use = pool if len(work) >= 32 else None
    # Pairs per task: big enough that an article met twice in a task is analysed once, small enough to spread.
    chunk = 48
    done = 0
    open_pairs: list[PairWork] = []
    batches = [work[i : i + chunk] for i in range(0, len(work), chunk)]
    for batch, rows in zip(batches, _ordered_map(use, _judge_words_many, batches, 4 * config.workers), strict=True):
        final = [r for r in rows if r is not None]
        open_pairs.extend(w for w, r in zip(batch, rows, strict=True) if r is None)
        store.put_pairs(final)
        done += len(final)
        progress("align", done, len(work))
    # The open pairs in windows, so that only one window's sentence vectors (~60 KB per article) are held at once.
    window = 3000
    for lo in range(0, len(open_pairs), window):
        part = open_pairs[lo : lo + window]
        ids = sorted({x.id for d, s, df, sf, *_ in part if encodes_pair(df, sf) for x in (d, s)})
        groups = [[arts[i] for i in ids[j : j + chunk]] for j in range(0, len(ids), chunk)]
        vectors: dict[str, SentenceVectors] = {}
        for group, vecs in zip(
            groups, _ordered_map(use, _embed_many, [(g, config) for g in groups], 4 * config.workers), strict=True
        ):
            vectors.update((a.id, v) for a, v in zip(group, vecs, strict=True))
        jobs = [
            (b, {x.id: vectors[x.id] for d, s, *_ in b for x in (d, s) if x.id in vectors})
            for b in (part[i : i + chunk] for i in range(0, len(part), chunk))
        ]
        for rows in _ordered_map(use, _judge_encoded_many, jobs, 4 * config.workers):
            store.put_pairs(rows)
            done += len(rows)
            progress("align", done, len(work))
    summary.pairs_judged += len(work)


VerdictWork = tuple[dict[str, Article], dict[str, ArticleSignals], list[PairVerdictRow], RunConfig]


def _verdict_links(args: VerdictWork) -> tuple[list[Link], list[tuple[str, str]]]:
    return verdict_links(*args)


def decide(
    arts: dict[str, Article],
    sigs: dict[str, ArticleSignals],
    verdicts: Sequence[PairVerdictRow],
    config: RunConfig,
    pool: ProcessPoolExecutor | None = None,
    chunk: int = 400,
) -> tuple[list[Link], list[Story], list[SiteProfile]]:
    """Stage 5: ``pipeline.decide_links``, with the per-link part (changes, credit, staleness) spread over the pool.

    Verdicts go out in order in batches of ``chunk`` with just their articles, and come back in order, so the links
    are the same as in one process. (A linked verdict costs ~10–30 ms, mostly the fact comparison.)
    """
    batches: list[VerdictWork] = []
    for i in range(0, len(verdicts), chunk):
        part = list(verdicts[i : i + chunk])
        # Verdicts that are neither a link nor independent coverage are dropped there: their texts stay here.
        ids = {x for v in part if v.relation is not None or v.independent for x in (v.derived, v.source)}
        batches.append(({x: arts[x] for x in ids if x in arts}, {x: sigs[x] for x in ids if x in sigs}, part, config))
    raw: list[Link] = []
    related: list[tuple[str, str]] = []
    linked_pool = pool if sum(v.relation is not None for v in verdicts) >= 2 * chunk else None
    for links, pairs in _ordered_map(linked_pool, _verdict_links, batches, 2 * config.workers):
        raw.extend(links)
        related.extend(pairs)
    return assemble_links(raw, related, arts, config)


def write_outputs(
    store: Store,
    out_dir: Path,
    order: Sequence[str | SkippedRecord],
    links: Sequence[Link],
    stories: Sequence[Story],
    sites: Sequence[SiteProfile],
) -> None:
    """The INTERFACE.md files: articles.jsonl (this run's records, input order), links, stories, sites."""
    ok_ids = [x for x in order if isinstance(x, str)]
    rows = {r["id"]: r for r in store.article_rows(ok_ids)}
    article_rows = (skipped_row(x) if isinstance(x, SkippedRecord) else rows[x] for x in order)
    write_jsonl_files(out_dir, article_rows, links, stories, sites)


def write_jsonl_files(
    out_dir: Path,
    article_rows: Iterable[dict[str, Any]],
    links: Sequence[Link],
    stories: Sequence[Story],
    sites: Sequence[SiteProfile],
) -> None:
    """Write articles/links/stories/sites.jsonl (INTERFACE.md); both runners call this, so they match."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "articles.jsonl").open("w", encoding="utf-8") as fh:
        for row in article_rows:
            fh.write(dumps(row) + "\n")
    with (out_dir / "links.jsonl").open("w", encoding="utf-8") as fh:
        for k in links:
            fh.write(dumps(link_row(k)) + "\n")
    with (out_dir / "stories.jsonl").open("w", encoding="utf-8") as fh:
        for s in stories:
            fh.write(dumps(story_row(s)) + "\n")
    with (out_dir / "sites.jsonl").open("w", encoding="utf-8") as fh:
        for p in sites:
            fh.write(dumps(site_row(p)) + "\n")


def trace(
    inputs: Sequence[str | Path],
    out_dir: Path,
    store_path: Path | None = None,
    config: RunConfig | None = None,
    progress: ProgressFn | None = None,
) -> TraceSummary:
    """Trace the provenance of every input article; write the output files into ``out_dir``."""
    config = config or RunConfig()
    progress = progress or _noop
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    store_path = Path(store_path) if store_path else out_dir / STORE_NAME
    summary = TraceSummary(out_dir=out_dir, store_path=store_path)
    with Store(store_path, config.store) as store:
        t = time.perf_counter()
        order = ingest_into(store, inputs, config, summary, progress)
        summary.seconds["ingest"] = time.perf_counter() - t

        with worker_pool(config) as pool:
            t = time.perf_counter()
            enrich_missing(store, config, summary, progress, pool)
            summary.seconds["enrich"] = time.perf_counter() - t

            t = time.perf_counter()
            cands, arts, feats, vectors = find_candidates(store, config)
            summary.candidates = len(cands)
            summary.seconds["candidates"] = time.perf_counter() - t

            t = time.perf_counter()
            judge_candidates(store, cands, arts, feats, config, summary, progress, pool)
            summary.seconds["align"] = time.perf_counter() - t

            t = time.perf_counter()
            sigs = {i: f.signals for i, f in feats.items()}
            links, stories, sites = decide(arts, sigs, store.iter_pairs(), config, pool)
        store.replace_results(links, stories, sites)
        summary.links, summary.stories, summary.sites = links, stories, sites
        write_outputs(store, out_dir, order, links, stories, sites)
        summary.seconds["decide"] = time.perf_counter() - t

        t = time.perf_counter()
        # The candidate index `check` reads (postings and vectors beside the store), refreshed once per run.
        store.save_index(config.candidates, vectors)
        summary.seconds["index"] = time.perf_counter() - t

        t = time.perf_counter()
        write_report(store, out_dir / "report.html")
        summary.seconds["report"] = time.perf_counter() - t
    log.info("trace: %d in, %d ok, %d skipped, %d links", summary.records_in, summary.ok, summary.skipped, len(links))
    return summary


# `check` lives in its own module; re-exported here, where callers have always found it.
from newstrace.runners.check import CheckResult, check_article  # noqa: E402

__all__ = ["CheckResult", "TraceSummary", "check_article", "trace"]
