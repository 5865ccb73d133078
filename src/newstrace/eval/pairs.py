"""Labelled-pair evaluation: derived-vs-not precision/recall/F1 and the relation confusion matrix.

Reads any of three shapes:
- COUNTER (``label`` WD/PD/ND, ``source`` / ``derived`` objects with ``headline``, ``body``, ``newsdate``):
  WD and PD are derived, ND is not; the texts are Urdu.
- crossling (``text_a``, ``text_b``, ``lang_a``, ``lang_b``, ``label`` translation|unrelated): ``text_b`` is taken as
  the derived side (direction does not matter for a translation).
- the example corpus: a directory (or its ``expected_links.jsonl``) with ``articles.jsonl`` and optionally
  ``expected_independent.jsonl``; each expected link is a derived pair of its relation, each independent pair is not.
Each pair is aligned with :func:`newstrace.align.align_pair` and classified with
:func:`newstrace.classify.classify_pair`, exactly as ``trace`` does.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from newstrace.align import align_pair
from newstrace.classify import PairFeatures, classify_pair, pair_features
from newstrace.config import RunConfig
from newstrace.errors import InputError
from newstrace.model import Article, PubDate

log = logging.getLogger(__name__)

NONE = "none"  # the predicted "relation" of a pair that is not linked


@dataclass(frozen=True, slots=True)
class LabelledPair:
    """One labelled pair: is ``derived`` made from ``source``, and the gold label as the dataset writes it."""

    id: str
    derived: Article
    source: Article
    is_derived: bool
    label: str  # WD/PD/ND, translation/unrelated, a relation, or "independent"
    dataset: str


@dataclass(frozen=True, slots=True)
class PairResult:
    """The prediction for one labelled pair, with the features it rested on."""

    id: str
    dataset: str
    label: str
    is_derived: bool
    predicted: str  # a relation or "none"
    score: float
    independent: bool
    features: PairFeatures
    reason: str


@dataclass(frozen=True, slots=True)
class PairEvalReport:
    """Derived-vs-not counts and measures, the relation confusion matrix and the per-pair results."""

    source: str
    results: tuple[PairResult, ...]
    skipped: int = 0
    skip_reasons: tuple[str, ...] = ()
    confusion: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def tp(self) -> int:
        return sum(1 for r in self.results if r.is_derived and r.predicted != NONE)

    @property
    def fp(self) -> int:
        return sum(1 for r in self.results if not r.is_derived and r.predicted != NONE)

    @property
    def fn(self) -> int:
        return sum(1 for r in self.results if r.is_derived and r.predicted == NONE)

    @property
    def tn(self) -> int:
        return sum(1 for r in self.results if not r.is_derived and r.predicted == NONE)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def relation_accuracy(self) -> float | None:
        """Share of linked, truly derived pairs whose gold label is a relation and whose relation is right."""
        from newstrace.model import RELATIONS

        typed = [r for r in self.results if r.label in RELATIONS and r.predicted != NONE]
        return sum(r.predicted == r.label for r in typed) / len(typed) if typed else None

    def format_table(self) -> str:
        """A plain-text summary: counts, P/R/F1, relation accuracy and the confusion matrix (gold rows)."""
        lines = [
            f"pairs: {self.source}",
            f"evaluated {len(self.results)}, skipped {self.skipped}",
            f"derived-vs-not  TP {self.tp}  FP {self.fp}  FN {self.fn}  TN {self.tn}",
            f"precision {self.precision:.3f}  recall {self.recall:.3f}  F1 {self.f1:.3f}",
        ]
        acc = self.relation_accuracy
        if acc is not None:
            lines.append(f"relation accuracy (linked derived pairs with a gold relation) {acc:.3f}")
        gold = sorted({g for g, _ in self.confusion})
        pred = sorted({p for _, p in self.confusion}, key=lambda p: (p == NONE, p))
        if gold:
            # Columns cut to 10 characters so the matrix fits an 80-column terminal ("translatio" = translation).
            head = max(len("gold \\ pred"), *(len(g) for g in gold)) + 1
            lines.append("")
            lines.append("gold \\ pred".ljust(head) + "".join(p[:10].rjust(11) for p in pred))
            for g in gold:
                lines.append(g.ljust(head) + "".join(str(self.confusion.get((g, p), 0)).rjust(11) for p in pred))
        for reason in self.skip_reasons[:10]:
            lines.append(f"skipped: {reason}")
        return "\n".join(lines)


def _counter_date(value: object) -> PubDate | None:
    """COUNTER ``newsdate`` is ``dd.mm.yy``."""
    try:
        return PubDate.day(dt.datetime.strptime(str(value), "%d.%m.%y").date())
    except ValueError:
        return None


def _counter_article(pair_id: str, side: str, doc: dict[str, object]) -> Article:
    headline = str(doc.get("headline") or "").strip()
    body = str(doc.get("body") or "").strip()
    text = f"{headline}\n\n{body}" if headline else body
    return Article(
        id=f"{pair_id}-{side}",
        text=text,
        date=_counter_date(doc.get("newsdate")),
        site=str(doc.get("newspaper") or "") or None,
        title=headline or None,
        language="ur",
    )


def _from_record(rec: dict[str, object], line_no: int) -> LabelledPair:
    """One JSONL record of the COUNTER or crossling shape → a LabelledPair (KeyError/ValueError when neither)."""
    label = str(rec["label"])
    if "text_a" in rec:
        pid = str(rec.get("id") or f"line{line_no}")
        lang_a, lang_b = str(rec.get("lang_a") or "") or None, str(rec.get("lang_b") or "") or None
        source = Article(id=f"{pid}-a", text=str(rec["text_a"]), language=lang_a)
        derived = Article(id=f"{pid}-b", text=str(rec["text_b"]), language=lang_b)
        if label not in ("translation", "unrelated"):
            raise ValueError(f"unknown crossling label {label!r}")
        return LabelledPair(pid, derived, source, label == "translation", label, "crossling")
    src, der = rec["source"], rec["derived"]
    if not isinstance(src, dict) or not isinstance(der, dict):
        raise ValueError("source/derived are not objects")
    if label not in ("WD", "PD", "ND"):
        raise ValueError(f"unknown COUNTER label {label!r}")
    pid = str(rec.get("pair_id") or f"line{line_no}")
    return LabelledPair(
        pid, _counter_article(pid, "d", der), _counter_article(pid, "s", src), label != "ND", label, "counter"
    )


def _iter_jsonl(path: Path, skips: list[str]) -> Iterator[LabelledPair]:
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                yield _from_record(rec, n)
            except (json.JSONDecodeError, KeyError, ValueError, TypeError) as exc:
                skips.append(f"{path.name}:{n}: {type(exc).__name__}: {exc}")


def _load_articles(corpus: Path) -> dict[str, Article]:
    """Articles of an example-corpus directory, through the normal ingest readers."""
    from newstrace.config import IngestConfig
    from newstrace.ingest import iter_articles

    out: dict[str, Article] = {}
    # The expected_*.jsonl files sit beside the articles; only the article files are read.
    paths = [p for p in (corpus / "articles.jsonl", corpus / "txt") if p.exists()]
    for item in iter_articles(paths, IngestConfig()):
        if isinstance(item, Article):
            out[item.id] = item
    return out


def _iter_corpus(corpus: Path, skips: list[str]) -> Iterator[LabelledPair]:
    articles = _load_articles(corpus)
    files = [(corpus / "expected_links.jsonl", True), (corpus / "expected_independent.jsonl", False)]
    for path, derived in files:
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                    a_id = str(rec.get("derived") or rec.get("a"))
                    b_id = str(rec.get("source") or rec.get("b"))
                    label = str(rec.get("relation") or "linked") if derived else "independent"
                except (json.JSONDecodeError, AttributeError) as exc:
                    skips.append(f"{path.name}:{n}: {exc}")
                    continue
                if a_id not in articles or b_id not in articles:
                    skips.append(f"{path.name}:{n}: unknown article id {a_id if a_id not in articles else b_id}")
                    continue
                a, b = articles[a_id], articles[b_id]
                if not derived and a.date is not None and b.date is not None and a.date.earliest < b.date.earliest:
                    # An independent pair is judged as trace would see it: the later article as the candidate copy.
                    a, b = b, a
                yield LabelledPair(f"{a.id}<-{b.id}", a, b, derived, label, "corpus")


def iter_labelled_pairs(path: Path, skips: list[str] | None = None) -> Iterator[LabelledPair]:
    """Labelled pairs from a COUNTER / crossling JSONL file or an example-corpus directory; bad records go to skips."""
    skips = [] if skips is None else skips
    if path.is_dir():
        yield from _iter_corpus(path, skips)
    elif path.name.startswith("expected_"):
        yield from _iter_corpus(path.parent, skips)
    elif path.is_file():
        yield from _iter_jsonl(path, skips)
    else:
        raise InputError(f"no such file or directory: {path}", hint="give a pairs JSONL file or a corpus directory")


def judge(pair: LabelledPair, config: RunConfig) -> PairResult:
    """Align and classify one labelled pair as ``trace`` would."""
    d, s = pair.derived, pair.source
    if d.language is None or s.language is None:
        from newstrace.langid import detect_language

        d = replace(d, language=d.language or detect_language(d.text, config.langid)[0])
        s = replace(s, language=s.language or detect_language(s.text, config.langid)[0])
    spans = align_pair(d.text, s.text, config.align, derived_lang=d.language, source_lang=s.language)
    feats = pair_features(d, s, spans, config=config.classify)
    verdict = classify_pair(feats, config.classify)
    return PairResult(
        id=pair.id,
        dataset=pair.dataset,
        label=pair.label,
        is_derived=pair.is_derived,
        predicted=verdict.relation or NONE,
        score=verdict.score,
        independent=verdict.independent,
        features=feats,
        reason=verdict.reason,
    )


def report_from_results(source: str, results: list[PairResult], skips: list[str]) -> PairEvalReport:
    """Assemble a report (confusion matrix included) from per-pair results."""
    confusion = Counter((r.label, r.predicted) for r in results)
    return PairEvalReport(
        source=source, results=tuple(results), skipped=len(skips), skip_reasons=tuple(skips), confusion=dict(confusion)
    )


def evaluate_pairs(
    path: Path,
    config: RunConfig | None = None,
    limit: int | None = None,
    *,
    progress: Callable[[int, int | None], None] | None = None,
) -> PairEvalReport:
    """Evaluate the link decision and relation typing on labelled pairs (see the module docstring for shapes)."""
    config = config or RunConfig()
    skips: list[str] = []
    results: list[PairResult] = []
    for pair in iter_labelled_pairs(path, skips):
        if limit is not None and len(results) >= limit:
            break
        if not pair.derived.text.strip() or not pair.source.text.strip():
            skips.append(f"{pair.id}: empty text")
            continue
        results.append(judge(pair, config))
        if progress is not None:
            progress(len(results), limit)
    log.info("pairs %s: %d evaluated, %d skipped", path, len(results), len(skips))
    return report_from_results(str(path), results, skips)
