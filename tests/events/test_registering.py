"""Creating registrations: the abuse limit per client address and event (docs/architecture.md#abuse-limits)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

import httpx
import pytest

from events.models import Registration
from server import ratelimit
from server.app import create_app
from server.clock import utcnow
from server.settings import Settings
from tests.events.support import organiser, published_event, register


@asynccontextmanager
async def from_address(settings: Settings, host: str, **limits: int) -> AsyncIterator[httpx.AsyncClient]:
    """A client at `host` talking to an app with the given registration limit settings."""
    app = create_app(settings.model_copy(update=limits), manage_database=False)
    transport = httpx.ASGITransport(app=app, client=(host, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def an_event(client: httpx.AsyncClient, **fields: object) -> int:
    headers, org_id = await organiser(client)
    return await published_event(client, headers, org_id, capacity=5, **fields)


async def test_over_the_limit_an_address_is_told_429_with_retry_after_in_both_languages(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    event_id = await an_event(client)
    async with (
        from_address(settings, "203.0.113.7", REGISTRATION_LIMIT_PER_CLIENT=3) as office,
        from_address(settings, "198.51.100.9", REGISTRATION_LIMIT_PER_CLIENT=3) as elsewhere,
    ):
        assert [(await register(office, event_id, f"p{i}@x.cn")).status_code for i in range(3)] == [201] * 3
        refused = await register(office, event_id, "p3@x.cn")
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 200  # one attempt back every 600 s / 3
        assert refused.json()["title"] == "您所在网络对本活动的报名尝试过多" and refused.json()["errors"] == []
        assert f"{refused.headers['Retry-After']} 秒后重试" in refused.json()["detail"]
        english = await office.post(
            f"/api/v1/events/{event_id}/registrations",
            json={"email": "p4@x.cn", "name": "p4", "privacy_notice_version": 0},
            headers={"Accept-Language": "en"},
        )
        assert english.status_code == 429
        assert english.json()["title"] == "Too many registrations from your network for this event"
        assert (await register(elsewhere, event_id, "p3@x.cn")).status_code == 201  # another address: its own limit
    assert await Registration.filter(event_id=event_id).count() == 4


async def test_a_replay_of_an_idempotency_key_does_not_count_and_passes_over_the_limit(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    event_id = await an_event(client)
    body = {"email": "same@x.cn", "name": "same", "privacy_notice_version": 0}
    path = f"/api/v1/events/{event_id}/registrations"
    async with from_address(settings, "203.0.113.7", REGISTRATION_LIMIT_PER_CLIENT=2) as office:
        first = await office.post(path, json=body, headers={"Idempotency-Key": "key-00001"})
        for _ in range(3):
            again = await office.post(path, json=body, headers={"Idempotency-Key": "key-00001"})
            assert (again.status_code, again.json()["id"]) == (201, first.json()["id"])
        assert (await register(office, event_id, "second@x.cn")).status_code == 201  # the second counted attempt
        over = await office.post(path, json=body, headers={"Idempotency-Key": "key-00001"})
        assert (over.status_code, over.json()["id"]) == (201, first.json()["id"])  # over the limit, still replayed
        fresh = await office.post(path, json={**body, "email": "third@x.cn"}, headers={"Idempotency-Key": "key-00002"})
        assert fresh.status_code == 429
    assert await Registration.filter(event_id=event_id).count() == 2


async def test_an_office_nat_of_300_passes_within_the_default_and_a_script_does_not(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    event_id = await an_event(client)
    now = utcnow()
    monkeypatch.setattr(ratelimit, "utcnow", lambda: now)  # all within one moment: no attempt comes back meanwhile
    office = await asyncio.gather(*(register(client, event_id, f"colleague{i}@office.cn") for i in range(300)))
    assert [answer.status_code for answer in office] == [201] * 300
    script = await asyncio.gather(*(register(client, event_id, f"bot{i}@spam.cn") for i in range(250)))
    codes = [answer.status_code for answer in script]
    assert (codes.count(201), codes.count(429)) == (200, 50)  # the default: 500 per address and event in 10 min
    assert await Registration.filter(event_id=event_id).count() == 500


async def test_the_limit_of_one_event_leaves_other_events_alone(client: httpx.AsyncClient, settings: Settings) -> None:
    headers, org_id = await organiser(client)
    busy, other = [await published_event(client, headers, org_id, capacity=5) for _ in range(2)]
    async with from_address(settings, "203.0.113.7", REGISTRATION_LIMIT_PER_CLIENT=2) as office:
        assert [(await register(office, busy, f"p{i}@x.cn")).status_code for i in range(3)] == [201, 201, 429]
        assert [(await register(office, other, f"p{i}@x.cn")).status_code for i in range(3)] == [201, 201, 429]


async def test_the_limit_comes_back_with_time(
    client: httpx.AsyncClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    event_id = await an_event(client)
    now = utcnow()
    clock: list[datetime] = [now]
    monkeypatch.setattr(ratelimit, "utcnow", lambda: clock[0])
    async with from_address(
        settings, "203.0.113.7", REGISTRATION_LIMIT_PER_CLIENT=2, REGISTRATION_LIMIT_WINDOW=600
    ) as office:
        assert [(await register(office, event_id, f"a{i}@x.cn")).status_code for i in range(3)] == [201, 201, 429]
        clock[0] = now + timedelta(seconds=299)
        assert (await register(office, event_id, "b0@x.cn")).status_code == 429
        clock[0] = now + timedelta(seconds=300)  # one attempt back every 600 s / 2
        assert [(await register(office, event_id, f"b{i}@x.cn")).status_code for i in range(2)] == [201, 429]
        clock[0] = now + timedelta(seconds=300 + 600)  # a whole window later: the whole burst again
        assert [(await register(office, event_id, f"c{i}@x.cn")).status_code for i in range(3)] == [201, 201, 429]


async def test_with_the_limit_off_an_address_is_never_refused(client: httpx.AsyncClient, settings: Settings) -> None:
    event_id = await an_event(client)
    async with from_address(settings, "203.0.113.7", REGISTRATION_LIMIT_PER_CLIENT=0) as office:
        codes = [(await register(office, event_id, f"p{i}@x.cn")).status_code for i in range(20)]
    assert codes == [201] * 20
