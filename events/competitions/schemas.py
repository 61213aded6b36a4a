"""Request shapes of competitions: set-up, teams, invitations and submissions."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal, Self

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from events.competitions.models import Entrants, TeamStatus
from events.competitions.storage import FileKind
from server.errors import FieldError
from server.fields import Multiline
from server.identifiers import USCC, Email
from server.schemas import I18nText, In, Instant, Name, OneLine

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
    """揭榜挂帅: a published scenario need of the resource pool, whose organisation co-organises and whose text the
    challenge states; or, for a need outside the pool, its text and the enterprise that states it."""

    scenario_need_id: int | None = Field(default=None, description="A published need of the resource pool.")
    enterprise_id: int | None = Field(default=None, description="With `need`: the company that states it.")
    need: Annotated[str, StringConstraints(min_length=1, max_length=20_000), Multiline] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.scenario_need_id is None) == (self.need is None):
            raise PydanticCustomError("challenge_need_source", "name a scenario need of the pool, or state the need")
        if self.need is not None and self.enterprise_id is None:
            raise PydanticCustomError("challenge_enterprise_missing", "a need stated here names its enterprise")
        return self


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
    results: Literal["none", "notice", "final"] = Field(
        "none", description="The stage's results: none yet, on public notice (公示), or final."
    )


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
    scenario_need_id: int | None = Field(description="The pool's scenario need the challenge was set from.")
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


class PersonOut(BaseModel):
    id: int
    name: str


class TeamPageOut(TeamOut):
    """A team as its members see it on their pages: its event, members by name and, for the leader, the
    invitations still waiting for an answer."""

    event_id: int
    event_title: dict[str, str]
    reason: str
    members: list[PersonOut]
    invites: list[InviteOut] = Field(description="Pending and unexpired; shown to the leader only.")


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
    complete: bool = Field(description="Every required answer and file present; only a complete version counts.")
    missing: list[FieldError] = Field(description="What an incomplete version lacks: field path and message.")


class VersionsOut(BaseModel):
    """A team's versions for a stage, newest first, and the one that counts (the last complete one before the
    deadline)."""

    versions: list[SubmissionOut]
    counting_id: int | None


# Judging


class AnchorIn(In):
    """What earns a score on a criterion's scale, shown to judges beside it."""

    score: int
    text: I18nText


class CriterionIn(In):
    key: Key
    label: I18nText
    weight: float = Field(gt=0, le=1000, allow_inf_nan=False, description="Relative: 30/50/20 and 3/5/2 alike.")
    minimum: int = Field(default=0, ge=0, le=1000)
    maximum: int = Field(default=10, ge=1, le=1000)
    anchors: list[AnchorIn] = Field(default=[], max_length=20)


class RubricIn(In):
    """A stage's weighted rubric and how many judges each entry gets. Fixed once a sheet is saved."""

    criteria: list[CriterionIn] = Field(min_length=1, max_length=20)
    judges_per_entry: int = Field(default=3, ge=3, le=20)


class RubricOut(BaseModel):
    stage_id: int
    criteria: list[dict[str, object]]
    judges_per_entry: int
    tie_break: list[str] = Field(description="The published order that decides between equal scores.")


class JudgeIn(In):
    """A member holding the `judge` role in the competition's organisation, put on its panel."""

    user_id: int
    track_ids: list[int] = Field(min_length=1, max_length=50)
    stage_ids: list[int] = Field(
        default=[],
        max_length=12,
        description="The stages they judge (a later round's own judges); empty: every stage.",
    )
    affiliation: Annotated[str, StringConstraints(max_length=200), OneLine] = ""
    active: bool = True


class JudgeOut(BaseModel):
    user_id: int
    name: str
    track_ids: list[int]
    stage_ids: list[int]
    affiliation: str
    active: bool


class ConflictIn(In):
    """A conflict of interest the organiser records: the judge never sees the team's entries again."""

    judge_id: int
    team_id: int
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500), OneLine]


