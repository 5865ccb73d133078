"""The stage functions every runner executes, in pipeline order.

Both ``runners/local.py`` and ``runners/spark.py`` call exactly these: a per-record step
(``enrich_articles``), a per-pair step (``judge_pair``) and a global step (``decide_links``). Keeping them
here, pure and typed, is what makes local and Spark output identical.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from newstrace import align, anchors, attribute, candidates, changes, classify, fingerprint, graph, langid, signals
from newstrace.config import AlignConfig, RunConfig
from newstrace.embed import dequantize, embed_texts, encoder_supports, quantize
from newstrace.model import Article, ArticleSignals, Link, SiteProfile, Story
from newstrace.serialize import span_dict, span_from_dict
from newstrace.store import ArticleFeatures, PairVerdictRow, content_hash

log = logging.getLogger(__name__)


def with_language(article: Article, config: RunConfig) -> tuple[Article, float]:
    """The article with ``language`` set: kept when given, detected otherwise."""
    if article.language:
        return article, 1.0
    code, conf = langid.detect_language(article.text, config.langid)
    return replace(article, language=code), conf


def lead_units(text: str, bounds: Sequence[tuple[int, int]], config: RunConfig) -> list[str]:
    """The leading sentences whose vectors make the document vector: whole sentences until
    ``CandidateConfig.vector_lead_chars`` characters, at most ``vector_sentences`` of them."""
    units: list[str] = []
    chars = 0
    for a, b in bounds[: config.candidates.vector_sentences]:
        if chars >= config.candidates.vector_lead_chars:
            break
        units.append(text[a:b])
        chars += b - a
    return units


def enrich_articles(articles: Sequence[Article], config: RunConfig) -> list[ArticleFeatures]:
    """Per-record step: language, sentences, signals, document vector, MinHash, anchors (one batch).

    Only the lead is embedded here: the encoder is the costliest step of the pipeline (≈ 60k characters a
    second on two cores), and candidate generation needs one vector per article. Sentence vectors for
    alignment are computed later, for candidate pairs only (:func:`judge_pair`).
    """
    prepared = [with_language(a, config) for a in articles]
    # Sentence units are the aligner's own, so offsets stored here line up with what align_pair segments.
    bounds = [align.split_sentences(a.text[: config.align.max_chars], config.align) for a, _ in prepared]
    leads = [lead_units(a.text, bb, config) for (a, _), bb in zip(prepared, bounds, strict=True)]
    # One embedding call for the whole batch: the encoder is much faster on big batches.
    vecs = embed_texts([u for units in leads for u in units], config.embed)
    out: list[ArticleFeatures] = []
    pos = 0
    for original, (article, conf), bb, units in zip(articles, prepared, bounds, leads, strict=True):
        lead = vecs[pos : pos + len(units)]
        pos += len(units)
        signature = fingerprint.minhash_signature(article.text, config.candidates)
        out.append(
            ArticleFeatures(
                article_id=article.id,
                # Hash of the article as stored (before language detection): the store compares them.
                content_hash=content_hash(original),
                language=article.language or "und",
                lang_confidence=conf,
                seg_starts=np.array([s for s, _ in bb], dtype=np.int32),
                seg_ends=np.array([e for _, e in bb], dtype=np.int32),
                doc_vector=quantize(candidates.document_vector(lead, config.candidates)),
                signature=signature,
                band_keys=tuple(fingerprint.band_keys(signature, config.candidates)),
                anchors=anchors.extract_anchors(
                    article.text, article.language, config.candidates.anchor_max_per_article
                ),
                signals=signals.detect_signals(article, config.signals),
            )
        )
    return out


def candidate_record(article: Article, feats: ArticleFeatures) -> candidates.CandidateRecord:
    """What candidate generation needs of one article (no text)."""
    return candidates.CandidateRecord(
        id=article.id,
        date=article.date,
        band_keys=feats.band_keys,
        anchors=feats.anchors,
        vector=dequantize(feats.doc_vector),
    )


def encodes_pair(dfeat: ArticleFeatures, sfeat: ArticleFeatures) -> bool:
    """Whether the aligner uses sentence vectors for this pair at all (both languages known to the encoder).

    Runners that embed articles ahead of :func:`judge_encoded` ask this so they embed nothing the aligner ignores.
    """
    return encoder_supports(dfeat.language) and encoder_supports(sfeat.language)


def needs_semantics(via: Sequence[str], derived_lang: str | None, source_lang: str | None) -> bool:
    """Whether a pair is aligned with sentence embeddings (every sentence) or on shared words alone.

    Translations share no words, and a pair the vector index proposed is close in meaning overall: a rewrite
    candidate whose sentences may share few words, so every sentence is embedded. A pair found only by shared
    passages or rare anchors in one language is aligned on words: measured on a 2,000-article PAN13 slice
    (benchmarks/scale), embedding its sentences near the lexical seeds found 196 instead of 194 of 283 true
    links at 2.5× the cost per pair (45 vs 18 ms).
    """
    if derived_lang and source_lang and derived_lang != source_lang:
        return True
    return "vector" in via


def worth_encoding(words: PairVerdictRow, dfeat: ArticleFeatures, sfeat: ArticleFeatures, config: RunConfig) -> bool:
    """Whether a same-language pair the words did not link goes on to the encoder (every sentence of both texts).

    A rewrite keeps some wording, so the word pass aligns a passage of it; a pair with no aligned passage at all is
    worth the encoder only when the two leads are as close as a near copy (``CandidateConfig.vector_sure_sim``).
    See ``CandidateConfig.vector_encode_needs_words`` for the measurements.
    """
    if not config.candidates.vector_encode_needs_words or json.loads(words.spans_json):
        return True
    cosine = float(np.dot(dequantize(dfeat.doc_vector), dequantize(sfeat.doc_vector)))
    return cosine >= config.candidates.vector_sure_sim


PairSides = tuple[Article, Article]


def _sides(
    derived: Article,
    source: Article,
    dfeat: ArticleFeatures,
    sfeat: ArticleFeatures,
    config: RunConfig,
    undirected: bool,
    facts: dict[str, changes.ArticleFacts],
) -> PairSides:
    """The pair oriented (undirected pairs by textual evidence), with languages set and both articles' facts known."""
    if undirected:
        derived_id, _, _ = attribute.orient(derived, source, (), dfeat.signals, sfeat.signals, config.attribute)
        if derived_id != derived.id:
            derived, source, dfeat, sfeat = source, derived, sfeat, dfeat
    d = replace(derived, language=dfeat.language)
    s = replace(source, language=sfeat.language)
    for art in (d, s):
        if art.id not in facts:
            facts[art.id] = changes.article_facts(art.text, art.language)
    return d, s


