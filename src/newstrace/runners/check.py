"""``check``: one new article against an existing store, reading only what the article can touch.

Candidates come from the store's saved index (:class:`newstrace.store_index.StoreIndexState`), only the candidates'
texts and features are read, only the new pairs are judged, and links are decided again only for the articles
whose choice of source the new article can change: itself and the articles that derive from it, directly or
along a chain (a new ancestor can change which of an article's sources is direct, and every origin below it).
Their raw links are rebuilt from the stored pair verdicts, so the choice is the one a full ``trace`` over the
old articles plus the new one would make from the same verdicts. Stories and site profiles are recomputed for
the stories and sites involved only.
"""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from newstrace import attribute, candidates, graph
from newstrace.align import AlignText, SentenceVectors, sentence_vectors
from newstrace.changes import ArticleFacts
from newstrace.config import RunConfig
from newstrace.model import Article, ArticleSignals, Candidate, Link, Story
from newstrace.pipeline import (
    candidate_record,
    encodes_pair,
    enrich_articles,
    judge_encoded,
    judge_words,
    verdict_links,
)
from newstrace.serialize import span_from_dict
from newstrace.store import ArticleFeatures, CheckUpdate, PairVerdictRow, Store, content_hash
from newstrace.store_index import StoreIndexState

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class CheckResult:
    """Links of one looked-up article (as derived or as source) against a store."""

    article_id: str
    links: list[Link]
    # Wall seconds per part: enrich, open (store + index), candidates, read, judge, decide, write.
    seconds: dict[str, float] = field(default_factory=dict)
    candidates: int = 0  # candidate pairs judged
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # the same parts in CPU seconds


