"""CPU cost of the single-article stages: each signal detector, ``detect_signals`` as a whole, and language detection.

Usage: .venv/bin/python benchmarks/signals_speed.py [PATH ...] [--limit N] [--repeat R] [--dump FILE] [--compare FILE]

PATH is anything ``newstrace.ingest`` reads (JSONL, a folder of .txt …); the default is the 2,000-article mix built
by benchmarks/scale (/tmp/nt-bench/mix2000/articles.jsonl) when present, else examples/corpus/articles.jsonl.
Times are CPU seconds of this process (``time.process_time``), not wall time: the machines are shared, and CPU time
is what a worker pays per article. ``--dump`` writes every article's language and signals as JSON lines; ``--compare``
reads such a file (e.g. written by an older checkout) and reports the articles whose output differs.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from newstrace.config import IngestConfig, LangIdConfig, SignalConfig
from newstrace.ingest import iter_articles
from newstrace.langid import detect_language
from newstrace.model import Article
from newstrace.signals import credits, dateline, filler, mt, scraper, spun, stale
from newstrace.signals import detect_signals as detect_all

ROOT = Path(__file__).resolve().parents[1]
MIX = Path("/tmp/nt-bench/mix2000/articles.jsonl")


def _detectors(article: Article, config: SignalConfig) -> list[tuple[str, Callable[[], object]]]:
    """Each detector as ``detect_signals`` calls it (on the head of the text), one closure per detector."""
    text = (article.text or "")[: config.max_chars]
    lang = article.language
    return [
        ("credits", lambda: credits.detect_credits(text, config)),
        ("dateline", lambda: dateline.detect_dateline(text, article.date, config, lang)),
        ("machine_translation", lambda: mt.detect_machine_translation(text, lang, config)),
        ("filler", lambda: filler.detect_filler(text, lang, config)),
        ("spun", lambda: spun.detect_spun(text, config)),
        ("stale", lambda: stale.detect_stale(text, article.date, None, config, lang)),
        ("scraper", lambda: scraper.detect_scraper_markers(text, config)),
    ]


def _json(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    if isinstance(value, float):
        return round(value, 6)
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return str(value)


def _compare(dump: list[dict[str, Any]], old_path: Path) -> int:
    old = {}
    for line in old_path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        old[rec["id"]] = rec
    lang_diff = conf_diff = sig_diff = missing = 0
    for rec in dump:
        before = old.get(rec["id"])
        if before is None:
            missing += 1
            continue
        if before["language"][0] != rec["language"][0]:
            lang_diff += 1
            print(f"language  {rec['id']}: {before['language']} -> {rec['language']}")
        elif before["language"] != rec["language"]:
            conf_diff += 1  # the same language, another confidence (e.g. read from a different sample)
        for key in ("credits", "dateline", "signals"):
            if before["signals"][key] != rec["signals"][key]:
                sig_diff += 1
                print(f"{key:9} {rec['id']}:\n  before {before['signals'][key]}\n  after  {rec['signals'][key]}")
    print(f"compared {len(dump) - missing} articles ({missing} not in {old_path}): {lang_diff} language, "
          f"{conf_diff} language-confidence and {sig_diff} credit/dateline/signal differences")
    return 1 if lang_diff or sig_diff else 0


def main() -> int:
    """Time every article, print ms/article per stage; optionally dump or compare outputs."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("paths", nargs="*", type=Path)
    ap.add_argument("--limit", type=int, default=2000, help="at most this many articles")
    ap.add_argument("--repeat", type=int, default=1, help="time each stage this many times (the minimum is kept)")
    ap.add_argument("--dump", type=Path, help="write id, language and signals of every article (JSON lines)")
    ap.add_argument("--compare", type=Path, help="a --dump file to compare this run's outputs with")
    args = ap.parse_args()
    paths = args.paths or [MIX if MIX.is_file() else ROOT / "examples" / "corpus" / "articles.jsonl"]
    missing = [p for p in paths if not p.exists()]
    if missing:
        print(f"not found: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    articles = [a for a in iter_articles(paths, IngestConfig()) if isinstance(a, Article)][: args.limit]
    if not articles:
        print("no articles read", file=sys.stderr)
        return 2
    sconf, lconf = SignalConfig(), LangIdConfig()
    detect_language("warm up the model", lconf)
    cost: dict[str, float] = {}
    dump: list[dict[str, Any]] = []

    def timed(name: str, fn: Callable[[], Any]) -> Any:
        best, result = float("inf"), None
        for _ in range(args.repeat):
            t0 = time.process_time()
            result = fn()
            best = min(best, time.process_time() - t0)
        cost[name] = cost.get(name, 0.0) + best
        return result

    for a in articles:
        code, conf = timed("langid", partial(detect_language, a.text, lconf))
        art = a if a.language else dataclasses.replace(a, language=code)
        result = timed("detect_signals", partial(detect_all, art, sconf))
        for name, fn in _detectors(art, sconf):
            timed(name, fn)
        dump.append({"id": a.id, "language": [code, round(conf, 4)], "signals": _json(result)})
    n = len(articles)
    chars = sum(len(a.text) for a in articles) / n
    print(f"{n} articles, mean {chars:,.0f} chars, from {', '.join(map(str, paths))}; CPU ms/article:")
    for name, secs in cost.items():
        print(f"  {name:22} {1000 * secs / n:8.3f}")
    if args.dump:
        with args.dump.open("w", encoding="utf-8") as f:
            for rec in dump:
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return _compare(dump, args.compare) if args.compare else 0


if __name__ == "__main__":
    raise SystemExit(main())
