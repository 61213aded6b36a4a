"""Organisers' side of an event: its lifecycle, agenda, ticket types, quotas and questions."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import ValidationError
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from events import capacity, mailing
from events.access import managed_event
from events.models import (
    AgendaSession,
    Event,
    EventStatus,
    Question,
    Quota,
    Registration,
    TicketType,
)
from events.registration import offer_freed_seats
from events.schemas import EventIn, EventPatch, QuestionIn, QuotaIn, SessionIn, TicketTypeIn
from notifications.models import SmsNotice
from server import audit
from server.accounts import require_role
from server.clock import utcnow
from server.errors import Conflict, InvalidInput, NotFound, PermissionDenied, from_validation
from server.i18n import Label
from server.markdown import render
from server.models import Domain, Organisation, OrganisationKind, Region, Role, User

EVENT_HOSTS = frozenset(
    {OrganisationKind.BUREAU, OrganisationKind.ORGANISER, OrganisationKind.TRAINING_BASE, OrganisationKind.UNIVERSITY}
)
# A change of any of these moves the event in people's calendars: it bumps the iCalendar SEQUENCE.
CALENDAR_FIELDS = ("starts_at", "ends_at", "timezone", "venue", "online_url", "region_id", "status")
STATUS_MOVES = {
    EventStatus.DRAFT: frozenset({EventStatus.PUBLISHED, EventStatus.CANCELLED}),
    EventStatus.PUBLISHED: frozenset({EventStatus.CANCELLED, EventStatus.COMPLETED}),
    EventStatus.CANCELLED: frozenset(),
    EventStatus.COMPLETED: frozenset(),
}


class EventStatusForbidden(Conflict):
    key = "error.event_status_forbidden"


class NotStartedYet(Conflict):
    key = "error.event_not_started"


class ScheduleConflict(Conflict):
    key = "error.schedule_conflict"


async def _region_and_tags(data: EventIn) -> tuple[Region, list[Domain]]:
    region = await Region.get_or_none(code=data.region)
    if region is None:
        raise InvalidInput(errors=[(("body", "region"), "validation.unknown_region")])
    tags = await Domain.filter(code__in=data.tags)
    unknown = sorted(set(data.tags) - {t.code for t in tags})
    if unknown:
        raise InvalidInput(errors=[(("body", "tags"), "validation.unknown_tag")], codes=", ".join(unknown))
    return region, tags


def _columns(data: EventIn, region: Region, default_timezone: str) -> dict[str, Any]:
    return {
        "kind": data.kind,
        "title_zh": data.title.zh,
        "title_en": data.title.en,
        "summary_zh": data.summary.zh,
        "summary_en": data.summary.en,
        "description_md": data.description,
        "description_html": render(data.description),
        "region_id": region.id,
        "venue": data.venue,
        "online_url": data.online_url,
        "starts_at": data.starts_at,
        "ends_at": data.ends_at,
        "timezone": data.timezone or default_timezone,
        "registration_opens_at": data.registration_opens_at,
        "registration_closes_at": data.registration_closes_at,
        "requires_approval": data.requires_approval,
        "waitlist_enabled": data.waitlist_enabled,
        "offer_hours": data.offer_hours,
        "agenda_in_calendar": data.agenda_in_calendar,
        "alarm_minutes": data.alarm_minutes or None,
        "reminder_hours": sorted(set(data.reminder_hours), reverse=True),
        "sms_notices": [notice.value for notice in SmsNotice if notice in data.sms_notices],
        "static_entry_code": data.static_entry_code,
    }


async def create_event(user: User, data: EventIn, *, default_timezone: str, uid_domain: str) -> Event:
    """A draft event of an organisation the user organises for, with a default ticket type (and capacity)."""
    organisation = await Organisation.get_or_none(id=data.organisation_id)
    if organisation is None:
        raise InvalidInput(errors=[(("body", "organisation_id"), "validation.unknown_organisation")])
    await require_role(user, organisation.id, Role.ORGANISER)
    if organisation.kind not in EVENT_HOSTS:
        raise PermissionDenied("error.organisation_cannot_host", kind=organisation.kind.value)
    region, tags = await _region_and_tags(data)
    async with in_transaction():
        event = await Event.create(
            organisation=organisation, uid=f"{uuid.uuid4()}@{uid_domain}", **_columns(data, region, default_timezone)
        )
        await event.tags.add(*tags)
        await TicketType.create(event=event, name_zh="普通票", name_en="General admission", is_default=True)
        if data.capacity:
            await Quota.create(
                event=event, name="capacity", size=data.capacity, covers_all=True, is_event_capacity=True
            )
        await audit.record(
            user, "event.create", event, organisation_id=organisation.id, after=data.model_dump(mode="json")
        )
    return await managed_event(event.id, user)


def event_as_input(event: Event, capacity_size: int | None) -> dict[str, Any]:
    return {
        "organisation_id": event.organisation_id,
        "kind": event.kind,
        "title": {"zh": event.title_zh, "en": event.title_en},
        "summary": {"zh": event.summary_zh, "en": event.summary_en},
        "description": event.description_md,
        "region": event.region.code,
        "venue": event.venue,
        "online_url": event.online_url,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "timezone": event.timezone,
        "registration_opens_at": event.registration_opens_at,
        "registration_closes_at": event.registration_closes_at,
        "requires_approval": event.requires_approval,
        "waitlist_enabled": event.waitlist_enabled,
        "offer_hours": event.offer_hours,
        "capacity": capacity_size,
        "tags": [tag.code for tag in event.tags],
        "agenda_in_calendar": event.agenda_in_calendar,
        "alarm_minutes": event.alarm_minutes,
        "reminder_hours": event.reminder_hours,
        "sms_notices": event.sms_notices,
        "static_entry_code": event.static_entry_code,
    }


async def update_event(user: User, event_id: int, patch: EventPatch, *, default_timezone: str) -> Event:
    """Apply a partial edit, validated as the whole event it makes; time, place or status changes bump SEQUENCE.

    The edit is merged onto the event as read under its row lock, so two edits at once both take effect.
    """
    await managed_event(event_id, user)
    async with in_transaction():
        await Event.filter(id=event_id).select_for_update().first()
        event = await Event.get(id=event_id).select_related("region").prefetch_related("tags")
        if event.status in (EventStatus.CANCELLED, EventStatus.COMPLETED):
            raise EventStatusForbidden("error.event_closed", status=Label(f"event_status.{event.status.value}"))
        capacity_quota = await Quota.get_or_none(event_id=event.id, is_event_capacity=True)
        before = event_as_input(event, capacity_quota.size if capacity_quota else None)
        merged = {**before, **patch.model_dump(mode="json", exclude_unset=True)}
        try:
            data = EventIn.model_validate(merged)
        except ValidationError as exc:
            raise from_validation(exc, "body") from None
        region, tags = await _region_and_tags(data)
        columns = _columns(data, region, default_timezone)
        if (
            await AgendaSession.filter(event_id=event.id)
            .filter(Q(starts_at__lt=data.starts_at) | Q(ends_at__gt=data.ends_at))
            .exists()
        ):
            raise ScheduleConflict("error.sessions_outside_event")
        moved = any(getattr(event, name) != columns.get(name, getattr(event, name)) for name in CALENDAR_FIELDS)
        bump = {"sequence": F("sequence") + 1} if moved else {}
        await Event.filter(id=event.id).update(**columns, **bump, updated_at=utcnow())
        if moved and event.status is EventStatus.PUBLISHED:
            await mailing.event_moved(await Event.get(id=event.id))
        await event.tags.clear()
        await event.tags.add(*tags)
        if data.capacity is not None and data.capacity != before["capacity"]:
            await _set_capacity(event, capacity_quota, data.capacity)
        await audit.record(
            user,
            "event.update",
            event,
            organisation_id=event.organisation_id,
            before=_json(before),
            after=data.model_dump(mode="json"),
        )
        if data.waitlist_enabled and not before["waitlist_enabled"]:
            await capacity.lock_event(event.id)
            await offer_freed_seats(await Event.get(id=event.id))
    return await managed_event(event.id, user)


def _json(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in values.items()}


async def _set_capacity(event: Event, quota: Quota | None, size: int) -> None:
    if quota is None:
        quota = await Quota.create(event=event, name="capacity", size=0, covers_all=True, is_event_capacity=True)
        await capacity.adopt(quota)
    await _resize(event, quota, size)


async def _resize(event: Event, quota: Quota, size: int) -> None:
    """Change a quota's size; never below its holders. More room goes to the waiting list at once."""
    await capacity.lock_event(event.id)
    if not await Quota.filter(id=quota.id, used__lte=size).update(size=size):
        raise Conflict("error.quota_below_holders", errors=[(("body", "size"), "validation.quota_below_holders")])
    await offer_freed_seats(await Event.get(id=event.id))