class _Clock:
    """Wall and CPU (this process, all threads) seconds per part."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu_seconds: dict[str, float] = {}
        self._t = time.perf_counter()
        self._c = time.process_time()

    def __call__(self, part: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        self.seconds[part] = self.seconds.get(part, 0.0) + now - self._t
        self.cpu_seconds[part] = self.cpu_seconds.get(part, 0.0) + cpu - self._c
        self._t, self._c = now, cpu


def _other(c: Candidate, me: str) -> str:
    return c.source if c.derived == me else c.derived


class _RawGraph:
    """Raw (pre-selection) links around the new article, from stored verdicts node by node, each pair once.

    A link is first only oriented (``attribute.orient``, as ``build_link`` orients it): that is all the chains
    above and below need. The costly full link (changes, staleness) is built only for the articles decided again.
    """

    def __init__(
        self,
        store: Store,
        config: RunConfig,
        new: Article,
        new_verdicts: Sequence[PairVerdictRow],
        arts: dict[str, Article],
        sigs: dict[str, ArticleSignals],
        *,
        keep_stored_pairs_of_new: bool,
    ) -> None:
        self.store, self.config, self.new_id = store, config, new.id
        self.arts, self.sigs = arts, sigs
        self.keep_stored = keep_stored_pairs_of_new
        self.seen_pairs: set[frozenset[str]] = set()
        self.expanded: set[str] = set()
        self.verdict: dict[tuple[str, str], PairVerdictRow] = {}  # by the link's (derived, source)
        self.by_derived: dict[str, list[Link]] = defaultdict(list)
        self.by_source: dict[str, list[str]] = defaultdict(list)
        self.related: list[tuple[str, str]] = []
        self._light: dict[str, list[Link]] = {}
        self.facts: dict[str, ArticleFacts] = {}  # article facts by id, shared by the pair judgements and each link
        self._add(new_verdicts)
        if not self.keep_stored:
            self.expanded.add(new.id)  # its stored verdicts (of an older text) do not count

    def _add(self, rows: Iterable[PairVerdictRow]) -> None:
        fresh = []
        for r in rows:
            key = frozenset((r.derived, r.source))
            if key not in self.seen_pairs:
                self.seen_pairs.add(key)
                fresh.append(r)
        missing = sorted({i for r in fresh for i in (r.derived, r.source)} - self.arts.keys())
        if missing:
            self.arts.update(self.store.get_articles(missing))
            self.sigs.update(self.store.get_signals(missing))
        for r in fresh:
            if r.derived not in self.arts or r.source not in self.arts:
                continue
            if r.relation is None:
                if r.independent:
                    self.related.append((r.derived, r.source))
                continue
            spans = [span_from_dict(x) for x in json.loads(r.spans_json)]
            derived, source, _ = attribute.orient(
                self.arts[r.derived], self.arts[r.source], spans, self.sigs.get(r.derived), self.sigs.get(r.source),
                self.config.attribute,
            )  # fmt: skip
            light = Link(derived, source, r.relation, r.score, source, None, False, False, 0.0, 0.0)  # type: ignore[arg-type]
            self.verdict[(derived, source)] = r
            self.by_derived[derived].append(light)
            self.by_source[source].append(derived)

    def expand(self, ids: Iterable[str]) -> None:
        """Make every stored verdict touching ``ids`` part of the graph."""
        todo = sorted(set(ids) - self.expanded)
        if not todo:
            return
        self.expanded.update(todo)
        rows = self.store.pairs_touching(todo)
        if not self.keep_stored:
            rows = [r for r in rows if self.new_id not in (r.derived, r.source)]
        self._add(rows)

    def descendants(self) -> list[str]:
        """The new article and every article deriving from it along raw links, nearest first."""
        order = [self.new_id]
        seen = {self.new_id}
        frontier = [self.new_id]
        while frontier:
            self.expand(frontier)
            nxt = sorted({d for s in frontier for d in self.by_source.get(s, [])} - seen)
            limit = self.config.attribute.check_max_descendants
            if len(order) + len(nxt) > limit:
                log.warning("check %s: over %d descendants; the rest keep their links", self.new_id, limit)
                nxt = nxt[: limit - len(order)]
            order.extend(nxt)
            seen.update(nxt)
            frontier = nxt
        return order

    def select(self, derived_id: str) -> list[Link]:
        """``attribute.select_sources`` for one article, with every chain above its sources in view."""
        mine = self._light.get(derived_id)
        if mine is None:
            rows = [self.verdict[(k.derived, k.source)] for k in self.by_derived.get(derived_id, [])]
            # Light links (no changes, no staleness): choosing among sources needs scores, spans and credit only.
            raw, _ = verdict_links(self.arts, self.sigs, rows, self.config, self.facts, details=False)
            mine = self._light[derived_id] = [k for k in raw if k.derived == derived_id]
        if len(mine) < 2:
            return mine
        seen: set[str] = set()
        frontier = {k.source for k in mine}
        while frontier:
            self.expand(frontier)
            seen |= frontier
            frontier = {k.source for x in frontier for k in self.by_derived.get(x, [])} - seen
        others = [k for d, ks in self.by_derived.items() if d != derived_id for k in ks]
        return attribute.select_sources(derived_id, [*mine, *others], self.config.attribute)


    def detailed(self, links: Sequence[Link]) -> list[Link]:
        """``links`` (chosen among light ones, origins set) with their changes and staleness."""
        rows = [self.verdict[(k.derived, k.source)] for k in links]
        full, _ = verdict_links(self.arts, self.sigs, rows, self.config, self.facts)
        by_pair = {(k.derived, k.source): k for k in full}
        return [replace(by_pair[(k.derived, k.source)], origin=k.origin) for k in links]


def _origins(store: Store, selected: Sequence[Link], decided: set[str]) -> list[Link]:
    """``resolve_origins`` over the new selections plus the stored links upstream of them."""
    upstream: list[Link] = []
    seen = set(decided)
    frontier = {k.source for k in selected} - seen
    while frontier:
        seen |= frontier
        got = store.links_touching(sorted(frontier), as_source=False)
        upstream.extend(got)
        frontier = {k.source for k in got} - seen
    return [k for k in attribute.resolve_origins([*selected, *upstream]) if k.derived in decided]


def _stories(
    store: Store, new_id: str, decided: Sequence[str], links: Sequence[Link], related_new: Sequence[tuple[str, str]]
) -> tuple[list[str], list[Story]]:
    """The stored stories the changed links touch, and what they become (graph.build_stories over their members)."""
    decided_set = set(decided)
    old_links = store.links_touching([d for d in decided if d != new_id], as_source=False)
    ends = set(decided) | {i for k in [*old_links, *links] for i in (k.derived, k.source)}
    ends |= {i for p in related_new for i in p}
    old = store.stories_of(sorted(ends - {new_id}))
    members = ends | {m for ms in old.values() for m in ms}
    others = sorted(members - decided_set)
    kept = [k for k in store.links_touching(others, as_source=False) if k.derived not in decided_set]
    related = [
        (r.derived, r.source)
        for r in store.pairs_touching(sorted(members - {new_id}))
        if r.relation is None and r.independent and new_id not in (r.derived, r.source)
    ]
    stories = graph.build_stories(sorted(members), [*kept, *links], [*related, *related_new])
    return sorted(old), stories


def _judge(
    derived: Article,
    source: Article,
    dfeat: ArticleFeatures,
    sfeat: ArticleFeatures,
    config: RunConfig,
    cand: Candidate,
    facts: dict[str, ArticleFacts],
    vectors: dict[str, SentenceVectors],
    prepared: dict[str, AlignText],
) -> PairVerdictRow:
    """``pipeline.judge_pair``, with each article analysed, and its sentences embedded, at most once across the
    candidates (the new article is in every pair)."""
    row = judge_words(derived, source, dfeat, sfeat, config, undirected=cand.undirected, via=cand.via, facts=facts,
                      prepared=prepared)  # fmt: skip
    if row is not None:
        return row
    if encodes_pair(dfeat, sfeat):
        for art in (derived, source):
            if art.id not in vectors:
                vectors[art.id] = sentence_vectors(art.text, config.align, config.embed)
    return judge_encoded(derived, source, dfeat, sfeat, config, undirected=cand.undirected, facts=facts,
                         vectors=vectors)  # fmt: skip


class CheckSession:
    """A store and its saved index opened once for many checks: a ``check`` over many files, a long-lived worker.

    Opening is the part of a check that grows with the store (DuckDB connect, the usearch view, the unindexed
    tail: ≈ 60 ms at 100k articles, see benchmarks/scale/README.md) and it does not depend on the article, so a
    session pays it once. With ``persist`` each checked article is added, and the next check sees it.
    """

    def __init__(self, store_path: Path, config: RunConfig | None = None, *, persist: bool = True) -> None:
        self.config = config or RunConfig()
        self.persist = persist
        self.store = Store(store_path, self.config.store, read_only=not persist)
        try:
            self.state = StoreIndexState(self.store, self.config.candidates)
        except BaseException:
            self.store.close()
            raise
        self._tail_stale = False

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> CheckSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def check(self, article: Article, clock: _Clock | None = None) -> CheckResult:
        """Look ``article`` up against the store (and add it when the session persists); see :func:`check_article`."""
        if self._tail_stale:
            # The article written by the previous check is above the index's covered seq: re-read the unindexed
            # tail so this check finds it, as a fresh open would.
            self.state.refresh()
            self._tail_stale = False
        clock = clock or _Clock()
        result = _check_open(self.store, self.state, article, self.config, persist=self.persist, clock=clock)
        self._tail_stale = self.persist
        return result


def check_article(
    store_path: Path, article: Article, config: RunConfig | None = None, *, persist: bool = True
) -> CheckResult:
    """Look one article up against an existing store; with ``persist`` it is added to the store.

    Without ``persist`` the store is opened read-only and nothing is written. The result holds the new article's
    links (as derived or as source) as a full ``trace`` would decide them from the same pair verdicts; its
    candidates are those of :func:`newstrace.candidates.candidates_for` (a subset of a batch run's, see there).
    For many articles against one store, :class:`CheckSession` opens the store once.
    """
    clock = _Clock()
    with CheckSession(store_path, config, persist=persist) as session:
        clock("open")
        return session.check(article, clock)


def _check_open(
    store: Store, state: StoreIndexState, article: Article, config: RunConfig, *, persist: bool, clock: _Clock
) -> CheckResult:
    """The body of a check against an opened store and index state."""
    feats_new = enrich_articles([article], config)[0]
    # The store keeps the detected language on the article row; the pair and link steps read it from there.
    current = article if article.language else replace(article, language=feats_new.language)
    clock("enrich")
    cands = candidates.candidates_for(candidate_record(current, feats_new), state, config.candidates)
    clock("candidates")
    partners = sorted({_other(c, article.id) for c in cands})
    arts: dict[str, Article] = store.get_articles(partners)
    feats: dict[str, ArticleFeatures] = store.get_features(partners)
    arts[article.id] = current
    feats[article.id] = feats_new
    clock("read")
    facts: dict[str, ArticleFacts] = {}  # the new article's facts once, not once per candidate
    vectors: dict[str, SentenceVectors] = {}  # and its sentence vectors once, for the pairs words left open
    prepared: dict[str, AlignText] = {}  # and its text segmented and tokenised once
    verdicts = [
        _judge(arts[c.derived], arts[c.source], feats[c.derived], feats[c.source], config, c, facts, vectors, prepared)
        for c in cands
        if c.derived in feats and c.source in feats
    ]
    clock("judge")
    stored_same = store.content_hashes([article.id]).get(article.id) == content_hash(article)
    sigs = {i: f.signals for i, f in feats.items()}
    raw = _RawGraph(store, config, current, verdicts, arts, sigs, keep_stored_pairs_of_new=stored_same)
    raw.facts.update(facts)
    decided = raw.descendants()
    selected = [k for d in decided for k in raw.select(d)]
    links = _origins(store, selected, set(decided))
    # Changes and staleness only for the links that are kept, or returned when nothing is kept.
    links = raw.detailed(links if persist else [k for k in links if article.id in (k.derived, k.source)])
    clock("decide")
    if persist:
        related_new = [p for p in raw.related if article.id in p]
        old_stories, stories = _stories(store, article.id, decided, links, related_new)
        sites = {s or graph.UNKNOWN_SITE for s in store.article_sites(decided).values()}
        sites.add(article.site or graph.UNKNOWN_SITE)
        store.apply_check(
            CheckUpdate(
                article=article, features=feats_new, pairs=verdicts, decided=decided, links=links,
                old_stories=old_stories, stories=stories, sites=sorted(sites),
            )
        )  # fmt: skip
        clock("write")
    log.info(
        "check %s: %d candidates, %d judged, %d articles decided, %d links; %s",
        article.id, len(cands), len(verdicts), len(decided), len(links),
        ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in clock.seconds.items()),
    )  # fmt: skip
    mine = [k for k in links if article.id in (k.derived, k.source)]
    return CheckResult(article.id, mine, clock.seconds, len(cands), clock.cpu_seconds)

