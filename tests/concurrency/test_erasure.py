"""Races on PostgreSQL: registrants asking to be forgotten (each twice at once) while others register and cancel on
the same event. Erasure frees a seat exactly as a cancellation does, once, and touches nobody else.

The negative control removes the row lock that anonymising takes (`load_for_change`): the doubled requests then
both cancel and both anonymise.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import httpx
import pytest

from events import capacity
from events import registration as registrations
from events.models import HOLDING, Event, Quota, Registration, RegistrationStatus
from server.models import AuditEntry
from tests.events.support import organiser, published_event, register


@pytest.fixture(autouse=True)
def postgres_only(database: str) -> None:
    if not database.startswith("postgres"):
        pytest.skip("concurrency is proven on PostgreSQL; SQLite serialises every writer")


async def unlocked_load(registration_id: uuid.UUID) -> tuple[Registration, Event]:
    """The lock removed: read the registration as it is, as a check-then-write would."""
    registration = await Registration.get(id=registration_id)
    await asyncio.sleep(0.005)
    return registration, await Event.get(id=registration.event_id)


@pytest.fixture
def unlocked(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(registrations, "load_for_change", unlocked_load)
    yield


def bearer(made: httpx.Response) -> dict[str, str]:
    return {"Authorization": f"Bearer {made.json()['manage_token']}"}


async def race(client: httpx.AsyncClient) -> tuple[int, list[httpx.Response], list[httpx.Response]]:
    """20 seats taken and 10 waiting; then 10 seated erase (each request sent twice at once), 5 others cancel and
    30 newcomers register, all together. Returns the event, the erased and everyone else who registered."""
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=20)
    seated = [await register(client, event_id, f"seat{i}@x.cn") for i in range(20)]
    waiting = [await register(client, event_id, f"wait{i}@x.cn") for i in range(10)]
    assert [m.json()["status"] for m in seated + waiting] == ["confirmed"] * 20 + ["waitlisted"] * 10
    erased, cancelled = seated[:10], seated[10:15]

    async def erase(made: httpx.Response) -> None:
        url = f"/api/v1/registrations/{made.json()['id']}/erase"
        await client.post(url, json={"confirm": True}, headers=bearer(made))

    async def cancel(made: httpx.Response) -> None:
        await client.post(f"/api/v1/registrations/{made.json()['id']}/cancel", headers=bearer(made))

    newcomers = await asyncio.gather(
        *(erase(m) for m in erased + erased),
        *(cancel(m) for m in cancelled),
        *(register(client, event_id, f"late{i}@x.cn") for i in range(30)),
    )
    others = [*seated[10:], *waiting, *[m for m in newcomers if isinstance(m, httpx.Response)]]
    return event_id, erased, others


async def test_erasures_racing_registrations_and_cancellations_free_each_seat_once_and_touch_nobody_else(
    client: httpx.AsyncClient,
) -> None:
    event_id, erased, others = await race(client)

    assert await capacity.drift() == []
    holding = await Registration.filter(event_id=event_id, status__in=HOLDING).count()
    assert [q.used for q in await Quota.filter(event_id=event_id)] == [holding]
    assert holding <= 20
    erased_ids = [m.json()["id"] for m in erased]
    for registration_id in erased_ids:
        gone = await Registration.get(id=registration_id)
        assert (gone.name, gone.status, gone.anonymised_at is not None) == ("", RegistrationStatus.CANCELLED, True)
        actions = [str(a) for a in await AuditEntry.filter(object_id=registration_id).values_list("action", flat=True)]
        assert actions.count("registration.anonymise") == 1 and actions.count("registration.cancelled") == 1
    for made in others:
        if made.status_code != 201:
            continue
        kept = await Registration.get(id=made.json()["id"])
        assert (kept.anonymised_at, kept.email.split("@")[1]) == (None, "x.cn") and kept.name == kept.email.split("@")[
            0
        ]
    # Freed seats went to the waiting list in order, or to newcomers once nobody waited: never lost.
    offered_or_taken = await Registration.filter(
        event_id=event_id, status__in=[RegistrationStatus.OFFERED, RegistrationStatus.CONFIRMED]
    ).count()
    assert offered_or_taken == 20 == holding


@pytest.mark.usefixtures("unlocked")
async def test_negative_control_without_the_row_lock_a_doubled_erasure_cancels_and_anonymises_twice(
    client: httpx.AsyncClient,
) -> None:
    _, erased, _ = await race(client)
    doubled = [
        registration_id
        for registration_id in [m.json()["id"] for m in erased]
        if await AuditEntry.filter(object_id=registration_id, action="registration.anonymise").count() > 1
    ]
    assert doubled, "without the lock, two requests for one registration should both have anonymised it"
