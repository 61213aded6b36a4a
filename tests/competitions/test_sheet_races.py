"""Score sheets under concurrency, on PostgreSQL, with a negative control: without the pairing's row lock, a
sheet submitted from two tabs at once is recorded twice."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from events.competitions import sheets
from events.competitions.models import JudgeAssignment, ScoreKind, ScoreRecord
from server.errors import NotFound
from server.models import User
from tests.competitions.support import Judged, assigned, entry, judge, judged_competition


@pytest.fixture(autouse=True)
def postgres_only(database: str) -> None:
    if not database.startswith("postgres"):
        pytest.skip("concurrency is proven on PostgreSQL; SQLite serialises every writer")


@pytest.fixture
def slow_reads() -> Iterator[None]:
    """Reading a sheet takes a while, so that two writers overlap whenever nothing serialises them."""
    read = sheets.sheet_of

    async def slowly(assignment: JudgeAssignment) -> sheets.Sheet:
        sheet = await read(assignment)
        await asyncio.sleep(0.2)
        return sheet

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sheets, "sheet_of", slowly)
        yield


@pytest.fixture
def without_the_lock() -> Iterator[None]:
    async def unlocked(user: User, assignment_id: int) -> JudgeAssignment:
        assignment = await JudgeAssignment.get_or_none(id=assignment_id, judge_id=user.id)
        if assignment is None:
            raise NotFound()
        return assignment

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sheets, "_locked_pairing", unlocked)
        yield


async def two_judges_with_a_full_draft(client: httpx.AsyncClient) -> tuple[Judged, list[tuple[dict[str, str], str]]]:
    place = await judged_competition(client)
    judges = [(await judge(client, place, f"j{n}@judges.cn"))[0] for n in range(3)]
    await entry(client, place, "lead@x.cn", "T1")
    assert (await client.post(place.stage() + "/assignment", json={}, headers=place.headers)).status_code == 200
    pairings = []
    for headers in judges[:2]:
        [pairing] = (await assigned(client, place, headers)).values()
        path = f"/api/v1/judging/assignments/{pairing}"
        await client.post(path + "/declaration", json={"conflict": False}, headers=headers)
        await client.patch(path + "/sheet", json={"scores": {"innovation": 5, "team": 5}}, headers=headers)
        pairings.append((headers, path))
    return place, pairings


async def test_a_sheet_submitted_from_two_tabs_at_once_is_recorded_once(
    client: httpx.AsyncClient, slow_reads: None
) -> None:
    _, [(headers, path), _] = await two_judges_with_a_full_draft(client)
    answers = await asyncio.gather(*(client.post(path + "/sheet/submit", headers=headers) for _ in range(2)))
    assert sorted(answer.status_code for answer in answers) == [200, 409]
    assert await ScoreRecord.filter(kind=ScoreKind.SCORE).count() == 1


async def test_negative_control_without_the_lock_the_sheet_is_recorded_twice(
    client: httpx.AsyncClient, slow_reads: None, without_the_lock: None
) -> None:
    _, [(headers, path), _] = await two_judges_with_a_full_draft(client)
    answers = await asyncio.gather(*(client.post(path + "/sheet/submit", headers=headers) for _ in range(2)))
    assert [answer.status_code for answer in answers] == [200, 200]
    assert await ScoreRecord.filter(kind=ScoreKind.SCORE).count() == 2


async def test_two_judges_and_two_tabs_saving_at_once_lose_no_score(
    client: httpx.AsyncClient, slow_reads: None
) -> None:
    _, [(first, first_path), (second, second_path)] = await two_judges_with_a_full_draft(client)
    saves = [
        client.patch(first_path + "/sheet", json={"scores": {"innovation": 9}}, headers=first),
        client.patch(first_path + "/sheet", json={"scores": {"team": 1}}, headers=first),
        client.patch(second_path + "/sheet", json={"scores": {"innovation": 2}}, headers=second),
        client.patch(second_path + "/sheet", json={"scores": {"team": 8}}, headers=second),
    ]
    assert [answer.status_code for answer in await asyncio.gather(*saves)] == [200] * 4
    assert (await client.get(first_path, headers=first)).json()["scores"] == {"innovation": 9, "team": 1}
    assert (await client.get(second_path, headers=second)).json()["scores"] == {"innovation": 2, "team": 8}
