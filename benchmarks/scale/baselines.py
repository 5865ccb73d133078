"""Baselines for the scale benchmark, and the scoring of any system's links against a built corpus.

Usage:
  .venv/bin/python benchmarks/scale/baselines.py minhash --corpus /tmp/nt-bench/10000 [--json OUT]
  .venv/bin/python benchmarks/scale/baselines.py brute --corpus /tmp/nt-bench/10000 [--sample N] [--json OUT]
  .venv/bin/python benchmarks/scale/baselines.py slice --corpus /tmp/nt-bench/10000 --sample 300 --slice-out DIR

``minhash``: datasketch MinHash (5-word shingles, 128 permutations) + MinHashLSH at Jaccard 0.5; every LSH candidate
pair is a link, directed from the earlier to the later article. It finds copies only.
``brute``: every sentence (newstrace's own segmentation) embedded with ``newstrace.embed.embed_texts``; all pairs of
sentences compared by cosine in blocked matrix products; two articles are linked when at least ``--min-matches``
distinct sentences of the later one match a sentence of the earlier one at cosine ≥ ``--cosine``. ``--sample N`` runs
on a link-closed random subset of N articles and extrapolates the full time (embedding linear, pairs quadratic).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

log = logging.getLogger("baselines")

WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Corpus:
    """A built benchmark corpus: articles, expected directed links, tolerated undirected pairs."""

    articles: list[dict[str, str]]
    expected: set[tuple[str, str]]
    tolerated: set[frozenset[str]]
    padding: set[str]

    def subset(self, ids: set[str]) -> Corpus:
        """The corpus restricted to ``ids`` (links with both ends inside)."""
        return Corpus(
            [a for a in self.articles if a["id"] in ids],
            {(d, s) for d, s in self.expected if d in ids and s in ids},
            {p for p in self.tolerated if p <= ids},
            self.padding & ids,
        )


def read_jsonl(path: Path) -> Iterator[dict[str, object]]:
    """Rows of a JSON-lines file."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def load_corpus(folder: Path) -> Corpus:
    """Read ``articles.jsonl``, ``expected_links.jsonl``, ``tolerated_links.jsonl`` and ``pieces.jsonl``."""
    articles = [{k: str(v) for k, v in row.items()} for row in read_jsonl(folder / "articles.jsonl")]
    expected = {(str(r["derived"]), str(r["source"])) for r in read_jsonl(folder / "expected_links.jsonl")}
    tolerated = {frozenset((str(r["a"]), str(r["b"]))) for r in read_jsonl(folder / "tolerated_links.jsonl")}
    padding = {str(r["id"]) for r in read_jsonl(folder / "pieces.jsonl") if r.get("kind") == "padding"}
    return Corpus(articles, expected, tolerated, padding)


@dataclass(frozen=True)
class Score:
    """Recall and precision of predicted links against the expected ones."""

    predicted: int
    expected: int
    hits: int
    hits_directed: int
    tolerated: int
    false: int
    false_touching_padding: int
    recall: float
    recall_directed: float
    precision: float
    recall_by_relation: dict[str, float] = field(default_factory=dict)


def score_links(
    predicted: Iterable[tuple[str, str]], corpus: Corpus, relation_of: dict[tuple[str, str], str] | None = None
) -> Score:
    """Score predicted (derived, source) links.

    A prediction hits when its unordered pair is an expected link (``hits_directed`` also needs the direction).
    Pairs in the tolerated list (true reuse PAN does not label) are left out of precision. Any link touching a
    padding article is false by construction.
    """
    pred = {(d, s) for d, s in predicted if d != s}
    undirected_expected = {frozenset(p) for p in corpus.expected}
    found = {frozenset(p) for p in pred}
    hits = found & undirected_expected
    tolerated = {p for p in found if p in corpus.tolerated and p not in undirected_expected}
    false = found - undirected_expected - tolerated
    by_rel: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for link in corpus.expected:
        rel = (relation_of or {}).get(link, "all")
        by_rel[rel][1] += 1
        by_rel[rel][0] += frozenset(link) in hits
    judged = len(hits) + len(false)
    return Score(
        predicted=len(found),
        expected=len(corpus.expected),
        hits=len(hits),
        hits_directed=len(pred & corpus.expected),
        tolerated=len(tolerated),
        false=len(false),
        false_touching_padding=sum(1 for p in false if p & corpus.padding),
        recall=len(hits) / max(1, len(corpus.expected)),
        recall_directed=len(pred & corpus.expected) / max(1, len(corpus.expected)),
        precision=len(hits) / judged if judged else 0.0,
        recall_by_relation={k: round(v[0] / max(1, v[1]), 4) for k, v in sorted(by_rel.items())},
    )


