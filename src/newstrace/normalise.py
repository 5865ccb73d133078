"""Text cleanup and segmentation that keep exact character offsets back to the ingested text."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import regex

from newstrace.config import NormaliseConfig
from newstrace.model import Segment

# Letters (any script, with combining marks) and digits, joined by inner apostrophes/hyphens/dots
# ("don't", "Jean-Luc", "2.4"), so that tokens survive typographic variation between copies.
_WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+(?:['’\-.,][\p{L}\p{M}\p{N}]+)*")


@dataclass(frozen=True, slots=True)
class Token:
    """A word with its half-open offsets into the original text and a matching key."""

    start: int
    end: int
    norm: str


def fold(word: str) -> str:
    """Matching key of a word: NFKC, case-folded, accents stripped, typographic apostrophes unified."""
    if word.isascii():
        # ASCII is unchanged by NFKC/NFD and has no combining marks, and its casefold is lower(): same key, far cheaper.
        return word.lower()
    w = unicodedata.normalize("NFKC", word).casefold().replace("’", "'")
    decomposed = unicodedata.normalize("NFD", w)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Words of ``text[start:end]`` with offsets into ``text`` (not into the slice)."""
    end = len(text) if end is None else end
    return [Token(m.start(), m.end(), fold(m.group())) for m in _WORD.finditer(text, start, end)]


# --- Sentence segmentation -------------------------------------------------------------------------------

# Sentence terminators: Latin ".!?…", Urdu full stop "۔" and Arabic question mark "؟", CJK "。！？" (and
# fullwidth/double variants). Closing quotes and brackets right after a terminator belong to the sentence
# they close. The scan must stay linear and cheap per candidate (20 MB texts): one regex pass finds the
# candidates (newline runs and terminator runs); the decision then looks at a bounded window around each
# one with plain string operations.
_CLOSERS = "\"'”’»›)]}」』）】"
_TERMINATOR = re.compile(
    r"(?P<nl>[\n\u2029][^\S\n\u2029]*(?:[\n\u2029]\s*)?)"
    rf"|(?P<t>[.!?…۔؟。！？．‼⁇⁈⁉]+[{re.escape(_CLOSERS)}]*)"
)
_NEXT_WORD = re.compile(r"[^\W\d_]{1,16}\.?")
# Characters looked at before a period to find the word it ends ("Mr", "U.S", "e.g"): bounded.
_WORD_LOOKBACK = 32
_OPENERS = "\"'“‘«‹([{「『（【"
# Terminators of scripts written without (CJK) or often without (Urdu) a space before the next sentence:
# these end a sentence whatever follows.
_HARD_TERMINATORS = frozenset("۔؟。！？．")
_NON_SPACE = re.compile(r"\S")  # stdlib \s is exactly str.isspace(), which trimming uses
# Cut points for over-long sentences: after a clause mark, else any whitespace (searched right to left).
_CLAUSE_CUT = regex.compile(r"(?r)[,;:،؛、，；：](?=\s)|\s[—–-](?=\s)")
_SPACE_CUT = regex.compile(r"(?r)\s")


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


# Web/file names must not be split by the "period glued to a lower-case word" rule ("example.com").
_GLUED_EXCEPTIONS = _words(
    "com org net gov edu int mil info biz io co uk us de fr es it pt nl eu ru cn jp in pk au ca ch news "
    "tv html htm php asp aspx pdf doc docx xls jpg jpeg png gif txt csv json xml zip "
)
# Titles and name parts after which a period never ends a sentence ("Mr. Smith", "St. Louis").
_TITLES = _words(
    "mr mrs ms dr prof sr sra srta jr st mt ft gen lt col capt cpt sgt maj adm cmdr gov sen rep rev hon "
    "pres supt insp mme mlle messrs dña dra sto sta av ave "
)
# Abbreviations that end a sentence only when the next word is capitalised ("Apple Inc. said" vs
# "… Apple Inc. The company").
_ABBREVIATIONS = _words(
    "etc vs cf approx est inc ltd co corp bros dept univ assn no nos nr fig figs vol vols pp op al ca "
    "vgl bzw usw jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri "
    "sat sun "
)


def _word_before(text: str, dot: int) -> str:
    """The whitespace-delimited word ending right before ``text[dot]``, without opening quotes/brackets."""
    chunk = text[max(0, dot - _WORD_LOOKBACK) : dot]
    if not chunk or chunk[-1].isspace():
        return ""
    return chunk.rsplit(None, 1)[-1].lstrip(_OPENERS)


def _starts_line(text: str, pos: int) -> bool:
    """Whether only horizontal whitespace stands between the previous newline (or the text start) and ``pos``."""
    line_start = text.rfind("\n", max(0, pos - _WORD_LOOKBACK), pos) + 1
    if line_start == 0 and pos > _WORD_LOOKBACK:
        return False
    return not text[line_start:pos].strip()


