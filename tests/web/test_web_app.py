"""The web app over a store: pages, JSON API, odd ids, escaping, security headers, body limits, read-only checks."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from newstrace.config import RunConfig, WebConfig
from newstrace.model import Article, Link
from newstrace.store import Store
from newstrace.web import create_app
from newstrace.web.app import CSP

ODD_ID = "copy/with:odd?chars#1"


@pytest.fixture
def client(hand_store_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(hand_store_path)) as c:
        yield c


class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [v for k, v in attrs if k in ("href", "action") and v]


def internal_hrefs(html: str) -> list[str]:
    parser = _Hrefs()
    parser.feed(html)
    return sorted({h.split("#")[0] for h in parser.hrefs if h.startswith("/") and not h.startswith("//")} - {""})


def assert_secure_headers(r: object) -> None:
    headers = r.headers  # type: ignore[attr-defined]
    assert headers["content-security-policy"] == CSP
    assert "script-src" not in CSP and "default-src 'none'" in CSP
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


# -- pages ---------------------------------------------------------------------------------------------------------
def test_every_internal_link_from_the_overview_works_and_is_inert(client: TestClient, data: ModuleType) -> None:
    """Crawl the app two clicks deep from /: every page answers 200, carries the CSP and holds no live markup."""
    seen: set[str] = set()
    frontier = ["/"]
    for _depth in range(3):
        nxt: list[str] = []
        for url in frontier:
            if url in seen or url in ("/check", "/search"):
                continue
            seen.add(url)
            r = client.get(url)
            assert r.status_code == 200, url
            assert_secure_headers(r)
            if r.headers["content-type"].startswith("text/html"):
                assert data.unsafe_markup(r.text) == [], url
                nxt += internal_hrefs(r.text)
        frontier = nxt
    assert "/stories/story-1" in seen
    assert any(u.startswith("/link?") for u in seen)
    assert "/articles/" + quote(ODD_ID, safe="") in seen


def test_ids_with_slashes_colons_and_hashes(client: TestClient) -> None:
    enc = quote(ODD_ID, safe="")
    assert ODD_ID in client.get(f"/articles/{enc}").text
    assert client.get(f"/api/articles/{enc}").json()["id"] == ODD_ID
    # /links/DERIVED/SOURCE: each split point is tried, so an id that holds "/" still works.
    r = client.get(f"/links/{enc}/wire")
    assert r.status_code == 200 and "verbatim" in r.text
    r = client.get("/link", params={"derived": ODD_ID, "source": "wire"})
    assert r.status_code == 200 and 'class="m exact"' in r.text
    assert client.get("/api/link", params={"derived": ODD_ID, "source": "wire"}).json()["relation"] == "verbatim"


def test_unknown_ids_are_404_in_html_and_json(client: TestClient) -> None:
    for url in (
        "/articles/nope",
        "/stories/nope",
        "/links/nope/wire",
        "/link?derived=nope&source=wire",
        "/links/" + "a/" * 500,
    ):
        r = client.get(url)
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html"), url
        assert_secure_headers(r)
    for url in ("/api/articles/nope", "/api/stories/nope", "/api/link?derived=wire&source=evil"):
        r = client.get(url)
        assert r.status_code == 404 and "detail" in r.json(), url


def test_hostile_article_is_shown_escaped(client: TestClient, data: ModuleType) -> None:
    for url in ("/articles/evil", "/link?derived=evil&source=wire", "/stories/story-1", "/search?q=window", "/"):
        html = client.get(url).text
        assert data.unsafe_markup(html) == [], url
        assert "<script" not in html.lower(), url
    html = client.get("/articles/evil").text
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    assert "javascript:window.__xss=7" in html and 'href="javascript' not in html
    side = client.get("/link?derived=evil&source=wire").text
    assert "&lt;script&gt;window.__xss=8&lt;/script&gt;" in side  # in the changes list


def test_search_by_id_url_site_and_words(client: TestClient) -> None:
    r = client.get("/search", params={"q": "wire"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/articles/wire"
    hits = client.get("/api/search", params={"q": "http://copy.example/x?a=1&b=2"}).json()["items"]
    assert hits[0]["id"] == ODD_ID and hits[0]["matched"] == "url"
    hits = client.get("/api/search", params={"q": "evil.example"}).json()["items"]
    assert [h["id"] for h in hits if h["kind"] == "article"] == ["evil"]
    assert any(h["kind"] == "site" for h in hits)
    hits = client.get("/api/search", params={"q": "rye BREAD sandvik"}).json()["items"]
    assert [h["id"] for h in hits] == ["alone"] and "rye bread" in hits[0]["snippet"]
    for odd in ("100%_\\", "o'brien; DROP TABLE articles", "%"):
        assert client.get("/api/search", params={"q": odd}).json()["items"] == [], odd
    # LIKE wildcards are matched literally: "_" finds only the text that holds an underscore.
    assert [h["id"] for h in client.get("/api/search", params={"q": "_"}).json()["items"]] == ["evil"]
    assert client.get("/api/search").status_code == 422
    assert "nothing found" in client.get("/search", params={"q": "zzzz"}).text


def test_json_endpoints(client: TestClient) -> None:
    arts = client.get("/api/articles", params={"limit": 2}).json()
    assert arts["total"] == 4 and len(arts["items"]) == 2 and arts["items"][0]["id"] == "wire"
    assert {"id", "site", "date", "language", "chars", "status", "warnings"} <= set(arts["items"][0])
    one = client.get("/api/articles/wire").json()
    assert one["text"].startswith("The port of Valmora") and one["story"] == "story-1" and len(one["links"]) == 2
    links = client.get("/api/links", params={"article": "wire"}).json()
    assert links["total"] == 2
    assert {"derived", "source", "relation", "score", "origin", "lag_days", "attributed", "stale", "spans",
            "changes", "derived_coverage", "source_coverage"} <= set(links["items"][0])  # fmt: skip
    assert client.get("/api/links", params={"relation": "light_edit"}).json()["total"] == 1
    stories = client.get("/api/stories").json()
    assert [s["story"] for s in stories["items"]] == ["story-1", "story-2"]
    assert client.get("/api/stories", params={"min_articles": 2}).json()["total"] == 1
    story = client.get("/api/stories/story-1").json()
    assert len(story["links"]) == 2 and len(story["article_rows"]) == 3
    assert {r["site"] for r in client.get("/api/sites").json()["items"]} >= {"copy.example", "wire.example"}
    assert client.get("/api/articles", params={"limit": 0}).status_code == 422


def test_openapi_and_docs_page(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/articles", "/api/articles/{article_id}", "/api/links", "/api/stories", "/api/sites",
                 "/api/search", "/api/check"):  # fmt: skip
        assert path in spec["paths"], path
    r = client.get("/docs")
    assert r.status_code == 200 and "POST /api/check" in r.text and "CheckRequest" in r.text
    assert_secure_headers(r)


# -- /api/check input handling (answered before any check runs) ---------------------------------------------------
def test_check_body_over_the_limit_is_413(hand_store_path: Path) -> None:
    with TestClient(create_app(hand_store_path, config=WebConfig(max_body_bytes=2_000))) as c:
        r = c.post("/api/check", json={"text": "x" * 5_000})
        assert r.status_code == 413
        assert_secure_headers(r)

        def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must hold while streaming too
            yield b'{"text": "'
            for _ in range(10):
                yield b"y" * 500
            yield b'"}'

        assert c.post("/api/check", content=chunks(), headers={"content-type": "application/json"}).status_code == 413
        assert c.post("/check", data={"text": "z" * 5_000}).status_code == 413
    with TestClient(create_app(hand_store_path)) as c:
        assert c.post("/api/check", json={"text": "x" * 1_100_000}).status_code == 413


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ('{"text": "unterminated', "body"),
        ("[1, 2]", "body"),
        ('{"title": "no text"}', "text"),
        ('{"text": "   "}', "text"),
        ('{"text": 42}', "text"),
        ('{"text": "ok", "date": "last Thursday"}', "date"),
        ('{"text": "ok", "colour": "red"}', "colour"),
    ],
)
def test_check_malformed_input_is_a_clear_422(client: TestClient, body: str, where: str) -> None:
    r = client.post("/api/check", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert detail and all({"loc", "msg"} <= set(d) for d in detail)
    assert any(where in map(str, d["loc"]) for d in detail), detail


def test_check_needs_json_and_a_valid_token(hand_store_path: Path) -> None:
    with TestClient(create_app(hand_store_path, api_token="s3cret")) as c:
        r = c.post("/api/check", content=json.dumps({"text": "abc"}), headers={"content-type": "text/plain"})
        assert r.status_code == 422
        r = c.post("/api/check", json={"text": "abc"}, headers={"authorization": "Bearer wrong"})
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        assert c.post("/api/check", json={"text": "abc"}, headers={"authorization": "Basic s3cret"}).status_code == 401
    with TestClient(create_app(hand_store_path)) as c:
        assert c.post("/api/check", json={"text": "abc"}, headers={"authorization": "Bearer x"}).status_code == 401


def test_missing_store_is_503(tmp_path: Path) -> None:
    with TestClient(create_app(tmp_path / "missing.duckdb")) as c:
        assert c.get("/api/articles").status_code == 503
        assert c.get("/").status_code == 503


# -- the real check, over the traced example corpus ----------------------------------------------------------------
def _copy_of_the_wire(data: ModuleType, new_id: str) -> dict[str, object]:
    rec = data.hostile_record()
    wire_text = str(rec["text"])[len(data.XSS_PREFIX) :]
    return {"id": new_id, "text": "Reposted: " + wire_text, "date": "2026-03-08", "url": "https://re.example/x"}


def _count(store_path: Path) -> int:
    with Store(store_path, read_only=True) as st:
        return st.article_count()


def test_check_is_read_only_by_default(traced_copy: Path, data: ModuleType) -> None:
    before = _count(traced_copy)
    # In a thread of the app's process: the same check, without starting a worker process (that path is taken by
    # the storing test below and by tests/reliability/test_load_smoke.py).
    with TestClient(create_app(traced_copy, config=WebConfig(check_processes=False))) as c:
        r = c.post("/api/check", json=_copy_of_the_wire(data, "reposted-1"))
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["id"] == "reposted-1" and body["stored"] is False
        # Its source may be the wire or a verbatim copy of it; its origin is the wire either way.
        assert any(k["derived"] == "reposted-1" and k["origin"] == "harbor-fire-wire" for k in body["links"])
        assert {"derived", "source", "relation", "spans", "changes"} <= set(body["links"][0])
        assert c.get("/api/articles/reposted-1").status_code == 404
        # An article's own page marks its credits (the wire's "(Reuters)" dateline) in the text.
        assert '<mark class="m credit">' in c.get("/articles/harbor-fire-wire").text
    assert _count(traced_copy) == before


def test_check_stores_with_a_token(traced_copy: Path, data: ModuleType) -> None:
    before = _count(traced_copy)
    with TestClient(create_app(traced_copy, api_token="t0ken")) as c:
        # Reads before the write are answered from the response cache the second time ...
        listed = c.get("/api/articles", params={"limit": 500}).json()
        responses = c.app.state.responses  # type: ignore[attr-defined]
        hits = responses.hits
        assert c.get("/api/articles", params={"limit": 500}).json() == listed and responses.hits == hits + 1
        r = c.post("/api/check", json=_copy_of_the_wire(data, "reposted-2"), headers={"authorization": "Bearer t0ken"})
        assert r.status_code == 200 and r.json()["stored"] is True
        stored = c.get("/api/articles/reposted-2").json()
        assert stored["links"] and stored["story"]
        # ... and never after it: the store's new version drops every kept answer.
        assert c.get("/api/articles", params={"limit": 500}).json()["total"] == listed["total"] + 1
    assert _count(traced_copy) == before + 1


@pytest.mark.slow
def test_check_stores_with_allow_writes(traced_copy: Path, data: ModuleType) -> None:
    before = _count(traced_copy)
    with TestClient(create_app(traced_copy, allow_writes=True)) as c:
        assert c.post("/api/check", json=_copy_of_the_wire(data, "reposted-3")).json()["stored"] is True
    assert _count(traced_copy) == before + 1


def test_check_form_validates_before_checking(hand_store_path: Path, data: ModuleType) -> None:
    """The form's happy path runs in the browser test; here, what is answered before any check runs."""
    with TestClient(create_app(hand_store_path)) as c:
        form = c.get("/check").text
        assert 'name="csrf"' in form and "Nothing is stored" in form and 'name="store"' not in form
        bad = c.post("/check", data={"text": "some text", "date": "someday", "title": data.XSS_TITLE})
        assert bad.status_code == 422 and "unparseable date" in bad.text
        assert data.unsafe_markup(bad.text) == [] and "&lt;script&gt;" in bad.text
        assert c.post("/check", data={"title": "no text"}).status_code == 422
    with TestClient(create_app(hand_store_path, allow_writes=True)) as c:
        assert 'name="store"' in c.get("/check").text


