"""Rare anchors that survive translation and rewriting: numbers, names, quoted words.

A translated or rewritten article shares almost no word shingles with its source, but it keeps the
figures ("2.4 billion" = "2.400 millones"), the names ("Zelensky", "Zelenski", "Зеленский") and
often distinctive quoted words. Each anchor is a short string key:

- ``n:<value>`` a number normalised across languages: thousands separators and the decimal mark
  resolved per language, scale words applied ("2.4 billion", "2,4 mil millones", "2.400 millones"
  all give ``n:2.4e9``), percentages marked with ``%``. Lone one-digit numbers are too common to
  anchor anything and are dropped.
- ``w:<word>`` a capitalised word not at the start of a sentence (a name), or a long word inside
  quotation marks, folded (case, accents) and transliterated from Cyrillic/Greek so spellings in
  different scripts meet, cut to ``_NAME_PREFIX`` letters so inflected forms ("Putins") still meet.

Which anchors are rare is a property of the collection, so the document-frequency cut happens in
the per-group step (``candidates.pairs_from_anchor_postings``); here only per-text rules apply.
"""

from __future__ import annotations

import hashlib
import logging
import math

import regex

from newstrace.normalise import fold

log = logging.getLogger(__name__)

# Languages that write 2.400,5 (dot groups thousands, comma marks decimals).
_DECIMAL_COMMA_TEXT = (
    "af az be bg bs ca cs da de el es et eu fi fr gl hr hu id is it ka kk lt lv mk nl no nb nn pl pt ro ru "
    "sk sl sq sr sv tr uk uz vi"
)
_DECIMAL_COMMA = frozenset(_DECIMAL_COMMA_TEXT.split())

# Scale words (folded) → multiplier. Composite "mil millones" (es) and "milliards" (fr) = 10^9;
# Spanish/French/German "billón/billion/Billion" are 10^12 in those languages, handled per language.
_SCALE = {
    "thousand": 1e3, "mil": 1e3, "mille": 1e3, "tausend": 1e3, "тыс": 1e3, "тысяч": 1e3, "тысячи": 1e3,
    "k": 1e3,
    "million": 1e6, "millions": 1e6, "millon": 1e6, "millones": 1e6, "milhoes": 1e6, "milhao": 1e6,
    "millionen": 1e6, "mio": 1e6, "milioni": 1e6, "milione": 1e6, "mln": 1e6, "m": 1e6, "млн": 1e6,
    "миллиона": 1e6, "миллионов": 1e6, "миллион": 1e6,
    "billion": 1e9, "billions": 1e9, "bn": 1e9, "b": 1e9, "milliard": 1e9, "milliards": 1e9,
    "milliarden": 1e9, "milliarde": 1e9, "mrd": 1e9, "mld": 1e9, "miliardi": 1e9, "miliardo": 1e9,
    "млрд": 1e9, "миллиарда": 1e9, "миллиардов": 1e9, "bilhoes": 1e9, "bilhao": 1e9,
    "trillion": 1e12, "trillions": 1e12, "billones": 1e12, "billon": 1e12, "trn": 1e12, "трлн": 1e12,
}
# In these languages "billion"/"billón" is the long-scale 10^12.
_LONG_SCALE = frozenset({"es", "fr", "de", "it", "nl", "pl", "sv", "da", "no", "nb", "fi", "cs", "sk", "hu"})
_PERCENT_WORDS = ("per cent", "percent", "por ciento", "pour cent", "prozent", "per cento", "procent", "процент")

