"""Talent programmes: occupations and their levels, programmes at training bases, reporting periods, trainee
reports with their workflow, lock exceptions and targets."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from server.models import Organisation, User


class PeriodKind(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


class ReportStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


class Metric(StrEnum):
    ENROLLED = "enrolled"
    COMPLETED = "completed"
    CERTIFIED = "certified"
    EMPLOYED = "employed"


class Occupation(Model):
    """An occupation of the national catalogue, with its own levels (codes with zh/en names)."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=20, unique=True)
    name_zh = fields.CharField(max_length=100)
    name_en = fields.CharField(max_length=100, default="")
    levels = fields.JSONField[list[dict[str, str]]](description="[{code, zh, en}] from the lowest level up")
    tracks = fields.JSONField[list[str]](default=list, description="sub-trades or job tracks under it")

    class Meta:
        table = "occupation"


class Programme(Model):
    """A cohort trained at one base for one occupation and target level."""

    id = fields.IntField(primary_key=True)
    occupation: fields.ForeignKeyRelation[Occupation] = fields.ForeignKeyField(
        "talent.Occupation", related_name="programmes", on_delete=fields.RESTRICT
    )
    base: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "server.Organisation", related_name="programmes", on_delete=fields.RESTRICT
    )
    target_level = fields.CharField(max_length=10)
    track = fields.CharField(max_length=50, default="")
    cohort = fields.CharField(max_length=100)
    starts_on = fields.DateField()
    ends_on = fields.DateField()
    planned_size = fields.IntField()
    event_ids = fields.JSONField[list[int]](default=list, description="Quancheng training events of this cohort")
    created_at = fields.DatetimeField(auto_now_add=True)
    occupation_id: int
    base_id: int

    class Meta:
        table = "programme"


class Period(Model):
    """A reporting period, named the ISO way: `2026-03` (monthly) or `2026Q1` (quarterly)."""

    id = fields.CharField(max_length=7, primary_key=True)
    kind = fields.CharEnumField(PeriodKind, max_length=10)
    starts_on = fields.DateField()
    ends_on = fields.DateField()
    due_on = fields.DateField(description="reports are on time until the end of this day")
    locks_on = fields.DateField(description="after this day reports can no longer be edited")

    class Meta:
        table = "period"


class LockException(Model):
    """The bureau reopens one base's reports of one locked period until a time, for a stated reason."""

    id = fields.IntField(primary_key=True)
    period: fields.ForeignKeyRelation[Period] = fields.ForeignKeyField(
        "talent.Period", related_name="exceptions", on_delete=fields.CASCADE
    )
    base: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "server.Organisation", related_name="lock_exceptions", on_delete=fields.CASCADE
    )
    until = fields.DatetimeField()
    reason = fields.CharField(max_length=500)
    granted_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "server.User", related_name=False, on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    period_id: str
    base_id: int

    class Meta:
        table = "lock_exception"


class TraineeReport(Model):
    """One base x period x programme. Closing is derived, never stored: opening + new - completed - dropped."""

    id = fields.IntField(primary_key=True)
    base: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "server.Organisation", related_name="trainee_reports", on_delete=fields.RESTRICT
    )
    period: fields.ForeignKeyRelation[Period] = fields.ForeignKeyField(
        "talent.Period", related_name="reports", on_delete=fields.RESTRICT
    )
    programme: fields.ForeignKeyRelation[Programme] = fields.ForeignKeyField(
        "talent.Programme", related_name="reports", on_delete=fields.RESTRICT
    )
    status = fields.CharEnumField(ReportStatus, max_length=12, default=ReportStatus.DRAFT)
    opening = fields.IntField(default=0)
    new_male = fields.IntField(default=0)
    new_female = fields.IntField(default=0)
    completed = fields.IntField(default=0)
    dropped = fields.IntField(default=0)
    levels = fields.JSONField[dict[str, dict[str, int]]](default=dict, description="{level: {assessed, certified}}")
    employed_jinan = fields.IntField(default=0)
    employed_elsewhere = fields.IntField(default=0)
    training_hours = fields.IntField(default=0)
    comment = fields.CharField(max_length=1000, default="", description="the bureau's comment when returning")
    submitted_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)
    base_id: int
    period_id: str
    programme_id: int

    class Meta:
        table = "trainee_report"
        unique_together = (("base", "period", "programme"),)

    @property
    def new(self) -> int:
        return self.new_male + self.new_female

    @property
    def closing(self) -> int:
        return self.opening + self.new - self.completed - self.dropped


class Target(Model):
    """What the bureau aims at in a year: city-wide (no base) or per base, per occupation and optionally level."""

    id = fields.IntField(primary_key=True)
    year = fields.IntField()
    occupation: fields.ForeignKeyRelation[Occupation] = fields.ForeignKeyField(
        "talent.Occupation", related_name="targets", on_delete=fields.RESTRICT
    )
    level = fields.CharField(max_length=10, default="")
    base: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "server.Organisation", related_name="targets", null=True, on_delete=fields.CASCADE
    )
    metric = fields.CharEnumField(Metric, max_length=12)
    value = fields.IntField()
    occupation_id: int
    base_id: int | None

    class Meta:
        table = "target"
        unique_together = (("year", "occupation", "level", "base", "metric"),)
