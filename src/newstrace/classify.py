"""Relation typing and the link / no-link decision for one aligned pair.

The decision rests on what the alignment shows about the *derived* text: how much of it (outside quoted speech, which
independent reports of one event share) is explained by the source, how literally, in which order, and whether it
brings facts of its own. One long passage reused nearly word for word, or reworded but keeping most of its content
words, is a link however small a share of either article it is (partial reuse). Languages the sentence encoder does
not know are aligned on words alone, so their pairs are scored by a model of their own. The relation type then
follows from the mix of span kinds, the language pair and the length ratio. Weights and thresholds are in
:class:`~newstrace.config.ClassifyConfig` with the command that fitted them.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from newstrace.align import FUNCTION_WORDS
from newstrace.changes import ArticleFacts, article_facts, name_present
from newstrace.config import AlignConfig, AttributeConfig, ClassifyConfig, NormaliseConfig
from newstrace.embed import encoder_supports
from newstrace.model import Article, Relation, Span
from newstrace.normalise import Token, segment_sentences, tokenize

log = logging.getLogger(__name__)

_YEAR = re.compile(r"(?:19|20)\d\d")


@dataclass(frozen=True, slots=True)
class PassageFeatures:
    """One aligned passage: its length and how literally its own wording recurs in the source passage."""

    chars: int  # non-space characters: the smaller of the derived side outside quotation marks and the source side
    quote_share: float  # share of the derived side's non-space characters inside quotation marks
    bigram_overlap: float  # share of the derived side's distinct word pairs found in the source side (quotes left out)
    # Share of the derived side's distinct content words (function words left out, cut to the aligner's stems, quotes
    # left out) found anywhere in the source side: survives reordering and inflection, which break word pairs.
    content_containment: float = 0.0


@dataclass(frozen=True, slots=True)
class PairFeatures:
    """Measurements of one (derived, source) pair and its spans; shares are 0–1."""

    derived_chars: int  # non-space characters of the derived text
    source_chars: int
    cross_language: bool  # both languages known and different
    derived_coverage: float  # share of derived non-space characters inside a span
    source_coverage: float
    unquoted_coverage: float  # derived coverage counted outside quotation marks only
    exact_share: float  # of covered derived characters: share in exact spans
    near_share: float
    paraphrase_share: float
    translation_share: float
    quote_share: float  # share of covered derived characters that are quoted speech
    order: float  # weighted share of spans that keep the source order (heaviest increasing chain); 0 without spans
    ordered_coverage: float  # derived coverage counting only the spans of that chain
    length_ratio: float  # derived_chars / source_chars
    mean_score: float  # span score weighted by derived length
    longest_span: int  # derived characters of the longest span
    spans: int
    shared_facts: int  # numbers and names present in both texts
    shared_numbers: int  # numbers present in both texts, years left out
    derived_novelty: float  # share of the derived text's numbers and names the source lacks ("own facts")
    source_novelty: float  # share of the source's numbers and names the derived text lacks
    containment: float  # share of derived word trigrams found in the source (lexical reuse, span-independent)
    word_containment: float  # the same for single words
    bigram_containment: float  # and for word pairs
    lexical_only: bool = False  # a language outside the sentence encoder: the spans rest on shared words alone
    log_length_ratio: float = 0.0  # log(derived_chars / source_chars): < 0 when the derived text is shorter
    passages: tuple[PassageFeatures, ...] = ()  # one per span, in span order
    quadgram_containment: float = 0.0  # share of derived word 4-grams found in the source (literal runs)
    # Mean over the derived text's sentences of the closest source sentence's fuzzy match (0-1, character level, see
    # ``sentence_match``); computed for ``lexical_only`` pairs only (the model that uses it), 0 otherwise.
    sentence_match: float = 0.0

    def vector(self, names: Sequence[str]) -> list[float]:
        """The named features as floats (bools as 0/1), in the order given."""
        return [float(getattr(self, n)) for n in names]


# The numeric features (what ``PairFeatures.vector`` can return).
FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in fields(PairFeatures) if f.name != "passages")


@dataclass(frozen=True, slots=True)
class PairVerdict:
    """The decision for one pair: a relation (None = no link), a 0–1 score, and whether it is independent coverage."""

    relation: Relation | None
    score: float
    independent: bool
    reason: str


# Every code point for which ``str.isspace`` is true (all lie below U+3001).
_SPACES = np.array([c for c in range(0x3001) if chr(c).isspace()], dtype=np.uint32)


def _nonspace_prefix(text: str) -> np.ndarray:
    """``p[i]`` = non-space characters in ``text[:i]`` (so any range is counted in O(1))."""
    # One code point per element (UTF-32), tested against the space table in numpy rather than per character.
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    out = np.zeros(len(text) + 1, dtype=np.int64)
    np.cumsum(~np.isin(codes, _SPACES), out=out[1:])
    return out


def _union(ranges: Sequence[tuple[int, int]], limit: int) -> list[tuple[int, int]]:
    """Merged, clipped half-open ranges."""
    merged: list[tuple[int, int]] = []
    for s, e in sorted((max(0, s), min(limit, e)) for s, e in ranges):
        if e <= s:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def _count(prefix: np.ndarray, ranges: Sequence[tuple[int, int]]) -> int:
    return int(sum(prefix[e] - prefix[s] for s, e in ranges))


def _intersect(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Intersection of two merged range lists."""
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        s, e = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if s < e:
            out.append((s, e))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _ordered_chain(spans: Sequence[Span]) -> tuple[list[Span], float]:
    """The heaviest chain of spans increasing on both sides, and its share of all span weight (1 = same order).

    Copies, edits, rewrites and translations follow their source passage by passage; independent reports of one
    event share a few facts in their own order, so their spans cross.
    """
    if not spans:
        return [], 0.0
    ordered = sorted(spans, key=lambda s: (s.derived_start, s.source_start))
    weights = [float(max(1, s.derived_end - s.derived_start)) for s in ordered]
    ranks = {v: i for i, v in enumerate(sorted({s.source_start for s in ordered}))}
    size = len(ranks)
    tree: list[tuple[float, int]] = [(0.0, -1)] * (size + 1)  # Fenwick tree: best (weight, last index) by rank

    def best_before(i: int) -> tuple[float, int]:
        b = (0.0, -1)
        while i > 0:
            b = max(b, tree[i])
            i -= i & -i
        return b

    def update(i: int, v: tuple[float, int]) -> None:
        i += 1
        while i <= size:
            tree[i] = max(tree[i], v)
            i += i & -i

    back = [-1] * len(ordered)
    best = (0.0, -1)
    for k, s in enumerate(ordered):
        prev_w, prev_k = best_before(ranks[s.source_start])
        back[k] = prev_k
        v = (prev_w + weights[k], k)
        best = max(best, v)
        update(ranks[s.source_start], v)
    chain: list[Span] = []
    k = best[1]
    while k >= 0:
        chain.append(ordered[k])
        k = back[k]
    chain.reverse()
    return chain, best[0] / sum(weights)


