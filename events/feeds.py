"""Calendar feeds and invitations: what goes in them, and the personal feed tokens behind /cal/{token}.ics."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from tortoise.expressions import Q
from tortoise.functions import Count, Max, Sum
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from events import calendar
from events.calendar import EventFacts, Method, Milestone
from events.models import (
    ACTIVE,
    HOLDING,
    AgendaSession,
    CalendarFeed,
    Event,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from server import audit
from server.auth import hash_secret, new_secret
from server.clock import utcnow
from server.errors import Conflict, NotFound
from server.i18n import Label, pick, translate
from server.models import Organisation, User
from server.settings import Locale

CANCELLED_KEPT = timedelta(days=30)  # cancelled events stay in feeds this long, so subscribers see the cancellation
PAST_KEPT = timedelta(days=90)


class NoInvitation(Conflict):
    key = "error.no_invitation"


def in_feeds(found: QuerySet[Event]) -> QuerySet[Event]:
    """Published and completed events, and events cancelled in the last 30 days; never drafts."""
    recently = utcnow() - CANCELLED_KEPT
    return found.filter(
        Q(status__in=[EventStatus.PUBLISHED, EventStatus.COMPLETED])
        | Q(status=EventStatus.CANCELLED, updated_at__gte=recently)
    )


MilestoneSource = Callable[[list[Event]], Awaitable[dict[int, list[Milestone]]]]
_milestone_sources: list[MilestoneSource] = []


def register_milestones(source: MilestoneSource) -> None:
    """Let a subpackage add moments of its events to their feed entries (competitions: each stage's deadline),
    read for a list of events at once; `events` never imports the subpackage."""
    _milestone_sources.append(source)


async def facts(events: list[Event], *, locale: Locale, mail_from: str) -> list[EventFacts]:
    """Everything the calendar entries of `events` show, in a fixed number of queries."""
    milestones: dict[int, list[Milestone]] = defaultdict(list)
    for source in _milestone_sources:
        for event_id, found in (await source(events)).items():
            milestones[event_id] += found
    sessions: dict[int, list[AgendaSession]] = defaultdict(list)
    with_agenda = [event.id for event in events if event.agenda_in_calendar]
    if with_agenda:
        for session in await AgendaSession.filter(event_id__in=with_agenda).order_by("starts_at", "id"):
            sessions[session.event_id].append(session)
    organisations = {o.id: o for o in await Organisation.filter(id__in={e.organisation_id for e in events})}
    await Event.fetch_for_list(events, "tags")
    return [
        EventFacts(
            event=event,
            sessions=sessions[event.id],
            categories=[
                translate(f"event_kind.{event.kind.value}", locale),
                *sorted(pick(tag.name, locale) for tag in event.tags),
            ],
            organizer_email=organisations[event.organisation_id].contact_email or mail_from,
            organizer_name=pick(
                {
                    "zh": organisations[event.organisation_id].name_zh,
                    "en": organisations[event.organisation_id].name_en,
                },
                locale,
            ),
            milestones=milestones[event.id],
        )
        for event in events
    ]


def fingerprint(facts: EventFacts) -> tuple[object, ...]:
    """Every input of an event's calendar entries, cheap to compare: the basis of feed ETags."""
    event = facts.event
    sessions = [(s.uid, s.title_zh, s.title_en, s.room, s.starts_at, s.ends_at) for s in facts.sessions]
    return (
        event.id,
        event.updated_at,
        event.sequence,
        facts.organizer_email,
        facts.organizer_name,
        tuple(facts.categories),
        tuple(sessions),
        facts.standing,
        tuple((m.uid, m.at, m.sequence, tuple(m.title.items()), m.path) for m in facts.milestones),
    )


@dataclass(frozen=True)
class Version:
    """What a feed over a set of events shows, without loading them: per organiser, its name and contact and how
    many of its events are in the set, the latest `updated_at` and the sum of SEQUENCEs. Every edit of what an
    entry shows (fields, tags, agenda, status) moves the event's `updated_at` (`events.editing`); an event that
    enters the set is changed now, so it moves the latest time; one that leaves lowers a count."""

    parts: tuple[tuple[object, ...], ...]
    last_modified: datetime | None


async def version(found: QuerySet[Event]) -> Version:
    """The version of the feed over `found`, in one aggregate query joined to the organisations."""
    rows = (
        await found.annotate(events=Count("id"), changed=Max("updated_at"), sequences=Sum("sequence"))
        .group_by("organisation_id", "organisation__name_zh", "organisation__name_en", "organisation__contact_email")
        .order_by("organisation_id")
        .values_list(
            "organisation_id",
            "organisation__name_zh",
            "organisation__name_en",
            "organisation__contact_email",
            "events",
            "changed",
            "sequences",
        )
    )
    parts = tuple(tuple(row) for row in rows)
    return Version(parts, max((row[5] for row in parts), default=None))


def last_modified(events: list[Event]) -> datetime | None:
    return max((event.updated_at for event in events), default=None)


async def holdings(feed: CalendarFeed) -> dict[int, RegistrationStatus]:
    """The feed owner's active registrations: event id → status."""
    held = await Registration.filter(user_id=feed.user_id, status__in=list(ACTIVE)).values_list("event_id", "status")
    return {event_id: RegistrationStatus(status) for event_id, status in held}


def personal_events(held: dict[int, RegistrationStatus]) -> QuerySet[Event]:
    """The events of those registrations that feeds show (cancelled events kept for 30 days)."""
    return in_feeds(Event.filter(id__in=list(held)))


async def personal_facts(held: dict[int, RegistrationStatus], *, locale: Locale, mail_from: str) -> list[EventFacts]:
    """Only a confirmed seat shows as CONFIRMED; a place pending approval, offered or on the waiting list is
    TENTATIVE and named."""
    events = await personal_events(held).order_by("starts_at", "id")
    return [
        each
        if held[each.event.id] is RegistrationStatus.CONFIRMED
        else replace(each, standing=translate(f"standing.{held[each.event.id].value}", locale))
        for each in await facts(events, locale=locale, mail_from=mail_from)
    ]


async def feed_by_token(token: str) -> CalendarFeed:
    """The live feed for a secret; an unknown or revoked one is simply not found."""
    feed = await CalendarFeed.get_or_none(token_hash=hash_secret(token), revoked_at=None).select_related("user")
    if feed is None or not feed.user.is_active:
        raise NotFound()
    now = utcnow()
    if feed.last_used_at is None or now - feed.last_used_at > timedelta(minutes=5):
        await CalendarFeed.filter(id=feed.id).update(last_used_at=now)
    return feed


async def create_feed(user: User, name: str) -> tuple[str, CalendarFeed]:
    secret, digest = new_secret("qcf")
    async with in_transaction():
        feed = await CalendarFeed.create(user=user, name=name, token_hash=digest)
        await audit.record(user, "calendar_feed.create", feed, after={"name": name})
    return secret, feed


async def rotate_feed(user: User, feed_id: int) -> tuple[str, CalendarFeed]:
    """A new secret for the same feed; the old URL stops working at once."""
    secret, digest = new_secret("qcf")
    async with in_transaction():
        feed = await _own_live_feed(user, feed_id)
        await CalendarFeed.filter(id=feed.id).update(token_hash=digest)
        await audit.record(user, "calendar_feed.rotate", feed)
    return secret, feed


async def revoke_feed(user: User, feed_id: int) -> None:
    async with in_transaction():
        feed = await _own_live_feed(user, feed_id)
        await CalendarFeed.filter(id=feed.id).update(revoked_at=utcnow())
        await audit.record(user, "calendar_feed.revoke", feed)


async def _own_live_feed(user: User, feed_id: int) -> CalendarFeed:
    feed = await CalendarFeed.filter(id=feed_id, user=user, revoked_at=None).select_for_update().first()
    if feed is None:
        raise NotFound()
    return feed


async def invitation(registration_id: uuid.UUID, *, mail_from: str, base_url: str) -> tuple[bytes, Event]:
    """The registrant's own iTIP message: REQUEST while they hold a seat, CANCEL once it or the event is gone."""
    registration = await Registration.get(id=registration_id)
    event = await Event.get(id=registration.event_id)
    if event.status is EventStatus.CANCELLED or registration.status not in ACTIVE:
        method = Method.CANCEL
    elif registration.status in HOLDING:
        method = Method.REQUEST
    else:
        raise NoInvitation(status=Label(f"status.{registration.status.value}"))
    locale: Locale = "en" if registration.locale == "en" else "zh-CN"
    (event_facts,) = await facts([event], locale=locale, mail_from=mail_from)
    return calendar.invitation(event_facts, registration, method, base_url=base_url), event
