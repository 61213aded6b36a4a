"""Teams: eligibility, one team per person, invitations by signed expiring links, team size, leader handover,
organiser approval, and the one transition function tested pair by pair."""

from __future__ import annotations

from datetime import timedelta
from itertools import product
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from tortoise.transactions import in_transaction

from events.competitions import teams
from events.competitions.models import OPEN, Team, TeamMember, TeamStatus
from events.competitions.schemas import InviteIn, TeamIn
from events.mailing import Site
from notifications.models import OutboxMessage
from notifications.templates import render
from server.errors import InvalidInput, NotFound, PermissionDenied, problem
from server.models import AuditEntry
from tests.competitions.support import BAD_USCC, USCC, Clock, invited, person, team_of, world


def field_errors(error: InvalidInput) -> list[tuple[tuple[str | int, ...], str]]:
    return [(loc, key) for loc, key, _ in error.field_errors]


async def active_members(team: Team) -> list[int]:
    return sorted(m.user_id for m in await TeamMember.filter(team_id=team.id, holder__not_isnull=True))


@pytest.mark.parametrize(("before", "after"), list(product(TeamStatus, TeamStatus)))
async def test_transition_allows_exactly_the_pairs_of_the_table(db: str, before: TeamStatus, after: TeamStatus) -> None:
    place = await world()
    leader = await person("lead@x.cn")
    team = await team_of(place, leader)
    await Team.filter(id=team.id).update(status=before)
    team = await Team.get(id=team.id)
    allowed = after in teams.TRANSITIONS[before]
    if allowed:
        async with in_transaction():
            await teams.transition(team, after, place.host, reason="r")
        assert (await Team.get(id=team.id)).status is after
        assert await active_members(team) == ([] if after not in OPEN else [leader.id])
        entry = await AuditEntry.get(action="team.status")
        assert (entry.before, entry.after) == ({"status": before.value}, {"status": after.value, "reason": "r"})
    else:
        with pytest.raises(teams.TeamTransitionForbidden):
            async with in_transaction():
                await teams.transition(team, after, place.host)
        assert (await Team.get(id=team.id)).status is before


def test_the_table_ends_in_rejected_and_withdrawn_only() -> None:
    assert {status for status, targets in teams.TRANSITIONS.items() if not targets} == {
        TeamStatus.REJECTED,
        TeamStatus.WITHDRAWN,
    }


async def test_a_leader_founds_a_team_and_is_its_first_member(db: str) -> None:
    place = await world()
    leader = await person("lead@x.cn")
    team = await team_of(place, leader, organisation_name="济南某科技有限公司", uscc=USCC.lower())
    assert (team.status, team.leader_id, team.uscc) == (TeamStatus.ACTIVE, leader.id, USCC)
    assert await active_members(team) == [leader.id]
    assert await AuditEntry.exists(action="team.create", object_id=str(team.id))


async def test_a_team_waits_for_approval_where_the_competition_asks(db: str) -> None:
    place = await world(requires_approval=True)
    team = await team_of(place, await person("lead@x.cn"))
    assert team.status is TeamStatus.PENDING
    approved = await teams.decide(place.host, team.id, approve=True)
    assert approved.status is TeamStatus.ACTIVE


async def test_only_the_organisers_decide_on_a_team(db: str) -> None:
    place = await world(requires_approval=True)
    leader = await person("lead@x.cn")
    team = await team_of(place, leader)
    with pytest.raises(PermissionDenied):
        await teams.decide(leader, team.id, approve=True)
    assert (await Team.get(id=team.id)).status is TeamStatus.PENDING


async def test_a_rejected_team_frees_its_members_for_another_team(db: str) -> None:
    place = await world(requires_approval=True)
    leader = await person("lead@x.cn")
    team = await team_of(place, leader)
    await teams.decide(place.host, team.id, approve=False, reason="材料不全")
    assert (await Team.get(id=team.id)).reason == "材料不全"
    second = await team_of(place, leader, name="第二队")
    assert await active_members(second) == [leader.id]


async def test_a_person_founds_no_second_team_in_one_competition(db: str) -> None:
    place = await world()
    leader = await person("lead@x.cn")
    await team_of(place, leader)
    with pytest.raises(teams.AlreadyInTeam):
        await team_of(place, leader, name="第二队")
    assert await Team.all().count() == 1


