"""Deadline mail for trainee reports: a reminder before the due date, a notice once overdue, and an overdue
digest to the bureau. Dedupe keys make every one of them go once, however often the job runs."""

from __future__ import annotations

from datetime import timedelta

from tortoise.transactions import in_transaction

from notifications.outbox import Mail, enqueue
from server.clock import utcnow
from server.models import Membership, Organisation, Role, User
from talent.dashboard import completeness
from talent.models import Period
from talent.reports import CITY_ZONE

DUE_SOON = timedelta(days=3)


async def send_report_reminders(base_url: str) -> int:
    """Enqueue what has come due today; answers how many mails were asked for (dedupe may drop repeats)."""
    today = utcnow().astimezone(CITY_ZONE).date()
    asked = 0
    for period in await Period.filter(due_on__gte=today - timedelta(days=60), starts_on__lte=today):
        if not (period.due_on - DUE_SOON <= today <= period.locks_on):
            continue
        overdue = today > period.due_on
        waiting: dict[int, str] = {}
        for expected in await completeness(period):
            if expected.state in ("missing", "draft"):
                waiting[expected.base_id] = f"{expected.base}（{expected.region}）"
        mails = [
            mail
            for base_id in sorted(waiting)
            for mail in await _base_mails(base_id, period, overdue=overdue, base_url=base_url)
        ]
        if overdue and waiting:
            mails += await _digest(period, sorted(waiting.values()), base_url)
        if mails:
            async with in_transaction():
                await enqueue(*mails)
        asked += len(mails)
    return asked


async def _base_mails(base_id: int, period: Period, *, overdue: bool, base_url: str) -> list[Mail]:
    base = await Organisation.get(id=base_id)
    template = "report_overdue" if overdue else "report_due"
    members = await Membership.filter(organisation_id=base_id, role=Role.REPORTER).select_related("user")
    return [
        Mail(
            template=template,
            to=m.user.email,
            to_name=m.user.name,
            locale=m.user.locale,
            dedupe_key=f"{template}:{period.id}:{base_id}:{m.user_id}",
            topic=f"talent:{period.id}",
            context={
                "recipient_name": m.user.name,
                "period": period.id,
                "base_name": base.name_zh,
                "due_on": period.due_on.isoformat(),
                "report_url": f"{base_url}/talent/reports/{base_id}/{period.id}",
            },
        )
        for m in members
        if m.user.is_active
    ]


async def _digest(period: Period, missing: list[str], base_url: str) -> list[Mail]:
    admins = await User.filter(is_admin=True, is_active=True)
    listing = "\n".join(f"- {name}" for name in missing)
    return [
        Mail(
            template="report_overdue_digest",
            to=admin.email,
            to_name=admin.name,
            locale=admin.locale,
            dedupe_key=f"report_overdue_digest:{period.id}:{admin.id}",
            topic=f"talent:{period.id}",
            context={
                "recipient_name": admin.name,
                "period": period.id,
                "due_on": period.due_on.isoformat(),
                "missing": listing,
                "dashboard_url": f"{base_url}/talent/completeness?period={period.id}",
            },
        )
        for admin in admins
    ]
