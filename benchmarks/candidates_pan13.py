"""Candidate recall on PAN 2013 text alignment (train): index all ~5,000 documents together, no dates.

For every true (susp, src) pair with at least one plagiarism case in folders 02–05 it reports whether
candidate generation proposed the pair (by any generator and by each one), plus candidate pairs per
document (the precision proxy), how many known-negative pairs of folder 01 were proposed, and time per
1,000 documents for each per-record step and for the grouping step.

Sentence vectors are cached under /tmp (never in the repo); the first run embeds up to
``--max-sentences`` sentences per document (several minutes on 2 cores).

    .venv/bin/python benchmarks/candidates_pan13.py [--no-vectors] [--vector-sample 40] [--set bands=8 ...]

Measured 2026-11-23 on a heavily shared 2-core machine (defaults, --no-vectors): recall 02 0.999, 03 0.866,
04 0.880, 05 0.945; 10.8 partners (5.4 pairs) per document; CPU 2.0 s (MinHash) + 2.4 s (anchors) + 3.3 s
(grouping) per 1,000 documents. With --set lsh_min_weight=0.0: 0.999 / 0.883 / 0.909 / 0.958 at 14.0 partners.
Document vectors (first 30 sentences) find only ~20% of sampled pairs: PAN reuse is a short passage inside
an unrelated host text, which a whole-document mean does not represent.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import pickle
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from newstrace.anchors import extract_anchors
from newstrace.candidates import CandidateRecord, document_vector, generate_candidates
from newstrace.config import CandidateConfig, EmbedConfig
from newstrace.embed import embed_texts
from newstrace.fingerprint import band_keys, minhash_signatures

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "pan13"
CACHE = Path("/tmp/newstrace_cand/pan13_sent_emb.pkl")
# A plain sentence splitter, enough for PAN's English prose; the pipeline uses normalise's segmentation.
SPLIT = re.compile(r"(?<=[.!?])\s+|\n\s*\n")
CATEGORIES = ("02-no-obfuscation", "03-random-obfuscation", "04-translation-obfuscation", "05-summary-obfuscation")


def sentences(text: str, limit: int) -> list[str]:
    """Sentences of at least 20 characters, the first ``limit`` of them."""
    out = [s.strip() for s in SPLIT.split(text) if s and len(s.strip()) >= 20][:limit]
    return out or [text[:1000]]


def load_vectors(names: list[str], texts: list[str], max_sentences: int) -> dict[str, np.ndarray]:
    """Sentence vectors per document (float16), from the /tmp cache or embedded now and cached."""
    cache: dict[str, np.ndarray] = {}
    if CACHE.exists():
        with CACHE.open("rb") as fh:
            cache = pickle.load(fh)
    missing = [i for i, n in enumerate(names) if n not in cache]
    if missing:
        print(f"embedding {len(missing)} documents (cached in {CACHE}) ...", file=sys.stderr)
        t0 = time.process_time()
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        for lo in range(0, len(missing), 200):
            chunk = missing[lo : lo + 200]
            sents = [sentences(texts[i], max_sentences) for i in chunk]
            flat = [s for ss in sents for s in ss]
            vecs = embed_texts(flat, EmbedConfig()).astype(np.float16)
            pos = 0
            for i, ss in zip(chunk, sents, strict=True):
                cache[names[i]] = vecs[pos : pos + len(ss)]
                pos += len(ss)
            # Checkpoint: an interrupted first run resumes where it stopped.
            with CACHE.open("wb") as fh:
                pickle.dump(cache, fh)
            print(f"  {lo + len(chunk)}/{len(missing)} in {time.process_time() - t0:.0f}s", file=sys.stderr)
    return cache


def parse_overrides(items: list[str]) -> dict[str, object]:
    """``key=value`` pairs typed like the CandidateConfig field they set."""
    fields = {f.name: f for f in dataclasses.fields(CandidateConfig)}
    out: dict[str, object] = {}
    for item in items:
        key, _, raw = item.partition("=")
        if key not in fields:
            raise SystemExit(f"unknown CandidateConfig field {key!r}")
        default = getattr(CandidateConfig(), key)
        out[key] = type(default)(raw)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-vectors", action="store_true", help="skip the embedding generator")
    ap.add_argument("--max-sentences", type=int, default=30, help="sentences per document to embed and cache")
    ap.add_argument(
        "--vector-sample", type=int, default=40,
        help="embed only N true pairs per folder plus as many random documents (0 = embed all documents)",
    )
    ap.add_argument("--set", nargs="*", default=[], help="CandidateConfig overrides, e.g. bands=8")
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = ap.parse_args()
    if not (SHARED / "train_cases.jsonl").exists():
        print(f"PAN13 data not found under {SHARED}; nothing to measure", file=sys.stderr)
        return 0
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    config = dataclasses.replace(CandidateConfig(), **parse_overrides(args.set))  # type: ignore[arg-type]

    paths = sorted((SHARED / "train" / "susp").glob("*.txt")) + sorted((SHARED / "train" / "src").glob("*.txt"))
    names = [p.name for p in paths]
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in paths]
    truth: dict[str, set[tuple[str, str]]] = defaultdict(set)
    negatives: set[tuple[str, str]] = set()
    for line in (SHARED / "train_cases.jsonl").read_text().splitlines():
        row = json.loads(line)
        pair = tuple(sorted((row["susp"], row["src"])))
        if row["category"] in CATEGORIES and row["n_cases"] > 0:
            truth[row["category"]].add(pair)  # type: ignore[arg-type]
        elif row["n_cases"] == 0:
            negatives.add(pair)  # type: ignore[arg-type]

    timings: dict[str, float] = {}
    t0 = time.process_time()
    sigs, owner = minhash_signatures(texts, config)
    keys: list[list[int]] = [[] for _ in texts]
    bounds = np.flatnonzero(np.diff(owner)) + 1
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(owner)], strict=True):
        keys[int(owner[lo])] = band_keys(sigs[lo:hi], config)
    timings["minhash+band_keys"] = time.process_time() - t0
    t0 = time.process_time()
    anchors = [extract_anchors(t, "en", config.anchor_max_per_article) for t in texts]
    timings["anchors"] = time.process_time() - t0
    vectors: list[np.ndarray | None] = [None] * len(texts)
    embedded = set(names)
    if not args.no_vectors:
        if args.vector_sample > 0:
            # Embedding all ~5,000 documents takes too long on a busy 2-core machine: embed a seeded
            # sample of true pairs plus as many random documents, and report vector figures on it.
            rng = np.random.default_rng(13)
            embedded = set()
            for cat in CATEGORIES:
                pool = sorted(truth[cat])
                for j in rng.choice(len(pool), size=min(args.vector_sample, len(pool)), replace=False):
                    embedded.update(pool[int(j)])
            others = sorted(set(names) - embedded)
            embedded.update(others[int(j)] for j in rng.choice(len(others), size=len(embedded), replace=False))
        idx = [i for i, n in enumerate(names) if n in embedded]
        sent_vecs = load_vectors([names[i] for i in idx], [texts[i] for i in idx], args.max_sentences)
        t0 = time.process_time()
        for i in idx:
            vectors[i] = document_vector(sent_vecs[names[i]].astype(np.float32), config)
        timings["document_vector (cached sentence vectors)"] = time.process_time() - t0
    records = [
        CandidateRecord(n, None, tuple(k), a, v) for n, k, a, v in zip(names, keys, anchors, vectors, strict=True)
    ]
    t0 = time.process_time()
    cands = generate_candidates(records, config)
    timings["generate_candidates"] = time.process_time() - t0

    found = {tuple(sorted((c.derived, c.source))): c.via for c in cands}
    n_docs = len(texts)
    per_doc = Counter[str]()
    for c in cands:
        per_doc[c.derived] += 1
        per_doc[c.source] += 1
    result: dict[str, object] = {
        "config": dataclasses.asdict(config),
        "docs": n_docs,
        "candidate_pairs": len(cands),
        # Partners per document (each pair counts for both of its documents), and pairs per document.
        "candidates_per_doc": round(2 * len(cands) / n_docs, 2),
        "pairs_per_doc": round(len(cands) / n_docs, 2),
        "max_candidates_of_a_doc": max(per_doc.values(), default=0),
        "by_generator": dict(Counter(v for c in cands for v in c.via)),
        "negative_pairs_proposed": f"{sum(p in found for p in negatives)}/{len(negatives)}",
        "index_bytes_per_doc": {
            "lsh_keys": round(8 * sum(len(k) for k in keys) / n_docs),
            "anchors": round(8 * sum(len(a) for a in anchors) / n_docs),
            "vector_i8": 512 if not args.no_vectors else 0,
        },
        "cpu_seconds_per_1000_docs": {k: round(1000 * v / n_docs, 2) for k, v in timings.items()},
    }
    recall: dict[str, dict[str, float]] = {}
    for cat in CATEGORIES:
        pairs = truth[cat]
        row = {"pairs": len(pairs), "any": round(sum(p in found for p in pairs) / len(pairs), 4)}
        for gen in ("lsh", "vector", "anchor"):
            row[gen] = round(sum(gen in found.get(p, ()) for p in pairs) / len(pairs), 4)
        recall[cat] = row
    result["recall"] = recall
    if not args.no_vectors:
        # Vector generator alone, on the embedded documents only, for a few lead lengths.
        sample: dict[str, object] = {"documents": len(embedded)}
        for n_sent in sorted({5, 10, config.vector_sentences}):
            cfg = dataclasses.replace(config, vector_sentences=n_sent)
            vrec = [
                CandidateRecord(n, None, (), frozenset(), document_vector(sent_vecs[n].astype(np.float32), cfg))
                for n in names
                if n in embedded
            ]
            vfound = {tuple(sorted((c.derived, c.source))) for c in generate_candidates(vrec, cfg)}
            row2: dict[str, object] = {"candidates_per_doc": round(2 * len(vfound) / max(1, len(vrec)), 2)}
            for cat in CATEGORIES:
                pairs = [p for p in truth[cat] if set(p) <= embedded]
                row2[cat] = f"{sum(p in vfound for p in pairs)}/{len(pairs)}"
            sample[f"first_{n_sent}_sentences"] = row2
        recall_any = {}
        for cat in CATEGORIES:
            pairs = [p for p in truth[cat] if set(p) <= embedded]
            recall_any[cat] = f"{sum(p in found for p in pairs)}/{len(pairs)}"
        sample["all_generators_on_sampled_pairs"] = recall_any
        result["vector_sample"] = sample
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
