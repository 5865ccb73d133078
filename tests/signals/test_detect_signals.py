"""The entry point on the seeds, and on bad input (empty, all caps, mixed scripts, very long)."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newstrace.config import SignalConfig
from newstrace.model import Article, ArticleSignals, PubDate
from newstrace.signals import detect_signals

CFG = SignalConfig()
SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
_DATE_PREFIX = re.compile(r"^\s*date (\d{4}-\d\d-\d\d) ")


def seed(stem: str) -> Article:
    path = SEEDS / f"{stem}.txt"
    if not path.is_file():
        pytest.skip(f"seed not found at {path}")
    raw = path.read_text(encoding="utf-8")
    m = _DATE_PREFIX.match(raw)
    assert m
    return Article(stem, raw[m.end() :], PubDate.day(dt.date.fromisoformat(m.group(1))), language="en")


def test_seed_000_credits_efe_and_is_machine_translated() -> None:
    a = seed("000_ad87435f5b9800d0")
    r = detect_signals(a, CFG)
    assert [c.name for c in r.credits] == ["EFE"]
    assert a.text[r.credits[0].start : r.credits[0].end] == "EFE"
    kinds = {s.kind for s in r.signals}
    assert "machine_translation" in kinds
    assert "generic_filler" not in kinds and "stale" not in kinds
    assert r.dateline is not None and r.dateline.event_date == dt.date(2023, 9, 28)


def test_seed_002_has_no_credit_and_a_filler_closing() -> None:
    a = seed("002_45e8615605c2f88a")
    r = detect_signals(a, CFG)
    assert r.credits == ()
    filler = [s for s in r.signals if s.kind == "generic_filler"]
    closing = a.text.rindex("The ongoing conflict in Ukraine")
    assert any(s.start == closing for s in filler)
    assert "machine_translation" not in {s.kind for s in r.signals}


def _check(article: Article, result: ArticleSignals) -> None:
    assert result.article_id == article.id
    for c in result.credits:
        assert 0 <= c.start < c.end <= len(article.text)
    for s in result.signals:
        assert 0 <= s.start <= s.end <= len(article.text)
        assert 0.0 <= s.score <= 1.0 and s.evidence
    if result.dateline is not None:
        assert 0 <= result.dateline.start <= result.dateline.end <= len(article.text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n  ",
        "...!!!???",
        "NO SENTENCE PUNCTUATION AT ALL JUST WORDS IN CAPITALS REUTERS COULD NOT VERIFY",
        "KYIV, UKRAINE (AP) — RUSSIA LAUNCHED DRONES ON TUESDAY. \"WE WILL RESPOND,\" HE SAID.\n\nEFE",
        "Москва (Reuters) - Президент заявил в четверг. 北京 said 会议 on Monday. مرحبا kyiv",
        "\x00\ufeff\u200b control characters \r\n\r\n and CRLF (AFP) -",
        "a" * 5000,
    ],
)
def test_bad_input_degrades_gracefully(text: str) -> None:
    a = Article("x", text, PubDate.day(dt.date(2023, 9, 28)), language=None)
    _check(a, detect_signals(a, CFG))


def test_no_date_and_coarse_date() -> None:
    text = "KYIV (AP) — Officials said on Thursday that drones hit the port."
    for date in (None, PubDate(dt.date(2023, 1, 1), dt.date(2023, 12, 31), "year")):
        a = Article("x", text, date, language="en")
        r = detect_signals(a, CFG)
        _check(a, r)
        assert [c.name for c in r.credits] == ["Associated Press"]


def test_very_long_text_is_bounded_and_keeps_the_closing_credit() -> None:
    cfg = SignalConfig(max_chars=50_000)
    body = "The council met on Monday and discussed the budget for the coming year. " * 5_000  # ~360k chars
    text = body + "\n\nEFE"
    a = Article("long", text, PubDate.day(dt.date(2023, 9, 28)), language="en")
    t0 = time.perf_counter()
    r = detect_signals(a, cfg)
    assert time.perf_counter() - t0 < 10
    _check(a, r)
    assert [c.name for c in r.credits] == ["EFE"] and r.credits[0].start == len(text) - 3


def test_time_grows_linearly() -> None:
    para = ("KYIV (AP) — Officials said on Thursday that 40 drones hit the port. \"We will respond,\" Zelensky said. "
            "He added that air defence had shot most of them down, according to Reuters.\n\n")
    small = Article("s", para * 50, PubDate.day(dt.date(2023, 9, 28)), language="en")
    big = Article("b", para * 400, PubDate.day(dt.date(2023, 9, 28)), language="en")
    t0 = time.perf_counter()
    detect_signals(small, CFG)
    t1 = time.perf_counter()
    detect_signals(big, CFG)
    t2 = time.perf_counter()
    # 8x the text must cost far less than 64x (quadratic); allow generous noise.
    assert (t2 - t1) < 30 * max(t1 - t0, 0.005)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=400))
def test_any_text_gives_valid_offsets(text: str) -> None:
    a = Article("h", text, PubDate.day(dt.date(2023, 9, 28)), language="en")
    _check(a, detect_signals(a, CFG))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from([
    "KYIV (AP) —", "EFE", "\n\n", "said on Thursday", "according to Reuters", "Zelenskyduring", "euross", "[ad_1]",
    "this Thursday, September 28,", "the international community must rally", "«", "»", " ", ".", "kyiv", "she said",
    "Stoltenberg said", "he said", "Fuente:", "(", ")", "—", "2,4 billion", "Click here to", "```",
]), max_size=40))
def test_news_like_fragments_give_valid_offsets(parts: list[str]) -> None:
    text = " ".join(parts)
    a = Article("h", text, PubDate.day(dt.date(2023, 11, 9)), language="en")
    _check(a, detect_signals(a, CFG))
