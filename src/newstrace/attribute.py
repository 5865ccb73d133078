"""Direction, source selection, chains, lag, credit and staleness of links.

A classified pair becomes a :class:`~newstrace.model.Link` here: the earlier article is the source (when dates cannot
tell, evidence in the texts decides and the link says ``direction="inferred"``), the derived text's credits are
compared with the source's outlet and its own credits, and chains are followed back to the origin.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace

from newstrace.changes import ArticleFacts, diff_facts
from newstrace.classify import PairVerdict, span_coverage
from newstrace.config import AttributeConfig, SignalConfig
from newstrace.model import Article, ArticleSignals, Changes, Direction, Link, Signal, Span
from newstrace.signals import canonical_agency, detect_stale, is_generic_sentence, site_outlet

log = logging.getLogger(__name__)

# Single-article signals that mark a text as made from another one (so it is the derived side of a pair).
_DERIVED_MARKS = frozenset({"machine_translation", "scraper_marker", "spun", "generic_filler"})

StaleDetector = Callable[[Article, Article], bool]


def swap_spans(spans: Iterable[Span]) -> list[Span]:
    """The same alignment seen from the other side (derived ↔ source offsets exchanged)."""
    return sorted(
        (Span(s.source_start, s.source_end, s.derived_start, s.derived_end, s.kind, s.score) for s in spans),
        key=lambda s: (s.derived_start, s.source_start),
    )


def _outlets(article: Article, signals: ArticleSignals | None) -> set[str]:
    """Canonical outlets an article belongs to or credits: its site's outlet and the agencies it names."""
    names: set[str] = set()
    if article.site:
        outlet = site_outlet(article.site)
        if outlet:
            names.add(outlet)
    if signals:
        for credit in signals.credits:
            names.add(canonical_agency(credit.name) or credit.name)
    return names


def _credited(signals: ArticleSignals | None) -> set[str]:
    if not signals:
        return set()
    return {canonical_agency(c.name) or c.name for c in signals.credits}


def _date_order(a: Article, b: Article) -> int:
    """-1 when ``a`` is surely earlier, 1 when surely later, 0 when the dates cannot tell (missing or overlapping)."""
    if a.date is None or b.date is None:
        return 0
    if a.date.latest < b.date.earliest:
        return -1
    if b.date.latest < a.date.earliest:
        return 1
    return 0


def orient(
    a: Article,
    b: Article,
    spans: Sequence[Span] = (),
    a_signals: ArticleSignals | None = None,
    b_signals: ArticleSignals | None = None,
    config: AttributeConfig | None = None,
) -> tuple[str, str, Direction]:
    """``(derived_id, source_id, direction)`` for a linked pair; ``spans`` have ``a`` on the derived side.

    Dates decide when they do not overlap ("dated"). Otherwise ("inferred") the evidence is, in order of weight:
    a text that credits the other's outlet copied it; a text with copy marks (machine translation, scraper marks,
    spinning, filler) is the copy; a text contained in the other more than the reverse is the copy; a wire site is
    the source; the later coarse-date midpoint; and finally the shorter text, then the id, so the answer is stable.
    """
    config = config or AttributeConfig()
    order = _date_order(a, b)
    if order < 0:
        return b.id, a.id, "dated"
    if order > 0:
        return a.id, b.id, "dated"

    vote = 0.0  # > 0: a is derived
    a_out, b_out = _outlets(a, None), _outlets(b, None)
    a_cred, b_cred = _credited(a_signals), _credited(b_signals)
    if b_out & a_cred and not a_out & b_cred:
        vote += 3.0
    elif a_out & b_cred and not b_out & a_cred:
        vote -= 3.0
    a_marks = {s.kind for s in a_signals.signals} & _DERIVED_MARKS if a_signals else set()
    b_marks = {s.kind for s in b_signals.signals} & _DERIVED_MARKS if b_signals else set()
    vote += 2.0 * (bool(a_marks) - bool(b_marks))
    if spans:
        a_cov, b_cov = span_coverage(a.text, b.text, spans)
        if a_cov - b_cov >= config.containment_margin:
            vote += 1.5
        elif b_cov - a_cov >= config.containment_margin:
            vote -= 1.5
    if a_signals and b_signals and (a_signals.dateline is None) != (b_signals.dateline is None):
        # Wire copy opens with a dateline; rewrites often drop it. Weak: syndicated copies keep it.
        vote += 0.5 if a_signals.dateline is None else -0.5
    if a.date is not None and b.date is not None and a.date.midpoint != b.date.midpoint:
        vote += 0.75 if a.date.midpoint > b.date.midpoint else -0.75
    if vote == 0.0:
        la, lb = len(a.text.strip()), len(b.text.strip())
        vote = 0.1 if la < lb else -0.1 if lb < la else (0.01 if a.id > b.id else -0.01)
    return (a.id, b.id, "inferred") if vote > 0 else (b.id, a.id, "inferred")


