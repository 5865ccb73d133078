"""How the web app reads its store: one kept read-only connection, a cursor per request, the store's summary.

Opening a DuckDB file (connect, settings, schema check) costs milliseconds; a cursor on an open connection costs
~25 µs. So one read-only connection is held while requests keep coming and each request reads through its own
cursor of it (a DuckDB connection object must not be shared by threads at once). The connection is closed after
``keep_open_s`` idle seconds, which lets other processes (a ``trace`` run) write to the store between bursts, and
while the app itself stores a checked article. Whenever it is opened again the store's summary is rebuilt if the file
changed in between.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from fastapi import HTTPException

from newstrace.errors import StoreError
from newstrace.store import Store
from newstrace.web.summary import StoreKey, StoreSummary, store_key

log = logging.getLogger(__name__)

Summarise = Callable[[Store, StoreKey], StoreSummary]


class RWLock:
    """Many readers or one writer; a waiting writer goes before readers that arrive after it.

    DuckDB refuses a writable connection while read-only ones are open in the process, so the storing step of a
    check waits for the readers to leave. Without the writer's priority a steady stream of page views would keep
    it waiting forever.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0

    @contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            try:
                while self._writer or self._readers:
                    self._cond.wait()
            finally:
                self._writers_waiting -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


class CursorStore(Store):
    """The Store API over one cursor of an already open store: no connect, no settings, no schema check."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection, opened: Store) -> None:
        # Store.__init__ is skipped on purpose: ``opened`` already did all of it for the same file.
        self.path = opened.path
        self.config = opened.config
        self.con = cursor


class StoreAccess:
    """Read-only access per request (cursor + summary), a slot among readers, and the store to oneself for writes."""

    def __init__(self, path: Path, keep_open_s: float, summarise: Summarise) -> None:
        self.path = path
        self.keep_open_s = keep_open_s
        self._summarise = summarise
        self._lock = RWLock()  # this process's connection: requests read, writes need it closed
        self._others = RWLock()  # other processes (check workers): read-only ones, or the one that writes
        self._mutex = threading.Lock()  # guards the fields below
        self._opened: Store | None = None
        self._summary: StoreSummary | None = None
        self._last_used = 0.0
        self._timer: threading.Timer | None = None

    def _current(self) -> tuple[Store, StoreSummary]:
        # Called with the read lock held, so no writer can close the connection meanwhile.
        with self._mutex:
            if self._opened is None:
                try:
                    self._opened = Store(self.path, read_only=True)
                except StoreError as exc:
                    raise HTTPException(503, f"store unavailable: {exc}") from exc
            key = store_key(self.path)
            if self._summary is None or self._summary.key != key:
                t = time.perf_counter()
                self._summary = self._summarise(self._opened, key)
                log.info("store summary built in %.1f ms (%d articles, %d links, %d stories)",
                         1000 * (time.perf_counter() - t), len(self._summary.article_ids), len(self._summary.links),
                         len(self._summary.stories))  # fmt: skip
            return self._opened, self._summary

    @contextmanager
    def read(self) -> Iterator[tuple[Store, StoreSummary]]:
        """A store for one request (its own cursor) and the summary of the store's current version."""
        with self._lock.read():
            opened, summary = self._current()
            with self._mutex:  # creating a cursor touches the shared connection object
                cursor = opened.con.cursor()
            try:
                yield CursorStore(cursor, opened), summary
            finally:
                cursor.close()
                self._touch()

    def summary(self) -> StoreSummary:
        """The summary alone (for pages that need nothing else from the store)."""
        with self._lock.read():
            summary = self._current()[1]
        self._touch()
        return summary

    def refresh(self) -> None:
        """Open the store and bring the summary up to date now (after a write), so that no request waits for it."""
        self.summary()

    @contextmanager
    def shared(self) -> Iterator[None]:
        """For work that opens the store read-only in another process (a check): no writer meanwhile.

        Page views do not wait for it: a storing check waits for these to finish before it takes the store.
        """
        with self._others.read():
            yield

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """The store to oneself (no connection open here or in a check worker), for the storing step of a check."""
        with self._others.write(), self._lock.write():
            self._close_opened()
            yield

    def _touch(self) -> None:
        with self._mutex:
            self._last_used = time.monotonic()
            self._schedule(self.keep_open_s)

    def _schedule(self, delay: float) -> None:
        # Called with the mutex held.
        if self._timer is None and self._opened is not None:
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
            self._close_opened()

    def _close_opened(self) -> None:
        # Called with the write lock held: no cursor is in use (closing the connection closes its cursors).
        with self._mutex:
            if self._opened is not None:
                self._opened.close()
                self._opened = None

    def close(self) -> None:
        """Close the connection and stop the idle timer (app shutdown)."""
        with self._mutex:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        with self._lock.write():
            self._close_opened()
