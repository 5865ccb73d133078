"""What a copy added, dropped or changed relative to its source: numbers, names, quotes and inserted filler.

Facts are the parts of a news text that survive rewording and even translation — numbers, proper names and quoted
speech — so comparing them says what a copy changed while the alignment says what it reused.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import regex
from rapidfuzz import fuzz, process

from newstrace.config import AttributeConfig
from newstrace.model import Changes, Span
from newstrace.normalise import fold, tokenize

log = logging.getLogger(__name__)

FactKind = Literal["number", "name", "quote"]

# A number: digits in any script, with inner thousands / decimal separators ("2.4", "1,000", "1 000", "24.3").
_NUMBER = regex.compile(r"(?<![\p{L}\p{N}])\p{Nd}+(?:[.,\u00a0\u202f ]\p{Nd}+)*(?![\p{L}\p{N}])")
# A run of capitalised words ("Jens Stoltenberg", "Volodymyr Zelenskiy"), joined by spaces or hyphens.
_NAME = regex.compile(r"\p{Lu}[\p{L}\p{M}]+(?:['’\-]\p{L}+)*(?: \p{Lu}[\p{L}\p{M}]+(?:['’\-]\p{L}+)*)*")
# Quoted speech between typographic or straight double quotes, guillemets, or low-high quotes; at least 3 words.
_QUOTE = regex.compile(r"[\"“”„«»‹›]([^\"“”„«»‹›\n]{12,600}?)[\"“”„«»‹›]")
# Sentence ends: used to tell a sentence-initial capital (any word) from a name.
_SENTENCE = regex.compile(r"[^\n]+?(?:[.!?。؟۔]+[\"”’»)]*(?=\s|$)|(?=\n)|$)")
_FACT_CHARS = regex.compile(r"[\p{L}\p{N}]")
_LETTER = regex.compile(r"\p{L}")
_LOWER_WORD = regex.compile(r"\b\p{Ll}[\p{L}\p{M}]*")


@dataclass(frozen=True, slots=True)
class Fact:
    """A number, name or quote found in a text: ``text[start:end]`` and a comparison key."""

    kind: FactKind
    start: int
    end: int
    surface: str
    key: str


def _number_key(surface: str) -> str:
    """Digits with separators normalised: a separator before exactly 3 digits is a thousands mark, else decimal."""
    digits = "".join(str(unicodedata.digit(ch)) if ch.isdigit() else ch for ch in surface)
    parts = regex.split(r"[.,\u00a0\u202f ]", digits)
    out = parts[0]
    for part in parts[1:]:
        out += part if len(part) == 3 else "." + part
    if "." in out:
        out = out.rstrip("0").rstrip(".")
    return out.lstrip("0") or "0"


def _sentence_starts(text: str) -> set[int]:
    """Offsets of the first word of every sentence (capitals there are not evidence of a name)."""
    starts: set[int] = set()
    for m in _SENTENCE.finditer(text):
        w = _LETTER.search(m.group())
        if w:
            starts.add(m.start() + w.start())
    return starts


def _is_word_char(c: str) -> bool:
    # What a regex ``\w`` matches: letters, marks, decimal and letter numbers, connector punctuation.
    cat = unicodedata.category(c)
    return cat[0] in "LM" or cat in {"Nd", "Nl", "Pc"}


def _mid_sentence(text: str, word: str, starts: set[int]) -> bool:
    """Whether ``word`` also occurs capitalised somewhere other than at a sentence start.

    A plain substring scan with word-boundary checks (``\bword\b``) instead of a regex per word: this runs for
    every sentence-opening word of every article.
    """
    i = text.find(word)
    while i >= 0:
        j = i + len(word)
        bounded = (i == 0 or not _is_word_char(text[i - 1])) and (j == len(text) or not _is_word_char(text[j]))
        if bounded and i not in starts:
            return True
        i = text.find(word, i + 1)
    return False


def extract_facts(text: str) -> list[Fact]:
    """Numbers, names and quotes of ``text`` in text order (offsets into ``text``)."""
    facts: list[Fact] = []
    for m in _NUMBER.finditer(text):
        surface = m.group().strip()
        facts.append(Fact("number", m.start(), m.start() + len(surface), surface, _number_key(surface)))
    starts = _sentence_starts(text)
    lower_words = set(_LOWER_WORD.findall(text))
    # Sentence-opening words repeat ("The", "But"): each is looked up in the text once.
    mid_sentence: dict[str, bool] = {}
    for m in _NAME.finditer(text):
        start, surface = m.start(), m.group()
        if start in starts:
            first, _, rest = surface.partition(" ")
            if first.casefold() in lower_words or not rest:
                # A capitalised word opening a sentence is only a name when the text never writes it in lower case
                # and also capitalises it mid-sentence ("Stoltenberg said" yes; "In", "Moreover" no).
                if rest:
                    start, surface = start + len(first) + 1, rest
                elif first.casefold() in lower_words:
                    continue
                else:
                    if first not in mid_sentence:
                        mid_sentence[first] = _mid_sentence(text, first, starts)
                    if not mid_sentence[first]:
                        continue
        key = fold(surface).removesuffix("'s")
        facts.append(Fact("name", start, start + len(surface), surface, key))
    for m in _QUOTE.finditer(text):
        inner = m.group(1).strip()
        if len(inner.split()) >= 3:
            facts.append(Fact("quote", m.start(1), m.end(1), inner, " ".join(fold(w) for w in inner.split())))
    facts.sort(key=lambda f: (f.start, f.end))
    return facts


@dataclass(frozen=True, slots=True)
class ArticleFacts:
    """What the pair features need of one article, computed once per article instead of once per pair."""

    language: str | None
    numbers: frozenset[str]  # number keys
    names: frozenset[str]  # name keys
    quotes: tuple[tuple[int, int], ...]  # half-open ranges of quoted speech in the text
    tokens: tuple[str, ...]  # folded words in text order
    words: frozenset[str]  # folded words with possessive endings removed (name look-ups)
    facts: tuple[Fact, ...] = ()  # every fact in text order (what :func:`diff_facts` compares)
    key: str = ""  # the folded text, words joined by single spaces (where quotes are looked for)


def article_facts(text: str, language: str | None = None) -> ArticleFacts:
    """Numbers, names, quote ranges and words of one article, for :func:`newstrace.classify.pair_features`."""
    facts = extract_facts(text)
    tokens = tuple(t.norm for t in tokenize(text))
    return ArticleFacts(
        language=language,
        numbers=frozenset(f.key for f in facts if f.kind == "number"),
        names=frozenset(f.key for f in facts if f.kind == "name"),
        quotes=tuple((f.start, f.end) for f in facts if f.kind == "quote"),
        tokens=tokens,
        words=frozenset(t.removesuffix("'s") for t in tokens),
        facts=tuple(facts),
        key=_text_key(text),
    )


def _text_key(text: str) -> str:
    return " ".join(fold(w) for w in text.split())


def quote_ranges(text: str) -> list[tuple[int, int]]:
    """Half-open ranges of ``text`` inside quotation marks (quoted speech that independent reports share)."""
    return [(f.start, f.end) for f in extract_facts(text) if f.kind == "quote"]


def name_present(key: str, words: frozenset[str], cutoff: float) -> bool:
    """A name is present when at least half its words occur in the other text, spelled alike or nearly alike.

    Word-wise so that a title added or dropped ("NATO Secretary General Jens Stoltenberg" / "Stoltenberg") and a
    transliteration ("Zelensky" / "Zelenskiy") do not count as a different name.
    """
    parts = [w for w in key.split() if len(w) >= 3] or key.split()
    found = 0
    for w in parts:
        if w in words or process.extractOne(w, words, scorer=fuzz.ratio, score_cutoff=cutoff) is not None:
            found += 1
    return found * 2 >= len(parts)


def word_keys(text: str) -> frozenset[str]:
    """Folded words of ``text`` (possessive endings removed), for name look-ups."""
    return frozenset(t.norm.removesuffix("'s") for t in tokenize(text))


def _quote_present(quote: str, text_key: str, cutoff: float) -> bool:
    """A quote is present when a stretch of the other text matches it closely."""
    return fuzz.partial_ratio(quote, text_key, score_cutoff=cutoff) > 0


def _missing(
    facts: Sequence[Fact],
    skip: set[int],
    other_numbers: set[str],
    other_words: frozenset[str],
    other_key: str | None,
    config: AttributeConfig,
) -> list[str]:
    """Facts of one text the other text lacks (quotes only compared when ``other_key`` is given)."""
    out: list[str] = []
    for i, f in enumerate(facts):
        if i in skip:
            continue
        if f.kind == "number":
            if f.key not in other_numbers:
                out.append(f.surface)
        elif f.kind == "name":
            if other_key is None and " " not in f.key:
                continue  # across languages single capitalised words are mostly translated (months, days, places)
            if not name_present(f.key, other_words, config.name_match_ratio):
                out.append(f.surface)
        elif other_key is not None and not _quote_present(f.key, other_key, config.quote_match_ratio):
            out.append(f"“{_short(f.surface)}”")
    return out


def _context(text: str, fact: Fact, width: int = 3) -> set[str]:
    """Folded words just before and after a fact (same-language comparison of where a number sits)."""
    before = [t.norm for t in tokenize(text, max(0, fact.start - 60), fact.start)][-width:]
    after = [t.norm for t in tokenize(text, fact.end, min(len(text), fact.end + 60))][:width]
    return {f"<{w}" for w in before} | {f">{w}" for w in after}


def _in_any(start: int, end: int, ranges: Sequence[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in ranges)


def _sentences(text: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for m in _SENTENCE.finditer(text):
        seg = m.group()
        lead = len(seg) - len(seg.lstrip())
        s, e = m.start() + lead, m.start() + len(seg.rstrip())
        if e > s and _FACT_CHARS.search(text, s, e):
            out.append((s, e))
    return out


def _cap(items: list[str], limit: int) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return tuple(list(seen)[:limit])


def _short(s: str, limit: int = 80) -> str:
    s = " ".join(s.split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def diff_facts(
    derived_text: str,
    source_text: str,
    spans: Sequence[Span],
    derived_lang: str | None = None,
    source_lang: str | None = None,
    config: AttributeConfig | None = None,
    *,
    is_generic: Callable[[str, str | None], float] | None = None,
    derived_facts: ArticleFacts | None = None,
    source_facts: ArticleFacts | None = None,
) -> Changes:
    """Numbers, names and quotes the derived text added, dropped or changed, and inserted filler sentences.

    ``changed`` pairs a source number with a different derived number inside the same aligned passage ("128 → 182").
    Across languages quotes and one-word names are not compared (they are translated); numbers and full names are.
    ``is_generic`` scores a sentence's genericness (0–1), e.g. ``signals.is_generic_sentence``; without it a filler
    sentence is any inserted sentence with no fact at all. ``derived_facts`` / ``source_facts`` are
    :func:`article_facts` of the two texts when the caller has them (an article in many links is analysed once).
    """
    config = config or AttributeConfig()
    cross = bool(derived_lang and source_lang and derived_lang != source_lang)
    dfa = derived_facts if derived_facts is not None else article_facts(derived_text, derived_lang)
    sfa = source_facts if source_facts is not None else article_facts(source_text, source_lang)
    dfacts, sfacts = list(dfa.facts), list(sfa.facts)

    changed: list[str] = []
    matched_d: set[int] = set()  # indexes into dfacts explained as a change
    matched_s: set[int] = set()
    skeys_num = {f.key for f in sfacts if f.kind == "number"}
    dkeys_num = {f.key for f in dfacts if f.kind == "number"}
    for sp in spans:
        d_in = [
            i
            for i, f in enumerate(dfacts)
            if f.kind == "number" and sp.derived_start <= f.start < sp.derived_end and f.key not in skeys_num
        ]
        s_in = [
            i
            for i, f in enumerate(sfacts)
            if f.kind == "number" and sp.source_start <= f.start < sp.source_end and f.key not in dkeys_num
        ]
        # A number missing on one side and a new one on the other, inside one aligned passage and between the same
        # words ("crowns ($5.9 million)" / "crowns ($6 million)"), is one number altered.
        for di in d_in:
            if di in matched_d:
                continue
            d_ctx = _context(derived_text, dfacts[di])
            best, best_si = 0, -1
            for si in s_in:
                if si in matched_s:
                    continue
                shared = len(d_ctx & _context(source_text, sfacts[si]))
                if shared > best:
                    best, best_si = shared, si
            if best >= config.changed_min_context_words:
                matched_d.add(di)
                matched_s.add(best_si)
                changed.append(f"{sfacts[best_si].surface} → {dfacts[di].surface}")

    swords, dwords = sfa.words, dfa.words
    source_key, derived_key = sfa.key, dfa.key
    added = _missing(dfacts, matched_d, skeys_num, swords, None if cross else source_key, config)
    dropped = _missing(sfacts, matched_s, dkeys_num, dwords, None if cross else derived_key, config)

    covered = [(sp.derived_start, sp.derived_end) for sp in spans]
    filler: list[str] = []
    for s, e in _sentences(derived_text):
        if _in_any(s, e, covered):
            continue
        # Filler carries no fact of its own: no number or quote, and no name the source does not already have.
        # Without a genericness scorer only fact-free sentences qualify (strict: real reporting is not filler).
        inside = [f for f in dfacts if s <= f.start < e]
        if is_generic is None and inside:
            continue
        if any(f.kind != "name" or not name_present(f.key, swords, config.name_match_ratio) for f in inside):
            continue
        sentence = derived_text[s:e]
        if len(sentence.split()) < config.filler_min_words:
            continue
        if is_generic is not None and is_generic(sentence, derived_lang) < config.filler_min_generic:
            continue
        filler.append(_short(sentence, 160))

    limit = config.max_change_items
    return Changes(
        added=_cap(added, limit), dropped=_cap(dropped, limit), changed=_cap(changed, limit), filler=_cap(filler, limit)
    )
