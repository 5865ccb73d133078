"""Score a ``trace`` output against the example corpus's expected links and independent pairs.

    .venv/bin/newstrace trace examples/corpus/articles.jsonl examples/corpus/txt --out out/corpus-run
    .venv/bin/python benchmarks/pairs/score_trace.py out/corpus-run [examples/corpus]

A found link counts when (derived, source) is expected; its relation, attributed, stale and origin are then compared.
A link between an expected-independent pair (either direction) is a false link of the worst kind.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> None:
    run = Path(sys.argv[1])
    corpus = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).resolve().parents[2] / "examples" / "corpus"
    expected = {(d["derived"], d["source"]): d for d in map(json.loads, (corpus / "expected_links.jsonl").open())}
    independent = {frozenset((d["a"], d["b"])) for d in map(json.loads, (corpus / "expected_independent.jsonl").open())}
    got = {(d["derived"], d["source"]): d for d in map(json.loads, (run / "links.jsonl").open())}
    tp = [k for k in got if k in expected]
    fp = [k for k in got if k not in expected]
    fn = [k for k in expected if k not in got]
    p = len(tp) / len(got) if got else 0.0
    r = len(tp) / len(expected) if expected else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    print(f"links found {len(got)}, expected {len(expected)}: precision {p:.3f} recall {r:.3f} F1 {f1:.3f}")
    for field in ("relation", "attributed", "stale", "origin"):
        right = sum(got[k][field] == expected[k][field] for k in tp)
        print(f"  {field:10s} right on {right}/{len(tp)} matched links")
    linked_indep = [k for k in got if frozenset(k) in independent]
    print(f"independent/unrelated pairs linked: {len(linked_indep)}/{len(independent)}")
    for k in fn:
        print(f"  missed {k[0]} <- {k[1]} ({expected[k]['relation']})")
    for k in fp:
        tag = " INDEPENDENT" if frozenset(k) in independent else ""
        print(f"  extra  {k[0]} <- {k[1]} ({got[k]['relation']}, score {got[k]['score']}){tag}")


if __name__ == "__main__":
    main()
