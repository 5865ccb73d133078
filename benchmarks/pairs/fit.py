"""Collect pair features on the labelled sets and fit the logistic link models of ClassifyConfig.

    .venv/bin/python benchmarks/pairs/fit.py collect --out out/pairs/spans.jsonl   # align every pair, keep the spans
    .venv/bin/python benchmarks/pairs/fit.py fit out/pairs/spans.jsonl             # features → weights for config.py

Two models are fitted: one for pairs in the sentence encoder's languages (``weights``: the news corpus, the seeds and
crossling) and one for pairs aligned on shared words alone (``lexical_weights``: COUNTER, Urdu). Within a model each
dataset gets the same total weight (the news corpus and the seeds three times that). The figures to trust are the
repeated stratified 5-fold held-out ones, which run the whole decision (``classify_pair``, rules included) with
weights fitted without the scored fold.
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np

from newstrace.align import align_pair
from newstrace.classify import PairFeatures, classify_pair, link_probability, pair_features
from newstrace.config import ClassifyConfig, IngestConfig, RunConfig
from newstrace.eval.pairs import LabelledPair, iter_labelled_pairs
from newstrace.ingest import iter_articles
from newstrace.model import Article, Span

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
SETS = {
    "counter": SHARED / "data" / "counter" / "pairs.jsonl",
    "crossling": SHARED / "data" / "crossling" / "pairs.jsonl",
    "corpus": ROOT / "examples" / "corpus",
}
# The features the link models use; the rest of PairFeatures only type the relation or explain the verdict.
MODEL_FEATURES = (
    "ordered_coverage",
    "word_containment",
    "bigram_containment",
    "derived_novelty",
    "cross_language",
)
# Words alone (Urdu in COUNTER): how much of the derived text's wording is the source's, how many of its sentences
# have a close (fuzzy, character-level) counterpart there, and a correction for literal 4-word runs (independent
# reports of one event share set phrases, quotes and handouts word for word and reword the rest).
LEXICAL_FEATURES = (
    "sentence_match",
    "word_containment",
    "quadgram_containment",
)
# The hand-written news corpus and the seeds stand for the real-news target, so they weigh three times their share.
DATASET_WEIGHT = {"corpus": 3.0, "seeds": 3.0}
L2 = 0.1
# The lexical model's features are shares with small spreads (sentence_match mostly 0.5-0.95), so their weights are
# large and an L2 of 0.1 shrinks them: held-out COUNTER F1 0.908 with 0-0.01, 0.901 with 0.1, 0.893 with 0.5
# (20 repeats each, benchmarks/pairs/RESULTS.md).
LEXICAL_L2 = 0.01


def _align(pair: LabelledPair) -> dict[str, object]:
    cfg = RunConfig()
    d, s = _with_language(pair.derived, cfg), _with_language(pair.source, cfg)
    spans = align_pair(d.text, s.text, cfg.align, derived_lang=d.language, source_lang=s.language)
    return {
        "dataset": pair.dataset,
        "id": pair.id,
        "label": pair.label,
        "is_derived": pair.is_derived,
        "languages": [d.language, s.language],
        "spans": [[x.derived_start, x.derived_end, x.source_start, x.source_end, x.kind, x.score] for x in spans],
    }


def _with_language(a: Article, cfg: RunConfig) -> Article:
    if a.language:
        return a
    try:
        from newstrace.langid import detect_language

        return replace(a, language=detect_language(a.text, cfg.langid)[0])
    except ImportError:  # the langid stage is not in the tree yet: use the library it wraps
        import py3langid

        return replace(a, language=str(py3langid.classify(a.text[: cfg.langid.sample_chars])[0]))


def _seed_pairs() -> list[LabelledPair]:
    """The two seed articles: same event, two different wires, so never linked (both directions)."""
    seeds = [a for a in iter_articles([SHARED / "seeds"], IngestConfig()) if isinstance(a, Article)]
    seeds = [replace(a, language=a.language or "en") for a in seeds]
    if len(seeds) != 2:
        return []
    a, b = seeds
    return [
        LabelledPair(f"{a.id}<-{b.id}", a, b, False, "independent", "seeds"),
        LabelledPair(f"{b.id}<-{a.id}", b, a, False, "independent", "seeds"),
    ]


def _pairs(only: list[str]) -> list[LabelledPair]:
    pairs: list[LabelledPair] = []
    if not only or "seeds" in only:
        pairs.extend(_seed_pairs())
    for name, path in SETS.items():
        if only and name not in only:
            continue
        if not path.exists():
            print(f"skip {name}: {path} missing", file=sys.stderr)
            continue
        pairs.extend(iter_labelled_pairs(path))
    return pairs


def collect(out: Path, workers: int, only: list[str]) -> None:
    """Align every labelled pair once and store the spans (features are recomputed from them when fitting)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    pairs = _pairs(only)
    with out.open("w", encoding="utf-8") as fh, ProcessPoolExecutor(workers) as pool:
        for i, row in enumerate(pool.map(_align, pairs, chunksize=4), 1):
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            if i % 25 == 0:
                print(f"{i}/{len(pairs)}", file=sys.stderr)


