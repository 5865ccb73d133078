"""Run newstrace and the baselines on one built corpus and print them side by side.

Usage:
  .venv/bin/python benchmarks/scale/build_corpus.py --size 10000 --out /tmp/nt-bench/10000
  .venv/bin/python benchmarks/scale/run.py --corpus /tmp/nt-bench/10000 [--systems newstrace,minhash,brute]
      [--brute-sample 400 | --brute-from ROW.json] [--workers 2] [--check-n 50]

Each system runs in its own subprocess, so its wall time, CPU time (user + system of the process and its children,
from ``os.wait4``) and peak memory are its own. Peak memory is reported twice: ``ru_maxrss`` (largest single process)
and the peak of the summed RSS of the whole process tree, sampled every 0.25 s (what a machine must hold).
``check`` latency: p50/p95 of ``newstrace.runners.local.check_article(store, article, persist=False)`` over the
corpus's held-out derived pieces, after one warm-up call. Index memory: bytes of the store and of any other file the
run leaves beside its outputs, per article. Results go to ``benchmarks/scale/results/<size>.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE))

from baselines import Corpus, expected_relations, load_corpus, read_jsonl, score_links  # noqa: E402

OUTPUT_FILES = {"articles.jsonl", "links.jsonl", "stories.jsonl", "sites.jsonl", "report.html", "bench_summary.json"}
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measured:
    """Resources used by one subprocess (and its children)."""

    wall_s: float
    cpu_s: float
    maxrss_mb: float
    tree_peak_rss_mb: float
    returncode: int
    stderr_tail: str = ""


def _tree_rss(root: int) -> int:
    """Summed resident bytes of ``root`` and all its descendants (from /proc)."""
    parent: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        parent[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = {root}, [root]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parent.items() if pp == p and c not in tree]
        tree.update(kids)
        frontier.extend(kids)
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/statm") as fh:
                total += int(fh.read().split()[1]) * PAGE
        except OSError:
            continue
    return total


def measure(cmd: Sequence[str], log_path: Path) -> Measured:
    """Run ``cmd`` to completion; wall time, CPU time, peak RSS (largest process and whole tree)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    peak = [0]
    done = threading.Event()
    t0 = time.perf_counter()
    with log_path.open("w") as log:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], _tree_rss(proc.pid))
                done.wait(0.25)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        sampler.join()
    wall = time.perf_counter() - t0
    tail = log_path.read_text(errors="replace")[-2000:] if proc.returncode else ""
    return Measured(round(wall, 2), round(usage.ru_utime + usage.ru_stime, 2), round(usage.ru_maxrss / 1024, 1),
                    round(peak[0] / 2**20, 1), proc.returncode, tail)


@dataclass
class Row:
    """One system's line in the table."""

    system: str
    articles: int
    measured: Measured
    score: dict[str, object]
    note: str = ""
    detail: dict[str, object] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """Articles per wall-clock second."""
        return self.articles / max(self.measured.wall_s, 1e-9)


def run_newstrace(corpus_dir: Path, work: Path, workers: int, corpus: Corpus) -> tuple[Row, Path, dict[str, object]]:
    """``trace`` the corpus in a subprocess; score its links; measure the store it leaves."""
    out, store = work / "out", work / "store.duckdb"
    for path in (store, Path(str(store) + ".wal")):
        path.unlink(missing_ok=True)
    cmd = [sys.executable, str(HERE / "run.py"), "_trace", "--corpus", str(corpus_dir), "--out", str(out),
           "--store", str(store), "--workers", str(workers)]
    m = measure(cmd, work / "trace.log")
    summary: dict[str, object] = {}
    links: list[tuple[str, str]] = []
    if m.returncode == 0:
        summary = json.loads((out / "bench_summary.json").read_text())
        links = [(str(r["derived"]), str(r["source"])) for r in read_jsonl(out / "links.jsonl")]
    score = asdict(score_links(links, corpus, expected_relations(corpus_dir)))
    index_files = {str(p.relative_to(work)): p.stat().st_size for p in work.rglob("*")
                   if p.is_file() and p.name not in OUTPUT_FILES and p.suffix not in {".log"}}
    memory = {"files": index_files, "bytes": sum(index_files.values()),
              "store_bytes_per_article": round(sum(index_files.values()) / max(1, len(corpus.articles)), 1)}
    if m.returncode == 0:
        memory |= index_bytes(store, len(corpus.articles))
    note = "" if m.returncode == 0 else f"failed (exit {m.returncode})"
    return Row("newstrace trace", len(corpus.articles), m, score, note, {"summary": summary}), store, memory


