"""Filling a schedule for late parties: a new run keeps every meeting of the schedule in its cell and places the
late party's meetings only into empty cells."""

from __future__ import annotations

import asyncio

import httpx

from events.matchmaking.models import RunState, ScheduleRun
from tests.matchmaking.support import edited_schedule, party


async def test_a_fill_keeps_every_meeting_in_its_cell_and_places_the_late_partys_meeting_in_an_empty_one(
    client: httpx.AsyncClient,
) -> None:
    grid = await edited_schedule(client)
    kept = {
        (tuple(m["party_ids"]), m["slot"], m["table"])
        for m in (await client.get(grid.url, headers=grid.host)).json()["meetings"]
    }
    late_headers, _, late = await party(client, grid.event_id, "it@late.cn", "demand", unavailable=[3])
    mark = f"/api/v1/matchmaking-parties/{late}/preferences/{grid.vendor}"
    assert (await client.put(mark, json={"level": "want"}, headers=late_headers)).status_code == 200
    started = await client.post(f"{grid.url}/fill", headers=grid.host)
    assert started.status_code == 202, started.text
    assert started.json()["kept_id"] == int(grid.url.rsplit("/", 1)[1])
    url = grid.url.rsplit("/", 1)[0] + f"/{started.json()['id']}"
    for _ in range(400):
        filled = (await client.get(url, headers=grid.host)).json()
        if filled["state"] in ("done", "failed"):
            break
        await asyncio.sleep(0.05)
    assert filled["state"] == "done", filled
    cells = {(tuple(m["party_ids"]), m["slot"], m["table"]) for m in filled["meetings"]}
    assert kept <= cells  # nobody moved
    (new,) = cells - kept
    assert new[0] == (grid.vendor, late) or new[0] == (late, grid.vendor)
    taken = {(slot, table) for _, slot, table in kept}
    assert (new[1], new[2]) not in taken and new[1] != 3  # an empty cell, in a slot the late party can attend
    assert new[1] not in {slot for pair, slot, _ in kept if grid.vendor in pair}  # the vendor is free then


async def test_a_fill_needs_a_finished_schedule_and_no_run_in_progress(client: httpx.AsyncClient) -> None:
    grid = await edited_schedule(client)
    run_id = int(grid.url.rsplit("/", 1)[1])
    await ScheduleRun.filter(id=run_id).update(state=RunState.FAILED)
    unfinished = await client.post(f"{grid.url}/fill", headers=grid.host)
    assert unfinished.status_code == 409 and unfinished.json()["type"].endswith("matchmaking_schedule_not_done")
    await ScheduleRun.filter(id=run_id).update(state=RunState.DONE)
    await ScheduleRun.create(matchmaking_id=(await ScheduleRun.get(id=run_id)).matchmaking_id, time_limit=30)
    busy = await client.post(f"{grid.url}/fill", headers=grid.host)
    assert busy.status_code == 409 and busy.json()["type"].endswith("matchmaking_schedule_running")
    assert (await client.post(f"{grid.url}/fill", headers=grid.hospital_headers)).status_code == 403
