"""Passage alignment: which passages of a derived text reuse which passages of a source text, with offsets.

The method is seed → extend → filter over sentences (after Sanchez-Perez, Sidorov & Gelbukh, PAN 2014):

1. Seeds are sentence pairs that are lexically close (tf-idf cosine and Dice of stemmed content words both high) or
   semantically close (cosine of multilingual sentence embeddings), so copies, edits, paraphrases and machine
   translations all seed; across languages only the semantic seeds count.
2. Seeds are clustered into passages by alternately splitting on gaps in derived and source sentence order, so
   reordered and partly rewritten passages stay one passage.
3. Passages that are short or weak are dropped, overlaps on the derived side are resolved, and a short derived passage
   whose seeds spread over a long source stretch (a summary) covers that stretch.
4. Each span gets a kind (exact / near / paraphrase / translation) from its token sequences.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import regex
from rapidfuzz.distance import Indel

from newstrace.config import AlignConfig, EmbedConfig
from newstrace.embed import DIM, embed_texts, encoder_supports
from newstrace.model import Span, SpanKind
from newstrace.normalise import Token, tokenize

log = logging.getLogger(__name__)

# Function words carry no evidence of reuse; a short multilingual list (en, es, fr, de, it, pt) is enough because
# idf weighting downweights whatever frequent words remain. Public: the link model's passage features use the same
# list, so that a "content word" means the same in both stages.
FUNCTION_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being below between both
    but by can could did do does doing down during each few for from further had has have having he her here hers
    herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on
    once only or other our ours ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours yourself yourselves said says one two new el la los las un una
    unos unas de del al y o que en por para con sin se su sus es son fue ha han como mas pero le les des du et ou au
    aux ce cette ces qui dans pour par sur pas est sont il elle ils elles nous vous der die das den dem ein eine einen
    einem und oder ist sind war nicht mit von zu auf fur im bei auch sich lo gli di da che non per sono e um uma os
    dos em na nos nas com nao
    """.split()  # noqa: SIM905 - a word list reads better as text
)

# Sentence ends: terminal punctuation (with closing quotes/brackets) before whitespace.
_SENTENCE_END = regex.compile(r"[.!?…。！？]+[\"'”’»)\]]*(?=\s)")
# A newline starts a new unit when a blank line follows, or when the line is short (a heading or list item) and the
# next line starts like a sentence; hard-wrapped prose (long lines) is not cut.
_NEWLINE = regex.compile(r"\n")
_HEADING_MAX = 60
_HAS_WORD = regex.compile(r"[\p{L}\p{N}]")


@dataclass(frozen=True, slots=True, eq=False)
class SentenceVectors:
    """Sentence offsets of one text and one unit embedding row per sentence (float32 or float16)."""

    starts: np.ndarray  # int64 (n,), offsets into the text
    ends: np.ndarray  # int64 (n,)
    matrix: np.ndarray  # (n, dim)


@dataclass(frozen=True, slots=True, eq=False)
class AlignText:
    """One text prepared for alignment: sentences, their content stems, tokens and (optionally) embeddings."""

    text: str
    starts: np.ndarray
    ends: np.ndarray
    stems: tuple[tuple[str, ...], ...]  # content-word stems per sentence
    tokens: tuple[Token, ...]
    vectors: np.ndarray | None

    @property
    def n(self) -> int:
        """Number of sentences."""
        return len(self.starts)


def split_sentences(text: str, config: AlignConfig) -> list[tuple[int, int]]:
    """Half-open ``(start, end)`` offsets of sentence-like units of ``text``, whitespace trimmed."""
    cuts = {m.end() for m in _SENTENCE_END.finditer(text)}
    line_start = 0
    for m in _NEWLINE.finditer(text):
        pos = m.start()
        nxt = text[pos + 1 : pos + 3].lstrip(" \t")
        if nxt[:1] == "\n" or (pos - line_start < _HEADING_MAX and nxt[:1] and not nxt[:1].islower()):
            cuts.add(pos)
        line_start = pos + 1
    bounds = [0, *sorted(cuts), len(text)]
    out: list[tuple[int, int]] = []
    for a, b in itertools.pairwise(bounds):
        out.extend(_cut_long(text, a, b, config.max_sentence_chars))
    return out


