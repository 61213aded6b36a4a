"""Trainee reports: reading (with the opening carried over), saving while editable, and the workflow
draft -> submitted -> approved | returned, every change audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from server import audit, personal_data
from server.accounts import require_role
from server.clock import utcnow
from server.errors import Conflict, InvalidInput, NotFound
from server.i18n import Label
from server.models import AuditEntry, Organisation, Role, User
from server.personal_data import Row, Subject, plain
from talent import rules
from talent.models import LockException, Occupation, Period, PeriodKind, Programme, ReportStatus, TraineeReport
from talent.schemas import ReportIn

CITY_ZONE = ZoneInfo("Asia/Shanghai")
FIELDS = (
    "opening",
    "new_male",
    "new_female",
    "completed",
    "dropped",
    "levels",
    "employed_jinan",
    "employed_elsewhere",
    "training_hours",
)
EDITABLE = frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED})


class ReportAwaitingReview(Conflict):
    key = "error.report_awaiting_review"


class ReportApproved(Conflict):
    key = "error.report_approved"


class ReportLocked(Conflict):
    """The period locked (and no exception is open for the base)."""

    key = "error.report_locked"


class ReportStatusForbidden(Conflict):
    key = "error.report_status"


@dataclass(frozen=True)
class Slot:
    """Where a report belongs: a base, a period and a programme of that base running in that period."""

    base: Organisation
    period: Period
    programme: Programme
    occupation: Occupation


def city_today() -> date:
    """Today in the city: the day report months, due dates and locks are counted in."""
    return utcnow().astimezone(CITY_ZONE).date()


def previous_period_id(period_id: str) -> str:
    if "Q" in period_id:
        year, quarter = int(period_id[:4]), int(period_id[5])
        return f"{year - 1}Q4" if quarter == 1 else f"{year}Q{quarter - 1}"
    year, month = int(period_id[:4]), int(period_id[5:])
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def period_bounds(period_id: str) -> tuple[PeriodKind, date, date]:
    year = int(period_id[:4])
    if "Q" in period_id:
        first_month = 3 * (int(period_id[5]) - 1) + 1
        start, months = date(year, first_month, 1), 3
    else:
        start, months = date(year, int(period_id[5:]), 1), 1
    after = date(start.year + (start.month + months - 1) // 12, (start.month + months - 1) % 12 + 1, 1)
    return (PeriodKind.QUARTERLY if "Q" in period_id else PeriodKind.MONTHLY), start, after - timedelta(days=1)


def running_in(period: Period) -> QuerySet[Programme]:
    """The programmes whose cohort dates overlap the period: the ones that owe it a report."""
    return Programme.filter(starts_on__lte=period.ends_on, ends_on__gte=period.starts_on)


async def slot_checks(user: User, base_id: int, period_id: str) -> tuple[Organisation, Period]:
    """The base and period, for admins and the base's own reporters and managers only."""
    base = await Organisation.get_or_none(id=base_id)
    if base is None:
        raise NotFound()
    await require_role(user, base.id, Role.REPORTER, Role.MANAGER)
    period = await Period.get_or_none(id=period_id)
    if period is None:
        raise NotFound()
    return base, period


async def slot(user: User, base_id: int, period_id: str, programme_id: int) -> Slot:
    """The report's place, for admins and the base's own reporters and managers only."""
    base, period = await slot_checks(user, base_id, period_id)
    programme = await Programme.get_or_none(id=programme_id, base_id=base.id).select_related("occupation")
    if programme is None:
        raise NotFound()
    if programme.starts_on > period.ends_on or programme.ends_on < period.starts_on:  # as running_in() selects
        raise NotFound("error.programme_not_active")
    return Slot(base, period, programme, programme.occupation)


async def editable(report: TraineeReport, place: Slot) -> bool:
    """Draft or returned, and before the period locks (or within a lock exception the bureau granted)."""
    if report.status not in EDITABLE:
        return False
    if city_today() <= place.period.locks_on:
        return True
    return await LockException.exists(period_id=place.period.id, base_id=place.base.id, until__gt=utcnow())


async def ensure_editable(report: TraineeReport, place: Slot) -> None:
    """Refuse a change with its true reason: awaiting review, approved, or the period locked."""
    if report.status is ReportStatus.SUBMITTED:
        raise ReportAwaitingReview()
    if report.status is ReportStatus.APPROVED:
        raise ReportApproved()
    if not await editable(report, place):
        raise ReportLocked(locks_on=place.period.locks_on.isoformat())


async def current(place: Slot) -> TraineeReport:
    """The stored report, or a new draft whose opening is the previous period's closing."""
    found = await TraineeReport.get_or_none(
        base_id=place.base.id, period_id=place.period.id, programme_id=place.programme.id
    )
    if found is not None:
        return found
    previous = await _previous(place)
    return TraineeReport(
        base_id=place.base.id,
        period_id=place.period.id,
        programme_id=place.programme.id,
        opening=previous.closing if previous else 0,
        levels={},
    )


