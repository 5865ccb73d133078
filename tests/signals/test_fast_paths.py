"""The shortcuts that make the detectors cheap give the same matches as the plain scans they stand in for."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newstrace.signals import _time, credits, filler, mt, scraper, spun
from newstrace.signals._text import Needs, Phrases, required_text

PROSE = ("The minister said on Monday that, in conclusion, it is crucial to act. Only time will tell; the road ahead "
         "serves as a testament to the resilience and determination of people. ÉTAT İstanbul ſ straße KELVIN\u212a "
         "«no pasarán» 12 de enero, el pasado jueves 28, hier soir, ce matin, in der Nacht, na última sexta-feira. ")

# Texts made of pieces that often start or nearly complete a pattern, in any order and case.
pieces = st.sampled_from([*PROSE.split(" "), "\n", "\n\n", "  ", "-", "’s", "Thursday,", "September 28", "28 sep"])
texts = st.lists(pieces, max_size=60).map(" ".join) | st.text(max_size=200)


def _spans(matches: object) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in matches]  # type: ignore[attr-defined]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_phrases_find_what_the_plain_alternation_finds(text: str) -> None:
    for phrases in (filler._STOCK, filler._ABSTRACT, filler._NUMBER_WORDS):
        assert _spans(phrases.finditer(text)) == _spans(phrases.pattern.finditer(text))
        mid = len(text) // 3
        assert _spans(phrases.finditer(text, mid, len(text) - 1)) == _spans(
            phrases.pattern.finditer(text, mid, len(text) - 1))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_time_words_and_dates_are_found_as_by_a_full_scan(text: str) -> None:
    for start, end in ((0, len(text)), (len(text) // 4, len(text) - len(text) // 4)):
        assert _spans(_time._time_phrase_matches(text, start, end)) == _spans(
            _time.TIME_PHRASE.finditer(text, start, end))
        assert _spans(_time._explicit_date_matches(text, start, end)) == _spans(
            _time.EXPLICIT_DATE.finditer(text, start, end))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_names_are_found_where_a_full_scan_finds_them(text: str) -> None:
    text = text.replace("Monday", "Reuters").replace("minister", "the Associated Press")
    assert credits._name_starts(text) == sorted({m.start() for m in credits._NAME_RE.finditer(text)})


_WITH_NEEDS = [p for p in (*filler._STOCK_PHRASES, *(m[0] for m in scraper._MARKERS), *(s[0] for s in spun._SPUN),
                            *(c[0] for c in mt._CALQUES)) if required_text(p) is not None]


@pytest.mark.parametrize("pattern", _WITH_NEEDS)
def test_a_text_that_matches_always_has_what_the_pattern_needs(pattern: str) -> None:
    ignorecase = pattern in filler._STOCK_PHRASES or bool(re.compile(pattern).flags & re.IGNORECASE)
    needs = Needs([pattern], ignorecase=ignorecase)
    assert needs.known
    rx = re.compile(pattern, re.IGNORECASE if ignorecase else 0)

    @settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(st.from_regex(rx, fullmatch=False))
    def check(text: str) -> None:
        if rx.search(text):
            assert needs.possible(text), (pattern, text)

    check()


def test_needs_read_off_patterns() -> None:
    assert required_text(r"serves?\s+as\s+an?\s+(?:testament|reminder)", re.IGNORECASE) is not None
    assert Needs([r"\bonly\s+time\s+will\s+tell"], ignorecase=True).possible("ONLY   time\nwill tell")
    assert not Needs([r"\bonly\s+time\s+will\s+tell"], ignorecase=True).possible("only time tells")
    assert Needs([r"The post [^\n]{3,200}? appeared first on"]).possible("The post X appeared first on")
    assert not Needs([r"\bthe\s+also\s+\p{Ll}+"]).known  # regex-module syntax: no shortcut, always scanned
    assert Needs([r"\bthe\s+also\s+\p{Ll}+"]).possible("")


def test_phrases_leave_odd_case_folds_to_the_engine() -> None:
    # IGNORECASE folds the Kelvin sign to "k" and the long s to "s"; lower-casing does not.
    text = "a \u212aey role and ſerves as a reminder"
    for phrases in (filler._STOCK, filler._ABSTRACT):
        assert _spans(phrases.finditer(text)) == _spans(phrases.pattern.finditer(text))
    assert Phrases(["key"], ignorecase=True).count("\u212aEY") == 1


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_word_counts_equal_the_pattern_counts(text: str) -> None:
    text = text.replace("act", "Peace efforts").replace("road", "two DOZEN Hundreds")
    assert filler._word_counts(text) == (filler._ABSTRACT.count(text), filler._NUMBER_WORDS.count(text))


_LEADS = [regex_lead.group(1) for _, p in credits._RAW_PATTERNS
          if (regex_lead := re.match(r"\\b(\(\?:[^()]*\))", p)) and Needs([regex_lead.group(1)]).known]


@pytest.mark.parametrize("lead", _LEADS)
def test_a_credit_form_is_scanned_whenever_its_opening_words_occur(lead: str) -> None:
    needs = Needs([lead])

    @settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.from_regex(re.compile(lead), fullmatch=False))
    def check(text: str) -> None:
        assert needs.possible(text), (lead, text)

    check()
