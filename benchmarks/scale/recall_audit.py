"""Where end-to-end recall is lost: every expected link of a scale corpus, traced through the stages of one run.

Usage (after ``run.py`` has traced the corpus; its work folder holds ``store.duckdb``):
  .venv/bin/python benchmarks/scale/recall_audit.py --corpus /tmp/nt-bench/10000 \
      --store /tmp/nt-bench/run-10000/store.duckdb [--json OUT.json] [--markdown OUT.md]

Each expected link lands in exactly one row of the loss table:

- **no candidate**: the pair was never judged. Which generator came closest, and why it stopped: LSH (shared band
  keys after the ``max_bucket`` cap, below ``lsh_min_shared`` / ``lsh_min_weight``, or cut by
  ``lsh_top_per_article``), anchors (likewise), the vector index (cosine below ``vector_min_sim`` or the
  partner's exact neighbour rank beyond ``vector_k``), or the time window.
- **judged no link**: a candidate whose stored verdict has no relation: the aligner found nothing, found passages
  off the ground-truth case, or found the case and the link model said no (with the verdict's reason).
- **link dropped**: the verdict is a link but the final links do not hold the pair (another source was kept:
  ``attribute.select_sources`` explained it away).
- **linked**: in the final links (``hits_directed`` counts the right direction).

It also reports what share of vector-index candidates become links, at which cosine and neighbour rank the true
ones sit, and what tighter vector rules would have cut. The headline recall/precision is ``run.py``'s scoring
(``baselines.score_links``) of the store's links, so the table adds up to the figure the benchmark reports.
Candidate generation is recomputed from the stored features with the current ``CandidateConfig``; the pairs it
gives are compared with the judged ones (they agree when the store was traced with the same configuration).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from baselines import expected_relations, load_corpus, read_jsonl, score_links  # noqa: E402

from newstrace import candidates  # noqa: E402
from newstrace.config import CandidateConfig, RunConfig  # noqa: E402
from newstrace.pipeline import candidate_record  # noqa: E402
from newstrace.store import Store  # noqa: E402

Pair = tuple[str, str]


@dataclass
class LinkAudit:
    """What happened to one expected link."""

    derived: str
    source: str
    relation: str
    obfuscation: str
    stage: str  # linked | link_dropped | judged_no | no_candidate
    why: str
    via: tuple[str, ...] = ()
    lsh_shared: int = 0
    lsh_shared_uncapped: int = 0
    lsh_weight: float = 0.0
    anchor_shared: int = 0
    anchor_weight: float = 0.0
    cosine: float = 0.0
    rank: int = 0  # best exact vector-neighbour rank of the pair (1 = nearest), over both articles
    mutual_rank: int = 0  # the worse of the two ranks (both articles within it of each other)
    case_cover: float = 0.0  # share of the ground-truth derived case chars covered by stored aligned spans
    reason: str = ""
    kept_sources: list[str] = field(default_factory=list)


K = TypeVar("K")


def _shared(a: Iterable[K], b: Iterable[K], df: Mapping[K, int], cap: int) -> tuple[int, int, float]:
    """Shared keys (under the cap), shared keys (all) and the summed bucket weight of the capped ones."""
    both = set(a) & set(b)
    capped = [k for k in both if df[k] <= cap]
    return len(capped), len(both), sum(candidates.bucket_weight(df[k]) for k in capped)


def exact_ranks(vectors: np.ndarray, pairs: Sequence[tuple[int, int]], block: int = 2048) -> tuple[np.ndarray, ...]:
    """Cosine of each pair and the rank (1 = nearest, self excluded) of each side in the other's neighbour list."""
    cos = np.einsum("ij,ij->i", vectors[[i for i, _ in pairs]], vectors[[j for _, j in pairs]])
    rank_ab = np.zeros(len(pairs), dtype=np.int64)
    rank_ba = np.zeros(len(pairs), dtype=np.int64)
    by_row: dict[int, list[tuple[int, int, bool]]] = defaultdict(list)
    for n, (i, j) in enumerate(pairs):
        by_row[i].append((n, j, True))
        by_row[j].append((n, i, False))
    rows = sorted(by_row)
    for lo in range(0, len(rows), block):
        chunk = rows[lo : lo + block]
        sims = vectors[chunk] @ vectors.T
        for r, row in zip(chunk, sims, strict=True):
            row[r] = -np.inf
            for n, other, forward in by_row[r]:
                rank = int((row > row[other]).sum()) + 1
                (rank_ab if forward else rank_ba)[n] = rank
    return cos, rank_ab, rank_ba