async def set_status(user: User, event_id: int, to: EventStatus, reason: str = "") -> Event:
    """Publish, cancel or complete an event; the move is checked and SEQUENCE bumps with it. An event is completed
    only once it has started, or earlier with a reason, which the audit entry keeps."""
    event = await managed_event(event_id, user)
    reason = reason.strip()
    async with in_transaction():
        locked = await Event.filter(id=event.id).select_for_update().first()
        assert locked is not None
        if to not in STATUS_MOVES[locked.status]:
            raise EventStatusForbidden(
                before=Label(f"event_status.{locked.status.value}"), to=Label(f"event_status.{to.value}")
            )
        if to is EventStatus.COMPLETED and locked.starts_at > utcnow() and not reason:
            raise NotStartedYet()
        await Event.filter(id=event.id).update(status=to, sequence=F("sequence") + 1, updated_at=utcnow())
        if to is EventStatus.CANCELLED:
            await mailing.event_cancelled(await Event.get(id=event.id))
        await audit.record(
            user,
            f"event.{to.value}",
            event,
            organisation_id=event.organisation_id,
            before={"status": locked.status.value},
            after={"status": to.value, "reason": reason} if reason else {"status": to.value},
        )
    return await managed_event(event.id, user)


async def add_session(user: User, event_id: int, data: SessionIn) -> AgendaSession:
    """An agenda session inside the event's span; two sessions may not overlap in the same room."""
    event = await managed_event(event_id, user)
    if data.starts_at < event.starts_at or data.ends_at > event.ends_at:
        raise InvalidInput(errors=[(("body", "starts_at"), "validation.session_outside_event")])
    async with in_transaction():
        await Event.filter(id=event.id).select_for_update().first()  # serialise agenda edits of one event
        if (
            data.room
            and await AgendaSession.filter(
                event_id=event.id, room=data.room, starts_at__lt=data.ends_at, ends_at__gt=data.starts_at
            ).exists()
        ):
            raise ScheduleConflict(errors=[(("body", "room"), "validation.room_taken")])
        session = await AgendaSession.create(
            event=event,
            title_zh=data.title.zh,
            title_en=data.title.en,
            speakers=data.speakers,
            room=data.room,
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            uid=f"{uuid.uuid4()}@{event.uid.partition('@')[2]}",
        )
        await changed(event.id)
        await audit.record(
            user, "session.create", session, organisation_id=event.organisation_id, after=data.model_dump(mode="json")
        )
    return session


