"""A competition's set-up (tracks, stages, eligibility), its teams with members and invitations, and the
versioned submissions of each team per stage (docs/architecture.md#competitions)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from events.models import Event
from server.models import Organisation, Region, User


class Entrants(StrEnum):
    """Who may enter: people on their own, teams of an organisation (统一社会信用代码 required), or either."""

    INDIVIDUALS = "individuals"
    ORGANISATIONS = "organisations"
    ANY = "any"


class TeamStatus(StrEnum):
    PENDING = "pending"  # waits for the organiser's approval
    ACTIVE = "active"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


# States in which a team holds its members and may still act.
OPEN = frozenset({TeamStatus.PENDING, TeamStatus.ACTIVE})


class Competition(Model):
    """The competition set up on an event of kind `competition`. A 揭榜挂帅 challenge has a co-organiser."""

    id = fields.IntField(primary_key=True)
    event: fields.OneToOneRelation[Event] = fields.OneToOneField(
        "events.Event", related_name="competition", on_delete=fields.CASCADE
    )
    entrants = fields.CharEnumField(Entrants, max_length=20, default=Entrants.ANY)
    region_codes = fields.JSONField[list[str]](default=list, description="codes of the eligible regions, empty for any")
    team_min = fields.IntField(default=1)
    team_max = fields.IntField(default=5)
    requires_approval = fields.BooleanField(default=False, description="new teams wait for the organiser")
    co_organiser: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "server.Organisation", related_name="co_organised_competitions", null=True, on_delete=fields.RESTRICT
    )
    is_challenge = fields.BooleanField(default=False, description="揭榜挂帅: the co-organiser states the need")
    need_md = fields.TextField(default="", description="the need of a challenge, as the enterprise describes it")
    # The scenario need of the resource pool a challenge answers, once the matchmaking pool exists; kept as a
    # plain id until then so that no migration of this app depends on an app that is not there yet.
    scenario_need_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    event_id: int
    co_organiser_id: int | None
    tracks: fields.ReverseRelation[Track]
    stages: fields.ReverseRelation[Stage]

    class Meta:
        table = "competition"


class Track(Model):
    """A 赛道: teams enter one, and are ranked within it."""

    id = fields.IntField(primary_key=True)
    competition: fields.ForeignKeyRelation[Competition] = fields.ForeignKeyField(
        "competitions.Competition", related_name="tracks", on_delete=fields.CASCADE
    )
    name_zh = fields.CharField(max_length=100)
    name_en = fields.CharField(max_length=100, default="")
    position = fields.IntField(default=0)

    competition_id: int

    class Meta:
        table = "competition_track"
        unique_together = (("competition", "name_zh"),)


class Stage(Model):
    """One stage, open for submissions from `starts_at` (inclusive) until `deadline` (exclusive), both UTC."""

    id = fields.IntField(primary_key=True)
    competition: fields.ForeignKeyRelation[Competition] = fields.ForeignKeyField(
        "competitions.Competition", related_name="stages", on_delete=fields.CASCADE
    )
    name_zh = fields.CharField(max_length=100)
    name_en = fields.CharField(max_length=100, default="")
    position = fields.IntField()
    starts_at = fields.DatetimeField()
    deadline = fields.DatetimeField()
    fact_sheet = fields.JSONField[list[dict[str, object]]](
        default=list, description="[{key, label_zh, label_en, required, max_length}]"
    )
    file_slots = fields.JSONField[list[dict[str, object]]](
        default=list, description="[{key, label_zh, label_en, required}]"
    )
    sequence = fields.IntField(default=0, description="moves of the deadline: its calendar entry's own SEQUENCE")

    competition_id: int

    class Meta:
        table = "competition_stage"
        unique_together = (("competition", "position"),)

    def is_open(self, now: datetime) -> bool:
        return self.starts_at <= now < self.deadline


class Team(Model):
    id = fields.IntField(primary_key=True)
    competition: fields.ForeignKeyRelation[Competition] = fields.ForeignKeyField(
        "competitions.Competition", related_name="teams", on_delete=fields.CASCADE
    )
    track: fields.ForeignKeyRelation[Track] = fields.ForeignKeyField(
        "competitions.Track", related_name="teams", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=100)
    leader: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "server.User", related_name="led_teams", on_delete=fields.RESTRICT
    )
    region: fields.ForeignKeyRelation[Region] = fields.ForeignKeyField(
        "server.Region", related_name="competition_teams", on_delete=fields.RESTRICT
    )
    organisation_name = fields.CharField(max_length=200, default="", description="the organisation of a company team")
    uscc = fields.CharField(max_length=18, null=True, description="its 统一社会信用代码, checked")
    status = fields.CharEnumField(TeamStatus, max_length=20)
    reason = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    competition_id: int
    track_id: int
    leader_id: int
    region_id: int

    class Meta:
        table = "competition_team"
        unique_together = (("competition", "name"),)


class TeamMember(Model):
    """A person in a team. `holder` is the id of the user while the membership is active, else NULL: the unique
    (competition, holder) is the one-team-per-person-per-competition rule, kept by the database."""

    id = fields.IntField(primary_key=True)
    team: fields.ForeignKeyRelation[Team] = fields.ForeignKeyField(
        "competitions.Team", related_name="members", on_delete=fields.CASCADE
    )
    competition: fields.ForeignKeyRelation[Competition] = fields.ForeignKeyField(
        "competitions.Competition", related_name="members", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "server.User", related_name="team_memberships", on_delete=fields.CASCADE
    )
    holder = fields.IntField(null=True)
    joined_at = fields.DatetimeField(auto_now_add=True)
    left_at = fields.DatetimeField(null=True)

    team_id: int
    competition_id: int
    user_id: int

    class Meta:
        table = "competition_team_member"
        unique_together = (("competition", "holder"),)


class TeamInvite(Model):
    """An invitation by email: the accept link carries a signature of (id, expiry). Nothing secret is stored."""

    id = fields.IntField(primary_key=True)
    team: fields.ForeignKeyRelation[Team] = fields.ForeignKeyField(
        "competitions.Team", related_name="invites", on_delete=fields.CASCADE
    )
    email = fields.CharField(max_length=254)
    invited_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "server.User", related_name=False, on_delete=fields.CASCADE
    )
    expires_at = fields.DatetimeField()
    accepted_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    team_id: int
    invited_by_id: int

    class Meta:
        table = "competition_team_invite"


class Submission(Model):
    """One version of the entry of a team to a stage. `submitted_at` is when it was complete and committed: the
    moment its files were all stored and its row written, which the deadline is judged against. A version may
    still lack required answers or files (`complete` false): the team sends its files one request each, so early
    versions are drafts that do not count (docs/architecture.md#competitions)."""

    id = fields.IntField(primary_key=True)
    team: fields.ForeignKeyRelation[Team] = fields.ForeignKeyField(
        "competitions.Team", related_name="submissions", on_delete=fields.CASCADE
    )
    stage: fields.ForeignKeyRelation[Stage] = fields.ForeignKeyField(
        "competitions.Stage", related_name="submissions", on_delete=fields.RESTRICT
    )
    version = fields.IntField()
    facts = fields.JSONField[dict[str, object]](default=dict)
    files = fields.JSONField[list[dict[str, object]]](
        default=list, description="[{slot, name, key, size, sha256, kind}] of files in storage"
    )
    submitted_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "server.User", related_name=False, on_delete=fields.RESTRICT
    )
    submitted_at = fields.DatetimeField()
    complete = fields.BooleanField(
        default=True, description="every required answer and file present: only a complete version can count"
    )

    team_id: int
    stage_id: int
    submitted_by_id: int

    class Meta:
        table = "competition_submission"
        unique_together = (("team", "stage", "version"),)