def case_cover(spans_json: str, cases: Sequence[Mapping[str, int]], flipped: bool) -> float:
    """Share of the expected derived case characters that the stored spans cover on the derived side."""
    spans = json.loads(spans_json or "[]")
    key = ("source_start", "source_end") if flipped else ("derived_start", "derived_end")
    covered = total = 0
    for c in cases:
        lo, hi = int(c["derived_start"]), int(c["derived_end"])
        total += hi - lo
        marks = np.zeros(hi - lo, dtype=bool)
        for s in spans:
            a, b = max(lo, int(s[key[0]])), min(hi, int(s[key[1]]))
            if b > a:
                marks[a - lo : b - lo] = True
        covered += int(marks.sum())
    return covered / max(1, total)


def _why_not_candidate(x: LinkAudit, lsh_ok: bool, anchor_ok: bool, config: CandidateConfig) -> str:
    """The generator that came closest and the rule that stopped it."""
    if x.lsh_shared_uncapped >= config.lsh_min_shared and x.lsh_shared < config.lsh_min_shared:
        return "lsh: shared bands only in crowded buckets (> max_bucket)"
    if lsh_ok:
        return "lsh: passed count/weight, cut by lsh_top_per_article"
    if anchor_ok:
        return "anchor: passed count, cut by anchor_top_per_article"
    if x.cosine >= config.vector_min_sim:
        if x.rank > config.vector_k:
            return "vector: above vector_min_sim but rank > vector_k"
        if not candidates.mutual_enough(x.mutual_rank <= config.vector_k, x.cosine, config):
            return "vector: one-sided neighbour (vector_mutual), cos < vector_sure_sim"
        return "vector: rank <= vector_k but the HNSW search missed it"
    if x.lsh_shared >= config.lsh_min_shared:
        return "lsh: enough shared bands, weight < lsh_min_weight"
    if x.lsh_shared > 0:
        return f"lsh: {x.lsh_shared} shared band(s) < lsh_min_shared; vector cos < vector_min_sim"
    return "no generator: no shared band, anchors < min, cos < vector_min_sim"


def _why_judged_no(cover: float, spans: int, reason: str) -> str:
    if spans == 0:
        return "align: no passage"
    if cover < 0.5:
        return "align: passages off the case (< 50 % of it covered)"
    head = reason.split(" (")[0] if reason else "?"
    return f"classify: case aligned (>= 50 %), model said no: {head}"