def test_idle_app_releases_the_store_for_writers(hand_store_path: Path, tmp_path: Path) -> None:
    store_path = tmp_path / "store.duckdb"
    shutil.copyfile(hand_store_path, store_path)
    with TestClient(create_app(store_path, config=WebConfig(keep_open_s=0.2))) as c:
        assert c.get("/api/articles").json()["total"] == 4
        alone = c.get("/articles/alone")
        assert alone.status_code == 200 and "Rewritten since" not in alone.text
        assert '<div class="big">4</div><div class="lbl">articles' in c.get("/").text
        time.sleep(0.6)
        # The kept read-only connection is gone, so a writable one can open in this same process.
        with Store(store_path) as st:
            assert st.article_count() == 4
            old = st.get_article("alone")
            assert old is not None
            st.upsert_articles([Article("late", "A new article."), Article("alone", "Rewritten since. " + old.text)])
        # The store changed while the app was not looking: its summary and its kept articles are not reused.
        assert c.get("/api/articles").json()["total"] == 5
        assert "Rewritten since" in c.get("/articles/alone").text
        assert c.get("/articles/late").status_code == 200
        assert '<div class="big">5</div><div class="lbl">articles' in c.get("/").text


@dataclass
class _HeldCheck:
    """A check function that holds its slot until released (the scheduling is under test, not the aligner)."""

    started: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def __call__(self, store_path: Path, article: Article, config: RunConfig, *, persist: bool) -> _Held:
        self.started.set()
        assert self.release.wait(30), "never released"
        return _Held(article.id, [])


