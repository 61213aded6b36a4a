"""Listings: a page of events costs the same number of queries however many events it holds."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from events.models import FeedCache
from server.clock import utcnow
from tests.events.support import organiser, published_event, register

Facts = tuple[int | None, int, list[int | None]]  # capacity, waiting list's length, seats left per ticket type


async def varied_event(client: httpx.AsyncClient, headers: dict[str, str], org_id: int, n: int) -> Facts:
    """An event of one of four shapes: unlimited, a capacity with a full house and one waiting, a second ticket
    type under its own quota, or a second ticket type without any quota."""
    if n % 4 == 0:
        await published_event(client, headers, org_id)
        return None, 0, [None]
    event_id = await published_event(client, headers, org_id, capacity=1 if n % 4 == 1 else 5)
    if n % 4 == 1:
        for i in range(2):
            assert (await register(client, event_id, f"p{n}-{i}@x.cn")).status_code == 201
        return 1, 1, [0]
    extra = await client.post(
        f"/api/v1/events/{event_id}/ticket-types", json={"name": {"zh": "企业代表"}}, headers=headers
    )
    assert extra.status_code == 201, extra.text
    if n % 4 == 3:
        return 5, 0, [5, 5]
    quota = {"name": "企业代表上限", "size": 2, "ticket_types": [extra.json()["id"]]}
    assert (await client.post(f"/api/v1/events/{event_id}/quotas", json=quota, headers=headers)).status_code == 201
    return 5, 0, [5, 2]


async def queries(client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, url: str, **options: object) -> int:
    """How many statements the database client ran to answer a GET (Tortoise logs each at DEBUG)."""
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
        answer = await client.get(url, **options)  # type: ignore[arg-type]
    assert answer.status_code == 200, answer.text
    return len([record for record in caplog.records if record.name == "tortoise.db_client"])


async def test_a_page_of_twenty_events_costs_the_same_queries_as_two(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    headers, org_id = await organiser(client)
    urls: list[tuple[str, dict[str, object]]] = [
        ("/api/v1/events", {"params": {"per_page": 20}}),
        (f"/api/v1/organisations/{org_id}/events", {"params": {"per_page": 20}, "headers": headers}),
        ("/api/v1/calendar.ics", {}),
    ]
    expected = [await varied_event(client, headers, org_id, n) for n in range(2)]
    await FeedCache.all().delete()  # the feed is built, not served from the stored bytes, in both counts
    few = [await queries(client, caplog, url, **options) for url, options in urls]
    expected += [await varied_event(client, headers, org_id, n) for n in range(2, 20)]
    await FeedCache.all().delete()
    many = [await queries(client, caplog, url, **options) for url, options in urls]
    assert many == few and all(count > 0 for count in few)
    page = (await client.get("/api/v1/events", params={"per_page": 20})).json()
    assert page["total"] == 20
    listed = [(e["capacity"], e["waitlist_length"], [t["available"] for t in e["ticket_types"]]) for e in page["items"]]
    assert sorted(listed, key=repr) == sorted(expected, key=repr)
    one = (await client.get(f"/api/v1/events/{page['items'][1]['id']}")).json()
    assert one == page["items"][1]


async def test_a_date_filter_in_the_city_zone_keeps_an_event_that_ends_just_after_midnight(
    client: httpx.AsyncClient,
) -> None:
    headers, org_id = await organiser(client)
    day = (utcnow() + timedelta(days=10)).date()
    # 22:30–00:30 in Jinan: it reaches into the next day there, though in UTC it is all on the day before.
    starts = datetime(day.year, day.month, day.day, 14, 30, tzinfo=UTC)
    event_id = await published_event(
        client, headers, org_id, starts_at=starts, ends_at=(starts + timedelta(hours=2)).isoformat()
    )
    next_day = (day + timedelta(days=1)).isoformat()
    found = await client.get("/api/v1/events", params={"from": next_day, "to": next_day})
    assert [event["id"] for event in found.json()["items"]] == [event_id]