def _containment(dw: Sequence[str], sw: Sequence[str]) -> tuple[float, float, float, float]:
    """Share of the derived text's distinct word 1-, 2-, 3- and 4-grams that also occur in the source."""
    out: list[float] = []
    for n in (1, 2, 3, 4):
        dg = set(zip(*(dw[i:] for i in range(n)), strict=False))
        sg = set(zip(*(sw[i:] for i in range(n)), strict=False))
        out.append(len(dg & sg) / len(dg) if dg else 0.0)
    return out[0], out[1], out[2], out[3]


def _sentences(text: str, min_words: int) -> list[str]:
    """Sentences of ``text`` with at least ``min_words`` words, as their folded words joined by single spaces."""
    out = []
    for seg in segment_sentences("", text, NormaliseConfig()):
        words = [t.norm for t in tokenize(text, seg.start, seg.end)]
        if len(words) >= min_words:
            out.append(" ".join(words))
    return out


def sentence_match(derived_text: str, source_text: str, config: ClassifyConfig) -> float:
    """Mean over the derived sentences of their best fuzzy match among the source sentences (0-1).

    The match is rapidfuzz's ``partial_ratio``: the shorter sentence against the most similar stretch of the longer,
    by character edits, so inflected, respelled or respaced words (Urdu writes "ہو گئی" and "ہوگئی") still count and
    a sentence that was cut or extended still matches its original. A derived text made from the source has a close
    counterpart for most of its sentences, however reworded; an independent report of the same event shares names
    and topic words spread over sentences of its own. Sentences shorter than ``config.sentence_match_min_words``
    (datelines, captions, one name) are left out on both sides: a fragment is contained in almost any sentence.
    Cost grows with the product of the sentence counts, so long texts are capped (see ClassifyConfig).
    """
    derived = _sentences(derived_text, config.sentence_match_min_words)
    source = _sentences(source_text, config.sentence_match_min_words)[: max(1, config.sentence_match_max_source)]
    if not derived or not source:
        return 0.0
    if len(derived) > config.sentence_match_max_derived > 0:
        # An evenly spaced sample estimates the mean over all of them.
        derived = [derived[i] for i in np.linspace(0, len(derived) - 1, config.sentence_match_max_derived, dtype=int)]
    scores = cdist(derived, source, scorer=fuzz.partial_ratio, dtype=np.float32)
    return float(scores.max(axis=1).mean() / 100.0)


