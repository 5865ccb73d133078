"""Pipeline judge flow: which same-language vector pairs the words left open go on to the encoder."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from newstrace.config import RunConfig
from newstrace.model import Article, PubDate
from newstrace.pipeline import enrich_articles, judge_words, worth_encoding
from newstrace.store import ArticleFeatures

BAKERY = (
    "The village bakery on the hill has won a regional prize for its sourdough, a loaf made with flour "
    "milled two valleys away and a starter the owner says is older than she is. Judges praised the crust "
    "and the open crumb, and the queue on Saturday mornings now reaches the church. The owner plans to "
    "teach a weekend class in spring, and hopes to hire an apprentice before the summer fair."
)
COMET = (
    "Astronomers using a telescope in Chile have spotted a comet that will pass close enough to be seen "
    "with binoculars in late autumn. The icy visitor, first seen in images taken in March, is on a long "
    "orbit and last came near the Sun thousands of years ago. Observers are advised to look low in the "
    "western sky after dusk."
)
CONFIG = RunConfig()


@pytest.fixture(scope="module")
def unrelated() -> tuple[Article, Article, ArticleFeatures, ArticleFeatures]:
    day = PubDate.day(dt.date(2024, 5, 2))
    later = PubDate.day(dt.date(2024, 5, 3))
    a = Article(id="comet", text=COMET, date=later, language="en")
    b = Article(id="bakery", text=BAKERY, date=day, language="en")
    fa, fb = enrich_articles([a, b], CONFIG)
    return a, b, fa, fb


def test_unaligned_distant_vector_pair_is_not_encoded(
    unrelated: tuple[Article, Article, ArticleFeatures, ArticleFeatures],
) -> None:
    a, b, fa, fb = unrelated
    row = judge_words(a, b, fa, fb, CONFIG, via=("vector",))
    # No passage in common and far-apart leads: the word verdict stands (no link), the encoder is not asked.
    assert row is not None and row.relation is None and json.loads(row.spans_json) == []
    gate_off = dataclasses.replace(
        CONFIG, candidates=dataclasses.replace(CONFIG.candidates, vector_encode_needs_words=False)
    )
    assert judge_words(a, b, fa, fb, gate_off, via=("vector",)) is None  # every open vector pair goes on
    # A pair found by words alone never needed the encoder: unchanged by the gate.
    assert judge_words(a, b, fa, fb, CONFIG, via=("lsh",)) is not None


def test_worth_encoding_rules(unrelated: tuple[Article, Article, ArticleFeatures, ArticleFeatures]) -> None:
    a, b, fa, fb = unrelated
    row = judge_words(a, b, fa, fb, CONFIG, via=("lsh",))
    assert row is not None
    assert not worth_encoding(row, fa, fb, CONFIG)
    # Leads as close as a near copy: encoded even with no word passage.
    assert worth_encoding(row, fa, dataclasses.replace(fb, doc_vector=fa.doc_vector), CONFIG)
    # Any aligned word passage: encoded (a rewrite that kept some wording).
    span = {"derived_start": 0, "derived_end": 200, "source_start": 0, "source_end": 200, "kind": "near", "score": 0.5}
    assert worth_encoding(dataclasses.replace(row, spans_json=json.dumps([span])), fa, fb, CONFIG)
