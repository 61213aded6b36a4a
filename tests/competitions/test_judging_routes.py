"""Judging over HTTP: the panel and assignment, the judge's declaration and sheet, the ranking on a hand-computed
table, and the conflict-of-interest matrix over every endpoint a judge could use."""

from __future__ import annotations

import asyncio
import io
import math
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from events.competitions import panel
from events.competitions.models import JudgeAssignment, ScoreKind, ScoreRecord
from events.competitions.schemas import JudgeIn
from server.models import Membership, OrganisationKind, Role, User
from tests.competitions.support import (
    USCC,
    Judged,
    assigned,
    entry,
    judge,
    judged_competition,
    member_of,
    organisation,
    world,
)
from tests.support import sign_up

# Rubric: innovation (weight 3) and team (weight 1), both 0–10, so a sheet totals 7.5·innovation + 2.5·team.
# Judges' sheets per team as (innovation, team) → total:
SHEETS = {
    "j1@judges.cn": {"T1": (8, 8), "T2": (6, 4), "T3": (6, 6), "T4": (7, 3)},  # 80, 55, 60, 60
    "j2@judges.cn": {"T1": (4, 4), "T2": (6, 6), "T3": (4, 8), "T4": (5, 5)},  # 40, 60, 50, 50
    "j3@judges.cn": {"T1": (6, 6), "T2": (8, 4), "T3": (6, 10), "T4": (8, 4)},  # 60, 70, 70, 70
}
# Per judge, mean and population standard deviation of their totals:
#   j1: mean 63.75, variance (16.25² + 8.75² + 3.75² + 3.75²)/4 = 92.1875
#   j2: mean 50,    variance (10² + 10² + 0 + 0)/4 = 50
#   j3: mean 67.5,  variance (7.5² + 2.5² + 2.5² + 2.5²)/4 = 18.75
SD1, SD2, SD3 = math.sqrt(92.1875), math.sqrt(50), math.sqrt(18.75)
EXPECTED = {  # team → (raw mean, normalised mean, mean innovation points)
    "T1": (180 / 3, (16.25 / SD1 - 10 / SD2 - 7.5 / SD3) / 3, 18 / 3),
    "T2": (185 / 3, (-8.75 / SD1 + 10 / SD2 + 2.5 / SD3) / 3, 20 / 3),
    "T3": (180 / 3, (-3.75 / SD1 + 0 + 2.5 / SD3) / 3, 16 / 3),
    "T4": (180 / 3, (-3.75 / SD1 + 0 + 2.5 / SD3) / 3, 20 / 3),
}
# T3 and T4 tie on the normalised mean; T4 has more innovation points, so the published cascade puts it first.
EXPECTED_ORDER = [("T2", None), ("T4", "normalised_mean"), ("T3", "key_criterion"), ("T1", "normalised_mean")]


async def panel_of_three(client: httpx.AsyncClient, place: Judged) -> dict[str, dict[str, str]]:
    return {email: (await judge(client, place, email))[0] for email in SHEETS}


async def four_entries(client: httpx.AsyncClient, place: Judged) -> dict[str, int]:
    return {name: (await entry(client, place, f"lead{name}@x.cn", name))[1] for name in ("T1", "T2", "T3", "T4")}


