"""Rate limits: counted in the database (`hit`), so they hold across any number of app processes, or in the
process (`Throttle`), where a shared counter row would sit on a hot path.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
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


class Throttle:
    """A limit of `limit` attempts per `window` for each key, counted in this process only (GCRA: one number per
    key, the moment its budget is whole again; no timer, no lock, no database).

    A burst of up to `limit` attempts passes at once; after that one attempt per `window / limit`. A refused
    attempt costs the key nothing. Keys idle for a window are forgotten, so the memory held is bounded by the keys
    active within one window. Times are whole nanoseconds, so that a burst adds up exactly.
    """

    def __init__(self, limit: int, window: timedelta) -> None:
        self.window = int(window.total_seconds() * 1e9)
        self.interval = self.window // limit
        self._due: dict[Hashable, int] = {}  # key -> when its budget is whole again (ns since the epoch)
        self._next_sweep = 0

    def take(self, key: Hashable) -> int:
        """Count one attempt for `key`: 0 if it passes, else the seconds to wait before one would."""
        now = int(utcnow().timestamp() * 1e9)
        if now >= self._next_sweep:
            self._due = {known: due for known, due in self._due.items() if due > now}
            self._next_sweep = now + self.window
        due = max(self._due.get(key, now), now) + self.interval
        if due - now > self.window:
            return max(1, math.ceil((due - self.window - now) / 1e9))
        self._due[key] = due
        return 0

    def give_back(self, key: Hashable) -> None:
        """Undo one counted attempt of `key` (it turned out to be no new attempt)."""
        if key in self._due:
            self._due[key] -= self.interval
