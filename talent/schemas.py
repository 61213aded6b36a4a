"""Request and response shapes of the talent API."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from server.fields import Multiline
from server.schemas import I18nText, In, OneLine, ShortI18nText
from talent.models import Metric, PeriodKind, ReportStatus

Count = Annotated[int, Field(ge=0, le=1_000_000)]
LevelCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{1,10}$")]


class LevelIn(In):
    code: LevelCode
    name: I18nText


class OccupationIn(In):
    code: Annotated[str, StringConstraints(pattern=r"^\d-\d{2}-\d{2}-\d{2}$")]
    name: ShortI18nText
    levels: list[LevelIn] = Field(min_length=1, max_length=10)
    tracks: list[Annotated[str, StringConstraints(min_length=1, max_length=50), OneLine]] = Field(
        default=[], max_length=20
    )


class OccupationOut(BaseModel):
    id: int
    code: str
    name: dict[str, str]
    levels: list[dict[str, str]]
    tracks: list[str]


class ProgrammeIn(In):
    occupation: Annotated[str, StringConstraints(max_length=20)] = Field(description="Occupation code.")
    base_id: int
    target_level: LevelCode
    track: Annotated[str, StringConstraints(max_length=50), OneLine] = ""
    cohort: Annotated[str, StringConstraints(min_length=1, max_length=100), OneLine]
    starts_on: date
    ends_on: date
    planned_size: int = Field(ge=1, le=100_000)

    @field_validator("ends_on")
    @classmethod
    def _after_start(cls, value: date, info: ValidationInfo) -> date:
        """On the field, so that the form shows the message next to the end date."""
        starts = info.data.get("starts_on")
        if starts and value < starts:
            raise PydanticCustomError("ends_before_start", "the end must come after the start")
        return value


class ProgrammeOut(BaseModel):
    id: int
    occupation: str
    base_id: int
    target_level: str
    track: str
    cohort: str
    starts_on: date
    ends_on: date
    planned_size: int
    event_ids: list[int] = []


PERIOD_ID = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$|^(\d{4})Q([1-4])$")


class PeriodIn(In):
    id: str = Field(description="`2026-03` for a month, `2026Q1` for a quarter.")
    due_days: int = Field(default=10, ge=0, le=120, description="Days after the period's end until reports are due.")
    lock_days: int = Field(default=30, ge=0, le=365, description="Days after the period's end until reports lock.")

    @field_validator("id")
    @classmethod
    def _iso(cls, value: str) -> str:
        if not PERIOD_ID.match(value):
            raise PydanticCustomError("period_format", "use 2026-03 or 2026Q1")
        return value

    @field_validator("lock_days")
    @classmethod
    def _after_due(cls, value: int, info: ValidationInfo) -> int:
        due_days = info.data.get("due_days")
        if due_days is not None and value < due_days:
            raise PydanticCustomError("lock_before_due", "reports cannot lock before they are due")
        return value


class PeriodOut(BaseModel):
    id: str
    kind: PeriodKind
    starts_on: date
    ends_on: date
    due_on: date
    locks_on: date


class ExceptionIn(In):
    base_id: int
    until: datetime
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500), Multiline]


class LevelCounts(In):
    assessed: Count = 0
    certified: Count = 0


class ReportIn(In):
    opening: Count | None = Field(default=None, description="Default: the previous period's closing.")
    new_male: Count = 0
    new_female: Count = 0
    completed: Count = 0
    dropped: Count = 0
    levels: dict[LevelCode, LevelCounts] = Field(default={}, max_length=10)
    employed_jinan: Count = 0
    employed_elsewhere: Count = 0
    training_hours: Annotated[int, Field(ge=0, le=10_000_000)] = 0


class Finding(BaseModel):
    rule: str
    importance: str = Field(description="`error` blocks submission; `warning` does not.")
    field: str
    message: str


class ReportOut(BaseModel):
    id: int | None
    base_id: int
    period: str
    programme_id: int
    status: ReportStatus
    editable: bool
    opening: int
    new_male: int
    new_female: int
    completed: int
    dropped: int
    closing: int
    levels: dict[str, dict[str, int]]
    employed_jinan: int
    employed_elsewhere: int
    training_hours: int
    comment: str
    submitted_at: datetime | None
    findings: list[Finding]


class Validation(BaseModel):
    """What a save of the values would give: the derived closing and the findings of every rule."""

    opening: int
    closing: int
    findings: list[Finding]


class CommentIn(In):
    comment: Annotated[str, StringConstraints(min_length=1, max_length=1000), Multiline]


class TargetIn(In):
    year: int = Field(ge=2000, le=2100)
    occupation: Annotated[str, StringConstraints(max_length=20)]
    level: Annotated[str, StringConstraints(max_length=10)] = ""
    base_id: int | None = None
    metric: Metric
    value: int = Field(ge=0, le=10_000_000)


class TargetOut(BaseModel):
    id: int
    year: int
    occupation: str
    level: str
    base_id: int | None
    metric: Metric
    value: int
    actual: int


class Expected(BaseModel):
    """A programme running in a period, and whether its report came: missing, draft, on_time or late."""

    base_id: int
    base: str
    region: str
    programme_id: int
    state: str
    status: ReportStatus | None = Field(description="The report's workflow status; none while it is missing.")


class Evidence(BaseModel):
    """A received report set against the programme's own training events in Quancheng."""

    programme_id: int
    base_id: int
    reported_new: int
    registered: int
    reported_completed: int
    checked_in: int
    flags: list[str]
