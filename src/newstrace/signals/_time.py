"""Time words and explicit dates in en/es/fr/de/pt text, resolved against a publication date.

Shared by the dateline and stale detectors. Resolution follows news usage: a bare weekday ("on Thursday",
"el jueves") is the latest such day on or before publication; "this Thursday" ("este jueves", "ce jeudi") is the
day in the publication's week; "last"/"next" move a week back/forward.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import compress, count

_WEEKDAYS: dict[str, int] = {}
_names: tuple[str, ...]
for _names in (
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    ("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag"),
    ("segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado", "domingo"),
):
    for _i, _n in enumerate(_names):
        _WEEKDAYS.setdefault(_n, _i)
_WEEKDAYS.update({"sonnabend": 5, "miercoles": 2, "sabado": 5, "segunda": 0, "terça": 1, "terca-feira": 1,
                  "quarta": 2, "quinta": 3, "sexta": 4})

_MONTHS: dict[str, int] = {}
for _names in (
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
     "december"),
    ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre",
     "diciembre"),
    ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
     "décembre"),
    ("januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober", "november",
     "dezember"),
    ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro",
     "dezembro"),
):
    for _i, _n in enumerate(_names):
        _MONTHS.setdefault(_n, _i + 1)
for _abbr, _m in (("jan", 1), ("feb", 2), ("mar", 3), ("apr", 4), ("jun", 6), ("jul", 7), ("aug", 8), ("sep", 9),
                  ("sept", 9), ("oct", 10), ("nov", 11), ("dec", 12), ("ene", 1), ("abr", 4), ("ago", 8), ("dic", 12),
                  ("set", 9), ("out", 10), ("dez", 12), ("fev", 2), ("févr", 2), ("janv", 1), ("juil", 7),
                  ("setiembre", 9), ("okt", 10), ("mrz", 3)):
    _MONTHS.setdefault(_abbr, _m)

_WD = "|".join(sorted((re.escape(w) for w in _WEEKDAYS), key=len, reverse=True))
WEEKDAY_ALTERNATION = _WD  # every weekday name above, longest first, for other modules' patterns
_MO = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))

# Relative words: (pattern, day offset from publication).
_RELATIVE: tuple[tuple[str, int], ...] = (
    (r"today|this\s+morning|this\s+afternoon|this\s+evening|tonight|hoy|esta\s+mañana|esta\s+tarde|esta\s+noche|"
     r"aujourd['’]hui|ce\s+matin|cet\s+après-midi|ce\s+soir|heute(?:\s+(?:morgen|früh|abend|nachmittag))?|"
     r"hoje|esta\s+manhã|esta\s+tarde|esta\s+noite", 0),
    (r"yesterday|last\s+night|overnight|ayer|anoche|hier(?:\s+soir)?|cette\s+nuit|la\s+nuit\s+dernière|gestern|"
     r"vergangene\s+nacht|in\s+der\s+nacht|ontem|na\s+noite\s+passada", -1),
    (r"tomorrow|mañana(?!\s+(?:de|del))|demain|morgen(?!\s+(?:früh|abend))|amanhã", 1),
)

# Weekday phrases: the modifier decides which occurrence is meant.
_THIS = r"this|este|esta|ce|cette|diesen|dieser|diesem|nesta|neste|esta"
_LAST = r"last|past|el\s+pasado|la\s+pasada|pasado|dernier|vergangenen|letzten|na\s+última|no\s+último|passado|passada"
_NEXT = r"next|coming|el\s+próximo|la\s+próxima|próximo|próxima|prochain|kommenden|nächsten|na\s+próxima|no\s+próximo"
_ON = r"on|el|la|le|am|an|na|no"

TIME_PHRASE = re.compile(
    rf"(?i)\b(?:(?P<mod>{_THIS}|{_LAST}|{_NEXT}|{_ON})\s+)?(?P<wd>{_WD})\b(?:\s+(?P<post>dernier|prochain|passado|"
    rf"passada|pasado|que\s+vem))?|\b(?P<rel>{'|'.join(p for p, _ in _RELATIVE)})\b"
)
_REL_RES = tuple((re.compile(rf"(?i)^(?:{p})$"), off) for p, off in _RELATIVE)

EXPLICIT_DATE = re.compile(
    rf"(?i)\b(?:(?P<wd1>{_WD}),?\s+)?(?:"
    rf"(?P<d1>\d{{1,2}})(?:\.|º|er)?\s+(?:de\s+)?(?P<m1>{_MO})\.?(?:,?\s+(?:de\s+)?(?P<y1>(?:19|20)\d\d))?"
    rf"|(?P<m2>{_MO})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y2>(?:19|20)\d\d))?"
    rf"|(?P<y3>(?:19|20)\d\d)-(?P<m3>0[1-9]|1[0-2])-(?P<d3>0[1-9]|[12]\d|3[01])"
    rf")\b"
)


# Both patterns above try dozens of words at every position of a text. Every match has a weekday, a month, a digit or
# a word of a relative phrase ("today", "morning", "nacht") at its start or at most two words after it, so the full
# pattern is tried only at those words and the two words before each, in order, skipping words inside a match: the
# same matches as ``finditer``. Words are compared lower-cased, which finds every word that IGNORECASE matches
# except for a few letters that it folds to ASCII and ``str.lower`` does not; texts with those use ``finditer``.
_WEAK = frozenset({"this", "esta", "ce", "cet", "cette", "la", "last", "in", "der", "na", "de", "del", "s"})
_PHRASE_ANCHORS = frozenset(re.findall(r"\w+", "|".join([_WD, *(p for p, _ in _RELATIVE)]).lower())) - _WEAK
_DATE_ANCHORS = frozenset(re.findall(r"\w+", "|".join([_WD, _MO]).lower()))
_ANCHOR_LOOKBACK = 2  # words a match may start before its anchor ("el pasado jueves", "in der Nacht")
_ODD_FOLDS = ("İ", "ı", "ſ", "\u212a")  # IGNORECASE matches these to i, i, s, k; str.lower() does not
_TOKEN = re.compile(r"\w+")
_DIGIT_FIRST = re.compile(r"\d")


def _candidate_starts(text: str, start: int, end: int, anchors: frozenset[str], lookback: int,
                      digits: bool) -> list[int] | None:
    """Starts of the words in ``anchors`` (and of words that begin with a digit) and of the ``lookback`` words before
    each, ascending; None when the lower-cased comparison cannot be trusted."""
    if any(ch in text for ch in _ODD_FOLDS):
        return None
    words = _TOKEN.findall(text, start, end)
    hits = list(compress(count(), map(anchors.__contains__, map(str.lower, words))))
    if digits:
        hits = sorted({*hits, *compress(count(), map(_DIGIT_FIRST.match, words))})
    if not hits:
        return []
    offsets = [m.start() for m in _TOKEN.finditer(text, start, end)]
    return sorted({offsets[j] for i in hits for j in range(max(0, i - lookback), i + 1)})


def _matches_at(pattern: re.Pattern[str], text: str, start: int, end: int,
                starts: list[int] | None) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text, start, end)``, trying only ``starts`` (every position when None)."""
    if starts is None:
        yield from pattern.finditer(text, start, end)
        return
    done = -1
    for p in starts:
        if p < done:
            continue
        m = pattern.match(text, p, end)
        if m is not None:
            yield m
            done = m.end()


