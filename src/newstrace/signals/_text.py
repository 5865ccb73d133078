"""Helpers shared by the signal detectors: paragraph and sentence boundaries with offsets, case ratio, and the
noisy-OR that combines independent pieces of evidence.

Sentences come from the project's segmenter (``normalise.segment_sentences``) so signals and alignment agree on
units; paragraphs are blank-line blocks. Both are linear and work on texts without punctuation or line breaks.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from typing import Any

import regex

from newstrace.config import NormaliseConfig
from newstrace.normalise import segment_sentences

# The segmenter's defaults: no merging of short fragments (a closing "EFE" stays its own unit).
SEGMENT = NormaliseConfig(min_sentence_chars=1)
_PARA_BREAK = regex.compile(r"\n[ \t]*\n+|\r\n[ \t]*\r\n")
# Runs rather than single characters: the same counts with a fraction of the match objects.
_LETTERS = regex.compile(r"\p{L}+")
UPPERS = regex.compile(r"\p{Lu}+")

logger = logging.getLogger(__name__)


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Non-empty paragraphs (blank-line separated, or single lines when the text has no blank lines), trimmed."""
    sep = _PARA_BREAK if _PARA_BREAK.search(text) else regex.compile(r"\n+")
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in sep.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    return [t for t in (_trim(text, s, e) for s, e in spans) if t[1] > t[0]]


def sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans inside ``text[start:end]`` (the project's segmenter), trimmed, with offsets into ``text``."""
    end = len(text) if end is None else end
    return [(start + seg.start, start + seg.end) for seg in segment_sentences("", text[start:end], SEGMENT)]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def upper_ratio(text: str, sample: int = 20_000) -> float:
    """Share of letters that are upper case in the first ``sample`` characters (1.0 for all caps, 0.0 if no letters)."""
    text = text[:sample]
    letters = sum(map(len, _LETTERS.findall(text)))
    return sum(map(len, UPPERS.findall(text))) / letters if letters else 0.0


def noisy_or(weights: list[float]) -> float:
    """Probability that at least one of several independent cues is right, each right with its weight."""
    p = 1.0
    for w in weights:
        p *= 1.0 - w
    return 1.0 - p


# ---- fast alternations ------------------------------------------------------------------------------------------
# ``re`` tries the branches of an alternation one by one at every position, and with IGNORECASE it cannot even skip
# a branch by its first letter, so a list of 150 stock phrases costs 150 attempts per word. ``Phrases`` tries, at
# each word start, only the branches that can begin with the letter found there (worked out once from the parsed
# pattern), in their original order: the matches are those of ``finditer`` over the plain alternation.

# Characters outside ASCII that IGNORECASE matches to an ASCII letter (İ ı → i, K → k, ſ → s).
_FOLDS_TO_ASCII = frozenset("İıKſ")
_WORD_START = re.compile(r"\b\w")


def _first_chars(items: Sequence[tuple[Any, Any]]) -> tuple[set[str] | None, bool]:
    """Characters a parsed ``re`` sub-pattern can start with (None: any or unknown), and whether it can be empty."""
    from re import _constants as c  # type: ignore[attr-defined]  # the parser's opcodes (CPython 3.11+)

    out: set[str] = set()
    for op, av in items:
        if op is c.LITERAL:
            out.add(chr(av))
            return out, False
        if op is c.AT:
            continue  # \b, ^ and $ take no character
        first: set[str] | None
        if op is c.IN:
            first = set()
            for kind, arg in av:
                if kind is c.LITERAL:
                    first.add(chr(arg))
                elif kind is c.RANGE and arg[1] - arg[0] < 64:
                    first.update(chr(x) for x in range(arg[0], arg[1] + 1))
                else:
                    return None, False  # negated sets, categories (\w, \d), wide ranges
            empty = False
        elif op is c.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            if add_flags or del_flags:
                return None, False  # scoped flags change the case rules
            first, empty = _first_chars(sub.data)
        elif op is c.BRANCH:
            first, empty = set(), False
            for branch in av[1]:
                f, e = _first_chars(branch.data)
                if f is None:
                    return None, False
                first |= f
                empty |= e
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            low, _high, sub = av
            first, empty = _first_chars(sub.data)
            empty = empty or low == 0
        else:
            return None, False  # lookarounds, back references, atomic groups: not worth the risk
        if first is None:
            return None, False
        out |= first
        if not empty:
            return out, False
    return out, True


def _by_first_char(branches: Sequence[str], ignorecase: bool) -> dict[str, list[int]] | None:
    """Branch indexes by the (lower-cased) word character they can start with; None when that cannot be worked out
    for every branch (the caller then scans with the plain alternation)."""
    groups: dict[str, list[int]] = {}
    try:
        from re import _parser  # type: ignore[attr-defined]

        for i, b in enumerate(branches):
            first, empty = _first_chars(_parser.parse(b, re.IGNORECASE if ignorecase else 0).data)
            if first is None or empty or not all(re.fullmatch(r"\w", ch) for ch in first):
                return None
            if ignorecase and first & _FOLDS_TO_ASCII:
                return None
            for ch in first:
                groups.setdefault(ch.lower() if ignorecase else ch, []).append(i)
    except Exception:  # a private parser that changed shape: use the plain alternation
        logger.debug("cannot group %d branches by first character", len(branches))
        return None
    return groups


class Phrases:
    """``\\b(?:b1|b2|…)suffix`` over ``re`` branches that start with a word character, matched like ``finditer`` of
    that pattern (same spans, same branch chosen) but trying only the branches that fit the letter at each word."""

    def __init__(self, branches: Sequence[str], *, ignorecase: bool = False, suffix: str = "") -> None:
        flags = re.IGNORECASE if ignorecase else 0
        body = "(?:" + "|".join(f"(?:{b})" for b in branches) + ")"
        self.pattern: re.Pattern[str] = re.compile(r"\b" + body + suffix, flags)
        self._ignorecase = ignorecase
        groups = _by_first_char(branches, ignorecase)
        self._groups: dict[str, re.Pattern[str]] | None = None if groups is None else {
            ch: re.compile("(?:" + "|".join(f"(?:{branches[i]})" for i in members) + ")" + suffix, flags)
            for ch, members in groups.items()
        }

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match[str]]:
        """Non-overlapping matches in ``text[pos:endpos]``, left to right (as ``re.finditer``)."""
        end = len(text) if endpos is None else endpos
        if self._groups is None:
            yield from self.pattern.finditer(text, pos, end)
            return
        groups, full, fold = self._groups, self.pattern, self._ignorecase
        done = pos
        for w in _WORD_START.finditer(text, pos, end):
            p = w.start()
            if p < done:
                continue
            ch = text[p]
            if not fold:
                rx = groups.get(ch)
            elif ch.isascii():
                rx = groups.get(ch.lower())
            else:
                rx = full  # İ, ı, K, ſ … : let the engine apply its own case rules
            if rx is None:
                continue
            m = rx.match(text, p, end)
            if m is not None:
                yield m
                done = m.end()

    def search(self, text: str) -> re.Match[str] | None:
        """The first match, or None."""
        return next(self.finditer(text), None)

    def count(self, text: str) -> int:
        """How many matches ``finditer`` gives."""
        return sum(1 for _ in self.finditer(text))


