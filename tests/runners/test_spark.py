"""The Spark runner writes what the local runner writes, and resumes from its finished stages.

The equality and resume tests start a JVM (``local[2]``) and are marked ``spark``; the row-shape tests need no Spark.
"""

from __future__ import annotations

import datetime as dt
import gzip
import html
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest

from newstrace import candidates
from newstrace.config import RunConfig, SparkConfig
from newstrace.model import Article, ArticleSignals, Credit, Dateline, PubDate, Signal
from newstrace.pipeline import candidate_record
from newstrace.runners import spark as sp
from newstrace.runners.local import TraceSummary, trace
from newstrace.serialize import link_row
from newstrace.store import ArticleFeatures, Store

# PySpark 4 warns that it does not fully support pandas 3; the runner passes only strings, numbers and bytes.
pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "examples" / "corpus"
OUTPUTS = ("articles.jsonl", "links.jsonl", "stories.jsonl", "sites.jsonl")


# -- a WARC beside the example corpus --------------------------------------------------------------------------
def _warc_response(uri: str, body: str, date: str) -> bytes:
    payload = body.encode("utf-8")
    http = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        + f"Content-Length: {len(payload)}\r\n\r\n".encode()
        + payload
    )
    head = (
        "WARC/1.0\r\nWARC-Type: response\r\n"
        f"WARC-Record-ID: <urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, uri)}>\r\n"
        f"WARC-Date: {date}T08:00:00Z\r\nWARC-Target-URI: {uri}\r\n"
        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http)}\r\n\r\n"
    )
    return head.encode() + http + b"\r\n\r\n"


def _page(title: str, date: str, paragraphs: list[str]) -> str:
    paras = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f'<meta property="article:published_time" content="{date}T07:30:00Z"></head><body>'
        f"<nav><a href='/'>Home</a> <a href='/world'>World</a></nav><article><h1>{html.escape(title)}</h1>"
        f"{paras}</article><footer>© Example Media</footer></body></html>"
    )


def write_warc(path: Path) -> None:
    """Two pages: a scraper's copy of the rail-strike wire (a link to find) and an unrelated page."""
    rows = {r["id"]: r for r in map(json.loads, (CORPUS / "articles.jsonl").read_text().splitlines())}
    wire = rows["rail-strike-wire"]["text"].split("\n\n")
    # The copy drops the last paragraph and adds a scraper's leftovers.
    copy = _page("Train strike hits Brennan Falls", "2026-03-25", [*wire[:-1], "Source link"])
    other = _page(
        "Community garden opens in Halvenstedt",
        "2026-04-20",
        [
            "A community garden with forty raised beds opened on Saturday behind the old tram depot in the north "
            "of the town, after two years of planning by a residents' association.",
            "Volunteers planted beans, courgettes and herbs, and the association plans weekly workshops for schools "
            "over the summer. Plots can be rented for a small yearly fee that covers water and tools.",
            "The association said it hoped to add a greenhouse next spring if a grant application succeeds.",
        ],
    )
    data = _warc_response("https://copycat.example/rail/strike", copy, "2026-03-25")
    data += _warc_response("https://garden-news.example/halvenstedt/garden", other, "2026-04-20")
    path.write_bytes(gzip.compress(data))


# -- runs shared by the Spark tests ----------------------------------------------------------------------------
@dataclass
class Runs:
    inputs: list[Path]
    config: RunConfig
    local_dir: Path
    spark_dir: Path
    local: TraceSummary
    spark: TraceSummary
    session: Any


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    pytest.importorskip("pyspark")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("no JVM: the Spark runner needs java on PATH or JAVA_HOME")
    base = tmp_path_factory.mktemp("spark")
    warc = base / "input" / "pages.warc.gz"
    warc.parent.mkdir()
    write_warc(warc)
    inputs = [CORPUS / "articles.jsonl", CORPUS / "txt", warc]
    # Small enrichment batches, so the Spark stage really spreads several batches over partitions.
    config = RunConfig(batch_size=16)
    local = trace(inputs, base / "local", config=config)
    session = sp.spark_session("local[2]", SparkConfig(), config.embed.threads)
    try:
        got = sp.run_spark(inputs, base / "spark", config, master="local[2]", spark=session)
        yield Runs(inputs, config, base / "local", base / "spark", local, got, session)
    finally:
        session.stop()


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def _link_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["derived"], row["source"], row["relation"], json.dumps(row["spans"]))


