"""PAN 2013 text alignment: read the corpus, align every pair, write PAN XML detections and score them.

Layout (``CORPUS_DIR``): ``src/*.txt``, ``susp/*.txt``, a ``pairs`` file of ``susp src`` lines, and optionally one
folder per obfuscation category holding its own ``pairs`` and the ground-truth XML of each of its pairs.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from newstrace.align import align_texts, prepare_text
from newstrace.config import AlignConfig, EmbedConfig
from newstrace.errors import InputError
from newstrace.eval.plagdet import Annotation, PlagdetScore, score
from newstrace.model import Span

log = logging.getLogger(__name__)

Pair = tuple[str, str]
UNLABELLED = "(no category)"


@dataclass(frozen=True, slots=True)
class FolderResult:
    """Scores of one obfuscation folder (or of the whole run)."""

    name: str
    pairs: int
    cases: int
    detections: int
    score: PlagdetScore | None  # None when the folder has no ground truth


@dataclass(frozen=True, slots=True)
class Pan13Report:
    """Outcome of a PAN 2013 run: per-folder and overall measures, counts, missing pairs and wall time."""

    folders: tuple[FolderResult, ...]
    overall: FolderResult
    pairs: int
    processed: int
    missing: tuple[str, ...] = field(default=())
    wall_seconds: float = 0.0

    def format_table(self) -> str:
        """A fixed-width table: one row per folder plus the overall row."""
        head = f"{'folder':<30} {'pairs':>6} {'cases':>6} {'dets':>6} {'PlagDet':>8} {'prec':>6} {'rec':>6} {'gran':>6}"
        lines = [head, "-" * len(head)]
        for row in (*self.folders, self.overall):
            if row.score is None:
                lines.append(f"{row.name:<30} {row.pairs:>6} {'-':>6} {row.detections:>6}")
                continue
            sc = row.score
            lines.append(
                f"{row.name:<30} {row.pairs:>6} {row.cases:>6} {row.detections:>6} {sc.plagdet:>8.4f} "
                f"{sc.precision:>6.4f} {sc.recall:>6.4f} {sc.granularity:>6.4f}"
            )
        lines.append(
            f"pairs processed {self.processed}/{self.pairs}, missing {len(self.missing)}, "
            f"wall time {self.wall_seconds:.1f} s"
        )
        return "\n".join(lines)


def read_pairs(path: Path) -> list[Pair]:
    """``susp src`` lines of a pairs file; blank and malformed lines are skipped with a warning."""
    pairs: list[Pair] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 2:
            log.warning("%s:%d: expected 'susp src', skipped", path, n)
            continue
        pairs.append((parts[0], parts[1]))
    return pairs


def read_annotations(path: Path) -> list[Annotation]:
    """Plagiarism cases or detections of one PAN XML file (features named ``plagiarism`` or ``detected-plagiarism``)."""
    root = ET.parse(path).getroot()
    susp = root.get("reference", "")
    out: list[Annotation] = []
    for feat in root.iter("feature"):
        if feat.get("name") not in ("plagiarism", "detected-plagiarism"):
            continue
        t0, s0 = int(feat.get("this_offset", "0")), int(feat.get("source_offset", "0"))
        t1, s1 = t0 + int(feat.get("this_length", "0")), s0 + int(feat.get("source_length", "0"))
        out.append(Annotation(susp, feat.get("source_reference", ""), t0, t1, s0, s1))
    return out


def detections_xml(susp: str, src: str, spans: Sequence[Span]) -> str:
    """PAN XML of one pair's detections (offsets and lengths in characters of the two texts)."""
    lines = [f"<document reference={quoteattr(susp)}>"]
    for sp in spans:
        lines.append(
            f'<feature name="detected-plagiarism" this_offset="{sp.derived_start}" '
            f'this_length="{sp.derived_end - sp.derived_start}" source_reference={quoteattr(src)} '
            f'source_offset="{sp.source_start}" source_length="{sp.source_end - sp.source_start}"/>'
        )
    lines.append("</document>")
    return "\n".join(lines) + "\n"


def _stem(name: str) -> str:
    return name[:-4] if name.endswith(".txt") else name


def _folders(corpus_dir: Path) -> dict[Pair, str]:
    """Category folder of each pair, from the ``pairs`` file inside each sub-folder that has one."""
    owner: dict[Pair, str] = {}
    for sub in sorted(p for p in corpus_dir.iterdir() if p.is_dir() and (p / "pairs").is_file()):
        for pair in read_pairs(sub / "pairs"):
            owner[pair] = sub.name
    return owner


def _read(path: Path) -> str | None:
    """Text of a corpus file, or None when it is missing or unreadable (the pair is then reported and skipped)."""
    try:
        # PAN texts are UTF-8; a stray invalid byte must not lose the whole document.
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        log.warning("cannot read %s: %s", path, exc)
        return None


@dataclass(frozen=True, slots=True)
class _Task:
    corpus_dir: Path
    out_dir: Path
    susp: str
    srcs: tuple[str, ...]
    config: AlignConfig