def _fact_overlap(derived: ArticleFacts, source: ArticleFacts, cross: bool) -> tuple[int, int, float, float]:
    """Shared numbers+names, shared numbers, and the share of each side's numbers+names missing from the other."""
    cfg = AttributeConfig()
    dnums, snums = set(derived.numbers), set(source.numbers)
    dfacts = {("number", k) for k in dnums} | {("name", k) for k in derived.names}
    sfacts = {("number", k) for k in snums} | {("name", k) for k in source.names}
    dwords, swords = derived.words, source.words

    def present(kind: str, key: str, nums: set[str], words: frozenset[str]) -> bool:
        if kind == "number":
            return key in nums
        return name_present(key, words, cfg.name_match_ratio)

    d_in = sum(present(k, key, snums, swords) for k, key in dfacts)
    s_in = sum(present(k, key, dnums, dwords) for k, key in sfacts)
    if cross:
        # Names are often translated ("Estados Unidos" / "United States"); only numbers are comparable.
        dfacts = {x for x in dfacts if x[0] == "number"}
        sfacts = {x for x in sfacts if x[0] == "number"}
        d_in = len(dfacts & sfacts)
        s_in = d_in
    d_nov = 1.0 - d_in / len(dfacts) if dfacts else 0.0
    s_nov = 1.0 - s_in / len(sfacts) if sfacts else 0.0
    # Years are shared by any two articles of the same season; they say nothing about the event.
    shared_numbers = sum(1 for k in dnums & snums if not _YEAR.fullmatch(k))
    return d_in, shared_numbers, d_nov, s_nov


def _outside(tokens: Sequence[Token], quotes: Sequence[tuple[int, int]]) -> list[str]:
    """Folded words of ``tokens`` that do not start inside one of the merged ``quotes`` ranges."""
    starts = [a for a, _ in quotes]
    out: list[str] = []
    for t in tokens:
        i = bisect.bisect_right(starts, t.start) - 1
        if i < 0 or t.start >= quotes[i][1]:
            out.append(t.norm)
    return out