class ConflictOut(BaseModel):
    judge_id: int
    team_id: int
    source: str
    reason: str


class AssignIn(In):
    seed: int = Field(default=0, ge=0, le=2**31 - 1, description="Another seed gives another balanced draw.")


class AssignmentOut(BaseModel):
    id: int
    stage_id: int
    team_id: int
    judge_id: int
    cleared: bool = Field(description="The judge declared no conflict: the entry's files are open to them.")


class AssignOut(BaseModel):
    assignments: list[AssignmentOut]
    added: int
    withdrawn: int


class DeclarationIn(In):
    """Before an entry opens: no conflict (`conflict` false), or a conflict with its reason."""

    conflict: bool
    reason: Annotated[str, StringConstraints(max_length=500), OneLine] = ""

    @model_validator(mode="after")
    def _conflict_has_reason(self) -> Self:
        if self.conflict and not self.reason.strip():
            raise PydanticCustomError("reason_required", "say what the conflict is")
        return self


Points = Annotated[float, Field(ge=-1000, le=1000, allow_inf_nan=False)]


class DraftIn(In):
    """Some or all criteria, as the judge goes: each save keeps the others saved before."""

    scores: dict[Key, Points] = Field(min_length=1, max_length=20)


class CorrectionIn(In):
    scores: dict[Key, Points] = Field(min_length=1, max_length=20)
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500), OneLine]


class QueueItemOut(BaseModel):
    assignment_id: int
    competition_id: int
    event_id: int
    event_title: dict[str, str]
    stage_id: int
    stage_name: dict[str, str]
    team_id: int
    team_name: str | None = Field(description="Hidden until the judge declares no conflict.")
    cleared: bool
    submitted: bool


class SheetOut(BaseModel):
    assignment_id: int
    team_id: int
    team_name: str
    submission: SubmissionOut | None = Field(description="The version that counts; its files are open to the judge.")
    stage_name: dict[str, str]
    fact_sheet: list[dict[str, object]] = Field(description="The stage's questions, to label the entry's facts.")
    file_slots: list[dict[str, object]] = Field(description="The stage's file slots, to label the entry's files.")
    rubric: RubricOut
    scores: dict[str, float] = Field(description="The current sheet: the latest value saved per criterion.")
    submitted: bool


class EntryOut(BaseModel):
    """An entry of a stage as its organisers list it: the team and the version that counts."""

    team_id: int
    team_name: str
    track_id: int
    organisation_name: str
    submission_id: int
    version: int
    submitted_at: datetime


class JudgeProgressOut(BaseModel):
    judge_id: int
    name: str
    assigned: int
    cleared: int
    submitted: int


class RankedOut(BaseModel):
    rank: int
    team_id: int
    team_name: str
    sheets: int
    raw_mean: float
    normalised_mean: float
    key_criterion_mean: float
    submitted_at: datetime
    decided_by: str | None = Field(description="The tie-break rule that put it below the entry above.")


class TrackRankingOut(BaseModel):
    track_id: int
    ranked: list[RankedOut]
    unscored: list[int]


class RankingOut(BaseModel):
    stage_id: int
    tie_break: list[str]
    tracks: list[TrackRankingOut]


class ChosenIn(In):
    team_id: int
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500), OneLine]


class AdvanceIn(In):
    """The top `places` of each track go on to the next stage, and the `chosen` with a reason each."""

    places: int = Field(ge=0, le=1000)
    chosen: list[ChosenIn] = Field(default=[], max_length=1000)


class AdvancementOut(BaseModel):
    stage_id: int
    team_id: int
    rank: int | None
    reason: str


class NoticeIn(In):
    """Put the stage's ranking on 公示 (public notice) until `notice_until`."""

    notice_until: Instant


class ResultsOut(BaseModel):
    stage_id: int
    notice_until: datetime
    noticed_at: datetime
    published_at: datetime | None
    final: bool
    ranking: list[TrackRankingOut] = Field(description="As frozen at 公示.")
