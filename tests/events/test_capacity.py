"""Shared quotas: a ticket type under several quotas, quotas over several types, and the drift check."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from events import capacity
from events.models import Quota, QuotaHold
from tests.events.support import organiser, published_event, register
from tests.server.support import run


async def two_ticket_types(client: httpx.AsyncClient) -> tuple[dict[str, str], int, int, int]:
    """200 seats over all ticket types, of which at most 2 for enterprise representatives."""
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=3)
    general = (await client.get(f"/api/v1/events/{event_id}/ticket-types")).json()[0]["id"]
    enterprise = await client.post(
        f"/api/v1/events/{event_id}/ticket-types",
        json={"name": {"zh": "企业代表", "en": "Enterprise"}},
        headers=headers,
    )
    assert enterprise.status_code == 201 and enterprise.json()["available"] == 3
    quota = await client.post(
        f"/api/v1/events/{event_id}/quotas",
        json={"name": "企业代表上限", "size": 2, "ticket_types": [enterprise.json()["id"]]},
        headers=headers,
    )
    assert quota.status_code == 201
    return headers, event_id, general, enterprise.json()["id"]


async def test_a_ticket_type_under_two_quotas_takes_from_both(client: httpx.AsyncClient) -> None:
    headers, event_id, general, enterprise = await two_ticket_types(client)
    statuses = [
        (await register(client, event_id, f"e{i}@x.cn", ticket_type=enterprise)).json()["status"] for i in range(3)
    ]
    assert statuses == ["confirmed", "confirmed", "waitlisted"]
    assert (await register(client, event_id, "g1@x.cn", ticket_type=general)).json()["status"] == "confirmed"
    assert (await register(client, event_id, "g2@x.cn", ticket_type=general)).json()["status"] == "waitlisted"
    quotas = (await client.get(f"/api/v1/events/{event_id}/quotas", headers=headers)).json()
    assert [(q["name"], q["used"], q["size"], q["covers_all"]) for q in quotas] == [
        ("capacity", 3, 3, True),
        ("企业代表上限", 2, 2, False),
    ]
    assert await capacity.drift() == []


async def test_a_freed_general_seat_skips_a_waiting_enterprise_rep_whose_own_quota_is_full(
    client: httpx.AsyncClient,
) -> None:
    headers, event_id, general, enterprise = await two_ticket_types(client)
    seated = [await register(client, event_id, f"e{i}@x.cn", ticket_type=enterprise) for i in range(2)]
    g1 = await register(client, event_id, "g1@x.cn", ticket_type=general)
    await register(client, event_id, "e9@x.cn", ticket_type=enterprise)  # waits: both quotas full
    await register(client, event_id, "g2@x.cn", ticket_type=general)  # waits behind e9
    await client.post(
        f"/api/v1/registrations/{g1.json()['id']}/cancel",
        headers={"Authorization": f"Bearer {g1.json()['manage_token']}"},
    )
    listed = (await client.get(f"/api/v1/events/{event_id}/registrations", headers=headers)).json()["items"]
    assert {r["email"]: r["status"] for r in listed}["e9@x.cn"] == "waitlisted"
    assert {r["email"]: r["status"] for r in listed}["g2@x.cn"] == "offered"
    assert len(seated) == 2 and await capacity.drift() == []


async def test_a_new_quota_counts_existing_holders_and_cannot_start_below_them(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    for i in range(3):
        await register(client, event_id, f"h{i}@x.cn")
    url = f"/api/v1/events/{event_id}/quotas"
    too_small = await client.post(url, json={"name": "场地", "size": 2}, headers=headers)
    assert too_small.status_code == 409 and too_small.json()["errors"][0]["loc"] == ["body", "size"]
    made = await client.post(url, json={"name": "场地", "size": 4}, headers=headers)
    assert (made.json()["used"], made.json()["available"]) == (3, 1)
    unknown = await client.post(url, json={"name": "x", "size": 4, "ticket_types": [999999]}, headers=headers)
    assert unknown.status_code == 422
    resized = await client.patch(f"{url}/{made.json()['id']}", json={"size": 2}, headers=headers)
    assert resized.status_code == 409
    assert (await client.patch(f"{url}/{made.json()['id']}", json={"size": -1}, headers=headers)).status_code == 422
    assert (await client.patch(f"{url}/987654", json={"size": 9}, headers=headers)).status_code == 404
    assert await capacity.drift() == []


async def test_capacity_changes_refuse_to_run_outside_a_transaction(db: str) -> None:
    quota = Quota(id=1, event_id=1, covers_all=True)
    with pytest.raises(RuntimeError, match="inside the registration transaction"):
        await capacity.adopt(quota)
    assert not await QuotaHold.exists()


async def test_check_reports_drift_and_exits_non_zero(client: httpx.AsyncClient, database: str, tmp_path: Path) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=5)
    await register(client, event_id, "x@x.cn")
    assert run(["check"], tmp_path, DATABASE_URL=database).returncode == 0
    quota = await Quota.get(event_id=event_id)
    await Quota.filter(id=quota.id).update(used=4)  # what a read-then-write bug would leave behind
    answer = run(["check"], tmp_path, DATABASE_URL=database)
    assert answer.returncode == 1
    assert f"problem: quota {quota.id} of event {event_id} counts 4 holders but 1 hold it" in answer.stdout
