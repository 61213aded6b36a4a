"""The public event listing through the app against the same page as one hand-written SQL query.

    python bench/event_listing.py [--events 200] [--per-page 50] [--rounds 20] [--pg postgres://...]

Generates published events on PostgreSQL, each with two ticket types, a capacity, a quota over the second
ticket type, two tags and a few people waiting (quota use is written directly: no registration runs here), then
times GET /api/v1/events?per_page=50 (through the ASGI app, anonymous) and one SQL statement that reads the same
page with its capacity, waiting-list length, tags and seats left per ticket type. Checks that both agree, counts
the statements the app ran, and prints the medians and their ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import secrets
import statistics
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import asyncpg
import httpx
from tortoise import Tortoise

from events.models import Event, EventKind, EventStatus, Quota, Registration, RegistrationStatus, TicketType
from server.app import create_app
from server.clock import utcnow
from server.db import migrate, tortoise_config
from server.models import Domain, Organisation, OrganisationKind, Region
from server.settings import load_settings

SQL = """
SELECT e."id", g."code" AS "region", COUNT(*) OVER () AS "total",
  (SELECT q."size" FROM "quota" q WHERE q."event_id" = e."id" AND q."is_event_capacity" ORDER BY q."id" LIMIT 1)
    AS "capacity",
  (SELECT COUNT(*) FROM "registration" r WHERE r."event_id" = e."id" AND r."status" = 'waitlisted') AS "waiting",
  (SELECT array_agg(d."code" ORDER BY d."code") FROM "event_tag" et JOIN "domain" d ON d."id" = et."domain_id"
    WHERE et."event_id" = e."id") AS "tags",
  (SELECT json_agg(json_build_object('id', s."id", 'available', s."available") ORDER BY s."id") FROM (
    SELECT t."id", MIN(q."size" - q."used") AS "available" FROM "ticket_type" t
    LEFT JOIN "quota" q ON q."event_id" = t."event_id" AND q."question_id" IS NULL
      AND (q."covers_all" OR EXISTS (SELECT 1 FROM "quota_ticket_type" qt
        WHERE qt."quota_id" = q."id" AND qt."tickettype_id" = t."id"))
    WHERE t."event_id" = e."id" GROUP BY t."id") s) AS "ticket_types",
  e.*
FROM "event" e JOIN "region" g ON g."id" = e."region_id"
WHERE e."status" <> 'draft' ORDER BY e."starts_at", e."id" LIMIT $1
"""


async def generate(count: int) -> None:
    region = await Region.get(code="high-tech-zone")
    domains = await Domain.all().order_by("id")
    host = await Organisation.create(name_zh="承办单位", kind=OrganisationKind.ORGANISER, region=region)
    start = utcnow() + timedelta(days=5)
    for n in range(count):
        event = await Event.create(
            organisation=host,
            kind=EventKind.FORUM,
            status=EventStatus.PUBLISHED,
            title_zh=f"人工智能论坛 {n}",
            region=region,
            starts_at=start + timedelta(hours=n),
            ends_at=start + timedelta(hours=n + 3),
            timezone="Asia/Shanghai",
            uid=f"{uuid.uuid4()}@bench",
        )
        await event.tags.add(*domains[n % 3 : n % 3 + 2])
        general = await TicketType.create(event=event, name_zh="普通", is_default=True)
        enterprise = await TicketType.create(event=event, name_zh="企业代表")
        await Quota.create(event=event, name="capacity", size=100, used=100, covers_all=True, is_event_capacity=True)
        limited = await Quota.create(event=event, name="企业代表上限", size=10, used=n % 10)
        await limited.ticket_types.add(enterprise)
        await Registration.bulk_create(
            [
                Registration(
                    id=uuid.uuid4(),
                    event=event,
                    ticket_type=general,
                    email=f"w{i}-{n}@bench.cn",
                    active_email=f"w{i}-{n}@bench.cn",
                    name="候补",
                    status=RegistrationStatus.WAITLISTED,
                    manage_token_hash=secrets.token_hex(32),
                )
                for i in range(n % 4)
            ]
        )


class Counter(logging.Handler):
    """Counts the statements Tortoise's database client logs."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


async def main(args: argparse.Namespace) -> None:
    name = f"quancheng_bench_{secrets.token_hex(4)}"
    server = await asyncpg.connect(f"{args.pg}/postgres")
    await server.execute(f'CREATE DATABASE "{name}"')
    url = f"{args.pg}/{name}"
    try:
        await migrate(url)
        await Tortoise.init(config=tortoise_config(url))
        await generate(args.events)
        app = create_app(load_settings(DATABASE_URL=url, DATA_DIR=Path(tempfile.mkdtemp())), manage_database=False)
        raw = await asyncpg.connect(url)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            params = {"per_page": args.per_page}
            await client.get("/api/v1/events", params=params)  # warm-up: connections, caches
            counter = Counter()
            statements = logging.getLogger("tortoise.db_client")
            statements.addHandler(counter)
            statements.setLevel(logging.DEBUG)
            answer = await client.get("/api/v1/events", params=params)
            statements.removeHandler(counter)
            statements.setLevel(logging.NOTSET)
            ours, theirs = [], []
            for _ in range(args.rounds):
                started = time.perf_counter()
                answer = await client.get("/api/v1/events", params=params)
                ours.append(time.perf_counter() - started)
                started = time.perf_counter()
                rows = await raw.fetch(SQL, args.per_page)
                theirs.append(time.perf_counter() - started)
        await raw.close()
        page = answer.json()
        mine = [
            (e["id"], e["capacity"], e["waitlist_length"], e["tags"], [t["available"] for t in e["ticket_types"]])
            for e in page["items"]
        ]
        assert mine == [
            (r["id"], r["capacity"], r["waiting"], r["tags"], [t["available"] for t in json.loads(r["ticket_types"])])
            for r in rows
        ]
        assert page["total"] == rows[0]["total"]
        app_time, sql_time = statistics.median(ours), statistics.median(theirs)
        print(
            f"{args.per_page} events via app: {app_time * 1000:6.1f} ms ({counter.count} statements)   "
            f"one SQL query: {sql_time * 1000:6.1f} ms   ratio {app_time / sql_time:5.1f}"
        )
        await Tortoise.close_connections()
    finally:
        await server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await server.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--per-page", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--pg", default=os.environ.get("QUANCHENG_TEST_PG", "postgres://postgres@127.0.0.1:5432"))
    asyncio.run(main(parser.parse_args()))
