"""Helpers for talent tests: a training base with its reporter, a set-up programme, a good report, edited sheets."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import httpx
from openpyxl import load_workbook

from talent.models import Period
from talent.reports import city_today
from tests.support import admin_headers, sign_up

PERIODS = ("2026-10", "2026-11")


async def base_with_reporter(
    client: httpx.AsyncClient, admin: dict[str, str], email: str, region: str = "lixia"
) -> tuple[dict[str, str], int]:
    base = await client.post(
        "/api/v1/organisations",
        headers=admin,
        json={"name": {"zh": f"实训基地 {email}"}, "kind": "training_base", "region": region},
    )
    base_id: int = base.json()["id"]
    reporter = await sign_up(client, email)
    await client.post(
        f"/api/v1/organisations/{base_id}/members", json={"email": email, "role": "reporter"}, headers=admin
    )
    return reporter, base_id


async def setup(client: httpx.AsyncClient) -> tuple[dict[str, str], dict[str, str], int, int]:
    """An admin, a base with its reporter, periods 2026-10 and 2026-11, and an AI-trainer programme."""
    admin = await admin_headers(client)
    reporter, base_id = await base_with_reporter(client, admin, "reporter@base.cn")
    for period in PERIODS:
        assert (await client.post("/api/v1/talent/periods", json={"id": period}, headers=admin)).status_code == 201
    # Reports of these months stay open whatever day the tests run on (2026-10 locked on 2026-11-30 in the city).
    await Period.filter(id__in=PERIODS).update(locks_on=city_today() + timedelta(days=60))
    programme = await client.post(
        "/api/v1/talent/programmes",
        headers=admin,
        json={
            "occupation": "4-04-05-05",
            "base_id": base_id,
            "target_level": "4",
            "track": "数据标注员",
            "cohort": "2026 秋季班",
            "starts_on": "2026-09-01",
            "ends_on": "2027-06-30",
            "planned_size": 60,
        },
    )
    assert programme.status_code == 201, programme.text
    return admin, reporter, base_id, programme.json()["id"]


GOOD: dict[str, Any] = {
    "opening": 0,
    "new_male": 20,
    "new_female": 25,
    "completed": 5,
    "dropped": 2,
    "levels": {"4": {"assessed": 5, "certified": 4}},
    "employed_jinan": 3,
    "employed_elsewhere": 1,
    "training_hours": 320,
}


def edited(content: bytes, changes: dict[tuple[int, str], int | float | str]) -> bytes:
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.active
    assert sheet is not None
    for (row, column), value in changes.items():
        sheet[f"{column}{row}"] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
