"""What a copy added, dropped and changed: numbers, names, quotes and filler."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newstrace.changes import article_facts, diff_facts, extract_facts, word_keys
from newstrace.model import Span
from newstrace.normalise import fold

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus"


def _texts() -> dict[str, str]:
    path = CORPUS / "articles.jsonl"
    if not path.exists():
        pytest.skip(f"example corpus missing: {path}")
    return {rec["id"]: rec["text"] for rec in map(json.loads, path.open(encoding="utf-8"))}


def _paragraph_spans(derived: str, source: str) -> list[Span]:
    """Pair paragraphs that open with the same 25 characters (how the light edit keeps the wire's paragraphs)."""
    spans = []
    for para in derived.split("\n\n"):
        d0 = derived.index(para)
        s_para = next((p for p in source.split("\n\n") if p[:25] == para[:25]), None)
        if s_para is not None:
            s0 = source.index(s_para)
            spans.append(Span(d0, d0 + len(para), s0, s0 + len(s_para), "near", 0.9))
    return spans


def test_facts_numbers_names_quotes() -> None:
    text = (
        'Interior Minister Tomas Aaberg said 38,000 tonnes burned. "We were lucky today, truly," he said.'
        " In 2026 it rose."
    )
    facts = extract_facts(text)
    kinds = {(f.kind, f.surface) for f in facts}
    assert ("name", "Interior Minister Tomas Aaberg") in kinds
    assert ("number", "38,000") in kinds and ("number", "2026") in kinds
    assert ("quote", "We were lucky today, truly,") in kinds
    assert not any(f.surface == "In" for f in facts)  # a capitalised sentence opener is not a name
    assert next(f for f in facts if f.surface == "38,000").key == "38000"
    for f in facts:
        assert text[f.start : f.end] == f.surface


def test_light_edit_changed_number_and_rounding() -> None:
    texts = _texts()
    wire, light = texts["harbor-fire-wire"], texts["harbor-fire-light"]
    changes = diff_facts(light, wire, _paragraph_spans(light, wire), "en", "en")
    # "$5.9 million" became "$6 million" inside the same paragraph.
    assert "5.9 → 6" in changes.changed
    # "roughly a quarter" became "about 25%": a number the wire does not have.
    assert "25" in changes.added
    # One passage spanning both whole texts (as the aligner reports a light edit) pairs numbers only by context.
    whole = diff_facts(light, wire, [Span(0, len(light), 0, len(wire), "near", 0.95)], "en", "en")
    assert whole.changed == ("5.9 → 6",)
    # The credit line and the reporters' names were cut.
    assert "Reuters" in changes.dropped and "Anna Lindqvist" in changes.dropped


def test_dropped_quote() -> None:
    wire = _texts()["harbor-fire-wire"]
    paragraphs = wire.split("\n\n")
    copy = "\n\n".join(p for p in paragraphs if not p.startswith('"We were lucky'))
    changes = diff_facts(copy, wire, [Span(0, len(copy), 0, len(wire), "near", 0.9)], "en", "en")
    assert any(d.startswith("“We were lucky today") for d in changes.dropped)
    assert not any("Our priority is safety" in d for d in changes.dropped)
    assert changes.added == ()


def test_filler_needs_no_fact_and_no_alignment() -> None:
    source = "The port of Valmora closed on Thursday after a fire injured two workers, officials said."
    derived = (
        source + " Such events remind us how important it is to stay informed about what happens around us."
        " Valmora officials expect 7 ships to wait outside."
    )
    spans = [Span(0, len(source), 0, len(source), "exact", 1.0)]
    changes = diff_facts(derived, source, spans, "en", "en")
    filler = "Such events remind us how important it is to stay informed about what happens around us."
    assert changes.filler == (filler,)
    # The last sentence states a fact (a number), so it is an addition, not filler.
    assert "7" in changes.added


def test_cross_language_compares_numbers_not_quotes() -> None:
    source = 'El Gobierno aprobó 210 millones de euros. "Es un día histórico para la comarca", dijo la consejera.'
    derived = 'The government approved 210 million euros. "It is a historic day for the district," the minister said.'
    changes = diff_facts(derived, source, [Span(0, len(derived), 0, len(source), "translation", 0.8)], "en", "es")
    assert changes.changed == () and "210" not in changes.added
    assert not any(x.startswith("“") for x in changes.added + changes.dropped)


def test_empty_texts_do_not_crash() -> None:
    assert diff_facts("", "", [], None, None).added == ()


# --- per-article facts and the word key ---------------------------------------------------------------------------


def test_article_facts_match_extract_facts() -> None:
    text = (
        'Minister Tomas Aaberg said 38,000 tonnes burned. "We were lucky today, truly," he said.'
        " Aaberg\u2019s aide left."
    )
    fa = article_facts(text, "en")
    facts = extract_facts(text)
    assert fa.numbers == {f.key for f in facts if f.kind == "number"}
    assert fa.names == {f.key for f in facts if f.kind == "name"}
    assert fa.quotes == tuple((f.start, f.end) for f in facts if f.kind == "quote")
    assert fa.words == word_keys(text) and "aaberg" in fa.words
    assert fa.tokens[:2] == ("minister", "tomas") and fa.language == "en"
    assert fa.facts == tuple(facts) and fa.key.startswith("minister tomas aaberg said 38,000")


def test_diff_facts_with_facts_given_is_the_same_as_without() -> None:
    source = 'Minister Tomas Aaberg said 38,000 tonnes burned. "We were lucky today, truly," he said.'
    derived = 'Tomas Aaberg said 39,000 tonnes burned at Kellbach. "We were lucky, truly," he added. Stay tuned.'
    spans = [Span(0, 48, 9, 49, "near", 0.8)]
    plain = diff_facts(derived, source, spans, "en", "en")
    given = diff_facts(derived, source, spans, "en", "en", derived_facts=article_facts(derived, "en"),
                       source_facts=article_facts(source, "en"))  # fmt: skip
    assert plain == given and plain.added and plain.changed


def _fold_slow(word: str) -> str:
    """The general path of ``fold`` (what the ASCII shortcut must reproduce)."""
    w = unicodedata.normalize("NFKC", word).casefold().replace("\u2019", "'")
    return "".join(ch for ch in unicodedata.normalize("NFD", w) if not unicodedata.combining(ch))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=30))
def test_fold_ascii_fast_path_is_exact(word: str) -> None:
    assert fold(word) == _fold_slow(word)


@pytest.mark.parametrize("word", ["Ärger", "São", "ﬁre", "Straße", "İstanbul", "it’s", "ΣΟΦΊΑ", "کیلئے"])
def test_fold_non_ascii_unchanged(word: str) -> None:
    assert fold(word) == _fold_slow(word)