def _align_group(task: _Task) -> list[tuple[Pair, list[Span] | None]]:
    """Align one suspicious document with each of its sources and write their XML; None marks a missing pair."""
    results: list[tuple[Pair, list[Span] | None]] = []
    susp_path = task.corpus_dir / "susp" / task.susp
    susp_text = _read(susp_path)
    d = prepare_text(susp_text, task.config) if susp_text is not None else None
    # One BLAS thread per worker: the pool already keeps every core busy.
    embed_config = EmbedConfig(threads=1)
    for src in task.srcs:
        src_text = _read(task.corpus_dir / "src" / src) if d is not None else None
        if d is None or src_text is None:
            results.append(((task.susp, src), None))
            continue
        s = prepare_text(src_text, task.config)
        spans = align_texts(d, s, task.config, embed_config=embed_config)
        (task.out_dir / f"{_stem(task.susp)}-{_stem(src)}.xml").write_text(
            detections_xml(task.susp, src, spans), encoding="utf-8"
        )
        results.append(((task.susp, src), spans))
    return results


def run_pan13(
    corpus_dir: Path,
    out_dir: Path,
    pairs_file: Path | None,
    config: AlignConfig,
    workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> Pan13Report:
    """Align every pair of ``pairs_file`` (default ``corpus_dir/pairs``), write PAN XML into ``out_dir``, score it.

    Pairs are grouped by suspicious document, so each is read and prepared once per worker; only sentences that
    pass the lexical gate are embedded (see ``align._gate``). Missing files are reported and skipped.
    """
    started = time.monotonic()
    pairs_path = pairs_file or corpus_dir / "pairs"
    if not pairs_path.is_file():
        raise InputError(f"no pairs file at {pairs_path}", hint="pass --pairs FILE or use a PAN 2013 corpus directory")
    pairs = list(dict.fromkeys(read_pairs(pairs_path)))
    out_dir.mkdir(parents=True, exist_ok=True)
    owner = _folders(corpus_dir)

    by_susp: dict[str, list[str]] = defaultdict(list)
    for s, r in pairs:
        by_susp[s].append(r)
    align_tasks = [_Task(corpus_dir, out_dir, s, tuple(rs), config) for s, rs in by_susp.items()]
    found: dict[Pair, list[Span] | None] = {}
    for result in _map(_align_group, align_tasks, workers):
        for pair, spans in result:
            found[pair] = spans
        if progress is not None:
            progress(len(found), len(pairs))

    missing = tuple(f"{s} {r}" for (s, r), spans in found.items() if spans is None)
    for line in missing:
        log.warning("pair skipped, file missing: %s", line)
    folders, overall = _score(corpus_dir, pairs, found, owner)
    return Pan13Report(folders, overall, len(pairs), len(pairs) - len(missing), missing, time.monotonic() - started)


def _map(fn: Callable[[Any], Any], tasks: Sequence[Any], workers: int) -> Iterator[Any]:
    """Map ``fn`` over ``tasks`` in a process pool (in order of completion), or inline when one worker suffices."""
    if workers <= 1 or len(tasks) <= 1:
        yield from map(fn, tasks)
        return
    with mp.get_context("fork").Pool(workers) as pool:
        yield from pool.imap_unordered(fn, tasks)


def _score(
    corpus_dir: Path, pairs: list[Pair], found: dict[Pair, list[Span] | None], owner: dict[Pair, str]
) -> tuple[tuple[FolderResult, ...], FolderResult]:
    """Per-folder and overall PAN measures for the pairs that have ground truth XML."""
    cases: dict[str, list[Annotation]] = defaultdict(list)
    dets: dict[str, list[Annotation]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    labelled: dict[str, bool] = defaultdict(bool)
    for pair in pairs:
        spans = found.get(pair)
        if spans is None:
            continue
        folder = owner.get(pair, UNLABELLED)
        counts[folder] += 1
        truth = corpus_dir / folder / f"{_stem(pair[0])}-{_stem(pair[1])}.xml"
        if folder != UNLABELLED and truth.is_file():
            labelled[folder] = True
            cases[folder].extend(a for a in read_annotations(truth) if a.src == pair[1])
        dets[folder].extend(
            Annotation(pair[0], pair[1], sp.derived_start, sp.derived_end, sp.source_start, sp.source_end)
            for sp in spans
        )
    rows = []
    for folder in sorted(counts):
        sc = score(cases[folder], dets[folder]) if labelled[folder] else None
        rows.append(FolderResult(folder, counts[folder], len(cases[folder]), len(dets[folder]), sc))
    all_cases = [a for f in counts if labelled[f] for a in cases[f]]
    all_dets = [a for f in counts if labelled[f] for a in dets[f]]
    any_truth = any(labelled.values())
    overall = FolderResult(
        "overall",
        sum(counts.values()),
        len(all_cases),
        sum(len(v) for v in dets.values()),
        score(all_cases, all_dets) if any_truth else None,
    )
    return tuple(rows), overall
