"""Rate limits counted in the database, so they hold across any number of app processes."""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.expressions import F

from server.clock import utcnow
from server.errors import RateLimited
from server.models import RateLimitBucket


async def hit(key: str, *, limit: int, window: timedelta) -> None:
    """Count one attempt for `key`; raise RateLimited when `limit` attempts already fall in this window.

    The count only grows through one guarded UPDATE (`count < limit`), so concurrent attempts from
    several processes can never pass more than `limit` times per window.
    """
    now = utcnow()
    start = _window_start(now, window)
    await RateLimitBucket.bulk_create([RateLimitBucket(key=key, window_start=start, count=0)], ignore_conflicts=True)
    passed = await RateLimitBucket.filter(key=key, window_start=start, count__lt=limit).update(count=F("count") + 1)
    if not passed:
        raise RateLimited(retry_after=max(1, int((start + window - now).total_seconds())))


async def refund(key: str, *, window: timedelta) -> None:
    """Give back one attempt counted for `key` in the current window (one that turned out to be no abuse)."""
    start = _window_start(utcnow(), window)
    await RateLimitBucket.filter(key=key, window_start=start, count__gt=0).update(count=F("count") - 1)


async def reset(key: str) -> None:
    await RateLimitBucket.filter(key=key).delete()


def _window_start(now: datetime, window: timedelta) -> datetime:
    seconds = int(window.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)
