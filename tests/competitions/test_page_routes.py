"""The endpoints the participants' pages read: my teams, a team as its members see it, a stage's versions with the
one that counts, and the fact sheet answered as a version of its own."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from notifications.models import OutboxMessage
from server.clock import utcnow
from tests.competitions.support import PDF, Clock
from tests.events.support import organiser, published_event
from tests.support import sign_up


async def competition(client: httpx.AsyncClient) -> dict[str, Any]:
    headers, org_id = await organiser(client)
    starts = utcnow() + timedelta(days=10)
    event_id = await published_event(client, headers, org_id, kind="competition", starts_at=starts)
    stage = {
        "name": {"zh": "方案提交"},
        "starts_at": (utcnow() - timedelta(hours=1)).isoformat(),
        "deadline": (starts + timedelta(hours=1)).isoformat(),
        "fact_sheet": [{"key": "summary", "label": {"zh": "项目简介"}, "max_length": 20}],
        "file_slots": [{"key": "plan", "label": {"zh": "方案书"}, "required": True}],
    }
    body = {"team_max": 3, "tracks": [{"name": {"zh": "智能制造"}}], "stages": [stage]}
    created = await client.post(f"/api/v1/events/{event_id}/competition", json=body, headers=headers)
    assert created.status_code == 201, created.text
    return dict(created.json())


async def founded(client: httpx.AsyncClient, created: dict[str, Any], headers: dict[str, str]) -> int:
    body = {"name": "泉城智造队", "track_id": created["tracks"][0]["id"], "region": "lixia"}
    team = await client.post(f"/api/v1/competitions/{created['id']}/teams", json=body, headers=headers)
    assert team.status_code == 201, team.text
    return int(team.json()["id"])


async def test_my_teams_name_the_members_and_show_the_leader_the_pending_invitations(client: httpx.AsyncClient) -> None:
    created = await competition(client)
    leader = await sign_up(client, "lead@x.cn")
    team_id = await founded(client, created, leader)
    for email in ("mate@x.cn", "later@x.cn"):
        invited = await client.post(f"/api/v1/teams/{team_id}/invites", json={"email": email}, headers=leader)
        assert invited.status_code == 201
    mail = await OutboxMessage.filter(template="team_invitation", to_addr="mate@x.cn").get()
    accept_url = str(mail.context["accept_url"])
    assert f"/events/{created['event_id']}/competition?invite=" in accept_url  # the page that accepts it
    mate = await sign_up(client, "mate@x.cn")
    token = accept_url.partition("invite=")[2]
    assert (await client.post("/api/v1/team-invites/accept", json={"token": token}, headers=mate)).status_code == 200

    [mine] = (await client.get("/api/v1/me/teams", headers=leader)).json()
    assert (mine["id"], mine["event_id"], mine["status"]) == (team_id, created["event_id"], "active")
    assert [member["name"] for member in mine["members"]] == ["lead", "mate"]
    assert [invite["email"] for invite in mine["invites"]] == ["later@x.cn"]  # the accepted one is no longer pending
    as_member = (await client.get(f"/api/v1/teams/{team_id}", headers=mate)).json()
    assert as_member["invites"] == [] and len(as_member["members"]) == 2  # invitations are the leader's to see
    stranger = await sign_up(client, "stranger@x.cn")
    assert (await client.get("/api/v1/me/teams", headers=stranger)).json() == []
    assert (await client.get(f"/api/v1/teams/{team_id}", headers=stranger)).status_code == 404
    assert (await client.get("/api/v1/me/teams")).status_code == 401


async def test_the_fact_sheet_and_files_make_versions_and_the_last_before_the_deadline_counts(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    created = await competition(client)
    leader = await sign_up(client, "lead@x.cn", locale="en")
    team_id = await founded(client, created, leader)
    stage = created["stages"][0]
    base = f"/api/v1/teams/{team_id}/stages/{stage['id']}"
    no_file = await client.put(f"{base}/facts", json={"facts": {"summary": "视觉质检"}}, headers=leader)
    assert no_file.status_code == 201, no_file.text  # kept as a draft: the file comes in a request of its own
    assert no_file.json()["complete"] is False
    assert no_file.json()["missing"] == [
        {"loc": ["files", "plan"], "msg": "Missing the file “方案书”", "type": "missing_file"}
    ]
    upload = {**leader, "Content-Type": "application/pdf"}
    first = await client.put(f"{base}/files/plan", params={"name": "方案.pdf"}, content=PDF, headers=upload)
    assert first.status_code == 201, first.text
    assert (first.json()["version"], first.json()["complete"], first.json()["missing"]) == (2, True, [])
    assert first.json()["facts"] == {"summary": "视觉质检"}  # the answers carry over
    facts = await client.put(f"{base}/facts", json={"facts": {"summary": "产线视觉质检"}}, headers=leader)
    assert facts.status_code == 201, facts.text
    assert facts.json()["version"] == 3 and facts.json()["files"] == first.json()["files"]  # the file carries over
    too_long = await client.put(f"{base}/facts", json={"facts": {"summary": "长" * 21}}, headers=leader)
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["loc"] == ["body", "facts", "summary"]

    listed = (await client.get(f"{base}/submissions", headers=leader)).json()
    assert [(version["version"], version["complete"]) for version in listed["versions"]] == [
        (3, True),
        (2, True),
        (1, False),
    ]
    assert listed["counting_id"] == facts.json()["id"]
    clock.now += timedelta(days=30)
    late = await client.put(f"{base}/facts", json={"facts": {"summary": "迟到"}}, headers=leader)
    assert late.status_code == 409 and stage["deadline_local"] in late.json()["detail"]
    assert (await client.get(f"{base}/submissions", headers=leader)).json()["counting_id"] == facts.json()["id"]

    stranger = await sign_up(client, "stranger@x.cn")
    assert (await client.get(f"{base}/submissions", headers=stranger)).status_code == 404
    assert (await client.put(f"{base}/facts", json={"facts": {}}, headers=stranger)).status_code == 404
    other_stage = f"/api/v1/teams/{team_id}/stages/{stage['id'] + 1000}/submissions"
    assert (await client.get(other_stage, headers=leader)).status_code == 404
