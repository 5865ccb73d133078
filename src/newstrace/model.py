"""Typed values passed between pipeline stages. No I/O here.

Offsets are half-open ``[start, end)`` character offsets (Python ``str`` indices) into
``Article.text`` as ingested (after removing a ``.txt`` date prefix).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Precision = Literal["day", "month", "year"]
SpanKind = Literal["exact", "near", "paraphrase", "translation"]
Relation = Literal["verbatim", "light_edit", "paraphrase", "translation", "summary"]
Direction = Literal["dated", "inferred"]

SPAN_KINDS: tuple[SpanKind, ...] = ("exact", "near", "paraphrase", "translation")
RELATIONS: tuple[Relation, ...] = ("verbatim", "light_edit", "paraphrase", "translation", "summary")


@dataclass(frozen=True, slots=True)
class PubDate:
    """A publication date that may be coarse: somewhere in ``[earliest, latest]`` (inclusive)."""

    earliest: dt.date
    latest: dt.date
    precision: Precision = "day"

    @classmethod
    def day(cls, d: dt.date) -> PubDate:
        return cls(d, d, "day")

    def iso(self) -> str:
        """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` depending on precision."""
        if self.precision == "day":
            return self.earliest.isoformat()
        if self.precision == "month":
            return self.earliest.strftime("%Y-%m")
        return f"{self.earliest.year:04d}"

    @property
    def midpoint(self) -> dt.date:
        return self.earliest + (self.latest - self.earliest) / 2


@dataclass(frozen=True, slots=True)
class Article:
    """One ingested article. ``text`` is the exact text all offsets refer to."""

    id: str
    text: str
    date: PubDate | None = None
    url: str | None = None
    site: str | None = None
    title: str | None = None
    language: str | None = None
    metadata: Mapping[str, object] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    origin: str = ""  # where the record came from: "path" or "path:line"


@dataclass(frozen=True, slots=True)
class SkippedRecord:
    """An input record that could not become an Article; kept so ``in = ok + skipped`` holds."""

    id: str
    reason: str
    origin: str = ""


IngestResult = Article | SkippedRecord


@dataclass(frozen=True, slots=True)
class Segment:
    """A sentence (or sentence-like unit) of an article: ``text == article.text[start:end]``."""

    article_id: str
    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Span:
    """An aligned passage pair: derived ``[derived_start, derived_end)`` reuses the source range."""

    derived_start: int
    derived_end: int
    source_start: int
    source_end: int
    kind: SpanKind
    score: float = 1.0


@dataclass(frozen=True, slots=True)
class Credit:
    """An agency or outlet the text credits, with the matched character span."""

    name: str
    start: int
    end: int
    form: str = ""  # e.g. "dateline", "closing", "according_to", "byline"


@dataclass(frozen=True, slots=True)
class Dateline:
    """Place and (when stated) the event date of a dateline such as ``KYIV, Ukraine (AP) —``."""

    place: str | None
    start: int
    end: int
    event_date: dt.date | None = None  # a weekday or relative date resolved against the publication date
    time_phrase: str | None = None  # the words it was resolved from, e.g. "this Thursday"


@dataclass(frozen=True, slots=True)
class Signal:
    """Evidence about an article on its own: a hint for a person to check, never a verdict."""

    kind: str  # machine_translation, generic_filler, spun, stale, scraper_marker, ...
    start: int
    end: int
    score: float
    evidence: str


@dataclass(frozen=True, slots=True)
class ArticleSignals:
    article_id: str
    credits: tuple[Credit, ...] = ()
    dateline: Dateline | None = None
    signals: tuple[Signal, ...] = ()


@dataclass(frozen=True, slots=True)
class Changes:
    """What a copy added, dropped or changed relative to its source (short strings)."""

    added: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    filler: tuple[str, ...] = ()  # inserted sentences that carry no fact of the story


@dataclass(frozen=True, slots=True)
class Candidate:
    """A pair worth aligning: ``derived`` is the later (or inferred later) article."""

    derived: str
    source: str
    score: float
    via: tuple[str, ...] = ()  # which generators proposed it: "lsh", "vector", "anchor"
    # True when the dates cannot order the pair (missing, same day, overlapping coarse dates): then
    # ``source`` is just the smaller id and the provenance stage must decide the direction.
    undirected: bool = False


@dataclass(frozen=True, slots=True)
class Link:
    """A derived → source relation, as written to ``links.jsonl``."""

    derived: str
    source: str
    relation: Relation
    score: float
    origin: str
    lag_days: float | None
    attributed: bool
    stale: bool
    derived_coverage: float
    source_coverage: float
    spans: tuple[Span, ...] = ()
    changes: Changes = field(default_factory=Changes)
    direction: Direction = "dated"


@dataclass(frozen=True, slots=True)
class Story:
    id: str
    articles: tuple[str, ...]
    origins: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SiteProfile:
    site: str
    articles: int
    derived_share: float
    uncredited_share: float
    median_lag_days: float | None
