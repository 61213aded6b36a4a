"""Reports cross-checked with the programme's own training events: registrations and check-ins."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from events.models import Registration
from tests.events.support import event_body, published_event, register
from tests.support import sign_up
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
    # Registered within the month reported on, whatever day the test runs on.
    await Registration.filter(event_id=training).update(created_at=datetime(2026, 11, 16, 2, tzinfo=UTC))
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


async def test_a_base_links_only_training_events_it_may_see_and_learns_nothing_of_other_drafts(
    client: httpx.AsyncClient,
) -> None:
    admin, _, base_id, programme_id = await setup(client)
    manager = await sign_up(client, "manager@base.cn")
    added = await client.post(
        f"/api/v1/organisations/{base_id}/members", json={"email": "manager@base.cn", "role": "manager"}, headers=admin
    )
    assert added.status_code == 201, added.text
    rival_body = {"name": {"zh": "别家承办"}, "kind": "organiser", "region": "lixia"}
    rival = await client.post("/api/v1/organisations", headers=admin, json=rival_body)
    published = await published_event(client, admin, rival.json()["id"], kind="training")
    drafts = []
    for organisation_id in (rival.json()["id"], base_id):
        draft = await client.post("/api/v1/events", json=event_body(organisation_id, kind="training"), headers=admin)
        assert draft.status_code == 201, draft.text
        drafts.append(draft.json()["id"])
    rival_draft, own_draft = drafts
    unknown = max(drafts) + 1000
    url = f"/api/v1/talent/programmes/{programme_id}/events"
    answers = []
    for hidden in (rival_draft, unknown):
        for caller in (manager, admin):
            refused = await client.put(url, json={"event_ids": [published, hidden]}, headers=caller)
            assert refused.status_code == 422
            answers.append(refused.text.replace(f"：{hidden}", "：<id>"))
            assert refused.json()["errors"][0]["msg"] == f"这些编号不是培训类活动：{hidden}"
    assert len(set(answers)) == 1  # a rival's draft and an id that does not exist answer alike
    linked = await client.put(url, json={"event_ids": [published, own_draft]}, headers=manager)
    assert linked.status_code == 200 and linked.json()["event_ids"] == sorted([published, own_draft])