def audit(corpus_dir: Path, store_path: Path, config: RunConfig) -> tuple[list[LinkAudit], dict[str, object]]:
    """Audit every expected link of ``corpus_dir`` against the run stored at ``store_path``."""
    corpus = load_corpus(corpus_dir)
    rows = list(read_jsonl(corpus_dir / "expected_links.jsonl"))
    cc = config.candidates
    with Store(store_path, config.store, read_only=True) as store:
        ids = store.article_ids()
        arts = store.get_articles(ids)
        feats = store.get_features(ids, with_bands=True)
        verdicts = {(p.derived, p.source): p for p in store.iter_pairs()}
        final = {(k.derived, k.source) for k in store.links()}
    records = [candidate_record(arts[i], feats[i]) for i in ids if i in feats]
    cands = candidates.generate_candidates(records, cc)
    via = {frozenset((c.derived, c.source)): c.via for c in cands}
    judged = {frozenset(p): p for p in verdicts}
    by_derived: dict[str, list[str]] = defaultdict(list)
    for d, s in final:
        by_derived[d].append(s)

    band_df: Counter[int] = Counter(k for r in records for k in set(r.band_keys))
    anchor_df: Counter[str] = Counter(a for r in records for a in r.anchors)
    rec = {r.id: r for r in records}
    index_of = {r.id: n for n, r in enumerate(records)}
    vecs = np.stack([np.asarray(r.vector, dtype=np.float32) for r in records])

    # Loose tallies, to tell "cut by the per-article cap" from "below the count/weight floors".
    def passes(shared: int, weight: float, min_count: int, min_weight: float) -> bool:
        return shared >= min_count and weight >= min_weight - 1e-9

    out: list[LinkAudit] = []
    pairs_idx = [(index_of[str(r["derived"])], index_of[str(r["source"])]) for r in rows]
    cos, rab, rba = exact_ranks(vecs, pairs_idx)
    for n, r in enumerate(rows):
        d, s = str(r["derived"]), str(r["source"])
        x = LinkAudit(d, s, str(r["relation"]), "/".join(r["obfuscation"]), "", "")  # type: ignore[arg-type]
        x.lsh_shared, x.lsh_shared_uncapped, x.lsh_weight = _shared(
            rec[d].band_keys, rec[s].band_keys, band_df, cc.max_bucket
        )
        x.anchor_shared, _, x.anchor_weight = _shared(rec[d].anchors, rec[s].anchors, anchor_df, cc.anchor_max_df)
        x.cosine, x.rank, x.mutual_rank = round(float(cos[n]), 4), int(min(rab[n], rba[n])), int(max(rab[n], rba[n]))
        x.via = via.get(frozenset((d, s)), ())
        key = judged.get(frozenset((d, s)))
        if (d, s) in final or (s, d) in final:
            x.stage, x.why = "linked", "right direction" if (d, s) in final else "reversed direction"
        elif key is None:
            x.stage = "no_candidate"
            lsh_ok = passes(x.lsh_shared, x.lsh_weight, cc.lsh_min_shared, cc.lsh_min_weight)
            anchor_ok = passes(x.anchor_shared, x.anchor_weight, cc.anchor_min_shared, 0.0)
            x.why = _why_not_candidate(x, lsh_ok, anchor_ok, cc)
            if not within_window(arts[d], arts[s], cc):
                x.why = "outside window_days"
        else:
            v = verdicts[key]
            x.case_cover = round(case_cover(v.spans_json, r["cases"], key != (d, s)), 3)  # type: ignore[arg-type]
            x.reason = v.reason
            if v.relation is None:
                x.stage = "judged_no"
                x.why = _why_judged_no(x.case_cover, len(json.loads(v.spans_json or "[]")), v.reason)
            else:
                x.stage = "link_dropped"
                x.kept_sources = sorted(by_derived.get(key[0], []))
                x.why = "another source kept (select_sources)" if x.kept_sources else "no source kept"
            if "vector" not in x.via:
                x.why += " [words only]" if x.stage == "judged_no" else ""
        out.append(x)

    links = sorted(final)
    score = score_links(links, corpus, expected_relations(corpus_dir))
    extra = {
        "score": asdict(score),
        "candidates_recomputed": len(cands),
        "pairs_judged": len(verdicts),
        "recomputed_not_judged": sum(1 for c in cands if frozenset((c.derived, c.source)) not in judged),
        "vector": vector_report(cands, verdicts, final, corpus, vecs, index_of, cc),
    }
    return out, extra


def within_window(a: object, b: object, cc: CandidateConfig) -> bool:
    """Whether two stored articles' dates are within the candidate window."""
    return candidates.within_window(getattr(a, "date", None), getattr(b, "date", None), cc)


