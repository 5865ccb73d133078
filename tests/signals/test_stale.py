"""Stale: old events told as new."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from newstrace.config import SignalConfig
from newstrace.model import PubDate
from newstrace.signals import detect_stale

CFG = SignalConfig()
SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
NOV9 = PubDate.day(dt.date(2023, 11, 9))  # a Thursday


def test_known_event_date_much_earlier() -> None:
    text = "In a surprise visit to Kyiv, NATO Secretary General Jens Stoltenberg expressed his support."
    s = detect_stale(text, NOV9, dt.date(2023, 9, 28), CFG)
    assert s is not None and s.kind == "stale" and 0.5 <= s.score < 0.8
    assert "2023-09-28" in s.evidence and "42 days" in s.evidence


def test_known_event_date_with_present_time_words_scores_higher() -> None:
    text = "The Secretary General of NATO assured this Thursday in Kyiv that Ukraine is gaining ground."
    s = detect_stale(text, NOV9, dt.date(2023, 9, 28), CFG)
    assert s is not None and s.score >= 0.9
    assert text[s.start : s.end] == "this Thursday"


def test_seed_002_with_its_source_date() -> None:
    path = SEEDS / "002_45e8615605c2f88a.txt"
    if not path.is_file():
        pytest.skip(f"seed not found at {path}")
    text = path.read_text(encoding="utf-8")
    assert detect_stale(text, NOV9, None, CFG) is None  # on its own it names no date
    s = detect_stale(text, NOV9, dt.date(2023, 9, 28), CFG)
    assert s is not None and s.score >= 0.5


def test_dateline_date_weeks_before_publication() -> None:
    text = "Kiev, 28 sep (EFE).- El secretario general de la OTAN aseguró este jueves que Ucrania avanza."
    s = detect_stale(text, NOV9, None, CFG, "es")
    assert s is not None and s.score >= 0.7 and "dateline" in s.evidence


def test_time_word_next_to_an_old_date() -> None:
    text = "The minister said this Thursday, September 28, that the talks had failed."
    s = detect_stale(text, NOV9, None, CFG, "en")
    assert s is not None and s.score >= 0.7 and "2023-09-28" in s.evidence


def test_today_with_the_wrong_weekday() -> None:
    s = detect_stale("Hoy, martes, el Gobierno aprobó el decreto.", NOV9, None, CFG, "es")
    assert s is not None and "Thursday" in s.evidence


@pytest.mark.parametrize(
    "text",
    [
        "The minister said on Thursday that the talks had failed.",
        "The talks, which began on September 28, collapsed on Thursday, the minister said.",
        "Today marks the anniversary of the attack, which took place in 2001.",
        "",
    ],
)
def test_consistent_or_dated_text_is_not_stale(text: str) -> None:
    assert detect_stale(text, NOV9, None, CFG, "en") is None


def test_recent_known_event_and_missing_dates() -> None:
    text = "The minister said on Thursday that the talks had failed."
    assert detect_stale(text, NOV9, dt.date(2023, 11, 8), CFG) is None
    assert detect_stale(text, None, dt.date(2023, 1, 1), CFG) is None
