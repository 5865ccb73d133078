"""The check runner: bounded admission with Retry-After, slots given back, checks in a lower-priority process."""

from __future__ import annotations

import asyncio
import os
import threading

import pytest

from newstrace.web.checks import CheckBusy, CheckRunner


def _runner(workers: int = 1, queue: int = 1, processes: bool = False) -> CheckRunner:
    return CheckRunner(workers=workers, queue=queue, processes=processes, nice=5, first_estimate_s=3.0)


def test_admits_workers_plus_queue_then_refuses_with_retry_after() -> None:
    runner = _runner(workers=1, queue=1)
    release = threading.Event()

    def job() -> str:
        assert release.wait(10)
        return "done"

    async def scenario() -> None:
        first = asyncio.ensure_future(runner.run(job))
        second = asyncio.ensure_future(runner.run(job))
        await asyncio.sleep(0.05)
        with pytest.raises(CheckBusy) as busy:
            await runner.run(job)
        assert busy.value.retry_after_s >= 1 and "2 checks" in busy.value.detail
        assert runner.refused == 1
        release.set()
        assert await first == "done" and await second == "done"
        # The slots are free again.
        assert await runner.run(lambda: "again") == "again"

    try:
        asyncio.run(scenario())
    finally:
        release.set()
        runner.close()
    assert runner.done == 3


def test_a_failing_check_gives_its_slot_back() -> None:
    runner = _runner(workers=1, queue=0)

    def boom() -> None:
        raise ValueError("bad article")

    async def scenario() -> None:
        for _ in range(3):  # with one slot, a leaked slot would refuse the second attempt
            with pytest.raises(ValueError, match="bad article"):
                await runner.run(boom)

    try:
        asyncio.run(scenario())
    finally:
        runner.close()


def test_a_cancelled_wait_frees_the_slot_when_the_check_ends() -> None:
    runner = _runner(workers=1, queue=0)
    release = threading.Event()

    async def scenario() -> None:
        waiting = asyncio.ensure_future(runner.run(lambda: release.wait(10)))
        await asyncio.sleep(0.05)
        waiting.cancel()  # the client went away; the running check still holds the worker
        with pytest.raises(CheckBusy):
            await runner.run(lambda: None)
        release.set()
        for _ in range(100):
            await asyncio.sleep(0.02)
            try:
                await runner.run(lambda: None)
                return
            except CheckBusy:
                continue
        raise AssertionError("the slot was never given back")

    try:
        asyncio.run(scenario())
    finally:
        release.set()
        runner.close()


def test_retry_after_follows_the_measured_check_time() -> None:
    runner = _runner(workers=2, queue=2)
    assert runner.retry_after_s() == 2  # first estimate 3 s spread over 2 workers, rounded up
    runner._finished(10.0)
    assert runner.retry_after_s() == 5


@pytest.mark.skipif(not hasattr(os, "nice"), reason="process priorities are POSIX")
def test_checks_run_in_a_worker_process_at_lower_priority() -> None:
    runner = _runner(processes=True)
    try:
        assert runner.call(os.getpid) != os.getpid()
        assert runner.call(os.nice, 0) == min(19, os.nice(0) + 5)
    finally:
        runner.close()


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="workers must be >= 1"):
        CheckRunner(workers=0, queue=1, processes=False, nice=0, first_estimate_s=1.0)
