"""Word shingles → MinHash signatures over overlapping passages → LSH band keys.

Reuse in news (and in PAN's plagiarism corpus) is often a passage inside a longer text, so one
signature per document would dilute a copied paragraph below any usable Jaccard threshold.
Instead the shingle sequence is cut into blocks of ``window_shingles // 2`` shingles and each
window (two adjacent blocks) gets its own signature: any copied passage of about one window or
longer shares at least one window whose Jaccard is high. Band keys of all windows are pooled per
article, so the LSH index is still one key → article posting list.

Everything is seeded from ``CandidateConfig.seed`` with fixed 64-bit mixing (no Python ``hash``,
which is salted per process), so Spark executors and the local runner produce identical keys.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from collections.abc import Sequence

import numpy as np
import regex

from newstrace.config import CandidateConfig
from newstrace.normalise import Token

log = logging.getLogger(__name__)

_U64 = np.uint64
_M1 = _U64(0xBF58476D1CE4E5B9)
_M2 = _U64(0x94D049BB133111EB)
_GOLDEN = _U64(0x9E3779B97F4A7C15)
# Odd multipliers that mix each word position differently, so "a b c" and "c b a" differ.
_POS = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
     0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0x2127599BF4325C37, 0x880355F21E6D1965],
    dtype=np.uint64,
)
# The word pattern of normalise.tokenize, applied to text that is already folded.
_WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+(?:['\-.,][\p{L}\p{M}\p{N}]+)*")
_MARKS = regex.compile(r"\p{M}+")
# Peak memory of the (num_perm × shingles) hash matrix: chunking keeps it near 64 MB per call.
_CHUNK_CELLS = 8_000_000


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser: a fast, well-distributed bijection on uint64 (vectorised)."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> _U64(30))
        x = x * _M1
        x = x ^ (x >> _U64(27))
        x = x * _M2
        return x ^ (x >> _U64(31))


def token_hash(norm: str) -> int:
    """Stable 64-bit hash of a folded word (blake2b; identical in every process)."""
    return int.from_bytes(hashlib.blake2b(norm.encode("utf-8"), digest_size=8).digest(), "little")


def fold_words(text: str) -> list[str]:
    """Folded words of a whole text, as ``normalise.tokenize`` norms but ~5x faster (no offsets).

    Folding the whole text once instead of word by word differs from ``tokenize`` only where NFKC
    changes word boundaries (e.g. "Brand™" → "brandtm", "1½"): harmless for fingerprints as long
    as every article goes through the same path, which is why text input always uses this one.
    """
    folded = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    folded = _MARKS.sub("", unicodedata.normalize("NFD", folded))
    return _WORD.findall(folded)


def _words(tokens_or_text: str | Sequence[Token] | Sequence[str]) -> list[str]:
    if isinstance(tokens_or_text, str):
        return fold_words(tokens_or_text)
    words = [t if isinstance(t, str) else t.norm for t in tokens_or_text]
    return [w for w in words if w]


def shingle_hashes(tokens_or_text: str | Sequence[Token] | Sequence[str], config: CandidateConfig) -> np.ndarray:
    """64-bit hashes of the word ``config.shingle_words``-grams, in text order (uint64, may repeat).

    Accepts raw text, ``normalise.tokenize`` tokens, or already-folded words.
    Texts shorter than one shingle yield one shingle of all their words (so a headline still matches).
    """
    words = _words(tokens_or_text)
    if config.shingle_min_chars > 1:
        # Short words are mostly function words: dropping them makes shingles survive inserted or
        # swapped articles and prepositions, in any language, without a stop-word list.
        # A text of short words only (a headline, "Yes we can") keeps them rather than vanish.
        words = [w for w in words if len(w) >= config.shingle_min_chars] or words
    if not words:
        return np.zeros(0, dtype=np.uint64)
    # Hash each distinct word once: news repeats its function words many times.
    distinct = {w: token_hash(w) for w in dict.fromkeys(words)}
    th = np.fromiter((distinct[w] for w in words), dtype=np.uint64, count=len(words))
    k = min(config.shingle_words, len(words), len(_POS))
    n = len(words) - k + 1
    with np.errstate(over="ignore"):
        acc = np.zeros(n, dtype=np.uint64)
        for i in range(k):
            acc = acc + th[i : i + n] * _POS[i]
    return _mix(acc ^ _U64(k))


def _perm_seeds(config: CandidateConfig) -> np.ndarray:
    rng = np.random.default_rng(config.seed)
    return rng.integers(0, np.iinfo(np.uint64).max, size=config.num_perm, dtype=np.uint64, endpoint=True)


def _block_bounds(n_shingles: int, config: CandidateConfig) -> np.ndarray:
    """Start offsets of the half-window blocks; the last block absorbs a short tail."""
    half = max(1, config.window_shingles // 2)
    n_blocks = max(1, n_shingles // half)
    return np.arange(n_blocks, dtype=np.int64) * half


def _minhash_blocks(hashes: np.ndarray, starts: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """Per-block minimum of every permutation: (num_perm, n_blocks) uint64, chunked over shingles."""
    num_perm = len(seeds)
    out = np.empty((num_perm, len(starts)), dtype=np.uint64)
    ends = np.append(starts[1:], len(hashes))
    step = max(1, _CHUNK_CELLS // num_perm)
    b = 0
    while b < len(starts):
        # Take whole blocks until the chunk holds about ``step`` shingles.
        e = int(np.searchsorted(starts, starts[b] + step, side="left"))
        e = max(e, b + 1)
        lo, hi = int(starts[b]), int(ends[e - 1])
        mat = _mix(hashes[lo:hi][None, :] ^ seeds[:, None])
        out[:, b:e] = np.minimum.reduceat(mat, starts[b:e] - lo, axis=1)
        b = e
    return out


def _windows_from_blocks(blocks: np.ndarray) -> np.ndarray:
    """Signatures of windows made of two adjacent blocks → (n_windows, num_perm) uint32."""
    win = blocks if blocks.shape[1] == 1 else np.minimum(blocks[:, :-1], blocks[:, 1:])
    # Keep the high 32 bits: enough to make accidental equality negligible, half the storage.
    return (win >> _U64(32)).astype(np.uint32).T.copy()


def minhash_signature(tokens_or_text: str | Sequence[Token] | Sequence[str], config: CandidateConfig) -> np.ndarray:
    """MinHash signatures of the article's overlapping passages → (n_windows, num_perm) uint32.

    An empty text gives shape (0, num_perm). Texts shorter than a window give one row.
    """
    hashes = shingle_hashes(tokens_or_text, config)
    if hashes.size == 0:
        return np.zeros((0, config.num_perm), dtype=np.uint32)
    starts = _block_bounds(len(hashes), config)
    return _windows_from_blocks(_minhash_blocks(hashes, starts, _perm_seeds(config)))


def minhash_signatures(texts: Sequence[str], config: CandidateConfig) -> tuple[np.ndarray, np.ndarray]:
    """Batch form of :func:`minhash_signature`: one pass of the hash matrix over all texts.

    Returns ``(signatures (m, num_perm) uint32, owner (m,) int64)`` where ``owner[j]`` is the index in
    ``texts`` of window ``j``; rows of one text are contiguous and in text order.
    """
    seeds = _perm_seeds(config)
    all_hashes: list[np.ndarray] = []
    starts: list[np.ndarray] = []
    block_owner: list[np.ndarray] = []
    offset = 0
    for i, text in enumerate(texts):
        h = shingle_hashes(text, config)
        if h.size == 0:
            continue
        s = _block_bounds(len(h), config)
        all_hashes.append(h)
        starts.append(s + offset)
        block_owner.append(np.full(len(s), i, dtype=np.int64))
        offset += len(h)
    if not all_hashes:
        return np.zeros((0, config.num_perm), dtype=np.uint32), np.zeros(0, dtype=np.int64)
    blocks = _minhash_blocks(np.concatenate(all_hashes), np.concatenate(starts), seeds)
    owners = np.concatenate(block_owner)
    sigs: list[np.ndarray] = []
    owner_rows: list[np.ndarray] = []
    # Windows never straddle two texts: pair blocks only within one owner's contiguous run.
    bounds = np.flatnonzero(np.diff(owners)) + 1
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(owners)], strict=True):
        w = _windows_from_blocks(blocks[:, lo:hi])
        sigs.append(w)
        owner_rows.append(np.full(len(w), owners[lo], dtype=np.int64))
    return np.concatenate(sigs), np.concatenate(owner_rows)


def band_keys(signature: np.ndarray, config: CandidateConfig) -> list[int]:
    """LSH bucket keys of a signature (1-D) or of all window signatures (2-D), deduplicated and sorted.

    Each key is a signed 64-bit int (fits DuckDB BIGINT / Spark LongType) mixing the band index with
    the band's ``rows_per_band`` values, so equal bands of different positions never collide.
    """
    sig = np.atleast_2d(np.asarray(signature, dtype=np.uint32))
    if sig.size == 0:
        return []
    bands, rows = config.bands, config.rows_per_band
    if bands * rows > sig.shape[1]:
        raise ValueError(f"bands*rows_per_band = {bands * rows} exceeds num_perm = {sig.shape[1]}")
    cube = sig[:, : bands * rows].reshape(sig.shape[0], bands, rows).astype(np.uint64)
    with np.errstate(over="ignore"):
        acc = (np.arange(bands, dtype=np.uint64) + _U64(1)) * _GOLDEN
        acc = np.broadcast_to(acc, cube.shape[:2]).copy()
        for r in range(rows):
            acc = _mix(acc ^ (cube[:, :, r] * _POS[r % len(_POS)]))
    keys = np.unique(acc.ravel()).view(np.int64)
    return [int(k) for k in np.sort(keys)]


def estimate_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Best passage-to-passage Jaccard estimate between two window-signature arrays (0 when empty)."""
    a2, b2 = np.atleast_2d(a), np.atleast_2d(b)
    if a2.size == 0 or b2.size == 0:
        return 0.0
    eq = (a2[:, None, :] == b2[None, :, :]).mean(axis=2)
    return float(eq.max())
