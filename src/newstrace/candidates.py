"""Candidate pairs without comparing all pairs: LSH buckets, vector neighbours and shared rare anchors.

Three generators, each cheap and each covering what the others miss:

- ``lsh``: articles sharing a MinHash band key of some passage (``fingerprint.py``): copies and
  light edits, even of one paragraph inside a longer text.
- ``vector``: nearest neighbours of the document embedding in a ``usearch`` HNSW index: rewrites,
  summaries and translations, which share meaning but few words.
- ``anchor``: articles sharing several rare numbers / names / quoted words (``anchors.py``):
  translations and rewrites that keep the facts.

Per-record work (signature, band keys, anchors, document vector) lives in :func:`make_record`; the
per-group steps (:func:`pairs_from_bucket`, :func:`pairs_from_anchor`) take one bucket's or one
anchor's members, so the Spark runner can ``groupBy(key).applyInPandas`` them and the local runner
can group in memory (:func:`generate_candidates`) — both give the same pairs.

Orientation. ``Candidate.derived`` is the later article. When the order is unknown (a date is
missing, or the two dates are within ``same_day_days`` or overlap for coarse dates) the pair is
kept once, with the lexicographically smaller id as ``source`` and ``undirected=True``: the
provenance stage must then decide the direction from the text itself.

Persisted state for the one-article ``check`` path (see :class:`IndexState`): plain tables the
store can hold — ``lsh_keys(key BIGINT, article_id)``, ``anchors(anchor VARCHAR, article_id)``,
``articles(article_id, vector_key BIGINT, date_earliest, date_latest)`` — plus one usearch file
for the vectors, keyed by :func:`vector_key`. Adding an article appends rows and one vector; no
index is rebuilt.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

import numpy as np
from usearch.index import BatchMatches, Index

from newstrace.anchors import extract_anchors
from newstrace.config import CandidateConfig
from newstrace.embed import DIM
from newstrace.fingerprint import band_keys, minhash_signature
from newstrace.model import Candidate, PubDate

log = logging.getLogger(__name__)

Member = tuple[str, PubDate | None]
Pair = tuple[str, str]
VIA_ORDER = ("lsh", "vector", "anchor")


@dataclass(frozen=True, slots=True, eq=False)
class CandidateRecord:
    """What candidate generation needs of one article (≈ 2–4 KB; no text)."""

    id: str
    date: PubDate | None
    band_keys: tuple[int, ...] = ()
    anchors: frozenset[str] = frozenset()
    vector: np.ndarray | None = None  # float32 (512,), unit length; None when not embedded


def vector_key(article_id: str) -> int:
    """Stable 63-bit integer key of an article id for the vector index (usearch keys are integers)."""
    digest = hashlib.blake2b(article_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


def document_vector(sentence_vectors: np.ndarray, config: CandidateConfig | None = None) -> np.ndarray:
    """Unit mean of the first ``config.vector_sentences`` sentence vectors → float32 (512,).

    The lead of a news story carries its facts, and translations and summaries keep them, so the
    leading sentences represent an article best per unit of embedding cost. No sentences → zeros.
    """
    config = config or CandidateConfig()
    vecs = np.asarray(sentence_vectors, dtype=np.float32)
    if vecs.ndim != 2 or vecs.shape[0] == 0:
        return np.zeros(DIM, dtype=np.float32)
    mean = vecs[: config.vector_sentences].mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return (mean / norm).astype(np.float32) if norm > 0 else np.zeros(vecs.shape[1], dtype=np.float32)


def make_record(
    article_id: str,
    text: str,
    date: PubDate | None,
    language: str | None,
    sentence_vectors: np.ndarray | None,
    config: CandidateConfig,
) -> CandidateRecord:
    """Per-record step: band keys, anchors and document vector of one article."""
    sig = minhash_signature(text, config)
    vec = None if sentence_vectors is None else document_vector(sentence_vectors, config)
    return CandidateRecord(
        id=article_id,
        date=date,
        band_keys=tuple(band_keys(sig, config)),
        anchors=extract_anchors(text, language, config.anchor_max_per_article),
        vector=vec,
    )


# --------------------------------------------------------------------------- dates and orientation


def _gap_days(a: PubDate | None, b: PubDate | None) -> int | None:
    """Days between two (possibly coarse) dates; 0 when their ranges overlap; None if one is unknown."""
    if a is None or b is None:
        return None
    if a.latest < b.earliest:
        return (b.earliest - a.latest).days
    if b.latest < a.earliest:
        return (a.earliest - b.latest).days
    return 0


def within_window(a: PubDate | None, b: PubDate | None, config: CandidateConfig) -> bool:
    """True unless both dates are known and further apart than ``config.window_days``."""
    gap = _gap_days(a, b)
    return gap is None or gap <= config.window_days


def orient(a: str, b: str, dates: Mapping[str, PubDate | None], config: CandidateConfig) -> tuple[str, str, bool]:
    """``(derived, source, undirected)``: the later article derives; unknown order → smaller id is source."""
    da, db = dates.get(a), dates.get(b)
    gap = _gap_days(da, db)
    if gap is None or gap <= config.same_day_days or da is None or db is None:
        lo, hi = (a, b) if a < b else (b, a)
        return hi, lo, True
    return (a, b, False) if da.earliest > db.earliest else (b, a, False)


def _canon(a: str, b: str) -> Pair:
    return (a, b) if a < b else (b, a)


# --------------------------------------------------------------------------- per-group steps


def pairs_from_bucket(members: Sequence[Member], config: CandidateConfig) -> list[Pair]:
    """All pairs inside one LSH bucket that fall within the time window, as ``(smaller_id, larger_id)``.

    A bucket with more than ``config.max_bucket`` distinct articles is boilerplate shared by many
    unrelated texts: it yields nothing (the caller counts it as skipped).
    """
    uniq = sorted(dict(members).items())
    if len(uniq) < 2 or len(uniq) > config.max_bucket:
        return []
    out: list[Pair] = []
    for i, (a, da) in enumerate(uniq):
        for b, db in uniq[i + 1 :]:
            if within_window(da, db, config):
                out.append((a, b))
    return out


def pairs_from_anchor(members: Sequence[Member], config: CandidateConfig) -> list[Pair]:
    """Pairs of articles that share one anchor; anchors on more than ``anchor_max_df`` articles are not rare.

    Counting these pairs over all anchors and keeping those seen ``anchor_min_shared`` times gives the
    anchor candidates (Spark: ``groupBy(anchor).applyInPandas`` then ``groupBy(pair).count()``).
    """
    uniq = sorted(dict(members).items())
    if len(uniq) < 2 or len(uniq) > config.anchor_max_df:
        return []
    return [(a, b) for i, (a, da) in enumerate(uniq) for b, db in uniq[i + 1 :] if within_window(da, db, config)]


# --------------------------------------------------------------------------- vector index


class VectorIndex:
    """Cosine nearest-neighbour index over document vectors (usearch HNSW, i8 or f16 on disk)."""

    def __init__(self, config: CandidateConfig | None = None, ndim: int = DIM) -> None:
        config = config or CandidateConfig()
        if config.vector_dtype not in {"i8", "f16", "f32"}:
            raise ValueError(f"vector_dtype must be 'i8', 'f16' or 'f32', not {config.vector_dtype!r}")
        self._index = Index(ndim=ndim, metric="cos", dtype=config.vector_dtype)

    def __len__(self) -> int:
        return len(self._index)

    def add(self, keys: Sequence[int] | np.ndarray, vectors: np.ndarray) -> None:
        """Add vectors under integer keys (see :func:`vector_key`); zero vectors are skipped."""
        keys_arr = np.asarray(keys, dtype=np.uint64)
        vecs = np.asarray(vectors, dtype=np.float32).reshape(len(keys_arr), -1)
        keep = np.linalg.norm(vecs, axis=1) > 0
        if keep.any():
            self._index.add(keys_arr[keep], vecs[keep])

    def search(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Nearest neighbours of each row → ``(keys (n, k) uint64, sims (n, k) float32)``; ``-inf`` = none."""
        vecs = np.asarray(vectors, dtype=np.float32)
        vecs = vecs.reshape(-1, vecs.shape[-1])
        keys = np.zeros((len(vecs), k), dtype=np.uint64)
        sims = np.full((len(vecs), k), -np.inf, dtype=np.float32)
        if len(self._index) == 0 or len(vecs) == 0:
            return keys, sims
        res = self._index.search(vecs, k)
        if isinstance(res, BatchMatches):
            rk = np.asarray(res.keys).reshape(len(vecs), -1)
            rd = np.asarray(res.distances, dtype=np.float32).reshape(len(vecs), -1)
            counts = np.asarray(res.counts).reshape(-1)
        else:  # a single query row comes back as plain Matches, holding only the found neighbours
            rk = np.asarray(res.keys)[None, :]
            rd = np.asarray(res.distances, dtype=np.float32)[None, :]
            counts = np.array([rk.shape[1]])
        width = min(k, rk.shape[1])
        valid = np.arange(width)[None, :] < counts[:, None]
        keys[:, :width] = np.where(valid, rk[:, :width], 0)
        dist = np.where(valid, rd[:, :width], np.inf)  # slots past ``counts`` hold garbage
        sims[:, :width] = 1.0 - dist
        return keys, sims

    def save(self, path: str | Path) -> None:
        """Write the index to one file (atomic rename, so a crash never leaves half an index)."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        self._index.save(str(tmp))
        tmp.replace(path)

    @classmethod
    def load(cls, path: str | Path, view: bool = False) -> VectorIndex:
        """Open a saved index; ``view=True`` memory-maps it read-only instead of loading it."""
        index = Index.restore(str(path), view=view)
        if index is None:
            raise ValueError(f"{path} is not a usearch index")
        obj = cls.__new__(cls)
        obj._index = index
        return obj


# --------------------------------------------------------------------------- merge and order


@dataclass(slots=True)
class _Found:
    via: set[str] = field(default_factory=set)
    score: float = 0.0


def _add(found: dict[Pair, _Found], pair: Pair, via: str, score: float) -> None:
    f = found.setdefault(pair, _Found())
    f.via.add(via)
    f.score = max(f.score, score)


def _finish(
    found: Mapping[Pair, _Found], dates: Mapping[str, PubDate | None], config: CandidateConfig
) -> list[Candidate]:
    out: list[Candidate] = []
    for (a, b), f in found.items():
        if not within_window(dates.get(a), dates.get(b), config):
            continue
        derived, source, undirected = orient(a, b, dates, config)
        via = tuple(v for v in VIA_ORDER if v in f.via)
        out.append(Candidate(derived, source, round(min(1.0, f.score), 4), via, undirected=undirected))
    far = dt.date.max

    def order(c: Candidate) -> tuple[dt.date, str, str]:
        d = dates.get(c.derived)
        return (d.earliest if d else far, c.derived, c.source)

    out.sort(key=order)
    return out


def bucket_weight(size: int) -> float:
    """Evidence one shared bucket (or anchor) of ``size`` articles gives a pair: rarer weighs more."""
    return 1.0 / max(1, size - 1)


def strongest_pairs(
    counts: Mapping[Pair, int],
    weights: Mapping[Pair, float],
    min_count: int,
    top: int,
    dates: Mapping[str, PubDate | None] | None = None,
    sizes: Mapping[str, int] | None = None,
    min_weight: float = 0.0,
) -> list[Pair]:
    """Pairs seen at least ``min_count`` times that rank in the ``top`` of either article (0 = no cap).

    Pairs are ranked by summed :func:`bucket_weight`, so sharing two rare buckets beats sharing three
    crowded ones. Ranking per article keeps output linear in the number of articles however generic a
    collection's vocabulary is. Ties (e.g. many identical copies of one wire story) prefer the earliest
    partner, so the original stays among every copy's candidates; then the partner id decides.
    With ``sizes`` (keys per article) a partner's weight is divided by the square root of its size,
    as in a cosine: a very long article shares something with everyone and must not top every list.
    """
    # Weights are sums of fractions (1/3 + 1/3 + 1/3): compared with a tolerance, so the summation order
    # (local arrays vs Spark aggregates) cannot decide a pair.
    kept = [p for p, n in counts.items() if n >= min_count and weights.get(p, 0.0) >= min_weight - 1e-9]
    if top <= 0:
        return sorted(kept)
    dates = dates or {}

    def rank(other: str, w: float) -> tuple[float, dt.date, str]:
        d = dates.get(other)
        if sizes is not None:
            w /= math.sqrt(max(1, sizes.get(other, 1)))
        return (-round(w, 9), d.earliest if d else dt.date.max, other)

    per: dict[str, list[tuple[float, dt.date, str]]] = defaultdict(list)
    for a, b in kept:
        w = weights.get((a, b), 0.0)
        per[a].append(rank(b, w))
        per[b].append(rank(a, w))
    best: dict[str, set[str]] = {k: {r[2] for r in sorted(v)[:top]} for k, v in per.items()}
    return sorted(p for p in kept if p[1] in best[p[0]] or p[0] in best[p[1]])


def _date_bounds(dates: Sequence[PubDate | None]) -> tuple[np.ndarray, np.ndarray]:
    """Earliest/latest day ordinals per article; -1 where the date is unknown."""
    lo = np.array([d.earliest.toordinal() if d else -1 for d in dates], dtype=np.int64)
    hi = np.array([d.latest.toordinal() if d else -1 for d in dates], dtype=np.int64)
    return lo, hi


def _tally_arrays(
    keys: np.ndarray,
    members: np.ndarray,
    n: int,
    bounds: tuple[np.ndarray, np.ndarray],
    cap: int,
    min_count: int,
    config: CandidateConfig,
) -> tuple[dict[tuple[int, int], int], dict[tuple[int, int], float], int]:
    """Shared-group counts and :func:`bucket_weight` sums per pair, and how many groups were over ``cap``.

    Rows are (group key, member index), member indices in id order. The same counts and weights as
    calling :func:`pairs_from_bucket` / :func:`pairs_from_anchor` group by group (as the Spark runner does),
    without a Python loop over millions of mostly single-member groups. Only pairs seen at least
    ``min_count`` times are returned, as ``(i, j)`` member indices with ``i < j``.
    """
    if keys.size == 0:
        return {}, {}, 0
    keys, members = keys.astype(np.int64), members.astype(np.int64)
    order = np.lexsort((members, keys))
    keys, members = keys[order], members[order]
    fresh = np.ones(keys.size, dtype=bool)
    fresh[1:] = (keys[1:] != keys[:-1]) | (members[1:] != members[:-1])
    keys, members = keys[fresh], members[fresh]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sizes = np.diff(np.r_[starts, keys.size])
    skipped = int(np.count_nonzero(sizes > cap))
    lo, hi = bounds
    codes: list[np.ndarray] = []
    wts: list[np.ndarray] = []
    for size in np.unique(sizes[(sizes >= 2) & (sizes <= cap)]):
        first = starts[sizes == size]
        group = members[first[:, None] + np.arange(size)[None, :]]  # (groups, size), ascending member index
        ii, jj = np.triu_indices(int(size), 1)
        a, b = group[:, ii].ravel(), group[:, jj].ravel()
        known = (lo[a] >= 0) & (lo[b] >= 0)
        gap = np.maximum(0, np.maximum(lo[b] - hi[a], lo[a] - hi[b]))
        keep = ~known | (gap <= config.window_days)
        codes.append(a[keep] * n + b[keep])
        wts.append(np.full(int(keep.sum()), bucket_weight(int(size))))
    if not codes:
        return {}, {}, skipped
    uniq, inverse = np.unique(np.concatenate(codes), return_inverse=True)
    count = np.bincount(inverse)
    weight = np.bincount(inverse, weights=np.concatenate(wts))
    sel = np.flatnonzero(count >= min_count)
    pairs = [(int(c // n), int(c % n)) for c in uniq[sel]]
    return (
        dict(zip(pairs, count[sel].tolist(), strict=True)),
        dict(zip(pairs, weight[sel].tolist(), strict=True)),
        skipped,
    )


V = TypeVar("V")


def _named(ids: Sequence[str], pairs: Mapping[tuple[int, int], V]) -> dict[Pair, V]:
    return {(ids[i], ids[j]): v for (i, j), v in pairs.items()}


def _lsh_score(shared: int, config: CandidateConfig) -> float:
    # Share of one passage's bands that agree: with r rows per band this tracks Jaccard**r.
    return min(1.0, shared / config.bands)


def _anchor_score(shared: int, config: CandidateConfig) -> float:
    # Depends on the shared count only, so the batch and the one-article path score alike.
    return 1.0 - 0.5 ** (shared - config.anchor_min_shared + 1)


def _with_vectors(records: Sequence[CandidateRecord]) -> list[CandidateRecord]:
    return [r for r in records if r.vector is not None and np.any(r.vector)]


def vector_index(records: Sequence[CandidateRecord], config: CandidateConfig) -> VectorIndex:
    """The HNSW index of the records' document vectors (zero and missing vectors left out), keyed by
    :func:`vector_key`: what :func:`generate_candidates` searches, and what a runner can then save for ``check``
    instead of building it a second time (the build is the costliest part of both: ≈ 1 ms of CPU a vector)."""
    index = VectorIndex(config)
    with_vec = _with_vectors(records)
    if with_vec:
        keys = np.array([vector_key(r.id) for r in with_vec], dtype=np.uint64)
        index.add(keys, np.stack([np.asarray(r.vector, dtype=np.float32) for r in with_vec]))
    return index


def _vector_pairs(
    records: Sequence[CandidateRecord],
    config: CandidateConfig,
    found: dict[Pair, _Found],
    stats: Counter[str],
    index: VectorIndex | None = None,
) -> None:
    with_vec = _with_vectors(records)
    if len(with_vec) < 2:
        return
    keys = np.array([vector_key(r.id) for r in with_vec], dtype=np.uint64)
    by_key = {int(k): r for k, r in zip(keys, with_vec, strict=True)}
    vecs = np.stack([np.asarray(r.vector, dtype=np.float32) for r in with_vec])
    if index is None:
        index = vector_index(with_vec, config)
    nk, ns = index.search(vecs, config.vector_k + 1)
    # Each article's ``vector_k`` nearest others above the floor (the search may or may not return the article itself).
    near: dict[str, dict[str, float]] = {}
    for r, row_k, row_s in zip(with_vec, nk, ns, strict=True):
        mine: dict[str, float] = {}
        for k, s in zip(row_k, row_s, strict=True):
            other = by_key.get(int(k))
            if other is not None and other.id != r.id and s >= config.vector_min_sim and len(mine) < config.vector_k:
                mine[other.id] = float(s)
        near[r.id] = mine
    records_by_id = {r.id: r for r in with_vec}
    for a, mine in near.items():
        for b, s in mine.items():
            if not mutual_enough(a in near[b], s, config):
                stats["vector_one_sided"] += 1
            elif within_window(records_by_id[a].date, records_by_id[b].date, config):
                _add(found, _canon(a, b), "vector", s)
                stats["vector_pairs"] += 1


def mutual_enough(mutual: bool, sim: float, config: CandidateConfig) -> bool:
    """Whether a vector neighbour makes a pair: mutual neighbours, or any neighbour as close as a near copy.

    In a crowded topic every article has ``vector_k`` neighbours above the floor, and a neighbour that does not
    return the favour is mostly another piece on the same topic (see ``CandidateConfig.vector_mutual``).
    """
    return mutual or not config.vector_mutual or sim >= config.vector_sure_sim


def generate_candidates(
    records: Sequence[CandidateRecord], config: CandidateConfig, *, vectors: VectorIndex | None = None
) -> list[Candidate]:
    """Candidate pairs of a whole batch from all three generators, merged, windowed, oriented and ordered.

    Order: by the derived article's date (unknown dates last), then derived id, then source id. ``vectors`` is
    :func:`vector_index` of the same records when the caller keeps it (built here otherwise).
    """
    dates = {r.id: r.date for r in records}
    stats: Counter[str] = Counter()
    found: dict[Pair, _Found] = {}
    # Member indices in id order, so that index order is the (smaller id, larger id) order of a Pair.
    ids = sorted(dates)
    index_of = {x: i for i, x in enumerate(ids)}
    n = len(ids)
    bounds = _date_bounds([dates[x] for x in ids])

    member = np.array([index_of[r.id] for r in records], dtype=np.int64)
    n_bands = np.array([len(r.band_keys) for r in records], dtype=np.int64)
    band_keys_all = np.fromiter((k for r in records for k in r.band_keys), dtype=np.int64, count=int(n_bands.sum()))
    counts, weights, stats["lsh_buckets_skipped"] = _tally_arrays(
        band_keys_all, np.repeat(member, n_bands), n, bounds, config.max_bucket, config.lsh_min_shared, config
    )
    n_keys = {r.id: len(r.band_keys) for r in records}
    lsh_counts, lsh_weights = _named(ids, counts), _named(ids, weights)
    for pair in strongest_pairs(
        lsh_counts, lsh_weights, config.lsh_min_shared, config.lsh_top_per_article, dates, n_keys,
        config.lsh_min_weight,
    ):  # fmt: skip
        _add(found, pair, "lsh", _lsh_score(lsh_counts[pair], config))
    stats["lsh_pairs"] = len(found)

    anchor_ids: dict[str, int] = {}
    n_anchors = np.array([len(r.anchors) for r in records], dtype=np.int64)
    anchor_keys = np.fromiter(
        (anchor_ids.setdefault(a, len(anchor_ids)) for r in records for a in r.anchors),
        dtype=np.int64,
        count=int(n_anchors.sum()),
    )
    counts, weights, stats["anchors_too_common"] = _tally_arrays(
        anchor_keys, np.repeat(member, n_anchors), n, bounds, config.anchor_max_df, config.anchor_min_shared, config
    )
    anchor_counts, anchor_weights = _named(ids, counts), _named(ids, weights)
    for pair in strongest_pairs(
        anchor_counts, anchor_weights, config.anchor_min_shared, config.anchor_top_per_article, dates
    ):
        _add(found, pair, "anchor", _anchor_score(anchor_counts[pair], config))
        stats["anchor_pairs"] += 1

    _vector_pairs(records, config, found, stats, vectors)
    out = _finish(found, dates, config)
    log.info(
        "candidates: %d records in, %d pairs out (lsh %d, anchor %d, vector %d); skipped %d boilerplate buckets, "
        "%d common anchors, %d one-sided vector neighbours",
        len(records),
        len(out),
        stats["lsh_pairs"],
        stats["anchor_pairs"],
        stats["vector_pairs"],
        stats["lsh_buckets_skipped"],
        stats["anchors_too_common"],
        stats["vector_one_sided"],
    )
    return out


# --------------------------------------------------------------------------- one new article vs persisted state


class IndexState(Protocol):
    """Read access to persisted candidate state; the store implements it with SQL + a usearch file."""

    def bucket_members(self, keys: Sequence[int]) -> Mapping[int, Sequence[Member]]:
        """Members of each LSH bucket key (all of them: the caller applies ``max_bucket``)."""
        ...

    def anchor_members(self, anchors: Iterable[str]) -> Mapping[str, Sequence[Member]]:
        """Members of each anchor posting list (all of them: the caller applies ``anchor_max_df``)."""
        ...

    def vector_neighbours(self, vector: np.ndarray, k: int) -> Sequence[tuple[str, PubDate | None, float]]:
        """Up to ``k`` nearest stored articles as ``(id, date, cosine)``."""
        ...


class MemoryIndexState:
    """In-memory :class:`IndexState` (tests, small runs, or tables loaded from the store); grows by ``add``."""

    def __init__(self, config: CandidateConfig, vectors: VectorIndex | None = None) -> None:
        self.config = config
        self.buckets: dict[int, dict[str, PubDate | None]] = defaultdict(dict)
        self.postings: dict[str, dict[str, PubDate | None]] = defaultdict(dict)
        self.vectors = vectors or VectorIndex(config)
        self.by_key: dict[int, tuple[str, PubDate | None]] = {}

    def add(self, record: CandidateRecord) -> None:
        """Append one article's keys, anchors and vector (what the store would INSERT)."""
        for k in record.band_keys:
            self.buckets[k][record.id] = record.date
        for a in record.anchors:
            self.postings[a][record.id] = record.date
        key = vector_key(record.id)
        self.by_key[key] = (record.id, record.date)
        if record.vector is not None and np.any(record.vector):
            self.vectors.add([key], np.asarray(record.vector, dtype=np.float32)[None, :])

    def bucket_members(self, keys: Sequence[int]) -> Mapping[int, Sequence[Member]]:
        return {k: list(self.buckets[k].items()) for k in keys if k in self.buckets}

    def anchor_members(self, anchors: Iterable[str]) -> Mapping[str, Sequence[Member]]:
        return {a: list(self.postings[a].items()) for a in anchors if a in self.postings}

    def vector_neighbours(self, vector: np.ndarray, k: int) -> Sequence[tuple[str, PubDate | None, float]]:
        keys, sims = self.vectors.search(np.asarray(vector, dtype=np.float32)[None, :], k)
        out = []
        for key, s in zip(keys[0], sims[0], strict=True):
            hit = self.by_key.get(int(key))
            if hit is not None and np.isfinite(s):
                out.append((hit[0], hit[1], float(s)))
        return out