def _judged(
    d: Article,
    s: Article,
    config: RunConfig,
    align_config: AlignConfig,
    facts: dict[str, changes.ArticleFacts],
    vectors: Mapping[str, align.SentenceVectors] | None,
    prepared: dict[str, align.AlignText] | None = None,
) -> PairVerdictRow:
    if prepared is not None and not align_config.semantic:
        # Words only: a prepared text depends on the text and the config alone, so an article met in several pairs
        # is segmented and tokenised once (what align_pair does for each pair, same spans).
        for art in (d, s):
            if art.id not in prepared:
                prepared[art.id] = align.prepare_text(art.text, align_config)
        translated = bool(d.language and s.language and d.language != s.language)
        spans = align.align_texts(prepared[d.id], prepared[s.id], align_config, translated=translated)
    else:
        vectors = vectors or {}
        spans = align.align_pair(
            d.text, s.text, align_config, derived_lang=d.language, source_lang=s.language, embed_config=config.embed,
            derived_vectors=vectors.get(d.id), source_vectors=vectors.get(s.id),
        )  # fmt: skip
    feats = classify.pair_features(
        d, s, spans, derived_facts=facts[d.id], source_facts=facts[s.id], config=config.classify
    )
    verdict = classify.classify_pair(feats, config.classify)
    return PairVerdictRow(
        derived=d.id,
        source=s.id,
        relation=verdict.relation,
        score=float(verdict.score),
        independent=bool(verdict.independent),
        reason=verdict.reason,
        spans_json=json.dumps([span_dict(x) for x in spans]),
    )


def judge_words(
    derived: Article,
    source: Article,
    dfeat: ArticleFeatures,
    sfeat: ArticleFeatures,
    config: RunConfig,
    *,
    undirected: bool = False,
    via: Sequence[str] = (),
    facts: dict[str, changes.ArticleFacts] | None = None,
    prepared: dict[str, align.AlignText] | None = None,
) -> PairVerdictRow | None:
    """The first half of :func:`judge_pair`: the verdict on shared words, or None when the encoder must decide.

    None for a translation (words cannot align across languages) and for a pair that needs semantics (see
    :func:`needs_semantics`) that the words did not link; :func:`judge_encoded` then gives the verdict.
    ``prepared`` is a per-batch table of the aligner's prepared texts by article id, like ``facts``.
    """
    facts = {} if facts is None else facts
    d, s = _sides(derived, source, dfeat, sfeat, config, undirected, facts)
    translated = bool(d.language and s.language and d.language != s.language)
    semantic = config.align.semantic and needs_semantics(via, d.language, s.language)
    if translated and semantic:
        return None
    row = _judged(d, s, config, replace(config.align, semantic=False), facts, None, prepared)
    return None if semantic and row.relation is None and worth_encoding(row, dfeat, sfeat, config) else row