async def test_ineligible_region_unknown_track_and_taken_name_are_named_by_field(db: str) -> None:
    place = await world(regions=["licheng"])
    await team_of(place, await person("first@x.cn"), region="licheng")
    body = TeamIn(name="泉城智造队", track_id=-1, region="lixia")
    with pytest.raises(InvalidInput) as caught:
        await teams.create_team(await person("lead@x.cn"), place.competition.id, body)
    assert field_errors(caught.value) == [
        (("body", "region"), "validation.region_ineligible"),
        (("body", "track_id"), "validation.unknown_track"),
        (("body", "name"), "validation.team_name_taken"),
    ]
    assert [e.msg for e in problem(caught.value, "en").errors][
        0
    ] == "Teams from this region cannot enter this competition"


async def test_organisation_competitions_require_a_uscc(db: str) -> None:
    place = await world(entrants="organisations")
    with pytest.raises(InvalidInput) as caught:
        await team_of(place, await person("lead@x.cn"))
    assert field_errors(caught.value) == [(("body", "uscc"), "validation.uscc_required")]
    assert await Team.all().count() == 0


async def test_individual_competitions_refuse_a_company_team(db: str) -> None:
    place = await world(entrants="individuals")
    with pytest.raises(InvalidInput) as caught:
        await team_of(place, await person("lead@x.cn"), organisation_name="某公司", uscc=USCC)
    assert field_errors(caught.value) == [(("body", "organisation_name"), "validation.individuals_only")]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"uscc": BAD_USCC}, "uscc_check"),
        ({"uscc": "91370100MA3C4B5D"}, "uscc_format"),
        ({"organisation_name": "济南某科技有限公司"}, "uscc_required"),
    ],
)
def test_a_company_team_needs_a_valid_uscc(fields: dict[str, str], expected: str) -> None:
    with pytest.raises(ValidationError) as caught:
        TeamIn.model_validate({"name": "队", "track_id": 1, "region": "lixia", **fields})
    assert [detail["type"] for detail in caught.value.errors()] == [expected]


async def test_teams_cannot_be_formed_after_the_last_deadline(db: str, clock: Clock) -> None:
    place = await world()
    clock.now = place.stages[-1].deadline
    with pytest.raises(teams.TeamsClosed) as caught:
        await team_of(place, await person("lead@x.cn"))
    local = place.stages[-1].deadline.astimezone(ZoneInfo("Asia/Shanghai"))
    assert caught.value.params["deadline"] == f"{local:%Y-%m-%d %H:%M:%S} (Asia/Shanghai)"


async def test_an_invitation_is_mailed_and_accepting_it_joins_the_team(db: str, site: Site) -> None:
    place = await world()
    leader = await person("lead@x.cn")
    team = await team_of(place, leader)
    token = await invited(team, leader, "mate@x.cn", site)
    mail = await OutboxMessage.get(template="team_invitation")
    assert mail.to_addr == "mate@x.cn"
    rendered = render("team_invitation", mail.locale, mail.context)
    assert "泉城智造队" in rendered.subject and token in rendered.text
    mate = await person("mate@x.cn")
    member = await teams.accept(mate, token, site)
    assert member.team_id == team.id
    assert await active_members(team) == sorted([leader.id, mate.id])
    assert await AuditEntry.exists(action="team.join", object_id=str(team.id))
    with pytest.raises(teams.InviteInvalid):  # used once
        await teams.accept(mate, token, site)


@pytest.mark.parametrize("forgery", ["signature", "id", "expiry", "shape"])
async def test_a_forged_invitation_link_is_refused(db: str, site: Site, forgery: str) -> None:
    place = await world()
    leader = await person("lead@x.cn")
    token = await invited(await team_of(place, leader), leader, "mate@x.cn", site)
    prefix, invite_id, stamp, signature = token.split("_")
    forged = {
        "signature": f"{prefix}_{invite_id}_{stamp}_{'0' * 40}",
        "id": f"{prefix}_{int(invite_id) + 1}_{stamp}_{signature}",
        "expiry": f"{prefix}_{invite_id}_{int(stamp) + 86400}_{signature}",
        "shape": f"{token}_extra",
    }[forgery]
    with pytest.raises(teams.InviteInvalid):
        await teams.accept(await person("mate@x.cn"), forged, site)
    assert await TeamMember.all().count() == 1


