"""A person's competition data in their copy and their erasure (docs/architecture.md#personal-data).

What is a person's and what is a team's: a team's entry (its name, submissions, files, scores and results)
belongs to the team and stays; the person leaves it (`teams.depart`: a team they led passes to the next member,
or is withdrawn when they were alone). Invitations to their address lose the address. A judge's panel seat loses
its affiliation and its open pairings; the sheets they submitted keep their numbers, which rankings rest on, and
name only the account's identity-less husk. All of it reaches accounts only: a registration's manage link proves
nothing about teams.
"""

from __future__ import annotations

from tortoise.expressions import Q

from events.competitions import teams
from events.competitions.models import (
    Competition,
    CompetitionJudge,
    JudgeAssignment,
    ScoreRecord,
    Submission,
    Team,
    TeamInvite,
    TeamMember,
)
from events.competitions.sheets import LOCKED, sheet_of
from events.privacy import ERASED
from server import personal_data
from server.clock import utcnow
from server.personal_data import Row, Subject, plain

FILE_METADATA = ("slot", "name", "size", "sha256")  # what a copy tells of each submitted file


async def _titles(competition_ids: set[int]) -> dict[int, str]:
    """The competitions' event titles, by competition id."""
    found = await Competition.filter(id__in=competition_ids).select_related("event")
    return {competition.id: competition.event.title_zh for competition in found}


async def _collect_teams(subject: Subject) -> list[Row]:
    if subject.user is None:
        return []
    user_id = subject.user.id
    memberships = {m.team_id: m for m in await TeamMember.filter(user_id=user_id)}
    found = await Team.filter(Q(id__in=list(memberships)) | Q(leader_id=user_id)).select_related("track").order_by("id")
    titles = await _titles({team.competition_id for team in found})
    return [
        {
            "team_id": team.id,
            "team": team.name,
            "competition": titles[team.competition_id],
            "track": team.track.name_zh,
            "status": team.status.value,
            "leader": team.leader_id == user_id,
            "joined_at": plain(memberships[team.id].joined_at) if team.id in memberships else None,
            "left_at": plain(memberships[team.id].left_at) if team.id in memberships else None,
        }
        for team in found
    ]


async def _collect_invitations(subject: Subject) -> list[Row]:
    if subject.user is None:
        return []
    invitations = await TeamInvite.filter(email=subject.user.email).select_related("team").order_by("id")
    titles = await _titles({invite.team.competition_id for invite in invitations})
    return [
        {
            "team": invite.team.name,
            "competition": titles[invite.team.competition_id],
            "email": invite.email,
            "created_at": plain(invite.created_at),
            "expires_at": plain(invite.expires_at),
            "accepted_at": plain(invite.accepted_at),
        }
        for invite in invitations
    ]


async def _collect_submissions(subject: Subject) -> list[Row]:
    """What they submitted for their teams, as metadata: the files' names, sizes and hashes, and the times."""
    if subject.user is None:
        return []
    submitted = Submission.filter(submitted_by_id=subject.user.id).select_related("team", "stage")
    return [
        {
            "team": submission.team.name,
            "stage": submission.stage.name_zh,
            "version": submission.version,
            "submitted_at": plain(submission.submitted_at),
            "files": [
                {
                    "slot": file.get("slot"),
                    "name": file.get("name"),
                    "size": file.get("size"),
                    "sha256": file.get("sha256"),
                }
                for file in submission.files
            ],
        }
        for submission in await submitted.order_by("id")
    ]


async def _collect_judging(subject: Subject) -> list[Row]:
    """A judge's panel seats and, per entry given to them, the sheet as it stands."""
    if subject.user is None:
        return []
    seats = await CompetitionJudge.filter(user_id=subject.user.id).order_by("id")
    pairings = await JudgeAssignment.filter(judge_id=subject.user.id).select_related("stage", "team").order_by("id")
    titles = await _titles({seat.competition_id for seat in seats} | {p.stage.competition_id for p in pairings})
    rows: list[Row] = [
        {
            "competition": titles[seat.competition_id],
            "affiliation": seat.affiliation,
            "active": seat.active,
            "created_at": plain(seat.created_at),
        }
        for seat in seats
    ]
    for assignment in pairings:
        sheet = await sheet_of(assignment)
        rows.append(
            {
                "competition": titles[assignment.stage.competition_id],
                "stage": assignment.stage.name_zh,
                "team": assignment.team.name,
                "cleared_at": plain(assignment.cleared_at),
                "withdrawn_at": plain(assignment.withdrawn_at),
                "scores": sheet.scores,
                "submitted": sheet.submitted,
            }
        )
    return rows


async def _erase_teams(subject: Subject, actor: str) -> int:
    """They leave every team they are in; teams they led pass on or are withdrawn (`teams.depart`)."""
    if subject.user is None:
        return 0
    user_id = subject.user.id
    current = await TeamMember.filter(user_id=user_id, holder__not_isnull=True).values_list("team_id", flat=True)
    for team in await Team.filter(id__in=list(current)).order_by("id").select_for_update():
        await teams.depart(team, user_id, actor, reason=ERASED)
    return len(current)


async def _erase_invitations(subject: Subject, actor: str) -> int:
    """The address goes; the team keeps the count of its invitations. A pending one can no longer be accepted."""
    if subject.user is None:
        return 0
    erased = personal_data.erased_address(subject.user)
    return await TeamInvite.filter(email=subject.user.email).exclude(email=erased).update(email=erased)


async def _erase_judging(subject: Subject, actor: str) -> int:
    """Panel seats lose the affiliation and take no new entries; entries not yet scored are withdrawn from them
    (the organiser assigns them again); submitted sheets stay as they are, numbers for the ranking."""
    if subject.user is None:
        return 0
    seated = CompetitionJudge.filter(Q(active=True) | ~Q(affiliation=""), user_id=subject.user.id)
    seats = await seated.update(affiliation="", active=False)
    scored = ScoreRecord.filter(assignment__judge_id=subject.user.id, kind__in=LOCKED)
    open_pairings = JudgeAssignment.filter(judge_id=subject.user.id, withdrawn_at__isnull=True).exclude(
        id__in=await scored.values_list("assignment_id", flat=True)
    )
    return seats + await open_pairings.update(withdrawn_at=utcnow())


personal_data.register("competition_teams", _collect_teams, _erase_teams)
personal_data.register("competition_invitations", _collect_invitations, _erase_invitations)
personal_data.register("competition_submissions", _collect_submissions)
personal_data.register("judging", _collect_judging, _erase_judging)
