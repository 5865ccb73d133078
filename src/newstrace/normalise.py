"""Text cleanup and segmentation that keep exact character offsets back to the ingested text."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import regex

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
    w = unicodedata.normalize("NFKC", word).casefold().replace("’", "'")
    decomposed = unicodedata.normalize("NFD", w)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Words of ``text[start:end]`` with offsets into ``text`` (not into the slice)."""
    end = len(text) if end is None else end
    return [Token(m.start(), m.end(), fold(m.group())) for m in _WORD.finditer(text, start, end)]
