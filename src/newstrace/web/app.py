"""Local web app and JSON API over a store: the report's views, search, and a check form.

The store is opened read-only per request (DuckDB lets many read-only connections share a file); the only write is
the optional storing step of a check, which takes the store exclusively. Everything rendered is escaped, every page
carries a Content-Security-Policy that allows no scripts, and request bodies are capped.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import secrets
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, Protocol
from urllib.parse import quote, urlencode

from fastapi import FastAPI, Form, Header, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newstrace.config import IngestConfig, ReportConfig, RunConfig, WebConfig
from newstrace.errors import NewstraceError, StoreError
from newstrace.ingest.records import parse_date, record_to_result
from newstrace.model import Article, Link
from newstrace.report.render import (
    article_card,
    build_link_view,
    build_overview,
    build_story_view,
    copying_sites,
    highlight_segments,
    make_env,
    marks,
)
from newstrace.serialize import link_row
from newstrace.store import Store
from newstrace.web import queries

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"

CSP = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class CheckResultLike(Protocol):
    """What a check function returns (``newstrace.runners.local.CheckResult``)."""

    @property
    def article_id(self) -> str: ...

    @property
    def links(self) -> list[Link]: ...


CheckFn = Callable[..., CheckResultLike]  # (store_path, article, config, *, persist) -> result


def _default_check(store_path: Path, article: Article, config: RunConfig, *, persist: bool) -> CheckResultLike:
    # Imported on first use: the runner pulls in the sentence encoder, which pages that only read never need.
    from newstrace.runners.local import check_article

    return check_article(store_path, article, config, persist=persist)


class SecurityHeadersMiddleware:
    """Adds the CSP and the other security headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in SECURITY_HEADERS if h[0] not in names)]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _SecureApp(FastAPI):
    """FastAPI with the security headers wrapped around its whole middleware stack."""

    # FastAPI's own outermost middleware answers 413 and 500 itself; wrapping the built stack covers those too.

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeadersMiddleware(super().build_middleware_stack())


