"""The self-contained HTML report, and the view pieces the web app shares with it.

Everything shown comes from article texts, titles and URLs, which are untrusted: templates are rendered with
autoescaping on, URLs become links only when their scheme is http or https, and the provenance graph is drawn as
server-side SVG from escaped text, so the report needs no JavaScript and no network.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import jinja2

from newstrace.config import ReportConfig
from newstrace.model import SPAN_KINDS, Article, ArticleSignals, Credit, Link, Signal
from newstrace.serialize import link_row
from newstrace.store import Store

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"

# (text piece, span kind or None, span index or None): a text cut at span boundaries, in order.
Piece = tuple[str, str | None, int | None]
# (start, end, kind, index) over one text.
Range = tuple[int, int, str, int]
# A piece as drawn: (text, css kind or None, span index or None, whether it is the span's first piece: its anchor).
Mark = tuple[str, str | None, int | None, bool]


# -- text highlighting --------------------------------------------------------------------------------------------
def highlight_segments(text: str, ranges: Iterable[Range]) -> list[Piece]:
    """Cut ``text`` at range boundaries: each piece carries the kind and index of the range covering it.

    Ranges are clamped to the text and empty ones ignored. Where ranges overlap, the one that started last wins (then
    the shorter, then the one listed first), so a passage nested in another still shows; the pieces always tile the
    text exactly once (``"".join(p[0] for p in pieces) == text``).
    """
    n = len(text)
    clean: list[tuple[int, int, int, str, int]] = []  # (start, end, order, kind, index)
    for order, (start, end, kind, index) in enumerate(ranges):
        s, e = max(0, min(int(start), n)), max(0, min(int(end), n))
        if e > s:
            clean.append((s, e, order, kind, index))
    if not clean:
        return [(text, None, None)] if text else []
    clean.sort()
    bounds = sorted({0, n, *(c[0] for c in clean), *(c[1] for c in clean)})
    active: list[tuple[int, int, int, str, int]] = []  # heap of (-start, end, order, kind, index)
    nxt = 0
    pieces: list[Piece] = []
    for a, b in itertools.pairwise(bounds):
        while nxt < len(clean) and clean[nxt][0] <= a:
            s, e, order, kind, index = clean[nxt]
            heapq.heappush(active, (-s, e, order, kind, index))
            nxt += 1
        # Lazy deletion: expired ranges are dropped only when they reach the top of the heap.
        while active and active[0][1] <= a:
            heapq.heappop(active)
        kind_idx: tuple[str | None, int | None] = (active[0][3], active[0][4]) if active else (None, None)
        if pieces and (pieces[-1][1], pieces[-1][2]) == kind_idx:
            pieces[-1] = (pieces[-1][0] + text[a:b], *kind_idx)
        else:
            pieces.append((text[a:b], *kind_idx))
    return pieces


# Highlight classes the stylesheet knows: the span kinds, plus credits and signals on an article's own page.
MARK_KINDS = (*SPAN_KINDS, "credit", "signal")


def css_kind(kind: str | None) -> str | None:
    """A highlight kind as a CSS class name: a known kind, or ``other`` (store data is never a class name)."""
    if kind is None:
        return None
    return kind if kind in MARK_KINDS else "other"


def marks(pieces: Iterable[Piece]) -> list[Mark]:
    """Pieces ready to draw: kinds made CSS-safe, and the first piece of each span flagged to carry its anchor."""
    seen: set[int] = set()
    out: list[Mark] = []
    for text, kind, index in pieces:
        first = index is not None and index not in seen
        if index is not None:
            seen.add(index)
        out.append((text, css_kind(kind), index, first))
    return out


def safe_url(url: object) -> str | None:
    """``url`` when it may be a link target (http/https, no whitespace or control characters), else ``None``."""
    if not isinstance(url, str) or not url or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


# -- view values ---------------------------------------------------------------------------------------------------
class Linker(Protocol):
    """Where the views point: anchors inside report.html, or URLs in the web app (``None``: not shown there)."""

    def article(self, article_id: str) -> str | None: ...

    def story(self, story_id: str) -> str | None: ...

    def link(self, derived: str, source: str) -> str | None: ...


@dataclass(frozen=True, slots=True)
class ArticleCard:
    """What a list or a graph node shows of an article."""

    id: str
    title: str | None
    site: str | None
    date: str | None
    url: str | None  # only http(s) URLs; others are shown as text via ``raw_url``
    raw_url: str | None
    language: str | None
    chars: int
    sort_date: dt.date | None


def article_card(article: Article) -> ArticleCard:
    """The listing view of one article."""
    return ArticleCard(
        id=article.id,
        title=article.title,
        site=article.site,
        date=article.date.iso() if article.date else None,
        url=safe_url(article.url),
        raw_url=article.url,
        language=article.language,
        chars=len(article.text),
        sort_date=article.date.midpoint if article.date else None,
    )


@dataclass(frozen=True, slots=True)
class SpanRow:
    index: int
    kind: str
    derived_start: int
    derived_end: int
    source_start: int
    source_end: int
    score: float


@dataclass(frozen=True, slots=True)
class LinkView:
    """One derived → source link with both texts cut into highlighted pieces."""

    key: str  # unique within a page: prefixes the span anchors
    link: Link
    row: dict[str, Any]
    derived: ArticleCard | None
    source: ArticleCard | None
    derived_marks: list[Mark]
    source_marks: list[Mark]
    derived_cut: bool
    source_cut: bool
    spans: list[SpanRow]
    credits: tuple[Credit, ...]
    signals: tuple[Signal, ...]
    kinds: dict[str, int]


def build_link_view(
    link: Link,
    articles: Mapping[str, Article],
    signals: Mapping[str, ArticleSignals],
    config: ReportConfig,
    key: str = "l0",
) -> LinkView:
    """The side-by-side view of ``link``; articles missing from ``articles`` are shown as absent, not an error."""
    der, src = articles.get(link.derived), articles.get(link.source)
    d_text = der.text[: config.max_text_chars] if der else ""
    s_text = src.text[: config.max_text_chars] if src else ""
    spans = [
        SpanRow(i, css_kind(s.kind) or "other", s.derived_start, s.derived_end, s.source_start, s.source_end, s.score)
        for i, s in enumerate(link.spans)
    ]
    d_sig = signals.get(link.derived)
    return LinkView(
        key=key,
        link=link,
        row=link_row(link),
        derived=article_card(der) if der else None,
        source=article_card(src) if src else None,
        derived_marks=marks(
            highlight_segments(d_text, [(s.derived_start, s.derived_end, s.kind, s.index) for s in spans])
        ),
        source_marks=marks(
            highlight_segments(s_text, [(s.source_start, s.source_end, s.kind, s.index) for s in spans])
        ),
        derived_cut=bool(der) and len(der.text) > len(d_text),  # type: ignore[union-attr]
        source_cut=bool(src) and len(src.text) > len(s_text),  # type: ignore[union-attr]
        spans=spans,
        credits=d_sig.credits if d_sig else (),
        signals=d_sig.signals if d_sig else (),
        kinds=dict(Counter(s.kind for s in spans)),
    )


# -- story graph ---------------------------------------------------------------------------------------------------
NODE_W, NODE_H, LANE_H, MARGIN, AXIS_H, COL_GAP = 168, 38, 56, 16, 28, 96


@dataclass(frozen=True, slots=True)
class GraphNode:
    id: str
    label: str
    sub: str
    x: float
    y: float
    origin: bool
    href: str | None


@dataclass(frozen=True, slots=True)
class GraphEdge:
    path: str  # SVG path data, numbers only
    relation: str
    label: str
    lx: float
    ly: float
    href: str | None


@dataclass(frozen=True, slots=True)
class StoryGraph:
    width: float
    height: float
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    ticks: list[tuple[float, str]]
    omitted: int
    key: str


def _short(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def lag_text(lag: float | None) -> str:
    """A lag in days for humans: ``same day``, ``1 d``, ``2.5 d``, ``-``."""
    if lag is None:
        return "–"
    if abs(lag) < 0.05:
        return "same day"
    return f"{lag:.0f} d" if float(lag).is_integer() else f"{lag:.1f} d"


def _clip(cx: float, cy: float, tx: float, ty: float) -> tuple[float, float]:
    """Where the segment from a node's centre towards ``(tx, ty)`` leaves the node's box."""
    dx, dy = tx - cx, ty - cy
    if dx == 0 and dy == 0:
        return cx, cy
    hw, hh = NODE_W / 2 + 2, NODE_H / 2 + 2
    t = min(hw / abs(dx) if dx else float("inf"), hh / abs(dy) if dy else float("inf"))
    return cx + dx * t, cy + dy * t


def _depths(nodes: Sequence[str], links: Sequence[Link]) -> dict[str, int]:
    """Longest chain of derivations above each node (0 for a node with no source among ``nodes``)."""
    members = set(nodes)
    sources: dict[str, list[str]] = {}
    for k in links:
        if k.derived in members and k.source in members and k.derived != k.source:
            sources.setdefault(k.derived, []).append(k.source)
    depth = dict.fromkeys(nodes, 0)
    # Relaxation bounded by the node count, so a cycle (which the pipeline should never produce) cannot loop.
    for _ in range(len(nodes)):
        changed = False
        for m, srcs in sources.items():
            d = 1 + max(depth[x] for x in srcs)
            if d > depth[m] and d < len(nodes):
                depth[m], changed = d, True
        if not changed:
            break
    return depth


def layout_story(
    members: Sequence[str],
    origins: Iterable[str],
    links: Sequence[Link],
    cards: Mapping[str, ArticleCard],
    linker: Linker,
    config: ReportConfig,
    key: str = "g0",
) -> StoryGraph:
    """Columns by publication date (left to right; same-day copies one column right of their source), rows by source.

    The x axis is ordinal in time: each column is one date (and derivation depth within that date), so a six-week gap
    costs no more room than a day; tick labels give the dates and edges give the lags. Undated articles come last.
    Edges run source → derived and are labelled with relation and lag.
    """
    known = [m for m in members if m in cards]
    dated = sorted((m for m in known if cards[m].sort_date), key=lambda m: (cards[m].sort_date, m))
    undated = sorted(m for m in known if not cards[m].sort_date)
    shown = (dated + undated)[: config.graph_max_nodes]
    omitted = len(members) - len(shown)
    depth = _depths(shown, links)

    def col_key(m: str) -> tuple[int, dt.date, int]:
        d = cards[m].sort_date
        return (0, d, depth[m]) if d else (1, dt.date.min, depth[m])

    columns = sorted({col_key(m) for m in shown})
    col_of = {m: columns.index(col_key(m)) for m in shown}
    sources: dict[str, list[str]] = {}
    for k in links:
        if k.derived in col_of and k.source in col_of:
            sources.setdefault(k.derived, []).append(k.source)
    # Rows: within a column, nodes are ordered by the mean row of their sources, so copies sit beside what they copy.
    row: dict[str, int] = {}

    copies = Counter(x for srcs in sources.values() for x in srcs)

    def pull(m: str) -> float:
        rows = [row[x] for x in sources.get(m, []) if x in row]
        # Roots with the most copies come first, so the origin of a story sits on its top row.
        return sum(rows) / len(rows) if rows else -1.0 - copies[m]

    for c in range(len(columns)):
        in_col = sorted((m for m in shown if col_of[m] == c), key=lambda m: (pull(m), m))
        row.update((m, r) for r, m in enumerate(in_col))
    width = max(2 * MARGIN + len(columns) * (NODE_W + COL_GAP) - COL_GAP, 600)
    # Room below the last row for edges that bend down under it.
    height = AXIS_H + 2 * MARGIN + max(1, max(row.values(), default=0) + 1) * LANE_H - (LANE_H - NODE_H) + LANE_H / 2
    pos = {m: (MARGIN + col_of[m] * (NODE_W + COL_GAP), AXIS_H + MARGIN + row[m] * LANE_H) for m in shown}
    origin_set = set(origins)
    nodes = [
        GraphNode(
            id=m,
            label=_short(cards[m].site or m, 24),
            sub=_short(f"{cards[m].date or 'undated'} · {m}", 27),
            x=pos[m][0],
            y=pos[m][1],
            origin=m in origin_set,
            href=linker.article(m),
        )
        for m in shown
    ]
    edges = []
    for k in links:
        if k.derived not in pos or k.source not in pos:
            continue
        (sx, sy), (dx, dy) = pos[k.source], pos[k.derived]
        scx, scy, dcx, dcy = sx + NODE_W / 2, sy + NODE_H / 2, dx + NODE_W / 2, dy + NODE_H / 2
        # An edge that skips columns would run straight behind the nodes between its ends: it bends down into
        # the gap below its row instead (a quadratic curve whose midpoint sits half a lane lower).
        bend = (LANE_H / 2) if abs(col_of[k.derived] - col_of[k.source]) > 1 else 0.0
        qx, qy = (scx + dcx) / 2, (scy + dcy) / 2 + 2 * bend
        x1, y1 = _clip(scx, scy, qx, qy)
        x2, y2 = _clip(dcx, dcy, qx, qy)
        path = (
            f"M{x1:.1f},{y1:.1f} Q{qx:.1f},{qy:.1f} {x2:.1f},{y2:.1f}"
            if bend
            else (f"M{x1:.1f},{y1:.1f} L{x2:.1f},{y2:.1f}")
        )
        # Labels sit nearer the copy, so edges fanning out of one source keep their labels apart.
        t = 0.5 if bend else 0.62
        lx = (1 - t) ** 2 * x1 + 2 * (1 - t) * t * (qx if bend else (x1 + x2) / 2) + t**2 * x2
        ly = (1 - t) ** 2 * y1 + 2 * (1 - t) * t * (qy if bend else (y1 + y2) / 2) + t**2 * y2
        edges.append(
            GraphEdge(
                path=path,
                relation=k.relation if k.relation else "other",
                label=f"{k.relation} {_lag_short(k.lag_days)}",
                lx=lx, ly=ly - 4,
                href=linker.link(k.derived, k.source),
            )
        )  # fmt: skip
    ticks: list[tuple[float, str]] = []
    last = None
    for c, (undated_col, d, _depth) in enumerate(columns):
        label = "undated" if undated_col else d.isoformat()
        if label != last:
            ticks.append((MARGIN + c * (NODE_W + COL_GAP) + NODE_W / 2, label))
            last = label
    return StoryGraph(width, height, nodes, edges, ticks, omitted, key)


def _lag_short(lag: float | None) -> str:
    if lag is None:
        return "?"
    return f"{lag:+.0f}d" if float(lag).is_integer() else f"{lag:+.1f}d"


# -- stories -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TimelineRow:
    card: ArticleCard
    origin: bool
    sources: list[Link]


@dataclass(frozen=True, slots=True)
class StoryView:
    id: str
    key: str
    headline: str
    members: int
    origins: list[str]
    graph: StoryGraph
    timeline: list[TimelineRow]
    links: list[Link]
    link_views: list[LinkView] = field(default_factory=list)
    first: str | None = None
    last: str | None = None


def build_story_view(
    row: Mapping[str, Any],
    links: Sequence[Link],
    articles: Mapping[str, Article],
    linker: Linker,
    config: ReportConfig,
    key: str = "s0",
) -> StoryView:
    """Graph and timeline of one ``stories.jsonl`` row; ``links`` may include links outside the story."""
    members = [str(m) for m in row.get("articles", [])]
    member_set = set(members)
    origins = [str(o) for o in row.get("origins", [])]
    mine = [k for k in links if k.derived in member_set and k.source in member_set]
    cards = {m: article_card(articles[m]) for m in members if m in articles}
    graph = layout_story(members, origins, mine, cards, linker, config, key=f"{key}g")
    by_derived: dict[str, list[Link]] = {}
    for k in mine:
        by_derived.setdefault(k.derived, []).append(k)
    ordered = sorted(cards.values(), key=lambda c: (c.sort_date is None, c.sort_date or dt.date.min, c.id))
    timeline = [TimelineRow(c, c.id in origins, by_derived.get(c.id, [])) for c in ordered]
    head = next((cards[o] for o in origins if o in cards), ordered[0] if ordered else None)
    dated = [c.date for c in ordered if c.date]
    return StoryView(
        id=str(row.get("story", "")),
        key=key,
        headline=(head.title or head.id) if head else str(row.get("story", "")),
        members=len(members),
        origins=origins,
        graph=graph,
        timeline=timeline,
        links=mine,
        first=dated[0] if dated else None,
        last=dated[-1] if dated else None,
    )


# -- overview ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Overview:
    articles: int
    links: int
    by_relation: list[tuple[str, int]]
    attributed: int
    stale: int
    stories: int
    multi_stories: int
    top_sites: list[dict[str, Any]]
    sites: int


def copying_sites(site_rows: Sequence[Mapping[str, Any]], n: int) -> list[dict[str, Any]]:
    """Sites ordered by how many of their articles derive from others (then by uncredited share)."""
    rows = []
    for r in site_rows:
        derived = round(float(r.get("articles") or 0) * float(r.get("derived_share") or 0.0))
        if derived:
            rows.append({**r, "derived": derived})
    rows.sort(key=lambda r: (-r["derived"], -float(r.get("uncredited_share") or 0.0), str(r.get("site"))))
    return rows[:n]


def build_overview(
    n_articles: int, links: Sequence[Link], story_rows: Sequence[Mapping[str, Any]],
    site_rows: Sequence[Mapping[str, Any]], config: ReportConfig,
) -> Overview:  # fmt: skip
    """Corpus-level counts: articles, links by relation, credit and staleness, stories, top copying sites."""
    rel = Counter(k.relation for k in links)
    return Overview(
        articles=n_articles,
        links=len(links),
        by_relation=sorted(rel.items(), key=lambda kv: (-kv[1], kv[0])),
        attributed=sum(k.attributed for k in links),
        stale=sum(k.stale for k in links),
        stories=len(story_rows),
        multi_stories=sum(1 for s in story_rows if len(s.get("articles", [])) > 1),
        top_sites=copying_sites(site_rows, config.top_sites),
        sites=len(site_rows),
    )


# -- templates -----------------------------------------------------------------------------------------------------
def fmt_num(value: object, digits: int = 2) -> str:
    """A float rounded for display; ``–`` for missing."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def fmt_pct(value: object) -> str:
    if value is None:
        return "–"
    return f"{100 * float(value):.0f}%"  # type: ignore[arg-type]