async def test_the_ranking_through_the_api_is_the_hand_computed_table(client: httpx.AsyncClient) -> None:
    place = await judged_competition(client)
    judges = await panel_of_three(client, place)
    teams = await four_entries(client, place)
    run = await client.post(place.stage() + "/assignment", json={"seed": 7}, headers=place.headers)
    assert run.status_code == 200, run.text
    assert run.json()["added"] == 12 and run.json()["withdrawn"] == 0
    for email, sheet in SHEETS.items():
        queue = await assigned(client, place, judges[email])
        assert set(queue) == set(teams.values())
        for name, (innovation, team_points) in sheet.items():
            path = f"/api/v1/judging/assignments/{queue[teams[name]]}"
            cleared = await client.post(path + "/declaration", json={"conflict": False}, headers=judges[email])
            assert cleared.status_code == 200 and cleared.json()["cleared"] is True
            # Saved as the judge goes, one criterion at a time; each save keeps the other.
            await client.patch(path + "/sheet", json={"scores": {"innovation": innovation}}, headers=judges[email])
            saved = await client.patch(path + "/sheet", json={"scores": {"team": team_points}}, headers=judges[email])
            assert saved.json()["scores"] == {"innovation": innovation, "team": team_points}
            submitted = await client.post(path + "/sheet/submit", headers=judges[email])
            assert submitted.status_code == 200 and submitted.json()["submitted"] is True
    ranking = await client.get(place.stage() + "/ranking", headers=place.headers)
    assert ranking.status_code == 200, ranking.text
    body = ranking.json()
    assert body["tie_break"] == ["normalised_mean", "key_criterion", "submitted_at", "entry_id"]
    [track] = body["tracks"]
    names = {team_id: name for name, team_id in teams.items()}
    assert [(names[place["team_id"]], place["decided_by"]) for place in track["ranked"]] == EXPECTED_ORDER
    assert [place["rank"] for place in track["ranked"]] == [1, 2, 3, 4]
    for place_out in track["ranked"]:
        raw, normalised, key_points = EXPECTED[names[place_out["team_id"]]]
        assert place_out["sheets"] == 3
        assert place_out["raw_mean"] == pytest.approx(raw)
        assert place_out["normalised_mean"] == pytest.approx(normalised)
        assert place_out["key_criterion_mean"] == pytest.approx(key_points)
    progress = await client.get(place.stage() + "/progress", headers=place.headers)
    assert [(row["assigned"], row["cleared"], row["submitted"]) for row in progress.json()] == [(4, 4, 4)] * 3
    listed = (await client.get(place.stage() + "/entries", headers=place.headers)).json()
    assert [(row["team_name"], row["version"]) for row in listed] == [(name, 1) for name in ("T1", "T2", "T3", "T4")]

    export = await client.get(place.stage() + "/scores.xlsx", headers=place.headers)
    assert export.status_code == 200
    workbook = load_workbook(io.BytesIO(export.content))
    assert workbook.sheetnames == ["entries", "scores by judge", "rankings"]
    listed = list(workbook["entries"].iter_rows(values_only=True))
    assert sorted(str(row[0]) for row in listed[1:]) == ["T1", "T2", "T3", "T4"] and all(
        row[4] == 1 for row in listed[1:]
    )
    rankings = list(workbook["rankings"].iter_rows(values_only=True))
    assert [row[2] for row in rankings[1:]] == ["T2", "T4", "T3", "T1"]
    assert len(list(workbook["scores by judge"].iter_rows())) == 1 + 12


async def test_assignment_never_pairs_a_judge_with_a_team_of_their_organisation(client: httpx.AsyncClient) -> None:
    place = await judged_competition(client)
    for email in SHEETS:
        await judge(client, place, email)
    _, colleague = await judge(client, place, "j4@judges.cn", affiliation="山东 某科技有限公司")
    _, company_team, _ = await entry(
        client, place, "lead@company.cn", "公司队", organisation_name="山东某科技有限公司", uscc=USCC
    )
    others = [(await entry(client, place, f"l{n}@x.cn", f"队{n}"))[1] for n in range(3)]
    run = await client.post(place.stage() + "/assignment", json={}, headers=place.headers)
    assert run.status_code == 200, run.text
    pairs = [(row["judge_id"], row["team_id"]) for row in run.json()["assignments"]]
    assert (colleague, company_team) not in pairs
    assert sorted(team for _, team in pairs) == sorted([company_team, *others] * 3)
    loads = [sum(1 for judge_id, _ in pairs if judge_id == j) for j in {judge_id for judge_id, _ in pairs}]
    assert max(loads) - min(loads) <= 1

    # A conflict the organiser records is never paired either: with it, the company's team lacks a third judge.
    judges = {row["judge_id"] for row in run.json()["assignments"] if row["team_id"] == company_team}
    recorded = await client.post(
        place.base + "/conflicts",
        json={"judge_id": min(judges), "team_id": company_team, "reason": "曾为该公司顾问"},
        headers=place.headers,
    )
    assert recorded.status_code == 201, recorded.text
    short = await client.post(
        place.stage() + "/assignment", json={}, headers={**place.headers, "Accept-Language": "zh-CN"}
    )
    # Named as the organiser knows it: the team and its track.
    assert short.status_code == 409 and short.json()["detail"].startswith("作品 公司队（赛道“赛道0”）")


