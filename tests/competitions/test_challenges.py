"""揭榜挂帅 challenges set from a scenario need of the resource pool: the need's organisation co-organises, the
text is the need's as published, and every other source is refused field by field before anything is written."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from events.competitions import setup
from events.competitions.models import Competition
from events.competitions.schemas import CompetitionIn
from events.matchmaking import pool
from events.matchmaking.models import EntryState, PoolEntry
from server.errors import InvalidInput
from server.models import OrganisationKind, User
from tests.competitions.support import competition_event, member_of, organisation, set_up_body
from tests.events.support import organiser, published_event
from tests.matchmaking.support import IMAGING_NEED, curator, member, need, published, solution

CT_TEXT = IMAGING_NEED[1]


async def imaging_need(state: EntryState = EntryState.PUBLISHED) -> tuple[User, PoolEntry]:
    """The hospital's CT need (the hospital is a university hospital, not a company) in `state`, with its author."""
    owner, hospital = await member("radiology@hospital.edu.cn", OrganisationKind.UNIVERSITY)
    if state is EntryState.PUBLISHED:
        return owner, await published(owner, need(hospital.id, *IMAGING_NEED), await curator())
    entry = await pool.create_entry(owner, need(hospital.id, *IMAGING_NEED))
    if state is EntryState.SUBMITTED:
        entry = await pool.move(owner, entry.id, EntryState.SUBMITTED)
    return owner, entry


async def set_up(challenge: dict[str, Any]) -> Competition:
    host_organisation = await organisation()
    host = await member_of(host_organisation, f"host-{uuid.uuid4().hex[:8]}@organiser.cn")
    event = await competition_event(host_organisation)
    body = set_up_body(event, challenge=challenge)
    return await setup.set_up(host, event.id, CompetitionIn.model_validate(body))


async def refusal(challenge: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    before = await Competition.all().count()
    with pytest.raises(InvalidInput) as caught:
        await set_up(challenge)
    assert await Competition.all().count() == before
    return [(loc, key) for loc, key, _ in caught.value.field_errors]


async def test_a_challenge_from_a_published_need_takes_its_organisation_and_text(db: str) -> None:
    _, entry = await imaging_need()
    competition = await set_up({"scenario_need_id": entry.id})
    assert competition.is_challenge and competition.scenario_need_id == entry.id
    assert competition.co_organiser_id == entry.organisation_id  # a hospital may set a challenge: it has the need
    assert competition.need_md == f"影像辅助诊断\n\n{CT_TEXT}"


async def test_a_challenge_outlives_its_need_being_closed_and_a_closed_need_sets_no_new_one(db: str) -> None:
    owner, entry = await imaging_need()
    competition = await set_up({"scenario_need_id": entry.id, "enterprise_id": entry.organisation_id})
    await pool.move(owner, entry.id, EntryState.CLOSED)
    kept = await Competition.get(id=competition.id)
    assert (kept.scenario_need_id, kept.need_md) == (entry.id, f"影像辅助诊断\n\n{CT_TEXT}")
    assert await refusal({"scenario_need_id": entry.id}) == [
        (("body", "challenge", "scenario_need_id"), "validation.not_a_published_need")
    ]


@pytest.mark.parametrize("state", [EntryState.DRAFT, EntryState.SUBMITTED])
async def test_an_unpublished_need_cannot_become_a_challenge(db: str, state: EntryState) -> None:
    _, entry = await imaging_need(state)
    assert await refusal({"scenario_need_id": entry.id}) == [
        (("body", "challenge", "scenario_need_id"), "validation.not_a_published_need")
    ]


async def test_a_solution_or_an_unknown_entry_is_not_a_need(db: str) -> None:
    owner, supplier = await member("sales@ai.cn")
    offer = solution(supplier.id, "肺结节AI筛查", "基于深度学习的肺结节筛查。", ["healthcare"], ["山东省立医院"])
    entry = await published(owner, offer, await curator())
    expected = [(("body", "challenge", "scenario_need_id"), "validation.not_a_published_need")]
    assert await refusal({"scenario_need_id": entry.id}) == expected
    assert await refusal({"scenario_need_id": entry.id + 1000}) == expected


async def test_the_co_organiser_named_must_be_the_needs_organisation(db: str) -> None:
    _, entry = await imaging_need()
    _, other = await member("boss@other.cn")
    assert await refusal({"scenario_need_id": entry.id, "enterprise_id": other.id}) == [
        (("body", "challenge", "enterprise_id"), "validation.not_the_needs_organisation")
    ]


async def test_a_challenge_names_one_source_of_its_need_over_http(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, kind="competition")
    shown = (await client.get(f"/api/v1/events/{event_id}")).json()
    body = {
        "tracks": [{"name": {"zh": "智慧医疗"}}],
        "stages": [{"name": {"zh": "方案提交"}, "starts_at": shown["starts_at"], "deadline": shown["ends_at"]}],
    }
    path = f"/api/v1/events/{event_id}/competition"
    cases = [
        (
            {"scenario_need_id": 1, "enterprise_id": 1, "need": "两者都给"},
            "请选择资源池中的一条场景需求，或填写需求内容（二者选一）",
        ),
        ({}, "请选择资源池中的一条场景需求，或填写需求内容（二者选一）"),
        ({"need": "缺少企业"}, "填写需求内容时须指定提出需求的企业"),
        ({"scenario_need_id": 2**31 - 1}, "资源池中没有这条已发布的场景需求"),
    ]
    for challenge, message in cases:
        answer = await client.post(
            path, json=body | {"challenge": challenge}, headers=headers | {"Accept-Language": "zh-CN"}
        )
        assert answer.status_code == 422, (challenge, answer.text)
        assert [error["msg"] for error in answer.json()["errors"]] == [message], challenge
    _, entry = await imaging_need()
    created = await client.post(path, json=body | {"challenge": {"scenario_need_id": entry.id}}, headers=headers)
    assert created.status_code == 201, created.text
    read = (await client.get(path)).json()
    assert (read["is_challenge"], read["scenario_need_id"], read["co_organiser_id"]) == (
        True,
        entry.id,
        entry.organisation_id,
    )
    assert read["need"] == f"影像辅助诊断\n\n{CT_TEXT}"