def _passage(
    dtext: str,
    stext: str,
    span: Span,
    prefixes: tuple[np.ndarray, np.ndarray],
    quotes: tuple[list[tuple[int, int]], list[tuple[int, int]]],
) -> PassageFeatures:
    """Length, quoted share and literal overlap of one span (quoted speech, which independent reports share, aside)."""
    dpre, spre = prefixes
    dq, sq = quotes
    d_range = [(max(0, span.derived_start), min(len(dtext), span.derived_end))]
    d_chars = _count(dpre, _union(d_range, len(dtext)))
    d_quoted = _count(dpre, _intersect(_union(d_range, len(dtext)), dq))
    s_chars = _count(spre, _union([(span.source_start, span.source_end)], len(stext)))
    dw = _outside(tokenize(dtext, max(0, span.derived_start), min(len(dtext), span.derived_end)), dq)
    sw = _outside(tokenize(stext, max(0, span.source_start), min(len(stext), span.source_end)), sq)
    dg, sg = set(itertools.pairwise(dw)), set(itertools.pairwise(sw))
    dc, sc = _content_stems(dw), _content_stems(sw)
    return PassageFeatures(
        chars=min(d_chars - d_quoted, s_chars),
        quote_share=d_quoted / d_chars if d_chars else 0.0,
        bigram_overlap=len(dg & sg) / len(dg) if dg else 0.0,
        content_containment=len(dc & sc) / len(dc) if dc else 0.0,
    )


def _content_stems(words: Sequence[str]) -> set[str]:
    """Distinct content words among folded ``words``, cut to the aligner's stem length (as align.prepare_text does)."""
    cut = AlignConfig().stem_chars
    return {w[:cut] for w in words if w not in FUNCTION_WORDS and (len(w) >= 2 or w.isdigit())}


def span_coverage(derived_text: str, source_text: str, spans: Sequence[Span]) -> tuple[float, float]:
    """Share of each text's non-space characters inside the spans: ``(derived_coverage, source_coverage)``."""
    dpre, spre = _nonspace_prefix(derived_text), _nonspace_prefix(source_text)
    dcov = _count(dpre, _union([(s.derived_start, s.derived_end) for s in spans], len(derived_text)))
    scov = _count(spre, _union([(s.source_start, s.source_end) for s in spans], len(source_text)))
    return (dcov / int(dpre[-1]) if dpre[-1] else 0.0, scov / int(spre[-1]) if spre[-1] else 0.0)