async def test_bad_set_up_of_judging_is_answered_field_by_field(client: httpx.AsyncClient) -> None:
    place = await judged_competition(client)
    zh = {**place.headers, "Accept-Language": "zh-CN"}
    bad = {"criteria": [{"key": "x", "label": {"zh": "甲"}, "weight": 1, "minimum": 5, "maximum": 5}]}
    answer = await client.put(place.stage() + "/rubric", json=bad, headers=zh)
    assert answer.status_code == 422
    assert [error["loc"] for error in answer.json()["errors"]] == [["body", "criteria", 0, "maximum"]]
    few = await client.put(place.stage() + "/rubric", json={**bad, "judges_per_entry": 2}, headers=zh)
    assert few.status_code == 422 and few.json()["errors"][0]["loc"] == ["body", "judges_per_entry"]
    await sign_up(client, "not-a-judge@x.cn")
    me = (await User.get(email="not-a-judge@x.cn")).id
    refused = await client.post(place.base + "/judges", json={"user_id": me, "track_ids": [0]}, headers=zh)
    assert refused.status_code == 422
    assert {tuple(error["loc"]): error["msg"] for error in refused.json()["errors"]} == {
        ("body", "user_id"): "不是本大赛主办机构中具有评委角色的成员",
        ("body", "track_ids", 0): "本赛事没有此赛道",
    }
    nothing = await client.post(place.stage() + "/assignment", json={}, headers=place.headers)
    assert nothing.status_code == 409 and nothing.json()["type"].endswith("no_entries")
    stranger_org = await sign_up(client, "other-host@x.cn")
    assert (await client.get(place.stage() + "/ranking", headers=stranger_org)).status_code == 403  # sees the event


async def scored_pairing(client: httpx.AsyncClient) -> tuple[Judged, dict[str, dict[str, str]], dict[str, int]]:
    place = await judged_competition(client)
    judges = await panel_of_three(client, place)
    teams = await four_entries(client, place)
    run = await client.post(place.stage() + "/assignment", json={}, headers=place.headers)
    assert run.status_code == 200, run.text
    return place, judges, teams


async def test_two_tabs_saving_at_once_never_lose_a_score(client: httpx.AsyncClient) -> None:
    place, judges, teams = await scored_pairing(client)
    headers = judges["j1@judges.cn"]
    path = f"/api/v1/judging/assignments/{(await assigned(client, place, headers))[teams['T1']]}"
    await client.post(path + "/declaration", json={"conflict": False}, headers=headers)
    first, second = await asyncio.gather(
        client.patch(path + "/sheet", json={"scores": {"innovation": 7}}, headers=headers),
        client.patch(path + "/sheet", json={"scores": {"team": 9}}, headers=headers),
    )
    assert first.status_code == second.status_code == 200, (first.text, second.text)
    shown = await client.get(path, headers=headers)
    assert shown.json()["scores"] == {"innovation": 7, "team": 9}
    # The same criterion from two tabs: the later save counts, the earlier stays in the log.
    await client.patch(path + "/sheet", json={"scores": {"team": 3}}, headers=headers)
    assert (await client.get(path, headers=headers)).json()["scores"] == {"innovation": 7, "team": 3}
    assert await ScoreRecord.filter(kind=ScoreKind.DRAFT).count() == 3


