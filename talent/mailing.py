"""Deadline mail for trainee reports: a reminder before the due date, a notice once overdue, and an overdue
digest to the bureau. Dedupe keys make every one of them go once, however often the job runs."""

from __future__ import annotations

from datetime import timedelta

from tortoise.transactions import in_transaction

from notifications.outbox import Mail, enqueue
from server.i18n import pick
from server.models import Membership, Organisation, Region, Role, User
from server.settings import Locale
from talent.dashboard import completeness
from talent.models import Period
from talent.reports import city_today
from talent.schemas import Expected

DUE_SOON = timedelta(days=3)


async def send_report_reminders(base_url: str) -> int:
    """Enqueue what has come due today; answers how many mails were asked for (dedupe may drop repeats)."""
    today = city_today()
    asked = 0
    for period in await Period.filter(due_on__gte=today - timedelta(days=60), starts_on__lte=today):
        if not (period.due_on - DUE_SOON <= today <= period.locks_on):
            continue
        overdue = today > period.due_on
        waiting: dict[int, list[Expected]] = {}
        for expected in await completeness(period):
            if expected.state in ("missing", "draft"):
                waiting.setdefault(expected.base_id, []).append(expected)
        mails = [
            mail
            for base_id, programmes in sorted(waiting.items())
            for mail in await _base_mails(base_id, period, programmes, overdue=overdue, base_url=base_url)
        ]
        if overdue and waiting:
            mails += await _digest(period, [programmes[0] for programmes in waiting.values()], base_url)
        if mails:
            async with in_transaction():
                await enqueue(*mails)
        asked += len(mails)
    return asked


async def _base_mails(
    base_id: int, period: Period, waiting: list[Expected], *, overdue: bool, base_url: str
) -> list[Mail]:
    """To the base's reporters: the link opens the report form when one report is waiting, else the list of the
    base's reports (the page at /talent)."""
    base = await Organisation.get(id=base_id)
    template = "report_overdue" if overdue else "report_due"
    form = f"/talent/reports/{base_id}/{period.id}/{waiting[0].programme_id}" if len(waiting) == 1 else "/talent"
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
                "report_url": f"{base_url}{form}",
            },
        )
        for m in members
        if m.user.is_active
    ]


async def _digest(period: Period, missing: list[Expected], base_url: str) -> list[Mail]:
    """To the bureau's admins: the bases not reported, with their region's name in the reader's language, and a
    link to the dashboard."""
    admins = await User.filter(is_admin=True, is_active=True)
    regions = {region.code: region.name for region in await Region.filter(code__in={e.region for e in missing})}

    def listing(locale: str) -> str:
        chosen: Locale = "en" if locale == "en" else "zh-CN"
        return "\n".join(sorted(f"- {e.base}（{pick(regions[e.region], chosen)}）" for e in missing))

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
                "missing": listing(admin.locale),
                "dashboard_url": f"{base_url}/talent/dashboard",
            },
        )
        for admin in admins
    ]