async def test_an_expired_invitation_names_when_it_expired(db: str, site: Site, clock: Clock) -> None:
    place = await world()
    leader = await person("lead@x.cn")
    token = await invited(await team_of(place, leader), leader, "mate@x.cn", site)
    clock.now += teams.INVITE_LIFETIME + timedelta(seconds=1)
    with pytest.raises(teams.InviteExpired) as caught:
        await teams.accept(await person("mate@x.cn"), token, site)
    rendered = problem(caught.value, "zh-CN")
    assert rendered.status == 409 and "(Asia/Shanghai)" in rendered.detail


async def test_an_invitation_is_for_the_address_it_was_sent_to(db: str, site: Site) -> None:
    place = await world()
    leader = await person("lead@x.cn")
    token = await invited(await team_of(place, leader), leader, "mate@x.cn", site)
    with pytest.raises(teams.InviteForSomeoneElse):
        await teams.accept(await person("someone@x.cn"), token, site)


async def test_a_team_never_grows_past_its_maximum(db: str, site: Site) -> None:
    place = await world(team_max=2)
    leader = await person("lead@x.cn")
    team = await team_of(place, leader)
    first = await invited(team, leader, "a@x.cn", site)
    second = await invited(team, leader, "b@x.cn", site)
    await teams.accept(await person("a@x.cn"), first, site)
    with pytest.raises(teams.TeamFull) as caught:
        await teams.accept(await person("b@x.cn"), second, site)
    assert problem(caught.value, "en").detail == "A team of this competition has at most 2 members."
    with pytest.raises(teams.TeamFull):
        await teams.invite(leader, team.id, InviteIn(email="c@x.cn"), site)
    assert len(await active_members(team)) == 2


async def test_someone_in_a_team_cannot_accept_another_teams_invitation(db: str, site: Site) -> None:
    place = await world()
    leader = await person("lead@x.cn")
    other_leader = await person("other@x.cn")
    await team_of(place, leader)
    other = await team_of(place, other_leader, name="第二队")
    token = await invited(other, other_leader, "lead@x.cn", site)
    with pytest.raises(teams.AlreadyInTeam):
        await teams.accept(leader, token, site)
    assert await active_members(other) == [other_leader.id]


async def test_only_the_leader_invites_and_the_lead_can_be_handed_over(db: str, site: Site) -> None:
    place = await world()
    leader = await person("lead@x.cn")
    team = await team_of(place, leader)
    mate = await person("mate@x.cn")
    await teams.accept(mate, await invited(team, leader, "mate@x.cn", site), site)
    with pytest.raises(PermissionDenied):
        await teams.invite(mate, team.id, InviteIn(email="c@x.cn"), site)
    handed = await teams.hand_over(leader, team.id, mate.id)
    assert handed.leader_id == mate.id
    entry = await AuditEntry.get(action="team.leader")
    assert (entry.before, entry.after) == ({"leader": leader.id}, {"leader": mate.id})
    with pytest.raises(PermissionDenied):
        await teams.invite(leader, team.id, InviteIn(email="c@x.cn"), site)
    await teams.invite(mate, team.id, InviteIn(email="c@x.cn"), site)


async def test_the_lead_goes_only_to_a_current_member(db: str) -> None:
    place = await world()
    leader = await person("lead@x.cn")
    team = await team_of(place, leader)
    outsider = await person("out@x.cn")
    with pytest.raises(InvalidInput) as caught:
        await teams.hand_over(leader, team.id, outsider.id)
    assert field_errors(caught.value) == [(("body", "user_id"), "validation.not_a_member")]
    with pytest.raises(NotFound):
        await teams.hand_over(leader, team.id + 999, outsider.id)


async def test_withdrawing_frees_every_member(db: str, site: Site) -> None:
    place = await world()
    leader = await person("lead@x.cn")
    team = await team_of(place, leader)
    mate = await person("mate@x.cn")
    await teams.accept(mate, await invited(team, leader, "mate@x.cn", site), site)
    await teams.withdraw(leader, team.id)
    assert await active_members(team) == []
    with pytest.raises(teams.TeamTransitionForbidden):
        await teams.withdraw(leader, team.id)
    assert (await team_of(place, mate, name="新队")).leader_id == mate.id
