"""Reports cross-checked with the programme's own training events: registrations and check-ins."""

from __future__ import annotations

import httpx

from tests.events.support import published_event, register
from tests.talent.support import GOOD, setup


async def test_reports_that_claim_more_than_the_events_show_are_flagged(client: httpx.AsyncClient) -> None:
    admin, reporter, base_id, programme_id = await setup(client)
    organiser_org = await client.post(
        "/api/v1/organisations",
        headers=admin,
        json={"name": {"zh": "培训承办"}, "kind": "organiser", "region": "lixia"},
    )
    training = await published_event(client, admin, organiser_org.json()["id"], kind="training")
    forum = await published_event(client, admin, organiser_org.json()["id"], kind="forum")
    url = f"/api/v1/talent/programmes/{programme_id}/events"
    refused = await client.put(url, json={"event_ids": [training, forum]}, headers=admin)
    assert refused.status_code == 422 and refused.json()["errors"][0]["msg"] == f"这些编号不是培训类活动：{forum}"
    assert (await client.put(url, json={"event_ids": [training]}, headers=reporter)).status_code == 403
    linked = await client.put(url, json={"event_ids": [training]}, headers=admin)
    assert linked.json()["event_ids"] == [training]
    for i in range(3):
        await register(client, training, f"t{i}@x.cn")
    report = f"/api/v1/talent/reports/{base_id}/2026-11/{programme_id}"
    await client.put(
        report,
        json={**GOOD, "new_male": 2, "new_female": 0, "completed": 0, "dropped": 0, "levels": {}},
        headers=reporter,
    )
    await client.post(report + "/submit", headers=reporter)
    (row,) = (await client.get("/api/v1/talent/evidence", params={"period": "2026-11"}, headers=admin)).json()
    assert (row["reported_new"], row["registered"], row["flags"]) == (2, 3, [])
    await client.post(report + "/return", json={"comment": "请核对"}, headers=admin)
    await client.put(
        report,
        json={**GOOD, "new_male": 9, "new_female": 0, "completed": 1, "dropped": 0, "levels": {}},
        headers=reporter,
    )
    await client.post(report + "/submit", headers=reporter)
    (row,) = (await client.get("/api/v1/talent/evidence", params={"period": "2026-11"}, headers=admin)).json()
    assert row["flags"] == ["more_new_than_registered", "more_completed_than_checked_in"]
    assert (
        await client.get("/api/v1/talent/evidence", params={"period": "2026-11"}, headers=reporter)
    ).status_code == 403
