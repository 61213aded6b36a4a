"""Reading events and registrations for people: filters, availability, positions, in few queries."""

from __future__ import annotations

import bisect
from collections import defaultdict
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from tortoise import connections
from tortoise.expressions import Q
from tortoise.functions import Count
from tortoise.queryset import QuerySet

from events.models import Event, EventStatus, Quota, Registration, RegistrationStatus
from events.schemas import EventOut, EventQuery, RegistrationOut, TicketAvailability
from notifications.models import SmsNotice
from server.api import paginate
from server.clock import utcnow
from server.db import Params


def _moment(value: datetime | date, zone: str, end_of_day: bool) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time.max if end_of_day else time.min, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def filter_events(found: QuerySet[Event], query: EventQuery, zone: str) -> QuerySet[Event]:
    """Apply the listing filters; a date range keeps the events that overlap it (dates in the service zone)."""
    if query.kind:
        found = found.filter(kind=query.kind)
    if query.region:
        found = found.filter(region__code=query.region)
    if query.tag:
        found = found.filter(tags__code=query.tag)
    if query.status:
        found = found.filter(status=query.status)
    if query.starts_from:
        found = found.filter(ends_at__gte=_moment(query.starts_from, zone, end_of_day=False))
    if query.starts_to:
        found = found.filter(starts_at__lte=_moment(query.starts_to, zone, end_of_day=True))
    if query.q:
        text = query.q
        found = found.filter(
            Q(title_zh__icontains=text)
            | Q(title_en__icontains=text)
            | Q(summary_zh__icontains=text)
            | Q(summary_en__icontains=text)
            | Q(venue__icontains=text)
        )
    return found


def public_events() -> QuerySet[Event]:
    return Event.exclude(status=EventStatus.DRAFT)


async def event_page(found: QuerySet[Event], query: EventQuery) -> tuple[list[EventOut], int]:
    ordered = found.distinct().select_related("region").prefetch_related("tags").order_by("starts_at", "id")
    rows, total = await paginate(ordered, query)
    return await events_out(rows), total


async def event_out(event: Event) -> EventOut:
    """The event as the API shows it (its region and tags fetched), as in a listing."""
    return (await events_out([event]))[0]


async def _ticket_types(event_ids: list[int]) -> dict[int, list[TicketAvailability]]:
    """Each event's ticket types with their seats left: the least any quota over the type has left, None when no
    quota covers it. Question-choice quotas are left out (they limit answers, not ticket types)."""
    connection = connections.get("default")
    params = Params(connection)
    rows = await connection.execute_query_dict(
        'SELECT t."id", t."event_id", t."name_zh", t."name_en", t."is_default", '
        'MIN(q."size" - q."used") AS "seats_left" FROM "ticket_type" t '
        'LEFT JOIN "quota" q ON q."event_id" = t."event_id" AND q."question_id" IS NULL '
        'AND (q."covers_all" OR EXISTS (SELECT 1 FROM "quota_ticket_type" qt '
        'WHERE qt."quota_id" = q."id" AND qt."tickettype_id" = t."id")) '
        f'WHERE t."event_id" IN ({params.bind_each(event_ids)}) '
        'GROUP BY t."id", t."event_id", t."name_zh", t."name_en", t."is_default" ORDER BY t."id"',
        params.values,
    )
    found: dict[int, list[TicketAvailability]] = defaultdict(list)
    for row in rows:
        found[row["event_id"]].append(
            TicketAvailability(
                id=row["id"],
                name={"zh": row["name_zh"], "en": row["name_en"]},
                is_default=bool(row["is_default"]),
                available=row["seats_left"],
            )
        )
    return found


async def events_out(events: list[Event]) -> list[EventOut]:
    """Events as the API shows them, with seats left per ticket type and the waiting list's length: one grouped
    query per kind of fact, however many events."""
    ids = [event.id for event in events]
    if not ids:
        return []
    ticket_types = await _ticket_types(ids)
    capacity_quotas = Quota.filter(event_id__in=ids, is_event_capacity=True).order_by("-id")
    capacities = dict(await capacity_quotas.values_list("event_id", "size"))  # the first quota wins, as ever
    waitlisted = Registration.filter(event_id__in=ids, status=RegistrationStatus.WAITLISTED)
    waiting = dict(await waitlisted.group_by("event_id").annotate(n=Count("seq")).values_list("event_id", "n"))
    now = utcnow()
    return [
        _event_out(event, now, capacities.get(event.id), ticket_types[event.id], waiting.get(event.id, 0))
        for event in events
    ]


def _event_out(
    event: Event, now: datetime, capacity: int | None, ticket_types: list[TicketAvailability], waiting: int
) -> EventOut:
    return EventOut(
        id=event.id,
        organisation_id=event.organisation_id,
        kind=event.kind,
        status=event.status,
        title={"zh": event.title_zh, "en": event.title_en},
        summary={"zh": event.summary_zh, "en": event.summary_en},
        description=event.description_md,
        description_html=event.description_html,
        region=event.region.code,
        venue=event.venue,
        online_url=event.online_url,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        timezone=event.timezone,
        registration_opens_at=event.registration_opens_at,
        registration_closes_at=event.registration_closes_at,
        registration=event.window(now),
        requires_approval=event.requires_approval,
        waitlist_enabled=event.waitlist_enabled,
        offer_hours=event.offer_hours,
        capacity=capacity,
        tags=sorted(tag.code for tag in event.tags),
        agenda_in_calendar=event.agenda_in_calendar,
        alarm_minutes=event.alarm_minutes,
        reminder_hours=event.reminder_hours,
        sms_notices=[SmsNotice(notice) for notice in event.sms_notices],
        static_entry_code=event.static_entry_code,
        ticket_types=ticket_types,
        waitlist_length=waiting,
        uid=event.uid,
        sequence=event.sequence,
        created_at=event.created_at,
        updated_at=event.updated_at,
    )


async def status_counts(event_id: int) -> dict[RegistrationStatus, int]:
    rows = (
        await Registration.filter(event_id=event_id).group_by("status").annotate(n=Count("seq")).values("status", "n")
    )
    counts = dict.fromkeys(RegistrationStatus, 0)
    counts.update({RegistrationStatus(row["status"]): row["n"] for row in rows})
    return counts


async def registrations_out(registrations: list[Registration], qr: dict[str, str]) -> list[RegistrationOut]:
    """Registrations with their waiting-list positions, computed from one ordered read per event."""
    waiting: dict[int, list[int]] = {}
    for event_id in {r.event_id for r in registrations if r.status is RegistrationStatus.WAITLISTED}:
        found = Registration.filter(event_id=event_id, status=RegistrationStatus.WAITLISTED).order_by("seq")
        waiting[event_id] = [r.seq for r in await found.only("seq")]
    return [
        RegistrationOut(
            id=r.id,
            event_id=r.event_id,
            ticket_type=r.ticket_type_id,
            email=r.email,
            name=r.name,
            locale=r.locale,
            status=r.status,
            waitlist_position=(
                bisect.bisect_right(waiting[r.event_id], r.seq) if r.status is RegistrationStatus.WAITLISTED else None
            ),
            offered_until=r.offered_until,
            reason=r.reason,
            answers=r.answers,
            checked_in_at=r.checked_in_at,
            created_at=r.created_at,
            qr=qr.get(str(r.id)),
        )
        for r in registrations
    ]