def _time_phrase_matches(text: str, start: int, end: int) -> Iterator[re.Match[str]]:
    starts = _candidate_starts(text, start, end, _PHRASE_ANCHORS, _ANCHOR_LOOKBACK, digits=False)
    return _matches_at(TIME_PHRASE, text, start, end, starts)


def _explicit_date_matches(text: str, start: int, end: int) -> Iterator[re.Match[str]]:
    return _matches_at(EXPLICIT_DATE, text, start, end,
                       _candidate_starts(text, start, end, _DATE_ANCHORS, 0, digits=True))


@dataclass(frozen=True, slots=True)
class TimeRef:
    """A time word or explicit date in a text, resolved to a calendar day when possible."""

    start: int
    end: int
    phrase: str
    date: dt.date | None
    relative: bool  # True for "today"/"this Thursday"; False for "September 28"
    year_given: bool = True


def _weekday_date(weekday: int, mod: str, pub: dt.date) -> dt.date:
    mod = " ".join(mod.casefold().split())
    if re.fullmatch(_THIS, mod):
        return pub + dt.timedelta(days=weekday - pub.weekday())
    back = (pub.weekday() - weekday) % 7
    if re.fullmatch(_LAST, mod):
        return pub - dt.timedelta(days=back or 7)
    if re.fullmatch(_NEXT, mod) or mod == "que vem":
        return pub + dt.timedelta(days=((weekday - pub.weekday()) % 7) or 7)
    return pub - dt.timedelta(days=back)


