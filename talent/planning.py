"""The plan the reports answer to: programmes at training bases, reporting periods and yearly targets."""

from __future__ import annotations

from datetime import timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from server import audit
from server.accounts import require_role
from server.errors import InvalidInput, NotFound
from server.models import Organisation, OrganisationKind, Role, User
from talent import reports
from talent.models import LockException, Metric, Occupation, Period, Programme, Target
from talent.schemas import ExceptionIn, OccupationIn, PeriodIn, ProgrammeIn, TargetIn


async def add_programme(user: User, data: ProgrammeIn) -> Programme:
    """A cohort at a training base, opened by the bureau or the base's managers, aiming at a level of its occupation."""
    base = await Organisation.get_or_none(id=data.base_id)
    if base is None:
        raise InvalidInput(errors=[(("body", "base_id"), "validation.unknown_base")])
    await require_role(user, base.id, Role.MANAGER)
    if base.kind is not OrganisationKind.TRAINING_BASE:
        raise InvalidInput("error.not_a_training_base", errors=[(("body", "base_id"), "error.not_a_training_base")])
    occupation = await Occupation.get_or_none(code=data.occupation)
    if occupation is None:
        raise InvalidInput(errors=[(("body", "occupation"), "validation.unknown_occupation")])
    if data.target_level not in {level["code"] for level in occupation.levels}:
        raise InvalidInput(errors=[(("body", "target_level"), "validation.unknown_level")])
    async with in_transaction():
        programme = await Programme.create(
            occupation=occupation, base=base, **data.model_dump(exclude={"occupation", "base_id"})
        )
        await audit.record(
            user, "programme.create", programme, organisation_id=base.id, after=data.model_dump(mode="json")
        )
    return programme


async def add_occupation(user: User, data: OccupationIn) -> Occupation:
    """An occupation and its levels; each code once."""
    try:
        async with in_transaction():
            occupation = await Occupation.create(
                code=data.code,
                name_zh=data.name.zh,
                name_en=data.name.en,
                tracks=data.tracks,
                levels=[{"code": level.code, "zh": level.name.zh, "en": level.name.en} for level in data.levels],
            )
            await audit.record(user, "occupation.create", occupation, after=data.model_dump(mode="json"))
    except IntegrityError:
        raise InvalidInput(errors=[(("body", "code"), "validation.occupation_taken")]) from None
    return occupation


async def add_period(user: User, data: PeriodIn) -> Period:
    """A month or quarter to report on, due and locked the given days after its end; each period once."""
    kind, starts, ends = reports.period_bounds(data.id)
    try:
        async with in_transaction():
            period = await Period.create(
                id=data.id,
                kind=kind,
                starts_on=starts,
                ends_on=ends,
                due_on=ends + timedelta(days=data.due_days),
                locks_on=ends + timedelta(days=data.lock_days),
            )
            await audit.record(user, "period.create", period, after=data.model_dump())
    except IntegrityError:
        raise InvalidInput(errors=[(("body", "id"), "validation.period_taken")]) from None
    return period


async def add_exception(user: User, period_id: str, data: ExceptionIn) -> Period:
    """Reopen a locked period for one base until a time the bureau names."""
    period = await Period.get_or_none(id=period_id)
    base = await Organisation.get_or_none(id=data.base_id)
    if period is None:
        raise NotFound()
    if base is None:
        raise InvalidInput(errors=[(("body", "base_id"), "validation.unknown_base")])
    async with in_transaction():
        exception = await LockException.create(
            period=period, base=base, until=data.until, reason=data.reason, granted_by=user
        )
        await audit.record(
            user, "period.exception", exception, organisation_id=base.id, after=data.model_dump(mode="json")
        )
    return period


async def add_target(user: User, data: TargetIn) -> Target:
    """One target per year, occupation, level, base (or the whole city) and metric."""
    occupation = await Occupation.get_or_none(code=data.occupation)
    if occupation is None:
        raise InvalidInput(errors=[(("body", "occupation"), "validation.unknown_occupation")])
    if data.level and data.level not in {level["code"] for level in occupation.levels}:
        raise InvalidInput(errors=[(("body", "level"), "validation.unknown_level")])
    if data.level and data.metric is not Metric.CERTIFIED:  # reports count only certificates by level
        raise InvalidInput(errors=[(("body", "level"), "validation.level_only_certified")])
    if data.base_id is not None and not await Organisation.exists(id=data.base_id, kind=OrganisationKind.TRAINING_BASE):
        raise InvalidInput(errors=[(("body", "base_id"), "validation.unknown_base")])
    duplicate = InvalidInput(errors=[(("body", "metric"), "validation.target_taken")])
    if await Target.exists(
        year=data.year, occupation=occupation, level=data.level, base_id=data.base_id, metric=data.metric
    ):
        raise duplicate  # the unique index cannot catch city-wide targets: their base is NULL
    try:
        async with in_transaction():
            target = await Target.create(
                year=data.year,
                occupation=occupation,
                level=data.level,
                base_id=data.base_id,
                metric=data.metric,
                value=data.value,
            )
            await audit.record(user, "target.create", target, after=data.model_dump(mode="json"))
    except IntegrityError:
        raise duplicate from None
    return target
