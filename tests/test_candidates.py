"""Candidate generation: the three generators, merging, time window, orientation, order, persisted state."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from newstrace.candidates import (
    CandidateRecord,
    MemoryIndexState,
    VectorIndex,
    candidates_for,
    document_vector,
    generate_candidates,
    make_record,
    orient,
    pairs_from_anchor,
    pairs_from_bucket,
    vector_key,
    within_window,
)
from newstrace.config import CandidateConfig
from newstrace.model import PubDate

CONFIG = CandidateConfig()


def day(s: str) -> PubDate:
    return PubDate.day(dt.date.fromisoformat(s))


STORY = (
    "Dock workers at the port of Rotterdam walked out on Tuesday in a dispute over automation, halting "
    "container traffic at Europe's busiest harbour. The FNV union said about 4,200 members joined the strike, "
    "which it called after talks with terminal operators broke down late on Monday. Operators warned that "
    "ships would be diverted to Antwerp and Hamburg if the stoppage lasted beyond Thursday. A spokesman for "
    "the port authority said 38 vessels were waiting offshore and that perishable cargo worth 1.2 billion "
    "euros was being moved to cold stores inland. The union wants guarantees that no jobs will be cut when "
    "new automated cranes enter service next year, and a pay rise of 6.5 percent over two years."
)
LIGHT_EDIT = (
    STORY.replace("walked out", "went on strike").replace("busiest", "largest").replace("talks", "negotiations")
)
SPANISH = (
    "Los estibadores del puerto de Róterdam se declararon en huelga el martes por un conflicto sobre la "
    "automatización, paralizando el tráfico de contenedores en el mayor puerto de Europa. El sindicato FNV "
    "dijo que unos 4.200 afiliados se sumaron a la huelga, convocada tras la ruptura de las negociaciones con "
    "los operadores de las terminales el lunes por la noche. Los operadores advirtieron que los barcos serían "
    "desviados a Amberes y Hamburgo si el paro se prolongaba más allá del jueves. Un portavoz de la autoridad "
    "portuaria dijo que 38 buques esperaban frente a la costa y que carga perecedera por valor de 1.200 "
    "millones de euros se estaba trasladando a almacenes frigoríficos. El sindicato quiere garantías de que no "
    "se recortarán empleos y una subida salarial del 6,5 por ciento en dos años."
)
UNRELATED = (
    "The village bakery on the hill has won a regional prize for its sourdough, a loaf made with flour "
    "milled two valleys away and a starter the owner says is older than she is. Judges praised the crust "
    "and the open crumb, and the queue on Saturday mornings now reaches the church. The owner plans to "
    "teach a weekend class in spring, and hopes to hire an apprentice before the summer fair."
)
UNRELATED_2 = (
    "Astronomers using a telescope in Chile have spotted a comet that will pass close enough to be seen "
    "with binoculars in late autumn. The icy visitor, first seen in images taken in March, is on a long "
    "orbit and last came near the Sun thousands of years ago. Observers are advised to look low in the "
    "western sky after dusk."
)


def _sentences(text: str) -> list[str]:
    return [s for s in text.replace("? ", ". ").split(". ") if s.strip()]


@pytest.fixture(scope="module")
def tiny_records() -> list[CandidateRecord]:
    from newstrace.embed import embed_texts

    arts = [
        ("a-orig", STORY, "2024-03-05", "en"),
        ("b-copy", "Rotterdam (Reuters) - " + STORY, "2024-03-06", "en"),
        ("c-edit", LIGHT_EDIT, "2024-03-07", "en"),
        ("d-es", SPANISH, "2024-03-06", "es"),
        ("e-bakery", UNRELATED, "2024-03-06", "en"),
        ("f-comet", UNRELATED_2, "2024-03-04", "en"),
    ]
    out = []
    for aid, text, date, lang in arts:
        vecs = embed_texts(_sentences(text))
        out.append(make_record(aid, text, day(date), lang, vecs, CONFIG))
    return out


def _pairs(cands: list) -> dict[frozenset[str], tuple[str, ...]]:
    return {frozenset((c.derived, c.source)): c.via for c in cands}


def test_copy_edit_translation_found_unrelated_not(tiny_records: list[CandidateRecord]) -> None:
    got = _pairs(generate_candidates(tiny_records, CONFIG))
    assert "lsh" in got[frozenset({"a-orig", "b-copy"})]
    assert "lsh" in got[frozenset({"a-orig", "c-edit"})]
    es_via = got[frozenset({"a-orig", "d-es"})]
    assert {"vector", "anchor"} & set(es_via)
    for pair in got:
        assert not pair & {"e-bakery", "f-comet"}, f"unrelated article paired: {sorted(pair)}"


def test_orientation_and_order(tiny_records: list[CandidateRecord]) -> None:
    cands = generate_candidates(tiny_records, CONFIG)
    by_pair = {frozenset((c.derived, c.source)): c for c in cands}
    c = by_pair[frozenset({"a-orig", "c-edit"})]
    assert (c.derived, c.source, c.undirected) == ("c-edit", "a-orig", False)
    dates = [next(r.date for r in tiny_records if r.id == c.derived) for c in cands]
    assert dates == sorted(dates, key=lambda d: d.earliest)  # type: ignore[union-attr]
    # Same day: kept once, smaller id as source, flagged for the provenance stage.
    same = by_pair.get(frozenset({"b-copy", "d-es"}))
    if same is not None:
        assert (same.source, same.undirected) == ("b-copy", True)


def test_time_window_drops_far_pairs(tiny_records: list[CandidateRecord]) -> None:
    moved = [dataclasses.replace(r, date=day("2026-01-01")) if r.id == "c-edit" else r for r in tiny_records]
    got = _pairs(generate_candidates(moved, CONFIG))
    assert frozenset({"a-orig", "c-edit"}) not in got
    wide = dataclasses.replace(CONFIG, window_days=1000)
    assert frozenset({"a-orig", "c-edit"}) in _pairs(generate_candidates(moved, wide))
    undated = [dataclasses.replace(r, date=None) if r.id == "c-edit" else r for r in moved]
    c = next(c for c in generate_candidates(undated, CONFIG) if {c.derived, c.source} == {"a-orig", "c-edit"})
    assert c.undirected and c.source == "a-orig"
    # Unknown dates sort last.
    assert generate_candidates(undated, CONFIG)[-1].derived == "c-edit"


def test_orient_rules() -> None:
    dates = {"x": day("2024-01-02"), "y": day("2024-01-01"), "z": None,
             "m": PubDate(dt.date(2024, 1, 1), dt.date(2024, 1, 31), "month")}
    assert orient("x", "y", dates, CONFIG) == ("x", "y", False)
    assert orient("y", "x", dates, CONFIG) == ("x", "y", False)
    assert orient("x", "z", dates, CONFIG) == ("z", "x", True)
    assert orient("x", "m", dates, CONFIG) == ("x", "m", True)  # overlapping coarse date: unknown order
    assert within_window(day("2023-01-01"), day("2024-01-01"), CONFIG)
    assert not within_window(day("2023-01-01"), day("2024-01-02"), CONFIG)
    assert within_window(None, day("1990-01-01"), CONFIG)


def test_pairs_from_bucket_caps_and_windows() -> None:
    d = day("2024-05-01")
    members = [("b", d), ("a", d), ("c", day("2020-01-01")), ("a", d)]
    assert pairs_from_bucket(members, CONFIG) == [("a", "b")]
    big = [(f"id{i:03d}", None) for i in range(CONFIG.max_bucket + 1)]
    assert pairs_from_bucket(big, CONFIG) == []
    assert len(pairs_from_bucket(big[: CONFIG.max_bucket], CONFIG)) == CONFIG.max_bucket * (CONFIG.max_bucket - 1) // 2
    assert pairs_from_anchor([(f"x{i}", None) for i in range(CONFIG.anchor_max_df + 1)], CONFIG) == []


def test_document_vector_is_unit_mean_of_leading_sentences() -> None:
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(50, 512)).astype(np.float32)
    v = document_vector(vecs, CONFIG)
    expected = vecs[: CONFIG.vector_sentences].mean(axis=0)
    assert np.allclose(v, expected / np.linalg.norm(expected), atol=1e-6)
    assert not document_vector(np.zeros((0, 512), dtype=np.float32), CONFIG).any()


def _random_articles(n: int, seed: int) -> list[CandidateRecord]:
    rng = random.Random(seed)
    syll = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "po", "de", "fa", "gu", "hi", "ja"]
    vocab = ["".join(rng.choice(syll) for _ in range(rng.randint(1, 5))) for _ in range(20000)]
    weights = [1 / (i + 1) ** 0.5 for i in range(len(vocab))]  # skewed like real text, but no topic
    vec_rng = np.random.default_rng(seed)
    out = []
    start = dt.date(2024, 1, 1)
    for i in range(n):
        words = rng.choices(vocab, weights, k=rng.randint(40, 100))
        for j in range(0, len(words), 17):
            words[j] = words[j].capitalize()
        words.insert(rng.randrange(len(words)), str(rng.randint(10, 99_999)))
        vec = vec_rng.normal(size=512).astype(np.float32)
        rec = make_record(f"r{i:04d}", " ".join(words), PubDate.day(start + dt.timedelta(days=i % 200)), "en",
                          None, CONFIG)
        out.append(dataclasses.replace(rec, vector=vec / np.linalg.norm(vec)))
    return out


def test_random_articles_give_few_candidates() -> None:
    records = _random_articles(1000, seed=3)
    cands = generate_candidates(records, CONFIG)
    # 499,500 possible pairs; chance overlaps of skewed word lists may leave a few dozen, not thousands.
    assert len(cands) <= 100, f"{len(cands)} candidates among 1000 random articles"


def test_vector_index_save_load_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    vecs = rng.normal(size=(200, 512)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    keys = np.array([vector_key(f"doc{i}") for i in range(200)], dtype=np.uint64)
    index = VectorIndex(CONFIG)
    index.add(keys, vecs)
    k1, s1 = index.search(vecs[:10], 3)
    assert (k1[:, 0] == keys[:10]).all() and (s1[:, 0] > 0.98).all()
    path = tmp_path / "vectors.usearch"
    index.save(path)
    for view in (False, True):
        loaded = VectorIndex.load(path, view=view)
        assert len(loaded) == 200
        k2, s2 = loaded.search(vecs[:10], 3)
        assert (k2 == k1).all() and np.allclose(s2, s1)
    one_k, one_s = VectorIndex.load(path).search(vecs[5], 500)
    assert one_k.shape == (1, 500) and one_k[0, 0] == keys[5] and np.isinf(one_s[0, -1])


def test_incremental_matches_batch(tiny_records: list[CandidateRecord], tmp_path: Path) -> None:
    *old, new = sorted(tiny_records, key=lambda r: r.date.earliest)  # type: ignore[union-attr]
    state = MemoryIndexState(CONFIG)
    for r in old:
        state.add(r)
    state.vectors.save(tmp_path / "v.usearch")
    state.vectors = VectorIndex.load(tmp_path / "v.usearch")  # persisted index, not rebuilt
    inc = {(c.derived, c.source, c.via) for c in candidates_for(new, state, CONFIG)}
    batch = {(c.derived, c.source, c.via) for c in generate_candidates(tiny_records, CONFIG) if new.id in (c.derived,
                                                                                                         c.source)}
    assert inc == batch and inc


def test_batch_tally_equals_group_by_group() -> None:
    # The batch path tallies all buckets at once with numpy; the Spark runner goes bucket by bucket with
    # pairs_from_bucket / pairs_from_anchor. Both must give the same pairs (dense random buckets, mixed dates).
    from collections import Counter, defaultdict

    from newstrace.candidates import bucket_weight, strongest_pairs

    rng = random.Random(5)
    month = PubDate(dt.date(2024, 1, 1), dt.date(2024, 1, 31), "month")
    dates: list[PubDate | None] = [day("2024-01-10"), day("2024-06-01"), None, month]
    records = [
        CandidateRecord(
            id=f"a{i:03d}",
            date=rng.choice([*dates, day(f"2025-0{1 + i % 9}-15")]),
            band_keys=tuple(sorted({rng.randrange(60) for _ in range(8)})),
            anchors=frozenset(f"n{rng.randrange(30)}" for _ in range(8)),
        )
        for i in range(90)
    ]
    config = dataclasses.replace(CONFIG, max_bucket=18, anchor_max_df=28, window_days=200, lsh_min_weight=0.2)
    got = generate_candidates(records, config)

    Groups = dict[object, list[tuple[str, PubDate | None]]]

    def expected(groups: Groups, cap: int, fn: Any, n: int, top: int) -> set[tuple[str, str]]:
        counts: Counter[tuple[str, str]] = Counter()
        weights: defaultdict[tuple[str, str], float] = defaultdict(float)
        for members in groups.values():
            pairs = fn(members, config) if len(members) <= cap else []
            counts.update(pairs)
            for p in pairs:
                weights[p] += bucket_weight(len(members))
        dates = {r.id: r.date for r in records}
        if fn is pairs_from_bucket:
            sizes = {r.id: len(r.band_keys) for r in records}
            return set(strongest_pairs(counts, weights, n, top, dates, sizes, config.lsh_min_weight))
        return set(strongest_pairs(counts, weights, n, top, dates))

    buckets: Groups = defaultdict(list)
    postings: Groups = defaultdict(list)
    for r in records:
        for k in r.band_keys:
            buckets[k].append((r.id, r.date))
        for a in r.anchors:
            postings[a].append((r.id, r.date))
    lsh = expected(buckets, config.max_bucket, pairs_from_bucket, config.lsh_min_shared, config.lsh_top_per_article)
    anchor = expected(
        postings, config.anchor_max_df, pairs_from_anchor, config.anchor_min_shared, config.anchor_top_per_article
    )
    assert lsh and anchor
    assert {tuple(sorted((c.derived, c.source))) for c in got if "lsh" in c.via} == lsh
    assert {tuple(sorted((c.derived, c.source))) for c in got if "anchor" in c.via} == anchor


def _hub_records() -> list[CandidateRecord]:
    """One hub article and six spokes: each spoke's nearest is the hub, the hub's nearest are the first spokes."""
    basis = np.eye(512, dtype=np.float32)
    out = [CandidateRecord(id="hub", date=day("2024-03-01"), vector=basis[0])]
    for i in range(1, 7):
        v = basis[0] + (0.3 + 0.1 * i) * basis[i]  # cosine to the hub falls with i: 0.93, 0.90 ... 0.75
        out.append(CandidateRecord(id=f"spoke{i}", date=day("2024-03-02"), vector=v / np.linalg.norm(v)))
    return out


def test_vector_pairs_need_mutual_neighbours_unless_close() -> None:
    records = _hub_records()
    config = dataclasses.replace(CONFIG, vector_k=1, vector_min_sim=0.3, vector_sure_sim=0.88)
    hub_pairs = {p for p in _pairs(generate_candidates(records, config)) if "hub" in p}
    # Every spoke's nearest is the hub, the hub's is spoke 1 (mutual); of the one-sided spokes only spoke 2
    # (cosine 0.90) reaches vector_sure_sim.
    assert hub_pairs == {frozenset({"hub", f"spoke{i}"}) for i in (1, 2)}
    one_sided = dataclasses.replace(config, vector_mutual=False)
    assert {p for p in _pairs(generate_candidates(records, one_sided)) if "hub" in p} == {
        frozenset({"hub", f"spoke{i}"}) for i in range(1, 7)
    }
    mutual_only = dataclasses.replace(config, vector_sure_sim=1.0)
    assert {p for p in _pairs(generate_candidates(records, mutual_only)) if "hub" in p} == {
        frozenset({"hub", "spoke1"})
    }
