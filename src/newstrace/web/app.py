"""Local web app and JSON API over a store: the report's views, search, and a check form.

Reads go through one kept read-only connection (a cursor per request) and a summary of the store built once per
store version (access.py, summary.py); checks run a few at a time in worker processes and are refused with 503 and
Retry-After beyond that (checks.py), so page views never wait behind them. The only write is the optional storing
step of a check, which takes the store exclusively. Everything rendered is escaped, every page carries a
Content-Security-Policy that allows no scripts, and request bodies are capped.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, Protocol
from urllib.parse import quote, urlencode

import anyio.to_thread
from fastapi import FastAPI, Form, Header, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newstrace.config import IngestConfig, ReportConfig, RunConfig, WebConfig
from newstrace.errors import NewstraceError, StoreError
from newstrace.ingest.records import parse_date, record_to_result
from newstrace.model import Article, Link
from newstrace.report.render import (
    article_card,
    build_link_view,
    build_story_view,
    highlight_segments,
    make_env,
    marks,
)
from newstrace.serialize import article_row, link_row
from newstrace.store import Store
from newstrace.web import queries
from newstrace.web.access import StoreAccess
from newstrace.web.cache import ResponseCache, ResponseCacheMiddleware
from newstrace.web.checks import CheckBusy, CheckRunner
from newstrace.web.summary import StoreKey, StoreSummary, store_key, summarise_store

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


def _warm_up_check(config: RunConfig) -> None:
    """In a check worker: import the runner and load the sentence encoder, so the first check does not wait for it."""
    from newstrace.embed import embed_texts
    from newstrace.runners.local import check_article  # noqa: F401  (the import is the warm-up)

    embed_texts(["warm-up"], config.embed)


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
    warm_checks: bool = False,
) -> FastAPI:
    """The FastAPI app over the store at ``store_path`` (pages, JSON API, OpenAPI at ``/docs``).

    With ``warm_checks`` the check worker starts with the app and loads the encoder before the first check arrives.
    """
    store_path = Path(store_path)
    cfg = config or WebConfig()
    rcfg = report_config or ReportConfig()
    run_cfg = run_config or RunConfig()
    check = check_fn or _default_check

    def summarise(store: Store, key: StoreKey) -> StoreSummary:
        return summarise_store(store, key, rcfg, cfg.page_size, cfg.article_cache_chars)

    access = StoreAccess(store_path, cfg.keep_open_s, summarise)
    checks = CheckRunner(workers=cfg.check_workers, queue=cfg.check_queue, processes=cfg.check_processes,
                         nice=cfg.check_nice, first_estimate_s=cfg.check_first_estimate_s)  # fmt: skip

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Sync endpoints (all reads) run on this loop's default thread pool: its size bounds them.
        anyio.to_thread.current_default_thread_limiter().total_tokens = cfg.read_threads
        # Templates are compiled and the summary is built before the first request, not by it.
        await run_in_threadpool(lambda: [env.get_template(n) for n in env.list_templates(extensions=["j2"])])
        try:
            await run_in_threadpool(access.refresh)
        except HTTPException as exc:
            log.warning("%s: pages answer 503 until it opens", exc.detail)
        if warm_checks and check_fn is None:
            checks.warm_up(_warm_up_check, run_cfg)
        yield
        checks.close()
        access.close()

    env = make_env(TEMPLATES)
    # The templates ship with the package and do not change while serving: no stat() of each one per render.
    env.auto_reload = False
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

    responses = ResponseCache(cfg.response_cache_bytes, cfg.response_cache_entry_bytes)
    app.add_middleware(ResponseCacheMiddleware, cache=responses, version=lambda: store_key(store_path))
    app.state.responses = responses
    reading = access.read  # `with reading() as (store, summary)`: a cursor of the kept connection, and the summary

    def page(name: str, status: int = 200, headers: dict[str, str] | None = None, **ctx: Any) -> HTMLResponse:
        html = env.get_template(name).render(linker=linker, allow_writes=allow_writes, **ctx)
        return HTMLResponse(html, status_code=status, headers=headers)

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

    @app.exception_handler(CheckBusy)
    async def check_busy(request: Request, exc: CheckBusy) -> Response:
        headers = {"Retry-After": str(exc.retry_after_s)}
        if wants_html(request):
            msg = f"The server is busy checking other articles ({exc.detail}). Try again in {exc.retry_after_s} s."
            return page("error.html.j2", 503, title="503", message=msg, headers=headers)
        return JSONResponse({"detail": exc.detail}, status_code=503, headers=headers)

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
        # In a check thread; the check itself runs in a worker process and opens the store by its path.
        try:
            if not persist:
                with access.shared():
                    return checks.call(check, store_path, article, run_cfg, persist=False)
            with access.exclusive():
                result = checks.call(check, store_path, article, run_cfg, persist=True)
        except StoreError as exc:
            raise HTTPException(503, f"store unavailable: {exc}") from exc
        except NewstraceError as exc:
            raise HTTPException(422, str(exc)) from exc
        try:
            access.refresh()  # the new summary now, not in the next page view
        except HTTPException as exc:
            log.warning("after storing %s: %s", article.id, exc.detail)
        return result

    async def checked(req: CheckRequest, persist: bool) -> tuple[Article, CheckResultLike]:
        # Parsing (language detection of up to max_chars) stays off the event loop, and is not held up by checks.
        article = await run_in_threadpool(to_article, req)
        return article, await checks.run(lambda: run_check(article, persist))

    @app.post(
        "/api/check",
        response_model=CheckResponse,
        tags=["check"],
        responses={503: {"description": "all check slots are taken: retry after `Retry-After` seconds"}},
    )
    async def api_check(req: CheckRequest, authorization: Annotated[str | None, Header()] = None) -> dict[str, Any]:
        """Look one article up against the store and return its links (as derived or as source).

        The article is stored only when the server runs with ``--allow-writes`` or the request carries
        ``Authorization: Bearer <token>`` matching ``--api-token``; otherwise the store is not changed. A few checks
        run at a time; when all slots are taken the answer is 503 with a ``Retry-After`` header (seconds).
        """
        persist = token_ok(authorization) or allow_writes
        _, result = await checked(req, persist)
        return {"id": result.article_id, "links": [link_row(k) for k in result.links], "stored": persist}  # fmt: skip

    @app.get("/check", response_class=HTMLResponse, include_in_schema=False)
    def check_form() -> HTMLResponse:
        return page("check.html.j2", title="Check an article", csrf=form_secret, form={}, result=None)

    def check_result_page(
        form: dict[str, str], article: Article, result: CheckResultLike, stored: bool
    ) -> HTMLResponse:
        with reading() as (st, sm):
            others = {i for k in result.links for i in (k.derived, k.source)} - {article.id}
            arts, sigs = sm.articles.get(st, sorted(others))
            sigs = {**sigs, **st.get_signals([article.id])}  # stored just now, or not at all
        arts[article.id] = article
        views = [build_link_view(k, arts, sigs, rcfg, key=f"l{i}") for i, k in enumerate(result.links)]
        return page("check.html.j2", title="Check result", csrf=form_secret, form=form, result=result,
                    views=views, stored=stored, checked=article_card(article))  # fmt: skip

    @app.post("/check", response_class=HTMLResponse, include_in_schema=False)
    async def check_submit(
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
        article, result = await checked(req, persist)
        return await run_in_threadpool(check_result_page, form, article, result, persist)

    # -- JSON API --------------------------------------------------------------------------------------------------
    @app.get("/api/articles", tags=["articles"])
    def api_articles(offset: int = 0, limit: Annotated[int | None, Query(ge=1)] = None) -> dict[str, Any]:
        """Articles in input order, as ``articles.jsonl`` rows (without text)."""
        offset, limit = paging(offset, limit)
        with reading() as (st, sm):
            ids = sm.article_ids
            return envelope(sm.articles.rows(st, ids[offset : offset + limit]), len(ids), offset, limit)

    @app.get("/api/articles/{article_id:path}", tags=["articles"])
    def api_article(article_id: str) -> dict[str, Any]:
        """One article: its ``articles.jsonl`` row, its text, its links and its story."""
        with reading() as (st, sm):
            arts, sigs = sm.articles.get(st, [article_id])
        art, sig = arts.get(article_id), sigs.get(article_id)
        if art is None:
            raise HTTPException(404, f"no article with id {article_id!r}")
        story = sm.story_by_article.get(article_id)
        return {**article_row(art, sig), "text": art.text,
                "links": [link_row(k) for k in sm.links_by_article.get(article_id, ())],
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
        sm = access.summary()
        links = sm.links if article is None else sm.links_by_article.get(article, ())
        if relation:
            links = tuple(k for k in links if k.relation == relation)
        return envelope([link_row(k) for k in links[offset : offset + limit]], len(links), offset, limit)

    @app.get("/api/link", tags=["links"])
    def api_link(derived: str, source: str) -> dict[str, Any]:
        """One link by its two article ids."""
        found = access.summary().link_by_pair.get((derived, source))
        if found is None:
            raise HTTPException(404, f"no link {derived!r} → {source!r}")
        return link_row(found)

    @app.get("/api/stories", tags=["stories"])
    def api_stories(
        offset: int = 0, limit: Annotated[int | None, Query(ge=1)] = None, min_articles: int = 1
    ) -> dict[str, Any]:
        """Stories as ``stories.jsonl`` rows, largest first."""
        offset, limit = paging(offset, limit)
        rows = tuple(r for r in access.summary().stories if len(r.get("articles", [])) >= min_articles)
        return envelope(list(rows[offset : offset + limit]), len(rows), offset, limit)

    @app.get("/api/stories/{story_id:path}", tags=["stories"])
    def api_story(story_id: str) -> dict[str, Any]:
        """One story with its articles' rows and the links between them."""
        with reading() as (st, sm):
            row = sm.story_by_id.get(story_id)
            if row is None:
                raise HTTPException(404, f"no story with id {story_id!r}")
            rows = sm.articles.rows(st, row["articles"])
        return {**row, "article_rows": rows, "links": [link_row(k) for k in sm.story_links(row["articles"])]}

    @app.get("/api/sites", tags=["sites"])
    def api_sites(offset: int = 0, limit: Annotated[int | None, Query(ge=1)] = None) -> dict[str, Any]:
        """Site profiles as ``sites.jsonl`` rows."""
        offset, limit = paging(offset, limit)
        rows = access.summary().sites
        return envelope(list(rows[offset : offset + limit]), len(rows), offset, limit)

    @app.get("/api/search", tags=["search"])
    def api_search(q: Annotated[str, Query(min_length=1, max_length=queries.MAX_QUERY_CHARS)]) -> dict[str, Any]:
        """Articles by id, URL, site, title or words; stories by id; sites by name."""
        with reading() as (st, sm):
            hits = queries.search(st, sm, q, cfg.search_limit)
        return {"query": q, "items": [asdict(h) for h in hits]}

    # -- pages -----------------------------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        sm = access.summary()
        return page("index.html.j2", title="newstrace", overview=sm.overview, stories=sm.multi_stories, heads=sm.heads)

    @app.get("/articles", response_class=HTMLResponse, include_in_schema=False)
    def articles_page(offset: int = 0, limit: Annotated[int | None, Query(ge=1)] = None) -> HTMLResponse:
        offset, limit = paging(offset, limit)
        with reading() as (st, sm):
            ids = sm.article_ids
            rows = sm.articles.rows(st, ids[offset : offset + limit])
        return page("articles.html.j2", title="Articles", rows=rows, total=len(ids), offset=offset, limit=limit)

    @app.get("/articles/{article_id:path}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(article_id: str) -> HTMLResponse:
        with reading() as (st, sm):
            arts, sigs = sm.articles.get(st, [article_id])
        art, sig = arts.get(article_id), sigs.get(article_id)
        if art is None:
            raise HTTPException(404, f"no article with id {article_id!r}")
        links = sm.links_by_article.get(article_id, ())
        # Credits and single-article signals are marked in the text itself (credits win where both apply).
        spots = [(c.start, c.end, "credit", i) for i, c in enumerate(sig.credits)] if sig else []
        spots += [(g.start, g.end, "signal", len(spots) + i) for i, g in enumerate(sig.signals)] if sig else []
        text_marks = marks(highlight_segments(art.text[: rcfg.max_text_chars], spots))
        return page("article.html.j2", title=art.title or art.id, card=article_card(art), text=art.text,
                    text_marks=text_marks, text_cut=len(art.text) > rcfg.max_text_chars,
                    sources=[k for k in links if k.derived == article_id],
                    copies=[k for k in links if k.source == article_id], signals=sig,
                    story=sm.story_by_article.get(article_id))  # fmt: skip

    @app.get("/stories", response_class=HTMLResponse, include_in_schema=False)
    def stories_page(offset: int = 0, limit: Annotated[int | None, Query(ge=1)] = None) -> HTMLResponse:
        offset, limit = paging(offset, limit)
        sm = access.summary()
        return page("stories.html.j2", title="Stories", stories=sm.stories[offset : offset + limit], heads=sm.heads,
                    total=len(sm.stories), offset=offset, limit=limit)  # fmt: skip

    @app.get("/stories/{story_id:path}", response_class=HTMLResponse, include_in_schema=False)
    def story_page(story_id: str) -> HTMLResponse:
        with reading() as (st, sm):
            row = sm.story_by_id.get(story_id)
            if row is None:
                raise HTTPException(404, f"no story with id {story_id!r}")
            arts, _ = sm.articles.get(st, row["articles"])
        view = build_story_view(row, sm.story_links(row["articles"]), arts, linker, rcfg, key="s0")
        return page("story.html.j2", title=view.headline, story=view)

    def link_page(found: Link | None, what: str) -> HTMLResponse:
        if found is None:
            raise HTTPException(404, f"no link {what}")
        with reading() as (st, sm):
            arts, sigs = sm.articles.get(st, [found.derived, found.source])
        view = build_link_view(found, arts, sigs, rcfg, key="l0")
        return page("link.html.j2", title=f"{found.derived} ← {found.source}", v=view,
                    story=sm.story_by_article.get(found.derived))  # fmt: skip

    @app.get("/link", response_class=HTMLResponse, include_in_schema=False)
    def link_by_query(derived: str, source: str) -> HTMLResponse:
        return link_page(access.summary().link_by_pair.get((derived, source)), f"{derived!r} → {source!r}")

    @app.get("/links/{pair:path}", response_class=HTMLResponse, include_in_schema=False)
    def link_by_path(pair: str) -> HTMLResponse:
        return link_page(queries.split_link_path(access.summary(), pair), repr(pair))

    @app.get("/sites", response_class=HTMLResponse, include_in_schema=False)
    def sites_page() -> HTMLResponse:
        sm = access.summary()
        return page("sites.html.j2", title="Sites", rows=sm.sites, top=sm.copying_sites)

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(q: Annotated[str, Query(max_length=queries.MAX_QUERY_CHARS)] = "") -> Response:
        if not q.strip():
            return page("search.html.j2", title="Search", q=q, hits=[])
        with reading() as (st, sm):
            hits = queries.search(st, sm, q, cfg.search_limit)
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
    app = create_app(Path(store_path), allow_writes=allow_writes, api_token=api_token, warm_checks=True)
    uvicorn.run(app, host=host, port=port, server_header=False, log_level="info")
