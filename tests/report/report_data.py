"""Test data shared by tests/report and tests/web: hostile strings, a hand-written store, the traced example corpus."""

from __future__ import annotations

import datetime as dt
import json
from html.parser import HTMLParser
from pathlib import Path

from newstrace.model import Article, Changes, Link, PubDate, SiteProfile, Span, Story
from newstrace.store import Store

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "corpus"

# Hostile strings: each would set window.__xss if a browser ever ran it.
XSS_TITLE = '<script>window.__xss=1</script>"><img src=x onerror="window.__xss=2">'
XSS_PREFIX = (
    'Breaking <script>window.__xss=3</script> news. "><img src=x onerror="window.__xss=4"> '
    '<a href="javascript:window.__xss=5">click</a> <svg onload="window.__xss=6"></svg>\n\n'
)
XSS_URL = "javascript:window.__xss=7"
HOSTILE_ID = 'hostile"><script>window.__xss=9</script>'


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def unsafe_markup(html: str) -> list[str]:
    """Everything in ``html`` that could run script or load from the network: should always be empty here."""
    parser = _Tags()
    parser.feed(html)
    problems = []
    for tag, attrs in parser.tags:
        if tag in ("script", "iframe", "object", "embed", "base", "link", "frame"):
            problems.append(f"<{tag}> element")
        for name, value in attrs:
            v = "".join((value or "").split()).lower()
            if name.startswith("on"):
                problems.append(f"<{tag} {name}=...>")
            loads = v.startswith(("javascript:", "data:", "vbscript:", "http:", "https:", "//"))
            plain_link = tag == "a" and name == "href" and v.startswith(("http:", "https:"))
            if name in ("href", "src", "action", "formaction", "xlink:href") and loads and not plain_link:
                problems.append(f"<{tag} {name}={value!r}>")
    return problems


def hand_store(path: Path) -> Path:
    """A small store written through the Store API: a wire, a copy with an awkward id, a hostile copy, a loner."""
    wire_text = "The port of Valmora was shut after a fire at the grain terminal, officials said on Thursday. " * 3
    xss_text = XSS_PREFIX + wire_text[:93]
    arts = [
        Article("wire", wire_text, PubDate.day(dt.date(2026, 3, 5)), "https://wire.example/a", "wire.example",
                "Fire at Valmora port", "en"),
        Article("copy/with:odd?chars#1", "Copied: " + wire_text, PubDate.day(dt.date(2026, 3, 6)),
                "http://copy.example/x?a=1&b=2", "copy.example", "Valmora fire (copy)", "en"),
        Article("evil", xss_text, PubDate.day(dt.date(2026, 3, 20)), XSS_URL, "evil.example", XSS_TITLE, "en"),
        Article("alone", "A bakery in Sandvik won an award for its rye bread.", None, None, None, None, "en"),
    ]  # fmt: skip
    n = len(wire_text)
    links = [
        Link("copy/with:odd?chars#1", "wire", "verbatim", 0.97, "wire", 1.0, False, False, 0.93, 1.0,
             (Span(8, 8 + n, 0, n, "exact"),), Changes(added=("Copied",))),
        Link("evil", "wire", "light_edit", 0.8, "wire", 15.0, False, True, 0.4, 0.33,
             (Span(len(xss_text) - 93, len(xss_text), 0, 93, "near"), Span(9, 40, 10, 50, "paraphrase")),
             Changes(added=("<script>window.__xss=8</script>",), changed=('"><img src=x onerror=alert(1)>',))),
    ]  # fmt: skip
    stories = [
        Story("story-1", ("copy/with:odd?chars#1", "evil", "wire"), ("wire",)),
        Story("story-2", ("alone",), ("alone",)),
    ]
    sites = [
        SiteProfile("copy.example", 1, 1.0, 1.0, 1.0),
        SiteProfile("evil.example", 1, 1.0, 1.0, 15.0),
        SiteProfile("wire.example", 1, 0.0, 0.0, None),
        SiteProfile("unknown", 1, 0.0, 0.0, None),
    ]
    with Store(path) as store:
        store.upsert_articles(arts)
        store.replace_results(links, stories, sites)
    return path


def hostile_record() -> dict[str, object]:
    """A copy of the example corpus's harbor-fire wire whose id, title, text and URL carry script injections."""
    wire = next(
        json.loads(line)
        for line in (EXAMPLES / "articles.jsonl").read_text(encoding="utf-8").splitlines()
        if json.loads(line)["id"] == "harbor-fire-wire"
    )
    return {
        "id": HOSTILE_ID,
        "date": "2026-03-07",
        "url": XSS_URL,
        "site": "hostile.example",
        "title": XSS_TITLE,
        "language": "en",
        "text": XSS_PREFIX + wire["text"],
    }


def traced_example(base: Path) -> Path:
    """The example corpus plus the hostile copy, traced by the real pipeline once per session into ``base``."""
    store = base / "newstrace.duckdb"
    if not store.exists():
        from newstrace.config import RunConfig
        from newstrace.runners.local import trace

        hostile = base / "input" / "hostile.jsonl"
        hostile.parent.mkdir(parents=True, exist_ok=True)
        hostile.write_text(json.dumps(hostile_record(), ensure_ascii=False) + "\n", encoding="utf-8")
        # One process: pair alignment then reuses the sentence encoder this process already loaded.
        config = RunConfig(workers=1)
        trace([EXAMPLES / "articles.jsonl", EXAMPLES / "txt", hostile], base / "out", store, config)
    return store
