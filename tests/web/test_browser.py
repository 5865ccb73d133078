"""End-to-end tests in real headless Chromium: browse the traced example corpus, a link side by side, the check form,
and make sure nothing from a hostile article ever runs. Screenshots go to the test output folder (paths printed)."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from urllib.parse import quote

import pytest

from newstrace.report import write_report
from newstrace.store import Store
from newstrace.web import create_app

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

if not Path(CHROMIUM).exists():
    pytest.skip(
        "headless Chromium not found at /usr/bin/chromium: install Debian's package (apt-get install -y chromium)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")


@dataclass
class Watch:
    """What a page did that it must not: dialogs, CSP violations, requests leaving this machine, page errors."""

    dialogs: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(traced_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over a copy of the traced store, served by uvicorn on 127.0.0.1 in a thread."""
    import uvicorn

    store = tmp_path_factory.mktemp("browser-store") / "store.duckdb"
    shutil.copyfile(traced_store, store)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(store), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.getbasetemp() / "test-output" / "browser"
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: object) -> Iterator[tuple[object, Watch]]:
    ctx = browser.new_context(viewport={"width": 1360, "height": 900})  # type: ignore[attr-defined]
    pg = ctx.new_page()
    watch = Watch()

    def on_dialog(d: object) -> None:
        watch.dialogs.append(d.message)  # type: ignore[attr-defined]
        d.dismiss()  # type: ignore[attr-defined]

    def on_request(req: object) -> None:
        url = req.url  # type: ignore[attr-defined]
        if not url.startswith(("http://127.0.0.1:", "file://", "data:", "about:")):
            watch.foreign.append(url)

    pg.on("dialog", on_dialog)
    pg.on("console", lambda m: watch.console.append(m.text))
    pg.on("pageerror", lambda e: watch.errors.append(str(e)))
    pg.on("request", on_request)
    yield pg, watch
    ctx.close()


def _shot(pg: object, shots: Path, name: str, full_page: bool = False) -> Path:
    path = shots / f"{name}.png"
    pg.screenshot(path=str(path), full_page=full_page)  # type: ignore[attr-defined]
    print(f"screenshot: {path}")
    return path


def _assert_inert(pg: object, watch: Watch) -> None:
    """No injected script ran, no injected element exists, nothing was blocked or fetched from elsewhere."""
    assert pg.evaluate("typeof window.__xss") == "undefined"  # type: ignore[attr-defined]
    live = pg.evaluate(  # type: ignore[attr-defined]
        "document.querySelectorAll('script, iframe, object, embed, [onerror], [onload], [onclick], "
        'a[href^="javascript:" i]\').length'
    )
    assert live == 0
    assert watch.dialogs == [] and watch.errors == [] and watch.foreign == []
    assert not [m for m in watch.console if "Content Security Policy" in m or "Refused" in m], watch.console


def test_browse_overview_story_and_link_side_by_side(server: str, page: tuple[object, Watch], shots: Path) -> None:
    pg, watch = page
    pg.goto(server + "/")  # type: ignore[attr-defined]
    assert "Overview" in pg.inner_text("h1")  # type: ignore[attr-defined]
    _shot(pg, shots, "01-overview", full_page=True)
    # The largest story is listed first; follow it.
    pg.click("table a[href^='/stories/']")  # type: ignore[attr-defined]
    pg.wait_for_selector("svg.graph")  # type: ignore[attr-defined]
    assert pg.locator("svg.graph rect.node").count() >= 5  # type: ignore[attr-defined]
    assert pg.locator("svg.graph text.elabel").count() >= 4  # type: ignore[attr-defined]
    _shot(pg, shots, "02-story", full_page=True)
    _assert_inert(pg, watch)
    # Open one link side by side and jump from a derived passage to its source counterpart.
    pg.click("table.timeline a:has-text('side by side')")  # type: ignore[attr-defined]
    pg.wait_for_selector(".side .text a.m")  # type: ignore[attr-defined]
    first = pg.locator(".side > div:first-child .text a.m[id]").first  # type: ignore[attr-defined]
    target = first.get_attribute("href")
    first.click()
    assert pg.evaluate("location.hash") == target  # type: ignore[attr-defined]
    assert pg.evaluate("document.querySelector(':target').closest('.side > div:last-child') !== null")  # type: ignore[attr-defined]
    _shot(pg, shots, "03-link-side-by-side")
    _assert_inert(pg, watch)


