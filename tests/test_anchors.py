"""Rare anchors: numbers normalised across languages, names folded across scripts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newstrace.anchors import extract_anchors


def numbers(text: str, language: str | None) -> set[str]:
    return {a for a in extract_anchors(text, language) if a.startswith("n:")}


def names(text: str, language: str | None = None) -> set[str]:
    return {a for a in extract_anchors(text, language) if a.startswith("w:")}


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The deal is worth 2.4 billion dollars.", "en"),
        ("The deal is worth $2.4bn.", "en"),
        ("The deal is worth 2,400 million dollars.", "en"),
        ("El acuerdo vale 2,4 mil millones de dólares.", "es"),
        ("El acuerdo vale 2.400 millones de dólares.", "es"),
        ("L'accord vaut 2,4 milliards de dollars.", "fr"),
        ("Der Vertrag ist 2,4 Milliarden Dollar wert.", "de"),
    ],
)
def test_large_amounts_meet_across_languages(text: str, language: str) -> None:
    assert "n:2.4e9" in numbers(text, language)


def test_thousands_and_decimals_follow_the_language() -> None:
    assert "n:2400" in numbers("About 2,400 people came.", "en")
    assert "n:2400" in numbers("Unas 2.400 personas vinieron.", "es")
    assert "n:2400" in numbers("Quelque 2 400 personnes sont venues.", "fr")
    assert "n:2.4e0" in numbers("It rose 2.4 points.", "en")
    assert "n:2.4e0" in numbers("Subió 2,4 puntos.", "es")
    # Both marks: the last one is the decimal mark, whatever the language.
    assert numbers("1,234,567.5 units", None) == numbers("1.234.567,5 Einheiten", "de")


def test_spanish_long_scale_billion() -> None:
    assert "n:3e12" in numbers("una deuda de 3 billones de euros", "es")
    assert "n:3e9" in numbers("a debt of 3 billion euros", "en")


def test_percentages() -> None:
    a = numbers("Prices rose 12.5% in May.", "en")
    b = numbers("Los precios subieron un 12,5 por ciento en mayo.", "es")
    c = numbers("Prices rose 12.5 per cent in May.", "en")
    assert "n:1.25e1%" in a and a & b & c


def test_single_digits_dropped_years_kept() -> None:
    got = numbers("He met 3 people in 2019 and 12 more later.", "en")
    assert got == {"n:2019", "n:12"}


def test_names_not_sentence_starts() -> None:
    got = names("The minister met Volodymyr Zelensky in Kyiv. Then they left.")
    assert {"w:volodim", "w:zelensk", "w:kiv"} <= got
    assert not any(k.startswith(("w:the", "w:then")) for k in got)


def test_names_meet_across_scripts_and_spellings() -> None:
    latin = names("On Monday President Zelensky spoke.")
    cyrillic = names("В понедельник президент Зеленский выступил.")
    spanish = names("El lunes el presidente Zelenski habló.", "es")
    assert latin & cyrillic & spanish == {"w:zelensk"}


def test_quoted_long_words_are_anchors() -> None:
    got = names('She called the plan "extraordinarily reckless" and left.')
    assert "w:extraor" in got


def test_bottom_k_cap_is_deterministic() -> None:
    text = " ".join(f"Name{chr(97 + i % 26)}{chr(97 + i // 26)}x visited {1000 + i}." for i in range(200))
    text = "Today " + text
    a = extract_anchors(text, "en", max_anchors=20)
    assert len(a) == 20 and a == extract_anchors(text, "en", max_anchors=20)
    # The kept subset of a superset text overlaps strongly: both take the smallest hashes.
    b = extract_anchors(text + " Also Zyzzyva came.", "en", max_anchors=20)
    assert len(a & b) >= 18


def test_empty_text() -> None:
    assert extract_anchors("", "en") == frozenset()


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300), st.sampled_from([None, "en", "es", "de", "ru", "zh"]))
def test_any_text_is_safe(text: str, language: str | None) -> None:
    anchors = extract_anchors(text, language)
    assert all(a.startswith(("n:", "w:")) for a in anchors)
