"""Rate limits hold under concurrency because the count grows by one guarded UPDATE."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from server import ratelimit
from server.clock import utcnow
from server.errors import RateLimited
from server.models import RateLimitBucket


async def _attempt(key: str) -> bool:
    try:
        await ratelimit.hit(key, limit=10, window=timedelta(minutes=15))
    except RateLimited:
        return False
    return True


async def test_concurrent_attempts_never_pass_the_limit(db: str) -> None:
    results = await asyncio.gather(*(_attempt("test:burst") for _ in range(40)))
    assert results.count(True) == 10
    assert (await RateLimitBucket.get(key="test:burst")).count == 10


async def test_reset_starts_the_count_again(db: str) -> None:
    for _ in range(10):
        assert await _attempt("test:reset")
    with pytest.raises(RateLimited) as caught:
        await ratelimit.hit("test:reset", limit=10, window=timedelta(minutes=15))
    assert 0 < caught.value.retry_after <= 900
    await ratelimit.reset("test:reset")
    assert await _attempt("test:reset")


def test_the_throttle_passes_a_burst_refuses_beyond_it_and_forgets_keys_idle_for_a_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = utcnow()
    clock = [now]
    monkeypatch.setattr(ratelimit, "utcnow", lambda: clock[0])
    throttle = ratelimit.Throttle(3, timedelta(minutes=10))
    assert [throttle.take("busy") for _ in range(4)] == [0, 0, 0, 200]
    throttle.give_back("busy")
    assert [throttle.take("busy") for _ in range(2)] == [0, 200]
    for n in range(1000):
        assert throttle.take(("idle", n)) == 0
    clock[0] = now + timedelta(minutes=10, seconds=1)
    assert throttle.take("new") == 0
    assert list(throttle._due) == ["new"]  # the memory held is the keys active within the last window