def time_phrases(text: str, start: int, end: int, pub: dt.date | None, lang: str | None = None) -> list[TimeRef]:
    """Relative time words ("this Thursday", "ayer", "hier soir") in ``text[start:end]``, resolved against ``pub``."""
    refs: list[TimeRef] = []
    for m in _time_phrase_matches(text, start, end):
        if m.group().casefold() == "hier" and lang != "fr":
            continue  # German/Dutch "hier" means "here"
        date: dt.date | None = None
        if pub is not None:
            if m.group("wd"):
                mod = m.group("post") or m.group("mod") or ""
                date = _weekday_date(_WEEKDAYS[m.group("wd").casefold()], mod, pub)
            else:
                for rx, off in _REL_RES:
                    if rx.match(m.group("rel")):
                        date = pub + dt.timedelta(days=off)
                        break
        if m.group("wd") and not _weekday_is_time(m, text):
            continue
        refs.append(TimeRef(m.start(), m.end(), m.group(), date, True))
    return refs


def _weekday_is_time(m: re.Match[str], text: str) -> bool:
    """Portuguese "segunda"/"quinta" and Spanish "domingo" are also ordinary words or names; require a modifier."""
    wd = m.group("wd").casefold()
    if wd in ("segunda", "terça", "quarta", "quinta", "sexta", "domingo", "sábado", "sabado"):
        return bool(m.group("mod") or m.group("post"))
    # English weekdays are capitalised; a lowercase one in English prose is still a weekday (MT), keep it.
    return True


def explicit_dates(text: str, start: int, end: int, pub: dt.date | None) -> list[TimeRef]:
    """Explicit calendar dates in ``text[start:end]``; a missing year is taken as the publication's (or the year
    before, when that would put the date more than a month after publication)."""
    refs: list[TimeRef] = []
    for m in _explicit_date_matches(text, start, end):
        day_s = m.group("d1") or m.group("d2") or m.group("d3")
        mon_s = m.group("m1") or m.group("m2") or m.group("m3")
        year_s = m.group("y1") or m.group("y2") or m.group("y3")
        month = int(mon_s) if mon_s.isdigit() else _MONTHS.get(mon_s.casefold().rstrip("."))
        if not month:
            continue
        if m.group("m2") and mon_s.casefold() in ("may", "mar", "set", "out", "ago") and not mon_s[0].isupper():
            continue  # "may 5 people" / "out 3" are not dates
        day = int(day_s)
        year = int(year_s) if year_s else None
        date: dt.date | None = None
        if year is None and pub is not None:
            year = pub.year
            try:
                if dt.date(year, month, day) > pub + dt.timedelta(days=31):
                    year -= 1
            except ValueError:
                continue
        if year is not None:
            try:
                date = dt.date(year, month, day)
            except ValueError:
                continue
        refs.append(TimeRef(m.start(), m.end(), m.group(), date, False, year_s is not None))
    return refs


def weekday_of(phrase: str) -> int | None:
    """Weekday index (Monday=0) named in a phrase, if any."""
    m = re.search(rf"(?i)\b({_WD})\b", phrase)
    return _WEEKDAYS[m.group(1).casefold()] if m else None