async def delete_session(user: User, event_id: int, session_id: int) -> None:
    event = await managed_event(event_id, user)
    async with in_transaction():
        session = await AgendaSession.get_or_none(id=session_id, event_id=event.id)
        if session is None:
            raise NotFound()
        await session.delete()
        await changed(event.id)
        await audit.record(
            user, "session.delete", session, organisation_id=event.organisation_id, before={"title": session.title_zh}
        )


async def changed(event_id: int) -> None:
    """Something the event shows changes in this transaction (its registration form, its agenda, a competition's
    deadlines): lock the event, so in-flight registrations finish first, and move its `updated_at`, the version
    that registrations cache its form under and that its calendar feeds' ETags follow."""
    await Event.filter(id=event_id).update(updated_at=utcnow())


async def add_ticket_type(user: User, event_id: int, data: TicketTypeIn) -> TicketType:
    event = await managed_event(event_id, user)
    async with in_transaction():
        await changed(event.id)
        ticket_type = await TicketType.create(event=event, name_zh=data.name.zh, name_en=data.name.en)
        await audit.record(
            user,
            "ticket_type.create",
            ticket_type,
            organisation_id=event.organisation_id,
            after=data.model_dump(mode="json"),
        )
    return ticket_type


async def delete_ticket_type(user: User, event_id: int, ticket_type_id: int) -> None:
    """Remove a ticket type nobody has registered with, and the quotas over it alone; the default one stays."""
    event = await managed_event(event_id, user)
    async with in_transaction():
        await changed(event.id)
        ticket_type = await TicketType.get_or_none(id=ticket_type_id, event_id=event.id)
        if ticket_type is None:
            raise NotFound()
        if ticket_type.is_default:
            raise Conflict("error.default_ticket_type")
        if await Registration.filter(ticket_type_id=ticket_type.id).exists():
            raise Conflict("error.ticket_type_in_use")
        for quota in await Quota.filter(ticket_types=ticket_type.id).prefetch_related("ticket_types"):
            if len(quota.ticket_types) == 1:  # it limited this ticket type alone: nothing left to limit
                await quota.delete()
        await ticket_type.delete()
        await audit.record(
            user,
            "ticket_type.delete",
            ticket_type,
            organisation_id=event.organisation_id,
            before={"name": ticket_type.name_zh},
        )


