"""Single-article provenance signals: credits, dateline and marks of translation, filler, spinning, staleness and
scraping. Every signal is evidence for a person to check, never a verdict; see docs/signals.md.

Entry point: :func:`detect_signals`. Helpers other stages use: :func:`canonical_agency`, :func:`site_outlet`,
:func:`is_generic_sentence`, :func:`detect_stale`.
"""

from __future__ import annotations

import logging
from typing import Literal

from newstrace.config import SignalConfig
from newstrace.model import Article, ArticleSignals, Credit, Dateline, Signal
from newstrace.signals.agencies import canonical_agency, is_agency, site_outlet
from newstrace.signals.credits import detect_credits
from newstrace.signals.dateline import detect_dateline
from newstrace.signals.filler import detect_filler, is_generic_sentence
from newstrace.signals.mt import detect_machine_translation
from newstrace.signals.scraper import detect_scraper_markers
from newstrace.signals.spun import detect_spun
from newstrace.signals.stale import detect_stale, stale_signal

__all__ = [
    "canonical_agency",
    "detect_credits",
    "detect_dateline",
    "detect_signals",
    "detect_stale",
    "is_agency",
    "is_generic_sentence",
    "site_outlet",
]

logger = logging.getLogger(__name__)


def _language(article: Article) -> str | None:
    lang = (article.language or "").strip().lower()
    return lang[:2] if len(lang) >= 2 and lang not in ("und", "unknown") else None


def detect_signals(article: Article, config: SignalConfig) -> ArticleSignals:
    """Credits, dateline and signals of one article (offsets into ``article.text``)."""
    text = article.text or ""
    if not text.strip():
        return ArticleSignals(article.id)
    lang = _language(article)
    # Bounded work on huge records: the head holds datelines and nearly all evidence; the tail holds closing credits.
    head = text[: config.max_chars]
    credits: list[Credit] = list(detect_credits(head, config))
    if len(text) > len(head):
        logger.info("article %s: %d chars, signals computed on the first %d and the last %d", article.id, len(text),
                    len(head), config.tail_chars)
        tail_start = max(len(head), len(text) - config.tail_chars)
        credits += [Credit(c.name, c.start + tail_start, c.end + tail_start, c.form)
                    for c in detect_credits(text[tail_start:], config)]
    dateline = detect_dateline(head, article.date, config, lang)
    signals: list[Signal] = []
    signals += detect_machine_translation(head, lang, config)
    signals += detect_filler(head, lang, config)
    signals += detect_spun(head, config)
    # The stale check reads the dateline too: reuse it when it was resolved against a day-precise date, as there.
    known: Dateline | Literal[False] | None = (
        dateline if article.date is not None and article.date.precision == "day" else False
    )
    stale = stale_signal(head, article.date, None, config, lang, known)
    if stale is not None:
        signals.append(stale)
    signals += detect_scraper_markers(head, config)
    signals.sort(key=lambda s: (s.start, s.end, s.kind))
    return ArticleSignals(
        article_id=article.id,
        credits=tuple(credits),
        dateline=dateline,
        signals=tuple(signals),
    )
