"""Ingest: one reader per format, each yielding ``Article`` or ``SkippedRecord``.

Contract shared by every reader module (``text``, ``jsonl``, ``table``, ``html``, ``warc``):
``read(path: Path, config: IngestConfig) -> Iterator[IngestResult]``. A reader never raises for a bad
record or a bad file: it yields a ``SkippedRecord`` with a specific reason and goes on.
``iter_articles`` walks inputs, dispatches on extension and drops duplicate ids (as skipped records).
"""