def pair_features(
    derived: Article,
    source: Article,
    spans: Sequence[Span],
    *,
    derived_facts: ArticleFacts | None = None,
    source_facts: ArticleFacts | None = None,
    config: ClassifyConfig | None = None,
) -> PairFeatures:
    """Measure a pair and its alignment (``spans`` index ``derived.text`` / ``source.text``).

    ``derived_facts`` / ``source_facts`` are :func:`newstrace.changes.article_facts` of the two texts, when the caller
    computed them once per article; without them they are computed here (same result).
    """
    config = config or ClassifyConfig()
    dtext, stext = derived.text, source.text
    dfa = derived_facts if derived_facts is not None else article_facts(dtext, derived.language)
    sfa = source_facts if source_facts is not None else article_facts(stext, source.language)
    dpre, spre = _nonspace_prefix(dtext), _nonspace_prefix(stext)
    dchars, schars = int(dpre[-1]), int(spre[-1])
    dcov = _union([(s.derived_start, s.derived_end) for s in spans], len(dtext))
    scov = _union([(s.source_start, s.source_end) for s in spans], len(stext))
    covered = _count(dpre, dcov)
    quotes = _union(dfa.quotes, len(dtext))
    squotes = _union(sfa.quotes, len(stext))
    quoted_chars = _count(dpre, quotes)
    quoted_covered = _count(dpre, _intersect(dcov, quotes))
    by_kind: dict[str, int] = {}
    for kind in ("exact", "near", "paraphrase", "translation"):
        ranges = _union([(s.derived_start, s.derived_end) for s in spans if s.kind == kind], len(dtext))
        by_kind[kind] = _count(dpre, ranges)
    kind_total = sum(by_kind.values()) or 1
    weights = [max(1, s.derived_end - s.derived_start) for s in spans]
    chain, order = _ordered_chain(spans)
    ordered = _count(dpre, _union([(s.derived_start, s.derived_end) for s in chain], len(dtext)))
    mean_score = sum(w * s.score for w, s in zip(weights, spans, strict=True)) / sum(weights) if spans else 0.0
    cross = bool(derived.language and source.language and derived.language != source.language)
    shared, shared_numbers, d_nov, s_nov = _fact_overlap(dfa, sfa, cross)
    # Across languages shared words are only names and numbers, which the fact features already count.
    c1, c2, c3, c4 = (0.0, 0.0, 0.0, 0.0) if cross else _containment(dfa.tokens, sfa.tokens)
    lexical_only = not (encoder_supports(derived.language) and encoder_supports(source.language))
    # Only the lexical model uses it, and it costs a fuzzy match per sentence pair: skipped for the other pairs.
    smatch = sentence_match(dtext, stext, config) if lexical_only and not cross else 0.0
    return PairFeatures(
        derived_chars=dchars,
        source_chars=schars,
        cross_language=cross,
        derived_coverage=covered / dchars if dchars else 0.0,
        source_coverage=_count(spre, scov) / schars if schars else 0.0,
        unquoted_coverage=(covered - quoted_covered) / (dchars - quoted_chars) if dchars > quoted_chars else 0.0,
        exact_share=by_kind["exact"] / kind_total,
        near_share=by_kind["near"] / kind_total,
        paraphrase_share=by_kind["paraphrase"] / kind_total,
        translation_share=by_kind["translation"] / kind_total,
        quote_share=quoted_covered / covered if covered else 0.0,
        order=order,
        ordered_coverage=ordered / dchars if dchars else 0.0,
        length_ratio=dchars / schars if schars else 0.0,
        mean_score=mean_score,
        longest_span=max((s.derived_end - s.derived_start for s in spans), default=0),
        spans=len(spans),
        shared_facts=shared,
        shared_numbers=shared_numbers,
        derived_novelty=d_nov,
        source_novelty=s_nov,
        containment=c3,
        word_containment=c1,
        bigram_containment=c2,
        lexical_only=lexical_only,
        log_length_ratio=math.log(max(dchars, 1) / max(schars, 1)),
        passages=tuple(_passage(dtext, stext, sp, (dpre, spre), (quotes, squotes)) for sp in spans),
        quadgram_containment=c4,
        sentence_match=smatch,
    )


def link_probability(features: PairFeatures, config: ClassifyConfig) -> float:
    """Logistic score that the derived text was made from the source (weights fitted by benchmarks/pairs/fit.py).

    Pairs in a language the encoder does not know have spans found from shared words only, so their spans and
    containment mean something else (and are scored by their own weights, ``lexical_*``).
    """
    if features.lexical_only:
        intercept, weights = config.lexical_intercept, config.lexical_weights
    else:
        intercept, weights = config.intercept, config.weights
    z = intercept + sum(w * float(getattr(features, name)) for name, w in weights)
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


def relation_type(f: PairFeatures, config: ClassifyConfig) -> tuple[Relation, str]:
    """The kind of reuse, from span kinds, languages and lengths (assuming the pair is linked)."""
    literal = f.exact_share + f.near_share
    if f.cross_language or f.translation_share >= config.translation_min_share:
        return "translation", "different languages" if f.cross_language else "mostly translation spans"
    if (
        f.exact_share >= config.verbatim_min_exact
        and f.derived_coverage >= config.verbatim_min_coverage
        and f.source_coverage >= config.verbatim_min_coverage
    ):
        return "verbatim", f"{f.exact_share:.0%} of the reuse is exact"
    if f.length_ratio <= config.summary_max_length_ratio and literal < config.light_edit_min_literal:
        return "summary", f"{f.length_ratio:.0%} of the source's length, reworded"
    if literal >= config.light_edit_min_literal:
        if f.exact_share >= config.verbatim_min_exact and f.derived_coverage >= config.verbatim_min_coverage:
            # A word-for-word copy of part of the source (the first paragraphs) is still a verbatim copy.
            return "verbatim", f"{f.exact_share:.0%} exact, {f.source_coverage:.0%} of the source"
        return "light_edit", f"{literal:.0%} of the reuse is exact or near"
    return "paraphrase", f"{1 - literal:.0%} of the reuse is reworded"


