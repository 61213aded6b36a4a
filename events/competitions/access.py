"""Guards of the competition routes: a team's leader, a team's organisers, an entry's readers, a pairing's judge.

As with events, what the caller may not see is not found (404); one who may see a team but not do this to it
gets 403. The services check the same rules again under their row locks (a leader may hand over meanwhile).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from events.competitions.models import Competition, JudgeAssignment, Stage, Submission, Team, TeamMember
from events.competitions.panel import may_judge
from events.competitions.submissions import holds_judge_role, judge_cleared_for, readable_submission
from server.access import Guard
from server.accounts import require_role
from server.api import Context
from server.errors import NotFound, PermissionDenied
from server.models import Role


async def _team(team_id: int) -> Team:
    team = await Team.get_or_none(id=team_id)
    if team is None:
        raise NotFound()
    return team


@dataclass(frozen=True)
class TeamMembers(Guard):
    """The current members of the team in the path; everyone else 404. Provides `team`."""

    of_team: str = "team_id"
    kind: ClassVar[str] = "team-members"

    def path_params(self) -> tuple[str, ...]:
        return (self.of_team,)

    def describe(self) -> str:
        return f"the current members of the team `{self.of_team}`."

    def details(self) -> dict[str, Any]:
        return {"team": self.of_team}

    def provides(self) -> tuple[str, type]:
        return "team", Team

    async def admit(self, ctx: Context, path: Mapping[str, Any]) -> Team:
        team = await _team(path[self.of_team])
        if await TeamMember.exists(team_id=team.id, holder=ctx.user.id):
            return team
        raise NotFound()


@dataclass(frozen=True)
class TeamLeader(TeamMembers):
    """The leader of the team in the path; its other members get 403, everyone else 404. Provides `team`."""

    kind: ClassVar[str] = "team-leader"

    def describe(self) -> str:
        return f"the leader of the team `{self.of_team}`."

    async def admit(self, ctx: Context, path: Mapping[str, Any]) -> Team:
        team = await super().admit(ctx, path)
        if team.leader_id != ctx.user.id:
            raise PermissionDenied()
        return team


@dataclass(frozen=True)
class TeamOrganisers(Guard):
    """Admins, and the organisers of the organisation of the team's event. Provides `team`."""

    of_team: str = "team_id"
    kind: ClassVar[str] = "team-organisers"

    def path_params(self) -> tuple[str, ...]:
        return (self.of_team,)

    def describe(self) -> str:
        return f"admins, and the organisers of the organisation of the event of the team `{self.of_team}`."

    def details(self) -> dict[str, Any]:
        return {"team": self.of_team, "roles": [Role.ORGANISER.value]}

    def provides(self) -> tuple[str, type]:
        return "team", Team

    async def admit(self, ctx: Context, path: Mapping[str, Any]) -> Team:
        team = await _team(path[self.of_team])
        competition = await Competition.get(id=team.competition_id).select_related("event")
        try:
            await require_role(ctx.user, competition.event.organisation_id, Role.ORGANISER)
        except PermissionDenied:
            raise NotFound() from None
        return team


@dataclass(frozen=True)
class EntryReaders(Guard):
    """Those `submissions.may_read` lets read the submission in the path; others are told it is not found.
    Provides `submission`."""

    of_submission: str = "submission_id"
    kind: ClassVar[str] = "entry-readers"

    def path_params(self) -> tuple[str, ...]:
        return (self.of_submission,)

    def describe(self) -> str:
        return (
            f"the current members of the team of the submission `{self.of_submission}`, the organisers of its "
            "competition (and of a challenge's co-organiser), admins, and the judges assigned its entry who "
            "declared no conflict of interest."
        )

    def details(self) -> dict[str, Any]:
        return {"submission": self.of_submission}

    def provides(self) -> tuple[str, type]:
        return "submission", Submission

    async def admit(self, ctx: Context, path: Mapping[str, Any]) -> Submission:
        return await readable_submission(ctx.user, path[self.of_submission])


@dataclass(frozen=True)
class AssignedJudge(Guard):
    """The judge of the pairing in the path, while it is live (no conflict found since), they hold the `judge`
    role and do not run the competition (`panel.may_judge`), and with `cleared` only once they declared no
    conflict (403 before). Nobody else, organisers included, passes: 404.
    The `judge` role grants nothing but this. Provides `assignment`."""

    of_assignment: str = "assignment_id"
    cleared: bool = True
    kind: ClassVar[str] = "assigned-judge"

    def path_params(self) -> tuple[str, ...]:
        return (self.of_assignment,)

    def describe(self) -> str:
        after = ", after declaring no conflict of interest" if self.cleared else ""
        return f"the judge (holding the judge role) of the pairing `{self.of_assignment}`{after}."

    def details(self) -> dict[str, Any]:
        return {"assignment": self.of_assignment, "cleared": self.cleared, "roles": [Role.JUDGE.value]}

    def provides(self) -> tuple[str, type]:
        return "assignment", JudgeAssignment

    async def admit(self, ctx: Context, path: Mapping[str, Any]) -> JudgeAssignment:
        assignment = await JudgeAssignment.get_or_none(
            id=path[self.of_assignment], judge_id=ctx.user.id, withdrawn_at__isnull=True
        )
        if assignment is None or not await holds_judge_role(ctx.user, assignment.stage_id):
            raise NotFound()
        stage = await Stage.get(id=assignment.stage_id).select_related("competition")
        if not await may_judge(ctx.user.id, stage.competition):
            raise NotFound()
        if self.cleared and not await judge_cleared_for(ctx.user, assignment.team_id, assignment.stage_id):
            raise PermissionDenied("error.declare_first")
        return assignment
