"""Races on PostgreSQL: concurrent registrations, overlapping quotas, cancellations and offer acceptances.

Each proof has a negative control, as pretix's concurrency tests do: the same race with the guarded update
replaced by read-then-write shows the overbooking that the guard prevents.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from typing import Any

import asyncpg
import httpx
import pytest

from events import capacity, registering
from events.capacity import QuotaMap, QuotaRef
from events.models import Quota, QuotaHold, Registration, RegistrationStatus
from notifications.models import OutboxMessage
from tests.events.support import organiser, published_event, register


@pytest.fixture(autouse=True)
def postgres_only(database: str) -> None:
    if not database.startswith("postgres"):
        pytest.skip("concurrency is proven on PostgreSQL; SQLite serialises every writer")


async def read_then_write(seq: int, quotas: list[QuotaRef]) -> QuotaRef | None:
    """The guard removed: check, pause (as pretix's sleep-after-quota-check), then write what was read. The pause
    is 10 ms: since a registration's transaction makes few statements after it, 2 ms let too few attempts read
    the same count for the overlapping quotas to overbook."""
    for quota in sorted(quotas, key=lambda q: q.id):
        current = await Quota.get(id=quota.id)
        if current.used >= current.size:
            return quota
        await asyncio.sleep(0.01)
        await Quota.filter(id=quota.id).update(used=current.used + 1)
    await QuotaHold.bulk_create([QuotaHold(quota_id=q.id, registration_id=seq) for q in quotas])
    return None


async def read_then_write_hold(registration: Registration, quotas: list[QuotaRef]) -> QuotaRef | None:
    return await read_then_write(registration.seq, quotas)


async def read_then_write_take(quotas: QuotaMap, wanted: list[tuple[int, list[QuotaRef]]]) -> list[QuotaRef | None]:
    return [await read_then_write(seq, applying) for seq, applying in wanted]


class EachAlone:
    """No group commit: every attempt is decided at once in its own transaction, so concurrent attempts race."""

    async def submit(self, event_id: int, attempt: Any) -> Any:
        (outcome,) = await registering._decide(event_id, [attempt])
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def without_the_quota_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Registrations decided one by one and concurrently, reading the quotas without their lock."""
    read = capacity.quota_map

    async def quota_map(event_id: int, *, lock: bool = False) -> QuotaMap:
        await asyncio.sleep(0.002)
        return dataclasses.replace(await read(event_id), locked=True)  # pretends, for `take`

    monkeypatch.setattr(registering, "_rush", EachAlone())
    monkeypatch.setattr(capacity, "quota_map", quota_map)


@pytest.fixture
def unguarded(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    without_the_quota_lock(monkeypatch)
    monkeypatch.setattr(capacity, "hold", read_then_write_hold)
    monkeypatch.setattr(capacity, "take", read_then_write_take)
    yield


async def rush(
    client: httpx.AsyncClient, event_id: int, count: int, prefix: str, **fields: Any
) -> list[httpx.Response]:
    return await asyncio.gather(*(register(client, event_id, f"{prefix}{i}@x.cn", **fields) for i in range(count)))


async def holding_per_quota() -> dict[int, tuple[int, int, int]]:
    """quota id -> (size, used, registrations that hold it)"""
    result = {}
    for quota in await Quota.all():
        holders = await QuotaHold.filter(
            quota_id=quota.id, registration__status__in=["pending", "confirmed", "offered"]
        ).count()
        result[quota.id] = (quota.size, quota.used, holders)
    return result


async def waitlist_positions(client: httpx.AsyncClient, event_id: int, headers: dict[str, str]) -> dict[str, int]:
    """registration id -> the place the organisers' list shows, in list (FIFO) order"""
    positions: dict[str, int] = {}
    for page in (1, 2):
        listed = await client.get(
            f"/api/v1/events/{event_id}/registrations",
            params={"status": "waitlisted", "per_page": "200", "page": str(page)},
            headers=headers,
        )
        positions |= {r["id"]: r["waitlist_position"] for r in listed.json()["items"]}
    return positions


async def told_places(answers: list[httpx.Response]) -> dict[str, int]:
    """registration id -> the place its answer told, and each the same as its waiting-list mail told"""
    made = [a.json() for a in answers if a.status_code == 201]
    told = {m["id"]: m["waitlist_position"] for m in made if m["status"] == "waitlisted"}
    mails = await OutboxMessage.filter(template="registration_waitlisted").values_list("to_addr", "context")
    emails = dict(await Registration.filter(id__in=list(told)).values_list("id", "email"))
    mailed = {to: context["waitlist_position"] for to, context in mails}
    assert {str(seq): place for seq, place in told.items()} == {
        str(registration): mailed[email] for registration, email in emails.items()
    }
    return told


@pytest.fixture
def unlocked_waiting_list(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The negative control for told places: registrations join the waiting list without the quota lock."""
    without_the_quota_lock(monkeypatch)
    yield


async def test_300_concurrent_registrations_for_50_seats(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=50)
    answers = await rush(client, event_id, 300, "p")
    assert all(a.status_code == 201 for a in answers), {a.status_code for a in answers}
    statuses = [a.json()["status"] for a in answers]
    assert (statuses.count("confirmed"), statuses.count("waitlisted")) == (50, 250)
    shown = await waitlist_positions(client, event_id, headers)
    assert list(shown.values()) == list(range(1, 251))
    assert await told_places(answers) == shown  # each told its place exactly, every place told once
    assert await holding_per_quota() == {(await Quota.get(event_id=event_id)).id: (50, 50, 50)}
    assert await capacity.drift() == []


async def test_negative_control_without_the_lock_waiting_places_are_told_twice(
    client: httpx.AsyncClient, unlocked_waiting_list: None
) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=50)
    for i in range(50):  # the seats go first, so that only the waiting list races
        await register(client, event_id, f"seated{i}@x.cn")
    answers = await rush(client, event_id, 250, "p")
    told = await told_places(answers)
    assert len(set(told.values())) < len(told), "places should have been told twice without the lock"
    assert told != await waitlist_positions(client, event_id, headers)


async def test_negative_control_without_the_guard_the_same_rush_overbooks(
    client: httpx.AsyncClient, unguarded: None
) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=50)
    answers = await rush(client, event_id, 300, "p")
    confirmed = [a for a in answers if a.status_code == 201 and a.json()["status"] == "confirmed"]
    assert len(confirmed) > 50
    assert await capacity.drift() != []


async def overlapping(client: httpx.AsyncClient) -> tuple[dict[str, str], int, int, int]:
    """60 seats in all; enterprise representatives at most 20 of them."""
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=60)
    general = (await client.get(f"/api/v1/events/{event_id}/ticket-types")).json()[0]["id"]
    enterprise = (
        await client.post(f"/api/v1/events/{event_id}/ticket-types", json={"name": {"zh": "企业代表"}}, headers=headers)
    ).json()["id"]
    await client.post(
        f"/api/v1/events/{event_id}/quotas",
        json={"name": "企业", "size": 20, "ticket_types": [enterprise]},
        headers=headers,
    )
    return headers, event_id, general, enterprise


async def rush_two_types(
    client: httpx.AsyncClient, event_id: int, general: int, enterprise: int
) -> list[httpx.Response]:
    return await asyncio.gather(
        *(register(client, event_id, f"e{i}@x.cn", ticket_type=enterprise) for i in range(150)),
        *(register(client, event_id, f"g{i}@x.cn", ticket_type=general) for i in range(150)),
    )


async def test_two_overlapping_quotas_are_never_exceeded(client: httpx.AsyncClient) -> None:
    _, event_id, general, enterprise = await overlapping(client)
    answers = await rush_two_types(client, event_id, general, enterprise)
    assert all(a.status_code == 201 for a in answers)
    seated = await Registration.filter(event_id=event_id, status=RegistrationStatus.CONFIRMED)
    assert len(seated) == 60
    assert sum(1 for r in seated if r.ticket_type_id == enterprise) <= 20
    for size, used, holders in (await holding_per_quota()).values():
        assert used == holders <= size
    assert await capacity.drift() == []


async def test_negative_control_overlapping_quotas_overbook_without_the_guard(
    client: httpx.AsyncClient, unguarded: None
) -> None:
    _, event_id, general, enterprise = await overlapping(client)
    await rush_two_types(client, event_id, general, enterprise)
    over = [(size, holders) for size, _, holders in (await holding_per_quota()).values() if holders > size]
    assert over, "the unguarded race should have overbooked at least one quota"


async def churn(
    client: httpx.AsyncClient, event_id: int, seated: list[httpx.Response], waiting: list[httpx.Response]
) -> None:
    """Cancel half the seated while 100 newcomers register and the waiting accept whatever they are offered."""

    def bearer(made: httpx.Response) -> dict[str, str]:
        return {"Authorization": f"Bearer {made.json()['manage_token']}"}

    async def cancel(made: httpx.Response) -> None:
        await client.post(f"/api/v1/registrations/{made.json()['id']}/cancel", headers=bearer(made))

    async def keep_accepting(made: httpx.Response) -> None:
        for _ in range(20):
            answer = await client.post(f"/api/v1/registrations/{made.json()['id']}/accept", headers=bearer(made))
            if answer.status_code == 200:
                return
            await asyncio.sleep(0.01)

    await asyncio.gather(
        *(cancel(m) for m in seated[::2]),
        *(register(client, event_id, f"late{i}@x.cn") for i in range(100)),
        *(keep_accepting(m) for m in waiting),
    )


async def test_cancellations_racing_registrations_and_acceptances_never_overbook(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=50)
    answers = [await register(client, event_id, f"s{i}@x.cn") for i in range(80)]
    seated = [a for a in answers if a.json()["status"] == "confirmed"]
    waiting = [a for a in answers if a.json()["status"] == "waitlisted"]
    await churn(client, event_id, seated, waiting)
    holding = await Registration.filter(event_id=event_id, status__in=["pending", "confirmed", "offered"]).count()
    assert holding == 50  # every freed seat went straight back to someone waiting
    assert await holding_per_quota() == {(await Quota.get(event_id=event_id)).id: (50, 50, 50)}
    assert await capacity.drift() == []
    newcomers = await Registration.filter(email__startswith="late", status=RegistrationStatus.CONFIRMED).count()
    assert newcomers == 0  # nobody jumped the queue


async def test_negative_control_the_churn_overbooks_without_the_guard(
    client: httpx.AsyncClient, unguarded: None
) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=50)
    answers = await rush(client, event_id, 80, "s")
    seated = [a for a in answers if a.status_code == 201 and a.json()["status"] == "confirmed"]
    waiting = [a for a in answers if a.status_code == 201 and a.json()["status"] == "waitlisted"]
    await churn(client, event_id, seated, waiting)
    holding = await Registration.filter(event_id=event_id, status__in=["pending", "confirmed", "offered"]).count()
    assert holding > 50


async def test_a_quota_added_during_a_rush_counts_every_holder(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)

    async def add_quota() -> httpx.Response:
        await asyncio.sleep(0.05)
        return await client.post(
            f"/api/v1/events/{event_id}/quotas", json={"name": "场地", "size": 500}, headers=headers
        )

    answers = await asyncio.gather(add_quota(), *(register(client, event_id, f"q{i}@x.cn") for i in range(120)))
    assert answers[0].status_code == 201
    holders = await Registration.filter(event_id=event_id, status__in=["pending", "confirmed", "offered"]).count()
    quota = await Quota.get(event_id=event_id)
    assert quota.used == holders == 120
    assert await capacity.drift() == []


async def test_a_quota_committed_while_a_registration_waits_is_counted_by_it(
    client: httpx.AsyncClient, database: str
) -> None:
    """The share lock, deterministically: a registration that arrives while a quota change holds the event (as
    `add_quota` does) waits, then reads the quotas, so it counts for the quota that change adds. Negative control:
    without FOR SHARE in `capacity.share_event` it reads the quotas at once, waits only later (at its insert), and
    misses the new quota."""
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    assert (await register(client, event_id, "warm@x.cn")).status_code == 201  # the event's form is kept warm
    editor = await asyncpg.connect(database)
    try:
        async with editor.transaction():
            await editor.execute('SELECT 1 FROM "event" WHERE "id" = $1 FOR UPDATE', event_id)
            waiting = asyncio.create_task(register(client, event_id, "during@x.cn"))
            done, _ = await asyncio.wait([waiting], timeout=0.5)
            assert not done, "the registration went ahead while the event was locked"
            quota_id = await editor.fetchval(
                'INSERT INTO "quota" ("event_id", "name", "size", "used", "covers_all", "is_event_capacity") '
                "VALUES ($1, 'late', 100, 0, TRUE, FALSE) RETURNING \"id\"",
                event_id,
            )
        answer = await asyncio.wait_for(waiting, timeout=10)
    finally:
        await editor.close()
    assert answer.status_code == 201 and answer.json()["status"] == "confirmed"
    registration = await Registration.get(email="during@x.cn")
    assert await QuotaHold.filter(quota_id=quota_id, registration_id=registration.seq).exists()
    assert (await Quota.get(id=quota_id)).used == 1
