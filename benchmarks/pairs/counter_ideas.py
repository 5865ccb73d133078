"""Which text measures separate derived from independent COUNTER pairs: held-out F1 of small logistic models.

    .venv/bin/python benchmarks/pairs/counter_ideas.py [--repeats 20]

Every measure here is computed from the two texts alone (no alignment), so the figures do not move when the aligner
does. Each model is a logistic regression on standardised features (numpy Newton steps, L2 0.1), refitted inside
each fold of a repeated stratified 5-fold split and linking at p >= 0.5; the table gives F1 over the whole half
(mean ± sd over the repeats). This is the search behind ClassifyConfig.lexical_weights (benchmarks/pairs/RESULTS.md);
fit.py measures the committed model with the link rules included.
"""

from __future__ import annotations

import argparse
import math
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from newstrace.classify import sentence_match
from newstrace.config import ClassifyConfig, NormaliseConfig
from newstrace.eval.pairs import LabelledPair, iter_labelled_pairs
from newstrace.normalise import segment_sentences, tokenize

COUNTER = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "counter" / "pairs.jsonl"


def _grams(words: Sequence[str], n: int) -> set[tuple[str, ...]]:
    return set(zip(*(words[i:] for i in range(n)), strict=False))


def _contained(a: AbstractSet[Hashable], b: AbstractSet[Hashable]) -> float:
    return len(a & b) / len(a) if a else 0.0


def _char_grams(text: str, n: int) -> set[str]:
    return {text[i : i + n] for i in range(len(text) - n + 1)}


def _tiling(a: Sequence[str], b: Sequence[str], min_match: int) -> float:
    """Share of ``a`` covered by greedy string tiling against ``b`` (maximal common runs first, each token once)."""
    used_a, used_b = [False] * len(a), [False] * len(b)
    where: dict[str, list[int]] = {}
    for j, w in enumerate(b):
        where.setdefault(w, []).append(j)
    while True:
        best, tiles = min_match, []
        for i in range(len(a)):
            if used_a[i]:
                continue
            for j in where.get(a[i], ()):
                k = 0
                while (
                    i + k < len(a) and j + k < len(b) and a[i + k] == b[j + k] and not (used_a[i + k] or used_b[j + k])
                ):
                    k += 1
                if k > best:
                    best, tiles = k, [(i, j)]
                elif k == best:
                    tiles.append((i, j))
        if not tiles:
            return sum(used_a) / len(a) if a else 0.0
        for i, j in tiles:
            if any(used_a[i : i + best]) or any(used_b[j : j + best]):
                continue
            for x in range(best):
                used_a[i + x] = used_b[j + x] = True


def _longest_run(a: Sequence[str], b: Sequence[str]) -> int:
    """Longest common run of words."""
    best, prev = 0, [0] * (len(b) + 1)
    for x in a:
        cur = [0] * (len(b) + 1)
        for j, y in enumerate(b, 1):
            if x == y:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


def _sentence_words(text: str) -> list[list[str]]:
    segs = segment_sentences("", text, NormaliseConfig())
    return [w for w in ([t.norm for t in tokenize(text, s.start, s.end)] for s in segs) if len(w) >= 4]


def measures(pair: LabelledPair) -> dict[str, float]:
    """Candidate measures of one pair (derived text against its source)."""
    d, s = pair.derived.text, pair.source.text
    dw, sw = [t.norm for t in tokenize(d)], [t.norm for t in tokenize(s)]
    out = {f"word{n}": _contained(_grams(dw, n), _grams(sw, n)) for n in (1, 2, 3, 4, 5)}
    out["source_word1"] = _contained(set(sw), set(dw))
    dm, sm = Counter(dw), Counter(sw)
    out["word1_tokens"] = sum((dm & sm).values()) / max(1, sum(dm.values()))
    dn, sn = "".join(dw), "".join(sw)  # spaces out: Urdu writes many compounds both joined and apart
    for n in (4, 8):
        out[f"char{n}"] = _contained(_char_grams(dn, n), _char_grams(sn, n))
    out["tiling3"] = _tiling(dw, sw, 3)
    out["log_longest_run"] = math.log1p(_longest_run(dw, sw))
    out["log_length_ratio"] = math.log(max(1, len(dn)) / max(1, len(sn)))
    ds, ss = _sentence_words(d), _sentence_words(s)
    src2 = [_grams(x, 2) for x in ss]
    best = [max((_contained(_grams(x, 2), g) for g in src2), default=0.0) for x in ds]
    out["sentence_bigrams"] = float(np.mean(best)) if best else 0.0
    out["sentence_match"] = sentence_match(d, s, ClassifyConfig())
    if ds and ss:
        plain = cdist([" ".join(x) for x in ds], [" ".join(x) for x in ss], scorer=fuzz.ratio)
        out["sentence_ratio"] = float(plain.max(axis=1).mean() / 100)
    else:
        out["sentence_ratio"] = 0.0
    return out


def _fit(x: np.ndarray, y: np.ndarray, l2: float = 0.1) -> np.ndarray:
    xb = np.hstack([np.ones((len(x), 1)), x])
    beta = np.zeros(xb.shape[1])
    reg = np.eye(xb.shape[1]) * l2
    reg[0, 0] = 0.0
    for _ in range(60):
        p = 1 / (1 + np.exp(-np.clip(xb @ beta, -60, 60)))
        step = np.linalg.solve((xb * (p * (1 - p))[:, None]).T @ xb + reg, xb.T @ (p - y) + reg @ beta)
        beta -= step
        if np.abs(step).max() < 1e-9:
            break
    return beta


