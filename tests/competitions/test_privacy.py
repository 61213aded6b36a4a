"""A person's competition data: teams, invitations, submissions and judging sheets in their copy; on erasure the
entry stays with the team, the lead passes on (or a team left alone is withdrawn) and a judge's submitted sheet
keeps its numbers without its judge's identity (events/competitions/privacy.py)."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import httpx
from openpyxl import load_workbook

from events.competitions.models import (
    CompetitionJudge,
    JudgeAssignment,
    ScoreRecord,
    Submission,
    Team,
    TeamInvite,
    TeamMember,
    TeamStatus,
)
from notifications.models import OutboxMessage
from server import personal_data
from server.models import User
from tests.competitions.support import PDF, Judged, assigned, entry, judge, judged_competition
from tests.support import sign_up

ERASE = {"confirm": True}


async def invite(client: httpx.AsyncClient, team_id: int, leader: dict[str, str], email: str) -> int:
    """The team's leader invites `email`; the invitation's id."""
    invited = await client.post(f"/api/v1/teams/{team_id}/invites", json={"email": email}, headers=leader)
    assert invited.status_code == 201, invited.text
    return int(invited.json()["id"])


async def accept(client: httpx.AsyncClient, invite_id: int, headers: dict[str, str]) -> None:
    mail = await OutboxMessage.get(dedupe_key=f"team_invitation:{invite_id}")
    token = str(mail.context["accept_url"]).partition("invite=")[2]
    accepted = await client.post("/api/v1/team-invites/accept", json={"token": token}, headers=headers)
    assert accepted.status_code == 200, accepted.text


async def score(client: httpx.AsyncClient, headers: dict[str, str], assignment: int, *, submit: bool) -> None:
    path = f"/api/v1/judging/assignments/{assignment}"
    cleared = await client.post(path + "/declaration", json={"conflict": False}, headers=headers)
    assert cleared.status_code == 200, cleared.text
    saved = await client.patch(path + "/sheet", json={"scores": {"innovation": 8, "team": 6}}, headers=headers)
    assert saved.status_code == 200, saved.text
    if submit:
        assert (await client.post(path + "/sheet/submit", headers=headers)).status_code == 200


async def my_data(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    answer = await client.get("/api/v1/me/data", headers=headers)
    assert answer.status_code == 200, answer.text
    data: dict[str, list[dict[str, Any]]] = answer.json()
    return data


async def two_teams(client: httpx.AsyncClient) -> tuple[Judged, dict[str, dict[str, str]], dict[str, int]]:
    """泉城队 led by lead@x.cn with member@x.cn; 独行队 of solo@x.cn alone, which invited lead@x.cn too."""
    place = await judged_competition(client)
    lead, crew, _ = await entry(client, place, "lead@x.cn", "泉城队")
    solo, alone, _ = await entry(client, place, "solo@x.cn", "独行队")
    member = await sign_up(client, "member@x.cn")
    await accept(client, await invite(client, crew, lead, "member@x.cn"), member)
    await invite(client, alone, solo, "lead@x.cn")
    return place, {"lead": lead, "solo": solo, "member": member}, {"crew": crew, "alone": alone}


async def test_the_copy_holds_teams_invitations_submission_metadata_and_sheets(client: httpx.AsyncClient) -> None:
    place, people, teams = await two_teams(client)
    data = await my_data(client, people["lead"])
    assert [(row["team"], row["leader"], row["status"], row["left_at"]) for row in data["competition_teams"]] == [
        ("泉城队", True, "active", None)
    ]
    assert [(row["team"], row["email"], row["accepted_at"]) for row in data["competition_invitations"]] == [
        ("独行队", "lead@x.cn", None)
    ]
    [submitted] = data["competition_submissions"]
    assert (submitted["team"], submitted["stage"], submitted["version"]) == ("泉城队", "阶段0", 1)
    assert submitted["files"] == [
        {"slot": "plan", "name": "方案.pdf", "size": len(PDF), "sha256": hashlib.sha256(PDF).hexdigest()}
    ]
    member = await my_data(client, people["member"])
    assert [(row["team"], row["leader"]) for row in member["competition_teams"]] == [("泉城队", False)]
    assert [row["accepted_at"] is not None for row in member["competition_invitations"]] == [True]
    assert member["competition_submissions"] == [] and member["judging"] == []

    judge_headers, _ = await judge(client, place, "judge@x.cn", affiliation="山东大学")
    await judge(client, place, "second@x.cn")
    await judge(client, place, "third@x.cn")
    assert (await client.post(place.stage() + "/assignment", json={"seed": 1}, headers=place.headers)).is_success
    await score(client, judge_headers, (await assigned(client, place, judge_headers))[teams["crew"]], submit=True)
    judging = (await my_data(client, judge_headers))["judging"]
    assert judging[0] == {
        "competition": judging[0]["competition"],
        "affiliation": "山东大学",
        "active": True,
        "created_at": judging[0]["created_at"],
    }
    sheets = {row["team"]: (row["scores"], row["submitted"]) for row in judging[1:]}
    assert sheets == {"泉城队": ({"innovation": 8, "team": 6}, True), "独行队": ({}, False)}

    workbook = load_workbook(io.BytesIO((await client.get("/api/v1/me/data.xlsx", headers=people["lead"])).content))
    for section in ("competition_teams", "competition_invitations", "competition_submissions", "judging"):
        assert section in workbook.sheetnames
    rows = list(workbook["competition_submissions"].iter_rows(values_only=True))
    assert rows[0] == ("team", "stage", "version", "submitted_at", "files") and "方案.pdf" in str(rows[1][4])


async def test_an_erased_leader_leaves_the_team_its_entry_stays_and_the_lead_passes_on(
    client: httpx.AsyncClient,
) -> None:
    _, people, teams = await two_teams(client)
    lead = await User.get(email="lead@x.cn")
    member = await User.get(email="member@x.cn")
    entries_before = await Submission.filter(team_id=teams["crew"]).count()

    erased = await client.post("/api/v1/me/erase", json=ERASE, headers=people["lead"])
    assert erased.status_code == 200, erased.text
    assert erased.json()["erased"]["competition_teams"] == 1
    assert erased.json()["erased"]["competition_invitations"] == 1
    crew = await Team.get(id=teams["crew"])
    assert (crew.status, crew.leader_id, crew.name) == (TeamStatus.ACTIVE, member.id, "泉城队")
    still_in = await TeamMember.filter(team_id=crew.id, holder__not_isnull=True)
    assert [each.user_id for each in still_in] == [member.id]
    assert await Submission.filter(team_id=crew.id).count() == entries_before == 1
    # The invitation to their address keeps counting for its team but names nobody and cannot be accepted.
    [invitation] = await TeamInvite.filter(team_id=teams["alone"])
    assert invitation.email == f"erased-{lead.id}@erased.invalid"
    assert not await TeamInvite.filter(email="lead@x.cn").exists()
    # The new leader acts as one: they invite someone.
    await invite(client, crew.id, people["member"], "newcomer@x.cn")

    # Idempotent: erasing the identity-less account again changes nothing in the competition.
    again = await personal_data.erase(personal_data.Subject(user=await User.get(id=lead.id)))
    assert (again["competition_teams"], again["competition_invitations"], again["judging"]) == (0, 0, 0)
    assert (await Team.get(id=crew.id)).leader_id == member.id


async def test_a_team_whose_only_member_is_erased_is_withdrawn(client: httpx.AsyncClient) -> None:
    _, people, teams = await two_teams(client)
    assert (await client.post("/api/v1/me/erase", json=ERASE, headers=people["solo"])).status_code == 200
    alone = await Team.get(id=teams["alone"])
    assert (alone.status, alone.reason) == (TeamStatus.WITHDRAWN, "erased")
    assert not await TeamMember.filter(team_id=alone.id, holder__not_isnull=True).exists()
    # The other team is untouched.
    crew = await Team.get(id=teams["crew"])
    assert crew.status is TeamStatus.ACTIVE and crew.leader_id == (await User.get(email="lead@x.cn")).id


async def test_an_erased_judge_keeps_submitted_numbers_and_gives_back_unscored_entries(
    client: httpx.AsyncClient,
) -> None:
    place, _, teams = await two_teams(client)
    judge_headers, judge_id = await judge(client, place, "judge@x.cn", affiliation="山东大学")
    for email in ("second@x.cn", "third@x.cn"):
        await judge(client, place, email)
    assert (await client.post(place.stage() + "/assignment", json={"seed": 1}, headers=place.headers)).is_success
    queue = await assigned(client, place, judge_headers)
    await score(client, judge_headers, queue[teams["crew"]], submit=True)
    await score(client, judge_headers, queue[teams["alone"]], submit=False)

    erased = await client.post("/api/v1/me/erase", json=ERASE, headers=judge_headers)
    assert erased.status_code == 200, erased.text
    seat = await CompetitionJudge.get(user_id=judge_id)
    assert (seat.affiliation, seat.active) == ("", False)
    scored = await JudgeAssignment.get(id=queue[teams["crew"]])
    unscored = await JudgeAssignment.get(id=queue[teams["alone"]])
    assert scored.withdrawn_at is None and unscored.withdrawn_at is not None
    husk = await User.get(id=judge_id)
    assert (husk.email, husk.name) == (f"erased-{judge_id}@erased.invalid", "")
    ranking = (await client.get(place.stage() + "/ranking", headers=place.headers)).json()
    ranked = {row["team_id"]: row for row in ranking["tracks"][0]["ranked"]}
    assert ranked[teams["crew"]]["sheets"] == 1 and ranked[teams["crew"]]["raw_mean"] == 8 * 7.5 + 6 * 2.5
    progress = (await client.get(place.stage() + "/progress", headers=place.headers)).json()
    assert all("judge@x.cn" not in str(row) for row in progress)
    assert await ScoreRecord.filter(assignment_id=scored.id, by_id=judge_id).count() == 2  # draft and sheet

    again = await personal_data.erase(personal_data.Subject(user=husk))
    assert again["judging"] == 0
    assert (await JudgeAssignment.get(id=scored.id)).withdrawn_at is None
