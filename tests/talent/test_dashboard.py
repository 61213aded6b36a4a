"""The bureau's view: dashboard totals against a straight SQL recount, completeness, targets."""

from __future__ import annotations

import io
import random
from datetime import date, timedelta

import httpx
from openpyxl import load_workbook
from tortoise import connections

from server.clock import utcnow
from server.models import Organisation, OrganisationKind, Region
from talent.models import Occupation, Period, PeriodKind, Programme, ReportStatus, TraineeReport
from tests.support import admin_headers
from tests.talent.support import GOOD, base_with_reporter, setup

PERIODS = [f"2025-{month:02d}" for month in range(1, 13)] + [f"2026-{month:02d}" for month in range(1, 13)]


async def generate(bases: int) -> None:
    """`bases` training bases over the regions, two programmes each, a report in most of 24 months."""
    chance = random.Random(7)
    regions = await Region.all()
    trainer, engineer = await Occupation.get(code="4-04-05-05"), await Occupation.get(code="2-02-10-09")
    for period_id in PERIODS:
        year, month = int(period_id[:4]), int(period_id[5:])
        start = date(year, month, 1)
        await Period.create(
            id=period_id,
            kind=PeriodKind.MONTHLY,
            starts_on=start,
            ends_on=start + timedelta(days=27),
            due_on=start + timedelta(days=37),
            locks_on=start + timedelta(days=57),
        )
    await Organisation.bulk_create(
        [
            Organisation(name_zh=f"基地{i}", kind=OrganisationKind.TRAINING_BASE, region=regions[i % len(regions)])
            for i in range(bases)
        ]
    )
    organisations = await Organisation.filter(kind=OrganisationKind.TRAINING_BASE).order_by("id")
    await Programme.bulk_create(
        [
            Programme(
                occupation=occupation,
                base=base,
                target_level=level,
                cohort="c",
                starts_on=date(2025, 1, 1),
                ends_on=date(2026, 12, 31),
                planned_size=50,
            )
            for base in organisations
            for occupation, level in ((trainer, "4"), (engineer, "middle"))
        ]
    )
    programmes = await Programme.all().order_by("id")
    statuses = [ReportStatus.APPROVED, ReportStatus.APPROVED, ReportStatus.SUBMITTED, ReportStatus.DRAFT]
    await TraineeReport.bulk_create(
        [
            TraineeReport(
                base_id=p.base_id,
                period_id=period_id,
                programme_id=p.id,
                status=chance.choice(statuses),
                opening=chance.randint(0, 50),
                new_male=chance.randint(0, 20),
                new_female=chance.randint(0, 20),
                completed=chance.randint(0, 10),
                dropped=chance.randint(0, 3),
                employed_jinan=chance.randint(0, 5),
                employed_elsewhere=chance.randint(0, 3),
                levels={p.target_level: {"assessed": 4, "certified": chance.randint(0, 4)}},
                training_hours=100,
            )
            for p in programmes
            for period_id in PERIODS
            if chance.random() < 0.9
        ],
        batch_size=2000,
    )


async def test_dashboard_totals_equal_a_straight_sql_recount(client: httpx.AsyncClient) -> None:
    admin = await admin_headers(client)
    await generate(200)
    answer = await client.get(
        "/api/v1/talent/dashboard",
        params={"group_by": "region,occupation", "from": "2025-04", "to": "2026-09"},
        headers=admin,
    )
    assert answer.status_code == 200
    ours = {
        (r["region"], r["occupation"]): (r["enrolled"], r["completed"], r["dropped"], r["employed"])
        for r in answer.json()
    }
    rows = await connections.get("default").execute_query_dict(
        'SELECT g."code" AS region, o."code" AS occupation, SUM(r."new_male" + r."new_female") AS enrolled, '
        'SUM(r."completed") AS completed, SUM(r."dropped") AS dropped, '
        'SUM(r."employed_jinan" + r."employed_elsewhere") AS employed '
        'FROM "trainee_report" r JOIN "organisation" b ON b."id" = r."base_id" '
        'JOIN "region" g ON g."id" = b."region_id" JOIN "programme" p ON p."id" = r."programme_id" '
        'JOIN "occupation" o ON o."id" = p."occupation_id" '
        "WHERE r.\"status\" IN ('submitted', 'approved') AND r.\"period_id\" BETWEEN '2025-04' AND '2026-09' "
        'GROUP BY g."code", o."code"'
    )
    recount = {
        (r["region"], r["occupation"]): (int(r["enrolled"]), int(r["completed"]), int(r["dropped"]), int(r["employed"]))
        for r in rows
    }
    assert len(recount) == 30 and ours == recount
    by_level = (
        await client.get("/api/v1/talent/dashboard", params={"group_by": "occupation,level"}, headers=admin)
    ).json()
    assert {(r["occupation"], r["level"]) for r in by_level} == {("4-04-05-05", "4"), ("2-02-10-09", "middle")}
    received = await TraineeReport.filter(status__in=["submitted", "approved"])
    assert sum(r["certified"] for r in by_level) == sum(r.levels[next(iter(r.levels))]["certified"] for r in received)
    sheet = await client.get("/api/v1/talent/dashboard", params={"group_by": "region", "format": "csv"}, headers=admin)
    lines = sheet.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "区域,新增,结业,流失,新就业,参加鉴定,取得证书" and len(lines) == 16
    assert "历下区" in {line.split(",")[0] for line in lines[1:]}  # names, not codes (lixia)
    export = await client.get(
        "/api/v1/talent/dashboard",
        params={"group_by": "base,occupation,level", "format": "xlsx"},
        headers=admin,
    )
    exported = load_workbook(io.BytesIO(export.content)).active
    assert exported is not None
    cells = {cell.value for row in exported.iter_rows(min_row=2, max_col=3) for cell in row}
    assert {"人工智能训练师", "四级/中级工", "中级"} <= cells and not {"4-04-05-05", "middle", "4"} & cells
    bad = await client.get("/api/v1/talent/dashboard", params={"group_by": "region,colour"}, headers=admin)
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["query", "group_by"]