@pytest.mark.spark
def test_spark_writes_what_local_writes(runs: Runs) -> None:
    local_links = _lines(runs.local_dir / "links.jsonl")
    spark_links = _lines(runs.spark_dir / "links.jsonl")
    assert local_links, "the example corpus must give links, or the comparison proves nothing"
    assert [_link_key(r) for r in spark_links] == [_link_key(r) for r in local_links]
    assert spark_links == local_links
    for name in OUTPUTS:
        assert _lines(runs.spark_dir / name) == _lines(runs.local_dir / name), name
    # The WARC pages went through both runners, and the scraped copy is linked to its wire.
    arts = _lines(runs.spark_dir / "articles.jsonl")
    assert sum(r["id"].startswith("https://") and r["status"] == "ok" for r in arts) == 2
    assert any(r["derived"] == "https://copycat.example/rail/strike" for r in spark_links)
    assert (runs.spark.records_in, runs.spark.ok, runs.spark.skipped) == (
        runs.local.records_in,
        runs.local.ok,
        runs.local.skipped,
    )
    assert runs.spark.candidates == runs.local.candidates
    assert runs.spark.pairs_judged == runs.local.pairs_judged
    assert runs.spark.store_path is not None
    # The store the Spark run fills holds what the local run's store holds: report, serve and check work alike.
    with (
        Store(runs.local_dir / "newstrace.duckdb", read_only=True) as a,
        Store(runs.spark.store_path, read_only=True) as b,
    ):
        assert b.links() == a.links() and b.story_rows() == a.story_rows() and b.article_rows() == a.article_rows()
    assert (runs.spark_dir / "report.html").stat().st_size > 0
    table = pq.read_table(runs.spark_dir / "links.parquet")
    assert table.column("derived").to_pylist() == [r["derived"] for r in local_links]


@pytest.mark.spark
def test_spark_candidates_equal_generate_candidates(runs: Runs) -> None:
    with Store(runs.local_dir / "newstrace.duckdb", read_only=True) as store:
        ids = store.article_ids()
        arts = store.get_articles(ids)
        feats = store.get_features(ids, with_bands=True)
    records = [candidate_record(arts[i], feats[i]) for i in ids]
    want = candidates.generate_candidates(records, runs.config.candidates)
    got = sp.read_candidates(sp.StageDir(runs.spark_dir / "stages").path("candidates"))
    assert want
    assert sorted(got, key=lambda c: (c.derived, c.source)) == sorted(want, key=lambda c: (c.derived, c.source))


def _stage_times(out: Path) -> dict[str, int]:
    return {name: (out / "stages" / f"{name}.parquet").stat().st_mtime_ns for name in sp.STAGES}


@pytest.mark.spark
def test_rerun_skips_finished_stages(runs: Runs) -> None:
    before = _stage_times(runs.spark_dir)
    again = sp.run_spark(runs.inputs, runs.spark_dir, runs.config, master="local[2]", spark=runs.session)
    assert _stage_times(runs.spark_dir) == before
    assert (again.enriched, again.pairs_judged, again.new_articles) == (0, 0, 0)
    assert [_link_key(r) for r in map(link_row, again.links)] == [
        _link_key(r) for r in _lines(runs.local_dir / "links.jsonl")
    ]
    for name in OUTPUTS:
        assert _lines(runs.spark_dir / name) == _lines(runs.local_dir / name), name


@pytest.mark.spark
def test_interrupted_run_resumes_from_the_last_finished_stage(runs: Runs, tmp_path: Path) -> None:
    out = tmp_path / "resumed"
    shutil.copytree(runs.spark_dir / "stages", out / "stages")
    stages = sp.StageDir(out / "stages")
    # As if the job died while judging: the pairs stage only got as far as its temporary directory.
    shutil.rmtree(stages.path("pairs"))
    shutil.rmtree(stages.path("results"))
    (out / "stages" / ".pairs.parquet.tmp-dead").mkdir()
    (out / "stages" / ".pairs.parquet.tmp-dead" / "part-0.parquet").write_bytes(b"half a file")
    before = _stage_times(runs.spark_dir)
    got = sp.run_spark(runs.inputs, out, runs.config, master="local[2]", spark=runs.session)
    after = {n: stages.path(n).stat().st_mtime_ns for n in ("articles", "features", "candidates")}
    # Copies keep modification times, so unchanged stages still carry the first run's.
    assert after == {n: before[n] for n in after}
    assert got.enriched == 0 and got.pairs_judged == runs.local.pairs_judged
    assert not list((out / "stages").glob(".*tmp-*"))
    for name in OUTPUTS:
        assert _lines(out / name) == _lines(runs.local_dir / name), name