async def test_a_sheet_is_refused_off_its_scale_incomplete_and_once_submitted(client: httpx.AsyncClient) -> None:
    place, judges, teams = await scored_pairing(client)
    headers = judges["j1@judges.cn"]
    path = f"/api/v1/judging/assignments/{(await assigned(client, place, headers))[teams['T1']]}"
    await client.post(path + "/declaration", json={"conflict": False}, headers=headers)
    off = await client.patch(path + "/sheet", json={"scores": {"innovation": 11, "style": 1}}, headers=headers)
    assert off.status_code == 422
    assert {tuple(error["loc"]): error["msg"] for error in off.json()["errors"]} == {
        ("body", "scores", "style"): "不是本评分细则中的评分项",
        ("body", "scores", "innovation"): "应不大于 10",
    }
    await client.patch(path + "/sheet", json={"scores": {"innovation": 6}}, headers=headers)
    incomplete = await client.post(path + "/sheet/submit", headers=headers)
    assert incomplete.status_code == 422 and incomplete.json()["errors"][0]["loc"] == ["scores", "team"]
    await client.patch(path + "/sheet", json={"scores": {"team": 6}}, headers=headers)
    assert (await client.post(path + "/sheet/submit", headers=headers)).status_code == 200
    late = await client.patch(path + "/sheet", json={"scores": {"team": 9}}, headers=headers)
    assert late.status_code == 409 and late.json()["type"].endswith("sheet_locked")
    assert (await client.post(path + "/sheet/submit", headers=headers)).status_code == 409
    rubric = await client.put(
        place.stage() + "/rubric",
        json={"criteria": [{"key": "a", "label": {"zh": "甲"}, "weight": 1}]},
        headers=place.headers,
    )
    assert rubric.status_code == 409 and rubric.json()["type"].endswith("rubric_locked")


async def test_a_correction_replaces_a_sheet_and_keeps_the_original(client: httpx.AsyncClient) -> None:
    place, judges, teams = await scored_pairing(client)
    headers = judges["j1@judges.cn"]
    assignment = (await assigned(client, place, headers))[teams["T1"]]
    path = f"/api/v1/judging/assignments/{assignment}"
    correction = place.stage() + f"/assignments/{assignment}/correction"
    early = await client.post(
        correction, json={"scores": {"innovation": 1, "team": 1}, "reason": "笔误"}, headers=place.headers
    )
    assert early.status_code == 409 and early.json()["type"].endswith("nothing_to_correct")
    await client.post(path + "/declaration", json={"conflict": False}, headers=headers)
    await client.patch(path + "/sheet", json={"scores": {"innovation": 8, "team": 8}}, headers=headers)
    await client.post(path + "/sheet/submit", headers=headers)
    unexplained = await client.post(correction, json={"scores": {"innovation": 1, "team": 1}}, headers=place.headers)
    assert unexplained.status_code == 422 and unexplained.json()["errors"][0]["loc"] == ["body", "reason"]
    fixed = await client.post(
        correction, json={"scores": {"innovation": 2, "team": 2}, "reason": "评委确认笔误"}, headers=place.headers
    )
    assert fixed.status_code == 200 and fixed.json() == {"innovation": 2, "team": 2}
    assert (await client.get(path, headers=headers)).json()["scores"] == {"innovation": 2, "team": 2}
    records = await ScoreRecord.filter(assignment_id=assignment).order_by("id")
    assert [record.kind for record in records[-2:]] == [ScoreKind.SCORE, ScoreKind.CORRECTION]
    ranking = (await client.get(place.stage() + "/ranking", headers=place.headers)).json()
    assert ranking["tracks"][0]["ranked"][0]["raw_mean"] == pytest.approx(20)


async def endpoints(
    client: httpx.AsyncClient, headers: dict[str, str], assignment: int, submission: int
) -> dict[str, int]:
    """Every endpoint through which a judge could learn about an entry, and the status each answers."""
    path = f"/api/v1/judging/assignments/{assignment}"
    calls: dict[str, Any] = {
        "sheet": client.get(path, headers=headers),
        "save": client.patch(path + "/sheet", json={"scores": {"team": 5}}, headers=headers),
        "submit": client.post(path + "/sheet/submit", headers=headers),
        "submission": client.get(f"/api/v1/submissions/{submission}", headers=headers),
        "file": client.get(f"/api/v1/submissions/{submission}/files/plan", headers=headers),
    }
    return {name: (await call).status_code for name, call in calls.items()}


