"""Spun text: broken fixed phrases."""

from __future__ import annotations

from newstrace.config import SignalConfig
from newstrace.signals.spun import detect_spun

CFG = SignalConfig()


def test_spinner_phrases_fire() -> None:
    text = ("The central bank raised curiosity charges for the third time this 12 months, and shares on the "
            "inventory market fell.")
    signals = detect_spun(text, CFG)
    assert {text[s.start : s.end] for s in signals} == {"curiosity charges", "this 12 months", "inventory market"}
    assert all(s.score >= 0.9 for s in signals)
    assert "interest rates" in signals[0].evidence


def test_one_weak_phrase_is_not_enough() -> None:
    assert detect_spun("The press convention ended early.", CFG) == []


def test_honest_prose_is_not_spun() -> None:
    text = ("The central bank raised interest rates for the third time this year. Over the past 12 months, "
            "inflation fell to 3%. Artificial intelligence firms led the stock market higher, and the White House "
            "said the Supreme Court ruling on climate change would not affect the plan.")
    assert detect_spun(text, CFG) == []