def _stale(
    derived: Article,
    source: Article,
    derived_signals: ArticleSignals | None,
    lag_days: float | None,
    config: AttributeConfig,
    signal_config: SignalConfig | None,
) -> bool:
    """Published long after the source while speaking of the event as current ("this Thursday", "last night")."""
    if lag_days is None or lag_days < config.stale_after_days or source.date is None:
        return False
    if derived_signals is not None and any(s.kind == "stale" for s in derived_signals.signals):
        return True
    # The source's date is the event's latest possible date: time words in the copy that point at its own
    # publication week ("on Thursday") while the source is weeks older make the copy stale.
    cfg = signal_config or SignalConfig()
    found: Signal | None = detect_stale(derived.text, derived.date, source.date.earliest, cfg, derived.language)
    return found is not None


def build_link(
    derived: Article,
    source: Article,
    spans: Sequence[Span],
    verdict: PairVerdict,
    derived_signals: ArticleSignals | None = None,
    source_signals: ArticleSignals | None = None,
    config: AttributeConfig | None = None,
    *,
    signal_config: SignalConfig | None = None,
    is_generic: Callable[[str, str | None], float] | None = None,
    facts: Mapping[str, ArticleFacts] | None = None,
    details: bool = True,
) -> Link:
    """A Link for a linked pair; the sides are re-oriented (see :func:`orient`) and ``origin`` is the source for now.

    ``facts`` maps article ids to their :func:`newstrace.changes.article_facts`, when the caller keeps them.
    Without ``details`` the link has no ``changes`` and ``stale`` is False: what choosing among sources and
    following chains needs (scores, spans, credit, lag) at a fraction of the cost.

    Raises:
        ValueError: when the verdict says "no link".
    """
    config = config or AttributeConfig()
    if verdict.relation is None:
        raise ValueError(f"pair {derived.id} → {source.id} is not linked: {verdict.reason}")
    derived_id, _, direction = orient(derived, source, spans, derived_signals, source_signals, config)
    if derived_id != derived.id:
        derived, source = source, derived
        derived_signals, source_signals = source_signals, derived_signals
        spans = swap_spans(spans)
    d_cov, s_cov = span_coverage(derived.text, source.text, spans)
    lag: float | None = None
    if derived.date is not None and source.date is not None:
        lag = float((derived.date.midpoint - source.date.midpoint).days)
    credited = _credited(derived_signals)
    source_outlets = _outlets(source, source_signals)
    if is_generic is None:
        is_generic = is_generic_sentence
    return Link(
        derived=derived.id,
        source=source.id,
        relation=verdict.relation,
        score=round(float(verdict.score), 4),
        origin=source.id,
        lag_days=lag,
        attributed=bool(credited & source_outlets),
        stale=details and _stale(derived, source, derived_signals, lag, config, signal_config),
        derived_coverage=round(d_cov, 4),
        source_coverage=round(s_cov, 4),
        spans=tuple(spans),
        changes=Changes()
        if not details
        else diff_facts(
            derived.text,
            source.text,
            spans,
            derived.language,
            source.language,
            config,
            is_generic=is_generic,
            derived_facts=facts.get(derived.id) if facts else None,
            source_facts=facts.get(source.id) if facts else None,
        ),
        direction=direction,
    )


def _ancestors(parents: Mapping[str, set[str]], start: str) -> set[str]:
    """Every article reachable from ``start`` along derived → source links (cycle-safe)."""
    seen: set[str] = set()
    stack = list(parents.get(start, ()))
    while stack:
        x = stack.pop()
        if x in seen:
            continue
        seen.add(x)
        stack.extend(parents.get(x, ()))
    return seen