async def test_a_conflicted_judge_can_never_read_an_entry_its_files_scores_or_the_ranking(
    client: httpx.AsyncClient,
) -> None:
    place = await judged_competition(client)
    judges = await panel_of_three(client, place)
    _, team, submission = await entry(client, place, "lead@x.cn", "T1")
    run = await client.post(place.stage() + "/assignment", json={}, headers=place.headers)
    assert run.status_code == 200, run.text
    one, two, three = (judges[email] for email in SHEETS)
    [first] = (await assigned(client, place, one)).values()
    [second] = (await assigned(client, place, two)).values()
    [third] = (await assigned(client, place, three)).values()

    # Before declaring: the queue names no team, and nothing of the entry opens.
    queue = (await client.get("/api/v1/judging/queue", headers=one)).json()
    assert queue[0]["team_name"] is None and queue[0]["cleared"] is False
    # It says which event and stage each entry is for, so a judge of several competitions can tell them apart.
    assert (queue[0]["event_id"], queue[0]["stage_id"]) == (place.event_id, place.stage_id)
    assert queue[0]["stage_name"] == {"zh": "阶段0", "en": ""} and queue[0]["event_title"]["zh"]
    assert await endpoints(client, one, first, submission) == {
        "sheet": 403,
        "save": 403,
        "submit": 403,
        "submission": 404,
        "file": 404,
    }
    # Cleared: everything opens to this judge only.
    await client.post(f"/api/v1/judging/assignments/{first}/declaration", json={"conflict": False}, headers=one)
    opened = await endpoints(client, one, first, submission)
    assert opened["sheet"] == opened["save"] == opened["submission"] == opened["file"] == 200
    assert await endpoints(client, two, first, submission) == dict.fromkeys(opened, 404)  # another judge's pairing

    # A declared conflict closes the entry for good.
    conflict = await client.post(
        f"/api/v1/judging/assignments/{second}/declaration", json={"conflict": True}, headers=two
    )
    assert conflict.status_code == 422 and conflict.json()["errors"][0]["type"] == "reason_required"
    declared = await client.post(
        f"/api/v1/judging/assignments/{second}/declaration",
        json={"conflict": True, "reason": "亲属在队中"},
        headers=two,
    )
    assert declared.status_code == 200
    assert await endpoints(client, two, second, submission) == dict.fromkeys(opened, 404)
    assert (
        await client.post(f"/api/v1/judging/assignments/{second}/declaration", json={"conflict": False}, headers=two)
    ).status_code == 404
    assert (await client.get("/api/v1/judging/queue", headers=two)).json() == []

    # A conflict recorded after the judge scored: closed at once, and their sheet stops counting.
    await client.post(f"/api/v1/judging/assignments/{third}/declaration", json={"conflict": False}, headers=three)
    await client.patch(
        f"/api/v1/judging/assignments/{third}/sheet", json={"scores": {"innovation": 10, "team": 10}}, headers=three
    )
    await client.post(f"/api/v1/judging/assignments/{third}/sheet/submit", headers=three)
    three_id = (await JudgeAssignment.get(id=third)).judge_id
    recorded = await client.post(
        place.base + "/conflicts",
        json={"judge_id": three_id, "team_id": team, "reason": "合作过项目"},
        headers=place.headers,
    )
    assert recorded.status_code == 201
    assert await endpoints(client, three, third, submission) == dict.fromkeys(opened, 404)
    ranking = (await client.get(place.stage() + "/ranking", headers=place.headers)).json()
    assert ranking["tracks"][0]["unscored"] == [team]  # the only submitted sheet was the conflicted judge's

    # Judges (conflicted or not) see no ranking, no export, no progress, no results before 公示.
    for headers in (one, two, three):
        for path in ("/ranking", "/scores.xlsx", "/progress", "/rubric", "/results", "/entries"):
            assert (await client.get(place.stage() + path, headers=headers)).status_code in (403, 404), path
    # And the organisers cannot act as judges.
    assert await endpoints(client, place.headers, first, submission) == {
        "sheet": 404,
        "save": 404,
        "submit": 404,
        "submission": 200,
        "file": 200,
    }


async def test_a_judge_whose_role_is_revoked_reads_nothing_more_and_is_not_assigned(client: httpx.AsyncClient) -> None:
    place = await judged_competition(client)
    judges = await panel_of_three(client, place)
    _, _, submission = await entry(client, place, "lead@x.cn", "T1")
    assert (await client.post(place.stage() + "/assignment", json={}, headers=place.headers)).status_code == 200
    headers = judges["j1@judges.cn"]
    [pairing] = (await assigned(client, place, headers)).values()
    await client.post(f"/api/v1/judging/assignments/{pairing}/declaration", json={"conflict": False}, headers=headers)
    assert (await endpoints(client, headers, pairing, submission))["file"] == 200
    user = await User.get(email="j1@judges.cn")
    await Membership.filter(user_id=user.id, organisation_id=place.org_id, role=Role.JUDGE).delete()
    assert set((await endpoints(client, headers, pairing, submission)).values()) == {404}
    rerun = await client.post(place.stage() + "/assignment", json={"seed": 1}, headers=place.headers)
    assert rerun.status_code == 409  # two judges left for an entry that needs three
    assert rerun.json()["type"].endswith("not_enough_judges")