def _f1(pred: np.ndarray, y: np.ndarray) -> float:
    tp = float(np.sum(pred & (y == 1)))
    return 2 * tp / (2 * tp + float(np.sum(pred & (y == 0))) + float(np.sum(~pred & (y == 1)))) if tp else 0.0


def _folds(y: np.ndarray, folds: int, rng: np.random.Generator) -> np.ndarray:
    """Fold number of each row, each label spread evenly over the folds."""
    fold = np.empty(len(y), dtype=int)
    for label in (0, 1):
        idx = np.flatnonzero(y == label)
        rng.shuffle(idx)
        fold[idx] = np.arange(len(idx)) % folds
    return fold


def _predict(x: np.ndarray, y: np.ndarray, train: np.ndarray, test: np.ndarray) -> np.ndarray:
    """Link decisions for ``test`` rows of a model fitted on ``train`` rows (boolean masks)."""
    mu, sd = x[train].mean(0), x[train].std(0) + 1e-9
    beta = _fit((x[train] - mu) / sd, y[train])
    return np.asarray(beta[0] + ((x[test] - mu) / sd) @ beta[1:] >= 0.0)


def held_out_f1(x: np.ndarray, y: np.ndarray, repeats: int, folds: int = 5, seed: int = 0) -> tuple[float, float]:
    """Mean and sd over repeats of the F1 of out-of-fold predictions (label-stratified folds)."""
    rng = np.random.default_rng(seed)
    scores = []
    for _ in range(repeats):
        fold = _folds(y, folds, rng)
        pred = np.zeros(len(y), dtype=bool)
        for k in range(folds):
            pred[fold == k] = _predict(x, y, fold != k, fold == k)
        scores.append(_f1(pred, y))
    return float(np.mean(scores)), float(np.std(scores))


def nested_f1(xs: list[np.ndarray], y: np.ndarray, repeats: int, folds: int = 5) -> tuple[float, float, Counter[int]]:
    """Held-out F1 of the whole search: inside each outer fold the model (one of ``xs``) is chosen by its own
    3-repeat held-out F1 on the training part only, then refitted there and scored on the fold."""
    rng = np.random.default_rng(1)
    scores, chosen = [], Counter[int]()
    for _ in range(repeats):
        fold = _folds(y, folds, rng)
        pred = np.zeros(len(y), dtype=bool)
        for k in range(folds):
            train = np.flatnonzero(fold != k)
            inner = [held_out_f1(x[train], y[train], 3, folds, seed=k)[0] for x in xs]
            best = int(np.argmax(inner))
            chosen[best] += 1
            pred[fold == k] = _predict(xs[best], y, fold != k, fold == k)
        scores.append(_f1(pred, y))
    return float(np.mean(scores)), float(np.std(scores)), chosen


MODELS: dict[str, tuple[str, ...]] = {
    "words only": ("word1",),
    "words + length (≈ previous lexical model)": ("word1", "log_length_ratio"),
    "words, pairs, triples + length": ("word1", "word2", "word3", "log_length_ratio"),
    "word tokens + length": ("word1_tokens", "log_length_ratio"),
    "char 4-grams + length": ("char4", "log_length_ratio"),
    "both directions": ("word1", "source_word1"),
    "words + tiling + length": ("word1", "tiling3", "log_length_ratio"),
    "words + longest run + length": ("word1", "log_longest_run", "log_length_ratio"),
    "words + sentence bigrams + length": ("word1", "sentence_bigrams", "log_length_ratio"),
    "words + sentence ratio + length": ("word1", "sentence_ratio", "log_length_ratio"),
    "words + sentence_match + length": ("word1", "sentence_match", "log_length_ratio"),
    "sentence_match + words + triples": ("sentence_match", "word1", "word3"),
    "sentence_match + words + 4-grams (committed)": ("sentence_match", "word1", "word4"),
    "sentence_match + words + 4-grams + length": ("sentence_match", "word1", "word4", "log_length_ratio"),
    "sentence_match + words + 5-grams": ("sentence_match", "word1", "word5"),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=Path, default=COUNTER)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--nested", type=int, default=0, help="repeats of the nested check of the whole search (0: off)")
    args = ap.parse_args()
    if not args.pairs.exists():
        raise SystemExit(f"COUNTER pairs missing: {args.pairs}")
    pairs = list(iter_labelled_pairs(args.pairs))
    rows = [measures(p) for p in pairs]
    y = np.array([1.0 if p.is_derived else 0.0 for p in pairs])
    print(f"{len(pairs)} pairs, {int(y.sum())} derived; held-out F1 over {args.repeats} repeats of 5-fold")
    column: Callable[[str], np.ndarray] = lambda name: np.array([r[name] for r in rows])  # noqa: E731
    xs = [np.column_stack([column(n) for n in names]) for names in MODELS.values()]
    for label, x in zip(MODELS, xs, strict=True):
        mean, sd = held_out_f1(x, y, args.repeats)
        print(f"  {mean:.3f} ± {sd:.3f}  {label}")
    if args.nested:
        mean, sd, chosen = nested_f1(xs, y, args.nested)
        print(f"model chosen inside each fold among all of the above: held-out F1 {mean:.3f} ± {sd:.3f}")
        labels = list(MODELS)
        for i, n in chosen.most_common():
            print(f"  chosen {n} times: {labels[i]}")


if __name__ == "__main__":
    main()
