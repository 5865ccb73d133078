"""Language detection on hand-written sentences."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newstrace.config import IngestConfig, LangIdConfig
from newstrace.ingest import iter_articles
from newstrace.langid import detect_language
from newstrace.model import Article

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


SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"


def test_seeds_are_english() -> None:
    seeds = SHARED / "seeds"
    if not seeds.is_dir():
        pytest.skip(f"shared seeds not found at {seeds}")
    arts = [r for r in iter_articles([seeds], IngestConfig()) if isinstance(r, Article)]
    assert len(arts) == 2
    assert [detect_language(a.text, CFG)[0] for a in arts] == ["en", "en"]


def test_shared_corpora_languages() -> None:
    crossling = SHARED / "data" / "crossling" / "pairs.jsonl"
    counter = SHARED / "data" / "counter" / "pairs.jsonl"
    if not (crossling.is_file() and counter.is_file()):
        pytest.skip("shared crossling/counter data not found under ../shared/data")
    right = total = 0
    for line in crossling.read_text(encoding="utf-8").splitlines()[:120]:
        d = json.loads(line)
        for text, lang in ((d["text_a"], d["lang_a"]), (d["text_b"], d["lang_b"])):
            total += 1
            right += detect_language(text, CFG)[0] == lang
    for line in counter.read_text(encoding="utf-8").splitlines()[:60]:
        d = json.loads(line)
        for side in ("source", "derived"):
            total += 1
            right += detect_language(d[side]["body"], CFG)[0] == "ur"
    assert right / total >= 0.98, (right, total)


def test_the_sample_ends_at_a_space() -> None:
    from newstrace.langid import _sample

    text = "word " * 300
    cut = _sample(text, 1000)
    assert len(cut) <= 1000 and cut == text[: len(cut)] and cut.endswith("word")
    assert _sample("x" * 2000, 1000) == "x" * 1000  # no space to cut at: a hard cut
    assert _sample("short text", 1000) == "short text"


def test_long_and_mixed_texts_read_their_opening() -> None:
    spanish = "El Gobierno aprobó este martes una reforma que cambia las pensiones de millones de personas. " * 12
    english = "The government approved a reform on Tuesday that changes pensions for millions of people. " * 40
    assert detect_language(spanish + english, CFG)[0] == "es"  # the opening decides, as before, just sooner
    assert detect_language(english + spanish, CFG)[0] == "en"
    # A short text with a foreign quote still gets its main language.
    assert detect_language("The minister said «no pasarán» before leaving the room with his advisers.", CFG)[0] == "en"


def test_sample_agrees_with_the_whole_text_on_shared_documents() -> None:
    crossling = SHARED / "data" / "crossling" / "pairs.jsonl"
    if not crossling.is_file():
        pytest.skip("shared crossling data not found under ../shared/data")
    whole = LangIdConfig(sample_chars=100_000)
    for line in crossling.read_text(encoding="utf-8").splitlines()[:80]:
        d = json.loads(line)
        for text in (d["text_a"], d["text_b"]):
            assert detect_language(text, CFG)[0] == detect_language(text, whole)[0]