@dataclass
class _Held:
    article_id: str
    links: list[Link]


def test_a_storing_check_waits_for_running_checks_not_page_views(hand_store_path: Path, tmp_path: Path) -> None:
    store_path = tmp_path / "store.duckdb"
    shutil.copyfile(hand_store_path, store_path)
    held = _HeldCheck()
    calls: list[bool] = []

    def check(store_path: Path, article: Article, config: RunConfig, *, persist: bool) -> _Held:
        calls.append(persist)
        return held(store_path, article, config, persist=persist) if not persist else _Held(article.id, [])

    cfg = WebConfig(check_workers=2, check_queue=0, check_processes=False)
    with TestClient(create_app(store_path, config=cfg, check_fn=check, api_token="t")) as c:
        answers: list[int] = []

        def post(headers: dict[str, str]) -> None:
            answers.append(c.post("/api/check", json={"text": str(len(answers))}, headers=headers).status_code)

        looking = threading.Thread(target=post, args=({},))
        looking.start()
        try:
            assert held.started.wait(10)
            storing = threading.Thread(target=post, args=({"authorization": "Bearer t"},))
            storing.start()
            time.sleep(0.3)
            assert calls == [False], "the storing check ran while another process had the store open"
            t = time.monotonic()
            assert c.get("/").status_code == 200 and c.get("/articles/wire").status_code == 200
            assert time.monotonic() - t < 5, "page views waited for a storing check that was itself waiting"
        finally:
            held.release.set()
            looking.join(30)
        storing.join(30)
        assert calls == [False, True] and answers == [200, 200]