# A number: grouped thousands with one consistent mark ("2,400,000", "2 400 000", "2.400") or plain
# digits with an optional decimal part; then an optional "%" or up to two scale words.
_NUMBER = regex.compile(
    r"(?<![\p{L}\p{N}.,])(\d{1,3}(?:([.,\u00a0\u202f ])\d{3})(?:\2\d{3})*(?:[.,]\d+)?(?!\d)|\d+(?:[.,]\d+)?)"
    r"(?:\s?(%)|(\s*)([\p{L}.]+(?:\s+de)?(?:\s+\p{L}+)?))?",
)
_SENTENCE_END = regex.compile(r"[.!?:;…»\"“”\n]\s*$|^\s*$")
_CAPITALISED = regex.compile(r"(?<![\p{L}\p{N}])(\p{Lu}[\p{L}\p{M}'’\-]*\p{L})")
_QUOTED = regex.compile(r"[\"“„«»‘‚「『]([^\"“”„«»‘’「」『』\n]{3,300})[\"”“»«’」』]")
_QUOTE_WORD = regex.compile(r"\p{L}{8,}")

# Capitalised words that are not names, in the languages we meet most. Frequent ones are also cut by
# document frequency later; this list only spares the per-article budget.
_COMMON_CAPS_TEXT = (
        "The A An In On At For And But Or Of To By With From As It He She They We I You This That These Those "
        "His Her Their Our Its Mr Mrs Ms Dr Monday Tuesday Wednesday Thursday Friday Saturday Sunday "
        "January February March April May June July August September October November December "
        "El La Los Las Un Una En Con Por Para Del Al Que Se Su Sus Le Les Des Une Du Et Der Die Das Den Dem "
        "Ein Eine Und Im Il Lo Gli Di Da Per Como Pero Según Segun Lunes Martes Miércoles Jueves Viernes Sábado "
        "Domingo Enero Febrero Marzo Abril Mayo Junio Julio Agosto Septiembre Octubre Noviembre Diciembre "
        "Lundi Mardi Mercredi Jeudi Vendredi Samedi Dimanche Janvier Février Mars Avril Mai Juin Juillet Août "
        "Septembre Octobre Novembre Décembre However But Also After Before When While If Yes No Not"
)
_COMMON_CAPS = frozenset(fold(w) for w in _COMMON_CAPS_TEXT.split())

# Cyrillic and Greek → Latin, letter by letter: enough for names to meet their Latin spelling's prefix.
_TRANSLIT = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
        "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
        "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y",
        "ь": "", "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "i", "є": "ie", "ґ": "g",
        "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th", "ι": "i", "κ": "k",
        "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r", "σ": "s", "ς": "s", "τ": "t",
        "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps", "ω": "o",
    }
)
# Names are cut to this many letters: inflection ("Putins", "Путина") and transliteration variants
# ("Zelensky"/"Zelenskyy"/"Zelenski") usually differ only at the end.
_NAME_PREFIX = 7
_MIN_NAME_LETTERS = 3
_DOUBLED = regex.compile(r"(.)\1+")


def _name_key(word: str) -> str | None:
    key = fold(word).translate(_TRANSLIT)
    key = "".join(ch for ch in key if ch.isalpha()).replace("y", "i")
    # Doubled letters and y/i are where transliterations disagree most ("Zelenskyy", "Zelenski").
    key = _DOUBLED.sub(r"\1", key)
    if len(key) < _MIN_NAME_LETTERS:
        return None
    return key[:_NAME_PREFIX]


def _parse_number(raw: str, language: str | None) -> float:
    """Digits with separators → value, resolving ``.``/``,`` by language and group shape."""
    s = raw.replace("\u00a0", " ").replace("\u202f", " ")
    if " " in s:  # "2 400 000": spaces only ever group thousands
        s = s.replace(" ", "")
    seps = [c for c in s if c in ".,"]
    if not seps:
        return float(s)
    decimal_comma = language in _DECIMAL_COMMA if language else None
    last = max(s.rfind("."), s.rfind(","))
    tail = s[last + 1 :]
    if len(set(seps)) == 2:
        # Both marks: the last one is the decimal mark ("2,400.5" / "2.400,5").
        dec = s[last]
        grp = "," if dec == "." else "."
        return float(s.replace(grp, "").replace(dec, "."))
    sep = seps[0]
    if len(seps) > 1:  # "2.400.000" / "2,400,000": repeated mark groups thousands
        return float(s.replace(sep, ""))
    if len(tail) != 3:
        return float(s.replace(sep, "."))  # "2,4" / "2.45": a decimal mark
    # One mark followed by exactly three digits: thousands unless the language says decimal.
    if decimal_comma is None:
        return float(s.replace(sep, ""))
    is_decimal = (sep == ",") == decimal_comma
    return float(s.replace(sep, ".")) if is_decimal else float(s.replace(sep, ""))


