"""Competition set-up: tracks and stages in order, eligibility, team sizes, 揭榜挂帅, and each refusal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from events.competitions import setup, teams
from events.competitions.models import Competition, Entrants, Stage, Track
from events.competitions.schemas import CompetitionIn, DeadlineIn
from events.models import EventKind
from notifications.models import OutboxMessage
from notifications.templates import render
from server.errors import InvalidInput, PermissionDenied, problem
from server.models import AuditEntry, OrganisationKind
from tests.competitions.support import competition_event, member_of, organisation, person, set_up_body, team_of, world


def error_types(exc: ValidationError) -> list[str]:
    return [detail["type"] for detail in exc.errors()]


def field_errors(error: InvalidInput) -> list[tuple[tuple[str | int, ...], str]]:
    return [(loc, key) for loc, key, _ in error.field_errors]


async def test_set_up_creates_tracks_and_stages_in_order_and_audits(db: str) -> None:
    place = await world(regions=["lixia", "licheng"], requires_approval=True, entrants="organisations")
    competition = await Competition.get(id=place.competition.id)
    assert (competition.entrants, competition.region_codes) == (Entrants.ORGANISATIONS, ["licheng", "lixia"])
    assert competition.requires_approval and not competition.is_challenge and competition.co_organiser_id is None
    assert [t.name_zh for t in await Track.filter(competition=competition).order_by("position")] == [
        "智能制造",
        "智慧医疗",
    ]
    assert [(s.position, s.name_zh) for s in place.stages] == [(0, "方案提交"), (1, "决赛路演")]
    assert place.stages[0].deadline == place.event.starts_at + timedelta(days=30)
    assert [f["key"] for f in place.stages[0].fact_sheet] == ["summary", "site"]
    entry = await AuditEntry.get(action="competition.create")
    assert (entry.actor_id, entry.object_id, entry.organisation_id) == (
        place.host.id,
        str(competition.id),
        place.organisation.id,
    )


async def test_only_an_event_of_kind_competition_can_be_set_up(db: str) -> None:
    host_organisation = await organisation()
    host = await member_of(host_organisation, "host@organiser.cn")
    forum = await competition_event(host_organisation, kind=EventKind.FORUM)
    with pytest.raises(setup.NotACompetition):
        await setup.set_up(host, forum.id, CompetitionIn.model_validate(set_up_body(forum)))
    assert not await Competition.exists()


async def test_a_second_set_up_is_refused(db: str) -> None:
    place = await world()
    with pytest.raises(setup.AlreadySetUp):
        await setup.set_up(place.host, place.event.id, CompetitionIn.model_validate(set_up_body(place.event)))
    assert await Stage.filter(competition_id=place.competition.id).count() == 2


async def test_someone_outside_the_organisation_cannot_set_up(db: str) -> None:
    host_organisation = await organisation()
    event = await competition_event(host_organisation)
    stranger = await person("stranger@x.cn")
    with pytest.raises(PermissionDenied):
        await setup.set_up(stranger, event.id, CompetitionIn.model_validate(set_up_body(event)))


def shape(**fields: Any) -> dict[str, Any]:
    starts = datetime(2027, 3, 1, 1, tzinfo=UTC)
    stage = {"name": {"zh": "方案提交"}, "starts_at": starts.isoformat(), "deadline": (starts + timedelta(days=9))}
    return {"tracks": [{"name": {"zh": "智能制造"}}], "stages": [stage], **fields}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"team_min": 4, "team_max": 2}, "team_size_order"),
        ({"team_min": 0}, "greater_than_equal"),
        ({"tracks": []}, "too_short"),
        ({"tracks": [{"name": {"zh": "赛道"}}, {"name": {"zh": "赛道"}}]}, "duplicate_track"),
        ({"entrants": "robots"}, "enum"),
    ],
)
def test_malformed_set_ups_are_refused_by_field(change: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValidationError) as caught:
        CompetitionIn.model_validate(shape(**change))
    assert error_types(caught.value) == [expected]


def stage(starts: datetime, ends: datetime, **fields: Any) -> dict[str, Any]:
    return {"name": {"zh": "阶段"}, "starts_at": starts.isoformat(), "deadline": ends.isoformat(), **fields}


@pytest.mark.parametrize(
    ("stages", "expected"),
    [
        ([stage(datetime(2027, 3, 2, tzinfo=UTC), datetime(2027, 3, 2, tzinfo=UTC))], "deadline_before_start"),
        ([stage(datetime(2027, 3, 2, tzinfo=UTC), datetime(2028, 3, 3, tzinfo=UTC))], "stage_too_long"),
        (
            [
                stage(datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 3, 10, tzinfo=UTC)),
                stage(datetime(2027, 3, 9, tzinfo=UTC), datetime(2027, 3, 20, tzinfo=UTC)),
            ],
            "stages_overlap",
        ),
        (
            [
                stage(
                    datetime(2027, 3, 1, tzinfo=UTC),
                    datetime(2027, 3, 2, tzinfo=UTC),
                    fact_sheet=[{"key": "a", "label": {"zh": "甲"}}, {"key": "a", "label": {"zh": "乙"}}],
                )
            ],
            "duplicate_field_key",
        ),
        ([{"name": {"zh": "阶段"}, "starts_at": "2027-03-01T09:00", "deadline": "2027-03-02T09:00"}], "timezone_aware"),
    ],
)
def test_stage_windows_must_be_sane(stages: list[dict[str, Any]], expected: str) -> None:
    with pytest.raises(ValidationError) as caught:
        CompetitionIn.model_validate(shape(stages=stages))
    assert expected in error_types(caught.value)


async def test_unknown_regions_and_stages_outside_the_event_are_named_field_by_field(db: str) -> None:
    host_organisation = await organisation()
    host = await member_of(host_organisation, "host@organiser.cn")
    event = await competition_event(host_organisation)
    late = stage(event.ends_at - timedelta(days=1), event.ends_at + timedelta(seconds=1))
    early = stage(event.starts_at - timedelta(days=400), event.starts_at - timedelta(days=390))
    body = set_up_body(event, regions=["lixia", "atlantis"], stages=[early, late])
    with pytest.raises(InvalidInput) as caught:
        await setup.set_up(host, event.id, CompetitionIn.model_validate(body))
    assert field_errors(caught.value) == [
        (("body", "regions", 1), "validation.unknown_region"),
        (("body", "stages", 0, "starts_at"), "validation.stage_opens_too_early"),
        (("body", "stages", 1, "deadline"), "validation.stage_after_event"),
    ]
    rendered = problem(caught.value, "zh-CN")
    assert rendered.status == 422 and [e.msg for e in rendered.errors][2] == "阶段截止时间不能晚于活动结束时间"
    assert not await Competition.exists()


async def test_a_challenge_names_the_needing_enterprise_as_co_organiser(db: str) -> None:
    enterprise = await organisation(OrganisationKind.COMPANY, "济南某智能装备有限公司")
    challenge = {"enterprise_id": enterprise.id, "need": "产线视觉质检：漏检率低于 0.1%。"}
    place = await world(challenge=challenge)
    competition = await Competition.get(id=place.competition.id)
    assert competition.is_challenge and competition.co_organiser_id == enterprise.id
    assert competition.need_md == "产线视觉质检：漏检率低于 0.1%。" and competition.scenario_need_id is None


async def test_a_challenge_co_organiser_must_be_a_company(db: str) -> None:
    host_organisation = await organisation()
    host = await member_of(host_organisation, "host@organiser.cn")
    event = await competition_event(host_organisation)
    body = set_up_body(event, challenge={"enterprise_id": host_organisation.id, "need": "需求"})
    with pytest.raises(InvalidInput) as caught:
        await setup.set_up(host, event.id, CompetitionIn.model_validate(body))
    assert field_errors(caught.value) == [(("body", "challenge", "enterprise_id"), "validation.not_an_enterprise")]


def test_local_time_shows_the_second_in_the_events_zone() -> None:
    class Shown:
        timezone = "Asia/Shanghai"

    moment = datetime(2027, 4, 1, 9, 59, 59, tzinfo=UTC)
    assert setup.local_time(Shown(), moment) == "2027-04-01 17:59:59 (Asia/Shanghai)"  # type: ignore[arg-type]


async def test_moving_a_deadline_is_audited_and_mailed_to_every_open_teams_members(db: str) -> None:
    place = await world(requires_approval=True)
    stage = place.stages[0]
    waiting = await person("waiting@x.cn", locale="en")
    await team_of(place, waiting)
    rejected_leader = await person("rejected@x.cn")
    rejected = await team_of(place, rejected_leader, name="落选队")
    await teams.decide(place.host, rejected.id, approve=False)
    later = stage.deadline + timedelta(days=2)
    moved = await setup.move_deadline(place.host, place.event.id, stage.id, DeadlineIn(deadline=later, reason="顺延"))
    assert (await Stage.get(id=stage.id)).deadline == later == moved.deadline
    entry = await AuditEntry.get(action="stage.deadline")
    assert entry.before == {"deadline": stage.deadline.isoformat()}
    assert entry.after == {"deadline": later.isoformat(), "reason": "顺延"}
    [mail] = await OutboxMessage.filter(template="deadline_changed")
    assert mail.to_addr == "waiting@x.cn"
    text = render("deadline_changed", mail.locale, mail.context).text
    assert setup.local_time(place.event, stage.deadline) in text and setup.local_time(place.event, later) in text


@pytest.mark.parametrize(
    ("shift", "expected"),
    [
        ("before_start", "validation.deadline_before_start"),
        ("into_next_stage", "validation.stages_overlap"),
    ],
)
async def test_a_deadline_cannot_move_out_of_its_window(db: str, shift: str, expected: str) -> None:
    place = await world()
    first, second = place.stages
    deadline = first.starts_at if shift == "before_start" else second.starts_at + timedelta(seconds=1)
    with pytest.raises(InvalidInput) as caught:
        await setup.move_deadline(place.host, place.event.id, first.id, DeadlineIn(deadline=deadline, reason="r"))
    assert field_errors(caught.value) == [(("body", "deadline"), expected)]
    assert (await Stage.get(id=first.id)).deadline == first.deadline
    assert not await AuditEntry.exists(action="stage.deadline")


async def test_the_last_deadline_stays_by_the_events_end_and_only_organisers_move_it(db: str) -> None:
    place = await world()
    last = place.stages[-1]
    beyond = DeadlineIn(deadline=place.event.ends_at + timedelta(seconds=1), reason="r")
    with pytest.raises(InvalidInput) as caught:
        await setup.move_deadline(place.host, place.event.id, last.id, beyond)
    assert field_errors(caught.value) == [(("body", "deadline"), "validation.stage_after_event")]
    with pytest.raises(PermissionDenied):
        await setup.move_deadline(await person("x@x.cn"), place.event.id, last.id, beyond)
