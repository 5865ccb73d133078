"""Helpers shared by the signal detectors: paragraph and sentence boundaries with offsets, case ratio, and the
noisy-OR that combines independent pieces of evidence.

Sentences come from the project's segmenter (``normalise.segment_sentences``) so signals and alignment agree on
units; paragraphs are blank-line blocks. Both are linear and work on texts without punctuation or line breaks.
"""

from __future__ import annotations

import regex

from newstrace.config import NormaliseConfig
from newstrace.normalise import segment_sentences

# The segmenter's defaults: no merging of short fragments (a closing "EFE" stays its own unit).
_SEGMENT = NormaliseConfig(min_sentence_chars=1)
_PARA_BREAK = regex.compile(r"\n[ \t]*\n+|\r\n[ \t]*\r\n")
_LETTER = regex.compile(r"\p{L}")
_UPPER = regex.compile(r"\p{Lu}")


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
    return [(start + seg.start, start + seg.end) for seg in segment_sentences("", text[start:end], _SEGMENT)]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def upper_ratio(text: str, sample: int = 20_000) -> float:
    """Share of letters that are upper case in the first ``sample`` characters (1.0 for all caps, 0.0 if no letters)."""
    text = text[:sample]
    letters = len(_LETTER.findall(text))
    return len(_UPPER.findall(text)) / letters if letters else 0.0


def noisy_or(weights: list[float]) -> float:
    """Probability that at least one of several independent cues is right, each right with its weight."""
    p = 1.0
    for w in weights:
        p *= 1.0 - w
    return 1.0 - p
