"""Request shapes of competitions: set-up, teams, invitations and submissions."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Self

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from events.competitions.models import Entrants, TeamStatus
from events.competitions.storage import FileKind
from server.fields import Multiline
from server.identifiers import USCC, Email
from server.schemas import I18nText, In, Name, OneLine

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
RegionCode = Annotated[str, StringConstraints(max_length=40)]
FactText = Annotated[str, StringConstraints(max_length=20_000), Multiline]
# A stage longer than a year is a typo.
LONGEST_STAGE = timedelta(days=366)


def _unique_keys(items: list[FactFieldIn] | list[FileSlotIn], error_type: str) -> None:
    keys = [item.key for item in items]
    if len(keys) != len(set(keys)):
        raise PydanticCustomError(error_type, "two entries have the same key")


class FactFieldIn(In):
    """One question of a stage's fact sheet (structured text the team fills in)."""

    key: Key
    label: I18nText
    required: bool = False
    max_length: int = Field(default=2000, ge=1, le=20_000)


MAX_FILE_MB = 2048  # the largest size limit a file slot may have


class FileSlotIn(In):
    """One file a stage asks for (a plan as PDF, a deck, a demo video): its accepted kinds and size limit."""

    key: Key
    label: I18nText
    required: bool = False
    kinds: list[FileKind] = Field(default=[FileKind.PDF], min_length=1, max_length=len(FileKind))
    max_mb: int = Field(default=50, ge=1, le=MAX_FILE_MB, description="The largest file accepted, in MiB.")


class TrackIn(In):
    name: I18nText


class StageIn(In):
    name: I18nText
    starts_at: AwareDatetime
    deadline: AwareDatetime
    fact_sheet: list[FactFieldIn] = Field(default=[], max_length=30)
    file_slots: list[FileSlotIn] = Field(default=[], max_length=10)

    @model_validator(mode="after")
    def _window(self) -> Self:
        if self.deadline <= self.starts_at:
            raise PydanticCustomError("deadline_before_start", "the deadline must come after the start")
        if self.deadline - self.starts_at > LONGEST_STAGE:
            raise PydanticCustomError("stage_too_long", "a stage lasts at most 366 days")
        _unique_keys(self.fact_sheet, "duplicate_field_key")
        _unique_keys(self.file_slots, "duplicate_file_key")
        return self


class ChallengeIn(In):
    """揭榜挂帅: the need as the enterprise states it, and the enterprise (an organisation) as co-organiser."""

    enterprise_id: int
    need: Annotated[str, StringConstraints(min_length=1, max_length=20_000), Multiline]


class CompetitionIn(In):
    entrants: Entrants = Entrants.ANY
    regions: list[RegionCode] = Field(default=[], max_length=50, description="Eligible regions; empty for any.")
    team_min: int = Field(default=1, ge=1, le=50)
    team_max: int = Field(default=5, ge=1, le=50)
    requires_approval: bool = False
    tracks: list[TrackIn] = Field(min_length=1, max_length=20)
    stages: list[StageIn] = Field(min_length=1, max_length=12, description="In order; each after the one before.")
    challenge: ChallengeIn | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.team_min > self.team_max:
            raise PydanticCustomError("team_size_order", "the smallest team size exceeds the largest")
        for earlier, later in zip(self.stages, self.stages[1:], strict=False):
            if later.starts_at < earlier.deadline:
                raise PydanticCustomError("stages_overlap", "each stage starts after the deadline of the one before")
        names = [track.name.zh for track in self.tracks]
        if len(names) != len(set(names)):
            raise PydanticCustomError("duplicate_track", "two tracks have the same name")
        return self

    def latest_deadline(self) -> datetime:
        return self.stages[-1].deadline


class TeamIn(In):
    """A team as its leader creates it; a company team names its organisation and 统一社会信用代码."""

    name: Name
    track_id: int
    region: RegionCode
    organisation_name: Annotated[str, StringConstraints(max_length=200), OneLine] = ""
    uscc: USCC | None = None

    @model_validator(mode="after")
    def _company_has_code(self) -> Self:
        if self.organisation_name and self.uscc is None:
            raise PydanticCustomError("uscc_required", "a company team needs its unified social credit code")
        return self


class InviteIn(In):
    email: Email


class SubmissionIn(In):
    """The fact sheet's answers; files are stored first and passed alongside (see submissions.submit)."""

    facts: dict[Key, FactText] = Field(default={}, max_length=30)


class DeadlineIn(In):
    """A stage's new deadline, and why: every team's members are mailed both."""

    deadline: AwareDatetime
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500), OneLine]


class AcceptIn(In):
    token: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class HandOverIn(In):
    user_id: int


class DecisionIn(In):
    approve: bool
    reason: Annotated[str, StringConstraints(max_length=500), OneLine] = ""


class TrackOut(BaseModel):
    id: int
    name: dict[str, str]


class StageOut(BaseModel):
    id: int
    name: dict[str, str]
    starts_at: datetime
    deadline: datetime
    deadline_local: str = Field(description="The deadline to the second in the event's zone, the zone named.")
    fact_sheet: list[dict[str, object]]
    file_slots: list[dict[str, object]]


class CompetitionOut(BaseModel):
    id: int
    event_id: int
    entrants: Entrants
    regions: list[str]
    team_min: int
    team_max: int
    requires_approval: bool
    is_challenge: bool
    co_organiser_id: int | None
    need: str
    tracks: list[TrackOut]
    stages: list[StageOut]


class TeamOut(BaseModel):
    id: int
    competition_id: int
    track_id: int
    name: str
    leader_id: int
    status: TeamStatus
    member_ids: list[int]


class InviteOut(BaseModel):
    id: int
    email: str
    expires_at: datetime


class UploadQuery(BaseModel):
    name: str = Field(min_length=1, max_length=255, description="The file's name, with its extension.")


class SubmissionOut(BaseModel):
    id: int
    team_id: int
    stage_id: int
    version: int
    facts: dict[str, object]
    files: list[dict[str, object]]
    submitted_at: datetime