def _derived_ranges(link: Link) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted((sp.derived_start, sp.derived_end) for sp in link.spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        elif e > s:
            merged.append((s, e))
    return merged


def _length(ranges: Sequence[tuple[int, int]]) -> int:
    return sum(e - s for s, e in ranges)


def _minus(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> int:
    """Characters of merged ranges ``a`` not inside merged ranges ``b``."""
    left = 0
    j = 0
    for s, e in a:
        pos = s
        while j < len(b) and b[j][1] <= pos:
            j += 1
        k = j
        while k < len(b) and b[k][0] < e:
            if b[k][0] > pos:
                left += b[k][0] - pos
            pos = max(pos, b[k][1])
            k += 1
        if pos < e:
            left += e - pos
    return left


def _closeness(link: Link) -> float:
    """Length-weighted mean span similarity."""
    weights = [max(1, sp.derived_end - sp.derived_start) for sp in link.spans]
    if not weights:
        return 0.0
    return sum(w * sp.score for w, sp in zip(weights, link.spans, strict=True)) / sum(weights)


def _strength(link: Link) -> float:
    """Derived characters the link explains, weighted by span similarity (how much and how closely C follows it)."""
    return sum(max(0, sp.derived_end - sp.derived_start) * sp.score for sp in link.spans)


def select_all_sources(links: Sequence[Link], config: AttributeConfig | None = None) -> list[Link]:
    """:func:`select_sources` for every derived article of ``links``, in derived-id order (the graph built once)."""
    by_derived: dict[str, list[Link]] = defaultdict(list)
    parents: dict[str, set[str]] = defaultdict(set)
    for k in links:
        by_derived[k.derived].append(k)
        parents[k.derived].add(k.source)
    out: list[Link] = []
    for derived_id in sorted(by_derived):
        out.extend(_select(derived_id, by_derived[derived_id], parents, config or AttributeConfig()))
    return out


def select_sources(derived_id: str, links: Sequence[Link], config: AttributeConfig | None = None) -> list[Link]:
    """The direct sources of ``derived_id`` among ``links`` (all links of the run, so chains are visible).

    When C resembles both B and B's ancestor A, one of them is C's direct source unless each explains enough of C
    that the other does not, or A explains more but C has B's closer wording (then both are). Otherwise the one that
    explains text the other does not wins; else the one whose outlet C credits; else B when C follows it more closely
    (C copied B's edits: more characters at higher span similarity), otherwise A (B merely repeats A, e.g. a
    syndicated copy). Between unrelated sources, one whose link scores far lower (or explains far less text, less
    closely) and that explains nothing the other does not is dropped.
    """
    parents: dict[str, set[str]] = defaultdict(set)
    for k in links:
        parents[k.derived].add(k.source)
    return _select(derived_id, [k for k in links if k.derived == derived_id], parents, config or AttributeConfig())


def _select(
    derived_id: str, links_of: Sequence[Link], parents: Mapping[str, set[str]], config: AttributeConfig
) -> list[Link]:
    """:func:`select_sources` given ``derived_id``'s own links and the derived → sources map of all links."""
    mine = [k for k in links_of if k.source != derived_id]
    if len(mine) < 2:
        return mine
    ancestors = {k.source: _ancestors(parents, k.source) for k in mine}
    ranges = {k.source: _derived_ranges(k) for k in mine}
    by_source = {k.source: k for k in mine}

    def significant(only: int, total: int) -> bool:
        return only >= config.min_unique_source_chars and only >= config.min_unique_source_share * total

    dropped: set[str] = set()
    for b, link_b in by_source.items():
        for a, link_a in by_source.items():
            if a == b:
                continue
            if a not in ancestors[b] or b in ancestors[a]:
                # Unrelated sources: a much weaker one that explains nothing the stronger one does not is explained
                # away (a brief made from the wire also resembles an independent report of the same event).
                # Scores of strong links crowd near 1, so between truly unrelated sources (B is no descendant of A
                # either: that case is judged with the roles swapped) "far stronger" is also read from the evidence:
                # B explains many times the derived text A does, at the same or higher similarity.
                unrelated = b not in ancestors[a]
                stronger = link_b.score >= link_a.score + config.explained_away_margin or (
                    unrelated and _strength(link_b) >= config.explained_away_strength_ratio * _strength(link_a)
                )
                if stronger and not significant(_minus(ranges[a], ranges[b]), _length(ranges[a])):
                    dropped.add(a)
                continue
            only_a = significant(_minus(ranges[a], ranges[b]), _length(ranges[a]))
            only_b = significant(_minus(ranges[b], ranges[a]), _length(ranges[b]))
            if only_a and only_b:
                continue  # each is a direct source of part of C
            if only_a and _closeness(link_b) >= _closeness(link_a) + config.closer_source_margin:
                continue  # A explains more, but where both apply C has B's wording: both are sources
            if only_a or only_b:
                loser = b if only_a else a
            elif link_a.attributed != link_b.attributed:
                loser = b if link_a.attributed else a  # C names A's outlet (or B's): that is where it looked
            else:
                b_closer = _strength(link_b) >= _strength(link_a) * (1.0 + config.closer_source_margin)
                loser = a if b_closer else b
            log.debug("%s: %s and its ancestor chain overlap; %s dropped as direct source", derived_id, b, loser)
            dropped.add(loser)
    return [k for k in mine if k.source not in dropped]


def resolve_origins(links: Sequence[Link]) -> list[Link]:
    """Set each link's ``origin`` to the earliest ancestor reached along derived → source links (cycle-safe).

    Where an article has several sources the strongest link is followed (then the longest lag, then the id).
    """
    best_parent: dict[str, Link] = {}
    for k in links:
        cur = best_parent.get(k.derived)
        key = (k.score, k.lag_days if k.lag_days is not None else -1.0, k.source)
        if cur is None or key > (cur.score, cur.lag_days if cur.lag_days is not None else -1.0, cur.source):
            best_parent[k.derived] = k
    out: list[Link] = []
    for k in links:
        node = k.source
        seen = {k.derived, node}
        while node in best_parent:
            nxt = best_parent[node].source
            if nxt in seen:
                log.warning("cycle in links at %s; origin stops there", nxt)
                break
            seen.add(nxt)
            node = nxt
        out.append(replace(k, origin=node))
    return out
