"""The response cache: bounded in bytes, least recently used out, never an answer of an older store version."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from newstrace.config import WebConfig
from newstrace.web import create_app
from newstrace.web.cache import CachedResponse, ResponseCache


def _response(n: int) -> CachedResponse:
    return CachedResponse(200, ((b"content-type", b"text/html"),), b"x" * n)


def test_least_recently_used_goes_first_and_the_bound_holds() -> None:
    size = _response(100).size
    cache = ResponseCache(max_bytes=3 * size, max_entry_bytes=10 * size)
    assert cache.get(1, "a") is None  # as in the middleware: a lookup under the current version comes first
    for key in "abc":
        assert cache.put(1, key, _response(100))
    assert cache.get(1, "a") is not None  # "a" is now the most recently used
    assert cache.put(1, "d", _response(100))
    assert cache.get(1, "b") is None and cache.get(1, "a") is not None and len(cache) == 3


def test_a_new_version_drops_everything_and_stale_answers_are_not_kept() -> None:
    cache = ResponseCache(max_bytes=10_000, max_entry_bytes=10_000)
    assert cache.get("v0", "a") is None
    assert cache.put("v0", "a", _response(10)) and cache.get("v0", "a") is not None
    assert cache.get("v1", "a") is None  # the store changed: the old answer is gone
    assert not cache.put("v0", "a", _response(10))  # made before the change: never kept under the new version
    assert cache.get("v1", "a") is None
    assert cache.put("v1", "a", _response(10)) and cache.get("v1", "a") is not None


def test_answers_too_big_are_not_kept() -> None:
    cache = ResponseCache(max_bytes=10_000, max_entry_bytes=500)
    assert cache.get(1, "big") is None
    assert not cache.put(1, "big", _response(1_000))
    assert cache.get(1, "big") is None and len(cache) == 0


def test_app_gives_a_repeated_page_from_the_cache_with_its_headers(hand_store_path: Path) -> None:
    with TestClient(create_app(hand_store_path)) as c:
        responses = c.app.state.responses  # type: ignore[attr-defined]
        first = c.get("/articles")
        second = c.get("/articles")
        assert first.status_code == second.status_code == 200 and first.text == second.text
        assert responses.hits == 1
        assert second.headers["content-type"] == first.headers["content-type"]
        assert "default-src 'none'" in second.headers["content-security-policy"]
        # Errors are not kept: an unknown article is looked up again each time.
        assert c.get("/articles/nope").status_code == 404 and c.get("/articles/nope").status_code == 404
        assert responses.hits == 1
    with TestClient(create_app(hand_store_path, config=WebConfig(response_cache_bytes=0))) as c:
        c.get("/articles")
        c.get("/articles")
        assert c.app.state.responses.hits == 0  # type: ignore[attr-defined]
