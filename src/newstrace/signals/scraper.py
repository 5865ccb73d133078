"""Scraper leftovers: markup and page furniture that an automatic copier left in the text.

"[ad_1]", WordPress shortcodes, HTML tags and entities, code fences, "The post … appeared first on …", "Source link",
an LLM's "Here is the rewritten article:", and page chrome such as "Click here to…", "Read more:", "Lea también".
Each marker has a weight: 0.9 = only a scraper or a generator leaves it; 0.6 = page furniture that an extractor
may also leave on an original page (so it says the text was lifted from a page, not that it was copied).
"""

from __future__ import annotations

import re

from newstrace.config import SignalConfig
from newstrace.model import Signal
from newstrace.signals._text import Needs, flat_text

_MARKERS: tuple[tuple[str, float, str], ...] = (
    (r"\[/?ad_?\d*\]", 0.9, "ad placeholder"),
    (r"\[/?(?:embed|caption|gallery|video|audio|vc_row|vc_column|et_pb_\w+|tweet|tie_\w+|su_\w+)(?:\s[^\]\n]{0,200})?\]",
     0.9, "WordPress shortcode"),
    (r"(?i)\[embedded content\]", 0.9, "embed placeholder"),
    (r"(?m)^[ \t]*```", 0.9, "code fence"),
    (r"(?m)^[ \t]*Source link[ \t]*$", 0.9, "auto-posting footer 'Source link'"),
    (r"The post [^\n]{3,200}? appeared first on [^\n]{2,100}", 0.9, "RSS footer"),
    (r"(?i)auto-generated from a syndicated feed|has not been edited by [^\n]{1,40} staff", 0.9,
     "syndicated-feed disclaimer"),
    (r"(?i)\bas an AI language model\b|\bI hope this helps\b", 0.9, "chatbot leftover"),
    (r"(?im)^[ \t]*(?:sure|certainly|of course)[!,.][ \t]+here(?:'s| is)", 0.9, "chatbot leftover"),
    (r"(?i)\bhere is (?:a|the|your) (?:rewritten|paraphrased|revised|reworded|unique) (?:version|article|text)", 0.9,
     "chatbot leftover"),
    (r"(?im)^[ \t]*(?:rewritten|paraphrased|revised) (?:article|version|text)[ \t]*:", 0.9, "chatbot leftover"),
    (r"\{\{[^{}\n]{1,80}\}\}", 0.9, "template placeholder"),
    (r"(?i)<(?:p|div|span|br|a|img|script|iframe|strong|em|h[1-6])\b[^<>\n]{0,200}>|</(?:p|div|span|a|strong|em)>",
     0.9, "HTML tag"),
    (r"&(?:nbsp|amp|quot|lt|gt|rsquo|lsquo|rdquo|ldquo|mdash|ndash|#\d{2,5});", 0.9, "HTML entity"),
    (r"(?i)lorem ipsum", 0.9, "placeholder text"),
    (r"(?i)please enable javascript|javascript:void", 0.9, "page script notice"),
    (r"(?i)\b(?:click|tap) here (?:to|for)\b|\bhaga clic aquí\b|\bcliquez ici\b|\bklicken Sie hier\b|\bclique aqui\b",
     0.6, "link text"),
    (r"(?im)^[ \t]*(?:read more|read also|also read|see also|related|lea también|lee también|leer más|lire aussi|"
     r"à lire aussi|mehr zum thema|lesen sie auch|leia também|leia mais)\b[ \t]*:?", 0.6, "related-links line"),
    (r"(?i)\b(?:subscribe|sign up) (?:to|for) (?:our|the) newsletter\b|\bfollow us on (?:twitter|facebook|"
     r"google news|telegram|instagram|x)\b|\bjoin our (?:whatsapp|telegram)\b|\bdownload our app\b", 0.6,
     "call to action"),
    (r"(?im)^[ \t]*(?:share this|like this|share on (?:facebook|twitter|whatsapp)|you may also like|"
     r"recommended for you|related (?:posts|articles|stories))\b[ \t]*:?", 0.6, "sharing widget"),
    (r"(?i)\boriginally (?:published|appeared) (?:at|on|in)\b|\bthis (?:article|story) (?:was )?originally "
     r"(?:published|appeared)\b", 0.6, "republication note"),
    (r"(?m)^[ \t]*(?:Advertisement|ADVERTISEMENT|Publicidad|PUBLICIDAD|Publicité|PUBLICITÉ|Anzeige|ANZEIGE|Werbung|"
     r"Publicidade)[ \t]*$", 0.6, "advertisement label"),
    (r"(?m)^[ \t]*Loading\.\.\.[ \t]*$", 0.6, "widget placeholder"),
    (r"(?m)^[ \t]*#{1,6}[ \t]+\S", 0.5, "markdown heading"),
    (r"\*\*[^*\n]{2,80}\*\*", 0.5, "markdown bold"),
    (r"(?im)^[ \t]*(?:title|headline|titre|título|titel)[ \t]*:", 0.5, "generator field label"),
)
# With each pattern, text that every match of it contains: a substring test skips most scans (most texts are clean).
_MARKER_RES = tuple((rx, w, d, Needs([p], ignorecase=bool(rx.flags & re.IGNORECASE)))
                    for p, w, d in _MARKERS for rx in (re.compile(p),))
# First one search each for what any case-sensitive and any case-insensitive marker needs.
_ANY_PLAIN = Needs([p for p, _, _ in _MARKERS if not re.compile(p).flags & re.IGNORECASE])
_ANY_FOLDED = Needs([p for p, _, _ in _MARKERS if re.compile(p).flags & re.IGNORECASE], ignorecase=True)
_MAX_SIGNALS = 20


def detect_scraper_markers(text: str, config: SignalConfig) -> list[Signal]:
    """``scraper_marker`` signals, one per leftover (at most 20), scored by the marker's weight."""
    out: list[Signal] = []
    lowered = text.lower()
    if not (_ANY_PLAIN.possible(text) or _ANY_FOLDED.possible(text, lowered)):
        return out
    plain, folded = flat_text(text), flat_text(text, ignorecase=True)
    for rx, w, desc, needs in _MARKER_RES:
        if w < config.scraper_min_score or not needs.possible_in(folded if rx.flags & re.IGNORECASE else plain):
            continue
        for m in rx.finditer(text):
            span = m.group().strip()
            out.append(Signal("scraper_marker", m.start(), m.end(), w, f"{desc}: {span[:80]!r}"))
    out.sort(key=lambda s: (s.start, s.end))
    return out[:_MAX_SIGNALS]
