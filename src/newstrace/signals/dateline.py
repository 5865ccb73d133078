"""Dateline: the place a story is filed from and, when the lead says, the day its event happened.

Recognises wire datelines at the start of a line near the top ("KYIV, Ukraine (AP) —", "Madrid, 28 sep (EFE).-",
"LONDON, Sept 28 (Reuters) -", "WASHINGTON —"). The event day comes from a date inside the dateline, else from the
first time words of the lead ("this Thursday", "ayer", "am Donnerstag"), resolved against the publication date.
Without a formal dateline, the lead's time words alone still give a Dateline with ``place=None``.
"""

from __future__ import annotations

import datetime as dt

import regex

from newstrace.config import SignalConfig
from newstrace.model import Dateline, PubDate
from newstrace.signals._text import sentences, upper_ratio
from newstrace.signals._time import explicit_dates, time_phrases

_DATELINE = regex.compile(
    r"(?m)^[ \t]*(?P<place>\p{Lu}[\p{L}\p{M}.'’ \-]{1,40}?(?:,[ \t]*\p{Lu}[\p{L}\p{M}.'’ \-]{1,30}?)?)"
    r"(?:,[ \t]*(?P<date>[^()\n,:]{1,25}?))?[ \t]*(?:\((?P<agency>[^()\n]{1,40})\))?[ \t]*"
    r"(?:\.[ \t]*)?(?:[-–—]+|:)[ \t]"
)
# All-caps words that open a line with a dash or colon without being a place.
_NOT_PLACES = frozenset({"BREAKING", "UPDATE", "UPDATED", "EXCLUSIVE", "WATCH", "LIVE", "VIDEO", "PHOTOS", "ANALYSIS",
                         "OPINION", "EDITORIAL", "NOTE", "CORRECTION", "URGENT", "FLASH", "EDITOR'S NOTE", "AUDIO"})
_HEAD_CHARS = 600
_LEAD_SENTENCES = 2


def detect_dateline(text: str, pub_date: PubDate | None, config: SignalConfig,
                    lang: str | None = None) -> Dateline | None:
    """The dateline of ``text`` (place, span, and the event day when stated), or None."""
    pub = pub_date.earliest if pub_date is not None and pub_date.precision == "day" else None
    head_end = min(len(text), _HEAD_CHARS)
    for m in _DATELINE.finditer(text, 0, head_end):
        place = m.group("place").strip(" .-")
        date_txt = (m.group("date") or "").strip()
        if date_txt and not any(ch.isdigit() for ch in date_txt):
            place, date_txt = f"{place}, {date_txt}", ""  # "KYIV, Ukraine" is a place and its country
        letters = [ch for ch in place if ch.isalpha()]
        caps = len(letters) >= 3 and upper_ratio(place.split(",")[0]) > 0.9
        if place.upper() in _NOT_PLACES or not (m.group("agency") or caps):
            continue
        if len(place.split()) > 6:
            continue
        event_date: dt.date | None = None
        phrase: str | None = None
        if date_txt:
            refs = explicit_dates(text, m.start("date"), m.end("date"), pub)
            if refs:
                event_date, phrase = refs[0].date, refs[0].phrase
        if event_date is None:
            event_date, phrase = _lead_time(text, m.end(), pub, lang)
        return Dateline(place, m.start("place"), m.end(), event_date, phrase)
    lead = _lead_time_ref(text, 0, pub, lang)
    if lead is None:
        return None
    start, end, event_date, phrase = lead
    return Dateline(None, start, end, event_date, phrase)


def _lead_time(text: str, start: int, pub: dt.date | None, lang: str | None) -> tuple[dt.date | None, str | None]:
    ref = _lead_time_ref(text, start, pub, lang)
    return (ref[2], ref[3]) if ref else (None, None)


def _lead_time_ref(text: str, start: int, pub: dt.date | None,
                   lang: str | None) -> tuple[int, int, dt.date | None, str] | None:
    """The first time words in the first sentences after ``start``."""
    lead = sentences(text, start, min(len(text), start + _HEAD_CHARS))[:_LEAD_SENTENCES]
    for s, e in lead:
        refs = time_phrases(text, s, e, pub, lang)
        if refs:
            r = refs[0]
            return r.start, r.end, r.date, r.phrase
    return None