# Judging (docs/architecture.md#judging)


class Rubric(Model):
    """The weighted rubric of a stage: `criteria` as `judging.Criterion` fields with bilingual labels and anchors.
    Fixed once a sheet has been saved against it, so that every sheet of a stage is added up alike."""

    id = fields.IntField(primary_key=True)
    stage: fields.OneToOneRelation[Stage] = fields.OneToOneField(
        "competitions.Stage", related_name="rubric", on_delete=fields.CASCADE
    )
    criteria = fields.JSONField[list[dict[str, object]]](
        description="[{key, label: {zh, en}, weight, minimum, maximum, anchors: [{score, text: {zh, en}}]}]"
    )
    judges_per_entry = fields.IntField(default=3)
    updated_at = fields.DatetimeField(auto_now=True)

    stage_id: int

    class Meta:
        table = "competition_rubric"


class CompetitionJudge(Model):
    """A member with the `judge` role of the competition's organisation, on its panel: the tracks they judge and
    the organisation they work for (a team of that organisation is a conflict of interest)."""

    id = fields.IntField(primary_key=True)
    competition: fields.ForeignKeyRelation[Competition] = fields.ForeignKeyField(
        "competitions.Competition", related_name="judges", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "server.User", related_name="judging", on_delete=fields.RESTRICT
    )
    track_ids = fields.JSONField[list[int]](description="the tracks they judge")
    stage_ids = fields.JSONField[list[int]](null=True, description="the stages they judge, NULL or empty for every one")
    affiliation = fields.CharField(max_length=200, default="", description="the organisation they work for")
    active = fields.BooleanField(default=True, description="off: no new entries, and never deleted once they scored")
    created_at = fields.DatetimeField(auto_now_add=True)

    competition_id: int
    user_id: int

    class Meta:
        table = "competition_judge"
        unique_together = (("competition", "user"),)