def index_bytes(store: Path, articles: int) -> dict[str, object]:
    """What the candidate indexes hold per article, apart from texts, verdicts and results in the same file.

    Counted in the compact form the lookups need: an LSH or anchor posting is an int64 key plus an int32
    article number (12 B); a document vector is the usearch file beside the store when there is one, else
    512 int8 values per article.
    """
    import duckdb

    con = duckdb.connect(str(store), read_only=True)
    try:
        bands = int(con.execute("SELECT count(*) FROM lsh_bands").fetchone()[0])  # type: ignore[index]
        anchors = int(con.execute("SELECT count(*) FROM anchors").fetchone()[0])  # type: ignore[index]
    finally:
        con.close()
    vector_files = sorted(store.parent.glob(store.name + "*.usearch"))
    vectors = sum(p.stat().st_size for p in vector_files) if vector_files else 512 * articles
    total = 12 * (bands + anchors) + vectors
    return {"lsh_postings_per_article": round(bands / max(1, articles), 1),
            "anchor_postings_per_article": round(anchors / max(1, articles), 1),
            "vector_bytes": vectors, "bytes_per_article": round(total / max(1, articles), 1)}


def run_baseline(which: str, corpus_dir: Path, work: Path, extra: Sequence[str], corpus: Corpus) -> Row:
    """A baseline from ``baselines.py`` in a subprocess."""
    row_path = work / f"{which}.json"
    row_path.unlink(missing_ok=True)
    cmd = [sys.executable, str(HERE / "baselines.py"), which, "--corpus", str(corpus_dir), "--json", str(row_path),
           *extra]
    m = measure(cmd, work / f"{which}.log")
    if m.returncode != 0:
        return Row(which, len(corpus.articles), m, {}, f"failed (exit {m.returncode})")
    return row_from_json(json.loads(row_path.read_text()), m)


def row_from_json(data: dict[str, object], m: Measured | None = None, note: str = "") -> Row:
    """A table row from a baseline's JSON (``--brute-from`` reuses an earlier measurement)."""
    detail = dict(data.get("detail", {}))  # type: ignore[call-overload]
    wall = float(data["wall_s"])  # type: ignore[arg-type]
    if m is None:
        m = Measured(wall, float(detail.get("cpu_s", 0.0)), 0.0, 0.0, 0)
    articles = int(data["articles"])  # type: ignore[call-overload]
    if data.get("sampled"):
        # Sampled brute force: the measured subset scores recall; the time is extrapolated to the whole corpus.
        sub_wall = m.wall_s
        scale = float(data["wall_s_extrapolated"]) / max(wall, 1e-9)  # type: ignore[arg-type]
        m = Measured(round(sub_wall * scale, 1), round(m.cpu_s * scale, 1), m.maxrss_mb, m.tree_peak_rss_mb, 0)
        articles = int(data["full_articles"])  # type: ignore[call-overload]
        note = (note + " " if note else "") + (
            f"time extrapolated from {data['articles']} articles / {int(float(detail['sentences']))} sentences "
            f"(embedding ×n, pairs ×n²); recall on that subset"
        )
    extra = {k: v for k, v in data.items() if k in {"operating_points", "sampled", "full_sentences"}}
    return Row(str(data["system"]), articles, m, dict(data["score"]), note, {**detail, **extra})  # type: ignore[call-overload]


