"""The bureau's summary of a matchmaking event: meetings scheduled and held, outcomes by domain and by region, as
JSON and XLSX, counts only (no party's name or contact data)."""

from __future__ import annotations

import io

import httpx
from openpyxl import load_workbook

from events.matchmaking.models import MeetingEntry, Party
from server.models import Organisation, Region, User
from tests.matchmaking.support import (
    NODULE_SOLUTION,
    VISION_SOLUTION,
    curator,
    edited_schedule,
    need,
    published,
    solution,
)
from tests.support import admin_headers, sign_up


async def bring(party_id: int, email: str, *entries: tuple[str, str, list[str], list[str]]) -> None:
    """The party's organisation publishes the entries (with their contact person) and brings them."""
    party = await Party.get(id=party_id)
    owner, by = await User.get(email=email), await User.get_or_none(email="curator@bureau.gov.cn") or await curator()
    for title, description, domains, cases in entries:
        data = (
            solution(party.organisation_id, title, description, domains, cases)
            if cases
            else need(party.organisation_id, title, description, domains)
        )
        await party.entries.add(await published(owner, data, by))


async def test_the_summary_counts_meetings_and_outcomes_by_domain_and_region_and_names_no_one(
    client: httpx.AsyncClient,
) -> None:
    grid = await edited_schedule(client)
    await bring(grid.hospital, "it@hospital.cn", ("影像辅助诊断", "放射科影像初筛", ["healthcare"], []))
    await bring(grid.vendor, "sales@ai.cn", NODULE_SOLUTION)
    await bring(grid.vendor2, "sales@ai2.cn", VISION_SOLUTION)
    vendor2 = await Party.get(id=grid.vendor2)
    await Organisation.filter(id=vendor2.organisation_id).update(region=await Region.get(code="high-tech-zone"))
    assert (await client.post(f"{grid.url}/publish", headers=grid.host)).status_code == 200
    m1 = await MeetingEntry.get(party_a_id=grid.hospital, party_b_id=grid.vendor)
    m3 = await MeetingEntry.get(party_a_id=grid.hospital, party_b_id=grid.vendor2)
    for entry in (m1, m3):
        tick = f"/api/v1/events/{grid.event_id}/matchmaking/meetings/{entry.id}/check-in"
        assert (await client.post(tick, headers=grid.host)).status_code == 200
    vendor = await sign_up(client, "sales@ai.cn")
    for party_id, headers, outcome in (
        (grid.hospital, grid.hospital_headers, "interested"),
        (grid.vendor, vendor, "signed"),
    ):
        url = f"/api/v1/matchmaking-parties/{party_id}/meetings/{m1.id}/outcome"
        assert (await client.put(url, json={"outcome": outcome}, headers=headers)).status_code == 200
    url = f"/api/v1/events/{grid.event_id}/matchmaking/summary"
    assert (await client.get(url, headers=grid.hospital_headers)).status_code == 403
    answer = await client.get(url, headers=await admin_headers(client))
    assert answer.status_code == 200, answer.text
    found = answer.json()
    none = {"signed": 0, "negotiating": 0, "interested": 0, "none": 0, "unanswered": 0}
    assert (found["parties"], found["scheduled"], found["held"]) == (4, 3, 2)
    assert found["outcomes"] == none | {"signed": 1, "unanswered": 1}  # the furthest of the two sides' answers
    assert {g["code"]: (g["scheduled"], g["held"], g["outcomes"]) for g in found["by_domain"]} == {
        "healthcare": (2, 2, none | {"signed": 1, "unanswered": 1}),
        "manufacturing": (2, 1, none | {"unanswered": 1}),
    }
    assert {g["code"]: (g["scheduled"], g["held"]) for g in found["by_region"]} == {
        "lixia": (3, 2),
        "high-tech-zone": (2, 1),
    }
    assert "@" not in answer.text and "企业" not in answer.text and "138" not in answer.text
    workbook = await client.get(f"{url}.xlsx", headers=grid.host)
    assert workbook.status_code == 200
    sheets = load_workbook(io.BytesIO(workbook.content), read_only=True)
    assert sheets.sheetnames == ["总计", "按领域", "按区域"]
    cells = [str(v) for sheet in sheets.worksheets for row in sheet.iter_rows(values_only=True) for v in row]
    assert "医疗健康" in cells and "已签约" in cells
    assert not [cell for cell in cells if "@" in cell or "企业" in cell or "李强" in cell or "138" in cell]
