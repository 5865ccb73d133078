"""MinHash passage signatures and LSH band keys."""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newstrace.config import CandidateConfig
from newstrace.fingerprint import (
    band_keys,
    estimate_jaccard,
    fold_words,
    minhash_signature,
    minhash_signatures,
    shingle_hashes,
)
from newstrace.normalise import tokenize

CONFIG = CandidateConfig()

STORY = (
    "Dock workers at the port of Rotterdam walked out on Tuesday in a dispute over automation, halting "
    "container traffic at Europe's busiest harbour. The FNV union said about 4,200 members joined the strike, "
    "which it called after talks with terminal operators broke down late on Monday. Operators warned that "
    "ships would be diverted to Antwerp and Hamburg if the stoppage lasted beyond Thursday. A spokesman for "
    "the port authority said 38 vessels were waiting offshore and that perishable cargo was being moved "
    "to cold stores inland. The union wants guarantees that no jobs will be cut when new automated cranes "
    "enter service next year, and a pay rise of 6 percent over two years."
)
LIGHT_EDIT = (
    "Dockworkers at the port of Rotterdam walked out on Tuesday in a row over automation, halting "
    "container traffic at Europe's largest harbour. The FNV union said about 4,200 members joined the strike, "
    "which it called after negotiations with terminal operators broke down late on Monday. Operators warned "
    "that ships would be diverted to Antwerp and Hamburg if the stoppage lasted beyond Thursday. A spokesman "
    "for the port authority said 38 vessels were waiting offshore and that perishable cargo was being moved "
    "to cold stores inland. The union wants guarantees that no jobs will be cut when new automated cranes "
    "enter service next year."
)
UNRELATED = (
    "The village bakery on the hill has won a regional prize for its sourdough, a loaf made with flour "
    "milled two valleys away and a starter the owner says is older than she is. Judges praised the crust "
    "and the open crumb, and the queue on Saturday mornings now reaches the church. The owner plans to "
    "teach a weekend class in spring, and hopes to hire an apprentice before the summer fair."
)


def _shares_bucket(a: str, b: str, config: CandidateConfig = CONFIG) -> bool:
    ka = set(band_keys(minhash_signature(a, config), config))
    kb = set(band_keys(minhash_signature(b, config), config))
    return bool(ka & kb)


def test_verbatim_copy_has_identical_keys() -> None:
    assert band_keys(minhash_signature(STORY, CONFIG), CONFIG) == band_keys(minhash_signature(STORY, CONFIG), CONFIG)
    assert _shares_bucket(STORY, "Breaking: " + STORY)


def test_light_edit_lands_in_a_shared_bucket() -> None:
    assert _shares_bucket(STORY, LIGHT_EDIT)


def test_copied_paragraph_inside_longer_text_is_found() -> None:
    rng = random.Random(7)
    filler = " ".join(rng.choice(UNRELATED.split()) for _ in range(400))
    paragraph = STORY[:420]
    assert _shares_bucket(filler + " " + paragraph + " " + filler[::-1], STORY)


def test_unrelated_texts_share_no_bucket() -> None:
    assert not _shares_bucket(STORY, UNRELATED)


def test_signature_shape_and_determinism() -> None:
    sig = minhash_signature(STORY, CONFIG)
    assert sig.dtype == np.uint32 and sig.ndim == 2 and sig.shape[1] == CONFIG.num_perm
    other_seed = dataclasses.replace(CONFIG, seed=CONFIG.seed + 1)
    assert not np.array_equal(sig, minhash_signature(STORY, other_seed))
    assert minhash_signature("", CONFIG).shape == (0, CONFIG.num_perm)
    assert band_keys(minhash_signature("", CONFIG), CONFIG) == []
    # A headline shorter than one shingle still gets a signature.
    assert minhash_signature("Rotterdam strike", CONFIG).shape == (1, CONFIG.num_perm)


def test_batch_equals_single() -> None:
    texts = [STORY, "", LIGHT_EDIT, UNRELATED, "one two"]
    sigs, owner = minhash_signatures(texts, CONFIG)
    for i, text in enumerate(texts):
        single = minhash_signature(text, CONFIG)
        assert np.array_equal(sigs[owner == i], single)


def test_tokens_and_text_give_the_same_signature() -> None:
    tokens = tokenize(STORY)
    assert [t.norm for t in tokens] == fold_words(STORY)
    assert np.array_equal(minhash_signature(tokens, CONFIG), minhash_signature(STORY, CONFIG))


def test_band_keys_are_sorted_signed_64_bit() -> None:
    keys = band_keys(minhash_signature(STORY, CONFIG), CONFIG)
    assert keys == sorted(set(keys))
    assert all(-(2**63) <= k < 2**63 for k in keys)
    # 1-D (one passage) input works too and is a subset of the pooled keys.
    one = band_keys(minhash_signature(STORY, CONFIG)[0], CONFIG)
    assert set(one) <= set(keys) and len(one) == CONFIG.bands


def test_too_many_bands_is_rejected() -> None:
    bad = dataclasses.replace(CONFIG, bands=CONFIG.num_perm, rows_per_band=2)
    with pytest.raises(ValueError, match="num_perm"):
        band_keys(minhash_signature(STORY, bad), bad)


def test_jaccard_estimate_orders_similarity() -> None:
    s, e, u = (minhash_signature(t, CONFIG) for t in (STORY, LIGHT_EDIT, UNRELATED))
    assert estimate_jaccard(s, s) == 1.0
    assert estimate_jaccard(s, e) > estimate_jaccard(s, u)
    assert estimate_jaccard(s, minhash_signature("", CONFIG)) == 0.0


def test_word_order_matters_in_multiword_shingles() -> None:
    trigrams = dataclasses.replace(CONFIG, shingle_words=3)
    assert not np.array_equal(shingle_hashes("a b c", trigrams), shingle_hashes("c b a", trigrams))
    assert _shares_bucket(STORY, LIGHT_EDIT, trigrams) and not _shares_bucket(STORY, UNRELATED, trigrams)


def test_short_words_are_dropped_unless_nothing_else_is_left() -> None:
    assert len(shingle_hashes("the cat sat on the remarkable doormat", CONFIG)) == 2
    assert len(shingle_hashes("a b c", CONFIG)) == 3


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_any_text_fingerprints_without_error(text: str) -> None:
    sig = minhash_signature(text, CONFIG)
    assert sig.shape[1] == CONFIG.num_perm
    band_keys(sig, CONFIG)
