"""The competition endpoints over HTTP: their guards, and bad input answered with field messages in zh-CN."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from events.competitions import submissions
from events.competitions.models import Stage
from events.competitions.schemas import SubmissionIn
from notifications.models import OutboxMessage
from server.clock import utcnow
from server.models import User
from tests.events.support import organiser, published_event
from tests.support import sign_up


async def competition(client: httpx.AsyncClient) -> tuple[dict[str, str], int, dict[str, Any]]:
    headers, org_id = await organiser(client)
    starts = utcnow() + timedelta(days=10)
    event_id = await published_event(client, headers, org_id, kind="competition", starts_at=starts)
    body = {
        "team_max": 2,
        "tracks": [{"name": {"zh": "智能制造"}}],
        "stages": [
            {
                "name": {"zh": "方案提交"},
                "starts_at": (utcnow() - timedelta(hours=1)).isoformat(),
                "deadline": (starts + timedelta(hours=1)).isoformat(),
            }
        ],
    }
    created = await client.post(f"/api/v1/events/{event_id}/competition", json=body, headers=headers)
    assert created.status_code == 201, created.text
    return headers, event_id, created.json()


async def test_set_up_and_read_a_competition(client: httpx.AsyncClient) -> None:
    headers, event_id, created = await competition(client)
    shown = await client.get(f"/api/v1/events/{event_id}/competition")
    assert shown.status_code == 200 and shown.json() == created
    assert created["stages"][0]["deadline_local"].endswith("(Asia/Shanghai)")
    stage = created["stages"][0]
    path = f"/api/v1/events/{event_id}/competition/stages/{stage['id']}/deadline"
    earlier = datetime.fromisoformat(stage["deadline"]) - timedelta(minutes=30)
    moved = await client.post(path, json={"deadline": earlier.isoformat(), "reason": "提前"}, headers=headers)
    assert moved.status_code == 200 and datetime.fromisoformat(moved.json()["deadline"]) == earlier
    unexplained = await client.post(path, json={"deadline": earlier.isoformat()}, headers=headers)
    assert unexplained.status_code == 422 and unexplained.json()["errors"][0]["loc"] == ["body", "reason"]
    again = await client.post(f"/api/v1/events/{event_id}/competition", json={}, headers=headers)
    assert again.status_code == 422  # the body is judged before the event: both tracks and stages are missing


async def test_a_malformed_set_up_is_answered_field_by_field_in_chinese(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, kind="competition")
    body = {"team_min": 3, "team_max": 2, "tracks": [{"name": {"zh": "赛道"}}], "stages": []}
    answer = await client.post(
        f"/api/v1/events/{event_id}/competition", json=body, headers={**headers, "Accept-Language": "zh-CN"}
    )
    assert answer.status_code == 422
    assert {error["type"]: error["msg"] for error in answer.json()["errors"]} == {"too_short": "至少需要 1 项"}


async def test_teams_invitations_and_their_guards(client: httpx.AsyncClient) -> None:
    _, _, created = await competition(client)
    leader = await sign_up(client, "lead@x.cn")
    team_body = {"name": "泉城智造队", "track_id": created["tracks"][0]["id"], "region": "lixia"}
    bad = await client.post(
        f"/api/v1/competitions/{created['id']}/teams",
        json={**team_body, "organisation_name": "某公司", "uscc": "91370100MA3C4B5D60"},
        headers={**leader, "Accept-Language": "zh-CN"},
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "uscc"]
    founded = await client.post(f"/api/v1/competitions/{created['id']}/teams", json=team_body, headers=leader)
    assert founded.status_code == 201, founded.text
    team_id = founded.json()["id"]
    second_body = {**team_body, "name": "第二队"}
    second = await client.post(f"/api/v1/competitions/{created['id']}/teams", json=second_body, headers=leader)
    assert second.status_code == 409
    invited = await client.post(f"/api/v1/teams/{team_id}/invites", json={"email": "mate@x.cn"}, headers=leader)
    assert invited.status_code == 201, invited.text
    stranger = await sign_up(client, "stranger@x.cn")
    refused = await client.post(f"/api/v1/teams/{team_id}/invites", json={"email": "s@x.cn"}, headers=stranger)
    assert refused.status_code == 404
    mail = await OutboxMessage.get(template="team_invitation")
    token = str(mail.context["accept_url"]).partition("invite=")[2]
    mate = await sign_up(client, "mate@x.cn")
    forged = await client.post(
        "/api/v1/team-invites/accept", json={"token": token[:-1] + ("1" if token.endswith("0") else "0")}, headers=mate
    )
    assert forged.status_code == 400
    joined = await client.post("/api/v1/team-invites/accept", json={"token": token}, headers=mate)
    assert joined.status_code == 200 and len(joined.json()["member_ids"]) == 2
    by_member = await client.post(f"/api/v1/teams/{team_id}/withdraw", headers=mate)
    assert by_member.status_code == 403
    decided = await client.post(f"/api/v1/teams/{team_id}/decision", json={"approve": True}, headers=leader)
    assert decided.status_code == 404


async def test_a_submission_is_read_by_its_team_and_not_found_by_others(client: httpx.AsyncClient) -> None:
    organiser_headers, _, created = await competition(client)
    leader_headers = await sign_up(client, "lead@x.cn")
    team_body = {"name": "队", "track_id": created["tracks"][0]["id"], "region": "lixia"}
    team = await client.post(f"/api/v1/competitions/{created['id']}/teams", json=team_body, headers=leader_headers)
    stage = await Stage.get(id=created["stages"][0]["id"])
    leader = await User.get(email="lead@x.cn")
    entry = await submissions.submit(leader, team.json()["id"], stage.id, SubmissionIn(), [])
    assert (await client.get(f"/api/v1/submissions/{entry.id}", headers=leader_headers)).json()["version"] == 1
    assert (await client.get(f"/api/v1/submissions/{entry.id}", headers=organiser_headers)).status_code == 200
    stranger = await sign_up(client, "stranger@x.cn")
    assert (await client.get(f"/api/v1/submissions/{entry.id}", headers=stranger)).status_code == 404
    assert (await client.get(f"/api/v1/submissions/{entry.id}")).status_code == 401
