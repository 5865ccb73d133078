"""Whole responses to page views and JSON reads, kept per store version.

A read's answer depends only on its path, its query string and the store's content, and the store changes only when
a check stores an article (or another process writes it). So a successful GET answer is kept, keyed by path and
query, and given again without routing, validation, DuckDB or rendering until the store's version changes. Under
load this is what keeps reads cheap: a repeated page costs the HTTP parsing and nothing else.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass(frozen=True, slots=True)
class CachedResponse:
    """One complete HTTP answer: status, headers and body."""

    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 64


class ResponseCache:
    """Responses by request key for one store version, least recently used first out, bounded in bytes.

    Entries of an older version are never given: the first lookup under a new version drops them all.
    """

    def __init__(self, max_bytes: int, max_entry_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.max_entry_bytes = min(max_entry_bytes, max_bytes)
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, CachedResponse] = OrderedDict()
        self._version: Hashable = None
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    def _switch(self, version: Hashable) -> None:
        # Called with the lock held.
        if version != self._version:
            self._entries.clear()
            self._bytes = 0
            self._version = version

    def get(self, version: Hashable, key: Hashable) -> CachedResponse | None:
        """The kept answer for ``key`` under ``version``, or None."""
        with self._lock:
            self._switch(version)
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found

    def put(self, version: Hashable, key: Hashable, response: CachedResponse) -> bool:
        """Keep ``response`` if it was made under the version of the last lookup and fits; say whether it was kept."""
        size = response.size
        if size > self.max_entry_bytes:
            return False
        with self._lock:
            if version != self._version:
                return False  # the store changed while this answer was being made: it may be stale
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            self._entries[key] = response
            self._bytes += size
            while self._bytes > self.max_bytes and self._entries:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= dropped.size
            return True

    def __len__(self) -> int:
        return len(self._entries)


class ResponseCacheMiddleware:
    """Answers a GET from the cache when the store's version is unchanged; keeps successful GET answers.

    ``version`` is called once per GET (a ``stat`` of the store file); an answer is kept under the version read
    before it was made, so an answer made while the store changed is never given for the new version.
    """

    def __init__(self, app: ASGIApp, cache: ResponseCache, version: Callable[[], Hashable]) -> None:
        self.app = app
        self.cache = cache
        self.version = version

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or self.cache.max_bytes <= 0:
            await self.app(scope, receive, send)
            return
        version = self.version()
        key = (scope["path"], scope.get("query_string", b""))
        hit = self.cache.get(version, key)
        if hit is not None:
            await send({"type": "http.response.start", "status": hit.status, "headers": list(hit.headers)})
            await send({"type": "http.response.body", "body": hit.body})
            return

        status = 0
        headers: tuple[tuple[bytes, bytes], ...] = ()
        chunks: list[bytes] = []
        size = 0
        keep = True

        async def capture(message: Message) -> None:
            nonlocal status, headers, keep, size
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = tuple((bytes(k), bytes(v)) for k, v in message.get("headers", []))
                # Only plain successes are kept: errors (a 503 while the store is busy, a 404) may change any time.
                keep = status == 200 and not any(k.lower() == b"cache-control" and b"no-store" in v for k, v in headers)
            elif message["type"] == "http.response.body" and keep:
                chunks.append(bytes(message.get("body", b"")))
                size += len(chunks[-1])
                if size > self.cache.max_entry_bytes:
                    keep = False  # too big to keep: stop collecting it
                    chunks.clear()
                elif not message.get("more_body", False):
                    self.cache.put(version, key, CachedResponse(status, headers, b"".join(chunks)))
            await send(message)

        await self.app(scope, receive, capture)
