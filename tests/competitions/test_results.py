"""Rounds and results over HTTP: carrying teams into the next stage, 公示, final results and their mail."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from events.competitions import results
from events.competitions.models import Advancement
from notifications.models import OutboxMessage
from server.clock import utcnow
from server.models import AuditEntry
from tests.competitions.support import Clock, Judged, assigned, entry, judge, judged_competition


@pytest.fixture
def results_clock() -> Iterator[Clock]:
    moving = Clock(utcnow())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(results, "utcnow", moving)
        yield moving


async def scored(client: httpx.AsyncClient, *, stages: int = 1) -> tuple[Judged, dict[str, int]]:
    """Two tracks of two teams each, three judges on both; every sheet scored: the first team of each track
    (8, 8) by every judge, the second (4, 4). So A1 and B1 rank first."""
    place = await judged_competition(client, stages=stages, tracks=2)
    judges = [(await judge(client, place, f"j{n}@judges.cn", tracks=2))[0] for n in range(3)]
    teams = {}
    for track, letter in enumerate("AB"):
        for number in (1, 2):
            name = f"{letter}{number}"
            teams[name] = (await entry(client, place, f"lead{name}@x.cn", name, track=track))[1]
    run = await client.post(place.stage() + "/assignment", json={}, headers=place.headers)
    assert run.status_code == 200, run.text
    points = {teams["A1"]: 8, teams["B1"]: 8, teams["A2"]: 4, teams["B2"]: 4}
    for headers in judges:
        for team_id, assignment in (await assigned(client, place, headers)).items():
            path = f"/api/v1/judging/assignments/{assignment}"
            await client.post(path + "/declaration", json={"conflict": False}, headers=headers)
            scores = {"innovation": points[team_id], "team": points[team_id]}
            await client.patch(path + "/sheet", json={"scores": scores}, headers=headers)
            assert (await client.post(path + "/sheet/submit", headers=headers)).status_code == 200
    return place, teams


async def test_the_top_of_each_track_and_the_chosen_advance_with_a_record(client: httpx.AsyncClient) -> None:
    place, teams = await scored(client, stages=2)
    unexplained = await client.post(
        place.stage() + "/advance", json={"places": 1, "chosen": [{"team_id": teams["A2"]}]}, headers=place.headers
    )
    assert unexplained.status_code == 422 and unexplained.json()["errors"][0]["loc"] == ["body", "chosen", 0, "reason"]
    stranger = await client.post(
        place.stage() + "/advance",
        json={"places": 1, "chosen": [{"team_id": 999_999, "reason": "复活"}]},
        headers=place.headers,
    )
    assert stranger.status_code == 422 and stranger.json()["errors"][0]["loc"] == ["body", "chosen", 0, "team_id"]
    advanced = await client.post(
        place.stage() + "/advance",
        json={"places": 1, "chosen": [{"team_id": teams["B2"], "reason": "评审委员会复议"}]},
        headers=place.headers,
    )
    assert advanced.status_code == 200, advanced.text
    second_stage = place.created["stages"][1]["id"]
    assert sorted((row["team_id"], row["rank"], row["reason"]) for row in advanced.json()) == sorted(
        [(teams["A1"], 1, ""), (teams["B1"], 1, ""), (teams["B2"], None, "评审委员会复议")]
    )
    assert {row["stage_id"] for row in advanced.json()} == {second_stage}
    again = await client.post(place.stage() + "/advance", json={"places": 1}, headers=place.headers)
    assert len(again.json()) == 3 and await Advancement.all().count() == 3
    assert await AuditEntry.filter(action="team.advance").count() == 3
    last = await client.post(place.stage(1) + "/advance", json={"places": 1}, headers=place.headers)
    assert last.status_code == 409 and last.json()["type"].endswith("no_next_stage")


async def test_results_go_on_notice_then_become_final_and_are_mailed(
    client: httpx.AsyncClient, results_clock: Clock
) -> None:
    place, teams = await scored(client)
    assert (await client.get(place.stage() + "/results")).status_code == 404  # nothing before 公示
    until = results_clock.now + timedelta(days=7)
    past = await client.post(
        place.stage() + "/results/notice",
        json={"notice_until": (results_clock.now - timedelta(minutes=1)).isoformat()},
        headers=place.headers,
    )
    assert past.status_code == 422 and past.json()["errors"][0]["loc"] == ["body", "notice_until"]
    early = await client.post(place.stage() + "/results/publish", headers=place.headers)
    assert early.status_code == 409 and early.json()["type"].endswith("results_not_noticed")
    noticed = await client.post(
        place.stage() + "/results/notice", json={"notice_until": until.isoformat()}, headers=place.headers
    )
    assert noticed.status_code == 200, noticed.text
    shown = await client.get(place.stage() + "/results")
    assert shown.status_code == 200 and shown.json()["final"] is False
    firsts = {track["ranked"][0]["team_id"] for track in shown.json()["ranking"]}
    assert firsts == {teams["A1"], teams["B1"]}
    twice = await client.post(
        place.stage() + "/results/notice", json={"notice_until": until.isoformat()}, headers=place.headers
    )
    assert twice.status_code == 409

    results_clock.now = until - timedelta(seconds=1)
    during = await client.post(
        place.stage() + "/results/publish", headers={**place.headers, "Accept-Language": "zh-CN"}
    )
    assert during.status_code == 409 and "(Asia/Shanghai)" in during.json()["detail"]
    assert await OutboxMessage.filter(template="competition_results").count() == 0

    results_clock.now = until
    published = await client.post(place.stage() + "/results/publish", headers=place.headers)
    assert published.status_code == 200 and published.json()["final"] is True
    mails = await OutboxMessage.filter(template="competition_results").order_by("to_addr")
    assert [mail.to_addr for mail in mails] == sorted(f"lead{name.lower()}@x.cn" for name in teams)
    first = next(mail for mail in mails if mail.to_addr == "leada1@x.cn")
    assert first.context["rank"] == 1 and first.context["team_name"] == "A1"
    again = await client.post(place.stage() + "/results/publish", headers=place.headers)
    assert again.status_code == 409 and again.json()["type"].endswith("results_published")
    assert await AuditEntry.filter(action__in=["results.notice", "results.publish"]).count() == 2
