"""Checks submitted to the web app: a few at a time, in worker processes, never in the way of page views.

A check aligns one article against the store: seconds of pure-Python work. Run on the request thread pool it would
hold the GIL and starve every page view, and a burst of checks would queue without bound. So a ``CheckRunner`` admits
at most ``workers`` running and ``queue`` waiting checks; one more is refused at once (``CheckBusy``, answered 503 with
``Retry-After``). Admitted checks run in worker processes started once (the sentence encoder stays loaded) at a lower
CPU priority, so the two cores go to page views first.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import logging
import math
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class CheckBusy(Exception):
    """All check slots are taken; try again after ``retry_after_s`` seconds."""

    def __init__(self, retry_after_s: int, detail: str) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s
        self.detail = detail


def _lower_priority(nice: int) -> None:
    # Worker process initialiser: page views in the server process get the CPU first.
    if nice and hasattr(os, "nice"):
        try:
            os.nice(nice)
        except OSError as exc:  # not allowed here: run at normal priority
            log.warning("check worker keeps its priority: %s", exc)


def _log_warm_up(future: cf.Future[object]) -> None:
    exc = None if future.cancelled() else future.exception()
    if exc is not None:
        log.warning("check worker warm-up failed (the first check will load what it needs): %s", exc)
    else:
        log.info("check worker ready")


class CheckRunner:
    """Bounded, off-loop execution of checks: ``workers`` at once, ``queue`` more waiting, the rest refused."""

    def __init__(self, *, workers: int, queue: int, processes: bool, nice: int, first_estimate_s: float) -> None:
        if workers < 1 or queue < 0:
            raise ValueError(f"check workers must be >= 1 and queue >= 0, got {workers} and {queue}")
        self.workers = workers
        self.queue = queue
        self.processes = processes
        self.nice = nice
        # Each admitted check holds one thread here while it runs or waits (the thread only waits on the process).
        self._threads = cf.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="check")
        self._procs: cf.ProcessPoolExecutor | None = None
        self._mutex = threading.Lock()  # guards the fields below
        self._admitted = 0
        self._mean_s = first_estimate_s  # moving average of a check's duration, for Retry-After
        self.done = 0
        self.refused = 0

    # -- in the check thread -------------------------------------------------------------------------------------
    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn`` in a worker process (or here, without processes) and wait for it; picklable ``fn`` only."""
        if not self.processes:
            return fn(*args, **kwargs)
        pool = self._pool()
        try:
            return pool.submit(fn, *args, **kwargs).result()
        except BrokenProcessPool as exc:
            # A worker died (killed, out of memory): the next check starts a fresh pool.
            with self._mutex:
                if self._procs is pool:
                    self._procs = None
            pool.shutdown(wait=False, cancel_futures=True)
            raise CheckBusy(1, "the check worker stopped; try again") from exc

    def _pool(self) -> cf.ProcessPoolExecutor:
        with self._mutex:
            if self._procs is None:
                # spawn, not fork: the server process has DuckDB and uvicorn threads that a fork would copy mid-state.
                self._procs = cf.ProcessPoolExecutor(
                    max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                    initializer=_lower_priority, initargs=(self.nice,),
                )  # fmt: skip
            return self._procs

    def warm_up(self, fn: Callable[..., object], *args: Any) -> None:
        """Start the worker processes now and run ``fn`` in one (e.g. load the encoder), without taking a slot."""
        if not self.processes:
            return
        future = self._pool().submit(fn, *args)
        future.add_done_callback(_log_warm_up)

    # -- on the event loop -----------------------------------------------------------------------------------------
    def retry_after_s(self) -> int:
        """Seconds until a waiting slot is likely free again: a check's mean duration spread over the workers.

        Not the time until the whole queue has drained: clients that come back as soon as one slot frees keep the
        queue fed, so the workers never idle while checks are being refused.
        """
        with self._mutex:
            return max(1, min(120, math.ceil(self._mean_s / self.workers)))

    async def run(self, job: Callable[[], T]) -> T:
        """Run ``job`` (which calls ``call``) in a check thread if a slot is free, else raise ``CheckBusy``."""
        with self._mutex:
            full = self._admitted >= self.workers + self.queue
            if not full:
                self._admitted += 1
            else:
                self.refused += 1
        if full:
            raise CheckBusy(self.retry_after_s(), f"{self.workers + self.queue} checks are running or waiting")
        t = time.monotonic()

        def timed() -> T:
            started = time.monotonic()
            try:
                return job()
            finally:
                self._finished(time.monotonic() - started)

        try:
            future = self._threads.submit(timed)
        except BaseException:
            self._release()
            raise
        # The slot is given back when the job ends, even if the client went away and this await was cancelled.
        future.add_done_callback(lambda _f: self._release())
        result = await asyncio.wrap_future(future)
        log.debug("check done in %.2f s (queued and run)", time.monotonic() - t)
        return result

    def _finished(self, seconds: float) -> None:
        with self._mutex:
            self.done += 1
            self._mean_s = seconds if self.done == 1 else 0.8 * self._mean_s + 0.2 * seconds

    def _release(self) -> None:
        with self._mutex:
            self._admitted -= 1

    def close(self) -> None:
        """Stop taking checks; queued ones are cancelled, running ones finish in their process."""
        self._threads.shutdown(wait=False, cancel_futures=True)
        with self._mutex:
            pool, self._procs = self._procs, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