def _cut_long(text: str, a: int, b: int, limit: int) -> list[tuple[int, int]]:
    """Trim a piece and cut it at whitespace into parts of at most ``limit`` characters (no cut inside words)."""
    pieces: list[tuple[int, int]] = []
    while a < b:
        while a < b and text[a].isspace():
            a += 1
        end = b
        while end > a and text[end - 1].isspace():
            end -= 1
        if a >= end:
            break
        if end - a <= limit:
            stop = end
        else:
            space = text.rfind(" ", a + limit // 2, a + limit)
            stop = space if space > a else a + limit
        # A hard cut can land just after whitespace; the piece itself stays trimmed.
        piece_end = stop
        while piece_end > a and text[piece_end - 1].isspace():
            piece_end -= 1
        if _HAS_WORD.search(text, a, piece_end):
            pieces.append((a, piece_end))
        a = stop
    return pieces


def sentence_vectors(text: str, config: AlignConfig, embed_config: EmbedConfig | None = None) -> SentenceVectors:
    """Embed every sentence of ``text`` once, so a text can be aligned against many others without re-embedding."""
    text = text[: config.max_chars]
    bounds = split_sentences(text, config)
    matrix = embed_texts([text[a:b] for a, b in bounds], embed_config or EmbedConfig())
    starts = np.array([a for a, _ in bounds], dtype=np.int64)
    ends = np.array([b for _, b in bounds], dtype=np.int64)
    return SentenceVectors(starts, ends, matrix)


def prepare_text(text: str, config: AlignConfig, vectors: SentenceVectors | None = None) -> AlignText:
    """Segment and tokenise ``text`` (cut to ``config.max_chars``); reuse ``vectors``' segmentation when given."""
    if len(text) > config.max_chars:
        log.warning("text of %d chars cut to %d for alignment", len(text), config.max_chars)
        text = text[: config.max_chars]
    if vectors is not None:
        starts, ends, matrix = vectors.starts, vectors.ends, vectors.matrix
    else:
        bounds = split_sentences(text, config)
        starts = np.array([a for a, _ in bounds], dtype=np.int64)
        ends = np.array([b for _, b in bounds], dtype=np.int64)
        matrix = None
    tokens = tuple(tokenize(text))
    sent_of = np.searchsorted(starts, [t.start for t in tokens], side="right") - 1 if tokens else np.zeros(0, int)
    per_sentence: list[list[str]] = [[] for _ in range(len(starts))]
    for tok, s in zip(tokens, sent_of, strict=True):
        if s < 0 or tok.end > ends[s]:
            continue
        if tok.norm in FUNCTION_WORDS or (len(tok.norm) < 2 and not tok.norm.isdigit()):
            continue
        per_sentence[s].append(tok.norm[: config.stem_chars])
    return AlignText(text, starts, ends, tuple(tuple(x) for x in per_sentence), tokens, matrix)


@dataclass(slots=True)
class _Seeds:
    """Sentence-pair similarity matrices of one pair of texts."""

    cosine: np.ndarray  # (nd, ns) tf-idf cosine
    dice: np.ndarray
    shared: np.ndarray  # shared content stems
    semantic: np.ndarray | None
    idf: dict[str, float]


def _lexical(d: AlignText, s: AlignText) -> _Seeds:
    """tf-idf cosine, Dice and shared-stem counts of every derived × source sentence pair."""
    nd, ns = d.n, s.n
    df: Counter[str] = Counter()
    for stems in (*d.stems, *s.stems):
        df.update(set(stems))
    total = max(1, nd + ns)
    idf = {t: math.log(total / c) + 1.0 for t, c in df.items()}
    vocab_d = {t for st in d.stems for t in st}
    shared_terms = sorted(vocab_d & {t for st in s.stems for t in st})
    col = {t: k for k, t in enumerate(shared_terms)}
    if not shared_terms or nd == 0 or ns == 0:
        zero = np.zeros((nd, ns), dtype=np.float32)
        return _Seeds(zero, zero, zero, None, idf)

    def matrices(text: AlignText) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        weights = np.zeros((text.n, len(col)), dtype=np.float32)
        present = np.zeros((text.n, len(col)), dtype=np.float32)
        norms = np.zeros(text.n, dtype=np.float32)
        sizes = np.zeros(text.n, dtype=np.float32)
        for i, stems in enumerate(text.stems):
            counts = Counter(stems)
            norms[i] = math.sqrt(sum((c * idf[t]) ** 2 for t, c in counts.items()))
            sizes[i] = len(counts)
            for t, c in counts.items():
                k = col.get(t)
                if k is not None:
                    weights[i, k] = c * idf[t]
                    present[i, k] = 1.0
        return weights, present, norms, sizes

    wd, pd, nd_norm, sd = matrices(d)
    ws, ps, ns_norm, ss = matrices(s)
    denom = np.outer(nd_norm, ns_norm)
    denom[denom == 0] = 1.0
    cosine = (wd @ ws.T) / denom
    shared = pd @ ps.T
    sizes = sd[:, None] + ss[None, :]
    sizes[sizes == 0] = 1.0
    dice = 2 * shared / sizes
    return _Seeds(cosine, dice, shared, None, idf)


@dataclass(slots=True)
class _Passage:
    """A candidate aligned passage: sentence index ranges on both sides and its evidence."""

    d0: int
    d1: int  # inclusive sentence indexes
    s0: int
    s1: int
    seeds: list[tuple[int, int, float]]
    score: float = 0.0
    summary: bool = False


def _split(group: list[tuple[int, int, float]], axis: int, gap: int) -> list[list[tuple[int, int, float]]]:
    """Split seeds sorted along ``axis`` wherever consecutive sentence indexes differ by more than ``gap``."""
    ordered = sorted(group, key=lambda x: (x[axis], x[1 - axis]))
    parts: list[list[tuple[int, int, float]]] = [[ordered[0]]]
    for prev, cur in itertools.pairwise(ordered):
        if cur[axis] - prev[axis] > gap:
            parts.append([])
        parts[-1].append(cur)
    return parts


def _cluster(seeds: list[tuple[int, int, float]], gap_d: int, gap_s: int) -> list[list[tuple[int, int, float]]]:
    """Alternately split seed groups on derived and source gaps until no group splits further."""
    groups = [seeds] if seeds else []
    while True:
        nxt: list[list[tuple[int, int, float]]] = []
        for g in groups:
            for part in _split(g, 0, gap_d):
                nxt.extend(_split(part, 1, gap_s))
        if len(nxt) == len(groups):
            return nxt
        groups = nxt


def _passage_cosine(d: AlignText, s: AlignText, p: _Passage, idf: dict[str, float]) -> float:
    """tf-idf cosine of the two passages' bags of content stems."""
    a = Counter(t for st in d.stems[p.d0 : p.d1 + 1] for t in st)
    b = Counter(t for st in s.stems[p.s0 : p.s1 + 1] for t in st)
    if not a or not b:
        return 0.0
    dot = sum(c * b[t] * idf[t] ** 2 for t, c in a.items() if t in b)
    na = math.sqrt(sum((c * idf[t]) ** 2 for t, c in a.items()))
    nb = math.sqrt(sum((c * idf[t]) ** 2 for t, c in b.items()))
    return dot / (na * nb)


def _seed_list(seeds: _Seeds, config: AlignConfig, lexical: bool, nd: int, ns: int) -> list[tuple[int, int, float]]:
    """Sentence pairs that pass the lexical or the semantic test, with their similarity."""
    score = np.zeros((nd, ns), dtype=np.float32)
    mask = np.zeros((nd, ns), dtype=bool)
    if lexical:
        lex = (seeds.cosine > config.seed_cosine) & (seeds.dice > config.seed_dice)
        lex &= seeds.shared >= config.seed_min_shared
        if config.near_seed_cosine < 1.0 and lex.any():
            # A short sentence shares too few words to seed on its own, but a close match right next to a seed
            # is the same passage: heavy rewording shortens sentences to a word or two of the original.
            near = _box(lex, config.max_gap) & (seeds.cosine >= config.near_seed_cosine) & (seeds.shared >= 1)
            lex |= near
        mask |= lex
        score = np.maximum(score, np.where(lex, seeds.cosine, 0))
    if seeds.semantic is not None:
        sem = seeds.semantic > config.seed_semantic
        mask |= sem
        score = np.maximum(score, np.where(sem, seeds.semantic, 0))
    # A sentence that matches its true counterpart also matches look-alike neighbours (menus, lists, boilerplate);
    # keeping only seeds close to the best of both their row and column stops passages overshooting into them.
    score = np.where(mask, score, 0)
    if score.size:
        ratio = config.seed_best_ratio
        row_best = score.max(axis=1, keepdims=True)
        col_best = score.max(axis=0, keepdims=True)
        mask &= (score >= ratio * row_best) & (score >= ratio * col_best)
        # A sentence repeated all over the other text ("Click here.") says nothing about where the passage is.
        limit = config.max_seeds_per_sentence
        mask &= (mask.sum(axis=1, keepdims=True) <= limit) & (mask.sum(axis=0, keepdims=True) <= limit)
    ii, jj = np.nonzero(mask)
    return [(int(i), int(j), float(score[i, j])) for i, j in zip(ii, jj, strict=True)]


def _box(mask: np.ndarray, radius: int) -> np.ndarray:
    """Cells within ``radius`` (on both axes) of a true cell of ``mask``."""
    grid = np.zeros((mask.shape[0] + 1, mask.shape[1] + 1), dtype=np.int32)
    grid[1:, 1:] = np.cumsum(np.cumsum(mask, axis=0, dtype=np.int32), axis=1)
    rows, cols = mask.shape
    r0 = np.clip(np.arange(rows) - radius, 0, rows)
    r1 = np.clip(np.arange(rows) + radius + 1, 0, rows)
    c0 = np.clip(np.arange(cols) - radius, 0, cols)
    c1 = np.clip(np.arange(cols) + radius + 1, 0, cols)
    total = grid[r1][:, c1] - grid[r0][:, c1] - grid[r1][:, c0] + grid[r0][:, c0]
    return np.asarray(total > 0)


def _pair_similarity(seeds: _Seeds, i: int, j: int, lexical: bool) -> float:
    """Similarity of one sentence pair: the better of tf-idf cosine (unless across languages) and semantic cosine."""
    best = float(seeds.cosine[i, j]) if lexical else 0.0
    if seeds.semantic is not None:
        best = max(best, float(seeds.semantic[i, j]))
    return best


def _extend(p: _Passage, seeds: _Seeds, config: AlignConfig, lexical: bool, nd: int, ns: int) -> None:
    """Grow a passage one sentence pair at a time at both ends while the neighbouring pair is still similar."""
    while p.d0 > 0 and p.s0 > 0 and _pair_similarity(seeds, p.d0 - 1, p.s0 - 1, lexical) >= config.extend_similarity:
        p.d0 -= 1
        p.s0 -= 1
    while (
        p.d1 + 1 < nd
        and p.s1 + 1 < ns
        and _pair_similarity(seeds, p.d1 + 1, p.s1 + 1, lexical) >= config.extend_similarity
    ):
        p.d1 += 1
        p.s1 += 1


def _extend_sides(p: _Passage, sim: np.ndarray, config: AlignConfig) -> None:
    """Grow each side separately while its next sentence matches some sentence of the passage (or just beyond).

    Heavy rewording drops, merges and splits sentences, so a reused passage's edges rarely pair up one to one
    and diagonal extension stops early; a neighbour that matches anywhere in the other side's range belongs.
    """
    nd, ns = sim.shape
    limit = config.extend_side_similarity
    grown = True
    while grown:
        grown = False
        lo_s, hi_s = max(0, p.s0 - 1), min(ns, p.s1 + 2)
        if p.d0 > 0 and sim[p.d0 - 1, lo_s:hi_s].max() >= limit:
            p.d0 -= 1
            grown = True
        if p.d1 + 1 < nd and sim[p.d1 + 1, lo_s:hi_s].max() >= limit:
            p.d1 += 1
            grown = True
        lo_d, hi_d = max(0, p.d0 - 1), min(nd, p.d1 + 2)
        if p.s0 > 0 and sim[lo_d:hi_d, p.s0 - 1].max() >= limit:
            p.s0 -= 1
            grown = True
        if p.s1 + 1 < ns and sim[lo_d:hi_d, p.s1 + 1].max() >= limit:
            p.s1 += 1
            grown = True


def _grow_edges(
    passages: list[_Passage], d: AlignText, s: AlignText, seeds: _Seeds, config: AlignConfig, lexical: bool
) -> None:
    """Grow each kept regular passage side-wise (:func:`_extend_sides`), then re-trim it; never into another.

    Only passages that already passed the filters grow, so edge growth sharpens boundaries without turning
    short chance matches into passages long enough to keep.
    """
    if config.extend_side_similarity >= 1.0:
        return
    # Within a language only shared words count: same-topic sentences embed close together, and a raw
    # embedding similarity would grow passages into their whole neighbourhood.
    sim = seeds.cosine if lexical else seeds.semantic
    if sim is None:
        return
    for k, p in enumerate(passages):
        if p.summary:
            continue
        grown = replace(p)
        _extend_sides(grown, sim, config)
        _trim(grown, d, s, seeds, config, lexical)
        others = passages[:k] + passages[k + 1 :]
        if not any(grown.d0 <= q.d1 and q.d0 <= grown.d1 for q in others):
            passages[k] = grown


def _trim(p: _Passage, d: AlignText, s: AlignText, seeds: _Seeds, config: AlignConfig, lexical: bool) -> None:
    """Drop edge sentences that match nothing in the passage nearly as well as its seeds match each other.

    Clustering and gap filling pull in a neighbouring sentence when it shares a few words with the other side;
    for a verbatim core (seed similarity ~1) a 0.4 neighbour is not part of the copy.
    """
    sim = seeds.cosine if lexical else np.zeros_like(seeds.cosine)
    if seeds.semantic is not None:
        sim = np.maximum(sim, seeds.semantic)
    floor = config.trim_ratio * float(np.median([x[2] for x in p.seeds]))

    def weak_row(i: int) -> bool:
        return bool(d.stems[i]) and float(sim[i, p.s0 : p.s1 + 1].max()) < floor

    def weak_col(j: int) -> bool:
        return bool(s.stems[j]) and float(sim[p.d0 : p.d1 + 1, j].max()) < floor

    while p.d0 < p.d1 and weak_row(p.d0):
        p.d0 += 1
    while p.d1 > p.d0 and weak_row(p.d1):
        p.d1 -= 1
    while p.s0 < p.s1 and weak_col(p.s0):
        p.s0 += 1
    while p.s1 > p.s0 and weak_col(p.s1):
        p.s1 -= 1


def _passages(
    d: AlignText, s: AlignText, found: list[tuple[int, int, float]], seeds: _Seeds, config: AlignConfig, lexical: bool
) -> list[_Passage]:
    """Cluster seeds into passages, extend their edges and score them."""
    out: list[_Passage] = []
    for group in _cluster(found, config.max_gap, config.max_gap):
        rows, cols = [x[0] for x in group], [x[1] for x in group]
        p = _Passage(min(rows), max(rows), min(cols), max(cols), group)
        _extend(p, seeds, config, lexical, d.n, s.n)
        _trim(p, d, s, seeds, config, lexical)
        p.score = _validate(d, s, p, seeds, config, lexical)
        out.append(p)
    return out


def _candidates(
    d: AlignText, s: AlignText, found: list[tuple[int, int, float]], seeds: _Seeds, config: AlignConfig, lexical: bool
) -> list[_Passage]:
    """Regular passage candidates: clustered seeds, with fragments of one reused passage joined before filtering.

    Heavy rewording leaves a reused passage as a few short seeded fragments a little too far apart to cluster;
    each alone is too short to keep, joined they are one passage.
    """
    passages = _passages(d, s, found, seeds, config, lexical)
    if config.join_fragments:
        passages = _merge_adjacent(passages, config, lambda p: _validate(d, s, p, seeds, config, lexical))
    return passages


def _summaries(d: AlignText, s: AlignText, seeds: _Seeds, config: AlignConfig, lexical: bool) -> list[_Passage]:
    """Runs of derived sentences that each loosely match a source sentence, spread over a far longer source stretch.

    A summary sentence condenses several source sentences, so it rarely passes the strict seed test; a run of
    derived sentences whose best matches are all moderately similar and scattered over the source is the signal.
    """
    if d.n == 0 or s.n == 0:
        return []
    sim = seeds.cosine if lexical else np.zeros((d.n, s.n), dtype=np.float32)
    if seeds.semantic is not None:
        sim = np.maximum(sim, seeds.semantic - config.summary_semantic_offset)
    best = sim.max(axis=1)
    match = sim.argmax(axis=1)
    supported = [i for i in range(d.n) if best[i] >= config.summary_seed]
    out: list[_Passage] = []
    source_chars = int(s.ends[-1] - s.starts[0])
    for run in _split([(i, int(match[i]), float(best[i])) for i in supported], 0, 2) if supported else []:
        if len(run) < config.summary_min_sentences:
            continue
        d0, d1 = run[0][0], run[-1][0]
        mean = float(best[d0 : d1 + 1].mean())
        if mean < config.summary_similarity:
            continue
        # The source stretch is where most matches fall: matches beyond the summary gap are outliers.
        main = max(_split(run, 1, config.summary_gap), key=len)
        s0, s1 = min(x[1] for x in main), max(x[1] for x in main)
        derived_len = int(d.ends[d1] - d.starts[d0])
        source_len = int(s.ends[s1] - s.starts[s0])
        if derived_len < config.summary_min_chars or source_len < config.summary_ratio * derived_len:
            continue
        if source_len < config.summary_source_share * source_chars:
            continue
        s0, s1 = 0, s.n - 1
        out.append(_Passage(d0, d1, s0, s1, run, score=mean, summary=True))
    return out


def _validate(d: AlignText, s: AlignText, p: _Passage, seeds: _Seeds, config: AlignConfig, lexical: bool) -> float:
    """Similarity of a passage pair: best of whole-passage tf-idf cosine and mean best semantic match per sentence.

    Within one language the semantic mean is lowered by ``semantic_offset``: same-topic text embeds close
    together, so raw embedding similarity would validate passages that only share a subject.
    """
    best = _passage_cosine(d, s, p, seeds.idf) if lexical else 0.0
    if seeds.semantic is not None:
        block = seeds.semantic[p.d0 : p.d1 + 1, p.s0 : p.s1 + 1]
        if block.size:
            offset = config.semantic_offset if lexical else 0.0
            best = max(best, float(block.max(axis=1).mean()) - offset)
    return best


def _chars(text: AlignText, i0: int, i1: int) -> tuple[int, int]:
    return int(text.starts[i0]), int(text.ends[i1])


def _required_similarity(chars: int, dense: bool, config: AlignConfig) -> float:
    """Similarity a regular passage needs when its shorter side has ``chars`` characters.

    A short passage matches some same-topic text by chance far more often than a long one, so it needs more
    similarity: ``short_passage_penalty`` more per 100 characters below ``passage_full_chars``. A passage whose
    seeds are sparse (a few loose sentence matches spread over a stretch of same-topic text) needs
    ``sparse_passage_similarity`` instead of ``min_passage_similarity`` as its floor.
    """
    missing = max(0, config.passage_full_chars - chars)
    floor = config.min_passage_similarity if dense else config.sparse_passage_similarity
    return floor + config.short_passage_penalty * missing / 100


def _resolve(passages: list[_Passage], d: AlignText, s: AlignText, config: AlignConfig) -> list[_Passage]:
    """Drop short and weak passages; where two overlap on the derived side keep the one with more evidence."""
    kept: list[_Passage] = []
    for p in passages:
        da, db = _chars(d, p.d0, p.d1)
        sa, sb = _chars(s, p.s0, p.s1)
        if db - da < config.min_passage_chars or sb - sa < config.min_passage_chars:
            continue
        dense = len(p.seeds) >= config.dense_seed_share * max(p.d1 - p.d0 + 1, p.s1 - p.s0 + 1)
        if not p.summary and p.score < _required_similarity(min(db - da, sb - sa), dense, config):
            continue
        kept.append(p)
    # A derived passage that closely matches one source passage is a copy or an edit, not a summary, even when
    # its neighbours loosely match sentences all over the source.
    regular = [p for p in kept if not p.summary]
    kept = [p for p in kept if not (p.summary and _explained(p, regular, d, s, config))]
    kept.sort(key=lambda p: (not p.summary, -sum(x[2] for x in p.seeds)))
    chosen: list[_Passage] = []
    for p in kept:
        if any(p.d0 <= q.d1 and q.d0 <= p.d1 for q in chosen):
            continue
        chosen.append(p)
    return chosen


def _merge_adjacent(
    passages: list[_Passage], config: AlignConfig, rescore: Callable[[_Passage], float] | None = None
) -> list[_Passage]:
    """Join passages next to each other on both sides, in either order (one reused passage, split or reordered).

    ``rescore`` gives a joined passage its own similarity; without it the seed-weighted mean of the parts is used.
    """
    out: list[_Passage] = []
    for p in sorted(passages, key=lambda p: p.d0):
        q = out[-1] if out else None
        if (
            q is not None
            and not (p.summary or q.summary)
            and p.d0 - q.d1 <= config.max_gap
            and max(p.s0 - q.s1, q.s0 - p.s1) <= config.max_gap
        ):
            weight = len(q.seeds) + len(p.seeds)
            score = (q.score * len(q.seeds) + p.score * len(p.seeds)) / weight
            joined = _Passage(q.d0, max(q.d1, p.d1), min(q.s0, p.s0), max(q.s1, p.s1), q.seeds + p.seeds, score)
            if rescore is not None:
                joined.score = max(score, rescore(joined))
            out[-1] = joined
        else:
            out.append(p)
    return out


def _merge_summaries(passages: list[_Passage], d: AlignText, s: AlignText, config: AlignConfig) -> list[_Passage]:
    """Join passages that follow each other in the derived text but point all over the source into one summary.

    A summary often quotes the lead and condenses the rest, so it surfaces as a few short passages next to each
    other in the derived text whose sources lie far apart; passages next to a summary belong to it.
    """
    if not passages:
        return passages
    source_chars = int(s.ends[-1] - s.starts[0])
    ordered = sorted(passages, key=lambda p: p.d0)
    groups: list[list[_Passage]] = [[ordered[0]]]
    for p in ordered[1:]:
        if p.d0 - groups[-1][-1].d1 <= config.max_gap:
            groups[-1].append(p)
        else:
            groups.append([p])
    out: list[_Passage] = []
    for g in groups:
        if len(g) == 1:
            out.extend(g)
            continue
        d0, d1 = g[0].d0, max(p.d1 for p in g)
        s0, s1 = min(p.s0 for p in g), max(p.s1 for p in g)
        da, db = _chars(d, d0, d1)
        sa, sb = _chars(s, s0, s1)
        spread = sb - sa >= config.summary_ratio * (db - da) and sb - sa >= config.summary_source_share * source_chars
        if any(p.summary for p in g) or spread:
            seeds = [x for p in g for x in p.seeds]
            out.append(_Passage(d0, d1, 0, s.n - 1, seeds, score=max(p.score for p in g), summary=True))
        else:
            out.extend(g)
    return out


def _explained(summary: _Passage, regular: list[_Passage], d: AlignText, s: AlignText, config: AlignConfig) -> bool:
    """True when regular passages explain a summary candidate better than the summary reading does.

    Either close passages (copies, light edits) cover at least half of it, or one passage covers most of it
    and is clearly more similar than the candidate's loose sentence matches: a reworded copy of one source
    passage whose neighbours happen to match a few sentences elsewhere in the source.
    """
    a, b = _chars(d, summary.d0, summary.d1)

    def overlap(q: _Passage) -> int:
        return max(0, min(b, int(d.ends[q.d1])) - max(a, int(d.starts[q.d0])))

    covered = sum(overlap(q) for q in regular if q.score >= config.summary_max_regular)
    if covered * 2 >= b - a:
        return True

    def condensed(q: _Passage) -> bool:
        # A passage that itself condenses its source (a summary quoting loosely) supports the summary reading.
        da, db = _chars(d, q.d0, q.d1)
        sa, sb = _chars(s, q.s0, q.s1)
        return 2 * (sb - sa) >= config.summary_ratio * (db - da)

    return any(
        overlap(q) >= config.summary_regular_share * (b - a)
        and q.score >= summary.score + config.summary_regular_margin
        and not condensed(q)
        for q in regular
    )


def _token_range(text: AlignText, a: int, b: int) -> tuple[int, int]:
    """Index range ``[i, j)`` of the tokens of ``text`` that lie inside the characters ``[a, b)``."""
    starts = [t.start for t in text.tokens]
    i = bisect.bisect_left(starts, a)
    j = bisect.bisect_left(starts, b)
    while j > i and text.tokens[j - 1].end > b:
        j -= 1
    return i, j


def _refine_edges(
    d: AlignText,
    s: AlignText,
    p: _Passage,
    span: tuple[int, int, int, int],
    limits: tuple[int, int],
    config: AlignConfig,
) -> tuple[int, int, int, int]:
    """Move the ends of a copied passage to where its words stop matching the other side in order.

    Sentence splitting is coarse: a copy often begins or ends inside a long unpunctuated unit (whose other words
    are no part of it), or spans several short source lines of which only some seeded. In a passage where runs
    of at least ``edge_block_tokens`` words in the longest common word subsequence cover most of the text (a copy
    or light edit), each end moves to the outermost such run: inward within the edge sentences, outward while
    the next run follows within ``edge_gap_tokens`` words on both sides (never past ``limits`` on the derived side).
    """
    da, db, sa, sb = span
    w = config.edge_window_chars
    i0, i1 = _token_range(d, max(limits[0], da - w), min(limits[1], db + w))
    j0, j1 = _token_range(s, max(0, sa - w), min(len(s.text), sb + w))
    pi0, pi1 = _token_range(d, da, db)
    pj0, pj1 = _token_range(s, sa, sb)
    if pi1 <= pi0 or pj1 <= pj0:
        return span
    a = [t.norm for t in d.tokens[i0:i1]]
    b = [t.norm for t in s.tokens[j0:j1]]
    runs = [
        (i0 + m.a, j0 + m.b, m.size)
        for m in Indel.opcodes(a, b).as_matching_blocks()
        if m.size >= config.edge_block_tokens
    ]
    core = [k for k, (x, y, n) in enumerate(runs) if x < pi1 and x + n > pi0 and y < pj1 and y + n > pj0]
    if not core:
        return span
    inside_d = sum(min(x + n, pi1) - max(x, pi0) for x, _, n in (runs[k] for k in core))
    inside_s = sum(min(y + n, pj1) - max(y, pj0) for _, y, n in (runs[k] for k in core))
    share = config.edge_copy_share
    if inside_d < share * (pi1 - pi0) or inside_s < share * (pj1 - pj0):
        return span
    first, last = core[0], core[-1]
    gap = config.edge_gap_tokens
    while first > 0:
        x, y, _ = runs[first]
        px, py, pn = runs[first - 1]
        if x - (px + pn) > gap or y - (py + pn) > gap:
            break
        first -= 1
    while last + 1 < len(runs):
        x, y, n = runs[last]
        nx, ny, _ = runs[last + 1]
        if nx - (x + n) > gap or ny - (y + n) > gap:
            break
        last += 1
    fx, fy, _ = runs[first]
    lx, ly, ln = runs[last]
    lx, ly = lx + ln - 1, ly + ln - 1
    # The subsequence can pair an edge word with an equal word elsewhere; equal neighbours belong to the run.
    while fx > i0 and fy > j0 and d.tokens[fx - 1].norm == s.tokens[fy - 1].norm:
        fx, fy = fx - 1, fy - 1
    while lx + 1 < i1 and ly + 1 < j1 and d.tokens[lx + 1].norm == s.tokens[ly + 1].norm:
        lx, ly = lx + 1, ly + 1
    new = [d.tokens[fx].start, d.tokens[lx].end, s.tokens[fy].start, s.tokens[ly].end]
    # Inward moves stay inside the edge sentences: whole sentences were already judged by the sentence-level trim.
    if new[0] > da and new[0] > int(d.ends[p.d0]):
        new[0] = da
    if new[1] < db and new[1] < int(d.starts[p.d1]):
        new[1] = db
    if new[2] > sa and new[2] > int(s.ends[p.s0]):
        new[2] = sa
    if new[3] < sb and new[3] < int(s.starts[p.s1]):
        new[3] = sb
    # Punctuation and quotes attached to the outermost words belong to the passage.
    new[0] = _word_start(d.text, new[0], limits[0])
    new[1] = _word_end(d.text, new[1], limits[1])
    new[2] = _word_start(s.text, new[2], 0)
    new[3] = _word_end(s.text, new[3], len(s.text))
    return new[0], new[1], new[2], new[3]


def _word_start(text: str, pos: int, floor: int) -> int:
    """Move ``pos`` back over non-space characters (to the start of the whitespace-delimited word)."""
    while pos > floor and not text[pos - 1].isspace():
        pos -= 1
    return pos


def _word_end(text: str, pos: int, ceiling: int) -> int:
    """Move ``pos`` forward over non-space characters (to the end of the whitespace-delimited word)."""
    while pos < ceiling and not text[pos].isspace():
        pos += 1
    return pos


def _kind(
    d: AlignText, s: AlignText, span: tuple[int, int, int, int], translated: bool, config: AlignConfig
) -> SpanKind:
    """exact when the folded word sequences are equal, near when they are close, else paraphrase / translation."""
    if translated:
        return "translation"
    a = [t.norm for t in d.tokens if span[0] <= t.start and t.end <= span[1]]
    b = [t.norm for t in s.tokens if span[2] <= t.start and t.end <= span[3]]
    if a == b:
        return "exact"
    if Indel.normalized_similarity(a, b) >= config.near_ratio:
        return "near"
    return "paraphrase"


def _near(indices: np.ndarray, n: int, radius: int) -> np.ndarray:
    """Boolean mask of positions within ``radius`` of any of ``indices``."""
    mask = np.zeros(n + 1, dtype=np.int32)
    if indices.size:
        np.add.at(mask, np.clip(indices - radius, 0, n), 1)
        np.add.at(mask, np.clip(indices + radius + 1, 0, n), -1)
    return np.cumsum(mask)[:n] > 0


def _gate(d: AlignText, s: AlignText, seeds: _Seeds, config: AlignConfig) -> tuple[np.ndarray, np.ndarray]:
    """Sentences worth embedding: near a lexical seed, with some lexical contact, and not already a near copy.

    Semantic seeds mostly fill gaps and edges of passages that lexical seeds found (reworded, shuffled or
    round-trip translated sentences keep a few content words), so the encoder is kept off everything else.
    """
    found = _seed_list(seeds, config, True, d.n, s.n)
    if not found:
        return np.zeros(d.n, dtype=bool), np.zeros(s.n, dtype=bool)
    seed_rows = np.array([x[0] for x in found])
    seed_cols = np.array([x[1] for x in found])
    contact = (seeds.cosine >= config.gate_cosine) & (seeds.shared >= 2)
    contact &= _near(seed_rows, d.n, config.max_gap)[:, None] & _near(seed_cols, s.n, config.max_gap)[None, :]
    contact[seeds.cosine.max(axis=1) >= config.gate_max_cosine, :] = False
    return np.asarray(contact.any(axis=1)), np.asarray(contact.any(axis=0))


def _embed_rows(
    d: AlignText, rows: np.ndarray, s: AlignText, cols: np.ndarray, embed_config: EmbedConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Embeddings of the selected sentences of both texts (zero rows elsewhere), in one encoder call."""
    idx_d, idx_s = np.flatnonzero(rows), np.flatnonzero(cols)
    texts = [d.text[d.starts[i] : d.ends[i]] for i in idx_d] + [s.text[s.starts[j] : s.ends[j]] for j in idx_s]
    # One call, not one per text: the encoder's fixed cost per call is worth a dozen sentences.
    vecs = embed_texts(texts, embed_config)
    vd = np.zeros((d.n, DIM), dtype=np.float32)
    vs = np.zeros((s.n, DIM), dtype=np.float32)
    vd[idx_d] = vecs[: idx_d.size]
    vs[idx_s] = vecs[idx_d.size :]
    return vd, vs


def _semantic(
    d: AlignText, s: AlignText, seeds: _Seeds, config: AlignConfig, translated: bool, embed_config: EmbedConfig | None
) -> np.ndarray | None:
    """Sentence-pair cosine of embeddings, from given vectors or by embedding the gated sentences now."""
    if d.vectors is not None and s.vectors is not None:
        vd, vs = np.asarray(d.vectors, dtype=np.float32), np.asarray(s.vectors, dtype=np.float32)
    elif embed_config is None:
        return None
    elif translated:
        # Across languages there is no lexical contact to gate on: every sentence is embedded.
        vd, vs = _embed_rows(d, np.ones(d.n, dtype=bool), s, np.ones(s.n, dtype=bool), embed_config)
    else:
        rows, cols = _gate(d, s, seeds, config)
        if not rows.any():
            return None
        vd, vs = _embed_rows(d, rows, s, cols, embed_config)
    sem = vd @ vs.T
    sem[(d.ends - d.starts) < config.semantic_min_chars, :] = 0
    sem[:, (s.ends - s.starts) < config.semantic_min_chars] = 0
    return sem


def align_texts(
    d: AlignText,
    s: AlignText,
    config: AlignConfig,
    *,
    translated: bool = False,
    embed_config: EmbedConfig | None = None,
) -> list[Span]:
    """Align two prepared texts; ``translated`` means they are in different languages (semantic seeds only).

    Semantic seeds use the texts' vectors when both have them; otherwise, with ``embed_config``, the sentences
    that pass the lexical gate (all of them across languages) are embedded here.
    """
    if d.n == 0 or s.n == 0:
        return []
    seeds = _lexical(d, s)
    if config.semantic:
        seeds.semantic = _semantic(d, s, seeds, config, translated, embed_config)
    lexical = not translated
    found = _seed_list(seeds, config, lexical, d.n, s.n)
    candidates = _candidates(d, s, found, seeds, config, lexical)
    if config.summary:
        candidates += _summaries(d, s, seeds, config, lexical)
    passages = _merge_adjacent(_resolve(candidates, d, s, config), config)
    _grow_edges(passages, d, s, seeds, config, lexical)
    if config.summary:
        passages = _merge_summaries(passages, d, s, config)
    spans: list[Span] = []
    passages.sort(key=lambda p: p.d0)
    for k, p in enumerate(passages):
        da, db = _chars(d, p.d0, p.d1)
        sa, sb = _chars(s, p.s0, p.s1)
        if lexical and not p.summary and config.edge_block_tokens > 0:
            lo = int(d.ends[passages[k - 1].d1]) if k > 0 else 0
            hi = int(d.starts[passages[k + 1].d0]) if k + 1 < len(passages) else len(d.text)
            da, db, sa, sb = _refine_edges(d, s, p, (da, db, sa, sb), (lo, hi), config)
        kind = _kind(d, s, (da, db, sa, sb), translated, config)
        spans.append(Span(da, db, sa, sb, kind, round(min(1.0, max(0.0, p.score)), 4)))
    spans.sort(key=lambda x: (x.derived_start, x.source_start))
    return spans


def align_pair(
    derived: str,
    source: str,
    config: AlignConfig,
    *,
    derived_lang: str | None = None,
    source_lang: str | None = None,
    derived_vectors: SentenceVectors | None = None,
    source_vectors: SentenceVectors | None = None,
    embed_config: EmbedConfig | None = None,
) -> list[Span]:
    """Passages of ``derived`` that reuse passages of ``source``, as Spans sorted by ``derived_start``.

    Vectors, when given, must come from :func:`sentence_vectors` on the same text and config; missing ones are
    computed here when ``config.semantic`` is on. Different languages switch to semantic seeds only.
    """
    translated = bool(derived_lang and source_lang and derived_lang != source_lang)
    if not (encoder_supports(derived_lang) and encoder_supports(source_lang)):
        # Vectors of a language the encoder never saw are near-identical for any two sentences: semantic seeds
        # would align everything with everything, so such pairs align on words alone.
        config = replace(config, semantic=False)
    if config.semantic:
        # News articles are short: embedding every sentence costs little and lets pure paraphrases (no shared
        # words to gate on) align. Bulk runs pass precomputed vectors or use align_texts' gated embedding.
        embed_config = embed_config or EmbedConfig()
        if derived_vectors is None:
            derived_vectors = sentence_vectors(derived, config, embed_config)
        if source_vectors is None:
            source_vectors = sentence_vectors(source, config, embed_config)
    d = prepare_text(derived, config, derived_vectors if config.semantic else None)
    s = prepare_text(source, config, source_vectors if config.semantic else None)
    return align_texts(d, s, config, translated=translated)


__all__: Sequence[str] = (
    "FUNCTION_WORDS",
    "AlignText",
    "SentenceVectors",
    "align_pair",
    "align_texts",
    "prepare_text",
    "sentence_vectors",
)
