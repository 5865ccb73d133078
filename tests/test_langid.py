"""Language detection on hand-written sentences."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newstrace.config import LangIdConfig
from newstrace.langid import detect_language

CFG = LangIdConfig()


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("en", "The prime minister said on Tuesday that the talks with the unions would continue next week."),
        ("en", "Officials in Kyiv confirmed that the counteroffensive is gaining ground, the alliance chief said."),
        ("es", "El presidente del Gobierno afirmó este martes que las negociaciones con los sindicatos seguirán."),
        ("es", "Las fuerzas ucranianas avanzan poco a poco, según dijo el secretario general de la OTAN en Kiev."),
        ("fr", "Le Premier ministre a déclaré mardi que les négociations avec les syndicats se poursuivraient."),
        ("fr", "Les forces ukrainiennes gagnent du terrain, a affirmé le secrétaire général de l'OTAN à Kiev."),
        ("de", "Der Ministerpräsident sagte am Dienstag, dass die Gespräche mit den Gewerkschaften weitergehen."),
        ("de", "Die ukrainischen Streitkräfte gewinnen langsam an Boden, sagte der Generalsekretär der NATO."),
        ("pt", "O primeiro-ministro afirmou nesta terça-feira que as negociações com os sindicatos vão continuar."),
        ("pt", "As forças ucranianas estão a ganhar terreno, disse o secretário-geral da NATO em Kiev."),
        ("it", "Il presidente del Consiglio ha detto martedì che i negoziati con i sindacati andranno avanti."),
        ("it", "Le forze ucraine stanno guadagnando terreno, ha dichiarato il segretario generale della NATO."),
        ("ur", "وزیر اعظم نے منگل کو کہا کہ مزدور یونینوں کے ساتھ مذاکرات اگلے ہفتے جاری رہیں گے۔"),
        ("ur", "نیٹو کے سیکرٹری جنرل نے کیف میں کہا کہ یوکرینی افواج آہستہ آہستہ آگے بڑھ رہی ہیں۔"),
        # Mostly Arabic script, a Latin name and a number in it, Urdu-only letters (ے ں ہ ٹ): still Urdu.
        ("ur", "پاکستان میں NATO کے بارے 2023 میں ٹی وی پر بات ہوئی"),
    ],
)
def test_languages(code: str, text: str) -> None:
    got, conf = detect_language(text, CFG)
    assert got == code
    assert CFG.min_confidence <= conf <= 1.0


def test_arabic_and_persian_are_not_urdu() -> None:
    assert detect_language("قال الرئيس إن الاقتصاد ينمو بسرعة هذا العام في كل المناطق", CFG)[0] == "ar"
    assert detect_language("رئیس جمهور گفت که اقتصاد کشور در حال رشد است و تورم کاهش یافته", CFG)[0] == "fa"


@pytest.mark.parametrize("text", ["", "   \n", "12345 !!! 3.14", "— … —", "\x00\x01"])
def test_no_letters_is_undetermined(text: str) -> None:
    assert detect_language(text, CFG) == ("und", 0.0)


def test_low_confidence_is_undetermined() -> None:
    code, conf = detect_language("ok", CFG)
    assert code == "und" and conf < CFG.min_confidence
    code, conf = detect_language("ok", LangIdConfig(min_confidence=0.0))
    assert code != "und" and 0.0 < conf <= 1.0


def test_only_the_sample_is_read() -> None:
    german = "Der Minister sagte heute, dass die Gespräche mit den Gewerkschaften weitergehen werden. "
    text = "The minister said the talks would continue next week. " * 3 + german * 60
    assert detect_language(text, LangIdConfig(sample_chars=160))[0] == "en"
    assert detect_language(text, CFG)[0] == "de"


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_a_code_and_a_probability(text: str) -> None:
    code, conf = detect_language(text, CFG)
    assert code == "und" or (len(code) == 2 and code.islower())
    assert 0.0 <= conf <= 1.0
