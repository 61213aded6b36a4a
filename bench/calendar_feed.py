"""Calendar feeds through the app against the same calendar built with `icalendar` alone, in one run.

    python bench/calendar_feed.py [--public 5000] [--personal 500] [--rounds 5]

Seeds a SQLite database (the embedded default) with `--public` published events, `--personal` of which one
user has registered for, then times GET /api/v1/calendar.ics and GET /cal/{token}.ics through the ASGI app, and
building an equivalent VCALENDAR from plain Python values with icalendar only (no database, no HTTP). Prints the
median time of each, their ratio and the feed sizes.

Then the public feed before and after its cache (events.feed_cache), on the same data: "before" is the way it
was served until the cache (every request loads every event and its facts, the ETag from their fingerprints,
the feed built for a full fetch), run here as a function; "after" is the app: a 304, an unchanged full fetch
(the stored bytes), and a changed feed (one event edited before each fetch, so it is built and stored again).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from icalendar import Alarm, Calendar, vCalAddress, vDuration
from icalendar import Event as VEvent
from tortoise import Tortoise

from events import feeds
from events.calendar import feed
from events.feeds import create_feed
from events.models import Event, EventKind, EventStatus, Registration, RegistrationStatus, TicketType
from server.accounts import create_admin, create_organisation
from server.app import create_app
from server.clock import utcnow
from server.db import migrate, tortoise_config
from server.responses import etag_of
from server.schemas import OrganisationIn
from server.settings import load_settings

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def seed(public: int, personal: int) -> str:
    """Events from tomorrow on, one per half hour; returns the secret of a feed over the first `personal`."""
    admin = await create_admin("bench@bureau.gov.cn", "bench password 1", "bench")
    organisation = await create_organisation(
        admin, OrganisationIn.model_validate({"name": {"zh": "压测承办"}, "kind": "organiser", "region": "lixia"})
    )
    start = datetime.now(SHANGHAI).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    await Event.bulk_create(
        [
            Event(
                organisation_id=organisation.id,
                kind=EventKind.FORUM,
                status=EventStatus.PUBLISHED,
                title_zh=f"人工智能赋能论坛 第{i}场",
                title_en=f"AI forum no. {i}",
                description_md="议程：主旨演讲，圆桌对话",
                region_id=organisation.region_id,
                venue="济南高新区会展中心",
                starts_at=start + timedelta(minutes=30 * i),
                ends_at=start + timedelta(minutes=30 * i + 90),
                timezone="Asia/Shanghai",
                uid=f"{uuid.uuid4()}@bench",
                sequence=1,
            )
            for i in range(public)
        ],
        batch_size=1000,
    )
    events = await Event.all().order_by("id").limit(personal)
    await TicketType.bulk_create([TicketType(event=e, name_zh="普通票", is_default=True) for e in events])
    ticket_types = {t.event_id: t.id for t in await TicketType.all()}
    await Registration.bulk_create(
        [
            Registration(
                id=uuid.uuid4(),
                event=e,
                ticket_type_id=ticket_types[e.id],
                user=admin,
                email=admin.email,
                active_email=admin.email,
                name="bench",
                status=RegistrationStatus.CONFIRMED,
                manage_token_hash=uuid.uuid4().hex + uuid.uuid4().hex,
            )
            for e in events
        ],
        batch_size=1000,
    )
    secret, _ = await create_feed(admin, "bench")
    return secret


def icalendar_only(count: int) -> bytes:
    """The same shape of calendar from plain values: what the library alone costs."""
    calendar = Calendar.new(prodid="-//bench//", method="PUBLISH", name="bench")
    start = datetime.now(SHANGHAI).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    stamp = datetime.now(ZoneInfo("UTC"))
    organizer = vCalAddress.new("events@bench", cn="压测承办")
    for i in range(count):
        entry = VEvent.new(
            uid=f"{uuid.uuid4()}@bench",
            stamp=stamp,
            start=start + timedelta(minutes=30 * i),
            end=start + timedelta(minutes=30 * i + 90),
            summary=f"人工智能赋能论坛 第{i}场",
            description="议程：主旨演讲，圆桌对话",
            location="济南高新区会展中心",
            url=f"http://127.0.0.1:8000/events/{i}",
            categories=["论坛"],
            sequence=1,
            organizer=organizer,
            last_modified=stamp,
        )
        entry.add_component(Alarm.new_display(trigger=timedelta(hours=-1), description="x"))
        calendar.add_component(entry)
    calendar.add_missing_timezones(first_date=date.today() - timedelta(days=366))
    calendar.add("REFRESH-INTERVAL", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(timedelta(hours=1)))
    content: bytes = calendar.to_ical()
    return content


async def before_cache(count: int, *, build: bool) -> str:
    """The public feed as it was served before the cache: every event and its facts loaded, the ETag from their
    fingerprints; with `build`, the feed made too (a full fetch), else only compared (a 304)."""
    found = feeds.in_feeds(Event.all()).filter(ends_at__gte=utcnow() - feeds.PAST_KEPT)
    events = await found.distinct().order_by("starts_at", "id").limit(10_000)
    facts = await feeds.facts(events, locale="zh-CN", mail_from="events@bench")
    etag = etag_of("泉城活动", "zh-CN", [feeds.fingerprint(each) for each in facts])
    if build:
        assert feed(facts, name="泉城活动", locale="zh-CN", base_url="http://bench").count(b"BEGIN:VEVENT") == count
    return etag


async def median_seconds(rounds: int, work: Callable[[], Awaitable[object]]) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        await work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite://{Path(folder) / 'bench.sqlite3'}"
        await migrate(url)
        await Tortoise.init(config=tortoise_config(url))
        secret = await seed(args.public, args.personal)
        app = create_app(load_settings(DATABASE_URL=url, DATA_DIR=Path(folder)), manage_database=False)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            sizes: dict[str, int] = {}

            def fetch(path: str, label: str) -> Callable[[], Awaitable[None]]:
                async def go() -> None:
                    answer = await client.get(path)
                    assert answer.status_code == 200
                    sizes[label] = len(answer.content)
                    assert answer.content.count(b"BEGIN:VEVENT") == (
                        args.public if label == "public" else args.personal
                    )

                return go

            async def alone(count: int) -> None:
                icalendar_only(count)

            # The public feed's full fetch is served from its cache after the first: it is measured below.
            for label, path, count in (("personal", f"/cal/{secret}.ics", args.personal),):
                ours = await median_seconds(args.rounds, fetch(path, label))
                baseline = await median_seconds(args.rounds, lambda count=count: alone(count))  # type: ignore[misc]
                print(
                    f"{label:<8} {count:5} events: app {ours * 1000:7.0f} ms, "
                    f"icalendar alone {baseline * 1000:7.0f} ms, ratio {ours / baseline:4.2f}, "
                    f"feed {sizes[label] / 1024:7.0f} KiB"
                )
            alone_public = await median_seconds(args.rounds, lambda: alone(args.public))
            print(
                f"public feed, {args.public} events, before the cache and after it (median of {args.rounds}; "
                f"icalendar alone builds it in {alone_public * 1000:.0f} ms on this machine now):"
            )
            old_304 = await median_seconds(args.rounds, lambda: before_cache(args.public, build=False))
            old_full = await median_seconds(args.rounds, lambda: before_cache(args.public, build=True))
            public = "/api/v1/calendar.ics"
            etag = (await client.get(public)).headers["etag"]

            async def revalidate() -> None:
                assert (await client.get(public, headers={"If-None-Match": etag})).status_code == 304

            async def unchanged() -> None:
                answer = await client.get(public)
                assert answer.headers["etag"] == etag and answer.content.count(b"BEGIN:VEVENT") == args.public

            first = await Event.all().order_by("id").values_list("id", flat=True)

            async def changed() -> None:
                await Event.filter(id=first[0]).update(updated_at=utcnow())
                answer = await client.get(public)
                assert answer.headers["etag"] != etag and answer.content.count(b"BEGIN:VEVENT") == args.public

            new_304 = await median_seconds(args.rounds, revalidate)
            new_full = await median_seconds(args.rounds, unchanged)
            new_changed = await median_seconds(args.rounds, changed)
            for what, before, after in (
                ("304 revalidation", old_304, new_304),
                ("unchanged full feed", old_full, new_full),
                ("changed full feed", old_full, new_changed),
            ):
                print(f"  {what:<20} before {before * 1000:7.1f} ms, after {after * 1000:7.1f} ms")
        await Tortoise.close_connections()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--public", type=int, default=5000)
    parser.add_argument("--personal", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    asyncio.run(main(parser.parse_args()))
