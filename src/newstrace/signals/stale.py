"""Stale: a text that tells an old event as if it were new.

Evidence, strongest first:
- the event's date is known (from a source article) and lies ``stale_min_days`` or more before publication;
  the score rises when the text still uses present time words ("this Thursday", "today", "last night");
- the text's own dateline carries a date weeks before publication ("Kiev, 28 sep (EFE)" published 9 November);
- a time word sits next to an explicit date weeks before publication ("this Thursday, September 28");
- "today, Thursday" when the publication day is not a Thursday.
Score meaning: 0.5 = a real date gap with no sign the text presents it as current (may be a legitimate follow-up);
0.7-0.8 = the text's own time words or dateline contradict its publication date; ≥ 0.9 = both a known gap and
present time words.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from newstrace.config import SignalConfig
from newstrace.model import Dateline, PubDate, Signal
from newstrace.signals._text import Needs, sentences
from newstrace.signals._time import WEEKDAY_ALTERNATION, TimeRef, explicit_dates, time_phrases, weekday_of
from newstrace.signals.dateline import detect_dateline

_TODAY_WEEKDAY = re.compile(
    r"(?i)\b(?:today|hoy|aujourd['’]hui|heute|hoje)[\s,(]+(?:el\s+|ce\s+|am\s+|nesta\s+|neste\s+)?"
    rf"(?P<wd>{WEEKDAY_ALTERNATION})\b"
)
_TODAY_NEEDS = Needs([_TODAY_WEEKDAY.pattern], ignorecase=True)  # "today", "hoy", …: most texts have none
_NEAR_CHARS = 40
# Only words that point at "now" make an old date current: "this Thursday, September 28" is, "on Monday, May 19" is
# an ordinary dated reference.
_DEICTIC = re.compile(
    r"(?i)(?:this|este|esta|ce|cette|diesen|dieser|diesem|nesta|neste|today|hoy|aujourd|heute|hoje|yesterday|ayer|"
    r"gestern|ontem|tonight|last\s+night|anoche)\b"
)
_ADJACENT = re.compile(r"[\s,(]*")  # what may separate a time word from the date it names


def _pub_day(pub_date: PubDate | dt.date | None) -> tuple[dt.date | None, bool]:
    """The publication day to compare with, and whether it is exact."""
    if pub_date is None:
        return None, False
    if isinstance(pub_date, PubDate):
        return pub_date.earliest, pub_date.precision == "day"
    return pub_date, True


def detect_stale(
    text: str,
    pub_date: PubDate | dt.date | None,
    known_event_date: dt.date | None,
    config: SignalConfig,
    lang: str | None = None,
) -> Signal | None:
    """A ``stale`` signal when the text's time words, its dates or a known event date contradict its publication."""
    return stale_signal(text, pub_date, known_event_date, config, lang)


def stale_signal(
    text: str,
    pub_date: PubDate | dt.date | None,
    known_event_date: dt.date | None,
    config: SignalConfig,
    lang: str | None = None,
    dateline: Dateline | Literal[False] | None = False,
) -> Signal | None:
    """:func:`detect_stale`, reusing ``dateline`` when the caller has already found it with a day-precise
    publication date (``False``: not known, look for it)."""
    pub, exact = _pub_day(pub_date)
    if pub is None or not text.strip():
        return None
    text = text[: config.max_chars]
    if known_event_date is None and not exact:
        return None  # both kinds of evidence below need one of them
    rel = time_phrases(text, 0, len(text), pub if exact else None, lang)
    found: list[tuple[float, int, int, str]] = []
    if known_event_date is not None:
        hit = _known_gap(text, pub, known_event_date, rel, config)
        if hit:
            found.append(hit)
    if exact:
        found.extend(_own_contradictions(text, pub, rel, config, lang, dateline))
    if not found:
        return None
    found.sort(key=lambda f: -f[0])
    score, start, end, evidence = found[0]
    others = [f[3] for f in found[1:3]]
    if others:
        evidence = "; ".join([evidence, *others])
    return Signal("stale", start, end, round(score, 3), evidence)


def _known_gap(text: str, pub: dt.date, event: dt.date, rel: list[TimeRef],
               config: SignalConfig) -> tuple[float, int, int, str] | None:
    lag = (pub - event).days
    if lag < config.stale_min_days:
        return None
    evidence = f"event dated {event.isoformat()} but published {pub.isoformat()} ({lag} days later)"
    score = 0.5 + min(0.15, 0.15 * lag / 60)
    if rel:
        r = rel[0]
        score += 0.3
        evidence += f"; the text still says {r.phrase!r} as if current"
        return min(score, 1.0), r.start, r.end, evidence
    dates = [d for d in explicit_dates(text, 0, len(text), pub) if d.date == event]
    if dates:
        score -= 0.1  # the text names the event's own date: more likely a dated follow-up than a disguised re-run
        evidence += f"; the text itself dates it {dates[0].phrase!r}"
    first = sentences(text, 0, min(len(text), 1000))
    s, e = first[0] if first else (0, min(len(text), 200))
    return score, s, e, evidence


def _adjacent(text: str, end: int, start: int) -> bool:
    """Whether only spaces, commas or an opening bracket lie between ``end`` and ``start`` (or they overlap)."""
    return start <= end or _ADJACENT.fullmatch(text, end, start) is not None


def _own_contradictions(text: str, pub: dt.date, rel: list[TimeRef], config: SignalConfig, lang: str | None,
                        dateline: Dateline | Literal[False] | None = False) -> list[tuple[float, int, int, str]]:
    out: list[tuple[float, int, int, str]] = []
    min_days = config.stale_min_days
    dl = detect_dateline(text, PubDate.day(pub), config, lang) if dateline is False else dateline
    if dl is not None and dl.place is not None and dl.event_date is not None and dl.time_phrase:
        lag = (pub - dl.event_date).days
        if lag >= min_days and any(ch.isdigit() for ch in dl.time_phrase):
            out.append((0.75, dl.start, dl.end,
                        f"dateline says {dl.time_phrase!r} ({dl.event_date.isoformat()}), {lag} days before "
                        f"publication {pub.isoformat()}"))
    if rel:
        dates = explicit_dates(text, 0, len(text), pub)
        j = 0
        for d in dates:
            # A time word right before (or overlapping) this date names the same day: "this Thursday, September 28".
            while j < len(rel) and rel[j].end < d.start - _NEAR_CHARS:
                j += 1
            near = [r for r in rel[j : j + 3]
                    if r.start <= d.start and _adjacent(text, r.end, d.start) and _DEICTIC.match(r.phrase)]
            if not near or d.date is None:
                continue
            lag = (pub - d.date).days
            if lag >= min_days:
                r = near[0]
                start, end = r.start, max(r.end, d.end)
                out.append((0.8, start, end, f"{text[start:end]!r} speaks of {d.date.isoformat()} as current, {lag} "
                                             f"days before publication {pub.isoformat()}"))
                break
    for m in _TODAY_WEEKDAY.finditer(text) if _TODAY_NEEDS.possible(text) else ():
        wd = weekday_of(m.group("wd"))
        if wd is not None and wd != pub.weekday():
            out.append((0.6, m.start(), m.end(),
                        f"{m.group()!r} but publication {pub.isoformat()} is a {pub.strftime('%A')}"))
            break
    return out
