"""PAN text-alignment measures (Potthast et al., 2010): macro precision/recall over characters, granularity, plagdet.

A case (ground truth) and a detection are both a pair of character ranges, one in the suspicious document and one in
the source document. A detection *detects* a case when both belong to the same document pair and their ranges overlap
on both sides. Characters are counted on both sides, so a case of 100 suspicious and 400 source characters weighs 500.

- recall    = mean over cases s of |s ∩ (∪ detections that detect s)| / |s|
- precision = mean over detections r of |r ∩ (∪ cases that r detects)| / |r|
- granularity = mean over detected cases of the number of detections that detect it (1 is ideal)
- plagdet = F1 / log2(1 + granularity)
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Annotation:
    """A case or detection: ``[this_start, this_end)`` of ``susp`` matches ``[source_start, source_end)`` of ``src``."""

    susp: str
    src: str
    this_start: int
    this_end: int
    source_start: int
    source_end: int

    @property
    def size(self) -> int:
        """Characters on both sides."""
        return max(0, self.this_end - self.this_start) + max(0, self.source_end - self.source_start)


@dataclass(frozen=True, slots=True)
class PlagdetScore:
    """The four PAN measures plus the counts they were computed from."""

    precision: float
    recall: float
    granularity: float
    plagdet: float
    cases: int
    detections: int

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall (0 when both are 0)."""
        return _f1(self.precision, self.recall)


def _f1(p: float, r: float) -> float:
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def detects(r: Annotation, s: Annotation) -> bool:
    """True when ``r`` and ``s`` are in the same document pair and overlap in both documents."""
    return (
        r.susp == s.susp
        and r.src == s.src
        and _overlap(r.this_start, r.this_end, s.this_start, s.this_end) > 0
        and _overlap(r.source_start, r.source_end, s.source_start, s.source_end) > 0
    )


def _union_length(ranges: list[tuple[int, int]]) -> int:
    """Length of the union of half-open ranges."""
    total = 0
    cur_start = cur_end = -1
    for a, b in sorted(ranges):
        if b <= a:
            continue
        if a > cur_end:
            total += max(0, cur_end - cur_start)
            cur_start, cur_end = a, b
        else:
            cur_end = max(cur_end, b)
    total += max(0, cur_end - cur_start)
    return total


def _covered(target: Annotation, others: Sequence[Annotation]) -> float:
    """Share of ``target``'s characters (both sides) that lie inside the union of ``others``."""
    if target.size == 0:
        return 0.0
    this = [(max(o.this_start, target.this_start), min(o.this_end, target.this_end)) for o in others]
    source = [(max(o.source_start, target.source_start), min(o.source_end, target.source_end)) for o in others]
    return (_union_length(this) + _union_length(source)) / target.size


def _by_pair(items: Iterable[Annotation]) -> dict[tuple[str, str], list[Annotation]]:
    groups: dict[tuple[str, str], list[Annotation]] = defaultdict(list)
    for a in items:
        groups[(a.susp, a.src)].append(a)
    return groups


def _macro_coverage(targets: Sequence[Annotation], others: Sequence[Annotation]) -> float:
    """Mean over ``targets`` of the share covered by the ``others`` that overlap them on both sides."""
    groups = _by_pair(others)
    total = 0.0
    for t in targets:
        hits = [o for o in groups.get((t.susp, t.src), []) if detects(o, t)]
        total += _covered(t, hits)
    return total / len(targets)


def score(cases: Sequence[Annotation], detections: Sequence[Annotation]) -> PlagdetScore:
    """PAN precision, recall, granularity and plagdet of ``detections`` against ``cases``.

    Empty sets follow the official PAN scorer: with neither cases nor detections every measure is perfect; when only
    one side is empty, precision and recall are 0. Granularity is 1 when no case is detected.
    """
    if not cases and not detections:
        return PlagdetScore(1.0, 1.0, 1.0, 1.0, 0, 0)
    recall = _macro_coverage(cases, detections) if cases and detections else 0.0
    precision = _macro_coverage(detections, cases) if cases and detections else 0.0
    groups = _by_pair(detections)
    counts = [sum(1 for r in groups.get((s.susp, s.src), []) if detects(r, s)) for s in cases]
    detected = [c for c in counts if c > 0]
    granularity = sum(detected) / len(detected) if detected else 1.0
    plagdet = _f1(precision, recall) / math.log2(1 + granularity)
    return PlagdetScore(precision, recall, granularity, plagdet, len(cases), len(detections))
