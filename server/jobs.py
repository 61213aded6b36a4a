"""Periodic jobs: each runs when the process starts and then every interval; the hourly ones at most once an
hour across every process that shares the database."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from tortoise.exceptions import IntegrityError

from server.clock import utcnow
from server.models import JobRun

log = logging.getLogger("quancheng.jobs")


async def every(seconds: float, work: Callable[[], Awaitable[object]]) -> None:
    """Run `work` now and then every `seconds` until cancelled; a failure is logged and the next round runs anyway.

    Running at once matters: a process restarted more often than `seconds` would otherwise never run it.
    """
    while True:
        try:
            await work()
        except Exception:
            log.exception("periodic job %s failed", getattr(work, "__name__", work))
        await asyncio.sleep(seconds)


def once_an_hour(job: str, work: Callable[[], Awaitable[object]]) -> Callable[[], Awaitable[bool]]:
    """`work` guarded so that, of all processes, the first to claim the current hour's row runs it and the others
    skip it; answers whether this call ran it. A run that fails keeps its claim: the next hour tries again."""

    async def guarded() -> bool:
        hour = utcnow().replace(minute=0, second=0, microsecond=0)
        try:
            await JobRun.create(job=job, hour=hour)
        except IntegrityError:
            return False
        await work()
        return True

    guarded.__name__ = job
    return guarded
