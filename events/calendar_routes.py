"""Calendar endpoints: per-event, public and personal feeds, feed tokens, and a registrant's invitation."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints
from starlette.responses import Response

from events import feed_cache, feeds, listing
from events.access import RegistrationHolder, Viewers
from events.calendar import EventFacts, feed
from events.models import CalendarFeed, Event
from events.schemas import EventQuery
from server.access import Anyone, SignedIn
from server.api import Api, Context
from server.clock import utcnow
from server.responses import conditional, etag_of, is_fresh
from server.schemas import In, OneLine
from server.settings import Locale

api = Api()
cal = Api(prefix="")
ICS = "text/calendar; charset=utf-8"


class FeedQuery(EventQuery):
    lang: Locale | None = Field(default=None, description="Language of titles; default from Accept-Language.")


class FeedIn(In):
    name: Annotated[str, StringConstraints(max_length=100), OneLine] = ""


class FeedOut(BaseModel):
    id: int
    name: str
    created_at: str
    last_used_at: str | None


class FeedCreated(FeedOut):
    token: str = Field(description="Shown only in this answer.")
    https_url: str
    webcal_url: str


def _feed_response(ctx: Context, facts: list[EventFacts], *, name: str, locale: Locale, filename: str) -> Response:
    """The feed, or 304: its ETag comes from the loaded facts, so a client that has it costs no building."""
    base_url = ctx.settings.BASE_URL
    etag = etag_of(name, locale, base_url, [feeds.fingerprint(each) for each in facts])
    return conditional(
        ctx.request,
        lambda: feed(facts, name=name, locale=locale, base_url=base_url),
        etag=etag,
        media_type=ICS,
        filename=filename,
        last_modified=feeds.last_modified([each.event for each in facts]),
    )


async def _versioned(
    ctx: Context, etag: str, current: feeds.Version, filename: str, make: Callable[[], Awaitable[bytes]]
) -> Response:
    """A feed whose ETag comes from its version: 304 without making anything when the client has it."""
    content = b"" if is_fresh(ctx.request, etag, current.last_modified) else await make()
    return conditional(
        ctx.request,
        lambda: content,
        etag=etag,
        media_type=ICS,
        filename=filename,
        last_modified=current.last_modified,
    )


@api.route(
    "GET",
    "/events/{event_id:int}/calendar.ics",
    guard=Viewers(),
    summary="One event as a calendar",
    tag="calendars",
    produces=ICS,
)
async def event_calendar(ctx: Context, event_id: int, event: Event) -> Response:
    facts = await feeds.facts([event], locale=ctx.locale, mail_from=ctx.settings.MAIL_FROM)
    name = event.title_en if ctx.locale == "en" and event.title_en else event.title_zh
    return _feed_response(ctx, facts, name=name, locale=ctx.locale, filename=f"event-{event.id}.ics")


@api.route(
    "GET",
    "/calendar.ics",
    guard=Anyone,
    summary="Public feed, with the event listing's filters",
    tag="calendars",
    produces=ICS,
)
async def public_calendar(ctx: Context, query: FeedQuery) -> Response:
    """Without a date range: events that ended in the last 90 days and later ones. Answered from the feed's
    version (one aggregate query): 304 when the client has it, else the bytes stored for it
    (`events.feed_cache`), else built and stored."""
    locale = query.lang or ctx.locale
    found = listing.filter_events(feeds.in_feeds(Event.all()), query, ctx.settings.DEFAULT_TIMEZONE)
    if query.starts_from is None and query.starts_to is None:
        found = found.filter(ends_at__gte=utcnow() - feeds.PAST_KEPT)
    name = "泉城活动" if locale == "zh-CN" else "Quancheng events"
    site = (name, locale, ctx.settings.BASE_URL, ctx.settings.MAIL_FROM, query.model_dump(mode="json"))
    current = await feeds.version(found)

    async def build() -> bytes:
        events = await found.distinct().order_by("starts_at", "id").limit(10_000)
        facts = await feeds.facts(events, locale=locale, mail_from=ctx.settings.MAIL_FROM)
        return feed(facts, name=name, locale=locale, base_url=ctx.settings.BASE_URL)

    etag = etag_of(*site, current.parts)
    key = feed_cache.key_of("public", *site)
    return await _versioned(ctx, etag, current, "quancheng.ics", lambda: feed_cache.cached(key, etag, build))


@cal.route(
    "GET",
    "/cal/{token}.ics",
    guard=Anyone,
    summary="Personal feed of my registrations",
    tag="calendars",
    produces=ICS,
)
async def personal_calendar(ctx: Context, token: str) -> Response:
    """The secret URL is the credential: a wrong, rotated or revoked one is not found. A revalidation is answered
    from the owner's registrations and the feed's version; the feed is built for each full fetch (never stored:
    it is the owner's personal data)."""
    subscription = await feeds.feed_by_token(token)
    locale: Locale = "en" if subscription.user.locale == "en" else "zh-CN"
    name = "我的泉城活动" if locale == "zh-CN" else "My Quancheng events"
    held = await feeds.holdings(subscription)
    current = await feeds.version(feeds.personal_events(held))
    base_url = ctx.settings.BASE_URL
    etag = etag_of(name, locale, base_url, ctx.settings.MAIL_FROM, sorted(held.items()), current.parts)

    async def build() -> bytes:
        facts = await feeds.personal_facts(held, locale=locale, mail_from=ctx.settings.MAIL_FROM)
        return feed(facts, name=name, locale=locale, base_url=base_url)

    return await _versioned(ctx, etag, current, "my-events.ics", build)


def _feed_out(subscription: CalendarFeed) -> FeedOut:
    return FeedOut(
        id=subscription.id,
        name=subscription.name,
        created_at=subscription.created_at.isoformat(),
        last_used_at=subscription.last_used_at.isoformat() if subscription.last_used_at else None,
    )


def _created(ctx: Context, secret: str, subscription: CalendarFeed) -> FeedCreated:
    https_url = f"{ctx.settings.BASE_URL}/cal/{secret}.ics"
    webcal_url = "webcal://" + https_url.split("://", 1)[1]
    return FeedCreated(**_feed_out(subscription).model_dump(), token=secret, https_url=https_url, webcal_url=webcal_url)


@api.route("GET", "/me/calendar-feeds", guard=SignedIn, summary="My calendar feeds", tag="calendars")
async def list_feeds(ctx: Context) -> list[FeedOut]:
    found = CalendarFeed.filter(user=ctx.user, revoked_at=None).order_by("id")
    return [_feed_out(subscription) for subscription in await found]


@api.route(
    "POST", "/me/calendar-feeds", guard=SignedIn, summary="Create a personal feed URL", tag="calendars", status=201
)
async def create_feed(ctx: Context, body: FeedIn) -> FeedCreated:
    secret, subscription = await feeds.create_feed(ctx.user, body.name)
    return _created(ctx, secret, subscription)


@api.route(
    "POST",
    "/me/calendar-feeds/{feed_id:int}/rotate",
    guard=SignedIn,
    summary="Replace a feed's secret URL",
    tag="calendars",
)
async def rotate_feed(ctx: Context, feed_id: int) -> FeedCreated:
    """Only the feed's owner (another's is not found); the old URL stops working."""
    secret, subscription = await feeds.rotate_feed(ctx.user, feed_id)
    return _created(ctx, secret, subscription)


@api.route(
    "DELETE",
    "/me/calendar-feeds/{feed_id:int}",
    guard=SignedIn,
    summary="Revoke a feed",
    tag="calendars",
)
async def revoke_feed(ctx: Context, feed_id: int) -> None:
    """Only the feed's owner (another's is not found)."""
    await feeds.revoke_feed(ctx.user, feed_id)


@api.route(
    "GET",
    "/registrations/{registration_id:uuid}/invitation.ics",
    guard=RegistrationHolder(),
    summary="My invitation (REQUEST), or its cancellation (CANCEL)",
    tag="calendars",
    produces=ICS,
)
async def invitation(ctx: Context, registration_id: uuid.UUID) -> Response:
    content, event = await feeds.invitation(
        registration_id, mail_from=ctx.settings.MAIL_FROM, base_url=ctx.settings.BASE_URL
    )
    disposition = f'attachment; filename="invitation-{event.id}.ics"'
    return Response(content, media_type=ICS, headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})
