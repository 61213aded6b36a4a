"""Cross-checking reports with what Quancheng itself saw: for programmes whose sessions run as training events
here, reported new enrolments are compared with registrations, and reported completions with check-ins.

This is the one place where talent reads events (a dependency that points one way only).
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from tortoise.transactions import in_transaction

from events.models import HOLDING, Event, EventKind, Registration
from server import audit
from server.errors import InvalidInput
from server.models import User
from talent.models import Period, Programme, ReportStatus, TraineeReport
from talent.reports import CITY_ZONE
from talent.schemas import Evidence


async def link_events(user: User, programme: Programme, event_ids: list[int]) -> None:
    """Name the training events of a programme, with an audit entry; they must exist and be of kind `training`."""
    found = await Event.filter(id__in=event_ids, kind=EventKind.TRAINING).values_list("id", flat=True)
    missing = sorted(set(event_ids) - set(found))
    if missing:
        raise InvalidInput(
            errors=[(("body", "event_ids"), "validation.unknown_training_event")], ids=", ".join(map(str, missing))
        )
    async with in_transaction():
        programme.event_ids = sorted(set(event_ids))
        await programme.save(update_fields=["event_ids"])
        await audit.record(
            user,
            "programme.events",
            programme,
            organisation_id=programme.base_id,
            after={"event_ids": programme.event_ids},
        )


async def check(period: Period) -> list[Evidence]:
    """Programmes with linked events and a received report in the period, and where the numbers disagree."""
    start = datetime.combine(period.starts_on, time.min, tzinfo=CITY_ZONE).astimezone(UTC)
    end = datetime.combine(period.ends_on, time.max, tzinfo=CITY_ZONE).astimezone(UTC)
    results = []
    for programme in await Programme.exclude(event_ids=[]).order_by("id"):
        report = await TraineeReport.get_or_none(
            programme_id=programme.id, period_id=period.id, status__in=[ReportStatus.SUBMITTED, ReportStatus.APPROVED]
        )
        if report is None or not programme.event_ids:
            continue
        in_period = Registration.filter(event_id__in=programme.event_ids, created_at__gte=start, created_at__lte=end)
        registered = await in_period.filter(status__in=list(HOLDING)).count()
        checked_in = await Registration.filter(
            event_id__in=programme.event_ids, checked_in_at__gte=start, checked_in_at__lte=end
        ).count()
        flags = []
        if report.new > registered:
            flags.append("more_new_than_registered")
        if report.completed > checked_in:
            flags.append("more_completed_than_checked_in")
        results.append(
            Evidence(
                programme_id=programme.id,
                base_id=programme.base_id,
                reported_new=report.new,
                registered=registered,
                reported_completed=report.completed,
                checked_in=checked_in,
                flags=flags,
            )
        )
    return results