def vector_report(
    cands: Sequence[candidates.Candidate],
    verdicts: Mapping[Pair, object],
    final: set[Pair],
    corpus: object,
    vecs: np.ndarray,
    index_of: Mapping[str, int],
    cc: CandidateConfig,
) -> dict[str, object]:
    """Vector-index candidates: how many become links, where true ones sit, what tighter rules would cut."""
    expected = {frozenset(p) for p in corpus.expected}  # type: ignore[attr-defined]
    tolerated = corpus.tolerated  # type: ignore[attr-defined]
    linked = {frozenset(p) for p in final}
    vc = [c for c in cands if "vector" in c.via]
    if not vc:
        return {}
    pairs = [(index_of[c.derived], index_of[c.source]) for c in vc]
    cos, rab, rba = exact_ranks(vecs, pairs)
    rank = np.minimum(rab, rba)
    mutual = np.maximum(rab, rba)
    only = np.array([c.via == ("vector",) for c in vc])
    true = np.array([frozenset((c.derived, c.source)) in expected for c in vc])
    tol = np.array([frozenset((c.derived, c.source)) in tolerated for c in vc])
    hit = np.array([frozenset((c.derived, c.source)) in linked for c in vc])
    true_hit = true & hit

    def q(a: np.ndarray) -> list[float]:
        return [round(float(v), 3) for v in np.quantile(a, [0.1, 0.25, 0.5, 0.75, 0.9])] if a.size else []

    rules: list[dict[str, object]] = []
    for name, keep in [
        ("rank <= 4", rank <= 4),
        ("rank <= 2", rank <= 2),
        ("rank <= 1", rank <= 1),
        ("mutual rank <= 8", mutual <= 8),
        ("mutual rank <= 4", mutual <= 4),
        ("cos >= 0.7", cos >= 0.7),
        ("cos >= 0.75", cos >= 0.75),
        ("cos >= 0.8", cos >= 0.8),
        ("rank <= 2 or cos >= 0.8", (rank <= 2) | (cos >= 0.8)),
        ("mutual rank <= 8 or cos >= 0.8", (mutual <= 8) | (cos >= 0.8)),
        ("mutual rank <= 4 or cos >= 0.8", (mutual <= 4) | (cos >= 0.8)),
    ]:
        drop = only & ~keep  # pairs another generator also found stay candidates
        rules.append(
            {
                "rule": name,
                "vector_only_pairs_cut": int(drop.sum()),
                "expected_cut": int((drop & true).sum()),
                "expected_linked_cut": int((drop & true_hit).sum()),
                "tolerated_cut": int((drop & tol).sum()),
            }
        )
    return {
        "vector_pairs": len(vc),
        "vector_only_pairs": int(only.sum()),
        "vector_pairs_linked": int(hit.sum()),
        "vector_only_linked": int((only & hit).sum()),
        "vector_only_expected": int((only & true).sum()),
        "vector_only_expected_linked": int((only & true_hit).sum()),
        "vector_only_tolerated": int((only & tol).sum()),
        "cosine_quantiles_vector_only_expected": q(cos[only & true]),
        "cosine_quantiles_vector_only_other": q(cos[only & ~true & ~tol]),
        "rank_quantiles_vector_only_expected": q(rank[only & true].astype(float)),
        "rank_quantiles_vector_only_other": q(rank[only & ~true & ~tol].astype(float)),
        "rules": rules,
    }


