"""One team per person per competition under concurrency, on PostgreSQL, with a negative control: the same
race with the database's unique (competition, holder) dropped puts one person into two teams."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from tortoise import connections

from events.competitions import teams
from events.competitions.models import Team, TeamMember
from events.competitions.schemas import TeamIn
from events.mailing import Site
from server.models import User
from tests.competitions.support import World, invited, person, team_of, world


@pytest.fixture(autouse=True)
def postgres_only(database: str) -> None:
    if not database.startswith("postgres"):
        pytest.skip("concurrency is proven on PostgreSQL; SQLite serialises every writer")


@pytest.fixture
async def without_the_constraint(db: str) -> AsyncIterator[None]:
    """The unique (competition, holder) dropped for one test, and put back (on emptied rows) after it."""
    connection = connections.get("default")
    rows = await connection.execute_query_dict(
        "SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint "
        "WHERE conrelid = 'competition_team_member'::regclass AND contype = 'u'"
    )
    assert [row["definition"] for row in rows] == ["UNIQUE (competition_id, holder)"]
    name = rows[0]["conname"]
    await connection.execute_script(f'ALTER TABLE competition_team_member DROP CONSTRAINT "{name}"')
    yield
    await connection.execute_script(
        "DELETE FROM competition_team_member;"
        f'ALTER TABLE competition_team_member ADD CONSTRAINT "{name}" UNIQUE (competition_id, holder)'
    )


async def two_invitations(site: Site) -> tuple[World, User, list[str]]:
    """Two teams each inviting mate@x.cn; the two accept tokens."""
    place = await world()
    tokens = []
    for index in range(2):
        leader = await person(f"lead{index}@x.cn")
        team = await team_of(place, leader, name=f"队{index}")
        tokens.append(await invited(team, leader, "mate@x.cn", site))
    return place, await person("mate@x.cn"), tokens


async def memberships_of(user: User) -> int:
    return await TeamMember.filter(user_id=user.id, holder__not_isnull=True).count()


async def test_accepting_two_invitations_at_once_joins_exactly_one_team(db: str, site: Site) -> None:
    _, mate, tokens = await two_invitations(site)
    outcomes = await asyncio.gather(*(teams.accept(mate, token, site) for token in tokens), return_exceptions=True)
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["AlreadyInTeam", "TeamMember"]
    assert await memberships_of(mate) == 1


@pytest.mark.usefixtures("without_the_constraint")
async def test_negative_control_without_the_constraint_one_person_joins_two_teams(db: str, site: Site) -> None:
    _, mate, tokens = await two_invitations(site)
    outcomes = await asyncio.gather(*(teams.accept(mate, token, site) for token in tokens), return_exceptions=True)
    assert all(isinstance(outcome, TeamMember) for outcome in outcomes)
    assert await memberships_of(mate) == 2


async def test_founding_five_teams_at_once_leaves_one(db: str) -> None:
    """Attempts that pass the friendly check together are decided by the constraint: one team results."""
    place = await world()
    leader = await person("lead@x.cn")
    bodies = [TeamIn(name=f"队{i}", track_id=place.track_ids[0], region="lixia") for i in range(5)]
    outcomes = await asyncio.gather(
        *(teams.create_team(leader, place.competition.id, body) for body in bodies), return_exceptions=True
    )
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["AlreadyInTeam"] * 4 + ["Team"]
    assert await Team.all().count() == 1 and await memberships_of(leader) == 1