async def test_a_later_round_can_have_judges_of_its_own(client: httpx.AsyncClient) -> None:
    place = await judged_competition(client, stages=2)
    first, final = (stage["id"] for stage in place.created["stages"])
    track = place.created["tracks"][0]["id"]

    async def named_for(email: str, stage_ids: list[int]) -> int:
        _, user_id = await judge(client, place, email)
        body = {"user_id": user_id, "track_ids": [track], "stage_ids": stage_ids}
        answer = await client.post(place.base + "/judges", json=body, headers=place.headers)
        assert answer.status_code == 200 and answer.json()["stage_ids"] == stage_ids, answer.text
        return user_id

    finalists = {await named_for(f"final{n}@judges.cn", [final]) for n in range(3)}
    await entry(client, place, "lead@x.cn", "T1")
    # The final's own judges are not the first round's: with only them on the panel, nobody can judge it.
    short = await client.post(place.stage() + "/assignment", json={}, headers=place.headers)
    assert short.status_code == 409 and short.json()["type"].endswith("not_enough_judges")
    first_round = {await named_for(f"first{n}@judges.cn", [first]) for n in range(3)}
    run = await client.post(place.stage() + "/assignment", json={}, headers=place.headers)
    assert run.status_code == 200, run.text
    assert {row["judge_id"] for row in run.json()["assignments"]} == first_round
    listed = (await client.get(place.base + "/judges", headers=place.headers)).json()
    assert {row["user_id"]: row["stage_ids"] for row in listed} == {
        **dict.fromkeys(finalists, [final]),
        **dict.fromkeys(first_round, [first]),
    }

    body = {"user_id": min(finalists), "track_ids": [track], "stage_ids": [final + 1000]}
    unknown = await client.post(
        place.base + "/judges", json=body, headers={**place.headers, "Accept-Language": "zh-CN"}
    )
    assert unknown.status_code == 422
    assert [(e["loc"], e["msg"]) for e in unknown.json()["errors"]] == [(["body", "stage_ids", 0], "本赛事没有此阶段")]


