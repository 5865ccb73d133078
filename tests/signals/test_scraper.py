"""Scraper leftovers."""

from __future__ import annotations

import pytest

from newstrace.config import SignalConfig
from newstrace.signals.scraper import detect_scraper_markers

CFG = SignalConfig()


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        ("[ad_1]\nThe council met on Monday.\n[ad_2]", "[ad_1]"),
        ("The council met on Monday.\n\nSource link", "Source link"),
        ("The council met. The post Council approves budget appeared first on City News.", "The post"),
        ("```\nThe council met on Monday.\n```", "```"),
        ("Sure! Here is the rewritten article:\n\nThe council met on Monday.", "Sure! Here"),
        ("The council met on Monday. Click here to read the full report.", "Click here to"),
        ("The council met on Monday.\nRead more: Budget talks stall", "Read more"),
        ("El consejo se reunió el lunes.\nLea también: El presupuesto", "Lea también"),
        ("The council&nbsp;met on Monday.", "&nbsp;"),
        ("<p>The council met on Monday.</p>", "<p>"),
        ("[caption id=\"attachment_1\" align=\"alignnone\"]A photo[/caption] The council met.", "[caption"),
    ],
)
def test_markers(text: str, marker: str) -> None:
    signals = detect_scraper_markers(text, CFG)
    assert signals and any(text[s.start : s.end].startswith(marker) for s in signals), signals
    assert all(0.5 <= s.score <= 1.0 for s in signals)


def test_clean_text_has_no_markers() -> None:
    text = ("The council met on Monday [sic] and approved the plan. \"Read the report,\" the mayor said. "
            "#budget was trending. Visitors can find details at www.example.gov.")
    assert detect_scraper_markers(text, CFG) == []