async def _previous(place: Slot) -> TraineeReport | None:
    return await TraineeReport.get_or_none(
        base_id=place.base.id, period_id=previous_period_id(place.period.id), programme_id=place.programme.id
    )


async def findings(report: TraineeReport, place: Slot) -> list[tuple[rules.Rule, str, dict[str, object]]]:
    previous = await _previous(place)
    year = place.period.id[:4]
    others = await TraineeReport.filter(programme_id=place.programme.id, period_id__startswith=year).exclude(
        period_id=place.period.id
    )
    cohort = [*others, report]
    facts = rules.Facts(
        report=report,
        occupation=place.occupation,
        previous_closing=previous.closing if previous else None,
        year_certified=sum(counts.get("certified", 0) for r in cohort for counts in r.levels.values()),
        year_completed=sum(r.completed for r in cohort),
    )
    return rules.evaluate(facts)


async def save(user: User, place: Slot, data: ReportIn) -> TraineeReport:
    """Store the values while the report is editable; the fields that changed are audited, old and new."""
    for attempt in (1, 2):
        try:
            return await _save(user, place, data)
        except IntegrityError:  # another first save of the same report won the insert: update that row instead
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


async def _save(user: User, place: Slot, data: ReportIn) -> TraineeReport:
    async with in_transaction():
        report = await _locked(place) or await current(place)
        await ensure_editable(report, place)
        before = {name: getattr(report, name) for name in FIELDS}
        _apply(report, data)
        await report.save()
        changed = {name for name in FIELDS if getattr(report, name) != before[name]}
        if changed or report.status is ReportStatus.DRAFT:
            await audit.record(
                user,
                "talent_report.update",
                report,
                organisation_id=place.base.id,
                before={name: before[name] for name in sorted(changed)},
                after={name: getattr(report, name) for name in sorted(changed)},
            )
    return report


def _apply(report: TraineeReport, data: ReportIn) -> None:
    for name, value in data.model_dump(exclude={"opening"} if data.opening is None else set()).items():
        setattr(report, name, value)


async def trial(place: Slot, data: ReportIn) -> TraineeReport:
    """The report as these values would make it, unsaved: what the rules judge while a reporter types."""
    report = await current(place)
    _apply(report, data)
    return report


async def _locked(place: Slot) -> TraineeReport | None:
    return (
        await TraineeReport.filter(base_id=place.base.id, period_id=place.period.id, programme_id=place.programme.id)
        .select_for_update()
        .first()
    )


async def submit(user: User, place: Slot) -> TraineeReport:
    """Submit if no rule of importance `error` fails, judged on the row as locked for the move; of two submits
    at once, one wins and one gets 409."""
    async with in_transaction():
        report = await _locked(place)
        if report is None:
            raise ReportStatusForbidden(status=Label("report_status.draft"))
        await ensure_editable(report, place)
        errors = [
            (("report", field), f"rule.{rule.code}", params)
            for rule, field, params in await findings(report, place)
            if rule.importance == "error"
        ]
        if errors:
            raise InvalidInput("error.report_invalid", errors=errors)
        return await _move(user, report, place, EDITABLE, ReportStatus.SUBMITTED, submitted_at=utcnow())


async def review(user: User, place: Slot, to: ReportStatus, comment: str = "") -> TraineeReport:
    """The bureau approves (which locks the report) or returns it with a comment."""
    report = await current(place)
    if report.id is None:
        raise NotFound()
    return await _move(user, report, place, frozenset({ReportStatus.SUBMITTED}), to, comment=comment)


async def _move(
    user: User, report: TraineeReport, place: Slot, allowed: frozenset[ReportStatus], to: ReportStatus, **values: object
) -> TraineeReport:
    async with in_transaction():
        moved = await TraineeReport.filter(id=report.id, status__in=list(allowed)).update(status=to, **values)
        if not moved:
            await report.refresh_from_db()
            raise ReportStatusForbidden(status=Label(f"report_status.{report.status.value}"))
        await audit.record(
            user,
            f"talent_report.{to.value}",
            report,
            organisation_id=place.base.id,
            before={"status": report.status.value},
            after={"status": to.value, **({"comment": values["comment"]} if values.get("comment") else {})},
        )
    await report.refresh_from_db()
    return report


async def _filed_by(subject: Subject) -> list[Row]:
    """The reports a person filed (saved or moved through the workflow, as the audit log records): reports are the
    bases' aggregates and stay when the person is forgotten; only the log's label of who filed them goes."""
    if subject.user is None:
        return []
    filed = AuditEntry.filter(actor_id=subject.user.id, object_type="TraineeReport").values_list("object_id", flat=True)
    ids = {int(str(each)) for each in await filed}
    reports = await TraineeReport.filter(id__in=ids).select_related("base", "programme").order_by("id")
    return [
        {
            "id": r.id,
            "base": r.base.name_zh,
            "period": r.period_id,
            "programme": r.programme.cohort,
            "status": r.status.value,
            **{name: getattr(r, name) for name in FIELDS},
            "submitted_at": plain(r.submitted_at),
        }
        for r in reports
    ]


personal_data.register("talent_reports", _filed_by)