def test_pages_answer_while_a_check_runs_and_excess_checks_get_503(hand_store_path: Path) -> None:
    held = _HeldCheck()
    cfg = WebConfig(check_workers=1, check_queue=0, check_processes=False)
    with TestClient(create_app(hand_store_path, config=cfg, check_fn=held)) as c:
        answers: list[int] = []
        first = threading.Thread(target=lambda: answers.append(c.post("/api/check", json={"text": "one"}).status_code))
        first.start()
        try:
            assert held.started.wait(10)
            t = time.monotonic()
            for url in ("/", "/stories", "/articles/wire", "/api/search?q=fire", "/api/articles"):
                assert c.get(url).status_code == 200, url
            assert time.monotonic() - t < 5, "page views waited for the check"
            busy = c.post("/api/check", json={"text": "two"})
            assert busy.status_code == 503 and int(busy.headers["retry-after"]) >= 1
            assert "checks are running or waiting" in busy.json()["detail"]
            form = c.get("/check").text
            token = form.split('name="csrf" value="')[1].split('"')[0]
            page = c.post("/check", data={"text": "three", "csrf": token})
            assert page.status_code == 503 and page.headers["retry-after"] and "Try again in" in page.text
            assert_secure_headers(page)
            # A refused check is refused before it is parsed or run: bad input still gets its 422.
            assert c.post("/api/check", json={"text": " "}).status_code == 422
        finally:
            held.release.set()
            first.join(30)
        assert answers == [200]
        assert c.post("/api/check", json={"text": "four"}).status_code == 200  # the slot is free again


def test_pages_survive_inconsistent_store_rows(tmp_path: Path) -> None:
    from newstrace.model import Article, Link, Span, Story

    path = tmp_path / "odd.duckdb"
    with Store(path) as st:
        st.upsert_articles([Article("a", "short text")])
        bad = Link("a", "ghost", "paraphrase", 0.6, "ghost", None, False, False, 0.5, 0.5, (Span(5, 500, 9, 10, "x"),))  # type: ignore[arg-type]
        st.replace_results([bad], [Story("s", ("a", "ghost"), ("ghost",))], [])
    with TestClient(create_app(path)) as c:
        for url in ("/", "/stories/s", "/link?derived=a&source=ghost", "/articles/a", "/api/stories/s", "/sites"):
            assert c.get(url).status_code == 200, url
        assert c.get("/articles/ghost").status_code == 404
