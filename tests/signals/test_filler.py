"""Generic filler: seed 002's closing paragraph fires, factual paragraphs do not."""

from __future__ import annotations

from pathlib import Path

import pytest

from newstrace.config import SignalConfig
from newstrace.signals import is_generic_sentence
from newstrace.signals.filler import detect_filler

CFG = SignalConfig()
SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"


@pytest.mark.parametrize(
    "sentence",
    [
        "The ongoing conflict serves as a testament to the resilience and determination of its people.",
        "The international community must rally behind these efforts to ensure a peaceful and just resolution.",
        "Only time will tell whether these efforts will pave the way for lasting peace.",
        "La comunidad internacional debe actuar con determinación y solidaridad ante esta crisis.",
        "Il reste à voir si la communauté internationale doit intervenir face à l'adversité.",
    ],
)
def test_generic_sentences_score_high(sentence: str) -> None:
    assert is_generic_sentence(sentence, None) >= 0.75


@pytest.mark.parametrize(
    "sentence",
    [
        "Stoltenberg said NATO had signed contracts worth 2.4 billion euros for 155-millimetre shells.",
        "\"We are better prepared than we were a year ago,\" said Nadia Calviño, Spain's economy minister.",
        "The council voted 7-2 on Monday to approve a $4.1 million contract for new buses.",
        "Rescue workers pulled two survivors from the rubble of the building in Izmir late on Sunday.",
        "EFE",
        "",
    ],
)
def test_factual_sentences_score_low(sentence: str) -> None:
    assert is_generic_sentence(sentence, "en") < 0.3


def test_german_nouns_are_not_names() -> None:
    assert is_generic_sentence("Die internationale Gemeinschaft muss mehr denn je Solidarität zeigen.", "de") >= 0.75


def test_seed_002_closing_paragraph_is_filler() -> None:
    path = SEEDS / "002_45e8615605c2f88a.txt"
    if not path.is_file():
        pytest.skip(f"seed not found at {path}")
    text = path.read_text(encoding="utf-8")
    signals = detect_filler(text, "en", CFG)
    closing_start = text.rindex("The ongoing conflict in Ukraine")
    closing = [s for s in signals if s.start == closing_start]
    assert closing and closing[0].end == len(text.rstrip()) and closing[0].score >= 0.75
    assert "testament" in closing[0].evidence


def test_factual_article_has_no_filler() -> None:
    text = (
        "The city council voted 7-2 on Monday night to approve a $4.1 million contract for new buses.\n\n"
        "Mayor John Whitaker said he expected the first vehicles to arrive in March. \"This is a long-overdue "
        "investment,\" he said.\n\n"
        "Council member Laura Chen, who voted against the deal, said she worried about maintenance costs. The "
        "contract runs until 2031."
    )
    assert detect_filler(text, "en", CFG) == []


def test_factual_closing_without_names_is_not_filler() -> None:
    text = (
        "Police arrested three men after the robbery in Leeds on Friday.\n\n"
        "The company did not respond to a request for comment."
    )
    assert detect_filler(text, "en", CFG) == []
