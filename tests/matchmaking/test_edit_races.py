"""Two organisers move meetings of one schedule at once, on PostgreSQL: the version check lets exactly one edit
through and refuses the other as stale. Negative control: with the version read first and written after (the
guarded UPDATE replaced by check-then-write), both edits pass and the first is silently overwritten."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from events.matchmaking import editing
from events.matchmaking.editing import ScheduleStale
from events.matchmaking.meeting_schemas import MoveIn
from events.matchmaking.models import Matchmaking, ScheduledMeeting, ScheduleRun
from events.models import Event
from server.models import User
from tests.matchmaking.support import edited_schedule


@pytest.fixture(autouse=True)
def postgres_only(database: str) -> None:
    if not database.startswith("postgres"):
        pytest.skip("concurrency is proven on PostgreSQL; SQLite serialises every writer")


async def both_move(client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> tuple[list[object], int, int]:
    """Two organisers, both looking at version 1, move the same meeting to two different empty cells; a barrier
    after each has loaded the schedule makes the race certain. Answers the outcomes, the meeting's slot after and
    the version after."""
    layout = await edited_schedule(client)
    run_id = int(layout.url.rsplit("/", 1)[1])
    event = await Event.get(id=layout.event_id)
    matchmaking = await Matchmaking.get(event_id=layout.event_id)
    user = await User.get(email="host@organiser.cn")
    barrier = asyncio.Barrier(2)
    loaded = editing.run_of

    async def loaded_then_wait(matchmaking: Matchmaking, run_id: int) -> ScheduleRun:
        run = await loaded(matchmaking, run_id)
        await barrier.wait()
        return run

    monkeypatch.setattr(editing, "run_of", loaded_then_wait)
    moves = [MoveIn(version=1, meeting_id=layout.m1, slot=slot, table=2) for slot in (3, 4)]
    outcomes = await asyncio.gather(
        *(editing.move(user, event, matchmaking, run_id, move, "zh-CN") for move in moves), return_exceptions=True
    )
    monkeypatch.undo()
    moved = await ScheduledMeeting.get(id=layout.m1)
    run = await ScheduleRun.get(id=run_id)
    return list(outcomes), moved.slot, run.version


async def test_of_two_concurrent_moves_on_one_version_exactly_one_goes_through(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcomes, slot, version = await both_move(client, monkeypatch)
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["NoneType", "ScheduleStale"]
    winner = [3, 4][outcomes.index(None)]
    assert (slot, version) == (winner, 2)
    (stale,) = [outcome for outcome in outcomes if isinstance(outcome, ScheduleStale)]
    assert stale.details is not None and stale.details["schedule"]["version"] == 2


async def test_negative_control_with_check_then_write_both_moves_pass_and_one_is_lost(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    both_read = asyncio.Barrier(2)

    async def check_then_write(run: ScheduleRun, version: int) -> bool:
        current = await ScheduleRun.get(id=run.id)
        await both_read.wait()
        if current.version != version:
            return False
        await ScheduleRun.filter(id=run.id).update(version=version + 1)
        return True

    monkeypatch.setattr(editing, "claim", check_then_write)
    outcomes, _, version = await both_move(client, monkeypatch)
    assert outcomes == [None, None]  # both organisers were told their move was made
    assert version == 2  # but the schedule went through one version: one move overwrote the other