def test_check_form_finds_the_sources(server: str, page: tuple[object, Watch], shots: Path, data: ModuleType) -> None:
    pg, watch = page
    wire = str(data.hostile_record()["text"])[len(data.XSS_PREFIX) :]
    pg.goto(server + "/check")  # type: ignore[attr-defined]
    pg.fill("#f-title", data.XSS_TITLE)  # type: ignore[attr-defined]
    pg.fill("#f-url", data.XSS_URL)  # type: ignore[attr-defined]
    pg.fill("#f-date", "2026-03-09")  # type: ignore[attr-defined]
    pg.fill("#f-text", "Reposted from the wire. " + wire)  # type: ignore[attr-defined]
    pg.click("#check-submit")  # type: ignore[attr-defined]
    pg.wait_for_selector("#result", timeout=120_000)  # type: ignore[attr-defined]
    assert "harbor-fire-wire" in pg.inner_text("main")  # type: ignore[attr-defined]
    assert pg.locator("details.link .text a.m").count() > 0  # type: ignore[attr-defined]
    assert "not stored" in pg.inner_text("#result + p")  # type: ignore[attr-defined]
    _shot(pg, shots, "04-check-result", full_page=False)
    _assert_inert(pg, watch)


def test_hostile_article_never_executes(
    server: str, page: tuple[object, Watch], shots: Path, data: ModuleType, traced_store: Path, tmp_path: Path
) -> None:
    pg, watch = page
    hid = data.HOSTILE_ID
    urls = [
        f"/articles/{quote(hid, safe='')}",
        f"/api/articles/{quote(hid, safe='')}",
        f"/search?q={quote(data.XSS_TITLE, safe='')}",
        f"/search?q={quote('window.__xss', safe='')}",
        f"/links/{quote(hid, safe='')}/harbor-fire-wire",
    ]
    for url in urls:
        resp = pg.goto(server + url)  # type: ignore[attr-defined]
        assert resp.status in (200, 404), url
        _assert_inert(pg, watch)
    pg.goto(server + f"/articles/{quote(hid, safe='')}")  # type: ignore[attr-defined]
    assert data.XSS_TITLE in pg.inner_text("h1")  # type: ignore[attr-defined]  # shown as text
    _shot(pg, shots, "05-hostile-article")
    # The story that holds the hostile copy, and each of its links side by side.
    pg.click("a[href^='/stories/']")  # type: ignore[attr-defined]
    pg.wait_for_selector("svg.graph")  # type: ignore[attr-defined]
    _assert_inert(pg, watch)
    hrefs = pg.eval_on_selector_all("a[href^='/link?']", "els => els.map(e => e.getAttribute('href'))")  # type: ignore[attr-defined]
    assert hrefs
    for href in sorted(set(hrefs)):
        pg.goto(server + href)  # type: ignore[attr-defined]
        _assert_inert(pg, watch)
    # The self-contained report file, opened from disk, holds the same texts and runs nothing either.
    with Store(traced_store, read_only=True) as st:
        report = write_report(st, tmp_path / "report.html")
    pg.goto(report.as_uri())  # type: ignore[attr-defined]
    pg.eval_on_selector_all("details", "els => els.forEach(e => e.open = true)")  # type: ignore[attr-defined]
    _assert_inert(pg, watch)
    _shot(pg, shots, "06-report")
