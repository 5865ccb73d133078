"""PAN 2013 runner on a tiny hand-made corpus: XML out, scores, missing files."""

from __future__ import annotations

from pathlib import Path

import pytest

from newstrace.config import AlignConfig
from newstrace.eval.pan13 import detections_xml, read_annotations, read_pairs, run_pan13
from newstrace.model import Span

COPIED = (
    "The river burst its banks after three days of rain and flooded the lower town. "
    "Emergency crews evacuated two hundred residents from riverside streets overnight. "
    "The mayor said damage to houses and shops would run into millions of euros."
)
SUSP_INTRO = "Tourism figures rose sharply during the summer season according to the regional office. "
SRC_INTRO = "Officials published a detailed report about the regional railway timetable changes. "
UNRELATED = (
    "A new library opened in the old market hall with space for ten thousand books. "
    "Children can borrow games and tablets as well as novels and comics."
)


def _corpus(root: Path) -> Path:
    for sub in ("src", "susp", "02-no-obfuscation", "01-no-plagiarism"):
        (root / sub).mkdir(parents=True)
    (root / "susp" / "suspicious-document00001.txt").write_text(SUSP_INTRO + COPIED, encoding="utf-8")
    (root / "src" / "source-document00001.txt").write_text(SRC_INTRO + COPIED, encoding="utf-8")
    (root / "src" / "source-document00002.txt").write_text(UNRELATED, encoding="utf-8")
    pos = "suspicious-document00001.txt source-document00001.txt\n"
    neg = "suspicious-document00001.txt source-document00002.txt\n"
    missing = "suspicious-document00001.txt source-document00404.txt\n"
    (root / "pairs").write_text(pos + neg + missing + "\n", encoding="utf-8")
    (root / "02-no-obfuscation" / "pairs").write_text(pos, encoding="utf-8")
    (root / "01-no-plagiarism" / "pairs").write_text(neg, encoding="utf-8")
    (root / "02-no-obfuscation" / "suspicious-document00001-source-document00001.xml").write_text(
        '<document reference="suspicious-document00001.txt">\n'
        f'<feature name="plagiarism" obfuscation="none" this_offset="{len(SUSP_INTRO)}" this_length="{len(COPIED)}" '
        f'source_reference="source-document00001.txt" source_offset="{len(SRC_INTRO)}" '
        f'source_length="{len(COPIED)}" />\n</document>\n',
        encoding="utf-8",
    )
    (root / "01-no-plagiarism" / "suspicious-document00001-source-document00002.xml").write_text(
        '<document reference="suspicious-document00001.txt">\n</document>\n', encoding="utf-8"
    )
    return root


def test_run_writes_xml_scores_and_reports_missing(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    seen: list[tuple[int, int]] = []
    report = run_pan13(
        corpus, out, None, AlignConfig(semantic=False), workers=1, progress=lambda a, b: seen.append((a, b))
    )
    assert report.pairs == 3
    assert report.processed == 2
    assert report.missing == ("suspicious-document00001.txt source-document00404.txt",)
    assert seen[-1] == (3, 3)
    detected = read_annotations(out / "suspicious-document00001-source-document00001.xml")
    assert [(a.this_start, a.this_end, a.source_start) for a in detected] == [
        (len(SUSP_INTRO), len(SUSP_INTRO) + len(COPIED), len(SRC_INTRO))
    ]
    assert read_annotations(out / "suspicious-document00001-source-document00002.xml") == []
    folders = {f.name: f for f in report.folders}
    copy = folders["02-no-obfuscation"].score
    assert copy is not None
    assert copy.plagdet == pytest.approx(1.0)
    assert folders["01-no-plagiarism"].detections == 0
    assert report.overall.score is not None
    assert report.overall.score.plagdet == pytest.approx(1.0)
    table = report.format_table()
    assert "02-no-obfuscation" in table
    assert "missing 1" in table


def test_pairs_subset_and_no_ground_truth(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus")
    for folder in ("02-no-obfuscation", "01-no-plagiarism"):
        for xml in (corpus / folder).glob("*.xml"):
            xml.unlink()
    subset = tmp_path / "subset.pairs"
    subset.write_text("suspicious-document00001.txt source-document00002.txt\nmalformed line here\n")
    report = run_pan13(corpus, tmp_path / "out", subset, AlignConfig(semantic=False), workers=1)
    assert report.pairs == 1
    assert report.overall.score is None
    assert (tmp_path / "out" / "suspicious-document00001-source-document00002.xml").is_file()


def test_xml_round_trip_and_escaping(tmp_path: Path) -> None:
    spans = [Span(10, 60, 5, 55, "exact"), Span(100, 130, 300, 400, "paraphrase")]
    path = tmp_path / "d.xml"
    path.write_text(detections_xml('a"b.txt', "src&1.txt", spans), encoding="utf-8")
    got = read_annotations(path)
    assert [(a.susp, a.src, a.this_start, a.this_end, a.source_start, a.source_end) for a in got] == [
        ('a"b.txt', "src&1.txt", 10, 60, 5, 55),
        ('a"b.txt', "src&1.txt", 100, 130, 300, 400),
    ]


def test_read_pairs_skips_blank_and_malformed(tmp_path: Path) -> None:
    path = tmp_path / "pairs"
    path.write_text("a.txt b.txt\n\nonly-one\nc.txt d.txt\n")
    assert read_pairs(path) == [("a.txt", "b.txt"), ("c.txt", "d.txt")]


SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "pan13" / "train"


@pytest.mark.slow
def test_real_corpus_subset_quality_floor(tmp_path: Path) -> None:
    if not SHARED.is_dir():
        pytest.skip(f"PAN13 training corpus not found at {SHARED}")
    pairs = Path(__file__).resolve().parents[2] / "benchmarks" / "pan13" / "subset-200.pairs"
    report = run_pan13(SHARED, tmp_path / "out", pairs, AlignConfig(), workers=2)
    assert report.overall.score is not None
    assert report.overall.score.plagdet >= 0.85


def test_unreadable_empty_and_unpunctuated_documents(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus")
    (corpus / "src" / "source-document00003.txt").write_text("", encoding="utf-8")
    (corpus / "src" / "source-document00004.txt").write_text("words without any stop " * 500, encoding="utf-8")
    (corpus / "susp" / "suspicious-document00009.txt").mkdir()  # exists but cannot be read as a file
    subset = tmp_path / "subset.pairs"
    subset.write_text(
        "suspicious-document00001.txt source-document00003.txt\n"
        "suspicious-document00001.txt source-document00004.txt\n"
        "suspicious-document00009.txt source-document00001.txt\n"
    )
    report = run_pan13(corpus, tmp_path / "out", subset, AlignConfig(semantic=False), workers=1)
    assert report.processed == 2
    assert report.missing == ("suspicious-document00009.txt source-document00001.txt",)
    assert read_annotations(tmp_path / "out" / "suspicious-document00001-source-document00003.xml") == []