async def test_completeness_tells_missing_draft_on_time_and_late(client: httpx.AsyncClient) -> None:
    admin, reporter, base_id, programme_id = await setup(client)
    _, other_base = await base_with_reporter(client, admin, "second@base.cn")
    second = await client.post(
        "/api/v1/talent/programmes",
        headers=admin,
        json={
            "occupation": "2-02-10-09",
            "base_id": other_base,
            "target_level": "junior",
            "cohort": "算法班",
            "starts_on": "2026-10-01",
            "ends_on": "2026-12-31",
            "planned_size": 30,
        },
    )
    url = f"/api/v1/talent/reports/{base_id}/2026-10/{programme_id}"
    await client.put(url, json=GOOD, headers=reporter)
    await client.post(url + "/submit", headers=reporter)
    rows = (await client.get("/api/v1/talent/completeness", params={"period": "2026-10"}, headers=admin)).json()
    states = {row["programme_id"]: (row["state"], row["status"]) for row in rows}
    assert states == {programme_id: ("late", "submitted"), second.json()["id"]: ("missing", None)}
    await TraineeReport.filter(programme_id=programme_id).update(submitted_at=utcnow() - timedelta(days=30))
    rows = (await client.get("/api/v1/talent/completeness", params={"period": "2026-10"}, headers=admin)).json()
    assert {row["programme_id"]: row["state"] for row in rows}[programme_id] == "on_time"
    assert (
        await client.get("/api/v1/talent/completeness", params={"period": "2031-01"}, headers=admin)
    ).status_code == 404


async def test_targets_show_progress_from_received_reports(client: httpx.AsyncClient) -> None:
    admin, reporter, base_id, programme_id = await setup(client)
    url = f"/api/v1/talent/reports/{base_id}/2026-10/{programme_id}"
    await client.put(url, json=GOOD, headers=reporter)
    body = {"year": 2026, "occupation": "4-04-05-05", "metric": "certified", "value": 500}
    made = await client.post("/api/v1/talent/targets", json=body, headers=admin)
    assert (made.json()["value"], made.json()["actual"]) == (500, 0)  # a draft does not count
    await client.post(url + "/submit", headers=reporter)
    await client.post(
        "/api/v1/talent/targets", json={**body, "level": "4", "base_id": base_id, "value": 20}, headers=admin
    )
    targets = (await client.get("/api/v1/talent/targets", headers=admin)).json()
    assert [(t["level"], t["base_id"], t["actual"]) for t in targets] == [("", None, 4), ("4", base_id, 4)]
    assert (await client.post("/api/v1/talent/targets", json=body, headers=admin)).status_code == 422
    enrolled_by_level = {**body, "level": "4", "metric": "enrolled"}
    refused = await client.post("/api/v1/talent/targets", json=enrolled_by_level, headers=admin)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == ["body", "level"]
    assert refused.json()["errors"][0]["msg"].startswith("只有“取证”指标可以按等级设定目标")
    for change in ({"occupation": "0-00-00-00"}, {"level": "9"}, {"base_id": 424242}, {"metric": "happiness"}):
        assert (
            await client.post("/api/v1/talent/targets", json={**body, **change}, headers=admin)
        ).status_code == 422, change
    assert (await client.get("/api/v1/talent/targets", headers=reporter)).status_code == 403


async def test_level_counts_add_up_over_several_levels_and_missing_counts(client: httpx.AsyncClient) -> None:
    admin = await admin_headers(client)
    await generate(6)
    shapes: list[dict[str, dict[str, int]]] = [
        {},
        {"4": {"assessed": 2}},
        {"4": {"certified": 1}, "5": {"assessed": 7}},
    ]
    reports = await TraineeReport.all().order_by("id")
    for i, report in enumerate(reports[::3]):
        report.levels = shapes[i % 3]
        await report.save(update_fields=["levels"])
    received = [r for r in await TraineeReport.all() if r.status in ("submitted", "approved")]
    expected: dict[str, list[int]] = {}
    for report in received:
        for level, counts in report.levels.items():
            sums = expected.setdefault(level, [0, 0])
            sums[0] += counts.get("assessed", 0)
            sums[1] += counts.get("certified", 0)
    by_level = (await client.get("/api/v1/talent/dashboard", params={"group_by": "level"}, headers=admin)).json()
    assert {r["level"]: [r["assessed"], r["certified"]] for r in by_level} == expected
    assert all(set(r) == {"level", "assessed", "certified"} for r in by_level)
    by_region = (await client.get("/api/v1/talent/dashboard", params={"group_by": "region"}, headers=admin)).json()
    assert sum(r["assessed"] for r in by_region) == sum(a for a, _ in expected.values())
    assert sum(r["enrolled"] for r in by_region) == sum(r.new_male + r.new_female for r in received)
    trainer_programmes = {p.id for p in await Programme.filter(occupation__code="4-04-05-05")}
    trainer = [r for r in received if r.period_id.startswith("2026") and r.programme_id in trainer_programmes]
    target = {"year": 2026, "occupation": "4-04-05-05", "metric": "certified", "value": 1}
    for level in ("", "4", "5"):
        made = await client.post("/api/v1/talent/targets", json={**target, "level": level}, headers=admin)
        assert made.status_code == 201, made.text
        assert made.json()["actual"] == sum(
            counts.get("certified", 0) for r in trainer for name, counts in r.levels.items() if level in ("", name)
        )