def expected_relations(folder: Path) -> dict[tuple[str, str], str]:
    """Relation of each expected link, for the per-relation recall."""
    rows = read_jsonl(folder / "expected_links.jsonl")
    return {(str(r["derived"]), str(r["source"])): str(r["relation"]) for r in rows}


def direct(a: dict[str, str], b: dict[str, str]) -> tuple[str, str]:
    """(derived, source): the later article derives from the earlier one (ties by id)."""
    later, earlier = (a, b) if (a.get("date", ""), a["id"]) > (b.get("date", ""), b["id"]) else (b, a)
    return later["id"], earlier["id"]


@dataclass
class BaselineResult:
    """Links and timings of one baseline run."""

    name: str
    links: list[tuple[str, str]]
    seconds: float
    articles: int
    detail: dict[str, float] = field(default_factory=dict)


def shingles(text: str, k: int) -> list[bytes]:
    """Distinct lowercased ``k``-word shingles."""
    words = WORD.findall(text.lower())
    if len(words) < k:
        return [" ".join(words).encode()] if words else []
    return list({" ".join(words[i : i + k]).encode() for i in range(len(words) - k + 1)})


def minhash_baseline(
    articles: Sequence[dict[str, str]], num_perm: int = 128, shingle_words: int = 5, threshold: float = 0.5
) -> BaselineResult:
    """MinHash-LSH near-duplicate detection: every LSH candidate pair becomes a link."""
    from datasketch import LeanMinHash, MinHash, MinHashLSH

    t0, c0 = time.perf_counter(), time.process_time()
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    sigs: dict[str, LeanMinHash] = {}
    for a in articles:
        m = MinHash(num_perm=num_perm, seed=1)
        m.update_batch(shingles(a["text"], shingle_words))
        lean = LeanMinHash(m)
        sigs[a["id"]] = lean
        lsh.insert(a["id"], lean)
    t_sig = time.perf_counter() - t0
    by_id = {a["id"]: a for a in articles}
    links: set[tuple[str, str]] = set()
    for aid, m in sigs.items():
        for other in lsh.query(m):
            if other != aid:
                links.add(direct(by_id[aid], by_id[other]))
    seconds = time.perf_counter() - t0
    return BaselineResult("minhash-lsh", sorted(links), seconds, len(articles),
                          {"signatures_s": round(t_sig, 2), "query_s": round(seconds - t_sig, 2),
                           "cpu_s": round(time.process_time() - c0, 2)})


def sentences_of(articles: Sequence[dict[str, str]]) -> tuple[list[str], np.ndarray]:
    """Every sentence (newstrace segmentation) and the index of its article."""
    from newstrace.config import NormaliseConfig
    from newstrace.normalise import segment_sentences

    config = NormaliseConfig()
    texts: list[str] = []
    owner: list[int] = []
    for i, a in enumerate(articles):
        for seg in segment_sentences(a["id"], a["text"], config):
            texts.append(seg.text)
            owner.append(i)
    return texts, np.asarray(owner, dtype=np.int64)


