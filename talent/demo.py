"""Demo talent programmes at both training bases, the last three months as reporting periods with reports in
every state (approved, submitted, returned with a comment, draft, missing), and this year's targets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Literal

from server.models import User
from talent import planning, reports
from talent.models import Metric, Programme, ReportStatus
from talent.schemas import LevelCounts, PeriodIn, ProgrammeIn, ReportIn, TargetIn

if TYPE_CHECKING:
    from server.demo import Cast

TRAINER = "4-04-05-05"  # 人工智能训练师
ENGINEER = "2-02-10-09"  # 人工智能工程技术人员, track 算法工程师
State = Literal["approved", "submitted", "returned", "draft"]
RETURN_COMMENT = "本月流失 2 人，请核对流失人数与培训学时后重新提交。"


@dataclass(frozen=True)
class Cohort:
    base: int  # index into Cast.bases
    occupation: str
    level: str
    track: str
    name: str
    planned: int


@dataclass(frozen=True)
class Month:
    """One month's report of a cohort: its figures and the state it is left in (None: never reported)."""

    state: State | None
    figures: ReportIn = field(default_factory=ReportIn)


COHORTS = [
    Cohort(0, TRAINER, "4", "数据标注员", "人工智能训练师（四级）第 3 期", 40),
    Cohort(0, ENGINEER, "middle", "算法工程师", "算法工程师（中级）研修班", 25),
    Cohort(1, TRAINER, "5", "数据标注员", "人工智能训练师（五级）章丘班", 60),
    Cohort(1, ENGINEER, "junior", "算法工程师", "算法工程师（初级）实训班", 30),
]


def _certified(level: str, assessed: int, certified: int) -> dict[str, LevelCounts]:
    return {level: LevelCounts(assessed=assessed, certified=certified)}


# Three months per cohort, oldest first; openings carry over from the month before.
MONTHS = [
    [
        Month("approved", ReportIn(new_male=22, new_female=18, dropped=1, training_hours=3200)),
        Month(
            "approved",
            ReportIn(
                completed=12,
                dropped=1,
                levels=_certified("4", 12, 10),
                employed_jinan=6,
                employed_elsewhere=1,
                training_hours=2800,
            ),
        ),
        Month(
            "submitted",
            ReportIn(
                completed=20,
                levels=_certified("4", 20, 17),
                employed_jinan=12,
                employed_elsewhere=2,
                training_hours=1600,
            ),
        ),
    ],
    [
        Month("approved", ReportIn(new_male=15, new_female=10, training_hours=2000)),
        Month("returned", ReportIn(dropped=2, training_hours=2400)),
        Month("draft", ReportIn(training_hours=2300)),
    ],
    [
        Month("approved", ReportIn(new_male=35, new_female=25, training_hours=4800)),
        Month(
            "approved",
            ReportIn(
                completed=25,
                dropped=3,
                levels=_certified("5", 25, 22),
                employed_jinan=15,
                employed_elsewhere=3,
                training_hours=3600,
            ),
        ),
        Month(None),
    ],
    [
        Month("approved", ReportIn(new_male=18, new_female=12, training_hours=2400)),
        Month("approved", ReportIn(dropped=1, training_hours=2900)),
        Month(
            "approved",
            ReportIn(
                completed=29,
                levels=_certified("junior", 29, 24),
                employed_jinan=20,
                employed_elsewhere=4,
                training_hours=1200,
            ),
        ),
    ],
]
# (occupation, level, base index or None for the city, metric, value) for each year the periods touch
TARGETS = [
    (TRAINER, "", None, Metric.ENROLLED, 300),
    (TRAINER, "", None, Metric.CERTIFIED, 200),
    (TRAINER, "", None, Metric.EMPLOYED, 150),
    (TRAINER, "4", None, Metric.CERTIFIED, 80),
    (TRAINER, "", 0, Metric.ENROLLED, 100),
    (TRAINER, "", 1, Metric.ENROLLED, 150),
    (ENGINEER, "", None, Metric.ENROLLED, 120),
    (ENGINEER, "", None, Metric.CERTIFIED, 60),
]


def last_months(count: int) -> list[str]:
    """The ids of the `count` whole months before the current one in the city, oldest first."""
    month = reports.city_today().strftime("%Y-%m")
    found = []
    for _ in range(count):
        month = reports.previous_period_id(month)
        found.append(month)
    return found[::-1]


async def seed(cast: Cast) -> None:
    """Programmes, periods, reports and targets, entered by each base's reporter and reviewed by the bureau."""
    admin = cast.admin
    periods = last_months(3)
    for period_id in periods:
        # Reports stay editable four months after the period's end, so even the oldest one can be entered today.
        await planning.add_period(admin, PeriodIn(id=period_id, due_days=10, lock_days=120))
    first_day = reports.period_bounds(periods[0])[1]
    programmes: list[Programme] = []
    for cohort in COHORTS:
        data = ProgrammeIn(
            occupation=cohort.occupation,
            base_id=cast.bases[cohort.base].id,
            target_level=cohort.level,
            track=cohort.track,
            cohort=cohort.name,
            starts_on=first_day,
            ends_on=first_day + timedelta(days=270),
            planned_size=cohort.planned,
        )
        programmes.append(await planning.add_programme(admin, data))
    for month, period_id in enumerate(periods):  # month by month, so that each opening carries over
        for cohort, programme, months in zip(COHORTS, programmes, MONTHS, strict=True):
            await _report(cast, cast.reporters[cohort.base], period_id, programme, months[month])
    for year in sorted({int(period_id[:4]) for period_id in periods}):
        for occupation, level, base, metric, value in TARGETS:
            base_id = None if base is None else cast.bases[base].id
            target = TargetIn(
                year=year, occupation=occupation, level=level, base_id=base_id, metric=metric, value=value
            )
            await planning.add_target(admin, target)


async def _report(cast: Cast, reporter: User, period_id: str, programme: Programme, month: Month) -> None:
    if month.state is None:
        return
    place = await reports.slot(reporter, programme.base_id, period_id, programme.id)
    await reports.save(reporter, place, month.figures)
    if month.state == "draft":
        return
    await reports.submit(reporter, place)
    if month.state == "approved":
        await reports.review(cast.admin, place, ReportStatus.APPROVED)
    elif month.state == "returned":
        await reports.review(cast.admin, place, ReportStatus.RETURNED, RETURN_COMMENT)
