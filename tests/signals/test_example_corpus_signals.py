"""Signals on the hand-written example corpus (examples/corpus, see its README): credits and filler as designed."""

from __future__ import annotations

import json
from pathlib import Path

from newstrace.config import SignalConfig
from newstrace.model import Article
from newstrace.signals import detect_signals

CFG = SignalConfig()
WIRE = {"harbor-fire": "Reuters", "desal-plant": "EFE", "rail-strike": "Associated Press", "river-flood": "AFP",
        "battery-plant": "dpa"}
# Per the corpus README: light edits credited for three events, summaries for three, every translation credits.
CREDITED = {"desal-plant-light", "river-flood-light", "battery-plant-light", "harbor-fire-summary",
            "desal-plant-summary", "river-flood-summary"}
UNCREDITED = {"harbor-fire-light", "rail-strike-light"}


def _articles(corpus: Path) -> dict[str, Article]:
    out = {}
    for line in (corpus / "articles.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        out[r["id"]] = Article(r["id"], r["text"], language=r.get("language"))
    return out


def test_credits_follow_the_corpus_design(example_corpus: Path) -> None:
    arts = _articles(example_corpus)
    for aid, a in arts.items():
        event = next((e for e in WIRE if aid.startswith(e + "-")), None)
        names = {c.name for c in detect_signals(a, CFG).credits}
        if event is None or aid.endswith(("-independent", "-paraphrase")) or aid in UNCREDITED:
            assert names == set(), aid
        elif aid.endswith(("-wire", "-verbatim")) or "-translation-" in aid or aid in CREDITED:
            assert names == {WIRE[event]}, aid


def test_paraphrases_close_with_filler_and_wires_do_not(example_corpus: Path) -> None:
    arts = _articles(example_corpus)
    assert sum(aid.endswith("-paraphrase") for aid in arts) == len(WIRE)
    for aid, a in arts.items():
        filler = [s for s in detect_signals(a, CFG).signals if s.kind == "generic_filler"]
        if aid.endswith("-paraphrase"):
            last = a.text.rstrip().rsplit("\n", 1)[-1]
            assert any(s.end == len(a.text.rstrip()) and a.text[s.start : s.end].endswith(last) for s in filler), aid
        elif aid.endswith(("-wire", "-independent", "-translation-en")):
            assert filler == [], aid