def sentence_matches(
    vectors: np.ndarray, owner: np.ndarray, cosine: float, block: int = 1024
) -> dict[tuple[int, int], list[tuple[int, int, float]]]:
    """For each article pair (i < j): its (sentence of i, sentence of j, cosine) pairs at ≥ ``cosine``, all pairs."""
    n = len(vectors)
    out: dict[tuple[int, int], list[tuple[int, int, float]]] = defaultdict(list)
    for lo in range(0, n, block):
        hi = min(n, lo + block)
        # Only columns from ``lo`` on: the lower triangle is the same comparisons mirrored.
        sims = vectors[lo:hi] @ vectors[lo:].T
        rows, cols = np.nonzero(sims >= cosine)
        vals = sims[rows, cols]
        rows, cols = rows + lo, cols + lo
        keep = owner[rows] != owner[cols]
        for r, c, v in zip(rows[keep].tolist(), cols[keep].tolist(), vals[keep].tolist(), strict=True):
            a, b = int(owner[r]), int(owner[c])
            out[(a, b) if a < b else (b, a)].append((r, c, v) if a < b else (c, r, v))
    return out


def links_at(
    articles: Sequence[dict[str, str]],
    matches: dict[tuple[int, int], list[tuple[int, int, float]]],
    cosine: float,
    min_matches: int,
) -> list[tuple[str, str]]:
    """Article pairs with ≥ ``min_matches`` distinct sentences on each side matching at ≥ ``cosine``."""
    links = set()
    for (i, j), pairs in matches.items():
        good = [(r, c) for r, c, v in pairs if v >= cosine]
        # Distinct sentences on each side, so one repeated sentence cannot make a link alone.
        if min(len({r for r, _ in good}), len({c for _, c in good})) >= min_matches:
            links.add(direct(articles[i], articles[j]))
    return sorted(links)


OPERATING_POINTS = ((0.7, 2), (0.75, 2), (0.8, 1), (0.8, 2), (0.85, 2), (0.9, 1))


def brute_force_baseline(
    articles: Sequence[dict[str, str]],
    cosine: float = 0.8,
    min_matches: int = 2,
    threads: int = 2,
    cache: Path | None = None,
) -> tuple[BaselineResult, dict[str, list[tuple[str, str]]]]:
    """Embed every sentence, compare all pairs, link articles sharing ≥ ``min_matches`` matching sentences.

    Also returns the links at the other operating points (same embeddings and matches), keyed ``"cos/k"``.
    ``cache`` keeps the sentence vectors (npy) so a re-run skips the embedding; its time is then not measured.
    """
    from newstrace.config import EmbedConfig
    from newstrace.embed import embed_texts

    t0, c0 = time.perf_counter(), time.process_time()
    texts, owner = sentences_of(articles)
    t_seg = time.perf_counter() - t0
    if cache is not None and cache.is_file():
        vectors = np.load(cache)
    else:
        vectors = embed_texts(texts, EmbedConfig(threads=threads))
        if cache is not None:
            np.save(cache, vectors)
    t_embed, c_embed = time.perf_counter() - t0 - t_seg, time.process_time() - c0
    lowest = min([cosine, *(c for c, _ in OPERATING_POINTS)])
    matches = sentence_matches(vectors, owner, lowest)
    links = links_at(articles, matches, cosine, min_matches)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    variants = {f"{c}/{k}": links_at(articles, matches, c, k) for c, k in OPERATING_POINTS}
    detail = {"sentences": float(len(texts)), "segment_s": round(t_seg, 2), "embed_s": round(t_embed, 2),
              "embed_cpu_s": round(c_embed, 2), "pairs_s": round(seconds - t_seg - t_embed, 2), "cpu_s": round(cpu, 2),
              "cosine": cosine, "min_matches": float(min_matches)}
    return BaselineResult("brute-force-embedding", links, seconds, len(articles), detail), variants


def link_closed_sample(corpus: Corpus, n: int, seed: int = 7) -> set[str]:
    """About ``n`` article ids: whole expected links first (both ends), then other articles, at random."""
    rng = np.random.default_rng(seed)
    links = sorted(corpus.expected)
    chosen: set[str] = set()
    for k in rng.permutation(len(links)).tolist():
        if len(chosen) >= n // 2:
            break
        chosen.update(links[k])
    rest = sorted({a["id"] for a in corpus.articles} - chosen)
    chosen.update(rng.choice(rest, size=min(len(rest), max(0, n - len(chosen))), replace=False).tolist())
    return chosen


