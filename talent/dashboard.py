"""The bureau's view: who has reported (completeness), totals by region, occupation, level and period, and
progress against targets. Figures come from submitted and approved reports; closing is derived."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise import connections

from server.db import Params
from server.i18n import pick
from server.models import Organisation, Region
from server.settings import Locale
from talent.models import Occupation, Period, ReportStatus, Target, TraineeReport
from talent.reports import CITY_ZONE, running_in
from talent.schemas import Expected

RECEIVED = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)
GROUPS = ("region", "base", "occupation", "level", "period")  # what the dashboard may group by
TOTALS = ("enrolled", "completed", "dropped", "employed", "assessed", "certified")


async def names(groups: tuple[str, ...], table: list[dict[str, Any]], locale: Locale) -> dict[str, dict[Any, str]]:
    """For an export: what each grouping's codes (or base ids) are called, in the reader's language."""
    found: dict[str, dict[Any, str]] = {}
    if "region" in groups:
        found["region"] = {region.code: pick(region.name, locale) for region in await Region.all()}
    if "base" in groups:
        bases = await Organisation.filter(id__in={int(row["base"]) for row in table})
        found["base"] = {str(base.id): pick({"zh": base.name_zh, "en": base.name_en}, locale) for base in bases}
    if "occupation" in groups or "level" in groups:
        occupations = await Occupation.all()
        found["occupation"] = {o.code: pick({"zh": o.name_zh, "en": o.name_en}, locale) for o in occupations}
        found["level"] = {level["code"]: pick(level, locale) for o in occupations for level in o.levels}
    return found


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


Row = dict[str, Any]  # one group's keys and sums
JOINS = {  # the tables a group or filter may need, in the order they are joined
    "b": 'JOIN "organisation" b ON b."id" = r."base_id"',
    "g": 'JOIN "region" g ON g."id" = b."region_id"',
    "p": 'JOIN "programme" p ON p."id" = r."programme_id"',
    "o": 'JOIN "occupation" o ON o."id" = p."occupation_id"',
}
KEYS = {  # every way of grouping, as SQL and the joins it needs: only these fixed strings reach a statement
    "region": ('g."code"', "bg"),
    "base": ('r."base_id"', ""),
    "occupation": ('o."code"', "po"),
    "occupation_id": ('p."occupation_id"', "p"),
    "period": ('r."period_id"', ""),
    "year": ('SUBSTR(r."period_id", 1, 4)', ""),
    "level": ('l."key"', ""),
}
REPORT_SUMS = {
    "enrolled": 'SUM(r."new_male" + r."new_female")',
    "completed": 'SUM(r."completed")',
    "dropped": 'SUM(r."dropped")',
    "employed": 'SUM(r."employed_jinan" + r."employed_elsewhere")',
}
LEVEL_SUMS = ("assessed", "certified")
EXPAND_LEVELS = {  # one row per level of a report's `levels` JSON ({level: {assessed, certified}}), as l."key"
    "postgres": 'CROSS JOIN LATERAL jsonb_each(r."levels") AS l("key", "value")',
    "sqlite": 'JOIN json_each(r."levels") AS l',
}
LEVEL_COUNT = {  # a count of the expanded level, 0 when absent; {} takes "assessed" or "certified"
    "postgres": "COALESCE((l.\"value\" ->> '{}')::int, 0)",
    "sqlite": "COALESCE(json_extract(l.\"value\", '$.{}'), 0)",
}


@dataclass(frozen=True)
class Received:
    """Which submitted and approved reports to add up: a period range, or some years and occupations."""

    period_from: str | None = None
    period_to: str | None = None
    years: frozenset[str] = frozenset()
    occupation_ids: frozenset[int] = frozenset()


async def _sums(keys: tuple[str, ...], received: Received, *, levels: bool) -> list[Row]:
    """One GROUP BY statement over `keys` (names of KEYS): the report figures per group, or with `levels` the
    assessed and certified counts of the reports' levels."""
    connection = connections.get("default")
    params = Params(connection)
    dialect = "postgres" if params.postgres else "sqlite"
    conditions = [f'r."status" IN ({params.bind_each(s.value for s in RECEIVED)})']
    if received.period_from:
        conditions.append(f'r."period_id" >= {params.bind(received.period_from)}')
    if received.period_to:
        conditions.append(f'r."period_id" <= {params.bind(received.period_to)}')
    if received.years:
        conditions.append(f"{KEYS['year'][0]} IN ({params.bind_each(sorted(received.years))})")
    if received.occupation_ids:
        conditions.append(f'p."occupation_id" IN ({params.bind_each(sorted(received.occupation_ids))})')
    needed = {table for key in keys for table in KEYS[key][1]} | ({"p"} if received.occupation_ids else set())
    joins = [sql for table, sql in JOINS.items() if table in needed]
    if levels:
        joins.append(EXPAND_LEVELS[dialect])
        sums = [f'SUM({LEVEL_COUNT[dialect].format(name)}) AS "{name}"' for name in LEVEL_SUMS]
    else:
        sums = [f'{sql} AS "{name}"' for name, sql in REPORT_SUMS.items()]
    groups = [KEYS[key][0] for key in keys]
    columns = ", ".join([*(f'{sql} AS "{key}"' for sql, key in zip(groups, keys, strict=True)), *sums])
    rows = await connection.execute_query_dict(
        f'SELECT {columns} FROM "trainee_report" r {" ".join(joins)} '
        f"WHERE {' AND '.join(conditions)} GROUP BY {', '.join(groups)}",
        params.values,
    )
    names = LEVEL_SUMS if levels else tuple(REPORT_SUMS)
    return [{**{k: row[k] for k in keys}, **{n: int(row[n]) for n in names}} for row in rows]  # int: no Decimal


async def _totals(keys: tuple[str, ...], received: Received) -> list[Row]:
    """Sums per group. Grouping by level splits assessed and certified by level (the other figures have none)."""
    if "level" in keys:
        return await _sums(keys, received, levels=True)
    reported = await _sums(keys, received, levels=False)
    counted = {tuple(row[k] for k in keys): row for row in await _sums(keys, received, levels=True)}
    for row in reported:
        counts = counted.get(tuple(row[k] for k in keys), {})
        row.update({name: counts.get(name, 0) for name in LEVEL_SUMS})
    return reported


async def totals(group_by: tuple[str, ...], period_from: str | None, period_to: str | None) -> list[Row]:
    """The dashboard: sums of received reports per group of `GROUPS`, ordered by group."""
    rows = await _totals(group_by, Received(period_from, period_to))
    for row in rows:
        if "base" in row:
            row["base"] = str(row["base"])
    return sorted(rows, key=lambda row: tuple(row[k] for k in group_by))


async def actuals(targets: list[Target]) -> list[int]:
    """What the received reports of each target's year add up to, for its occupation, level, base and metric.

    A target with a level counts that level's certificates (the only metric a level may have, see planning)."""
    if not targets:
        return []
    received = Received(
        years=frozenset(str(t.year) for t in targets), occupation_ids=frozenset(t.occupation_id for t in targets)
    )
    keys = ("year", "occupation_id", "base")
    overall = await _totals(keys, received)
    by_level = await _totals((*keys, "level"), received) if any(t.level for t in targets) else []
    return [
        sum(
            row.get(target.metric.value, 0)
            for row in (by_level if target.level else overall)
            if row["year"] == str(target.year)
            and row["occupation_id"] == target.occupation_id
            and (target.base_id is None or row["base"] == target.base_id)
            and (not target.level or row["level"] == target.level)
        )
        for target in targets
    ]
