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


# A requirement: every string of the list is in the text, where an item that is itself a tuple of such lists is met
# when one of them is (the branches of an alternation). Strings are compared with the text's whitespace runs made
# single spaces (``search_text``), so "in\\s+conclusion" requires "in conclusion".
Requirement = list["str | tuple[Requirement, ...]"]


def _is_space_run(op: Any, av: Any) -> bool:
    """Whether a parsed item is ``\\s+`` (one or more whitespace characters)."""
    from re import _constants as c  # type: ignore[attr-defined]

    spaces = ((c.IN, [(c.CATEGORY, c.CATEGORY_SPACE)]), (c.IN, [(c.CATEGORY, c.CATEGORY_UNI_SPACE)]))
    return op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1 and len(av[2].data) == 1 and av[2].data[0] in spaces


_MAX_VARIANTS = 64  # fixed strings spelled out per stretch of a pattern before it is cut in two


def _fixed_strings(items: Sequence[tuple[Any, Any]]) -> list[str] | None:
    """Every string a parsed sequence of literals, ``\\s+`` (as one space), optional parts and alternations of
    those can match; None for anything else or too many."""
    from re import _constants as c  # type: ignore[attr-defined]

    out = [""]
    for op, av in items:
        if op is c.LITERAL:
            out = [s + chr(av) for s in out]
            continue
        if op is c.AT:
            continue  # \b takes no character
        if _is_space_run(op, av):
            out = [s + " " for s in out]
            continue
        if op is c.SUBPATTERN and not (av[1] or av[2]):
            part = _fixed_strings(av[3].data)
        elif op is c.BRANCH:
            branches = [_fixed_strings(b.data) for b in av[1]]
            part = None if any(b is None for b in branches) else [s for b in branches for s in b or ()]
        elif op is c.MAX_REPEAT and av[0] == 0 and av[1] == 1:
            inner = _fixed_strings(av[2].data)
            part = None if inner is None else ["", *inner]
        else:
            part = None
        if part is None or len(out) * len(part) > _MAX_VARIANTS:
            return None
        out = [s + t for s in out for t in part]
    return out


def _requirement(items: Sequence[tuple[Any, Any]]) -> Requirement:
    """What every match of a parsed ``re`` sequence contains (an empty list: nothing known)."""
    from re import _constants as c  # type: ignore[attr-defined]

    out: Requirement = []
    run = [""]  # the stretch of fixed text being read, one string per way it can be spelled

    def close() -> None:
        nonlocal run
        spelled = {" ".join(s.split()) for s in run}  # whitespace runs → one space, none at the ends
        if all(spelled):
            out.append(spelled.pop() if len(spelled) == 1 else tuple([s] for s in sorted(spelled)))
        run = [""]

    for op, av in items:
        fixed = _fixed_strings([(op, av)])
        if fixed is not None and len(run) * len(fixed) <= _MAX_VARIANTS:
            run = [s + t for s in run for t in fixed]
            continue
        close()
        if fixed is not None:
            run = fixed
        elif op is c.SUBPATTERN and not (av[1] or av[2]):
            out.extend(_requirement(av[3].data))
        elif op is c.BRANCH:
            branches = tuple(_requirement(b.data) for b in av[1])
            if all(branches):  # a branch with no fixed text could match anything
                out.append(branches)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
            out.extend(_requirement(av[2].data))
    close()
    return out


def _lowered(req: Requirement) -> Requirement:
    return [r.lower() if isinstance(r, str) else tuple(_lowered(b) for b in r) for r in req]


def required_text(pattern: str, flags: int = 0) -> Requirement | None:
    """What every match of ``pattern`` (``re`` syntax) contains, or None when nothing can be worked out; lower-cased
    when the pattern ignores case."""
    try:
        from re import _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(pattern, flags)
        req = _requirement(parsed.data)
        ignorecase = bool(parsed.state.flags & re.IGNORECASE)
    except Exception:  # a private parser that changed shape, or syntax only the regex module knows
        return None
    if not req:
        return None
    return _lowered(req) if ignorecase else req


def key_strings(req: Requirement) -> tuple[str, ...]:
    """The most telling part of a requirement: strings one of which is in every text that meets it."""
    options = [(r,) if isinstance(r, str) else tuple(k for b in r for k in key_strings(b)) for r in req]
    return max(options, key=lambda o: min(map(len, o)))


def _trie_pattern(strings: Sequence[str]) -> str:
    """A pattern that matches where any of ``strings`` starts, shaped as a prefix tree so that the engine compares
    each character once per level rather than once per string; a space stands for any run of whitespace."""
    tree: dict[str, Any] = {}
    for s in sorted(set(strings)):
        node = tree
        for ch in s:
            if "" in node:
                break  # a shorter string already ends here: enough to know that one is present
            node = node.setdefault(ch, {})
        else:
            node.clear()
            node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        if "" in node:
            return ""
        parts = [(r"\s+" if ch == " " else re.escape(ch)) + emit(sub) for ch, sub in sorted(node.items())]
        return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"

    return emit(tree)


# IGNORECASE matches these to ASCII letters (i, i, s, k) where ``str.lower`` does not.
ODD_FOLDS = ("İ", "ı", "ſ", "\u212a")


class Needs:
    """Whether a text can hold a match of any of some patterns (``re`` syntax, or ``regex`` syntax that ``re`` can
    parse): one search for the fixed text each of them needs, lower-cased for IGNORECASE patterns. A pattern whose
    needs cannot be worked out makes the answer always yes."""

    def __init__(self, patterns: Sequence[str], ignorecase: bool = False) -> None:
        flags = re.IGNORECASE if ignorecase else 0
        reqs = [required_text(p, flags) for p in patterns]
        self._ignorecase = ignorecase
        self._rx: re.Pattern[str] | None = None
        self.keys: tuple[str, ...] | None = None  # one of these is in a text (see ``flat_text``) that can match
        if reqs and all(reqs):
            self.keys = tuple(k for r in reqs for k in key_strings(r or []))
            self._rx = re.compile(_trie_pattern(self.keys))

    @property
    def known(self) -> bool:
        """Whether the needs could be worked out (otherwise ``possible`` is always True)."""
        return self._rx is not None

    def possible(self, text: str, lowered: str | None = None) -> bool:
        """False only when none of the patterns can match ``text`` (``lowered``: ``text.lower()`` if at hand)."""
        if self._rx is None:
            return True
        if self._ignorecase:
            if any(ch in text for ch in ODD_FOLDS):
                return True
            text = text.lower() if lowered is None else lowered
        return self._rx.search(text) is not None

    def possible_in(self, flat: str | None) -> bool:
        """``possible`` for a text already made ``flat_text`` (quicker for a few keys; None: cannot tell)."""
        return self.keys is None or flat is None or any(k in flat for k in self.keys)


def flat_text(text: str, ignorecase: bool = False) -> str | None:
    """``text`` with whitespace runs made single spaces (lower-cased for IGNORECASE patterns: None when lower-casing
    cannot stand for IGNORECASE), to test ``Needs.keys`` with ``in``."""
    if ignorecase:
        if any(ch in text for ch in ODD_FOLDS):
            return None
        text = text.lower()
    return " ".join(text.split())