def load_features(path: Path) -> list[tuple[dict[str, object], PairFeatures]]:
    """Stored spans + the labelled pairs' texts → features with the current classify.pair_features."""
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    pairs = {(p.dataset, p.id): p for p in _pairs(sorted({str(r["dataset"]) for r in rows}))}
    out = []
    for r in rows:
        pair = pairs.get((r["dataset"], r["id"]))
        if pair is None:
            continue
        lang_d, lang_s = r["languages"]
        d, s = replace(pair.derived, language=lang_d), replace(pair.source, language=lang_s)
        spans = [Span(int(a), int(b), int(c), int(e), k, float(sc)) for a, b, c, e, k, sc in r["spans"]]
        out.append((r, pair_features(d, s, spans)))
    return out


def dataset_weights(sets: list[str]) -> np.ndarray:
    """Sample weights giving each dataset the same total (the news corpus and the seeds ``DATASET_WEIGHT`` times)."""
    counts = {s: sets.count(s) for s in set(sets)}
    return np.array([len(sets) / (len(counts) * counts[s]) * DATASET_WEIGHT.get(s, 1.0) for s in sets])


def fit_logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = L2, steps: int = 50) -> np.ndarray:
    """Weighted L2-regularised logistic regression by Newton's method; returns [intercept, weights...]."""
    xb = np.hstack([np.ones((len(x), 1)), x])
    beta = np.zeros(xb.shape[1])
    reg = np.eye(xb.shape[1]) * l2
    reg[0, 0] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(xb @ beta, -60, 60)))
        grad = xb.T @ (w * (p - y)) + reg @ beta
        hess = (xb * (w * p * (1 - p))[:, None]).T @ xb + reg
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta


def fit_config(
    rows: list[tuple[dict[str, object], PairFeatures]], base: ClassifyConfig, models: str = "both"
) -> ClassifyConfig:
    """``base`` with the chosen link models (both / encoder / lexical) refitted on ``rows``; others keep theirs."""
    cfg = base
    for lexical, names in ((False, MODEL_FEATURES), (True, LEXICAL_FEATURES)):
        if models != "both" and models != ("lexical" if lexical else "encoder"):
            continue
        part = [(r, f) for r, f in rows if f.lexical_only == lexical]
        if not part:
            continue
        x = np.array([f.vector(names) for _, f in part])
        y = np.array([1.0 if r["is_derived"] else 0.0 for r, _ in part])
        beta = fit_logistic(x, y, dataset_weights([str(r["dataset"]) for r, _ in part]), LEXICAL_L2 if lexical else L2)
        weights = tuple((n, round(float(b), 3)) for n, b in zip(names, beta[1:], strict=True))
        if lexical:
            cfg = replace(cfg, lexical_intercept=round(float(beta[0]), 3), lexical_weights=weights)
        else:
            cfg = replace(cfg, intercept=round(float(beta[0]), 3), weights=weights)
    return cfg


def _counts(rows: list[tuple[dict[str, object], PairFeatures]], linked: list[bool]) -> dict[str, list[int]]:
    """Per dataset: [tp, fp, fn, tn]."""
    out: dict[str, list[int]] = {}
    for (r, _), pred in zip(rows, linked, strict=True):
        c = out.setdefault(str(r["dataset"]), [0, 0, 0, 0])
        c[(0 if r["is_derived"] else 1) if pred else (2 if r["is_derived"] else 3)] += 1
    return out


def _line(name: str, c: list[int] | np.ndarray) -> str:
    tp, fp, fn, tn = (float(v) for v in c)
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return f"{name:10s} n={tp + fp + fn + tn:4.0f} P={prec:.3f} R={rec:.3f} F1={f1:.3f} FP={fp:.1f} FN={fn:.1f}"


def _f1(c: np.ndarray) -> float:
    tp, fp, fn, _ = (float(v) for v in c)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def best_threshold(rows: list[tuple[dict[str, object], PairFeatures]], cfg: ClassifyConfig) -> float:
    """The link threshold (0.30-0.70) with the best summed F1 over the datasets of ``rows`` (ties: nearest 0.5)."""
    grid = np.round(np.arange(0.30, 0.7001, 0.02), 2)
    scores = []
    for t in grid:
        c = replace(cfg, link_threshold=float(t))
        counts = _counts(rows, [classify_pair(f, c).relation is not None for _, f in rows])
        scores.append(sum(_f1(np.array(v)) for v in counts.values()))
    best = max(scores)
    return float(min((t for t, v in zip(grid, scores, strict=True) if v >= best - 1e-12), key=lambda t: abs(t - 0.5)))


