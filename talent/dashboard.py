"""The bureau's view: who has reported (completeness), totals by region, occupation, level and period, and
progress against targets. Figures come from submitted and approved reports; closing is derived."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from talent.models import Metric, Period, ReportStatus, Target, TraineeReport
from talent.reports import CITY_ZONE, running_in
from talent.schemas import Expected

RECEIVED = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)
GROUPS = ("region", "base", "occupation", "level", "period")
TOTALS = ("enrolled", "completed", "dropped", "employed", "assessed", "certified")


async def completeness(period: Period) -> list[Expected]:
    """Every programme running in the period, and whether its report came, on time or late."""
    running = await running_in(period).select_related("base__region").order_by("base_id", "id")
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
            Expected(
                base_id=programme.base_id,
                base=programme.base.name_zh,
                region=programme.base.region.code,
                programme_id=programme.id,
                state=state,
                status=report.status if report else None,
            )
        )
    return rows


Row = dict[str, Any]  # one received report, as the few plain values the dashboard needs
COLUMNS = {
    "region": "base__region__code",
    "occupation": "programme__occupation__code",
    "occupation_id": "programme__occupation_id",
    "base_id": "base_id",
    "period_id": "period_id",
    "new_male": "new_male",
    "new_female": "new_female",
    "completed": "completed",
    "dropped": "dropped",
    "employed_jinan": "employed_jinan",
    "employed_elsewhere": "employed_elsewhere",
    "levels": "levels",
}


def _figures(row: Row, level: str | None) -> dict[str, int]:
    levels: dict[str, dict[str, int]] = row["levels"] or {}
    if level is not None:
        counts = levels.get(level, {})
        return {"assessed": counts.get("assessed", 0), "certified": counts.get("certified", 0)}
    return {
        "enrolled": row["new_male"] + row["new_female"],
        "completed": row["completed"],
        "dropped": row["dropped"],
        "employed": row["employed_jinan"] + row["employed_elsewhere"],
        "assessed": sum(c.get("assessed", 0) for c in levels.values()),
        "certified": sum(c.get("certified", 0) for c in levels.values()),
    }


async def received(period_from: str | None, period_to: str | None) -> list[Row]:
    """Submitted and approved reports as plain rows (no model objects: there can be tens of thousands)."""
    found = TraineeReport.filter(status__in=RECEIVED)
    if period_from:
        found = found.filter(period_id__gte=period_from)
    if period_to:
        found = found.filter(period_id__lte=period_to)
    rows: list[Row] = await found.values(**COLUMNS)
    for row in rows:
        if isinstance(row["levels"], str | bytes):  # some drivers hand JSON back undecoded in values()
            row["levels"] = json.loads(row["levels"])
    return rows


def totals(rows: Iterable[Row], group_by: tuple[str, ...]) -> list[dict[str, object]]:
    """Sums per group. Grouping by level splits assessed and certified by level (the other figures have none)."""
    sums: dict[tuple[str, ...], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        keys = {
            "region": row["region"],
            "base": str(row["base_id"]),
            "occupation": row["occupation"],
            "period": row["period_id"],
        }
        levels: list[str | None] = [*sorted(row["levels"] or {})] if "level" in group_by else [None]
        for level in levels:
            group = tuple(level or "" if name == "level" else keys[name] for name in group_by)
            for name, value in _figures(row, level).items():
                sums[group][name] += value
    return [{**dict(zip(group_by, group, strict=True)), **figures} for group, figures in sorted(sums.items())]


def actual(target: Target, rows: Iterable[Row]) -> int:
    """What the received reports of the target's year add up to, for its occupation, level, base and metric."""
    metric = {
        Metric.ENROLLED: "enrolled",
        Metric.COMPLETED: "completed",
        Metric.EMPLOYED: "employed",
        Metric.CERTIFIED: "certified",
    }[target.metric]
    return sum(
        _figures(row, target.level or None).get(metric, 0)
        for row in rows
        if row["period_id"][:4] == str(target.year)
        and row["occupation_id"] == target.occupation_id
        and (target.base_id is None or row["base_id"] == target.base_id)
    )
