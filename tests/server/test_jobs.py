"""Periodic jobs: they run at start, keep running after a failure, and hourly ones run once an hour in all."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from server import jobs
from server.clock import utcnow
from server.models import JobRun


async def test_periodic_jobs_keep_running_after_a_failure() -> None:
    rounds: list[int] = []

    async def flaky() -> None:
        rounds.append(len(rounds))
        if len(rounds) == 1:
            raise RuntimeError("first round fails")

    job = asyncio.create_task(jobs.every(0.01, flaky))
    while len(rounds) < 3:
        await asyncio.sleep(0.01)
    job.cancel()
    assert rounds[:3] == [0, 1, 2]


async def test_an_hourly_job_runs_as_soon_as_the_process_starts() -> None:
    ran = asyncio.Event()

    async def work() -> None:
        ran.set()

    job = asyncio.create_task(jobs.every(3600, work))
    await asyncio.wait_for(ran.wait(), timeout=2)
    job.cancel()


async def test_of_several_processes_one_runs_the_hourly_job_each_hour(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[str] = []

    async def work() -> None:
        runs.append("purged")

    processes = [jobs.once_an_hour("retention", work) for _ in range(3)]
    assert sorted(await asyncio.gather(*(process() for process in processes))) == [False, False, True]
    assert await processes[0]() is False
    later = utcnow() + timedelta(hours=1)
    monkeypatch.setattr(jobs, "utcnow", lambda: later)
    assert sorted(await asyncio.gather(*(process() for process in processes))) == [False, False, True]
    assert runs == ["purged", "purged"]
    assert await JobRun.filter(job="retention").count() == 2
