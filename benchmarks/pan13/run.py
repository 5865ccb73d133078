"""Run the PAN 2013 text-alignment evaluation on the training split and print the table.

Usage: .venv/bin/python benchmarks/pan13/run.py [--pairs FILE] [--out DIR] [--no-semantic] [--set field=value ...]
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from pathlib import Path

from newstrace.config import AlignConfig
from newstrace.eval.pan13 import run_pan13

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "pan13" / "train"


def main() -> int:
    """Parse arguments, run, print the table."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=Path("/tmp/pan13-out"))
    ap.add_argument("--no-semantic", action="store_true")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--set", action="append", default=[], help="AlignConfig override, e.g. seed_semantic=0.7")
    args = ap.parse_args()
    if not CORPUS.is_dir():
        print(f"PAN13 training corpus not found at {CORPUS}", file=sys.stderr)
        return 1
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    overrides: dict[str, object] = {"semantic": not args.no_semantic}
    types = {f.name: f.type for f in dataclasses.fields(AlignConfig)}
    for item in args.set:
        key, value = item.split("=", 1)
        kind = types[key]
        overrides[key] = {"int": int, "float": float, "bool": lambda v: v.lower() == "true"}.get(str(kind), str)(value)
    config = AlignConfig(**overrides)  # type: ignore[arg-type]
    report = run_pan13(CORPUS, args.out, args.pairs, config, workers=args.workers)
    print(config)
    print(report.format_table())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
