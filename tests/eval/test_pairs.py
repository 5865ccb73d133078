"""Labelled-pair evaluation: the three input shapes, bad records, measures and the table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newstrace.classify import PairFeatures
from newstrace.errors import InputError
from newstrace.eval.pairs import (
    NONE,
    PairResult,
    evaluate_pairs,
    iter_labelled_pairs,
    report_from_results,
)

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "examples" / "corpus"

WIRE = (
    "VALMORA, Estmark, March 5 (Reuters) - A fire tore through a grain terminal at the port of Valmora on Thursday, "
    "injuring two workers and forcing the harbour master to halt all shipping traffic for at least 48 hours, port "
    "officials said. The blaze broke out shortly after 4 a.m. in a conveyor gallery at the terminal operated by "
    "Kestrel Bulk Logistics and spread to two storage silos holding about 38,000 tonnes of wheat and barley."
)
OTHER = (
    "The city council of Brennan Falls voted on Tuesday to fund a robotics club for teenagers at the public library. "
    "The club will meet twice a week and is open to pupils aged 12 to 17, the librarian said, adding that the first "
    "kits had been donated by a local engineering firm and that volunteers were still needed for the evening slots."
)


def _write(path: Path, rows: list[dict[str, object] | str]) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def _features() -> PairFeatures:
    return PairFeatures(**{name: 0 for name in PairFeatures.__dataclass_fields__})  # type: ignore[arg-type]


def test_counter_and_crossling_shapes_and_bad_lines(tmp_path: Path) -> None:
    counter = _write(
        tmp_path / "counter.jsonl",
        [
            {"pair_id": "0001", "label": "WD", "source": {"headline": "H", "body": WIRE, "newsdate": "01.12.14"},
             "derived": {"headline": "H2", "body": WIRE, "newsdate": "01.12.14"}},
            {"pair_id": "0002", "label": "ND", "source": {"body": WIRE}, "derived": {"body": OTHER}},
            {"pair_id": "0003", "label": "XX", "source": {"body": WIRE}, "derived": {"body": OTHER}},
            "{not json",
        ],
    )
    skips: list[str] = []
    pairs = list(iter_labelled_pairs(counter, skips))
    assert [(p.id, p.is_derived, p.label, p.dataset) for p in pairs] == [
        ("0001", True, "WD", "counter"),
        ("0002", False, "ND", "counter"),
    ]
    assert pairs[0].derived.language == "ur" and pairs[0].derived.text.startswith("H2\n\n")
    assert pairs[0].source.date is not None and pairs[0].source.date.iso() == "2014-12-01"
    assert len(skips) == 2

    cross = _write(
        tmp_path / "cross.jsonl",
        [{"id": "x1", "lang_a": "es", "lang_b": "en", "text_a": "Hola", "text_b": "Hello", "label": "translation"}],
    )
    (pair,) = iter_labelled_pairs(cross)
    assert pair.is_derived and pair.source.language == "es" and pair.derived.text == "Hello"


def test_missing_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        list(iter_labelled_pairs(tmp_path / "nope.jsonl"))


def test_measures_and_table() -> None:
    f = _features()

    def r(label: str, derived: bool, predicted: str) -> PairResult:
        return PairResult(label, "t", label, derived, predicted, 0.5, False, f, "")

    results = [r("WD", True, "verbatim"), r("PD", True, NONE), r("ND", False, "paraphrase"), r("ND", False, NONE)]
    report = report_from_results("test", results, ["bad line"])
    assert (report.tp, report.fp, report.fn, report.tn) == (1, 1, 1, 1)
    assert report.precision == 0.5 and report.recall == 0.5 and report.f1 == 0.5
    table = report.format_table()
    assert "F1 0.500" in table and "skipped 1" in table
    assert report.confusion[("ND", "paraphrase")] == 1


def test_evaluate_small_file_end_to_end(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "pairs.jsonl",
        [
            {"pair_id": "copy", "label": "WD", "source": {"body": WIRE}, "derived": {"body": WIRE}},
            {"pair_id": "other", "label": "ND", "source": {"body": WIRE}, "derived": {"body": OTHER}},
            {"pair_id": "empty", "label": "ND", "source": {"body": WIRE}, "derived": {"body": "  "}},
        ],
    )
    report = evaluate_pairs(path)
    assert report.skipped == 1
    by_id = {x.id: x for x in report.results}
    assert by_id["copy"].predicted == "verbatim"
    assert by_id["other"].predicted == NONE
    assert report.f1 == 1.0


def test_example_corpus_pairs_resolve() -> None:
    if not (CORPUS / "expected_links.jsonl").exists():
        pytest.skip(f"example corpus missing: {CORPUS}")
    skips: list[str] = []
    pairs = list(iter_labelled_pairs(CORPUS, skips))
    assert skips == []
    linked = [p for p in pairs if p.is_derived]
    assert len(linked) == 26 and len(pairs) == 26 + 39
    chain = next(p for p in linked if p.derived.id == "harbor-fire-chain")
    assert chain.source.id == "harbor-fire-light" and chain.label == "light_edit"