# ---- required words ---------------------------------------------------------------------------------------------
# Many patterns cannot match without some fixed text ("[", "appeared first on", "synthetic"): a substring test for it
# costs a fraction of a regex scan, and most texts fail it, so the scan is skipped. The fixed text is read off the
# parsed pattern, so it cannot drift from the pattern.


def _fixed_text(items: Sequence[tuple[Any, Any]]) -> list[str] | None:
    """Strings one of which every match of a parsed sequence contains (the most selective such set), or None."""
    from re import _constants as c  # type: ignore[attr-defined]

    run: list[str] = []
    options: list[list[str]] = []
    for op, av in [*items, (None, None)]:
        if op is c.LITERAL:
            run.append(chr(av))
            continue
        if run:
            options.append(["".join(run)])
            run = []
        found: list[str] | None = None
        if op is c.SUBPATTERN and not (av[1] or av[2]):
            found = _fixed_text(av[3].data)
        elif op is c.BRANCH:
            alternatives = [_fixed_text(b.data) for b in av[1]]
            # Any branch may match: one of the strings of any branch is in every match.
            if all(alternatives):
                found = [s for alt in alternatives for s in alt or ()]
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
            found = _fixed_text(av[2].data)
        if found:
            options.append(found)
    if not options:
        return None
    # The most selective: the set whose shortest string is longest.
    return max(options, key=lambda o: min(map(len, o)))


def required_text(pattern: str, flags: int = 0) -> tuple[str, ...] | None:
    """Strings one of which every match of ``pattern`` (``re`` syntax) contains, or None when none can be worked
    out; lower-cased when the pattern ignores case (then compare with ``casefold_safe`` text)."""
    try:
        from re import _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(pattern, flags)
        fixed = _fixed_text(parsed.data)
        ignorecase = bool(parsed.state.flags & re.IGNORECASE)
    except Exception:  # a private parser that changed shape, or syntax only the regex module knows
        return None
    if not fixed or not all(fixed):
        return None
    return tuple(s.lower() for s in fixed) if ignorecase else tuple(fixed)


# IGNORECASE matches these to ASCII letters (i, i, s, k) where ``str.lower`` does not.
ODD_FOLDS = ("İ", "ı", "ſ", "\u212a")


def lower_for_search(text: str) -> str | None:
    """``text.lower()`` when a lower-cased substring test finds everything IGNORECASE would, else None."""
    return None if any(ch in text for ch in ODD_FOLDS) else text.lower()


def may_match(required: tuple[str, ...] | None, haystack: str | None) -> bool:
    """False only when a pattern that needs one of ``required`` cannot match: ``haystack`` is the text (lower-cased
    for an IGNORECASE pattern; None when that cannot be trusted)."""
    return required is None or haystack is None or any(s in haystack for s in required)