def run_check(store: Path, corpus_dir: Path, work: Path, n: int, corpus: Corpus) -> dict[str, object]:
    """``check`` latency over held-out articles, in a subprocess against the finished store."""
    out = work / "check.json"
    out.unlink(missing_ok=True)
    cmd = [sys.executable, str(HERE / "run.py"), "_check", "--store", str(store), "--holdout",
           str(corpus_dir / "holdout.jsonl"), "--n", str(n), "--json", str(out)]
    m = measure(cmd, work / "check.log")
    if m.returncode != 0:
        return {"failed": m.returncode, "log_tail": m.stderr_tail}
    data = json.loads(out.read_text())
    # Only links whose source is in this corpus can be found (a slice may lack some).
    ids = {a["id"] for a in corpus.articles}
    rows = read_jsonl(corpus_dir / "holdout_links.jsonl")
    expected = {(str(r["derived"]), str(r["source"])) for r in rows if r["source"] in ids}
    held = Corpus([], expected, corpus.tolerated, corpus.padding)
    data["score"] = asdict(score_links([tuple(x) for x in data.pop("links")], held))
    data["peak_rss_mb"] = m.tree_peak_rss_mb
    return data


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def worker_trace(args: argparse.Namespace) -> int:
    """Subprocess body: ``trace`` through the library and dump its summary."""
    import logging
    from dataclasses import replace

    from newstrace.config import RunConfig
    from newstrace.runners.local import trace

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = replace(RunConfig(), workers=args.workers)
    summary = trace([args.corpus / "articles.jsonl"], args.out, args.store, config)
    data = {"seconds": summary.seconds, "records_in": summary.records_in, "ok": summary.ok,
            "skipped": summary.skipped, "candidates": summary.candidates, "links": len(summary.links),
            "relations": dict(summary.relations)}
    (args.out / "bench_summary.json").write_text(json.dumps(data, indent=2, default=str) + "\n")
    return 0


def _latency(ms: list[float]) -> dict[str, float | None]:
    return {"p50_ms": round(statistics.median(ms), 1) if ms else None,
            "p95_ms": round(percentile(ms, 95), 1) if ms else None,
            "max_ms": round(max(ms), 1) if ms else None}


