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
    # Only this many leading characters are used: langid is linear in length and stable after a few KB.
    sample_chars: int = 5000


@dataclass(frozen=True, slots=True)
class StoreConfig:
    # DuckDB memory limit; keep well below machine RAM so alignment has room.
    memory_limit: str = "4GB"
    threads: int = 2




@dataclass(frozen=True, slots=True)
class EmbedConfig:
    # BLAS threads for the numpy encoder; the machines have 2 cores.
    threads: int = 2
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
    seed_cosine: float = 0.33
    seed_dice: float = 0.33
    # Fewer shared content words than this never make a lexical seed (short sentences match by chance).
    seed_min_shared: int = 3
    # Semantic seed: cosine of multilingual sentence embeddings. Lower catches looser paraphrases and
    # machine translations; raising it avoids linking sentences that only share a topic.
    semantic: bool = True
    seed_semantic: float = 0.72
    # Sentences with fewer characters than this make no semantic seed (short lines embed vaguely).
    semantic_min_chars: int = 40
    # Seeds closer than this many sentences (on both sides) join one passage; larger merges pieces of one
    # reused passage (better granularity) but can bridge two separate ones.
    max_gap: int = 4
    # Passages shorter than this (characters, on either side) are dropped as chance matches.
    min_passage_chars: int = 150
    # A passage pair is kept only when its whole-passage tf-idf cosine or mean seed similarity reaches this.
    min_passage_similarity: float = 0.4
    # Summary mode: when a derived passage is this many times shorter than the source stretch its
    # seeds spread over, source seeds are merged with ``summary_gap`` (sentences), and when they
    # cover at least ``summary_source_share`` of the source, the span covers the whole source.
    summary_ratio: float = 3.0
    summary_gap: int = 30
    summary_source_share: float = 0.5
    # Span kinds: token sequences equal after folding → exact; token-level similarity at least this → near.
    near_ratio: float = 0.8


@dataclass(frozen=True, slots=True)
class SignalConfig:
    """Single-article signals: credits, dateline, machine translation, filler, spun, stale, scraper marks."""


@dataclass(frozen=True, slots=True)
class CandidateConfig:
    """Candidate generation (MinHash LSH, vector neighbours, anchors) and the time window."""


@dataclass(frozen=True, slots=True)
class ClassifyConfig:
    """Relation typing and the link / no-link decision."""


@dataclass(frozen=True, slots=True)
class AttributeConfig:
    """Direction, chains, lag, credit and staleness of links."""


@dataclass(frozen=True, slots=True)
class RunConfig:
    """Settings of a whole ``trace`` run: the stage configs plus how the runner executes them."""

    ingest: IngestConfig = field(default_factory=IngestConfig)
    normalise: NormaliseConfig = field(default_factory=NormaliseConfig)
    langid: LangIdConfig = field(default_factory=LangIdConfig)
    store: StoreConfig = field(default_factory=StoreConfig)
    embed: EmbedConfig = field(default_factory=EmbedConfig)
    align: AlignConfig = field(default_factory=AlignConfig)
    signals: SignalConfig = field(default_factory=SignalConfig)
    candidates: CandidateConfig = field(default_factory=CandidateConfig)
    classify: ClassifyConfig = field(default_factory=ClassifyConfig)
    attribute: AttributeConfig = field(default_factory=AttributeConfig)
    # Articles per enrichment batch: embedding batches amortise model overhead; memory grows with it.
    batch_size: int = 256
    # Worker processes for pair alignment (the machines have 2 cores). 1 = in-process.
    workers: int = 2

