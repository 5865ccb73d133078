"""The scale-benchmark corpus builder on a small slice of PAN13: offsets, links, dates, padding free of reuse."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAN = ROOT.parent / "shared" / "data" / "pan13" / "train"
PAIRS_PER_FOLDER = 8


def _load(name: str) -> ModuleType:
    path = ROOT / "benchmarks" / "scale" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bc() -> ModuleType:
    return _load("build_corpus")


@pytest.fixture(scope="module")
def pan_slice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A PAN13-layout folder with the first pairs of every obfuscation folder (copied to a temp dir)."""
    if not PAN.is_dir():
        pytest.skip(f"PAN13 training data not found at {PAN}: ../shared is not available here")
    root = tmp_path_factory.mktemp("pan")
    (root / "src").mkdir()
    (root / "susp").mkdir()
    for folder in ("01-no-plagiarism", "02-no-obfuscation", "03-random-obfuscation", "04-translation-obfuscation",
                   "05-summary-obfuscation"):
        (root / folder).mkdir()
        for xml in sorted((PAN / folder).glob("*.xml"))[:PAIRS_PER_FOLDER]:
            shutil.copy(xml, root / folder / xml.name)
            susp, src = re.fullmatch(r"(suspicious-document\d+)-(source-document\d+)\.xml", xml.name).groups()  # type: ignore[union-attr]
            shutil.copy(PAN / "susp" / f"{susp}.txt", root / "susp" / f"{susp}.txt")
            shutil.copy(PAN / "src" / f"{src}.txt", root / "src" / f"{src}.txt")
    return root


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def built(bc: ModuleType, pan_slice: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    out = tmp_path_factory.mktemp("corpus")
    real = len(bc.build_real(pan_slice, 13)[0])
    stats = bc.build(real - 2 + 30, out, seed=13, root=pan_slice, holdout=2)  # two pieces held out, 30 padding
    return out, stats


def test_pieces_are_exact_slices_of_their_documents(built: tuple[Path, dict[str, object]], pan_slice: Path) -> None:
    out, _ = built
    arts = {str(a["id"]): a for a in _rows(out / "articles.jsonl") + _rows(out / "holdout.jsonl")}
    for p in _rows(out / "pieces.jsonl"):
        if p["kind"] != "real":
            continue
        folder = "src" if str(p["doc"]).startswith("source") else "susp"
        doc = (pan_slice / folder / str(p["doc"])).read_text(encoding="utf-8").replace("\x00", " ")
        assert doc[int(p["start"]) : int(p["end"])] == arts[str(p["id"])]["text"]  # type: ignore[call-overload]


def test_links_follow_the_cases_and_run_forward_in_time(built: tuple[Path, dict[str, object]]) -> None:
    out, stats = built
    arts = {str(a["id"]): a for a in _rows(out / "articles.jsonl") + _rows(out / "holdout.jsonl")}
    links = _rows(out / "expected_links.jsonl") + _rows(out / "holdout_links.jsonl")
    assert stats["cases_dropped"] == 0
    assert {str(e["relation"]) for e in links} >= {"light_edit", "paraphrase", "summary"}
    for e in links:
        d, s = arts[str(e["derived"])], arts[str(e["source"])]
        assert str(d["date"]) > str(s["date"]) and d["site"] != s["site"]
        for c in e["cases"]:  # type: ignore[attr-defined]
            dt, st = str(d["text"]), str(s["text"])
            assert 0 <= c["derived_start"] < c["derived_end"] <= len(dt)
            assert 0 <= c["source_start"] < c["source_end"] <= len(st)
            if e["obfuscation"] == ["none"]:
                # No obfuscation: the case is a literal copy (up to line breaks), so the piece offsets must line up.
                a, b = dt[c["derived_start"] : c["derived_end"]], st[c["source_start"] : c["source_end"]]
                assert a.split() == b.split()


def test_padding_shares_no_word_8gram_with_anything(built: tuple[Path, dict[str, object]]) -> None:
    out, stats = built
    texts = {str(a["id"]): str(a["text"]) for a in _rows(out / "articles.jsonl") + _rows(out / "holdout.jsonl")}
    padding = [str(p["id"]) for p in _rows(out / "pieces.jsonl") if p["kind"] == "padding"]
    assert len(padding) == 30 and stats["padding"] == 30

    def grams(text: str) -> set[tuple[str, ...]]:
        words = re.findall(r"\w+", text.lower())
        return {tuple(words[i : i + 8]) for i in range(len(words) - 7)}

    seen: set[tuple[str, ...]] = set()
    for aid, text in texts.items():
        if aid not in padding:
            seen |= grams(text)
    for aid in padding:
        g = grams(texts[aid])
        assert len(g) > 100, "padding articles are article-sized"
        assert not g & seen, f"{aid} repeats an 8-gram"
        seen |= g


def test_build_is_deterministic_and_padding_is_a_prefix(
    bc: ModuleType, built: tuple[Path, dict[str, object]], pan_slice: Path, tmp_path: Path
) -> None:
    out, stats = built
    bc.build(int(stats["size"]) + 5, tmp_path, seed=13, root=pan_slice, holdout=2)  # type: ignore[call-overload]
    small = (out / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    big = (tmp_path / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    assert big[: len(small)] == small and len(big) == len(small) + 5
    assert (out / "expected_links.jsonl").read_text() == (tmp_path / "expected_links.jsonl").read_text()


def test_scoring_counts_tolerated_and_padding(built: tuple[Path, dict[str, object]]) -> None:
    baselines = _load("baselines")
    out, _ = built
    corpus = baselines.load_corpus(out)
    expected = sorted(corpus.expected)
    pad = sorted(corpus.padding)
    tol = sorted(tuple(sorted(p)) for p in corpus.tolerated)
    predicted = [expected[0], expected[1][::-1], (pad[0], pad[1]), *tol[:1]]
    score = baselines.score_links(predicted, corpus)
    assert score.hits == 2 and score.hits_directed == 1
    assert score.false == 1 and score.false_touching_padding == 1
    assert score.tolerated == (1 if tol else 0)
    assert score.precision == pytest.approx(2 / 3)
