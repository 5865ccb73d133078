"""Dataclass ↔ JSON-ready dict conversion, shared by the store, the JSONL writers, the report and the API.

The output shapes are the contract in INTERFACE.md; keep them in one place.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from newstrace.model import (
    Article,
    ArticleSignals,
    Changes,
    Credit,
    Dateline,
    Link,
    PubDate,
    Signal,
    SiteProfile,
    SkippedRecord,
    Span,
    Story,
)


def _round(x: float | None, nd: int = 4) -> float | None:
    return None if x is None else round(float(x), nd)


def pubdate_from_iso(value: str | None) -> PubDate | None:
    """Inverse of ``PubDate.iso`` (for values this package wrote)."""
    if not value:
        return None
    parts = value.split("-")
    y = int(parts[0])
    if len(parts) == 1:
        return PubDate(dt.date(y, 1, 1), dt.date(y, 12, 31), "year")
    m = int(parts[1])
    if len(parts) == 2:
        nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
        return PubDate(dt.date(y, m, 1), nxt - dt.timedelta(days=1), "month")
    return PubDate.day(dt.date(y, m, int(parts[2])))


def credit_dict(c: Credit) -> dict[str, Any]:
    return {"name": c.name, "start": c.start, "end": c.end, "form": c.form}


def signal_dict(s: Signal) -> dict[str, Any]:
    return {"kind": s.kind, "start": s.start, "end": s.end, "score": _round(s.score, 3), "evidence": s.evidence}


def dateline_dict(d: Dateline | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {
        "place": d.place,
        "start": d.start,
        "end": d.end,
        "event_date": d.event_date.isoformat() if d.event_date else None,
        "time_phrase": d.time_phrase,
    }


def article_row(article: Article, signals: ArticleSignals | None = None) -> dict[str, Any]:
    """One ``articles.jsonl`` line for an ingested article."""
    row: dict[str, Any] = {
        "id": article.id,
        "site": article.site,
        "date": article.date.iso() if article.date else None,
        "language": article.language,
        "chars": len(article.text),
        "status": "ok",
        "warnings": list(article.warnings),
        "title": article.title,
        "url": article.url,
    }
    if signals is not None:
        row["credits"] = [credit_dict(c) for c in signals.credits]
        row["dateline"] = dateline_dict(signals.dateline)
        row["signals"] = [signal_dict(s) for s in signals.signals]
    return row


def skipped_row(rec: SkippedRecord) -> dict[str, Any]:
    """One ``articles.jsonl`` line for a record that could not be ingested."""
    return {
        "id": rec.id,
        "site": None,
        "date": None,
        "language": None,
        "chars": 0,
        "status": "skipped",
        "reason": rec.reason,
        "warnings": [],
        "origin": rec.origin,
    }


def span_dict(s: Span) -> dict[str, Any]:
    return {
        "derived_start": s.derived_start,
        "derived_end": s.derived_end,
        "source_start": s.source_start,
        "source_end": s.source_end,
        "kind": s.kind,
        "score": _round(s.score, 3),
    }


def span_from_dict(d: dict[str, Any]) -> Span:
    return Span(
        int(d["derived_start"]),
        int(d["derived_end"]),
        int(d["source_start"]),
        int(d["source_end"]),
        d["kind"],
        float(d.get("score", 1.0)),
    )


def changes_dict(c: Changes) -> dict[str, Any]:
    return {"added": list(c.added), "dropped": list(c.dropped), "changed": list(c.changed), "filler": list(c.filler)}


def changes_from_dict(d: dict[str, Any]) -> Changes:
    return Changes(
        tuple(d.get("added", ())), tuple(d.get("dropped", ())), tuple(d.get("changed", ())), tuple(d.get("filler", ()))
    )


def link_row(link: Link) -> dict[str, Any]:
    """One ``links.jsonl`` line."""
    return {
        "derived": link.derived,
        "source": link.source,
        "relation": link.relation,
        "score": _round(link.score),
        "origin": link.origin,
        "lag_days": _round(link.lag_days, 2),
        "attributed": link.attributed,
        "stale": link.stale,
        "direction": link.direction,
        "derived_coverage": _round(link.derived_coverage),
        "source_coverage": _round(link.source_coverage),
        "spans": [span_dict(s) for s in link.spans],
        "changes": changes_dict(link.changes),
    }


def link_from_row(d: dict[str, Any]) -> Link:
    return Link(
        derived=d["derived"],
        source=d["source"],
        relation=d["relation"],
        score=float(d["score"]),
        origin=d["origin"],
        lag_days=None if d.get("lag_days") is None else float(d["lag_days"]),
        attributed=bool(d["attributed"]),
        stale=bool(d["stale"]),
        derived_coverage=float(d["derived_coverage"]),
        source_coverage=float(d["source_coverage"]),
        spans=tuple(span_from_dict(s) for s in d.get("spans", ())),
        changes=changes_from_dict(d.get("changes", {})),
        direction=d.get("direction", "dated"),
    )


def story_row(s: Story) -> dict[str, Any]:
    return {"story": s.id, "articles": list(s.articles), "origins": list(s.origins)}


def site_row(p: SiteProfile) -> dict[str, Any]:
    return {
        "site": p.site,
        "articles": p.articles,
        "derived_share": _round(p.derived_share),
        "uncredited_share": _round(p.uncredited_share),
        "median_lag_days": _round(p.median_lag_days, 2),
    }


def dumps(row: dict[str, Any]) -> str:
    """Compact, deterministic JSON line (non-ASCII kept readable)."""
    return json.dumps(row, ensure_ascii=False, sort_keys=False, default=str)