async def test_an_organiser_can_never_judge_their_own_competition(client: httpx.AsyncClient) -> None:
    place = await judged_competition(client)
    # Refused a place on the panel: one holding the judge role who also runs the competition.
    await sign_up(client, "boss@x.cn")
    boss = await User.get(email="boss@x.cn")
    await Membership.create(user=boss, organisation_id=place.org_id, role=Role.JUDGE)
    await Membership.create(user=boss, organisation_id=place.org_id, role=Role.MANAGER)
    body = {"user_id": boss.id, "track_ids": [place.created["tracks"][0]["id"]]}
    refused = await client.post(place.base + "/judges", json=body, headers=place.headers)
    assert refused.status_code == 409 and refused.json()["title"] == "组织方成员不能担任本赛事评委"
    organiser = await Membership.get(organisation_id=place.org_id, role=Role.ORGANISER)
    await User.filter(id=organiser.user_id).update(locale="en")
    english = await client.post(place.base + "/judges", json=body, headers=place.headers)
    assert english.json()["title"] == "An organiser cannot judge this competition"
    assert (await client.get(place.base + "/judges", headers=place.headers)).json() == []

    # A judge made organiser after scoring: judge routes closed, sheet no longer counts, left out of the next run.
    judges = await panel_of_three(client, place)
    _, team, submission = await entry(client, place, "lead@x.cn", "T1")
    assert (await client.post(place.stage() + "/assignment", json={}, headers=place.headers)).status_code == 200
    pairings = {}
    for email, points in {"j1@judges.cn": 8, "j2@judges.cn": 4, "j3@judges.cn": 10}.items():
        [pairing] = (await assigned(client, place, judges[email])).values()
        pairings[email] = pairing
        path, headers = f"/api/v1/judging/assignments/{pairing}", judges[email]
        await client.post(path + "/declaration", json={"conflict": False}, headers=headers)
        await client.patch(path + "/sheet", json={"scores": {"innovation": points, "team": points}}, headers=headers)
        assert (await client.post(path + "/sheet/submit", headers=headers)).status_code == 200
    [ranked] = (await client.get(place.stage() + "/ranking", headers=place.headers)).json()["tracks"][0]["ranked"]
    assert (ranked["sheets"], ranked["raw_mean"]) == (3, pytest.approx(220 / 3))

    promoted = await User.get(email="j3@judges.cn")
    await Membership.create(user=promoted, organisation_id=place.org_id, role=Role.ORGANISER)
    three = judges["j3@judges.cn"]
    assert await endpoints(client, three, pairings["j3@judges.cn"], submission) == {
        "sheet": 404,
        "save": 404,
        "submit": 404,
        "submission": 200,  # as an organiser now
        "file": 200,
    }
    [ranked] = (await client.get(place.stage() + "/ranking", headers=place.headers)).json()["tracks"][0]["ranked"]
    assert (ranked["sheets"], ranked["raw_mean"]) == (2, pytest.approx(60))  # (80 + 40) / 2
    export = await client.get(place.stage() + "/scores.xlsx", headers=place.headers)
    rows = list(load_workbook(io.BytesIO(export.content))["scores by judge"].iter_rows(values_only=True))[1:]
    assert sorted((str(row[0]), str(row[-1])) for row in rows) == [("j1", "yes"), ("j2", "yes"), ("j3", "no")]

    # The negative control: a judge holding the judge role only still judges.
    one = await endpoints(client, judges["j1@judges.cn"], pairings["j1@judges.cn"], submission)
    assert one["sheet"] == one["submission"] == one["file"] == 200

    # The next run withdraws the organiser's pairing and never assigns them again.
    assert (await client.post(place.stage() + "/assignment", json={}, headers=place.headers)).status_code == 409
    four, _ = await judge(client, place, "j4@judges.cn")
    rerun = await client.post(place.stage() + "/assignment", json={"seed": 3}, headers=place.headers)
    assert rerun.status_code == 200, rerun.text
    assert (rerun.json()["added"], rerun.json()["withdrawn"]) == (1, 1)
    assert not await JudgeAssignment.exists(judge_id=promoted.id, withdrawn_at__isnull=True)
    fourth = (await assigned(client, place, four))[team]
    assert (await client.get(f"/api/v1/judging/assignments/{fourth}", headers=four)).status_code == 403  # to declare
    # An admin reads everything too, so is no judge either.
    await User.filter(email="j4@judges.cn").update(is_admin=True)
    assert (await client.get(f"/api/v1/judging/assignments/{fourth}", headers=four)).status_code == 404


async def test_the_organisers_of_a_challenges_co_organiser_never_judge_it(db: str) -> None:
    enterprise = await organisation(OrganisationKind.COMPANY, "济南某智能装备有限公司")
    place = await world(challenge={"enterprise_id": enterprise.id, "need": "产线视觉质检"})
    judge_only = await member_of(place.organisation, "judge@x.cn", Role.JUDGE)
    both = await member_of(place.organisation, "both@x.cn", Role.JUDGE)
    await Membership.create(user=both, organisation=enterprise, role=Role.ORGANISER)
    elsewhere = await member_of(place.organisation, "elsewhere@x.cn", Role.JUDGE)
    await Membership.create(user=elsewhere, organisation=await organisation(name="别的机构"), role=Role.MANAGER)
    for user in (judge_only, elsewhere):  # the negative controls: organising another organisation is no bar
        added = await panel.set_judge(place.host, place.event, JudgeIn(user_id=user.id, track_ids=place.track_ids))
        assert added.active
    with pytest.raises(panel.OrganiserJudge):
        await panel.set_judge(place.host, place.event, JudgeIn(user_id=both.id, track_ids=place.track_ids))
    users = [judge_only.id, both.id, elsewhere.id, place.host.id]
    assert await panel.barred_judges(place.competition, users) == {both.id, place.host.id}