async def add_quota(user: User, event_id: int, data: QuotaIn) -> Quota:
    """A quota over some ticket types (or all of them), counting the registrations that already hold seats."""
    event = await managed_event(event_id, user)
    ticket_types = await TicketType.filter(event_id=event.id, id__in=data.ticket_types)
    if len(ticket_types) != len(set(data.ticket_types)):
        raise InvalidInput(errors=[(("body", "ticket_types"), "validation.unknown_ticket_type")])
    async with in_transaction():
        await Event.filter(id=event.id).select_for_update().first()  # in-flight registrations finish first
        await capacity.lock_event(event.id)
        quota = await Quota.create(event=event, name=data.name, size=data.size, covers_all=not data.ticket_types)
        await quota.ticket_types.add(*ticket_types)
        await capacity.adopt(quota)
        await quota.refresh_from_db()
        if quota.used > quota.size:
            raise Conflict("error.quota_below_holders", errors=[(("body", "size"), "validation.quota_below_holders")])
        await audit.record(
            user, "quota.create", quota, organisation_id=event.organisation_id, after=data.model_dump(mode="json")
        )
    return quota


async def resize_quota(user: User, event_id: int, quota_id: int, size: int) -> Quota:
    event = await managed_event(event_id, user)
    async with in_transaction():
        quota = await Quota.get_or_none(id=quota_id, event_id=event.id)
        if quota is None:
            raise NotFound()
        await _resize(event, quota, size)
        await audit.record(
            user,
            "quota.resize",
            quota,
            organisation_id=event.organisation_id,
            before={"size": quota.size},
            after={"size": size},
        )
        await quota.refresh_from_db()
    return quota


async def add_question(user: User, event_id: int, data: QuestionIn) -> Question:
    """A registration question; each limited choice gets its own quota, so choices never overbook either."""
    event = await managed_event(event_id, user)
    try:
        async with in_transaction():
            await changed(event.id)
            position = await Question.filter(event_id=event.id).count()
            question = await Question.create(
                event=event,
                key=data.key,
                kind=data.kind,
                label_zh=data.label.zh,
                label_en=data.label.en,
                required=data.required,
                position=position,
                minimum=data.minimum,
                maximum=data.maximum,
                choices=[{"key": c.key, "zh": c.label.zh, "en": c.label.en, "limit": c.limit} for c in data.choices],
            )
            for choice in data.choices:
                if choice.limit is not None:
                    await Quota.create(
                        event=event,
                        name=f"{data.key}:{choice.key}",
                        size=choice.limit,
                        question=question,
                        choice_key=choice.key,
                    )
            await audit.record(
                user,
                "question.create",
                question,
                organisation_id=event.organisation_id,
                after=data.model_dump(mode="json"),
            )
    except IntegrityError:
        raise InvalidInput(errors=[(("body", "key"), "validation.question_key_taken")]) from None
    return question


async def delete_question(user: User, event_id: int, question_id: int) -> None:
    """Remove a question (and the quotas of its choices) while nobody has answered it: answers are never lost."""
    event = await managed_event(event_id, user)
    async with in_transaction():
        await changed(event.id)
        question = await Question.get_or_none(id=question_id, event_id=event.id)
        if question is None:
            raise NotFound()
        if await Registration.filter(event_id=event.id).exists():
            raise Conflict("error.question_answered")
        await Quota.filter(question_id=question.id).delete()
        await question.delete()
        await audit.record(
            user, "question.delete", question, organisation_id=event.organisation_id, before={"key": question.key}
        )
