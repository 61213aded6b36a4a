"""One party per organisation and event under concurrency, on PostgreSQL, with a negative control: the same race
with the database's unique (matchmaking, organisation) dropped gives one organisation two parties."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from tortoise import connections

from events.matchmaking import participants
from events.matchmaking.meeting_schemas import PartyIn
from events.matchmaking.models import Party
from events.models import Event
from server.models import User
from tests.events.support import register
from tests.matchmaking.support import company, matchmaking_event
from tests.support import join, sign_up


@pytest.fixture(autouse=True)
def postgres_only(database: str) -> None:
    if not database.startswith("postgres"):
        pytest.skip("concurrency is proven on PostgreSQL; SQLite serialises every writer")


@pytest.fixture
async def without_the_constraint(client: httpx.AsyncClient) -> AsyncIterator[None]:
    """The unique (matchmaking, organisation) dropped for one test, and put back (on emptied rows) after it."""
    connection = connections.get("default")
    rows = await connection.execute_query_dict(
        "SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint "
        "WHERE conrelid = 'matchmaking_party'::regclass AND contype = 'u'"
    )
    assert [row["definition"] for row in rows] == ["UNIQUE (matchmaking_id, organisation_id)"]
    name = rows[0]["conname"]
    await connection.execute_script(f'ALTER TABLE matchmaking_party DROP CONSTRAINT "{name}"')
    yield
    await connection.execute_script(
        "DELETE FROM matchmaking_party;"
        f'ALTER TABLE matchmaking_party ADD CONSTRAINT "{name}" UNIQUE (matchmaking_id, organisation_id)'
    )


async def colleagues_registered(client: httpx.AsyncClient) -> tuple[Event, int, list[User]]:
    """A matchmaking event and two colleagues of one company, each with a confirmed registration."""
    _, event_id = await matchmaking_event(client)
    boss, org_id = await company(client, "boss@steel.cn")
    colleague = await sign_up(client, "engineer@steel.cn")
    await join(client, boss, org_id, colleague, "reporter")
    for email, headers in (("boss@steel.cn", boss), ("engineer@steel.cn", colleague)):
        assert (await register(client, event_id, email, headers=headers)).status_code == 201
    users = [await User.get(email=email) for email in ("boss@steel.cn", "engineer@steel.cn")]
    return await Event.get(id=event_id), org_id, users


async def both_create(client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> tuple[list[object], int]:
    """Both colleagues create the party at once; both pass the friendly check before either inserts (a barrier
    after the check makes the race certain rather than likely)."""
    event, org_id, users = await colleagues_registered(client)
    barrier = asyncio.Barrier(2)
    exists = Party.exists

    async def checked_then_wait(**filters: Any) -> bool:
        found = await exists(**filters)
        await barrier.wait()
        return found

    monkeypatch.setattr(Party, "exists", checked_then_wait)
    body = PartyIn(organisation_id=org_id, side="demand")
    outcomes = await asyncio.gather(
        *(participants.create_party(user, event, body) for user in users), return_exceptions=True
    )
    monkeypatch.undo()
    return list(outcomes), await Party.filter(organisation_id=org_id).count()


async def test_two_colleagues_creating_their_party_at_once_make_exactly_one(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcomes, parties = await both_create(client, monkeypatch)
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Party", "PartyExists"]
    assert parties == 1


@pytest.mark.usefixtures("without_the_constraint")
async def test_negative_control_without_the_constraint_one_organisation_gets_two_parties(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcomes, parties = await both_create(client, monkeypatch)
    assert all(isinstance(outcome, Party) for outcome in outcomes)
    assert parties == 2
