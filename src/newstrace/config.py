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