def faithful_rewrite(f: PairFeatures, config: ClassifyConfig) -> bool:
    """A reworded text that follows the source passage by passage and brings no fact of its own (an LLM rewrite).

    Independent reports of one event share facts but add their own (names, numbers) and share passages out of
    order; a rewrite keeps the source's order and only its facts. Needs enough facts for the check to mean something.
    """
    return (
        not f.cross_language
        and f.ordered_coverage >= config.rewrite_min_ordered_coverage
        and f.derived_novelty <= config.rewrite_max_novelty
        and f.shared_facts >= config.rewrite_min_shared_facts
    )


def partial_reuse(f: PairFeatures, config: ClassifyConfig) -> PassageFeatures | None:
    """The longest passage that is reused word for word, lightly edited or reworded, when one is enough for a link.

    A copy that takes one long passage of its source (a few paragraphs of a wire story inside a longer article) is
    derived however small a share of either article it is. Independent reports of one event share quotes and facts,
    and passages that tell the same thing in their own words: few of their word pairs recur outside quotation marks,
    and about half of their content words at most. A passage reworded from its source (words swapped for synonyms,
    reordered, translated there and back) keeps fewer word pairs but most of its content words, so a long passage
    is also linked on that evidence (``reworded_*``). Not for languages outside the encoder: the function-word list
    does not know them, so their content words would be inflated by function words.
    """

    def literal(p: PassageFeatures) -> bool:
        return p.chars >= config.partial_min_chars and p.bigram_overlap >= config.partial_min_bigram_overlap

    def reworded(p: PassageFeatures) -> bool:
        return (
            not f.lexical_only
            and p.chars >= config.reworded_min_chars
            and p.bigram_overlap >= config.reworded_min_bigram_overlap
            and p.content_containment >= config.reworded_min_content_containment
        )

    hits = [p for p in f.passages if p.quote_share <= config.partial_max_quote_share and (literal(p) or reworded(p))]
    return max(hits, key=lambda p: p.chars) if hits else None


def classify_pair(features: PairFeatures, config: ClassifyConfig | None = None) -> PairVerdict:
    """Link or not, and which relation; ``independent`` marks same-event pairs that are not linked."""
    config = config or ClassifyConfig()
    f = features
    p = link_probability(f, config)
    summary = (
        f"cov {f.derived_coverage:.2f}/{f.source_coverage:.2f} unquoted {f.unquoted_coverage:.2f} "
        f"exact {f.exact_share:.2f} own facts {f.derived_novelty:.2f} p={p:.2f}"
    )
    if f.derived_chars < config.min_chars or f.source_chars < config.min_chars:
        return PairVerdict(None, p, False, f"too short to judge ({summary})")
    if p >= config.link_threshold:
        relation, why = relation_type(f, config)
        return PairVerdict(relation, p, False, f"{relation}: {why} ({summary})")
    if faithful_rewrite(f, config):
        relation, why = relation_type(f, config)
        why = f"{why}; follows the source in order and states no fact of its own"
        return PairVerdict(relation, max(p, config.link_threshold), False, f"{relation}: {why} ({summary})")
    passage = partial_reuse(f, config)
    if passage is not None:
        relation, why = relation_type(f, config)
        why = (
            f"{why}; partial reuse: a {passage.chars}-character passage, "
            f"{passage.bigram_overlap:.0%} of its word pairs and {passage.content_containment:.0%} of its content "
            "words from the source"
        )
        return PairVerdict(relation, max(p, config.link_threshold), False, f"{relation}: {why} ({summary})")
    same_event = (
        f.shared_numbers >= config.independent_min_shared_numbers
        and f.shared_facts >= config.independent_min_shared_facts
    )
    if same_event:
        return PairVerdict(None, p, True, f"same event, own reporting ({summary})")
    return PairVerdict(None, p, False, f"unrelated ({summary})")
