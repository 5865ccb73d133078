"""Spun text: automatic synonym substitution that breaks fixed phrases ("synthetic intelligence", "this 12 months").

Article spinners swap each word for a thesaurus synonym, so names and fixed collocations come out wrong in ways no
human writer or ordinary translation produces. Each entry below is one broken phrase and the fixed phrase it stands
for, with a weight (how unlikely it is in honest prose). Weights combine as a noisy-OR into the page score.
Score meaning: ≥ 0.5 one unmistakable spinner phrase or two weaker ones; ≥ 0.8 several.
"""

from __future__ import annotations

import regex

from newstrace.config import SignalConfig
from newstrace.model import Signal
from newstrace.signals._text import Needs, flat_text, noisy_or

_SPUN: tuple[tuple[str, str, float], ...] = (
    (r"\bsynthetic\s+intelligence\b", "artificial intelligence", 0.5),
    (r"\bman-made\s+intelligence\b", "artificial intelligence", 0.4),
    (r"\bcuriosity\s+(?:charges|fees|prices)\b", "interest rates", 0.6),
    (r"\binventory\s+(?:market|markets|change|exchange)\b", "stock market / stock exchange", 0.5),
    (r"\bthis\s+12\s+months\b", "this year", 0.6),
    (r"\b(?:final|subsequent|earlier)\s+12\s+months\b", "last / next / previous year", 0.35),
    (r"\b(?:this|final|subsequent|earlier|every|per)\s+yr\b", "year", 0.4),
    (r"\bhuman\s+privileges\b", "human rights", 0.5),
    (r"\bprime\s+(?:priest|pastor|clergyman)\b", "prime minister", 0.6),
    (r"\b(?:Joined\s+States|United\s+Conditions|United\s+Says)\b", "United States", 0.6),
    (r"\bWhite\s+(?:Residence|Property|Dwelling)\b", "White House", 0.6),
    (r"\bSupreme\s+Courtroom\b|\bBest\s+Court\b", "Supreme Court", 0.5),
    (r"\blocal\s+weather\s+(?:change|modify|alter)\b", "climate change", 0.6),
    (r"\bclimate\s+(?:modification|alteration)\b", "climate change", 0.4),
    (r"\bworld\s+warming\b", "global warming", 0.5),
    (r"\b(?:press|news)\s+convention\b", "press conference", 0.4),
    (r"\bregulation\s+enforcement\b", "law enforcement", 0.6),
    (r"\b(?:chief|main)\s+government\s+officer\b", "chief executive officer", 0.5),
    (r"\bon\s+the\s+opposite\s+hand\b", "on the other hand", 0.4),
    (r"\b(?:Ministry|Department|Division|Secretary)\s+of\s+(?:Well\s+being|Schooling|Protection)\b",
     "Ministry of Health / Education / Defence", 0.6),
    (r"\bDivision\s+of\s+Justice\b", "Department of Justice", 0.35),
    (r"\bstated\s+in\s+an\s+announcement\b", "said in a statement", 0.35),
    (r"\bdigital\s+foreign\s+money\b|\bcrypto\s+foreign\s+money\b", "digital currency", 0.6),
    (r"\bEuropean\s+Fee\b", "European Commission", 0.6),
    (r"\bNationwide\s+Guard\b", "National Guard", 0.5),
    (r"\bSafety\s+Council\b", "Security Council", 0.4),
    (r"\bhigher\s+training\b", "higher education", 0.4),
    (r"\bmassive\s+information\b", "big data", 0.4),
    (r"\bsocial\s+networking\s+media\b", "social media", 0.35),
    (r"\binteligencia\s+sintética\b", "inteligencia artificial", 0.5),
    (r"\bintelligence\s+synthétique\b", "intelligence artificielle", 0.5),
)
# With each pattern, words every match of it contains: a substring test skips most scans.
_SPUN_RES = tuple((regex.compile(p), orig, w, Needs([p])) for p, orig, w in _SPUN)
_ANY_SPUN = Needs([p for p, _, _ in _SPUN])
_MAX_SIGNALS = 10


def detect_spun(text: str, config: SignalConfig) -> list[Signal]:
    """``spun`` signals, one per broken fixed phrase, all carrying the page score, when it is high enough."""
    if not _ANY_SPUN.possible(text):
        return []
    flat = flat_text(text)
    hits = sorted(((m.start(), m.end(), w, f"{m.group()!r} stands for {orig!r}") for rx, orig, w, needs in _SPUN_RES
                   if needs.possible_in(flat) for m in rx.finditer(text)), key=lambda h: -h[2])[:_MAX_SIGNALS]
    score = noisy_or([w for _, _, w, _ in hits])
    if not hits or score < config.spun_min_score:
        return []
    return [Signal("spun", s, e, round(score, 3), f"{ev} (phrase weight {w:.2f}, page {score:.2f})")
            for s, e, w, ev in sorted(hits)]