def make_env(*extra_dirs: Path) -> jinja2.Environment:
    """The Jinja environment of the report (and, with the web app's template folder first, of the web app).

    Autoescaping is on for every template whatever its name: all text shown comes from untrusted articles.
    """
    loader = jinja2.FileSystemLoader([*map(str, extra_dirs), str(TEMPLATES)])
    env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)  # fmt: skip
    env.filters["safe_url"] = safe_url
    env.filters["num"] = fmt_num
    env.filters["pct"] = fmt_pct
    env.filters["lag"] = lag_text
    env.filters["short"] = _short
    env.globals["SPAN_KINDS"] = SPAN_KINDS
    return env


class ReportLinker:
    """Anchors inside report.html; targets not in the report get no link."""

    def __init__(self, stories: Mapping[str, str], links: Mapping[tuple[str, str], str], articles: Mapping[str, str]):
        self._stories, self._links, self._articles = stories, links, articles

    def article(self, article_id: str) -> str | None:
        key = self._articles.get(article_id)
        return f"#{key}" if key else None

    def story(self, story_id: str) -> str | None:
        key = self._stories.get(story_id)
        return f"#{key}" if key else None

    def link(self, derived: str, source: str) -> str | None:
        key = self._links.get((derived, source))
        return f"#{key}" if key else None


