"""Collect pair features on the labelled sets and fit the logistic link model of ClassifyConfig.

    .venv/bin/python benchmarks/pairs/fit.py collect --out out/pairs/spans.jsonl   # align every pair, keep the spans
    .venv/bin/python benchmarks/pairs/fit.py fit out/pairs/spans.jsonl             # features → weights for config.py

Each dataset gets the same total weight in the fit (the news corpus and the seeds three times that), so the small
news corpus counts as much as COUNTER.
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
from newstrace.classify import PairFeatures, pair_features
from newstrace.config import IngestConfig, RunConfig
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
# The features the link model uses; the rest of PairFeatures only type the relation or explain the verdict.
MODEL_FEATURES = (
    "ordered_coverage",
    "word_containment",
    "bigram_containment",
    "derived_novelty",
    "cross_language",
)
# The hand-written news corpus and the seeds stand for the real-news target, so they weigh three times their share.
DATASET_WEIGHT = {"corpus": 3.0, "seeds": 3.0}
L2 = 0.1


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


def load(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str], list[str]]:
    rows = load_features(path)
    x = np.array([f.vector(MODEL_FEATURES) for _, f in rows])
    y = np.array([1.0 if r["is_derived"] else 0.0 for r, _ in rows])
    sets = [str(r["dataset"]) for r, _ in rows]
    counts = {s: sets.count(s) for s in set(sets)}
    w = np.array([len(rows) / (len(counts) * counts[s]) * DATASET_WEIGHT.get(s, 1.0) for s in sets])
    ids = [f"{r['dataset']}:{r['id']} ({r['label']})" for r, _ in rows]
    return x, y, w, sets, ids


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


def scores(x: np.ndarray, beta: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-np.clip(beta[0] + x @ beta[1:], -60, 60)))


def report(name: str, y: np.ndarray, p: np.ndarray, threshold: float) -> str:
    pred = p >= threshold
    tp = int((pred & (y == 1)).sum())
    fp = int((pred & (y == 0)).sum())
    fn = int((~pred & (y == 1)).sum())
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return f"{name:10s} n={len(y):4d} P={prec:.3f} R={rec:.3f} F1={f1:.3f} FP={fp} FN={fn}"


def fit(path: Path, threshold: float) -> None:
    x, y, w, sets, ids = load(path)
    beta = fit_logistic(x, y, w)
    p = scores(x, beta)
    for i in np.flatnonzero((p >= threshold) != (y == 1)):
        print(f"  wrong in-sample: {ids[i]} p={p[i]:.2f}")
    print("in-sample:")
    for s in sorted(set(sets)):
        m = np.array([t == s for t in sets])
        print(" ", report(s, y[m], p[m], threshold))
    # Two-fold check: fit on even rows, score odd rows and the reverse (rows of one dataset interleave).
    held = np.zeros(len(y))
    idx = np.arange(len(y))
    for k in (0, 1):
        tr, te = idx % 2 == k, idx % 2 != k
        held[te] = scores(x[te], fit_logistic(x[tr], y[tr], w[tr]))
    print("two-fold held-out:")
    for s in sorted(set(sets)):
        m = np.array([t == s for t in sets])
        print(" ", report(s, y[m], held[m], threshold))
    print("\nClassifyConfig constants:")
    print(f"    intercept: float = {beta[0]:.3f}")
    print("    weights: tuple[tuple[str, float], ...] = (")
    for name, b in zip(MODEL_FEATURES, beta[1:], strict=True):
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
    args = ap.parse_args()
    if args.cmd == "collect":
        collect(args.out, args.workers, args.only)
    else:
        fit(args.features, args.threshold)


if __name__ == "__main__":
    main()
