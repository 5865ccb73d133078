"""Hand-computed cases for the PAN measures."""

from __future__ import annotations

import math

import pytest

from newstrace.eval.plagdet import Annotation, detects, score


def ann(t0: int, t1: int, s0: int, s1: int, susp: str = "s1", src: str = "r1") -> Annotation:
    return Annotation(susp, src, t0, t1, s0, s1)


def test_perfect_detection() -> None:
    case = ann(0, 100, 50, 150)
    result = score([case], [case])
    assert (result.precision, result.recall, result.granularity, result.plagdet) == (1.0, 1.0, 1.0, 1.0)


def test_half_detection_counts_both_sides() -> None:
    # Detection covers the first half of the case on both sides: recall 100/200, precision 1.
    result = score([ann(0, 100, 0, 100)], [ann(0, 50, 0, 50)])
    assert result.recall == pytest.approx(0.5)
    assert result.precision == pytest.approx(1.0)
    assert result.plagdet == pytest.approx(2 * 0.5 / 1.5)


def test_unequal_sides_weigh_by_characters() -> None:
    # Case: 100 susp chars, 300 src chars (a summary). Detection finds all of susp and 100 src chars.
    result = score([ann(0, 100, 0, 300)], [ann(0, 100, 0, 100)])
    assert result.recall == pytest.approx(200 / 400)
    assert result.precision == pytest.approx(1.0)


def test_overshoot_lowers_precision() -> None:
    # Detection 0-200 on both sides, case 0-100 on both: precision 200/400.
    result = score([ann(0, 100, 0, 100)], [ann(0, 200, 0, 200)])
    assert result.precision == pytest.approx(0.5)
    assert result.recall == pytest.approx(1.0)


def test_granularity_two_pieces() -> None:
    case = ann(0, 100, 0, 100)
    dets = [ann(0, 50, 0, 50), ann(50, 100, 50, 100)]
    result = score([case], dets)
    assert result.granularity == 2.0
    assert result.recall == pytest.approx(1.0)
    assert result.precision == pytest.approx(1.0)
    assert result.plagdet == pytest.approx(1 / math.log2(3))


def test_overlap_on_one_side_only_does_not_detect() -> None:
    case = ann(0, 100, 0, 100)
    wrong_source = ann(0, 100, 500, 600)
    assert not detects(wrong_source, case)
    result = score([case], [wrong_source])
    assert result.recall == 0.0
    assert result.precision == 0.0
    assert result.plagdet == 0.0


def test_other_document_pair_does_not_detect() -> None:
    case = ann(0, 100, 0, 100)
    other = ann(0, 100, 0, 100, src="r2")
    assert not detects(other, case)
    assert score([case], [other]).recall == 0.0


def test_macro_average_over_cases_and_detections() -> None:
    # Case A fully found, case B missed: recall (1 + 0) / 2. One false detection elsewhere: precision (1 + 0) / 2.
    a, b = ann(0, 100, 0, 100), ann(0, 100, 0, 100, susp="s2")
    false = ann(0, 100, 0, 100, susp="s3")
    result = score([a, b], [a, false])
    assert result.recall == pytest.approx(0.5)
    assert result.precision == pytest.approx(0.5)
    assert result.granularity == 1.0


def test_overlapping_detections_are_not_double_counted() -> None:
    case = ann(0, 100, 0, 100)
    dets = [ann(0, 80, 0, 80), ann(20, 100, 20, 100)]
    result = score([case], dets)
    assert result.recall == pytest.approx(1.0)
    assert result.granularity == 2.0


def test_empty_sets_follow_official_conventions() -> None:
    assert score([], []).plagdet == 1.0
    assert score([], [ann(0, 10, 0, 10)]).precision == 0.0
    missed = score([ann(0, 10, 0, 10)], [])
    assert missed.recall == 0.0
    assert missed.plagdet == 0.0