def _tally_one(
    new: CandidateRecord,
    groups: Iterable[Sequence[Member]],
    cap: int,
    config: CandidateConfig,
    dates: dict[str, PubDate | None],
) -> tuple[Counter[str], dict[str, float]]:
    """Per stored partner of ``new``: shared-group count and weight (the one-article form of ``_tally``)."""
    counts: Counter[str] = Counter()
    weights: defaultdict[str, float] = defaultdict(float)
    for members in groups:
        others = dict(m for m in members if m[0] != new.id)
        size = len(others) + 1
        if size > cap:
            continue
        for other, d in others.items():
            if within_window(new.date, d, config):
                dates[other] = d
                counts[other] += 1
                weights[other] += bucket_weight(size)
    return counts, weights


def _top_partners(
    counts: Counter[str], weights: Mapping[str, float], min_count: int, top: int, dates: Mapping[str, PubDate | None]
) -> list[str]:
    ranked = sorted(
        (-round(weights[o], 9), d.earliest if (d := dates.get(o)) else dt.date.max, o)
        for o, n in counts.items()
        if n >= min_count
    )
    return [r[2] for r in (ranked[:top] if top > 0 else ranked)]


def candidates_for(new: CandidateRecord, state: IndexState, config: CandidateConfig) -> list[Candidate]:
    """Candidates of one new article against persisted state, with the batch path's rules.

    Document frequencies come from the stored postings (plus the new article), so a bucket or anchor
    that has grown common since it was stored is skipped here too. The per-article caps
    (``lsh_top_per_article``, ``anchor_top_per_article``) rank the new article's partners only — the
    batch path also keeps a pair that ranks high for the other article — so this returns a subset of
    what a batch run over old + new would give for the new article. Vector neighbours are one-sided here
    (``vector_mutual`` needs the stored articles' own neighbour lists), so that generator may give a few
    pairs more than the batch path: the judge decides them. The new article is not added.
    """
    dates: dict[str, PubDate | None] = {new.id: new.date}
    found: dict[Pair, _Found] = {}

    buckets = state.bucket_members(list(new.band_keys)).values()
    counts, weights = _tally_one(new, buckets, config.max_bucket, config, dates)
    for other in _top_partners(counts, weights, config.lsh_min_shared, config.lsh_top_per_article, dates):
        _add(found, _canon(new.id, other), "lsh", _lsh_score(counts[other], config))

    postings = state.anchor_members(sorted(new.anchors)).values()
    counts, weights = _tally_one(new, postings, config.anchor_max_df, config, dates)
    for other in _top_partners(counts, weights, config.anchor_min_shared, config.anchor_top_per_article, dates):
        _add(found, _canon(new.id, other), "anchor", _anchor_score(counts[other], config))

    if new.vector is not None and np.any(new.vector):
        for other, d, s in state.vector_neighbours(new.vector, config.vector_k + 1):
            if other != new.id and s >= config.vector_min_sim and within_window(new.date, d, config):
                dates[other] = d
                _add(found, _canon(new.id, other), "vector", s)
    return _finish(found, dates, config)
