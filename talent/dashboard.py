"""The bureau's view: who has reported (completeness), totals by region, occupation, level and period, and
progress against targets. Figures come from submitted and approved reports; closing is derived."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from talent.models import Metric, Period, Programme, ReportStatus, Target, TraineeReport
from talent.reports import CITY_ZONE

RECEIVED = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)
GROUPS = ("region", "base", "occupation", "level", "period")
TOTALS = ("enrolled", "completed", "dropped", "employed", "assessed", "certified")


@dataclass(frozen=True)
class Expected:
    base_id: int
    base: str
    region: str
    programme_id: int
    state: str  # missing, draft, on_time, late


async def completeness(period: Period) -> list[Expected]:
    """Every programme running in the period, and whether its report came, on time or late."""
    running = (
        await Programme.filter(starts_on__lte=period.ends_on, ends_on__gte=period.starts_on)
        .select_related("base__region")
        .order_by("base_id", "id")
    )
    reports = {r.programme_id: r for r in await TraineeReport.filter(period_id=period.id)}
    rows = []
    for programme in running:
        report = reports.get(programme.id)
        if report is None:
            state = "missing"
        elif report.status not in RECEIVED or report.submitted_at is None:
            state = "draft"
        else:
            state = "on_time" if report.submitted_at.astimezone(CITY_ZONE).date() <= period.due_on else "late"
        rows.append(
            Expected(programme.base_id, programme.base.name_zh, programme.base.region.code, programme.id, state)
        )
    return rows


def _figures(report: TraineeReport, level: str | None) -> dict[str, int]:
    if level is not None:
        counts = report.levels.get(level, {})
        return {"assessed": counts.get("assessed", 0), "certified": counts.get("certified", 0)}
    return {
        "enrolled": report.new,
        "completed": report.completed,
        "dropped": report.dropped,
        "employed": report.employed_jinan + report.employed_elsewhere,
        "assessed": sum(c.get("assessed", 0) for c in report.levels.values()),
        "certified": sum(c.get("certified", 0) for c in report.levels.values()),
    }


async def received(period_from: str | None, period_to: str | None) -> list[TraineeReport]:
    found = TraineeReport.filter(status__in=RECEIVED)
    if period_from:
        found = found.filter(period_id__gte=period_from)
    if period_to:
        found = found.filter(period_id__lte=period_to)
    return await found.select_related("base__region", "programme__occupation")


def totals(reports: Iterable[TraineeReport], group_by: tuple[str, ...]) -> list[dict[str, object]]:
    """Sums per group. Grouping by level splits assessed and certified by level (the other figures have none)."""
    sums: dict[tuple[str, ...], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for report in reports:
        keys = {
            "region": report.base.region.code,
            "base": str(report.base_id),
            "occupation": report.programme.occupation.code,
            "period": report.period_id,
        }
        levels: list[str | None] = [*sorted(report.levels)] if "level" in group_by else [None]
        for level in levels:
            group = tuple(level or "" if name == "level" else keys[name] for name in group_by)
            for name, value in _figures(report, level).items():
                sums[group][name] += value
    return [{**dict(zip(group_by, group, strict=True)), **figures} for group, figures in sorted(sums.items())]


def actual(target: Target, reports: Iterable[TraineeReport]) -> int:
    """What the received reports of the target's year add up to, for its occupation, level, base and metric."""
    total = 0
    for report in reports:
        if report.period_id[:4] != str(target.year) or report.programme.occupation_id != target.occupation_id:
            continue
        if target.base_id is not None and report.base_id != target.base_id:
            continue
        figures = _figures(report, target.level or None)
        if target.metric is Metric.ENROLLED:
            total += figures.get("enrolled", 0)
        elif target.metric is Metric.COMPLETED:
            total += figures.get("completed", 0)
        elif target.metric is Metric.EMPLOYED:
            total += figures.get("employed", 0)
        else:
            total += figures["certified"]
    return total