class _RWLock:
    """Many readers or one writer: DuckDB refuses a writable connection while read-only ones are open in-process."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False

    @contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            while self._writer:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._readers:
                self._cond.wait()
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


class _StoreAccess:
    """Read-only stores per request, kept warm between requests, and an exclusive slot for the storing step.

    Opening a DuckDB file costs ~0.1 s, but opening it again while another connection to it is open in the process
    is nearly free. So one read-only connection is held while requests keep coming and closed after ``keep_open_s``
    idle seconds, which lets other processes (a ``trace`` run) write to the store between bursts.
    """

    def __init__(self, path: Path, keep_open_s: float) -> None:
        self.path = path
        self.keep_open_s = keep_open_s
        self._lock = _RWLock()
        self._mutex = threading.Lock()
        self._anchor: Store | None = None
        self._last_used = 0.0
        self._timer: threading.Timer | None = None

    def _open(self) -> Store:
        try:
            return Store(self.path, read_only=True)
        except StoreError as exc:
            raise HTTPException(503, f"store unavailable: {exc}") from exc

    @contextmanager
    def read(self) -> Iterator[Store]:
        """A read-only store for one request."""
        with self._lock.read():
            with self._mutex:
                if self._anchor is None and self.keep_open_s > 0:
                    self._anchor = self._open()
            store = self._open()
            try:
                yield store
            finally:
                store.close()
                self._touch()

    @contextmanager
    def shared(self) -> Iterator[None]:
        """A slot among the readers, for work that opens the store itself read-only."""
        with self._lock.read():
            yield

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """The store to oneself (no connection of this process open), for the storing step of a check."""
        with self._lock.write():
            self._close_anchor()
            yield

    def _touch(self) -> None:
        with self._mutex:
            self._last_used = time.monotonic()
        self._schedule(self.keep_open_s)

    def _schedule(self, delay: float) -> None:
        with self._mutex:
            if self._timer is None and self._anchor is not None:
                self._timer = threading.Timer(max(delay, 0.05), self._expire)
                self._timer.daemon = True
                self._timer.start()

    def _expire(self) -> None:
        with self._mutex:
            self._timer = None
            idle = time.monotonic() - self._last_used
        if idle < self.keep_open_s:
            self._schedule(self.keep_open_s - idle)
            return
        with self._lock.write():
            self._close_anchor()

    def _close_anchor(self) -> None:
        with self._mutex:
            if self._anchor is not None:
                self._anchor.close()
                self._anchor = None

    def close(self) -> None:
        """Close the kept connection and stop the idle timer (app shutdown)."""
        with self._mutex:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        with self._lock.write():
            self._close_anchor()


class CheckRequest(BaseModel):
    """One article to look up against the store (the fields of an input record)."""

    model_config = ConfigDict(extra="forbid", str_max_length=IngestConfig().max_chars)

    id: Annotated[str | None, Field(min_length=1, max_length=2000, description="default: a hash of the text")] = None
    text: Annotated[str, Field(min_length=1, description="the article text, as published")]
    date: Annotated[str | None, Field(description="YYYY-MM-DD, an ISO datetime, YYYY-MM or YYYY")] = None
    url: Annotated[str | None, Field(max_length=4000)] = None
    title: Annotated[str | None, Field(max_length=4000)] = None
    language: Annotated[str | None, Field(max_length=20, description="ISO 639-1; detected when absent")] = None

    @field_validator("date")
    @classmethod
    def _date_parses(cls, v: str | None) -> str | None:
        if v is not None and v.strip():
            parsed, warning = parse_date(v)
            if parsed is None:
                raise ValueError(f"{warning}; use YYYY-MM-DD, an ISO datetime, YYYY-MM or YYYY")
        return v

    @field_validator("text")
    @classmethod
    def _text_not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("text is blank")
        return v


class CheckResponse(BaseModel):
    id: str
    links: list[dict[str, Any]]
    stored: bool


class WebLinker:
    """URLs of the app's pages; ids are percent-encoded whole, so ``/``, ``?`` and ``#`` inside ids survive."""

    def article(self, article_id: str) -> str | None:
        return "/articles/" + quote(article_id, safe="")

    def story(self, story_id: str) -> str | None:
        return "/stories/" + quote(story_id, safe="") if story_id else None

    def link(self, derived: str, source: str) -> str | None:
        return "/link?" + urlencode({"derived": derived, "source": source})


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def create_app(
    store_path: Path,
    *,
    allow_writes: bool = False,
    api_token: str | None = None,
    check_fn: CheckFn | None = None,
    config: WebConfig | None = None,
    report_config: ReportConfig | None = None,
    run_config: RunConfig | None = None,
) -> FastAPI:
    """The FastAPI app over the store at ``store_path`` (pages, JSON API, OpenAPI at ``/docs``)."""
    store_path = Path(store_path)
    cfg = config or WebConfig()
    rcfg = report_config or ReportConfig()
    run_cfg = run_config or RunConfig()
    check = check_fn or _default_check
    access = _StoreAccess(store_path, cfg.keep_open_s)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        access.close()

    env = make_env(TEMPLATES)
    linker = WebLinker()
    # Per-process secret for the check form: a page from another site cannot read it, so it cannot make a
    # visitor's browser store articles through the form.
    form_secret = secrets.token_urlsafe(32)

    app = _SecureApp(
        title="newstrace",
        summary="Where news text comes from: links between copies and their sources, stories and sites.",
        version="1",
        docs_url=None,  # the stock Swagger page loads scripts from a CDN; /docs is rendered here instead
        redoc_url=None,
        max_body_size=cfg.max_body_bytes,
        lifespan=lifespan,
    )

    reading = access.read

    def page(name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        html = env.get_template(name).render(linker=linker, allow_writes=allow_writes, **ctx)
        return HTMLResponse(html, status_code=status)

    def wants_html(request: Request) -> bool:
        return not request.url.path.startswith(("/api/", "/openapi"))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if wants_html(request):
            return page("error.html.j2", exc.status_code, title=f"{exc.status_code}", message=str(exc.detail))
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()
        ]
        if wants_html(request):
            msg = "; ".join(f"{'.'.join(map(str, e['loc'][1:])) or 'input'}: {e['msg']}" for e in errors)
            return page("error.html.j2", 422, title="422", message=f"invalid input: {msg}")
        return JSONResponse({"detail": errors}, status_code=422)

    def paging(offset: int, limit: int | None) -> tuple[int, int]:
        return max(0, offset), min(cfg.max_page_size, max(1, limit or cfg.page_size))

    def envelope(items: list[Any], total: int, offset: int, limit: int) -> dict[str, Any]:
        return {"total": total, "offset": offset, "limit": limit, "items": items}

    # -- check ---------------------------------------------------------------------------------------------------
    def token_ok(authorization: str | None) -> bool:
        if authorization is None:
            return False
        scheme, _, given = authorization.partition(" ")
        if scheme.lower() != "bearer" or not api_token:
            raise HTTPException(401, "invalid token", headers={"WWW-Authenticate": "Bearer"})
        if not hmac.compare_digest(given.strip().encode(), api_token.encode()):
            raise HTTPException(401, "invalid token", headers={"WWW-Authenticate": "Bearer"})
        return True

    def to_article(req: CheckRequest) -> Article:
        record = req.model_dump()
        if not record.get("id"):
            record["id"] = "check-" + hashlib.sha1(req.text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
        result = record_to_result(record, "web:check", run_cfg.ingest)
        if not isinstance(result, Article):
            raise HTTPException(422, f"article not accepted: {result.reason}")
        return result

    def run_check(article: Article, persist: bool) -> CheckResultLike:
        try:
            if persist:
                with access.exclusive():
                    return check(store_path, article, run_cfg, persist=True)
            with access.shared():
                return check(store_path, article, run_cfg, persist=False)
        except StoreError as exc:
            raise HTTPException(503, f"store unavailable: {exc}") from exc
        except NewstraceError as exc:
            raise HTTPException(422, str(exc)) from exc

    @app.post("/api/check", response_model=CheckResponse, tags=["check"])
    def api_check(req: CheckRequest, authorization: Annotated[str | None, Header()] = None) -> dict[str, Any]:
        """Look one article up against the store and return its links (as derived or as source).

        The article is stored only when the server runs with ``--allow-writes`` or the request carries
        ``Authorization: Bearer <token>`` matching ``--api-token``; otherwise the store is not changed.
        """
        persist = token_ok(authorization) or allow_writes
        article = to_article(req)
        result = run_check(article, persist)
        return {"id": result.article_id, "links": [link_row(k) for k in result.links], "stored": persist}

    @app.get("/check", response_class=HTMLResponse, include_in_schema=False)
    def check_form() -> HTMLResponse:
        return page("check.html.j2", title="Check an article", csrf=form_secret, form={}, result=None)

    @app.post("/check", response_class=HTMLResponse, include_in_schema=False)
    def check_submit(
        text: Annotated[str, Form()],
        csrf: Annotated[str, Form()] = "",
        id: Annotated[str, Form()] = "",
        title: Annotated[str, Form()] = "",
        url: Annotated[str, Form()] = "",
        date: Annotated[str, Form()] = "",
        language: Annotated[str, Form()] = "",
        store: Annotated[str, Form()] = "",
    ) -> HTMLResponse:
        form = {"id": id, "title": title, "url": url, "date": date, "language": language, "text": text}
        try:
            req = CheckRequest(**{k: (v if v.strip() else None) for k, v in form.items() if k != "text"}, text=text)
        except ValueError as exc:
            return page("check.html.j2", 422, title="Check an article", csrf=form_secret, form=form, result=None,
                        error=str(exc))  # fmt: skip
        persist = allow_writes and bool(store) and hmac.compare_digest(csrf.encode(), form_secret.encode())
        article = to_article(req)
        result = run_check(article, persist)
        with reading() as st:
            others = {i for k in result.links for i in (k.derived, k.source)} - {article.id}
            arts = st.get_articles(sorted(others))
            sigs = st.get_signals(sorted(others | {article.id}))
        arts[article.id] = article
        views = [build_link_view(k, arts, sigs, rcfg, key=f"l{i}") for i, k in enumerate(result.links)]
        return page("check.html.j2", title="Check result", csrf=form_secret, form=form, result=result,
                    views=views, stored=persist, checked=article_card(article))  # fmt: skip

    # -- JSON API --------------------------------------------------------------------------------------------------
    @app.get("/api/articles", tags=["articles"])
    def api_articles(offset: int = 0, limit: Annotated[int | None, Query(ge=1)] = None) -> dict[str, Any]:
        """Articles in input order, as ``articles.jsonl`` rows (without text)."""
        offset, limit = paging(offset, limit)
        with reading() as st:
            ids = st.article_ids()
            return envelope(st.article_rows(ids[offset : offset + limit]), len(ids), offset, limit)

    @app.get("/api/articles/{article_id:path}", tags=["articles"])
    def api_article(article_id: str) -> dict[str, Any]:
        """One article: its ``articles.jsonl`` row, its text, its links and its story."""
        with reading() as st:
            rows = st.article_rows([article_id])
            art = st.get_article(article_id)
            if not rows or art is None:
                raise HTTPException(404, f"no article with id {article_id!r}")
            story = queries.story_of(st, article_id)
            return {**rows[0], "text": art.text, "links": [link_row(k) for k in st.links(article_id)],
                    "story": story["story"] if story else None}  # fmt: skip

    @app.get("/api/links", tags=["links"])
    def api_links(
        article: str | None = None,
        relation: str | None = None,
        offset: int = 0,
        limit: Annotated[int | None, Query(ge=1)] = None,
    ) -> dict[str, Any]:
        """Links in ``links.jsonl`` shape; ``article`` keeps the links it takes part in (either side)."""
        offset, limit = paging(offset, limit)
        with reading() as st:
            links = st.links(article)
        if relation:
            links = [k for k in links if k.relation == relation]
        return envelope([link_row(k) for k in links[offset : offset + limit]], len(links), offset, limit)

    @app.get("/api/link", tags=["links"])
    def api_link(derived: str, source: str) -> dict[str, Any]:
        """One link by its two article ids."""
        with reading() as st:
            found = queries.find_link(st, derived, source)
        if found is None:
            raise HTTPException(404, f"no link {derived!r} → {source!r}")
        return link_row(found)

    @app.get("/api/stories", tags=["stories"])
    def api_stories(
        offset: int = 0, limit: Annotated[int | None, Query(ge=1)] = None, min_articles: int = 1
    ) -> dict[str, Any]:
        """Stories as ``stories.jsonl`` rows, largest first."""
        offset, limit = paging(offset, limit)
        with reading() as st:
            rows = [r for r in st.story_rows() if len(r.get("articles", [])) >= min_articles]
        rows.sort(key=lambda r: (-len(r.get("articles", [])), r.get("story", "")))
        return envelope(rows[offset : offset + limit], len(rows), offset, limit)

    @app.get("/api/stories/{story_id:path}", tags=["stories"])
    def api_story(story_id: str) -> dict[str, Any]:
        """One story with its articles' rows and the links between them."""
        with reading() as st:
            row = queries.get_story(st, story_id)
            if row is None:
                raise HTTPException(404, f"no story with id {story_id!r}")
            links = queries.story_links(st, row["articles"])
            return {**row, "article_rows": st.article_rows(row["articles"]), "links": [link_row(k) for k in links]}

    @app.get("/api/sites", tags=["sites"])
    def api_sites(offset: int = 0, limit: Annotated[int | None, Query(ge=1)] = None) -> dict[str, Any]:
        """Site profiles as ``sites.jsonl`` rows."""
        offset, limit = paging(offset, limit)
        with reading() as st:
            rows = st.site_rows()
        return envelope(rows[offset : offset + limit], len(rows), offset, limit)

    @app.get("/api/search", tags=["search"])
    def api_search(q: Annotated[str, Query(min_length=1, max_length=queries.MAX_QUERY_CHARS)]) -> dict[str, Any]:
        """Articles by id, URL, site, title or words; stories by id; sites by name."""
        with reading() as st:
            hits = queries.search(st, q, cfg.search_limit)
        return {"query": q, "items": [asdict(h) for h in hits]}

    # -- pages -----------------------------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        with reading() as st:
            links = st.links()
            stories = st.story_rows()
            overview = build_overview(st.article_count(), links, stories, st.site_rows(), rcfg)
            multi = sorted((r for r in stories if len(r.get("articles", [])) > 1),
                           key=lambda r: (-len(r["articles"]), r["story"]))[: cfg.page_size]  # fmt: skip
            heads = _story_heads(st, multi)
        return page("index.html.j2", title="newstrace", overview=overview, stories=multi, heads=heads)

    @app.get("/articles", response_class=HTMLResponse, include_in_schema=False)
    def articles_page(offset: int = 0, limit: Annotated[int | None, Query(ge=1)] = None) -> HTMLResponse:
        offset, limit = paging(offset, limit)
        with reading() as st:
            ids = st.article_ids()
            rows = st.article_rows(ids[offset : offset + limit])
        return page("articles.html.j2", title="Articles", rows=rows, total=len(ids), offset=offset, limit=limit)

    @app.get("/articles/{article_id:path}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(article_id: str) -> HTMLResponse:
        with reading() as st:
            art = st.get_article(article_id)
            if art is None:
                raise HTTPException(404, f"no article with id {article_id!r}")
            links = st.links(article_id)
            sig = st.get_signals([article_id]).get(article_id)
            story = queries.story_of(st, article_id)
        # Credits and single-article signals are marked in the text itself (credits win where both apply).
        spots = [(c.start, c.end, "credit", i) for i, c in enumerate(sig.credits)] if sig else []
        spots += [(g.start, g.end, "signal", len(spots) + i) for i, g in enumerate(sig.signals)] if sig else []
        text_marks = marks(highlight_segments(art.text[: rcfg.max_text_chars], spots))
        return page("article.html.j2", title=art.title or art.id, card=article_card(art), text=art.text,
                    text_marks=text_marks, text_cut=len(art.text) > rcfg.max_text_chars,
                    sources=[k for k in links if k.derived == article_id],
                    copies=[k for k in links if k.source == article_id], signals=sig, story=story)  # fmt: skip

    @app.get("/stories", response_class=HTMLResponse, include_in_schema=False)
    def stories_page(offset: int = 0, limit: Annotated[int | None, Query(ge=1)] = None) -> HTMLResponse:
        offset, limit = paging(offset, limit)
        with reading() as st:
            rows = sorted(st.story_rows(), key=lambda r: (-len(r.get("articles", [])), r.get("story", "")))
            shown = rows[offset : offset + limit]
            heads = _story_heads(st, shown)
        return page("stories.html.j2", title="Stories", stories=shown, heads=heads, total=len(rows),
                    offset=offset, limit=limit)  # fmt: skip

    @app.get("/stories/{story_id:path}", response_class=HTMLResponse, include_in_schema=False)
    def story_page(story_id: str) -> HTMLResponse:
        with reading() as st:
            row = queries.get_story(st, story_id)
            if row is None:
                raise HTTPException(404, f"no story with id {story_id!r}")
            links = queries.story_links(st, row["articles"])
            arts = st.get_articles(row["articles"])
        view = build_story_view(row, links, arts, linker, rcfg, key="s0")
        return page("story.html.j2", title=view.headline, story=view)

    def link_page(found: Link | None, what: str) -> HTMLResponse:
        if found is None:
            raise HTTPException(404, f"no link {what}")
        with reading() as st:
            ids = [found.derived, found.source]
            arts = st.get_articles(ids)
            sigs = st.get_signals(ids)
            story = queries.story_of(st, found.derived)
        view = build_link_view(found, arts, sigs, rcfg, key="l0")
        return page("link.html.j2", title=f"{found.derived} ← {found.source}", v=view, story=story)

    @app.get("/link", response_class=HTMLResponse, include_in_schema=False)
    def link_by_query(derived: str, source: str) -> HTMLResponse:
        with reading() as st:
            found = queries.find_link(st, derived, source)
        return link_page(found, f"{derived!r} → {source!r}")

    @app.get("/links/{pair:path}", response_class=HTMLResponse, include_in_schema=False)
    def link_by_path(pair: str) -> HTMLResponse:
        with reading() as st:
            found = queries.split_link_path(st, pair)
        return link_page(found, repr(pair))

    @app.get("/sites", response_class=HTMLResponse, include_in_schema=False)
    def sites_page() -> HTMLResponse:
        with reading() as st:
            rows = st.site_rows()
        top = copying_sites(rows, len(rows))
        return page("sites.html.j2", title="Sites", rows=rows, top=top)

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(q: Annotated[str, Query(max_length=queries.MAX_QUERY_CHARS)] = "") -> Response:
        if not q.strip():
            return page("search.html.j2", title="Search", q=q, hits=[])
        with reading() as st:
            hits = queries.search(st, q, cfg.search_limit)
        exact = [h for h in hits if h.matched == "id" and h.id == q.strip()]
        if len(exact) == 1:
            target = linker.article(q.strip()) if exact[0].kind == "article" else linker.story(q.strip())
            if target:
                return RedirectResponse(target, status_code=303)
        return page("search.html.j2", title=f"Search: {q}", q=q, hits=hits)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)  # browsers ask for it; an empty answer keeps their consoles quiet

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs_page() -> HTMLResponse:
        return page("docs.html.j2", title="API", spec=app.openapi(), allow_token=api_token is not None)

    return app


def _story_heads(store: Store, rows: list[dict[str, Any]]) -> dict[str, str]:
    """A headline per story: the title of its first origin (else of any member), else the first id."""
    want = [str((r.get("origins") or r.get("articles") or [""])[0]) for r in rows]
    titles = {a["id"]: a.get("title") for a in store.article_rows(want)}
    return {str(r["story"]): str(titles.get(w) or w) for r, w in zip(rows, want, strict=True)}


def serve(
    store_path: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    allow_writes: bool = False,
    api_token: str | None = None,
) -> None:
    """Run the app with uvicorn until interrupted (localhost only unless ``host`` says otherwise)."""
    import uvicorn

    if not _is_loopback(host):
        log.warning("serving on %s: the app is reachable from other machines", host)
    app = create_app(Path(store_path), allow_writes=allow_writes, api_token=api_token)
    uvicorn.run(app, host=host, port=port, server_header=False, log_level="info")
