"""The organiser edits a finished schedule on its grid: moves and swaps checked against every hard rule, live
checks, removals, stale versions refused with the current schedule, and republishing mails only what changed."""

from __future__ import annotations

from typing import Any

import httpx

from events.matchmaking.models import ScheduledMeeting
from server.models import User
from tests.events.support import lint
from tests.matchmaking.support import edited_schedule
from tests.notifications.support import calendar_of, drain
from tests.support import sign_up


def cells(schedule: dict[str, Any]) -> dict[int, tuple[int, int]]:
    return {m["id"]: (m["slot"], m["table"]) for m in schedule["meetings"]}


async def test_a_meeting_moves_to_an_empty_cell_swaps_with_an_occupied_one_and_each_edit_bumps_the_version(
    client: httpx.AsyncClient,
) -> None:
    grid = await edited_schedule(client)
    host, url, m1, m2, m3 = grid.host, grid.url, grid.m1, grid.m2, grid.m3
    shown = (await client.get(url, headers=host)).json()
    assert shown["version"] == 1 and cells(shown) == {m1: (0, 0), m2: (1, 0), m3: (2, 1)}
    moved = await client.post(
        f"{url}/moves", json={"version": 1, "meeting_id": m1, "slot": 3, "table": 2}, headers=host
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["version"] == 2 and cells(moved.json())[m1] == (3, 2)
    swapped = await client.post(
        f"{url}/moves", json={"version": 2, "meeting_id": m1, "slot": 1, "table": 0}, headers=host
    )
    assert swapped.status_code == 200, swapped.text
    assert swapped.json()["version"] == 3
    assert cells(swapped.json()) == {m1: (1, 0), m2: (3, 2), m3: (2, 1)}
    assert (await client.get(url, headers=host)).json() == swapped.json()


async def test_an_edit_on_an_old_version_is_refused_with_the_current_schedule(client: httpx.AsyncClient) -> None:
    grid = await edited_schedule(client)
    host, url = grid.host, grid.url
    first = await client.post(
        f"{url}/moves", json={"version": 1, "meeting_id": grid.m1, "slot": 3, "table": 2}, headers=host
    )
    assert first.status_code == 200
    for stale in (
        await client.post(
            f"{url}/moves", json={"version": 1, "meeting_id": grid.m2, "slot": 4, "table": 0}, headers=host
        ),
        await client.post(
            f"{url}/check", json={"version": 1, "meeting_id": grid.m2, "slot": 4, "table": 0}, headers=host
        ),
        await client.delete(f"{url}/meetings/{grid.m2}?version=1", headers=host),
    ):
        assert stale.status_code == 409, stale.text
        problem = stale.json()
        assert problem["type"] == "urn:quancheng:problem:schedule_stale"
        assert "第 2 版" in problem["detail"]
        assert problem["details"]["schedule"] == first.json()
    assert cells((await client.get(url, headers=host)).json())[grid.m2] == (1, 0)


async def test_a_move_that_breaks_a_hard_rule_is_refused_naming_each_conflict_in_the_readers_language(
    client: httpx.AsyncClient,
) -> None:
    grid = await edited_schedule(client)
    host, url = grid.host, grid.url

    async def refused(meeting: int, slot: int, table: int) -> list[dict[str, Any]]:
        body = {"version": 1, "meeting_id": meeting, "slot": slot, "table": table}
        checked = await client.post(f"{url}/check", json=body, headers=host)
        assert checked.status_code == 200, checked.text
        answer = await client.post(f"{url}/moves", json=body, headers=host)
        assert answer.status_code == 409, answer.text
        assert answer.json()["type"] == "urn:quancheng:problem:move_conflicts"
        conflicts: list[dict[str, Any]] = answer.json()["details"]["conflicts"]
        assert checked.json()["conflicts"] == conflicts
        return conflicts

    # the second vendor meets the hospital in the third slot already
    assert await refused(grid.m2, 2, 0) == [
        {"code": "party_busy", "message": "企业 sales@ai2.cn 在第 3 场已有洽谈", "party_id": grid.vendor2}
    ]
    await User.filter(email="host@organiser.cn").update(locale="en")  # the account's language wins
    assert await refused(grid.m2, 2, 0) == [
        {"code": "party_busy", "message": "企业 sales@ai2.cn already has a meeting in slot 3", "party_id": grid.vendor2}
    ]
    # the organisers fixed hospital × vendor2 (m3) to slot 3
    await User.filter(email="host@organiser.cn").update(locale="zh-CN")
    assert [c["code"] for c in await refused(grid.m3, 4, 1)] == ["fixed_meeting"]
    assert [(c["code"], c["party_id"]) for c in await refused(grid.m2, 4, 0)] == [("party_unavailable", grid.clinic)]
    assert [c["code"] for c in await refused(grid.m1, 5, 0)] == ["outside_grid"]
    tabled = await client.put(
        f"/api/v1/events/{grid.event_id}/matchmaking/parties/{grid.vendor}/table", json={"table": 2}, headers=host
    )
    assert tabled.status_code == 200
    assert [(c["code"], c["party_id"]) for c in await refused(grid.m2, 3, 2)] == [("table_reserved", grid.vendor)]
    assert [(c["code"], c["party_id"]) for c in await refused(grid.m1, 3, 1)] == [("own_table", grid.vendor)]
    fine = await client.post(
        f"{url}/check", json={"version": 1, "meeting_id": grid.m1, "slot": 3, "table": 2}, headers=host
    )
    assert fine.json() == {"conflicts": []}
    assert (await client.get(url, headers=host)).json()["version"] == 1  # nothing refused changed the schedule
    bad = await client.post(
        f"{url}/moves", json={"version": 1, "meeting_id": 99999, "slot": 0, "table": 0}, headers=host
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "meeting_id"]
    assert bad.json()["errors"][0]["msg"] == "此日程中没有该洽谈"
    negative = await client.post(
        f"{url}/moves", json={"version": 1, "meeting_id": grid.m1, "slot": -1, "table": 0}, headers=host
    )
    assert negative.status_code == 422 and negative.json()["errors"][0]["loc"] == ["body", "slot"]


async def test_only_the_events_organisers_edit_and_a_removed_meeting_is_gone(client: httpx.AsyncClient) -> None:
    grid = await edited_schedule(client)
    body = {"version": 1, "meeting_id": grid.m1, "slot": 3, "table": 2}
    stranger = await sign_up(client, "nobody@x.cn")
    for headers in (stranger, grid.hospital_headers):
        assert (await client.post(f"{grid.url}/moves", json=body, headers=headers)).status_code == 403
        assert (await client.delete(f"{grid.url}/meetings/{grid.m2}?version=1", headers=headers)).status_code == 403
    missing = await client.delete(f"{grid.url}/meetings/{grid.m2}", headers=grid.host)
    assert missing.status_code == 422 and missing.json()["errors"][0]["loc"] == ["query", "version"]
    removed = await client.delete(f"{grid.url}/meetings/{grid.m2}?version=1", headers=grid.host)
    assert removed.status_code == 200, removed.text
    assert removed.json()["version"] == 2 and set(cells(removed.json())) == {grid.m1, grid.m3}
    again = await client.delete(f"{grid.url}/meetings/{grid.m2}?version=2", headers=grid.host)
    assert again.status_code == 404
    assert not await ScheduledMeeting.exists(id=grid.m2)


async def test_republishing_after_edits_requests_moved_meetings_again_cancels_removed_ones_and_leaves_the_rest(
    client: httpx.AsyncClient,
) -> None:
    grid = await edited_schedule(client)
    host, url = grid.host, grid.url
    await drain()

    async def publish() -> dict[tuple[str, str], tuple[str, int]]:
        assert (await client.post(f"{url}/publish", headers=host)).status_code == 200
        sent: dict[tuple[str, str], tuple[str, int]] = {}
        for message in await drain():
            found = calendar_of(message)
            if found is None:
                continue  # the agenda mail
            method, content = found
            (entry,) = lint(content, method=method).events
            sent[message["To"].addresses[0].addr_spec, str(entry["SUMMARY"]).split(" · ")[0]] = (
                method,
                entry.sequence,
            )
        return sent

    first = await publish()
    assert len(first) == 6 and {value for value in first.values()} == {("REQUEST", 0)}
    pair = "企业 it@hospital.cn × 企业 sales@ai.cn"
    moved = await client.post(
        f"{url}/moves", json={"version": 1, "meeting_id": grid.m1, "slot": 3, "table": 2}, headers=host
    )
    assert moved.status_code == 200
    assert await publish() == {("it@hospital.cn", pair): ("REQUEST", 1), ("sales@ai.cn", pair): ("REQUEST", 1)}
    assert (await client.delete(f"{url}/meetings/{grid.m2}?version=2", headers=host)).status_code == 200
    clinic_pair = "企业 it@clinic.cn × 企业 sales@ai2.cn"
    assert await publish() == {
        ("it@clinic.cn", clinic_pair): ("CANCEL", 1),
        ("sales@ai2.cn", clinic_pair): ("CANCEL", 1),
    }
    assert await publish() == {}