def _scale(words: str, language: str | None, attached: bool) -> float:
    """Multiplier of the scale phrase after a number ("mil millones", "billion", "млрд")."""
    if not words:
        return 1.0
    parts = [fold(p).strip(".") for p in words.split()]
    parts = [p for p in parts if p and p != "de"]
    if not parts:
        return 1.0
    first = parts[0]
    if len(first) == 1 and not attached:
        return 1.0  # "5 m" is five metres; only "$5m" is five million
    if first == "mil" and len(parts) > 1 and _SCALE.get(parts[1]) == 1e6:
        return 1e9  # "mil millones"
    if first in {"billion", "billions", "billon", "billones"} and language in _LONG_SCALE:
        return 1e12
    return _SCALE.get(first, 1.0)


def _number_key(value: float, percent: bool) -> str:
    if value.is_integer() and abs(value) < 1e6:
        body = str(int(value))
    else:
        # Three significant digits: "2.4e9" whether written as 2,400 million or 2.4 billion.
        exp = math.floor(math.log10(abs(value))) if value else 0
        mant = round(value / 10**exp, 2)
        if mant >= 10:
            mant, exp = mant / 10, exp + 1
        body = f"{mant:g}e{exp}"
    return f"n:{body}{'%' if percent else ''}"


def _numbers(text: str, language: str | None) -> set[str]:
    out: set[str] = set()
    for m in _NUMBER.finditer(text):
        raw, pct, gap, tail = m.group(1), m.group(3), m.group(4), m.group(5) or ""
        try:
            value = _parse_number(raw, language)
        except ValueError:
            continue
        after = text[m.end(1) : m.end(1) + 16].casefold().lstrip()
        percent = bool(pct) or after.startswith(_PERCENT_WORDS)
        scale = 1.0 if percent else _scale(tail, language, attached=not gap)
        value *= scale
        digits = sum(ch.isdigit() for ch in raw)
        if digits < 2 and scale == 1.0 and not percent and "." not in raw and "," not in raw:
            continue  # "3 people": far too common to anchor anything
        out.add(_number_key(value, percent))
    return out


def _names(text: str) -> set[str]:
    out: set[str] = set()
    for m in _CAPITALISED.finditer(text):
        before = text[max(0, m.start() - 3) : m.start()]
        if _SENTENCE_END.search(before):
            continue  # sentence-initial capitals are mostly ordinary words
        word = m.group(1)
        if fold(word) in _COMMON_CAPS:
            continue
        key = _name_key(word)
        if key:
            out.add("w:" + key)
    for q in _QUOTED.finditer(text):
        for w in _QUOTE_WORD.findall(q.group(1)):
            key = _name_key(w)
            if key:
                out.add("w:" + key)
    return out


def _rank(anchor: str) -> int:
    return int.from_bytes(hashlib.blake2b(anchor.encode("utf-8"), digest_size=8).digest(), "little")


def extract_anchors(text: str, language: str | None = None, max_anchors: int = 48) -> frozenset[str]:
    """Anchor keys of one text (numbers ``n:…``, names and quoted words ``w:…``).

    ``language`` (ISO 639-1 or None) decides whether "2.400" is 2400 or 2.4 and "billion" 10^9 or 10^12.
    When there are more than ``max_anchors``, a fixed hash order picks the kept ones (a bottom-k sample),
    so two texts sharing many anchors keep mostly the same ones.
    """
    if not text:
        return frozenset()
    lang = (language or "").split("-")[0].lower() or None
    anchors = _numbers(text, lang) | _names(text)
    if len(anchors) > max_anchors:
        anchors = set(sorted(anchors, key=_rank)[:max_anchors])
    return frozenset(anchors)