class ConflictSource(StrEnum):
    DECLARED = "declared"  # the judge said so when the entry was put to them
    RECORDED = "recorded"  # the organiser recorded it


class JudgeConflict(Model):
    """A conflict of interest between a judge and a team, for the whole competition. Same-organisation conflicts
    are computed, not stored (`judges.conflicts_of`)."""

    id = fields.IntField(primary_key=True)
    competition: fields.ForeignKeyRelation[Competition] = fields.ForeignKeyField(
        "competitions.Competition", related_name="conflicts", on_delete=fields.CASCADE
    )
    judge: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "server.User", related_name=False, on_delete=fields.RESTRICT
    )
    team: fields.ForeignKeyRelation[Team] = fields.ForeignKeyField(
        "competitions.Team", related_name="conflicts", on_delete=fields.CASCADE
    )
    source = fields.CharEnumField(ConflictSource, max_length=20)
    reason = fields.CharField(max_length=500, default="")
    recorded_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "server.User", related_name=False, on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    competition_id: int
    judge_id: int
    team_id: int
    recorded_by_id: int

    class Meta:
        table = "competition_judge_conflict"
        unique_together = (("competition", "judge", "team"),)


class JudgeAssignment(Model):
    """A judge given a team's entry to a stage. Its files open to the judge only once `cleared_at` is set (they
    declared no conflict); `withdrawn_at` ends it (a conflict came to light, or the judge left the track)."""

    id = fields.IntField(primary_key=True)
    stage: fields.ForeignKeyRelation[Stage] = fields.ForeignKeyField(
        "competitions.Stage", related_name="assignments", on_delete=fields.CASCADE
    )
    judge: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "server.User", related_name="judge_assignments", on_delete=fields.RESTRICT
    )
    team: fields.ForeignKeyRelation[Team] = fields.ForeignKeyField(
        "competitions.Team", related_name="assignments", on_delete=fields.CASCADE
    )
    cleared_at = fields.DatetimeField(null=True, description="when the judge declared no conflict")
    withdrawn_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    stage_id: int
    judge_id: int
    team_id: int

    class Meta:
        table = "competition_judge_assignment"
        unique_together = (("stage", "judge", "team"),)


class ScoreKind(StrEnum):
    DRAFT = "draft"  # some criteria, saved as the judge goes; the latest per criterion counts
    SCORE = "score"  # the judge submits the sheet; locked from then on
    CORRECTION = "correction"  # an organiser replaces a submitted sheet, with a reason; the original stays


class ScoreRecord(Model):
    """The append-only score log: rows are only ever inserted. The id orders them (`judging.replay`)."""

    id = fields.IntField(primary_key=True)
    assignment: fields.ForeignKeyRelation[JudgeAssignment] = fields.ForeignKeyField(
        "competitions.JudgeAssignment", related_name="scores", on_delete=fields.RESTRICT
    )
    kind = fields.CharEnumField(ScoreKind, max_length=20)
    scores = fields.JSONField[dict[str, float]](description="criterion key → points")
    reason = fields.CharField(max_length=500, default="")
    by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "server.User", related_name=False, on_delete=fields.RESTRICT
    )
    at = fields.DatetimeField()

    assignment_id: int
    by_id: int

    class Meta:
        table = "competition_score"


class Advancement(Model):
    """A team carried from one stage into the next: by its place in the ranking, or by the organiser's choice with
    a recorded reason. A stage after the first takes entries only from the teams advanced into it."""

    id = fields.IntField(primary_key=True)
    stage: fields.ForeignKeyRelation[Stage] = fields.ForeignKeyField(
        "competitions.Stage", related_name="advanced", on_delete=fields.CASCADE, description="the stage entered"
    )
    team: fields.ForeignKeyRelation[Team] = fields.ForeignKeyField(
        "competitions.Team", related_name="advancements", on_delete=fields.CASCADE
    )
    rank = fields.IntField(null=True, description="its place in the ranking of its track, NULL when chosen")
    reason = fields.CharField(max_length=500, default="")
    decided_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "server.User", related_name=False, on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    stage_id: int
    team_id: int
    decided_by_id: int

    class Meta:
        table = "competition_advancement"
        unique_together = (("stage", "team"),)


class Results(Model):
    """The results of a stage: the ranking frozen at 公示 (public notice), final once the notice period is over
    and the organiser publishes them."""

    id = fields.IntField(primary_key=True)
    stage: fields.OneToOneRelation[Stage] = fields.OneToOneField(
        "competitions.Stage", related_name="results", on_delete=fields.CASCADE
    )
    ranking = fields.JSONField[list[dict[str, object]]](description="per track, the ranked entries as published")
    notice_until = fields.DatetimeField(description="the end of the public notice period")
    noticed_at = fields.DatetimeField()
    published_at = fields.DatetimeField(null=True, description="final results, after the notice period")

    stage_id: int

    class Meta:
        table = "competition_results"