def render(audits: Sequence[LinkAudit], extra: Mapping[str, object]) -> str:
    """Markdown: the loss table by stage and cause, per obfuscation, and the vector-candidate figures."""
    obf = sorted({a.obfuscation for a in audits})
    total = Counter(a.obfuscation for a in audits)
    cells: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for a in audits:
        cells[(a.stage, a.why)][a.obfuscation] += 1
    order = {"linked": 0, "link_dropped": 1, "judged_no": 2, "no_candidate": 3}
    lines = [
        "| stage | cause | " + " | ".join(f"{o} ({total[o]})" for o in obf) + f" | all ({len(audits)}) |",
        "|---|---|" + "---|" * (len(obf) + 1),
    ]
    for (stage, why), cnt in sorted(cells.items(), key=lambda kv: (order[kv[0][0]], -sum(kv[1].values()))):
        lines.append(f"| {stage} | {why} | " + " | ".join(str(cnt[o]) for o in obf) + f" | {sum(cnt.values())} |")
    stage_tot: dict[str, Counter[str]] = defaultdict(Counter)
    for a in audits:
        stage_tot[a.stage][a.obfuscation] += 1
    lines.append("")
    lines.append("| stage (share of expected) | " + " | ".join(obf) + " | all |")
    lines.append("|---|" + "---|" * (len(obf) + 1))
    for stage in sorted(stage_tot, key=order.__getitem__):
        cnt = stage_tot[stage]
        lines.append(
            f"| {stage} | "
            + " | ".join(f"{cnt[o] / max(1, total[o]):.3f}" for o in obf)
            + f" | {sum(cnt.values()) / max(1, len(audits)):.3f} |"
        )
    s = extra["score"]
    assert isinstance(s, dict)
    lines += [
        "",
        f"Scored as run.py does: recall {s['recall']:.3f} ({s['hits']} / {s['expected']}), directed "
        f"{s['recall_directed']:.3f}, precision {s['precision']:.3f} ({s['false']} false, {s['tolerated']} "
        f"tolerated of {s['predicted']} links). Candidates recomputed from the stored features: "
        f"{extra['candidates_recomputed']} ({extra['recomputed_not_judged']} of them not among the "
        f"{extra['pairs_judged']} judged pairs).",
    ]
    vec = extra.get("vector")
    if isinstance(vec, dict) and vec:
        lines += [
            "",
            f"Vector-index candidates: {vec['vector_pairs']} ({vec['vector_only_pairs']} found by no other "
            f"generator); {vec['vector_pairs_linked']} end as links, {vec['vector_only_linked']} of the vector-only "
            f"ones. Vector-only pairs that are expected links: {vec['vector_only_expected']} "
            f"({vec['vector_only_expected_linked']} linked); tolerated: {vec['vector_only_tolerated']}. Cosine "
            f"deciles 10/25/50/75/90 % — expected {vec['cosine_quantiles_vector_only_expected']}, other "
            f"{vec['cosine_quantiles_vector_only_other']}; exact neighbour rank — expected "
            f"{vec['rank_quantiles_vector_only_expected']}, other {vec['rank_quantiles_vector_only_other']}.",
            "",
            "| tighter rule on vector-only pairs | pairs cut | expected cut | expected and linked cut "
            "| tolerated cut |",
            "|---|---|---|---|---|",
        ]
        for r in vec["rules"]:
            lines.append(
                f"| {r['rule']} | {r['vector_only_pairs_cut']} | {r['expected_cut']} | "
                f"{r['expected_linked_cut']} | {r['tolerated_cut']} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, audit, print the markdown (and write JSON / markdown files when asked)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--corpus", type=Path, required=True, help="a folder written by build_corpus.py (or a slice)")
    ap.add_argument("--store", type=Path, required=True, help="the store a run.py trace of that corpus left")
    ap.add_argument("--json", type=Path, default=None, help="write every link's audit row here")
    ap.add_argument("--markdown", type=Path, default=None)
    args = ap.parse_args(argv)
    if not (args.corpus / "expected_links.jsonl").is_file() or not args.store.is_file():
        print(f"need {args.corpus}/expected_links.jsonl and {args.store}", file=sys.stderr)
        return 1
    audits, extra = audit(args.corpus, args.store, RunConfig())
    text = render(audits, extra)
    print(text)
    if args.json:
        args.json.write_text(json.dumps({"links": [asdict(a) for a in audits], **extra}, indent=1) + "\n")
    if args.markdown:
        args.markdown.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
