"""Datelines: place, span and the event day resolved against the publication date."""

from __future__ import annotations

import datetime as dt

from newstrace.config import SignalConfig
from newstrace.model import PubDate
from newstrace.signals import detect_dateline

CFG = SignalConfig()
THU = PubDate.day(dt.date(2023, 9, 28))  # a Thursday


def test_wire_dateline_with_country_and_weekday() -> None:
    text = "KYIV, Ukraine (AP) — Russian drones struck the port of Odesa on Tuesday, officials said."
    d = detect_dateline(text, THU, CFG, "en")
    assert d is not None
    assert d.place == "KYIV, Ukraine"
    assert text[d.start : d.end].startswith("KYIV, Ukraine (AP) —")
    assert d.event_date == dt.date(2023, 9, 26)
    assert d.time_phrase == "on Tuesday"


def test_spanish_dateline_with_explicit_date() -> None:
    text = "Madrid, 28 sep (EFE).- El Gobierno aprobó ayer el proyecto."
    d = detect_dateline(text, PubDate.day(dt.date(2023, 11, 9)), CFG, "es")
    assert d is not None and d.place == "Madrid"
    assert d.event_date == dt.date(2023, 9, 28)


def test_all_caps_place_without_agency() -> None:
    d = detect_dateline("WASHINGTON — The Senate voted yesterday to pass the bill.", THU, CFG, "en")
    assert d is not None and d.place == "WASHINGTON"
    assert d.event_date == dt.date(2023, 9, 27)


def test_lead_time_words_without_formal_dateline() -> None:
    text = "The Secretary General of NATO assured this Thursday in Kyiv that Ukraine is gaining ground."
    d = detect_dateline(text, THU, CFG, "en")
    assert d is not None and d.place is None
    assert d.time_phrase == "this Thursday" and d.event_date == dt.date(2023, 9, 28)
    assert text[d.start : d.end] == "this Thursday"


def test_relative_words_in_other_languages() -> None:
    pub = PubDate.day(dt.date(2023, 9, 28))
    for text, expected in [
        ("Le président a annoncé hier soir sa démission.", dt.date(2023, 9, 27)),
        ("Die Regierung hat am Montag beschlossen, die Steuern zu senken.", dt.date(2023, 9, 25)),
        ("O ministro anunciou nesta quarta-feira novas medidas.", dt.date(2023, 9, 27)),
        ("El presidente anunció el pasado lunes su dimisión.", dt.date(2023, 9, 25)),
    ]:
        d = detect_dateline(text, pub, CFG, None)
        assert d is not None and d.event_date == expected, text


def test_coarse_publication_date_gives_place_but_no_day() -> None:
    d = detect_dateline("PARIS (AFP) - Le gouvernement a annoncé mardi", PubDate(dt.date(2023, 9, 1),
                        dt.date(2023, 9, 30), "month"), CFG, "fr")
    assert d is not None and d.place == "PARIS" and d.event_date is None


def test_no_dateline() -> None:
    assert detect_dateline("The council approved the budget after a long debate.", THU, CFG, "en") is None
    assert detect_dateline("BREAKING: markets fall", THU, CFG, "en") is None
    assert detect_dateline("", THU, CFG, "en") is None