def worker_check(args: argparse.Namespace) -> int:
    """Subprocess body: time ``check`` on held-out articles without adding them to the store.

    Two ways, same queries: ``check_article`` (opens the store and its index per query, as one ``newstrace check``
    process per article does, minus interpreter start and model load) and one ``CheckSession`` for all of them (as
    ``newstrace check`` with many files, or a long-lived worker). Wall and CPU (this process, all threads) per query;
    the first query (model load, cold caches) is reported apart.
    """
    from newstrace.config import RunConfig
    from newstrace.ingest import iter_articles
    from newstrace.model import Article
    from newstrace.runners.check import CheckSession, check_article

    config = RunConfig()
    articles = [a for a in iter_articles([args.holdout], config.ingest) if isinstance(a, Article)][: args.n + 1]
    walls: list[float] = []
    cpus: list[float] = []
    links: list[tuple[str, str]] = []
    per_query: list[set[tuple[str, str]]] = []
    first = 0.0
    for i, article in enumerate(articles):
        t, c = time.perf_counter(), time.process_time()
        result = check_article(args.store, article, config, persist=False)
        dt_ms = (time.perf_counter() - t) * 1000
        if i == 0:
            first = dt_ms  # model load and cold caches: reported apart
        else:
            walls.append(dt_ms)
            cpus.append((time.process_time() - c) * 1000)
            per_query.append({(k.derived, k.source) for k in result.links})
        links.extend((k.derived, k.source) for k in result.links)
    s_walls: list[float] = []
    s_cpus: list[float] = []
    s_per_query: list[set[tuple[str, str]]] = []
    t = time.perf_counter()
    with CheckSession(args.store, config, persist=False) as session:
        open_ms = (time.perf_counter() - t) * 1000
        for article in articles[1:]:
            t, c = time.perf_counter(), time.process_time()
            result = session.check(article)
            s_walls.append((time.perf_counter() - t) * 1000)
            s_cpus.append((time.process_time() - c) * 1000)
            s_per_query.append({(k.derived, k.source) for k in result.links})
    data = {"queries": len(walls), "first_ms": round(first, 1), **_latency(walls),
            "cpu": _latency(cpus),
            "session": {"open_ms": round(open_ms, 1), **_latency(s_walls), "cpu": _latency(s_cpus),
                        "same_links": s_per_query == per_query},
            "links": links, "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
    args.json.write_text(json.dumps(data, indent=2) + "\n")
    return 0


def fmt_row(r: Row, ref: Row | None) -> str:
    """One markdown table line."""
    s = r.score
    ratio = f"{r.measured.wall_s / ref.measured.wall_s:.2f}" if ref and ref.measured.wall_s else "–"
    rec = f"{float(s['recall']):.3f}" if s else "–"  # type: ignore[arg-type]
    judged = int(s.get("hits", 0)) + int(s.get("false", 0)) if s else 0  # type: ignore[call-overload]
    prec = f"{float(s['precision']):.3f}" if judged else "–"  # type: ignore[arg-type]
    return (f"| {r.system} | {r.articles} | {r.measured.wall_s:.1f} | {r.measured.cpu_s:.1f} | {r.rate:.1f} | "
            f"{r.measured.tree_peak_rss_mb:.0f} / {r.measured.maxrss_mb:.0f} | {rec} | {prec} | "
            f"{s.get('predicted', '–')} | {ratio} | {r.note} |")


def render(result: dict[str, object], rows: list[Row]) -> str:
    """The markdown report of one run."""
    ref = next((r for r in rows if r.system == "newstrace trace"), None)
    lines = [
        f"## Scale benchmark: {result['articles']} articles ({result['corpus']})",
        "",
        f"Started {result['started']} UTC on {result['cpus']} CPUs; load average before/after: "
        f"{result['load_before']} / {result['load_after']} (other work on the machine inflates wall time; "
        "CPU seconds are less sensitive).",
        "",
        "| system | articles | wall s | CPU s | articles/s | peak RSS MB (tree / largest) | recall | precision | "
        "links | wall ÷ newstrace | note |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *(fmt_row(r, ref) for r in rows),
        "",
        f"Expected links: {result['expected_links']}. Recall counts an expected link found in either direction; "
        "precision leaves out tolerated pairs (true reuse PAN does not label).",
    ]
    for r in rows:
        if r.score.get("recall_by_relation"):
            lines.append(f"- {r.system} recall by relation: {r.score['recall_by_relation']}; "
                         f"directed recall {float(r.score['recall_directed']):.3f}; "  # type: ignore[arg-type]
                         f"false links touching padding: {r.score['false_touching_padding']}")
    summary = ref.detail.get("summary") if ref else None
    if isinstance(summary, dict) and summary:
        lines.append(f"- newstrace stages (s): {summary.get('seconds')}; candidates: {summary.get('candidates')}")
    mem = result.get("index_memory")
    if isinstance(mem, dict):
        lines.append(
            f"- index memory: {mem.get('bytes_per_article')} bytes/article (LSH postings "
            f"{mem.get('lsh_postings_per_article')}, anchor postings {mem.get('anchor_postings_per_article')} "
            f"per article, vectors {mem.get('vector_bytes')} B); whole store file "
            f"{mem.get('store_bytes_per_article')} B/article with texts, verdicts and results ({mem.get('files')})"
        )
    if result.get("check"):
        lines.append(f"- check latency: {result['check']}")
    if result.get("targets"):
        lines += ["", "| target | value | met |", "|---|---|---|"]
        lines += [f"| {t['target']} | {t['value']} | {t['met']} |" for t in result["targets"]]  # type: ignore[attr-defined]
    return "\n".join(lines) + "\n"


def targets(rows: list[Row], result: dict[str, object]) -> list[dict[str, object]]:
    """The issue's targets that this run (and earlier runs of other sizes in ``results/``) can decide."""
    by = {r.system: r for r in rows}
    nt = by.get("newstrace trace")
    out: list[dict[str, object]] = []
    if nt is None or not nt.score:
        return out
    recall = float(nt.score["recall"])  # type: ignore[arg-type]
    size = int(result["articles"])  # type: ignore[call-overload]
    out.append({"target": "≥ 100 articles/s end to end (50k)", "value": f"{nt.rate:.1f}", "met": nt.rate >= 100})
    mh = by.get("minhash-lsh")
    if mh:
        ratio = nt.measured.wall_s / max(mh.measured.wall_s, 1e-9)
        out.append({"target": "≤ 8× MinHash-only wall time", "value": f"{ratio:.2f}×", "met": ratio <= 8})
    out.append({"target": "≥ 85% of expected links", "value": f"{recall:.3f}", "met": recall >= 0.85})
    bf = by.get("brute-force-embedding")
    if bf and bf.score:
        speed = bf.measured.wall_s / max(nt.measured.wall_s, 1e-9)
        bf_recall = float(bf.score["recall"])  # type: ignore[arg-type]
        out.append({"target": "≥ 10× faster than brute force at no lower recall",
                    "value": f"{speed:.1f}× faster; recall {recall:.3f} vs {bf_recall:.3f}",
                    "met": speed >= 10 and recall >= bf_recall})
    small = RESULTS / "10000.json"
    if size != 10000 and small.is_file():
        base = json.loads(small.read_text())
        base_wall = next((r["measured"]["wall_s"] for r in base["rows"] if r["system"] == "newstrace trace"), None)
        if base_wall:
            ratio = nt.measured.wall_s / base_wall
            out.append({"target": f"time ratio {size}/10000 ≤ 12 (for 100k)", "value": f"{ratio:.2f}",
                        "met": ratio <= 12 if size >= 100000 else "n/a"})
    chk = result.get("check")
    if isinstance(chk, dict) and chk.get("p95_ms") is not None:
        big = size >= 100000
        out.append({"target": "check p95 < 200 ms (100k store), store opened per query", "value": f"{chk['p95_ms']} ms",
                    "met": chk["p95_ms"] < 200 if big else "n/a"})
        sess = chk.get("session")
        if isinstance(sess, dict) and sess.get("p95_ms") is not None:
            out.append({"target": "check p95 < 200 ms (100k store), one session", "value": f"{sess['p95_ms']} ms",
                        "met": sess["p95_ms"] < 200 if big else "n/a"})
    mem = result.get("index_memory")
    if isinstance(mem, dict) and "bytes_per_article" in mem:
        out.append({"target": "index memory ≤ 4 KB/article", "value": f"{mem['bytes_per_article']} B",
                    "met": float(mem["bytes_per_article"]) <= 4096})
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments; run the chosen systems; print and save the table."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in {"_trace", "_check"}:
        wp = argparse.ArgumentParser()
        wp.add_argument("--corpus", type=Path)
        wp.add_argument("--out", type=Path)
        wp.add_argument("--store", type=Path)
        wp.add_argument("--workers", type=int, default=2)
        wp.add_argument("--holdout", type=Path)
        wp.add_argument("--n", type=int, default=50)
        wp.add_argument("--json", type=Path)
        wargs = wp.parse_args(argv[1:])
        return worker_trace(wargs) if argv[0] == "_trace" else worker_check(wargs)
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--corpus", type=Path, required=True, help="a folder written by build_corpus.py")
    ap.add_argument("--systems", default="newstrace,minhash,brute")
    ap.add_argument("--work", type=Path, default=None, help="scratch folder (default /tmp/nt-bench/run-<size>)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--check-n", type=int, default=50)
    ap.add_argument("--brute-sample", type=int, default=400, help="articles for the sampled brute force (0 = all)")
    ap.add_argument("--brute-from", type=Path, default=None, help="reuse a brute-force row JSON instead of running")
    ap.add_argument("--tag", default="", help="suffix for the result file names")
    args = ap.parse_args(argv)
    if not (args.corpus / "articles.jsonl").is_file():
        print(f"no corpus at {args.corpus}: build it with benchmarks/scale/build_corpus.py", file=sys.stderr)
        return 1
    corpus = load_corpus(args.corpus)
    size = len(corpus.articles)
    work = args.work or Path("/tmp/nt-bench") / f"run-{size}"
    work.mkdir(parents=True, exist_ok=True)
    systems = set(args.systems.split(","))
    result: dict[str, object] = {
        "corpus": str(args.corpus), "articles": size, "expected_links": len(corpus.expected),
        "started": time.strftime("%Y-%m-%d %H:%M", time.gmtime()), "cpus": os.cpu_count(),
        "load_before": [round(x, 1) for x in os.getloadavg()],
    }
    rows: list[Row] = []
    if "newstrace" in systems:
        row, store, memory = run_newstrace(args.corpus, work, args.workers, corpus)
        rows.append(row)
        result["index_memory"] = memory
        if row.measured.returncode == 0 and args.check_n and (args.corpus / "holdout.jsonl").is_file():
            result["check"] = run_check(store, args.corpus, work, args.check_n, corpus)
        elif row.measured.returncode:
            print(row.measured.stderr_tail, file=sys.stderr)
    if "minhash" in systems:
        rows.append(run_baseline("minhash", args.corpus, work, [], corpus))
    if "brute" in systems:
        if args.brute_from:
            rows.append(row_from_json(json.loads(args.brute_from.read_text()), note="from an earlier run"))
        else:
            extra = ["--sample", str(args.brute_sample)] if args.brute_sample else []
            rows.append(run_baseline("brute", args.corpus, work, extra, corpus))
    result["load_after"] = [round(x, 1) for x in os.getloadavg()]
    result["rows"] = [asdict(r) | {"articles_per_s": round(r.rate, 2)} for r in rows]
    result["targets"] = targets(rows, result)
    text = render(result, rows)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"{size}{('-' + args.tag) if args.tag else ''}"
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    (RESULTS / f"{name}.md").write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