def judge_encoded(
    derived: Article,
    source: Article,
    dfeat: ArticleFeatures,
    sfeat: ArticleFeatures,
    config: RunConfig,
    *,
    undirected: bool = False,
    facts: dict[str, changes.ArticleFacts] | None = None,
    vectors: Mapping[str, align.SentenceVectors] | None = None,
) -> PairVerdictRow:
    """The second half of :func:`judge_pair`: the verdict with sentence embeddings (for pairs the words left open).

    ``vectors`` are :func:`newstrace.align.sentence_vectors` by article id (``config.align``, ``config.embed``),
    for a runner that embeds each article once for all its pairs; missing ones are computed here.
    """
    facts = {} if facts is None else facts
    d, s = _sides(derived, source, dfeat, sfeat, config, undirected, facts)
    return _judged(d, s, config, config.align, facts, vectors)


def judge_pair(
    derived: Article,
    source: Article,
    dfeat: ArticleFeatures,
    sfeat: ArticleFeatures,
    config: RunConfig,
    *,
    undirected: bool = False,
    via: Sequence[str] = (),
    facts: dict[str, changes.ArticleFacts] | None = None,
) -> PairVerdictRow:
    """Per-pair step: align the two texts, then classify the alignment (link or not, which relation).

    ``undirected`` pairs (dates cannot order them) are first oriented from textual evidence, because
    the relation (a summary, say) depends on which side is the copy. ``via`` (the candidate generators that
    proposed the pair) decides whether sentences are embedded: see :func:`needs_semantics`. ``facts`` is a
    per-batch table of :func:`newstrace.changes.article_facts` by article id, filled as pairs are judged, so an
    article in several pairs of a batch is analysed once (same results as without it).

    Words first (a few ms); the encoder (every sentence of both texts, ~10× the cost) only when the words did not
    already make a link: copies and edits stop there, rewrites and translations go on. Across languages words
    cannot align, so translations go straight to the encoder.
    """
    facts = {} if facts is None else facts
    row = judge_words(derived, source, dfeat, sfeat, config, undirected=undirected, via=via, facts=facts)
    if row is not None:
        return row
    return judge_encoded(derived, source, dfeat, sfeat, config, undirected=undirected, facts=facts)


def verdict_links(
    articles: Mapping[str, Article],
    article_signals: Mapping[str, ArticleSignals],
    verdicts: Sequence[PairVerdictRow],
    config: RunConfig,
    facts: dict[str, changes.ArticleFacts] | None = None,
    *,
    details: bool = True,
) -> tuple[list[Link], list[tuple[str, str]]]:
    """Linked verdicts → candidate links (oriented, credited, with changes); unlinked same-event pairs apart.

    ``facts`` is a table of :func:`newstrace.changes.article_facts` by article id that is filled as links are
    built (pass the one ``judge_pair`` filled to reuse it), so an article in many links is analysed once.
    Without ``details`` the links carry no changes or staleness (see :func:`newstrace.attribute.build_link`).
    """
    raw: list[Link] = []
    related: list[tuple[str, str]] = []
    facts = {} if facts is None else facts
    for v in verdicts:
        if v.derived not in articles or v.source not in articles:
            continue
        if v.relation is None:
            if v.independent:
                related.append((v.derived, v.source))
            continue
        for art in (articles[v.derived], articles[v.source]) if details else ():
            if art.id not in facts:
                facts[art.id] = changes.article_facts(art.text, art.language)
        spans = [span_from_dict(x) for x in json.loads(v.spans_json)]
        verdict = classify.PairVerdict(relation=v.relation, score=v.score, independent=v.independent, reason=v.reason)  # type: ignore[arg-type]
        raw.append(
            attribute.build_link(
                articles[v.derived],
                articles[v.source],
                spans,
                verdict,
                article_signals.get(v.derived),
                article_signals.get(v.source),
                config.attribute,
                signal_config=config.signals,
                facts=facts,
                details=details,
            )
        )
    return raw, related


def assemble_links(
    raw: Sequence[Link],
    related: Sequence[tuple[str, str]],
    articles: Mapping[str, Article],
    config: RunConfig,
    *,
    keep: Sequence[Link] = (),
) -> tuple[list[Link], list[Story], list[SiteProfile]]:
    """Pick each derived article's sources among ``raw``, add ``keep`` (already picked), chain origins, group."""
    selected: list[Link] = [*keep, *attribute.select_all_sources(raw, config.attribute)]
    links = attribute.resolve_origins(selected)
    stories = graph.build_stories(sorted(articles), links, related)
    sites = graph.site_profiles(list(articles.values()), links)
    return links, stories, sites


def decide_links(
    articles: Mapping[str, Article],
    article_signals: Mapping[str, ArticleSignals],
    verdicts: Sequence[PairVerdictRow],
    config: RunConfig,
) -> tuple[list[Link], list[Story], list[SiteProfile]]:
    """Global step: pair verdicts → links (direction, sources, chains, credit, stale, changes) → stories, sites."""
    raw, related = verdict_links(articles, article_signals, verdicts, config)
    return assemble_links(raw, related, articles, config)
