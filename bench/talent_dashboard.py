"""The talent dashboard through the app against the same aggregation as one hand-written SQL query.

    python bench/talent_dashboard.py [--bases 200] [--periods 36] [--programmes 6] [--pg postgres://...]

Generates bases x periods x programmes approved reports on PostgreSQL, then times
GET /api/v1/talent/dashboard?group_by=region,occupation (through the ASGI app, as an admin) and the same sums
written as one SQL GROUP BY issued with asyncpg, checks that both agree, and prints their ratio. The dashboard
also adds up the assessed and certified counts kept in each report's `levels` JSON; the second line races it
against one SQL query that does that too (all six figures).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import httpx
from tortoise import Tortoise

from server.accounts import create_admin
from server.app import create_app
from server.auth import issue_token
from server.db import migrate, tortoise_config
from server.models import Organisation, OrganisationKind, Region, TokenKind
from server.settings import load_settings
from talent.models import Occupation, Period, PeriodKind, Programme, ReportStatus, TraineeReport

SQL = (
    'SELECT g."code" AS region, o."code" AS occupation, SUM(r."new_male" + r."new_female") AS enrolled, '
    'SUM(r."completed") AS completed, SUM(r."dropped") AS dropped, '
    'SUM(r."employed_jinan" + r."employed_elsewhere") AS employed FROM "trainee_report" r '
    'JOIN "organisation" b ON b."id" = r."base_id" JOIN "region" g ON g."id" = b."region_id" '
    'JOIN "programme" p ON p."id" = r."programme_id" JOIN "occupation" o ON o."id" = p."occupation_id" '
    'WHERE r."status" IN (\'submitted\', \'approved\') GROUP BY g."code", o."code"'
)
ALL_FIGURES = SQL.replace(
    ' FROM "trainee_report" r ',
    ', SUM(c."assessed") AS assessed, SUM(c."certified") AS certified FROM "trainee_report" r '
    "LEFT JOIN LATERAL (SELECT SUM((l.value ->> 'assessed')::int) AS assessed, "
    "SUM((l.value ->> 'certified')::int) AS certified FROM jsonb_each(r.\"levels\") AS l) c ON TRUE ",
)


async def generate(bases: int, periods: int, programmes: int) -> int:
    chance = random.Random(1)
    regions = await Region.all()
    occupations = await Occupation.all()
    months = [(2024 + m // 12, m % 12 + 1) for m in range(periods)]
    await Period.bulk_create(
        [
            Period(
                id=f"{y}-{m:02d}",
                kind=PeriodKind.MONTHLY,
                starts_on=date(y, m, 1),
                ends_on=date(y, m, 28),
                due_on=date(y, m, 28) + timedelta(days=10),
                locks_on=date(y, m, 28) + timedelta(days=30),
            )
            for y, m in months
        ]
    )
    await Organisation.bulk_create(
        [
            Organisation(name_zh=f"基地{i}", kind=OrganisationKind.TRAINING_BASE, region=regions[i % len(regions)])
            for i in range(bases)
        ]
    )
    base_ids = await Organisation.filter(kind=OrganisationKind.TRAINING_BASE).values_list("id", flat=True)
    await Programme.bulk_create(
        [
            Programme(
                occupation=occupations[k % len(occupations)],
                base_id=b,
                target_level=occupations[k % len(occupations)].levels[0]["code"],
                cohort=f"c{k}",
                starts_on=date(2024, 1, 1),
                ends_on=date(2030, 1, 1),
                planned_size=50,
            )
            for b in base_ids
            for k in range(programmes)
        ],
        batch_size=5000,
    )
    all_programmes = await Programme.all().values_list("id", "base_id", "target_level")
    reports = [
        TraineeReport(
            base_id=b,
            period_id=f"{y}-{m:02d}",
            programme_id=p,
            status=ReportStatus.APPROVED,
            opening=chance.randint(0, 50),
            new_male=chance.randint(0, 9),
            new_female=chance.randint(0, 9),
            completed=chance.randint(0, 5),
            dropped=chance.randint(0, 2),
            employed_jinan=chance.randint(0, 3),
            levels={level: {"assessed": 3, "certified": chance.randint(0, 3)}},
            training_hours=80,
        )
        for p, b, level in all_programmes
        for y, m in months
    ]
    await TraineeReport.bulk_create(reports, batch_size=5000)
    return len(reports)


async def main(args: argparse.Namespace) -> None:
    name = f"quancheng_bench_{secrets.token_hex(4)}"
    server = await asyncpg.connect(f"{args.pg}/postgres")
    await server.execute(f'CREATE DATABASE "{name}"')
    url = f"{args.pg}/{name}"
    try:
        await migrate(url)
        await Tortoise.init(config=tortoise_config(url))
        started = time.perf_counter()
        count = await generate(args.bases, args.periods, args.programmes)
        print(f"generated {count} reports in {time.perf_counter() - started:.0f} s")
        admin = await create_admin("bench@bureau.gov.cn", "bench password 1", "bench")
        secret, _ = await issue_token(admin, TokenKind.API, lifetime=None)
        folder = tempfile.mkdtemp()
        app = create_app(load_settings(DATABASE_URL=url, DATA_DIR=Path(folder)), manage_database=False)
        raw = await asyncpg.connect(url)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://bench",
            headers={"Authorization": f"Bearer {secret}"},
            timeout=600,
        ) as client:
            ours, theirs, all_figures = [], [], []
            for _ in range(args.rounds):
                started = time.perf_counter()
                answer = await client.get("/api/v1/talent/dashboard", params={"group_by": "region,occupation"})
                ours.append(time.perf_counter() - started)
                started = time.perf_counter()
                rows = await raw.fetch(SQL)
                theirs.append(time.perf_counter() - started)
                started = time.perf_counter()
                full = await raw.fetch(ALL_FIGURES)
                all_figures.append(time.perf_counter() - started)
        await raw.close()
        mine = {(r["region"], r["occupation"]): r["enrolled"] for r in answer.json()}
        assert mine == {(r["region"], r["occupation"]): int(r["enrolled"]) for r in rows}
        certified = {(r["region"], r["occupation"]): r["certified"] for r in answer.json()}
        assert certified == {(r["region"], r["occupation"]): int(r["certified"]) for r in full}
        app_time, sql_time, full_time = (statistics.median(times) for times in (ours, theirs, all_figures))
        print(
            f"dashboard via app: {app_time * 1000:8.0f} ms   one SQL query: {sql_time * 1000:6.0f} ms   "
            f"ratio {app_time / sql_time:6.1f}"
        )
        print(
            f"{'one SQL query with the level counts too:':>53} {full_time * 1000:6.0f} ms   "
            f"ratio {app_time / full_time:6.1f}"
        )
        await Tortoise.close_connections()
    finally:
        await server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await server.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--bases", type=int, default=200)
    parser.add_argument("--periods", type=int, default=36)
    parser.add_argument("--programmes", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pg", default=os.environ.get("QUANCHENG_TEST_PG", "postgres://postgres@127.0.0.1:5432"))
    asyncio.run(main(parser.parse_args()))
