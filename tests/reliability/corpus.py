"""A bigger corpus for crash and load tests: the example corpus repeated, each copy its own lexical world.

Copy ``k`` gets ids and URLs with a ``-c{k}`` suffix, dates moved ``2k`` years on (beyond the candidate
time window, so copies never pair with each other) and a per-copy suffix on capitalised words (names,
places), so copies share no rare anchors and no name-bearing shingles. Within one copy the relations of
the example corpus (copies, edits, translations, summaries, independent reports) are intact.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "corpus" / "articles.jsonl"

_SYLLABLES = ("ar", "ek", "ul", "ov", "in", "es", "ot", "am", "ir", "un", "el", "os", "ak", "ut", "ev", "ia")
_NAME = re.compile(r"\b([A-Z][a-z]{3,})\b")
_YEAR = re.compile(r"^(\d{4})")


def _suffix(k: int) -> str:
    # Two syllables per copy: 256 distinct suffixes, all pronounceable so language detection is unaffected.
    return _SYLLABLES[k % 16] + _SYLLABLES[(k // 16) % 16]


def copy_record(record: dict[str, object], k: int) -> dict[str, object]:
    """Copy ``k`` of one example record (copy 0 is the record itself)."""
    if k == 0:
        return dict(record)
    out = dict(record)
    suffix = _suffix(k)
    out["id"] = f"{record['id']}-c{k}"
    if isinstance(record.get("url"), str):
        out["url"] = f"{record['url']}-c{k}"
    for key in ("text", "title"):
        value = record.get(key)
        if isinstance(value, str):
            out[key] = _NAME.sub(lambda m: m.group(1) + suffix, value)
    date = record.get("date")
    if isinstance(date, str):
        out["date"] = _YEAR.sub(lambda m: str(int(m.group(1)) + 2 * k), date)
    return out


def build_corpus(path: Path, copies: int, first: int | None = None) -> int:
    """Write ``copies`` copies of the example corpus (its ``first`` records) to ``path``; returns the count."""
    records = [json.loads(line) for line in EXAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()][:first]
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for k in range(copies):
            for r in records:
                fh.write(json.dumps(copy_record(r, k), ensure_ascii=False) + "\n")
                n += 1
    return n