def write_slice(src: Path, n: int, out: Path) -> int:
    """Write a link-closed slice of about ``n`` articles of the corpus in ``src`` (all files filtered) into ``out``."""
    ids = link_closed_sample(load_corpus(src), n)
    out.mkdir(parents=True, exist_ok=True)
    keys = {"articles.jsonl": ("id",), "pieces.jsonl": ("id",), "expected_links.jsonl": ("derived", "source"),
            "tolerated_links.jsonl": ("a", "b")}
    for name, cols in keys.items():
        with (out / name).open("w", encoding="utf-8") as fh:
            for row in read_jsonl(src / name):
                if all(row[c] in ids for c in cols):
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    for name in ("holdout.jsonl", "holdout_links.jsonl"):
        (out / name).write_text((src / name).read_text(encoding="utf-8"), encoding="utf-8")
    return len(ids)


def extrapolate(sub: BaselineResult, full_sentences: int) -> float:
    """Full-corpus time: segmentation and embedding grow with sentences, the all-pairs step with their square."""
    f = full_sentences / max(1.0, sub.detail["sentences"])
    return (sub.detail["segment_s"] + sub.detail["embed_s"]) * f + sub.detail["pairs_s"] * f * f


def result_row(res: BaselineResult, score: Score) -> dict[str, object]:
    """One JSON-able row for the results table."""
    return {"system": res.name, "articles": res.articles, "wall_s": round(res.seconds, 2),
            "articles_per_s": round(res.articles / max(res.seconds, 1e-9), 1), "detail": res.detail,
            "score": asdict(score)}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one baseline on a built corpus and print its row as JSON."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("which", choices=["minhash", "brute", "slice"])
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--json", type=Path, default=None, help="also write the row here")
    ap.add_argument("--sample", type=int, default=0, help="brute: run on a link-closed subset of this many articles")
    ap.add_argument("--slice-out", type=Path, default=None, help="slice: where to write the --sample slice")
    ap.add_argument("--cosine", type=float, default=0.8)
    ap.add_argument("--min-matches", type=int, default=2)
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--cache", type=Path, default=None, help="brute: sentence vectors .npy to reuse (e.g. under /tmp)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if not (args.corpus / "articles.jsonl").is_file():
        print(f"no corpus at {args.corpus}: build it with benchmarks/scale/build_corpus.py", file=sys.stderr)
        return 1
    if args.which == "slice":
        if not (args.sample and args.slice_out):
            print("slice needs --sample N and --slice-out DIR", file=sys.stderr)
            return 2
        print(write_slice(args.corpus, args.sample, args.slice_out))
        return 0
    corpus = load_corpus(args.corpus)
    rel = expected_relations(args.corpus)
    if args.which == "minhash":
        res = minhash_baseline(corpus.articles, threshold=args.threshold)
        row = result_row(res, score_links(res.links, corpus, rel))
    else:
        run_on = corpus.subset(link_closed_sample(corpus, args.sample)) if args.sample else corpus
        res, variants = brute_force_baseline(run_on.articles, args.cosine, args.min_matches, cache=args.cache)
        row = result_row(res, score_links(res.links, run_on, rel))
        row["operating_points"] = {
            k: {f: getattr(score_links(v, run_on, rel), f) for f in ("recall", "precision", "predicted")}
            for k, v in variants.items()
        }
        if args.sample:
            full_sentences = len(sentences_of(corpus.articles)[0])
            full_s = extrapolate(res, full_sentences)
            row.update({"sampled": True, "full_articles": len(corpus.articles), "full_sentences": full_sentences,
                        "wall_s_extrapolated": round(full_s, 1)})
    print(json.dumps(row, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(row, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