def _is_boundary(text: str, start: int, end: int) -> bool:
    """Whether the terminator run ``text[start:end]`` (with its closing quotes) ends a sentence."""
    n = len(text)
    if end >= n:
        return True
    term = text[start:end].rstrip(_CLOSERS)
    after = text[end]
    spaced = after.isspace()
    if spaced:
        # Usually one space then the next word: avoid a regex call for that case.
        if end + 1 < n and not text[end + 1].isspace():
            nxt = text[end + 1]
        else:
            m = _NON_SPACE.search(text, end)
            if m is None:
                return True
            nxt = m.group()
    else:
        nxt = after
    if term != ".":
        if any(ch in _HARD_TERMINATORS for ch in term):
            return True
        if not spaced:
            return False  # "?!" glued to a word or digits: not a sentence end we can trust
        if not term.strip(".…"):
            return not nxt.islower()  # "we waited... and waited" goes on
        return True
    word = _word_before(text, start)
    # "U.S", "e.g", "z.B", "Ph.D": dotted abbreviations have short parts ("example.com" does not).
    dotted = "." in word and all(len(part) <= 2 for part in word.split("."))
    last = word.rsplit(".", 1)[-1]
    if spaced:
        if dotted or (len(last) == 1 and last.isupper()):
            return False  # "U.S. officials", "e.g. Paris", "J. Smith"
        if word.isdigit() and len(word) <= 2 and _starts_line(text, start - len(word)):
            return False  # a numbered list item: "1. First point"
        folded = last.casefold()
        if folded in _TITLES:
            return False
        if folded in _ABBREVIATIONS:
            return nxt.isupper()
        return True
    # A period glued to the next word is a lost space in machine output ("offensive.and", "end.The"),
    # unless it is a web or file name ("example.com", "report.pdf"), a number ("2.4") or an acronym.
    if dotted or len(last) < 2 or not last[-1].islower() or not nxt.isalpha():
        return False
    m = _NEXT_WORD.match(text, end)
    following = m.group() if m else ""
    return not following.endswith(".") and following.casefold() not in _GLUED_EXCEPTIONS


def _cut_points(text: str) -> list[int]:
    """Positions where one sentence ends and the next may begin (not yet whitespace-trimmed)."""
    cuts: list[int] = []
    append = cuts.append
    n = len(text)
    for m in _TERMINATOR.finditer(text):
        start, end = m.span()
        nl = m.group("nl")
        if nl is None:
            if _is_boundary(text, start, end):
                append(end)
        elif end >= n or nl.count("\n") + nl.count("\u2029") >= 2 or not text[end].islower():
            # A single newline before a lower-case word is a hard-wrapped line, not a paragraph break.
            # (The match consumed all whitespace up to the next character, so text[end] is that character.)
            append(start)
    return cuts


def _split_long(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """``[start, end)`` (already trimmed) cut into pieces of at most ``limit`` chars, at clauses or spaces."""
    pieces: list[tuple[int, int]] = []
    while end - start > limit:
        hi = start + limit
        m = _CLAUSE_CUT.search(text, start + limit // 2, hi)
        cut = m.end() if m else -1
        if cut <= start:
            m = _SPACE_CUT.search(text, start + limit // 4, hi)
            cut = m.start() if m else hi
        piece_end = cut
        while piece_end > start and text[piece_end - 1].isspace():
            piece_end -= 1
        if piece_end <= start:  # only whitespace before the cut: cannot happen after trimming, but stay safe
            piece_end = hi
            cut = hi
        pieces.append((start, piece_end))
        nxt = _NON_SPACE.search(text, cut, end)
        if nxt is None:
            return pieces
        start = nxt.start()
    pieces.append((start, end))
    return pieces


def segment_sentences(article_id: str, text: str, config: NormaliseConfig) -> list[Segment]:
    """Sentences of ``text`` with offsets into it: ordered, non-overlapping, trimmed, covering every non-space.

    Newlines and blank lines are boundaries (except a single newline before a lower-case word: hard wrap);
    runs of text without sentence punctuation are cut at ``max_sentence_chars``. Linear in ``len(text)``.
    """
    spans: list[tuple[int, int]] = []
    prev = 0
    for cut in [*_cut_points(text), len(text)]:
        if cut <= prev:
            continue
        piece = text[prev:cut]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece) - len(piece.rstrip())
        a, b = prev + lead, cut - trail
        if a < b:
            spans.extend(_split_long(text, a, b, max(1, config.max_sentence_chars)))
        prev = cut
    spans = _merge_short(spans, config.min_sentence_chars)
    return [Segment(article_id, i, a, b, text[a:b]) for i, (a, b) in enumerate(spans)]


def _merge_short(spans: list[tuple[int, int]], min_chars: int) -> list[tuple[int, int]]:
    """Fragments shorter than ``min_chars`` (headings, "EFE") joined to the next span (the last one to the previous)."""
    if min_chars <= 1 or len(spans) < 2:
        return spans
    out: list[tuple[int, int]] = []
    pending: int | None = None
    for a, b in spans:
        start = a if pending is None else pending
        if b - start < min_chars:
            pending = start
            continue
        out.append((start, b))
        pending = None
    if pending is not None:
        if out:
            out[-1] = (out[-1][0], spans[-1][1])
        else:
            out.append((pending, spans[-1][1]))
    return out
