"""Spark runner: the local runner's stage functions on PySpark, with one Parquet directory per stage.

Stages and where they run:

1. ingest (driver): ``iter_articles`` → ``DIR/stages/articles.parquet`` (also the skipped records, in input order).
2. enrich (``mapInPandas``): ``enrich_articles`` on the same article batches as the local runner, so the sentence
   encoder sees identical batches and the float results are bit-identical → ``features.parquet``.
3. candidates: band keys exploded and grouped with one shuffle, ``candidates`` per-bucket pairs in ``applyInPandas``;
   vector and anchor candidates from the collected document vectors and anchors on the driver → ``candidates.parquet``.
4. judge (``mapInPandas``): ``judge_pair`` on each candidate joined with both articles' texts and features →
   ``pairs.parquet``.
5. decide (driver): ``decide_links`` over the collected verdicts → ``results.parquet`` and the same JSONL files as
   ``newstrace trace``, plus ``links.parquet``, ``stories.parquet`` and ``sites.parquet``.

A stage is written into a hidden temporary directory and renamed into place when complete, so a directory under
``stages/`` always holds a finished stage; a rerun with the same inputs and configuration skips it. Different
inputs or configuration clear the stage directory first (see ``stages/manifest.json``).

``DIR`` must be a POSIX path every machine sees (a local disk in local mode, a shared mount on a cluster): the driver
writes the first and last stages and the JSONL files there with ordinary file I/O.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from newstrace import candidates
from newstrace.changes import ArticleFacts
from newstrace.config import RunConfig, SparkConfig
from newstrace.embed import dequantize
from newstrace.errors import MissingExtraError
from newstrace.ingest import iter_articles, iter_files
from newstrace.model import Article, ArticleSignals, Candidate, Link, SiteProfile, SkippedRecord, Story
from newstrace.pipeline import decide_links, enrich_articles, judge_pair
from newstrace.report.render import write_report
from newstrace.runners.local import STORE_NAME, ProgressFn, TraceSummary, _noop, _short_reason, write_jsonl_files
from newstrace.serialize import (
    article_row,
    credit_dict,
    dateline_dict,
    dumps,
    link_from_row,
    link_row,
    pubdate_from_iso,
    signal_dict,
    site_row,
    skipped_row,
    story_row,
)
from newstrace.store import ArticleFeatures, PairVerdictRow, Store, signals_from_json

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

log = logging.getLogger(__name__)

STAGES = ("articles", "features", "candidates", "pairs", "results")
MANIFEST = "manifest.json"

# -- row shapes ---------------------------------------------------------------------------------------------
# Article columns mirror the store's articles table, so an Article read back here equals the one the local
# runner reads back from DuckDB (dates as ISO strings, metadata and warnings as JSON).
ARTICLE_SCHEMA = pa.schema(
    [
        ("seq", pa.int64()),
        ("status", pa.string()),
        ("id", pa.string()),
        ("reason", pa.string()),
        ("origin", pa.string()),
        ("text", pa.string()),
        ("date", pa.string()),
        ("url", pa.string()),
        ("site", pa.string()),
        ("title", pa.string()),
        ("language", pa.string()),
        ("metadata", pa.string()),
        ("warnings", pa.string()),
        # The local runner's enrichment batch of this article (None for skipped records).
        ("batch", pa.int64()),
    ]
)
ARTICLE_COLS = ("id", "text", "date", "url", "site", "title", "language", "metadata", "warnings", "origin")

FEATURE_DDL = (
    "article_id string, content_hash string, language string, lang_confidence double, seg_starts binary, "
    "seg_ends binary, doc_vector binary, signature binary, band_keys array<bigint>, "
    "anchors string, credits string, dateline string, signals string"
)
FEATURE_COLS = tuple(part.strip().split(" ")[0] for part in FEATURE_DDL.split(","))
CANDIDATE_SCHEMA = pa.schema(
    [("derived", pa.string()), ("source", pa.string()), ("score", pa.float64()), ("via", pa.list_(pa.string())),
     ("undirected", pa.bool_())]
)  # fmt: skip
VERDICT_DDL = (
    "derived string, source string, relation string, score double, independent boolean, reason string, spans string"
)

ArticleRecord = dict[str, Any]


def article_columns(article: Article) -> ArticleRecord:
    """Article → the ARTICLE_COLS values as the store writes them."""
    return {
        "id": article.id,
        "text": article.text,
        "date": article.date.iso() if article.date else None,
        "url": article.url,
        "site": article.site,
        "title": article.title,
        "language": article.language,
        "metadata": json.dumps(dict(article.metadata), ensure_ascii=False, default=str),
        "warnings": json.dumps(list(article.warnings)),
        "origin": article.origin,
    }


def article_from_columns(row: ArticleRecord, prefix: str = "") -> Article:
    """Inverse of :func:`article_columns` (the store's read-back rules)."""
    return Article(
        id=row[prefix + "id"],
        text=row[prefix + "text"],
        date=pubdate_from_iso(row[prefix + "date"]),
        url=row[prefix + "url"],
        site=row[prefix + "site"],
        title=row[prefix + "title"],
        language=row[prefix + "language"],
        metadata=json.loads(row[prefix + "metadata"] or "{}"),
        warnings=tuple(json.loads(row[prefix + "warnings"] or "[]")),
        origin=row[prefix + "origin"] or "",
    )


def feature_columns(f: ArticleFeatures) -> ArticleRecord:
    """ArticleFeatures → FEATURE_COLS values, encoded as the store encodes them (little-endian BLOBs, JSON)."""
    return {
        "article_id": f.article_id,
        "content_hash": f.content_hash,
        "language": f.language,
        "lang_confidence": float(f.lang_confidence),
        "seg_starts": np.asarray(f.seg_starts, dtype="<i4").tobytes(),
        "seg_ends": np.asarray(f.seg_ends, dtype="<i4").tobytes(),
        "doc_vector": np.asarray(f.doc_vector, dtype=np.int8).tobytes(),
        "signature": np.asarray(f.signature, dtype="<u4").tobytes(),
        "band_keys": sorted({int(k) for k in f.band_keys}),
        "anchors": json.dumps(sorted(f.anchors), ensure_ascii=False),
        "credits": json.dumps([credit_dict(c) for c in f.signals.credits], ensure_ascii=False),
        "dateline": json.dumps(dateline_dict(f.signals.dateline), ensure_ascii=False),
        "signals": json.dumps([signal_dict(s) for s in f.signals.signals], ensure_ascii=False),
    }


def features_from_columns(row: ArticleRecord, prefix: str = "") -> ArticleFeatures:
    """Inverse of :func:`feature_columns`, with the store's read-back shapes (so both runners see equal values)."""
    starts = np.frombuffer(row[prefix + "seg_starts"], dtype="<i4")
    aid = row[prefix + "article_id"]
    return ArticleFeatures(
        article_id=aid,
        content_hash=row[prefix + "content_hash"],
        language=row[prefix + "language"],
        lang_confidence=float(row[prefix + "lang_confidence"]),
        seg_starts=starts,
        seg_ends=np.frombuffer(row[prefix + "seg_ends"], dtype="<i4"),
        doc_vector=np.frombuffer(row[prefix + "doc_vector"], dtype=np.int8),
        signature=np.frombuffer(row[prefix + "signature"], dtype="<u4"),
        band_keys=tuple(sorted(int(k) for k in (row[prefix + "band_keys"] or ()))),
        anchors=frozenset(json.loads(row[prefix + "anchors"] or "[]")),
        signals=signals_from_json(row[prefix + "credits"], row[prefix + "dateline"], row[prefix + "signals"], aid),
    )


def verdict_columns(v: PairVerdictRow) -> ArticleRecord:
    return {
        "derived": v.derived,
        "source": v.source,
        "relation": v.relation,
        "score": float(v.score),
        "independent": bool(v.independent),
        "reason": v.reason,
        "spans": v.spans_json,
    }


def _records(pdf: pd.DataFrame) -> list[ArticleRecord]:
    # Through Arrow rather than pandas: missing strings come back as None (not NaN/NA) and binaries as bytes.
    return pa.Table.from_pandas(pdf, preserve_index=False).to_pylist()


def _frame(rows: Sequence[ArticleRecord], columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(columns))


# -- per-partition functions (run in Python workers; must pickle, so they close over plain values) ------------
def enrich_partition(config: RunConfig) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    """mapInPandas body: rows sorted by (batch, seq) → ``enrich_articles`` once per local-runner batch."""

    def run(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        pending: list[ArticleRecord] = []
        current: int | None = None
        for pdf in frames:
            for row in _records(pdf):
                if current is not None and row["batch"] != current:
                    yield _enrich_batch(pending, config)
                    pending = []
                current = row["batch"]
                pending.append(row)
        if pending:
            yield _enrich_batch(pending, config)

    return run


def _enrich_batch(rows: list[ArticleRecord], config: RunConfig) -> pd.DataFrame:
    rows.sort(key=lambda r: r["seq"])
    feats = enrich_articles([article_from_columns(r) for r in rows], config)
    return _frame([feature_columns(f) for f in feats], FEATURE_COLS)


def judge_partition(config: RunConfig) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    """mapInPandas body: candidate rows joined with both sides' article and feature columns → verdict rows."""

    def run(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for pdf in frames:
            out = []
            facts: dict[str, ArticleFacts] = {}  # per batch, as the local runner does
            for row in _records(pdf):
                dfeat = features_from_columns(row, "d_f_")
                sfeat = features_from_columns(row, "s_f_")
                # The local runner reads articles back after enrichment stored the detected language.
                derived = replace(article_from_columns(row, "d_"), language=dfeat.language)
                source = replace(article_from_columns(row, "s_"), language=sfeat.language)
                verdict = judge_pair(
                    derived,
                    source,
                    dfeat,
                    sfeat,
                    config,
                    undirected=bool(row["undirected"]),
                    via=list(row["via"]),
                    facts=facts,
                )
                out.append(verdict_columns(verdict))
            yield _frame(out, [c.split(" ")[0] for c in VERDICT_DDL.split(", ")])

    return run


# -- stage directory --------------------------------------------------------------------------------------
class StageDir:
    """``DIR/stages``: one finished Parquet directory per stage, made visible by an atomic rename."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, name: str) -> Path:
        return self.root / f"{name}.parquet"

    def done(self, name: str) -> bool:
        return (self.path(name) / "_SUCCESS").exists()

    def temp(self, name: str) -> Path:
        return self.root / f".{name}.parquet.tmp-{uuid.uuid4().hex[:12]}"

    def publish(self, name: str, tmp: Path) -> None:
        """Rename a fully written temporary directory into place (a Spark write leaves ``_SUCCESS`` there)."""
        (tmp / "_SUCCESS").touch()
        os.replace(tmp, self.path(name))

    def prepare(self, fingerprint: str) -> None:
        """Keep finished stages only if they were made from the same inputs and configuration."""
        self.root.mkdir(parents=True, exist_ok=True)
        manifest = self.root / MANIFEST
        old = json.loads(manifest.read_text()).get("fingerprint") if manifest.exists() else None
        for leftover in self.root.glob(".*.tmp-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        if old != fingerprint:
            if old is not None:
                log.info("spark: inputs or configuration changed; clearing finished stages in %s", self.root)
            for name in STAGES:
                shutil.rmtree(self.path(name), ignore_errors=True)
            manifest.write_text(json.dumps({"fingerprint": fingerprint}) + "\n")


def run_fingerprint(inputs: Sequence[str | Path], config: RunConfig) -> str:
    """Hash of the input files (path, size, mtime) and the stage configuration: what finished stages depend on."""
    h = hashlib.sha1(repr(config).encode())
    for p in iter_files(list(inputs)):
        st = p.stat()
        h.update(f"{p.resolve()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


# -- Spark session ----------------------------------------------------------------------------------------
def _local_cores(master: str) -> int | None:
    """Cores of a ``local``/``local[N]``/``local[*]`` master, None for a cluster master."""
    if master == "local":
        return 1
    if master.startswith("local["):
        n = master[len("local[") :].split("]")[0].split(",")[0]
        return os.cpu_count() or 1 if n == "*" else int(n)
    return None


def spark_session(master: str, spark_config: SparkConfig, blas_threads: int) -> SparkSession:
    """A session for this runner: Arrow on, UI off, small shuffles in local mode, workers' BLAS threads fixed."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - pyspark is a declared dependency
        raise MissingExtraError("pyspark", "spark") from exc
    cores = _local_cores(master)
    builder = (
        SparkSession.builder.master(master)
        .appName("newstrace")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(spark_config.arrow_batch_rows))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", spark_config.driver_memory)
        # Spark gives each Python worker OMP_NUM_THREADS=spark.task.cpus (1), and OpenBLAS then sums in another
        # order than the local runner's threads do: embeddings differ in the last float16 bit, enough to flip a
        # threshold. The workers get the local runner's thread count instead.
        .config("spark.executorEnv.OMP_NUM_THREADS", str(blas_threads))
    )
    if cores is not None:
        # PySpark starts its Python workers with $PYSPARK_PYTHON (default: `python3` on PATH), which need not be
        # the interpreter that has newstrace installed; in local mode it must be this one.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = builder.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
    shuffle = spark_config.shuffle_partitions
    if shuffle is None and cores is not None:
        shuffle = max(1, cores * spark_config.partitions_per_core)
    if shuffle is not None:
        builder = builder.config("spark.sql.shuffle.partitions", str(shuffle))
    for key, value in spark_config.extra:
        builder = builder.config(key, value)
    return builder.getOrCreate()


# -- stages -----------------------------------------------------------------------------------------------
def ingest_stage(
    stages: StageDir,
    inputs: Sequence[str | Path],
    config: RunConfig,
    summary: TraceSummary,
    progress: ProgressFn,
) -> None:
    """Stage 1 (driver): every input record, in input order, streamed into ``articles.parquet``."""
    tmp = stages.temp("articles")
    tmp.mkdir(parents=True)
    rows: list[ArticleRecord] = []
    ok = 0
    with pq.ParquetWriter(tmp / "part-00000.parquet", ARTICLE_SCHEMA) as writer:
        for seq, rec in enumerate(iter_articles(list(inputs), config.ingest)):
            if isinstance(rec, SkippedRecord):
                rows.append({"seq": seq, "status": "skipped", "id": rec.id, "reason": rec.reason, "origin": rec.origin})
            else:
                rows.append({"seq": seq, "status": "ok", "reason": None, "batch": ok // config.batch_size,
                             **article_columns(rec)})  # fmt: skip
                ok += 1
            if len(rows) >= 4096:
                writer.write_table(pa.Table.from_pylist(rows, schema=ARTICLE_SCHEMA))
                rows.clear()
            progress("ingest", seq + 1, None)
        writer.write_table(pa.Table.from_pylist(rows, schema=ARTICLE_SCHEMA))
    stages.publish("articles", tmp)
    summary.new_articles = ok


def count_ingest(stages: StageDir, summary: TraceSummary) -> None:
    """Record counts of the ingest stage for the summary (also when the stage was skipped)."""
    table = pq.read_table(stages.path("articles"), columns=["status", "reason", "warnings"])
    cols = [table.column(c).to_pylist() for c in ("status", "reason", "warnings")]
    for status, reason, warnings in zip(*cols, strict=True):
        summary.records_in += 1
        if status == "ok":
            summary.ok += 1
            summary.warnings += len(json.loads(warnings or "[]"))
        else:
            summary.skipped += 1
            summary.skip_reasons[_short_reason(reason or "")] += 1


def enrich_stage(
    spark: SparkSession, stages: StageDir, config: RunConfig, spark_config: SparkConfig, summary: TraceSummary
) -> None:
    """Stage 2: ``enrich_articles`` per local-runner batch in ``mapInPandas`` → ``features.parquet``."""
    from pyspark.sql import functions as F

    arts = spark.read.parquet(str(stages.path("articles"))).where(F.col("status") == "ok")
    n_batches = arts.agg(F.max("batch")).first()[0]  # type: ignore[index]
    parts = 1 if n_batches is None else int(n_batches) + 1
    # Every row of one batch lands in one partition, sorted, so each worker sees whole local-runner batches.
    feats = (
        arts.select("seq", "batch", *ARTICLE_COLS)
        .repartition(parts, "batch")
        .sortWithinPartitions("batch", "seq")
        .mapInPandas(enrich_partition(config), FEATURE_DDL)
    )
    tmp = stages.temp("features")
    feats.write.parquet(str(tmp))
    stages.publish("features", tmp)
    summary.enriched = _count(stages.path("features"))


def _row_batches(path: Path, size: int) -> Iterator[list[ArticleRecord]]:
    """Rows of a stage directory in batches (bounded driver memory)."""
    for part in sorted(path.glob("*.parquet")):
        for batch in pq.ParquetFile(part).iter_batches(batch_size=size):
            yield batch.to_pylist()


def _count(path: Path) -> int:
    return int(sum(pq.read_metadata(p).num_rows for p in sorted(path.glob("*.parquet"))))


def judge_stage(
    spark: SparkSession, stages: StageDir, config: RunConfig, spark_config: SparkConfig, summary: TraceSummary
) -> None:
    """Stage 4: each candidate pair joined with both sides' text and features → ``judge_pair`` → ``pairs.parquet``."""
    from pyspark.sql import functions as F

    arts = spark.read.parquet(str(stages.path("articles"))).where(F.col("status") == "ok").select(*ARTICLE_COLS)
    feats = spark.read.parquet(str(stages.path("features")))
    # Articles and features both have a `language`: feature columns get their own prefix (d_f_…, s_f_…).
    both = arts.select(*[F.col(c).alias("a_" + c) for c in ARTICLE_COLS]).join(
        feats.select(*[F.col(c).alias("f_" + c) for c in FEATURE_COLS]), F.col("a_id") == F.col("f_article_id")
    )
    side_d = both.select(*[F.col(c).alias("d_" + c[2:] if c.startswith("a_") else "d_" + c) for c in both.columns])
    side_s = both.select(*[F.col(c).alias("s_" + c[2:] if c.startswith("a_") else "s_" + c) for c in both.columns])
    cands = spark.read.parquet(str(stages.path("candidates"))).select("derived", "source", "undirected", "via")
    n = _count(stages.path("candidates"))
    work = cands.join(side_d, cands["derived"] == side_d["d_id"]).join(side_s, cands["source"] == side_s["s_id"])
    parts = max(1, -(-n // spark_config.pairs_per_task))
    verdicts = work.repartition(parts).mapInPandas(judge_partition(config), VERDICT_DDL)
    tmp = stages.temp("pairs")
    verdicts.write.parquet(str(tmp))
    stages.publish("pairs", tmp)
    summary.pairs_judged = _count(stages.path("pairs"))


def _members(rows: Iterable[ArticleRecord]) -> list[candidates.Member]:
    return [(r["article_id"], pubdate_from_iso(r["date"])) for r in rows]


def group_pairs(
    pair_fn: Callable[[Sequence[candidates.Member], Any], list[candidates.Pair]], via: str, config: RunConfig
) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """applyInPandas body: one bucket's (or anchor's) members → its pairs, each with the bucket's rarity weight."""

    def run(pdf: pd.DataFrame) -> pd.DataFrame:
        members = _members(_records(pdf))
        pairs = pair_fn(members, config.candidates)
        w = candidates.bucket_weight(len({m[0] for m in members}))
        return pd.DataFrame([(x, y, via, w) for x, y in pairs], columns=["a", "b", "via", "weight"])

    return run


def vector_pairs(stages: StageDir, config: RunConfig) -> list[ArticleRecord]:
    """Vector neighbour pairs on the driver: the HNSW index needs every document vector in one place.

    Records are built in input order, as the local runner builds them from the store, so the index is the same.
    """
    arts = pq.read_table(stages.path("articles"), columns=["seq", "status", "id", "date"]).to_pylist()
    dates = {r["id"]: r["date"] for r in arts if r["status"] == "ok"}
    order = {r["id"]: r["seq"] for r in arts if r["status"] == "ok"}
    feats = pq.read_table(stages.path("features"), columns=["article_id", "doc_vector"]).to_pylist()
    feats.sort(key=lambda r: order[r["article_id"]])
    records = [
        candidates.CandidateRecord(
            id=r["article_id"],
            date=pubdate_from_iso(dates[r["article_id"]]),
            vector=dequantize(np.frombuffer(r["doc_vector"], dtype=np.int8)),
        )
        for r in feats
    ]
    found: dict[candidates.Pair, candidates._Found] = {}
    candidates._vector_pairs(records, config.candidates, found, Counter())
    return [{"a": a, "b": b, "via": "vector", "value": f.score} for (a, b), f in found.items()]


def candidates_stage(
    spark: SparkSession, stages: StageDir, config: RunConfig, spark_config: SparkConfig, summary: TraceSummary
) -> None:
    """Stage 3: LSH buckets and anchor postings grouped in Spark, vector pairs on the driver, merged → candidates."""
    from pyspark.sql import functions as F

    dates = spark.read.parquet(str(stages.path("articles"))).where(F.col("status") == "ok").select("id", "date")
    feats = spark.read.parquet(str(stages.path("features")))
    keyed = feats.join(dates, feats["article_id"] == dates["id"]).select("article_id", "date", "band_keys", "anchors")
    cc = config.candidates
    hit_ddl = "a string, b string, via string, weight double"

    # LSH: one shuffle by band key; each bucket's pairs come from candidates.pairs_from_bucket.
    bands = keyed.select("article_id", "date", F.explode("band_keys").alias("key"))
    lsh = bands.groupBy("key").applyInPandas(group_pairs(candidates.pairs_from_bucket, "lsh", config), hit_ddl)
    # Anchors: the same per anchor posting list.
    postings = keyed.select("article_id", "date", F.explode(F.from_json("anchors", "array<string>")).alias("anchor"))
    anchor = postings.groupBy("anchor").applyInPandas(
        group_pairs(candidates.pairs_from_anchor, "anchor", config), hit_ddl
    )
    # One shuffle by pair tallies shared groups and their weights; only pairs that can be kept reach the driver.
    tallies = (
        lsh.unionByName(anchor)
        .groupBy("a", "b", "via")
        .agg(F.count(F.lit(1)).alias("n"), F.sum("weight").alias("w"))
        .where(
            ((F.col("via") == "lsh") & (F.col("n") >= cc.lsh_min_shared) & (F.col("w") >= cc.lsh_min_weight))
            | ((F.col("via") == "anchor") & (F.col("n") >= cc.anchor_min_shared))
        )
        .toPandas()
    )
    cands = merge_candidates(stages, _records(tallies), config)
    tmp = stages.temp("candidates")
    tmp.mkdir(parents=True)
    rows = [
        {"derived": c.derived, "source": c.source, "score": c.score, "via": list(c.via), "undirected": c.undirected}
        for c in cands
    ]
    pq.write_table(pa.Table.from_pylist(rows, schema=CANDIDATE_SCHEMA), tmp / "part-00000.parquet")
    stages.publish("candidates", tmp)


def merge_candidates(stages: StageDir, tallies: Sequence[ArticleRecord], config: RunConfig) -> list[Candidate]:
    """Driver: the per-article top-k of LSH and anchor pairs, vector neighbours, merged as generate_candidates does.

    Ranking partners per article needs each article's whole partner list, and the vector index needs every vector:
    both run here on the collected tallies and document vectors (see docs/spark.md).
    """
    cc = config.candidates
    meta = pq.read_table(stages.path("articles"), columns=["status", "id", "date"]).to_pylist()
    dates = {r["id"]: pubdate_from_iso(r["date"]) for r in meta if r["status"] == "ok"}
    keys = pq.read_table(stages.path("features"), columns=["article_id", "band_keys"]).to_pylist()
    n_keys = {r["article_id"]: len(r["band_keys"] or ()) for r in keys}
    found: dict[candidates.Pair, candidates._Found] = {}
    for via in ("lsh", "anchor"):
        counts = Counter({(r["a"], r["b"]): int(r["n"]) for r in tallies if r["via"] == via})
        weights = {(r["a"], r["b"]): float(r["w"]) for r in tallies if r["via"] == via}
        if via == "lsh":
            pairs = candidates.strongest_pairs(
                counts, weights, cc.lsh_min_shared, cc.lsh_top_per_article, dates, n_keys, cc.lsh_min_weight
            )
            for pair in pairs:
                candidates._add(found, pair, "lsh", candidates._lsh_score(counts[pair], cc))
        else:
            pairs = candidates.strongest_pairs(counts, weights, cc.anchor_min_shared, cc.anchor_top_per_article, dates)
            for pair in pairs:
                candidates._add(found, pair, "anchor", candidates._anchor_score(counts[pair], cc))
    for r in vector_pairs(stages, config):
        candidates._add(found, (r["a"], r["b"]), "vector", float(r["value"]))
    return candidates._finish(found, dates, cc)


def read_candidates(path: Path) -> list[Candidate]:
    """The candidates stage as Candidates, in the local runner's order (derived date, derived id, source id)."""
    rows = pq.read_table(path).to_pylist()
    return [
        Candidate(r["derived"], r["source"], float(r["score"]), tuple(r["via"] or ()), undirected=bool(r["undirected"]))
        for r in rows
    ]


# -- decide (driver) ----------------------------------------------------------------------------------------
def load_articles(stages: StageDir) -> tuple[list[str | SkippedRecord], dict[str, Article], dict[str, ArticleSignals]]:
    """Input order (ids and skipped records), articles as the local runner reads them back, and their signals."""
    feats = pq.read_table(
        stages.path("features"), columns=["article_id", "language", "credits", "dateline", "signals"]
    ).to_pylist()
    lang = {r["article_id"]: r["language"] for r in feats}
    sigs = {
        r["article_id"]: signals_from_json(r["credits"], r["dateline"], r["signals"], r["article_id"]) for r in feats
    }
    rows = pq.read_table(stages.path("articles")).to_pylist()
    rows.sort(key=lambda r: r["seq"])
    order: list[str | SkippedRecord] = []
    arts: dict[str, Article] = {}
    for r in rows:
        if r["status"] != "ok":
            order.append(SkippedRecord(r["id"], r["reason"] or "", r["origin"] or ""))
            continue
        a = article_from_columns(r)
        # Enrichment records the detected language on the article (the store does the same UPDATE).
        arts[a.id] = replace(a, language=lang[a.id]) if a.id in lang else a
        order.append(a.id)
    return order, arts, sigs


def load_verdicts(stages: StageDir) -> list[PairVerdictRow]:
    rows = pq.read_table(stages.path("pairs")).to_pylist()
    out = [
        PairVerdictRow(r["derived"], r["source"], r["relation"], float(r["score"]), bool(r["independent"]),
                       r["reason"] or "", r["spans"] or "[]")
        for r in rows
    ]  # fmt: skip
    # The order the local store returns them in (ORDER BY derived, source); duplicates collapse as its key does.
    return sorted({(v.derived, v.source): v for v in out}.values(), key=lambda v: (v.derived, v.source))


def _link_columns(k: Link) -> ArticleRecord:
    row = link_row(k)
    return {**row, "spans": json.dumps(row["spans"], ensure_ascii=False), "changes": dumps(row["changes"])}


LINK_SCHEMA = pa.schema(
    [
        ("derived", pa.string()), ("source", pa.string()), ("relation", pa.string()), ("score", pa.float64()),
        ("origin", pa.string()), ("lag_days", pa.float64()), ("attributed", pa.bool_()), ("stale", pa.bool_()),
        ("direction", pa.string()), ("derived_coverage", pa.float64()), ("source_coverage", pa.float64()),
        ("spans", pa.string()), ("changes", pa.string()),
    ]
)  # fmt: skip
STORY_SCHEMA = pa.schema(
    [("story", pa.string()), ("articles", pa.list_(pa.string())), ("origins", pa.list_(pa.string()))]
)
SITE_SCHEMA = pa.schema(
    [
        ("site", pa.string()), ("articles", pa.int64()), ("derived_share", pa.float64()),
        ("uncredited_share", pa.float64()), ("median_lag_days", pa.float64()),
    ]
)  # fmt: skip


def decide_stage(stages: StageDir, config: RunConfig, summary: TraceSummary) -> None:
    """Stage 5 (driver): ``decide_links`` over every verdict → ``results.parquet`` (links, stories, sites)."""
    _, arts, sigs = load_articles(stages)
    links, stories, sites = decide_links(arts, sigs, load_verdicts(stages), config)
    tmp = stages.temp("results")
    tmp.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist([_link_columns(k) for k in links], schema=LINK_SCHEMA), tmp / "links.parquet")
    pq.write_table(pa.Table.from_pylist([story_row(s) for s in stories], schema=STORY_SCHEMA), tmp / "stories.parquet")
    pq.write_table(pa.Table.from_pylist([site_row(p) for p in sites], schema=SITE_SCHEMA), tmp / "sites.parquet")
    stages.publish("results", tmp)
    summary.links, summary.stories, summary.sites = links, stories, sites


def load_results(stages: StageDir) -> tuple[list[Link], list[Story], list[SiteProfile]]:
    """Read a finished results stage back (a resumed run that had nothing left to decide)."""
    root = stages.path("results")
    links = [
        link_from_row({**r, "spans": json.loads(r["spans"]), "changes": json.loads(r["changes"])})
        for r in pq.read_table(root / "links.parquet").to_pylist()
    ]
    stories = [
        Story(r["story"], tuple(r["articles"]), tuple(r["origins"]))
        for r in pq.read_table(root / "stories.parquet").to_pylist()
    ]
    sites = [
        SiteProfile(r["site"], int(r["articles"]), r["derived_share"], r["uncredited_share"], r["median_lag_days"])
        for r in pq.read_table(root / "sites.parquet").to_pylist()
    ]
    return links, stories, sites


def write_outputs(stages: StageDir, out_dir: Path, links: Sequence[Link], stories: Sequence[Story],
                  sites: Sequence[SiteProfile]) -> None:  # fmt: skip
    """The INTERFACE.md files, row for row as the local runner writes them, plus the results as Parquet."""
    order, arts, sigs = load_articles(stages)
    rows = (skipped_row(x) if isinstance(x, SkippedRecord) else article_row(arts[x], sigs.get(x)) for x in order)
    write_jsonl_files(out_dir, rows, links, stories, sites)
    for name in ("links", "stories", "sites"):
        shutil.copyfile(stages.path("results") / f"{name}.parquet", out_dir / f"{name}.parquet")


def fill_store(stages: StageDir, store: Store, links: Sequence[Link], stories: Sequence[Story],
               sites: Sequence[SiteProfile], chunk: int = 2048) -> None:  # fmt: skip
    """Load the finished stages into a DuckDB store, so the report, ``serve`` and ``check`` work as after ``trace``."""
    order, arts, _ = load_articles(stages)
    skipped = [x for x in order if isinstance(x, SkippedRecord)]
    ids = [x for x in order if isinstance(x, str)]
    for lo in range(0, len(ids), chunk):
        store.upsert_articles([arts[i] for i in ids[lo : lo + chunk]])
    store.record_skipped(skipped)
    for batch in _row_batches(stages.path("features"), chunk):
        store.put_features([features_from_columns(r) for r in batch])
    verdicts = load_verdicts(stages)
    for lo in range(0, len(verdicts), chunk):
        store.put_pairs(verdicts[lo : lo + chunk])
    store.replace_results(links, stories, sites)


# -- the runner -------------------------------------------------------------------------------------------
def run_spark(
    inputs: Sequence[str | Path],
    out_dir: Path,
    config: RunConfig | None = None,
    *,
    master: str = "local[*]",
    progress: ProgressFn | None = None,
    spark_config: SparkConfig | None = None,
    spark: SparkSession | None = None,
    store_path: Path | None = None,
    with_store: bool = True,
) -> TraceSummary:
    """Trace every input article on Spark; writes the same files as ``newstrace trace`` plus Parquet stages.

    ``master`` is any Spark master URL (``local[*]``, ``spark://host:7077``, ``yarn``); under ``spark-submit``
    pass the master there and leave this at its default only if the session is already configured. An existing
    ``spark`` session is used as it is (and not stopped); otherwise one is made and stopped at the end.
    Finished stages under ``out_dir/stages`` are reused when inputs and configuration are unchanged.
    With ``with_store`` the results also go into a DuckDB store (``store_path``, default ``out_dir/newstrace.duckdb``)
    and ``report.html`` is written from it, as ``trace`` does; the store holds every article, so leave it off for
    corpora too big for one machine's disk.
    """
    config = config or RunConfig()
    spark_config = spark_config or SparkConfig()
    progress = progress or _noop
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stages = StageDir(out_dir / "stages")
    stages.prepare(run_fingerprint(inputs, config))
    summary = TraceSummary(out_dir=out_dir)
    ran: list[str] = []

    t = time.perf_counter()
    if not stages.done("articles"):
        ingest_stage(stages, inputs, config, summary, progress)
        ran.append("ingest")
    count_ingest(stages, summary)
    summary.seconds["ingest"] = time.perf_counter() - t

    spark_steps = (("enrich", "features", enrich_stage), ("candidates", "candidates", candidates_stage),
                   ("align", "pairs", judge_stage))  # fmt: skip
    todo = [s for s in spark_steps if not stages.done(s[1])]
    for label, _, _ in spark_steps:
        summary.seconds[label] = 0.0
    if todo:
        # Only a run with Spark work left pays for starting a JVM.
        own = spark is None
        session = spark if spark is not None else spark_session(master, spark_config, config.embed.threads)
        try:
            for label, _, step in todo:
                t = time.perf_counter()
                progress(label, 0, None)
                step(session, stages, config, spark_config, summary)
                ran.append(label)
                summary.seconds[label] = time.perf_counter() - t
                progress(label, 1, 1)
        finally:
            if own:
                session.stop()
    summary.candidates = _count(stages.path("candidates"))

    t = time.perf_counter()
    if stages.done("results"):
        summary.links, summary.stories, summary.sites = load_results(stages)
    else:
        decide_stage(stages, config, summary)
        ran.append("decide")
    write_outputs(stages, out_dir, summary.links, summary.stories, summary.sites)
    summary.seconds["decide"] = time.perf_counter() - t

    if with_store:
        t = time.perf_counter()
        summary.store_path = Path(store_path) if store_path else out_dir / STORE_NAME
        with Store(summary.store_path, config.store) as store:
            fill_store(stages, store, summary.links, summary.stories, summary.sites)
            store.save_index(config.candidates)  # what `check` reads, as after a local trace
            write_report(store, out_dir / "report.html")
        summary.seconds["report"] = time.perf_counter() - t
    log.info(
        "spark: %d in, %d ok, %d skipped, %d candidates, %d links; ran %s",
        summary.records_in, summary.ok, summary.skipped, summary.candidates, len(summary.links),
        ", ".join(ran) or "nothing",
    )  # fmt: skip
    return summary
