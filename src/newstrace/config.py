"""One frozen config per stage. This module is the only home of defaults.

Each field's comment says what raising or lowering it trades (precision vs recall, speed vs quality).
Each stage owns its class; add fields to your own stage's class only.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class IngestConfig:
    # Texts longer than this are cut (with a warning on the article) so one huge record cannot
    # exhaust memory or make alignment quadratic in practice. 2M chars is ~300k words, far beyond news.
    max_chars: int = 2_000_000
    # Files larger than this are not read into memory in one go by the single-article readers.
    max_file_bytes: int = 64 * 1024 * 1024
    # Records whose text (after stripping) is shorter than this are skipped as "empty text".
    min_chars: int = 1
    # HTML pages (files or WARC payloads) larger than this are skipped: real article pages are well under
    # 5 MB; bigger ones are mostly inline media and make main-text extraction slow.
    max_html_bytes: int = 8 * 1024 * 1024
    # Pages whose extracted main text is shorter than this are skipped as "no article text": what is left
    # of a page without an article is a menu or a cookie notice, not something worth tracing.
    min_page_chars: int = 25


@dataclass(frozen=True, slots=True)
class NormaliseConfig:
    # Sentences longer than this are split at the nearest clause boundary / whitespace so that
    # texts without sentence punctuation still yield alignable units.
    max_sentence_chars: int = 600
    # Shorter fragments are merged into their neighbour (headings, bylines, "EFE").
    min_sentence_chars: int = 1


@dataclass(frozen=True, slots=True)
class LangIdConfig:
    # Below this confidence (0-1), the language is reported as "und" (undetermined).
    min_confidence: float = 0.5
    # Only this many leading characters are used (cut back to a space so no word is split). The model's cost is
    # linear in length (~1.4 ms per 1,000 characters) and its answer settles within a few hundred characters of
    # prose: 1,000 gives the same language as 5,000 on every crossling fr/es/en and COUNTER Urdu document and on
    # 1,996 of 2,000 PAN-based articles (the other 4 open with lists of names or references). Longer costs time;
    # shorter leaves a text that opens with boilerplate to its boilerplate.
    sample_chars: int = 1000


@dataclass(frozen=True, slots=True)
class StoreConfig:
    # DuckDB memory limit; keep well below machine RAM so alignment has room.
    memory_limit: str = "4GB"
    threads: int = 2




@dataclass(frozen=True, slots=True)
class EmbedConfig:
    # BLAS threads for the numpy encoder. One thread per process: runners use both cores with worker
    # processes, and the encoder does 400 sentences per CPU-second on one thread against 280 on two
    # (measured on news sentences). The results also depend slightly on it, so every runner uses this value.
    threads: int = 1
    # Sentences per forward pass: bigger batches amortise overhead, cost memory (~2 MB per 100).
    batch_size: int = 128
    # Sentences are cut to this many characters before encoding: USE saturates on long inputs
    # and cost grows with length.
    max_chars: int = 1000


@dataclass(frozen=True, slots=True)
class AlignConfig:
    """Passage alignment (align stage). Owned by the alignment work; see align.py."""

    # Each text is cut to this many characters before alignment: cost grows with the product of the
    # sentence counts, and no news article comes close. Raising it aligns longer texts at quadratic cost.
    max_chars: int = 300_000
    # Sentences longer than this are cut at whitespace, so unpunctuated text still yields units.
    max_sentence_chars: int = 400
    # Words are matched by this many leading characters of their folded form (a crude stemmer that
    # joins inflections); lower joins more words (recall) but also unrelated ones (precision).
    stem_chars: int = 6
    # Lexical seed: a sentence pair whose tf-idf cosine AND Dice coefficient of content words both
    # exceed these. Lower finds more reworded sentences but seeds more chance matches.
    seed_cosine: float = 0.28
    seed_dice: float = 0.28
    # Fewer shared content words than this never make a lexical seed (short sentences match by chance).
    seed_min_shared: int = 2
    # A seed is kept only when its similarity is at least this share of the best seed of both its sentences;
    # lower keeps one-to-many matches (summaries), higher stops passages spreading into look-alike sentences.
    seed_best_ratio: float = 0.8
    # Next to a lexical seed (within ``max_gap`` sentences on both sides) a sentence pair with this tf-idf cosine
    # seeds even when it shares a single content word (reworded short sentences); 1.0 turns it off.
    near_seed_cosine: float = 0.5
    # A sentence with more seeds than this (it recurs all over the other text) seeds nothing.
    max_seeds_per_sentence: int = 3
    # Semantic seed: cosine of multilingual sentence embeddings. Lower catches looser paraphrases and
    # machine translations; raising it avoids linking sentences that only share a topic.
    semantic: bool = True
    seed_semantic: float = 0.8
    # Without precomputed vectors only sentences with lexical contact are embedded: some partner with tf-idf
    # cosine >= gate_cosine (and two shared stems), unless its best partner is already >= gate_max_cosine
    # (a copy needs no encoder). Lower gate_cosine embeds more (slower, finds looser paraphrases).
    gate_cosine: float = 0.15
    gate_max_cosine: float = 0.8
    # Within one language, a passage's mean semantic similarity counts minus this when validating it (same-topic
    # text embeds close together); lower accepts looser paraphrases and more same-subject false passages.
    semantic_offset: float = 0.3
    # Sentences with fewer characters than this make no semantic seed (short lines embed vaguely).
    semantic_min_chars: int = 40
    # Seeds closer than this many sentences (on both sides) join one passage; larger merges pieces of one
    # reused passage (better granularity) but can bridge two separate ones.
    max_gap: int = 4
    # Join neighbouring passages (within ``max_gap`` on both sides) before the length and similarity filters, so a
    # heavily reworded passage that seeds as several short fragments survives as one.
    join_fragments: bool = True
    # A passage grows by one sentence pair at either end while that pair's similarity (lexical or semantic)
    # reaches this; lower recovers more loosely reworded edges, at the risk of swallowing neighbours.
    extend_similarity: float = 0.5
    # A kept passage's sides also grow on their own while the next sentence reaches this tf-idf cosine (semantic
    # across languages) with any sentence of the other side's range (rewording splits and merges sentences);
    # 1.0 turns it off, lower takes in more edges.
    extend_side_similarity: float = 0.45
    # Edge sentences whose best match inside the passage is below this share of the passage's median seed
    # similarity are trimmed; higher gives tighter boundaries (precision) but can cut reworded edges (recall).
    trim_ratio: float = 0.35
    # Passages shorter than this (characters, on either side) are dropped as chance matches.
    min_passage_chars: int = 120
    # A passage pair is kept only when its whole-passage tf-idf cosine or mean seed similarity reaches this, plus
    # ``short_passage_penalty`` for every 100 characters its shorter side falls below ``passage_full_chars``
    # (short passages match same-topic text by chance more often). 0 penalty: one threshold for all lengths.
    min_passage_similarity: float = 0.35
    passage_full_chars: int = 250
    short_passage_penalty: float = 0.12
    # Passages with fewer seeds than ``dense_seed_share`` of the sentences of their longer side (a few loose matches
    # over a stretch of same-topic text, as in independent reports of one event) need this floor instead.
    sparse_passage_similarity: float = 0.4
    dense_seed_share: float = 0.5
    # Summary mode: a derived passage whose sentences' best matches spread (with gaps of at most
    # ``summary_gap`` sentences) over a source stretch ``summary_ratio`` times longer than itself and over
    # at least ``summary_source_share`` of the source summarises the whole source text.
    summary: bool = True
    summary_ratio: float = 3.0
    summary_gap: int = 30
    summary_source_share: float = 0.5
    # A derived sentence supports a summary when its best source match reaches ``summary_seed``; a summary is
    # a run of at least ``summary_min_sentences`` such sentences whose mean best match reaches
    # ``summary_similarity``. Semantic similarity counts after subtracting ``summary_semantic_offset``
    # (embeddings of same-topic sentences are close). Lower values find looser summaries and more false ones.
    summary_seed: float = 0.25
    summary_min_sentences: int = 3
    summary_min_chars: int = 300
    summary_similarity: float = 0.35
    summary_semantic_offset: float = 0.3
    # A summary candidate is dropped where regular passages at least this similar cover half of it (a copy whose
    # neighbours happen to match loosely); lower protects copies better but loses summaries that quote.
    summary_max_regular: float = 0.8
    # It is also dropped where one regular passage covers ``summary_regular_share`` of it and is more similar than
    # its mean sentence match by ``summary_regular_margin`` (a reworded copy, not a summary); a higher share or
    # margin keeps more summaries that quote their source, a lower one drops more false summaries of edited copies.
    summary_regular_share: float = 0.7
    summary_regular_margin: float = 0.05
    # Copy edges at word level: where runs of at least ``edge_block_tokens`` words shared in order (longest common
    # word subsequence) cover ``edge_copy_share`` of both sides of a passage (a copy or light edit), each end moves
    # to the outermost run, inward within the edge sentences and outward (up to ``edge_window_chars``) while the
    # next run follows within ``edge_gap_tokens`` words. 0 turns it off; lower shares also move edited passages.
    edge_block_tokens: int = 3
    edge_copy_share: float = 0.7
    edge_gap_tokens: int = 3
    edge_window_chars: int = 400
    # Span kinds: token sequences equal after folding → exact; token-level similarity at least this → near.
    near_ratio: float = 0.8


@dataclass(frozen=True, slots=True)
class SignalConfig:
    """Single-article signals: credits, dateline, machine translation, filler, spun, stale, scraper marks."""

    # Only this many leading characters are examined (plus the last ``tail_chars`` for closing credits), so one
    # huge record costs bounded time. News articles are far shorter.
    max_chars: int = 200_000
    tail_chars: int = 2_000
    # A regex that runs longer than this on one text is abandoned (logged) instead of stalling the run.
    regex_timeout_s: float = 2.0
    # A line made only of agency names counts as a credit up to this length; bylines up to the second length.
    credit_line_max_chars: int = 80
    byline_max_chars: int = 140
    # Lines counted from the end that make a credit line a "closing" credit.
    credit_tail_lines: int = 3
    # Machine translation: the page is reported only when its combined evidence reaches this score (0-1).
    # Lower finds more translated pages and flags more clean ones.
    mt_min_score: float = 0.5
    # Generic filler (0-1 genericness): a closing paragraph is reported when the mean of its sentences reaches
    # ``filler_paragraph_score``; a lone sentence elsewhere needs ``filler_sentence_score`` and a stock phrase.
    # Lower finds more padding and flags more plain background sentences.
    filler_paragraph_score: float = 0.5
    filler_sentence_score: float = 0.85
    # Spun text: the page is reported when its combined evidence reaches this score.
    spun_min_score: float = 0.5
    # Stale: the event lies at least this many days before publication.
    stale_min_days: int = 7
    # Scraper leftovers below this weight are not reported.
    scraper_min_score: float = 0.5


@dataclass(frozen=True, slots=True)
class CandidateConfig:
    """Candidate generation (MinHash LSH, vector neighbours, anchors) and the time window."""

    # --- lexical reuse: MinHash LSH over the words of overlapping passages (fingerprint.py) ---
    # Words per shingle. 1 (a bag of words per passage) survives the word swaps, insertions and
    # reorderings of light edits and even machine round-trips; 3+ is stricter (fewer chance pairs,
    # copies only). Measured on PAN13 train: 1 finds 88% of obfuscated pairs where 3 found 5%.
    shingle_words: int = 1
    # Words shorter than this are left out before shingling (a language-free stop-word filter):
    # higher makes passages robust to edited function words, lower keeps short texts fingerprintable.
    shingle_min_chars: int = 5
    # Shingles per passage window (windows overlap by half). Smaller windows find shorter reused
    # passages (PAN cases are ~60 words) but give more band keys per article (index size).
    window_shingles: int = 16
    # MinHash permutations; must be >= bands * rows_per_band. Fixed seed: Spark and local runs agree.
    num_perm: int = 20
    seed: int = 20_130_121
    # LSH banding: a passage pair with Jaccard J collides with probability 1 - (1 - J**rows)**bands.
    # More bands / fewer rows raise recall at low J and the number of keys and chance pairs.
    bands: int = 10
    rows_per_band: int = 2
    # A bucket with more articles than this is boilerplate (cookie notices, agency footers, common
    # words): its pairs are skipped and counted. Raising it costs pairs quadratically.
    max_bucket: int = 40
    # A pair needs this many shared band keys: chance collisions share one or two, real reuse of a passage
    # shares several (overlapping windows, several bands). Higher trades recall on short passages for
    # precision. Measured on a 2,000-article PAN13 + background slice (benchmarks/scale): 2 → 3 drops 2,161 of
    # 3,933 false candidate pairs (each costs an alignment) and 3 % of the true ones.
    lsh_min_shared: int = 3
    # ... and this much evidence: each shared bucket of m articles adds 1/(m-1), so 1.0 means "as much
    # as one bucket that only these two share". Chance pairs share a few crowded buckets; lower
    # finds more heavily obfuscated reuse and admits more same-topic pairs.
    lsh_min_weight: float = 1.0
    # Each article keeps only its this-many partners with the most (rarest) shared band keys (0 = all):
    # bounds pairs per article on generic text; lower loses the weaker of many true sources.
    lsh_top_per_article: int = 10

    # --- rewrites and translations: nearest neighbours over document embeddings ---
    # Neighbours asked per article; more finds more rewrites of busy stories and costs align time.
    vector_k: int = 8
    # Cosine floor for a vector candidate: lower admits more same-topic-but-independent pairs.
    vector_min_sim: float = 0.6
    # A vector pair needs the two articles among each other's vector_k nearest (mutual neighbours). In a crowded
    # topic every article has vector_k neighbours above the floor, and one that does not return the favour is
    # mostly another piece on the topic. Whole 10k scale corpus (benchmarks/scale/README.md, "Where recall is
    # lost"): 3,582 pairs came from the vector index alone, 2 of them linked expected links; mutual neighbours cut
    # ~1,250 of them and no expected link; crossling translations among the 10k pieces: 81/88 mutual, 87 one-sided.
    vector_mutual: bool = True
    # ... except a neighbour at least this close (near copies of a story told more than vector_k times, and
    # most translations: with it 86/88 crossling translations stay pairs). 1.0 = mutual only.
    vector_sure_sim: float = 0.8
    # A same-language vector pair the words did not link goes on to the encoder (every sentence of both texts, ~10x a
    # word pass) only when the word pass aligned some passage or the leads are vector_sure_sim close. Whole 10k
    # scale corpus, 200 vector pairs sampled: 95 went to the encoder, 82 of them with no word passage, and none of
    # those 82 became a link (1 of the other 13 did); example corpus: the 3 links the encoder adds all have word
    # passages. False: every such pair is encoded.
    vector_encode_needs_words: bool = True
    # Index quantisation: "i8" (512 B/article) or "f16" (1 KB/article, slightly better recall).
    vector_dtype: str = "i8"
    # Leading sentences averaged into the document vector (the only text embedded for every article): news
    # puts the facts first, and embedding cost is linear in characters (≈ 60k/s on 2 cores), so this bounds
    # the encoder's share of a run. Measured: on crossling, 4 (like 8 and 30) puts 86 of 88 translations among
    # each other's neighbours, 3 puts 84, 1 puts 81; on examples/corpus 4 finds the same links as 30.
    vector_sentences: int = 4
    # ... and only as many of them as it takes to reach this many characters: a short headline-like first sentence
    # gets company, a long lead stops early. Measured on the 10k scale corpus + the 176 crossling texts (candidates
    # of the whole batch): 4 sentences embed 4.79M characters, 27,844 pairs, 3,318 expected links and 87/88
    # translations among them; a 200-character lead 2.80M (enrichment ≈ 4 ms an article cheaper), 26,821 pairs,
    # 3,314 and 85/88 (250: 86/88, 300: 85/88, 2 sentences: 85/88 — within the noise of mutual neighbours).
    vector_lead_chars: int = 200

    # --- rare anchors that survive translation: numbers, names, quoted words (anchors.py) ---
    # A pair must share this many anchors; fewer finds more translations, more rejects chance matches.
    # Same slice: 3 → 4 drops a further ~1,000 false pairs (same-vocabulary articles share three names by
    # chance); translations are found by the vector index too.
    anchor_min_shared: int = 4
    # Anchors carried by more articles than this are not rare (years, "Reuters", "Monday"): ignored.
    anchor_max_df: int = 30
    # At most this many anchors are kept per article (a fixed-hash bottom-k sample, so texts sharing
    # many anchors keep mostly the same ones); more costs postings, fewer loses long articles' overlap.
    anchor_max_per_article: int = 48
    # Each article keeps only its this-many partners with the most (rarest) shared anchors (0 = all).
    anchor_top_per_article: int = 5

    # --- time window and output ---
    # Pairs whose dates are further apart than this are dropped (a pair with an unknown date is kept).
    window_days: int = 365
    # Dates at most this many days apart count as "same time": direction left to the provenance stage.
    same_day_days: int = 0


@dataclass(frozen=True, slots=True)
class ClassifyConfig:
    """Relation typing and the link / no-link decision."""

    # Logistic link model: p = sigmoid(intercept + sum(weight * feature)) over classify.PairFeatures fields.
    # Fitted on the example corpus, the seeds, COUNTER and crossling (benchmarks/pairs/RESULTS.md) by:
    #   .venv/bin/python benchmarks/pairs/fit.py collect --out out/pairs/spans.jsonl
    #   .venv/bin/python benchmarks/pairs/fit.py fit out/pairs/spans.jsonl
    # Reuse in source order and shared wording raise it; facts of the derived text's own lower it.
    intercept: float = -6.910
    weights: tuple[tuple[str, float], ...] = (
        ("ordered_coverage", 6.558),
        ("word_containment", 5.837),
        ("bigram_containment", 5.099),
        ("derived_novelty", -2.071),
        ("cross_language", 4.229),
    )
    # The same model for pairs in a language outside the sentence encoder (embed.ENCODER_LANGUAGES), whose spans rest
    # on shared words alone; fitted on COUNTER (Urdu) by the same script (--models lexical). It does not use the
    # spans: the share of derived sentences with a close fuzzy counterpart in the source and the share of derived
    # words found there raise it; for the same word overlap, literal 4-word runs lower it (independent reports of one
    # event share quotes, set phrases and handouts word for word and reword the rest). That weight is about word
    # containment's, so what raises the score is reworded reuse; a copy still scores >= 0.99 (all its sentences match).
    lexical_intercept: float = -13.972
    lexical_weights: tuple[tuple[str, float], ...] = (
        ("sentence_match", 18.892),
        ("word_containment", 10.993),
        ("quadgram_containment", -11.305),
    )
    # classify.sentence_match leaves out sentences with fewer words than this on both sides (datelines, one name:
    # a fragment is contained in almost any sentence). 3-8 measure the same on COUNTER (benchmarks/pairs/RESULTS.md).
    sentence_match_min_words: int = 4
    # ... and compares at most this many derived sentences (an evenly spaced sample) with at most this many source
    # sentences (the first ones): its cost grows with their product (~30-80 us per sentence pair; COUNTER's longest
    # texts have 85 / 52). Higher: exact on longer texts, slower on them.
    sentence_match_max_derived: int = 128
    sentence_match_max_source: int = 512
    # Pairs scoring at least this are linked. Higher: fewer false links (independent reports), more missed copies.
    link_threshold: float = 0.5
    # A same-language pair below the threshold is still linked as a faithful rewrite when at least this share of the
    # derived text follows the source in order, at most this share of its numbers/names are its own, and it shares
    # at least this many. Lower coverage / higher novelty catch looser rewrites but link more independent reports.
    rewrite_min_ordered_coverage: float = 0.3
    rewrite_max_novelty: float = 0.2
    rewrite_min_shared_facts: int = 5
    # Partial reuse: linked whatever the score when one aligned passage has at least this many non-space characters
    # on both sides (quoted speech not counted), at most this share of it quoted, and at least this share of its word
    # pairs (outside quotes) found in the source passage. Independent same-event reports on the example corpus and the
    # seeds reach 0.27 at most; PAN-derived pieces mostly 0.3-1.0 (benchmarks/pairs/RESULTS.md). Lower overlap or
    # length finds more reworded partial copies and links more independent reports of one event.
    partial_min_chars: int = 150
    partial_max_quote_share: float = 0.5
    partial_min_bigram_overlap: float = 0.4
    # ... or (languages of the sentence encoder only) a reworded passage: at least this many characters, this share of
    # its word pairs and this share of its distinct content words found in the source passage. Independent same-event
    # passages of >= 350 characters on the example corpus keep at most 0.44 of their content words; PAN's reworded and
    # back-translated cases a median 0.63. Measured on the whole 10k scale corpus (stored spans re-judged): recall
    # 0.604 -> 0.682, precision 0.750 -> 0.711; most of the links it adds that the benchmark counts false are
    # unlabelled reworded reuse between PAN pieces (benchmarks/pairs/RESULTS.md). Lower: more reworded copies found,
    # more same-topic pairs linked.
    reworded_min_chars: int = 350
    reworded_min_bigram_overlap: float = 0.2
    reworded_min_content_containment: float = 0.5
    # Texts with fewer non-space characters than this are never linked (nothing to judge).
    min_chars: int = 40
    # Not linked but sharing at least this many numbers (years aside) and numbers+names = independent coverage of the
    # same event (joins a story without a link). Lower merges unrelated articles of one town or topic into stories.
    independent_min_shared_numbers: int = 2
    independent_min_shared_facts: int = 2
    # Relation typing. Translation when at least this share of the reuse is translation spans (or languages differ).
    translation_min_share: float = 0.5
    # Verbatim: at least this share of the reuse exact, and this coverage of the derived (and source) text.
    verbatim_min_exact: float = 0.9
    verbatim_min_coverage: float = 0.8
    # Light edit: at least this share exact or near (else paraphrase).
    light_edit_min_literal: float = 0.6
    # Summary: reworded, and the derived text is at most this share of the source's length (non-space characters).
    summary_max_length_ratio: float = 0.6


@dataclass(frozen=True, slots=True)
class AttributeConfig:
    """Direction, chains, lag, credit and staleness of links."""

    # ``check``: articles derived (directly or along chains) from the checked one whose links are decided again; beyond
    # this a warning is logged and the rest keep their stored links (a new article is rarely the ancestor of many).
    check_max_descendants: int = 500
    # A derived article published at least this many days after its source, while its text speaks of the event as
    # current ("on Thursday", "last night"), is stale. Lower flags ordinary next-day copies; higher misses late reruns.
    stale_after_days: float = 3.0
    # When a derived text resembles both B and B's own source A, A is kept as a second direct source only when it
    # explains at least this many derived characters that B does not. Lower keeps more spurious ancestors as sources.
    min_unique_source_chars: int = 200
    # ... and at least this share of the derived characters that A explains.
    min_unique_source_share: float = 0.25
    # When neither explains text the other does not (and credits do not decide), B is the direct source only if the
    # derived text follows it this much more closely (relative gain in score-weighted aligned characters) than A;
    # otherwise the earlier A is kept.
    closer_source_margin: float = 0.01
    # Two unrelated sources of one text: the weaker is dropped when the other's link score is at least this much
    # higher and the weaker explains no text of its own. Lower drops more second sources (precision on same-event
    # reports), higher keeps more (recall on texts stitched from two sources).
    explained_away_margin: float = 0.2
    # ... or when the other explains at least this many times as much derived text, weighted by span similarity (a
    # brief made from the wire that also resembles an independent report: scores of both may be near 1).
    explained_away_strength_ratio: float = 1.5
    # Without usable dates, the text whose characters are covered by the pair's spans this much more than the other's
    # is taken as derived (a copy is contained in its source more than the reverse). Lower guesses more often.
    containment_margin: float = 0.15
    # Two names are the same when their spelling similarity (rapidfuzz ratio, 0-100) reaches this (transliterations).
    name_match_ratio: float = 85.0
    # A quote counts as kept when a stretch of the other text matches it this closely (partial ratio, 0-100).
    quote_match_ratio: float = 85.0
    # Inserted sentences shorter than this (words) are never reported as filler (captions, credit lines).
    filler_min_words: int = 6
    # With a genericness scorer, a fact-free inserted sentence is filler when it scores at least this (0-1).
    filler_min_generic: float = 0.5
    # A dropped and an added number in one aligned passage are one changed number when at least this many of the
    # three words on either side agree. Lower pairs more (and wrongly: "March 5" → "25%"); higher reports add+drop.
    changed_min_context_words: int = 2
    # At most this many strings in each of added / dropped / changed / filler.
    max_change_items: int = 20


@dataclass(frozen=True, slots=True)
class ReportConfig:
    """The HTML report (report/render.py) and the pages the web app shares with it."""

    # The report is one file a browser must open: it shows at most this many links (side-by-side views),
    # stories and articles, and says so when a corpus has more. Raising them makes report.html larger (a
    # side-by-side view costs roughly both texts, ~5-10 KB per link for news).
    max_links: int = 500
    max_stories: int = 300
    max_articles: int = 2000
    # Each side of a side-by-side view shows at most this many characters (spans beyond are listed, not drawn).
    max_text_chars: int = 20_000
    # A story graph draws at most this many articles (the earliest first); bigger stories are listed in full below.
    graph_max_nodes: int = 60
    # "Top copying sites" in the overview.
    top_sites: int = 15


@dataclass(frozen=True, slots=True)
class WebConfig:
    """The local web app (web/app.py)."""

    # Request bodies larger than this are refused with 413 before they are parsed (one article is far smaller).
    max_body_bytes: int = 1_000_000
    # Rows per page in lists and JSON endpoints, and the most a client may ask for with ``limit``.
    page_size: int = 50
    max_page_size: int = 500
    # Search results returned per query.
    search_limit: int = 50
    # A read-only connection is kept open this many seconds after the last request, so pages do not pay DuckDB's
    # ~0.1 s open each time; while it is open no other process can write the store. 0 opens per request.
    keep_open_s: float = 5.0
    # Checks run at most this many at once, in worker processes (False: in threads of the server process, whose GIL
    # they then take from page views); this many more wait; beyond that a check is answered 503 with Retry-After.
    # More workers finish more checks per minute and leave less CPU to page views (the machines have 2 cores).
    check_workers: int = 1
    check_queue: int = 4
    check_processes: bool = True
    # Niceness of check worker processes: higher gives page views the CPU first, and on a machine busy with other
    # work also slows checks down (more 503s); 0 keeps the server's priority. 19: checks run on the CPU page views
    # leave (idle machine, 50 clients closed-loop: reads p99 301/361 ms against 496/552 at 5, as many checks done).
    check_nice: int = 19
    # Retry-After before the first check has been timed (seconds a check is assumed to take).
    check_first_estimate_s: float = 5.0
    # Threads that serve page views and searches at once; more requests wait their turn. The work is mostly Python
    # (one interpreter lock), so more threads only add switching; a few let DuckDB queries overlap with rendering.
    read_threads: int = 8
    # Articles shown are kept in memory (per store version) up to this many characters of text, so a page view of a
    # known article asks DuckDB nothing. 0 reads every article from the store each time.
    article_cache_chars: int = 20_000_000
    # Whole answers to GET requests (pages and JSON) are kept per store version up to this many bytes, and given
    # again without touching the store or rendering; answers larger than ``response_cache_entry_bytes`` are not kept.
    # 0 renders every request.
    response_cache_bytes: int = 64_000_000
    response_cache_entry_bytes: int = 4_000_000


@dataclass(frozen=True, slots=True)
class SparkConfig:
    """How the Spark runner (runners/spark.py) sets up its session; the stages themselves use RunConfig."""

    # Driver JVM heap. In local mode the driver JVM also does the executors' shuffles, while the Python workers
    # that embed and align live outside it: 4g leaves most of a 24 GiB machine to them. Raise it for big collects.
    driver_memory: str = "4g"
    # Shuffle partitions. None = in local mode `partitions_per_core` per core (Spark's default of 200 tiny tasks
    # costs more in scheduling than it saves), on a cluster Spark's own setting.
    shuffle_partitions: int | None = None
    partitions_per_core: int = 2
    # Rows per Arrow batch handed to a Python worker. Pair rows carry two texts and their features, so
    # smaller batches bound worker memory; larger ones cut per-batch overhead.
    arrow_batch_rows: int = 512
    # Candidate pairs per judging task: smaller spreads alignment more evenly over cores, larger cuts task overhead.
    pairs_per_task: int = 128
    # Further Spark settings applied last, e.g. (("spark.executor.memory", "8g"),).
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class RunConfig:
    """Settings of a whole ``trace`` run: the stage configs plus how the runner executes them."""

    ingest: IngestConfig = field(default_factory=IngestConfig)
    normalise: NormaliseConfig = field(default_factory=NormaliseConfig)
    langid: LangIdConfig = field(default_factory=LangIdConfig)
    store: StoreConfig = field(default_factory=StoreConfig)
    embed: EmbedConfig = field(default_factory=EmbedConfig)
    # In a trace the aligner only proposes passages and the link decision (classify.py) then rejects same-topic
    # passages by their own facts and order, so same-language semantic passages are discounted less than for
    # PAN13, where the aligner's output is final. Measured on examples/corpus and the seeds: offset 0.3 (PAN)
    # finds 1 of 5 LLM rewrites; 0.1 finds 4 of 5 and keeps the two seeds (same event, two wires) apart; 0.0
    # links the seeds. Keep it above 0.0.
    align: AlignConfig = field(default_factory=lambda: AlignConfig(semantic_offset=0.1))
    signals: SignalConfig = field(default_factory=SignalConfig)
    candidates: CandidateConfig = field(default_factory=CandidateConfig)
    classify: ClassifyConfig = field(default_factory=ClassifyConfig)
    attribute: AttributeConfig = field(default_factory=AttributeConfig)
    # Articles per enrichment batch: embedding batches amortise model overhead; memory grows with it.
    batch_size: int = 256
    # Worker processes for pair alignment (the machines have 2 cores). 1 = in-process.
    workers: int = 2