def cross_validate(
    rows: list[tuple[dict[str, object], PairFeatures]],
    base: ClassifyConfig,
    models: str = "both",
    folds: int = 5,
    repeats: int = 4,
    tune_threshold: bool = False,
    seed: int = 0,
) -> dict[str, list[np.ndarray]]:
    """Per dataset, one [tp, fp, fn, tn] per repeat of the whole decision with weights fitted without the scored fold.

    With ``tune_threshold`` the link threshold is also chosen inside each fold (best F1 on the training part).
    """
    rng = np.random.default_rng(seed)
    sets = np.array([str(r["dataset"]) for r, _ in rows])
    labels = np.array([bool(r["is_derived"]) for r, _ in rows])
    out: dict[str, list[np.ndarray]] = {}
    for _ in range(repeats):
        fold = np.empty(len(rows), dtype=int)
        for s in sorted(set(sets)):  # stratified: every dataset and label spread over all folds
            for lab in (False, True):
                idx = np.flatnonzero((sets == s) & (labels == lab))
                rng.shuffle(idx)
                fold[idx] = (np.arange(len(idx)) + int(rng.integers(folds))) % folds
        linked = [False] * len(rows)
        for k in range(folds):
            train = [row for row, f in zip(rows, fold, strict=True) if f != k]
            cfg = fit_config(train, base, models)
            if tune_threshold:
                cfg = replace(cfg, link_threshold=best_threshold(train, cfg))
            for i in np.flatnonzero(fold == k):
                linked[i] = classify_pair(rows[i][1], cfg).relation is not None
        for s, c in _counts(rows, linked).items():
            out.setdefault(s, []).append(np.array(c, dtype=float))
    return out


def cv_summary(name: str, per_repeat: list[np.ndarray]) -> str:
    """Mean counts over the repeats, and the F1 of each repeat as mean ± sd (min-max)."""
    f1s = np.array([_f1(c) for c in per_repeat])
    return (
        f"{_line(name, np.mean(per_repeat, axis=0))}  F1 per repeat {f1s.mean():.3f} ± {f1s.std():.3f}"
        f" ({f1s.min():.3f}-{f1s.max():.3f}, {len(f1s)} repeats)"
    )


def fit(path: Path, threshold: float, models: str, repeats: int = 4, tune_threshold: bool = False) -> None:
    rows = load_features(path)
    base = replace(ClassifyConfig(), link_threshold=threshold)
    print("committed ClassifyConfig:")
    for s, c in sorted(_counts(rows, [classify_pair(f, base).relation is not None for _, f in rows]).items()):
        print(" ", _line(s, c))
    cfg = fit_config(rows, base, models)
    linked = [classify_pair(f, cfg).relation is not None for _, f in rows]
    for (r, f), pred in zip(rows, linked, strict=True):
        if pred != bool(r["is_derived"]):
            print(f"  wrong in-sample: {r['dataset']}:{r['id']} ({r['label']}) p={link_probability(f, cfg):.2f}")
    print("refitted, in-sample:")
    for s, c in sorted(_counts(rows, linked).items()):
        print(" ", _line(s, c))
    how = "threshold chosen in each fold" if tune_threshold else f"threshold {threshold}"
    print(f"refitted, repeated ({repeats}x) stratified 5-fold held-out, {how} (mean counts):")
    held_out = cross_validate(rows, base, models, repeats=repeats, tune_threshold=tune_threshold)
    for name, runs in sorted(held_out.items()):
        print(" ", cv_summary(name, runs))
    print("\nClassifyConfig constants:")
    for prefix, intercept, weights in (
        ("", cfg.intercept, cfg.weights),
        ("lexical_", cfg.lexical_intercept, cfg.lexical_weights),
    ):
        print(f"    {prefix}intercept: float = {intercept:.3f}")
        print(f"    {prefix}weights: tuple[tuple[str, float], ...] = (")
        for name, b in weights:
            print(f'        ("{name}", {b:.3f}),')
        print("    )")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("collect")
    c.add_argument("--out", type=Path, default=ROOT / "out" / "pairs" / "spans.jsonl")
    c.add_argument("--workers", type=int, default=2)
    c.add_argument("--only", nargs="*", default=[])
    f = sub.add_parser("fit")
    f.add_argument("features", type=Path)
    f.add_argument("--threshold", type=float, default=0.5)
    f.add_argument("--models", choices=("both", "encoder", "lexical"), default="both", help="which models to refit")
    f.add_argument("--repeats", type=int, default=4, help="repeats of the stratified 5-fold check")
    f.add_argument("--tune-threshold", action="store_true", help="also choose the link threshold inside each fold")
    args = ap.parse_args()
    if args.cmd == "collect":
        collect(args.out, args.workers, args.only)
    else:
        fit(args.features, args.threshold, args.models, args.repeats, args.tune_threshold)


if __name__ == "__main__":
    main()