# -- no JVM needed ---------------------------------------------------------------------------------------------
def test_article_columns_round_trip() -> None:
    a = Article(
        id="a-1",
        text="Text with ünïcode — and a date.",
        date=PubDate(dt.date(2026, 3, 1), dt.date(2026, 3, 31), "month"),
        url="https://x.example/a",
        site="x.example",
        title=None,
        language=None,
        metadata={"section": "world", "n": 3},
        warnings=("unparseable date 'soon'",),
        origin="in.jsonl:4",
    )
    assert sp.article_from_columns(sp.article_columns(a)) == a


def test_feature_columns_round_trip() -> None:
    rng = np.random.default_rng(0)
    sig = ArticleSignals(
        "a-1",
        credits=(Credit("Reuters", 0, 9, "dateline"),),
        dateline=Dateline("VALMORA", 0, 20, dt.date(2026, 3, 5), "on Thursday"),
        signals=(Signal("stale", 3, 40, 0.75, "event 11 days before publication"),),
    )
    f = ArticleFeatures(
        article_id="a-1",
        content_hash="h",
        language="en",
        lang_confidence=0.98,
        seg_starts=np.array([0, 10], dtype=np.int32),
        seg_ends=np.array([9, 20], dtype=np.int32),
        doc_vector=rng.integers(-127, 128, 512).astype(np.int8),
        signature=rng.integers(0, 2**32, size=(3, 32), dtype=np.uint32),
        band_keys=(-5, 3, 9),
        anchors=frozenset({"7.4", "dresna"}),
        signals=sig,
    )
    g = sp.features_from_columns(sp.feature_columns(f))
    assert g.band_keys == f.band_keys and g.anchors == f.anchors and g.signals == f.signals
    assert np.array_equal(g.doc_vector, f.doc_vector)
    assert np.array_equal(g.seg_starts, f.seg_starts) and np.array_equal(g.seg_ends, f.seg_ends)
    # The store's read-back shape: a flat signature (the local runner sees the same).
    assert np.array_equal(g.signature, f.signature.ravel())
    assert (g.article_id, g.content_hash, g.language, g.lang_confidence) == ("a-1", "h", "en", 0.98)


def test_stage_dir_keeps_stages_only_for_the_same_run(tmp_path: Path) -> None:
    stages = sp.StageDir(tmp_path / "stages")
    stages.prepare("one")
    tmp = stages.temp("articles")
    tmp.mkdir()
    (tmp / "part-0.parquet").write_bytes(b"x")
    assert not stages.done("articles")
    stages.publish("articles", tmp)
    assert stages.done("articles")
    leftover = stages.temp("features")
    leftover.mkdir()
    stages.prepare("one")
    assert stages.done("articles") and not leftover.exists()
    stages.prepare("two")
    assert not stages.done("articles")


def test_run_fingerprint_follows_inputs_and_config(tmp_path: Path) -> None:
    f = tmp_path / "a.jsonl"
    f.write_text('{"id": "a", "text": "x"}\n')
    one = sp.run_fingerprint([f], RunConfig())
    assert one == sp.run_fingerprint([f], RunConfig())
    assert one != sp.run_fingerprint([f], RunConfig(batch_size=7))
    f.write_text('{"id": "a", "text": "xy"}\n')
    assert one != sp.run_fingerprint([f], RunConfig())


def test_local_cores() -> None:
    assert sp._local_cores("local") == 1
    assert sp._local_cores("local[3]") == 3
    assert sp._local_cores("local[*]") == (os.cpu_count() or 1)
    assert sp._local_cores("local[2,4]") == 2
    assert sp._local_cores("spark://head:7077") is None