def _story_order(rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    # Biggest stories first: they hold most of the copying worth looking at.
    return sorted(rows, key=lambda r: (-len(r.get("articles", [])), str(r.get("story"))))


def render_report(store: Store, title: str = "newstrace report", config: ReportConfig | None = None) -> str:
    """The whole report as one self-contained HTML string (inline CSS, inline SVG, no scripts, no network)."""
    config = config or ReportConfig()
    all_links = store.links()
    story_rows = store.story_rows()
    site_rows = store.site_rows()
    ids = store.article_ids()
    overview = build_overview(len(ids), all_links, story_rows, site_rows, config)

    multi = [r for r in _story_order(story_rows) if len(r.get("articles", [])) > 1]
    shown_rows = multi[: config.max_stories]
    by_derived: dict[str, list[Link]] = {}
    for k in all_links:
        by_derived.setdefault(k.derived, []).append(k)
    # Links are shown story by story, up to the cap; the anchors are positional so odd ids never reach an id=.
    story_keys = {str(r["story"]): f"story-{i}" for i, r in enumerate(shown_rows)}
    link_keys: dict[tuple[str, str], str] = {}
    for r in shown_rows:
        for m in r.get("articles", []):
            for k in by_derived.get(m, []):
                if len(link_keys) < config.max_links and (k.derived, k.source) not in link_keys:
                    link_keys[(k.derived, k.source)] = f"link-{len(link_keys)}"
    listed_ids = ids[: config.max_articles]
    article_keys = {a: f"article-{i}" for i, a in enumerate(listed_ids)}
    linker = ReportLinker(story_keys, link_keys, article_keys)

    needed = {m for r in shown_rows for m in r.get("articles", [])} | {x for pair in link_keys for x in pair}
    articles = store.get_articles(sorted(needed))
    signals = store.get_signals(sorted(needed))
    stories = []
    for r in shown_rows:
        members = set(r.get("articles", []))
        story_links = [k for m in sorted(members) for k in by_derived.get(m, []) if k.source in members]
        view = build_story_view(r, story_links, articles, linker, config, key=story_keys[str(r["story"])])
        view.link_views.extend(
            build_link_view(k, articles, signals, config, key=link_keys[(k.derived, k.source)])
            for k in view.links
            if (k.derived, k.source) in link_keys
        )
        stories.append(view)
    article_rows = store.article_rows(listed_ids)
    story_of = {str(m): str(r["story"]) for r in story_rows for m in r.get("articles", [])}
    env = make_env()
    html = env.get_template("report.html.j2").render(
        title=title,
        overview=overview,
        stories=stories,
        story_total=len(multi),
        singletons=len(story_rows) - len(multi),
        links_shown=len(link_keys),
        articles=article_rows,
        article_keys=article_keys,
        story_of=story_of,
        config=config,
        linker=linker,
    )
    log.info("report: %d stories, %d links, %d articles, %d bytes", len(stories), len(link_keys),
             len(article_rows), len(html))  # fmt: skip
    return html


def write_report(store: Store, path: Path, title: str = "newstrace report", config: ReportConfig | None = None) -> Path:
    """Render the report and write it to ``path`` (UTF-8); returns the path."""
    path = Path(path)
    path.write_text(render_report(store, title, config), encoding="utf-8")
    return path
