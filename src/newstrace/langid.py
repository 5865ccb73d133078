"""Language detection: ISO 639-1 code and confidence from py3langid, with an Urdu script check."""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from newstrace.config import LangIdConfig

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

log = logging.getLogger(__name__)

UNDETERMINED = "und"

# py3langid also predicts regional varieties and languages without an ISO 639-1 code. Varieties are folded
# into their macro-language (their probabilities are added), so Egyptian Arabic news counts as "ar".
_TO_ISO1 = {
    "arz": "ar",
    "ary": "ar",
    "uzs": "uz",
    "yue": "zh",
    "wuu": "zh",
    "hbo": "he",
    "grc": "el",
    "gug": "gn",
    "sdh": "ku",
    "ltg": "lv",
}
# Letters that Urdu writes and Arabic and Persian do not (yeh barree, noon ghunna, heh goal, tteh, ddal,
# rreh, do-chashmi heh, heh goal with hamza). Together with mostly Arabic-script text they identify Urdu even
# where the statistical model leans to Persian or Arabic on short or mixed text.
_URDU_LETTERS = frozenset("ےںہٹڈڑھۓۂ")
# Minimum share of Arabic-script letters among all letters for the Urdu check to apply.
_ARABIC_SCRIPT_SHARE = 0.5


_ARABIC_LETTER = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff]")


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    # Loading the model takes ~0.5 s and it is only read afterwards (classify/rank do not mutate it), so one
    # instance per process is safe to share; lru_cache keeps it lazy, so importing this module stays cheap.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _is_arabic_script(ch: str) -> bool:
    return "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" or "\ufb50" <= ch <= "\ufdff"


def _urdu_share(letters: list[str]) -> float | None:
    """Share of Arabic-script letters when the text is mostly Arabic script with Urdu-only letters, else None."""
    arabic = [ch for ch in letters if _is_arabic_script(ch)]
    if not arabic or len(arabic) < _ARABIC_SCRIPT_SHARE * len(letters):
        return None
    urdu = sum(ch in _URDU_LETTERS for ch in arabic)
    # One stray letter in a long Persian or Arabic text is not enough: ask for 1% of the Arabic letters.
    if urdu == 0 or urdu < 0.01 * len(arabic):
        return None
    return len(arabic) / len(letters)


def _sample(text: str, limit: int) -> str:
    """The first ``limit`` characters of ``text``, cut back to a whitespace so no word is cut (unless the last 100
    characters hold none)."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", max(0, limit - 100), limit + 1)
    if cut <= 0:
        cut = max((text.rfind(ws, max(0, limit - 100), limit + 1) for ws in "\n\t"), default=-1)
    return text[: cut if cut > 0 else limit]


def detect_language(text: str, config: LangIdConfig) -> tuple[str, float]:
    """``(ISO 639-1 code, confidence 0-1)`` of ``text``; ``("und", confidence)`` when unsure or no letters."""
    sample = _sample(text, config.sample_chars)
    if not any(map(str.isalpha, sample)):
        return UNDETERMINED, 0.0
    if _ARABIC_LETTER.search(sample):  # the Urdu check needs Arabic script: skip the letter count elsewhere
        urdu = _urdu_share([ch for ch in sample if ch.isalpha()])
        if urdu is not None:
            return "ur", round(urdu, 4)
    scores: dict[str, float] = {}
    for label, prob in _identifier().rank(sample):
        code = _TO_ISO1.get(label, label)
        if len(code) == 2:  # "zxx" (no linguistic content) and codes without an ISO 639-1 form are not answers
            scores[code] = scores.get(code, 0.0) + float(prob)
    if not scores:
        return UNDETERMINED, 0.0
    code, conf = max(scores.items(), key=lambda kv: kv[1])
    conf = min(1.0, max(0.0, conf))
    if conf < config.min_confidence:
        return UNDETERMINED, conf
    return code, conf
