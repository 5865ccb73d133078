"""Field rules shared by every reader: dates, sites, text preparation, record → Article."""

from __future__ import annotations

import datetime as dt

import pytest

from newstrace.config import IngestConfig
from newstrace.ingest.records import cut_text, parse_date, record_to_result, site_from_url
from newstrace.model import Article, PubDate, SkippedRecord


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2023-09-28", PubDate(dt.date(2023, 9, 28), dt.date(2023, 9, 28), "day")),
        ("2023-09-28T23:10:00Z", PubDate.day(dt.date(2023, 9, 28))),
        ("2023-09-28T10:00:00+02:00", PubDate.day(dt.date(2023, 9, 28))),
        ("2023-09-28 10:00", PubDate.day(dt.date(2023, 9, 28))),
        ("2024-02", PubDate(dt.date(2024, 2, 1), dt.date(2024, 2, 29), "month")),
        ("2023-12", PubDate(dt.date(2023, 12, 1), dt.date(2023, 12, 31), "month")),
        ("2021", PubDate(dt.date(2021, 1, 1), dt.date(2021, 12, 31), "year")),
        ("20230928", PubDate.day(dt.date(2023, 9, 28))),
        ("2023-09-28 10:00:00 UTC", PubDate.day(dt.date(2023, 9, 28))),
        ("Thu, 28 Sep 2023 10:00:00 GMT", PubDate.day(dt.date(2023, 9, 28))),
        (dt.date(2020, 5, 1), PubDate.day(dt.date(2020, 5, 1))),
        (dt.datetime(2020, 5, 1, 12), PubDate.day(dt.date(2020, 5, 1))),
    ],
)
def test_parse_date_forms(raw: object, expected: PubDate) -> None:
    assert parse_date(raw) == (expected, None)


@pytest.mark.parametrize(
    "raw",
    ["2024-13-45", "2024-13", "yesterday", "28/09/2023", "0000", "2023-02-30 10:00", "Thu, 31 Feb 2023 10:00 GMT"],
)
def test_impossible_dates_warn(raw: str) -> None:
    date, warning = parse_date(raw)
    assert date is None
    assert warning == f"unparseable date {raw!r}"


@pytest.mark.parametrize("raw", [None, "", "   ", float("nan")])
def test_absent_dates_are_silent(raw: object) -> None:
    assert parse_date(raw) == (None, None)


@pytest.mark.parametrize(
    ("url", "site"),
    [
        ("https://www.BBC.co.uk/news/world-1", "bbc.co.uk"),
        ("http://m.example.com/a", "example.com"),
        ("https://amp.theguardian.com/x?y=1", "theguardian.com"),
        ("https://news.example.org:8080/a", "news.example.org"),
        ("example.net/path", "example.net"),
        ("", None),
        (None, None),
        ("http://[::1", None),
    ],
)
def test_site_from_url(url: str | None, site: str | None) -> None:
    assert site_from_url(url) == site


def test_cut_text_at_whitespace() -> None:
    text = "alpha beta gamma delta"
    assert cut_text(text, 13) == "alpha beta"
    assert cut_text(text, 100) == text
    assert cut_text("x" * 50, 10) == "x" * 10


def test_record_full() -> None:
    rec = {
        "id": 17,
        "text": "Body text.",
        "date": "2024-03",
        "url": "https://www.dawn.com/news/1",
        "title": " Title ",
        "language": "UR",
        "author": "A. Writer",
        "tags": ["x", 1],
    }
    art = record_to_result(rec, "f.jsonl:1", IngestConfig())
    assert isinstance(art, Article)
    assert art.id == "17"
    assert art.site == "dawn.com"
    assert art.title == "Title"
    assert art.language == "ur"
    assert art.date is not None and art.date.precision == "month" and art.date.iso() == "2024-03"
    assert dict(art.metadata) == {"author": "A. Writer", "tags": ["x", 1]}
    assert art.origin == "f.jsonl:1"
    assert art.warnings == ()


def test_record_site_given_wins_and_language_region_is_cut() -> None:
    rec = {"id": "a", "text": "t", "url": "https://x.com/", "site": "Reuters.com", "language": "pt-BR"}
    art = record_to_result(rec, "o", IngestConfig())
    assert isinstance(art, Article)
    assert (art.site, art.language) == ("reuters.com", "pt")


def test_record_bad_language_is_dropped_with_warning() -> None:
    art = record_to_result({"id": "a", "text": "t", "language": "english"}, "o", IngestConfig())
    assert isinstance(art, Article)
    assert art.language is None
    assert any("ISO 639-1" in w for w in art.warnings)


@pytest.mark.parametrize(
    ("rec", "reason"),
    [
        ({"text": "t"}, "missing 'id'"),
        ({"id": "", "text": "t"}, "missing 'id'"),
        ({"id": "a"}, "missing 'text'"),
        ({"id": "a", "text": None}, "missing 'text'"),
        ({"id": "a", "text": "  \n\t "}, "empty text"),
        ({"id": "a", "text": 5}, "'text' is not a string (int)"),
        ({"id": "a", "text": "abc\x00def"}, "binary content"),
    ],
)
def test_record_skips(rec: dict[str, object], reason: str) -> None:
    res = record_to_result(rec, "f:3", IngestConfig())
    assert isinstance(res, SkippedRecord)
    assert res.reason == reason
    assert res.origin == "f:3"


def test_record_impossible_date_kept_as_null_with_warning() -> None:
    art = record_to_result({"id": "a", "text": "t", "date": "2024-13-45"}, "o", IngestConfig())
    assert isinstance(art, Article)
    assert art.date is None
    assert art.warnings == ("unparseable date '2024-13-45'",)


def test_record_lone_surrogates_replaced_one_for_one() -> None:
    art = record_to_result({"id": "a", "text": "ab\ud800cd"}, "o", IngestConfig())
    assert isinstance(art, Article)
    assert art.text == "ab\ufffdcd"
    assert art.text.encode("utf-8")


def test_deep_metadata_does_not_exhaust_the_stack() -> None:
    deep: object = "leaf"
    for _ in range(5000):
        deep = [deep]
    art = record_to_result({"id": "a", "text": "t", "deep": deep}, "o", IngestConfig())
    assert isinstance(art, Article)
    assert "<nested too deep>" in str(art.metadata["deep"])


def test_record_text_blank_up_to_the_cut_is_empty() -> None:
    res = record_to_result({"id": "a", "text": " " * 100 + "late words"}, "o", IngestConfig(max_chars=50))
    assert isinstance(res, SkippedRecord) and res.reason == "empty text within the first 50 characters"


def test_record_text_cut_with_warning() -> None:
    art = record_to_result({"id": "a", "text": "word " * 100}, "o", IngestConfig(max_chars=52))
    assert isinstance(art, Article)
    assert len(art.text) <= 52
    assert art.text.endswith("word")
    assert art.warnings == (f"text cut at {len(art.text)} characters",)
