"""The judging panel of a competition: rubrics, judges, conflicts of interest, who judges which entry.

Conflicts (docs/architecture.md#judging): a judge never judges a team they conflict with — one whose organisation
they belong to (their stated affiliation, or any organisation they are a member of, other than the host), one
they are a member of, one they declared a conflict with, or one the organiser recorded. `conflicted_pairs` is the
one place these are computed; the assignment never pairs them, and a conflict found later withdraws the pairing.
An entry opens to its judge only after they declare no conflict (`declare`); `submissions.judge_cleared_for` is
the one test of that, used by every judge-facing read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from events.competitions import judging
from events.competitions.models import (
    Advancement,
    Competition,
    CompetitionJudge,
    ConflictSource,
    JudgeAssignment,
    JudgeConflict,
    Rubric,
    ScoreKind,
    ScoreRecord,
    Stage,
    Submission,
    Team,
    TeamMember,
    TeamStatus,
    Track,
)
from events.competitions.schemas import AssignIn, ConflictIn, DeclarationIn, JudgeIn, RubricIn
from events.competitions.submissions import candidates
from events.models import Event
from server import audit
from server.clock import utcnow
from server.errors import Conflict, InvalidInput, NotFound
from server.models import Membership, Role, User


class RubricLocked(Conflict):
    key = "error.rubric_locked"


class RubricMissing(Conflict):
    key = "error.rubric_missing"


class NoEntries(Conflict):
    key = "error.no_entries"


class OrganiserJudge(Conflict):
    key = "error.organiser_judge"


# Who runs a competition: they read every entry, score and the ranking through the organisers' routes.
RUNNING = (Role.ORGANISER, Role.MANAGER)


async def competition_of(event: Event) -> Competition:
    competition = await Competition.get_or_none(event_id=event.id)
    if competition is None:
        raise NotFound()
    return competition


async def stage_of(event: Event, stage_id: int) -> Stage:
    """The stage, if it belongs to the event's competition; NotFound otherwise."""
    stage = await Stage.get_or_none(id=stage_id, competition__event_id=event.id)
    if stage is None:
        raise NotFound()
    return stage


def to_rubric(record: Rubric) -> judging.Rubric:
    return judging.Rubric(
        criteria=tuple(
            judging.Criterion(
                key=str(criterion["key"]),
                weight=float(str(criterion["weight"])),
                minimum=int(str(criterion["minimum"])),
                maximum=int(str(criterion["maximum"])),
            )
            for criterion in record.criteria
        )
    )


async def set_rubric(user: User, event: Event, stage_id: int, data: RubricIn) -> Rubric:
    """Create or replace a stage's rubric; refused (`RubricLocked`) once any sheet of the stage has been saved."""
    stage = await stage_of(event, stage_id)
    criteria = [
        {
            "key": criterion.key,
            "label": criterion.label.model_dump(),
            "weight": criterion.weight,
            "minimum": criterion.minimum,
            "maximum": criterion.maximum,
            "anchors": [{"score": anchor.score, "text": anchor.text.model_dump()} for anchor in criterion.anchors],
        }
        for criterion in data.criteria
    ]
    try:
        judging.Rubric(
            criteria=tuple(
                judging.Criterion(
                    key=criterion.key,
                    weight=criterion.weight,
                    minimum=criterion.minimum,
                    maximum=criterion.maximum,
                    anchors=tuple((anchor.score, anchor.text.zh) for anchor in criterion.anchors),
                )
                for criterion in data.criteria
            )
        )
    except InvalidInput as problems:
        raise InvalidInput(
            errors=[(("body", *loc), key, params) for loc, key, params in problems.field_errors]
        ) from None
    async with in_transaction():
        await Stage.select_for_update().get(id=stage.id)
        if await ScoreRecord.exists(assignment__stage_id=stage.id):
            raise RubricLocked()
        rubric = await Rubric.get_or_none(stage_id=stage.id)
        before = {"criteria": rubric.criteria, "judges_per_entry": rubric.judges_per_entry} if rubric else None
        if rubric is None:
            rubric = await Rubric.create(stage=stage, criteria=criteria, judges_per_entry=data.judges_per_entry)
        else:
            rubric.criteria, rubric.judges_per_entry = criteria, data.judges_per_entry
            await rubric.save()
        await audit.record(
            user,
            "rubric.set",
            rubric,
            organisation_id=event.organisation_id,
            before=before,
            after={"criteria": criteria, "judges_per_entry": data.judges_per_entry},
        )
    return rubric


async def rubric_for(stage_id: int) -> Rubric:
    rubric = await Rubric.get_or_none(stage_id=stage_id)
    if rubric is None:
        raise RubricMissing()
    return rubric


async def barred_judges(competition: Competition, user_ids: Iterable[int]) -> set[int]:
    """Of these users, those who may not judge the competition because they run it: admins, and the organisers
    and managers of its event's organisation or of a challenge's co-organiser. The one place this rule lives
    (docs/architecture.md#judging): such a person is refused a place on the panel, left out of assignment,
    refused by the judges' guard, and their sheets do not count in the ranking."""
    ids = list(user_ids)
    host = (await Event.get(id=competition.event_id)).organisation_id
    organisations = [organisation for organisation in (host, competition.co_organiser_id) if organisation]
    running = await Membership.filter(user_id__in=ids, organisation_id__in=organisations, role__in=RUNNING).values_list(
        "user_id", flat=True
    )
    admins = await User.filter(id__in=ids, is_admin=True).values_list("id", flat=True)
    return cast(set[int], set(running) | set(admins))


async def may_judge(user_id: int, competition: Competition) -> bool:
    """Whether the user may judge the competition: not one who runs it (`barred_judges`)."""
    return not await barred_judges(competition, [user_id])


async def set_judge(user: User, event: Event, data: JudgeIn) -> CompetitionJudge:
    """Put a member holding the `judge` role of the event's organisation on the panel (or change their tracks)."""
    competition = await competition_of(event)
    problems: list[tuple[tuple[str | int, ...], str, dict[str, object]]] = []
    if not await Membership.exists(user_id=data.user_id, organisation_id=event.organisation_id, role=Role.JUDGE):
        problems.append((("body", "user_id"), "validation.not_a_judge", {}))
    tracks = cast(set[int], set(await Track.filter(competition_id=competition.id).values_list("id", flat=True)))
    problems += [
        (("body", "track_ids", index), "validation.unknown_track", {})
        for index, track_id in enumerate(data.track_ids)
        if track_id not in tracks
    ]
    stages = cast(set[int], set(await Stage.filter(competition_id=competition.id).values_list("id", flat=True)))
    problems += [
        (("body", "stage_ids", index), "validation.unknown_stage", {})
        for index, stage_id in enumerate(data.stage_ids)
        if stage_id not in stages
    ]
    if problems:
        raise InvalidInput(errors=problems)
    if data.active and not await may_judge(data.user_id, competition):
        raise OrganiserJudge()
    fields: dict[str, Any] = {
        "track_ids": sorted(set(data.track_ids)),
        "stage_ids": sorted(set(data.stage_ids)),
        "affiliation": data.affiliation,
        "active": data.active,
    }
    async with in_transaction():
        judge = await CompetitionJudge.select_for_update().get_or_none(
            competition_id=competition.id, user_id=data.user_id
        )
        before = None
        if judge is None:
            judge = await CompetitionJudge.create(competition=competition, user_id=data.user_id, **fields)
        else:
            before = {
                "track_ids": judge.track_ids,
                "stage_ids": judge.stage_ids,
                "affiliation": judge.affiliation,
                "active": judge.active,
            }
            judge.update_from_dict(fields)
            await judge.save()
        await audit.record(user, "judge.set", judge, organisation_id=event.organisation_id, before=before, after=fields)
    return judge


async def record_conflict(user: User, event: Event, data: ConflictIn) -> JudgeConflict:
    """Record a conflict between a judge and a team; their live pairings end at once, scores or not."""
    competition = await competition_of(event)
    team = await Team.get_or_none(id=data.team_id, competition_id=competition.id)
    problems: list[tuple[tuple[str | int, ...], str, dict[str, object]]] = []
    if team is None:
        problems.append((("body", "team_id"), "validation.unknown_team", {}))
    if not await CompetitionJudge.exists(competition_id=competition.id, user_id=data.judge_id):
        problems.append((("body", "judge_id"), "validation.not_a_judge", {}))
    if problems or team is None:
        raise InvalidInput(errors=problems)
    async with in_transaction():
        conflict = await _conflict(competition, data.judge_id, team, ConflictSource.RECORDED, data.reason, user)
        await audit.record(
            user,
            "judge_conflict.record",
            conflict,
            organisation_id=event.organisation_id,
            after={"judge": data.judge_id, "team": team.id, "reason": data.reason},
        )
    return conflict


async def _conflict(
    competition: Competition, judge_id: int, team: Team, source: ConflictSource, reason: str, by: User
) -> JudgeConflict:
    """Store the conflict (the first one recorded stays) and withdraw the judge's live pairings with the team."""
    conflict, _ = await JudgeConflict.get_or_create(
        competition=competition,
        judge_id=judge_id,
        team=team,
        defaults={"source": source, "reason": reason, "recorded_by": by},
    )
    await JudgeAssignment.filter(judge_id=judge_id, team_id=team.id, withdrawn_at__isnull=True).update(
        withdrawn_at=utcnow()
    )
    return conflict


async def conflicted_pairs(competition: Competition, teams: Iterable[Team]) -> set[judging.Pairing]:
    """Every (judge, team) of the panel that may not be paired: recorded or declared, same organisation, member."""
    team_list = list(teams)
    judges = await CompetitionJudge.filter(competition_id=competition.id)
    pairs = {
        judging.Pairing(judge, team)
        for judge, team in await JudgeConflict.filter(competition_id=competition.id).values_list("judge_id", "team_id")
    }
    judge_ids = [judge.user_id for judge in judges]
    # The host organisation is where judges hold their role: sharing it is no conflict.
    host = (await Event.get(id=competition.event_id)).organisation_id
    organisations: dict[int, set[str]] = defaultdict(set)
    for judge in judges:
        if judging.organisation_key(judge.affiliation):
            organisations[judge.user_id].add(judging.organisation_key(judge.affiliation))
    for user_id, name_zh, name_en in await Membership.filter(
        user_id__in=judge_ids, organisation_id__not=host
    ).values_list("user_id", "organisation__name_zh", "organisation__name_en"):
        organisations[user_id] |= {
            key for key in (judging.organisation_key(name_zh), judging.organisation_key(name_en or "")) if key
        }
    members = set(
        await TeamMember.filter(team_id__in=[team.id for team in team_list], user_id__in=judge_ids).values_list(
            "user_id", "team_id"
        )
    )
    for team in team_list:
        team_key = judging.organisation_key(team.organisation_name)
        for judge_id in judge_ids:
            if (judge_id, team.id) in members or (team_key and team_key in organisations[judge_id]):
                pairs.add(judging.Pairing(judge_id, team.id))
    return pairs


async def entries_of(stage: Stage) -> list[tuple[Team, Submission]]:
    """The entries of a stage: each active team's counting version (`submissions.candidates`: the last complete
    one before the deadline); after the first stage, only teams advanced into it."""
    teams = Team.filter(competition_id=stage.competition_id, status=TeamStatus.ACTIVE)
    first = await Stage.filter(competition_id=stage.competition_id).order_by("position").first()
    if first is not None and first.id != stage.id:
        teams = teams.filter(id__in=await Advancement.filter(stage_id=stage.id).values_list("team_id", flat=True))
    team_list = await teams.order_by("id")
    latest: dict[int, Submission] = {}
    for submission in await candidates(stage).filter(team_id__in=[team.id for team in team_list]).order_by("version"):
        latest[submission.team_id] = submission
    return [(team, latest[team.id]) for team in team_list if team.id in latest]


async def assign(user: User, event: Event, stage_id: int, data: AssignIn) -> tuple[list[JudgeAssignment], int, int]:
    """Run the automatic assignment (`judging.assign_judges`) for the stage's entries: k judges each, loads
    balanced per track, never a conflicted pair. Kept pairings stay; a run after late changes only adds or
    withdraws. Runs of one competition are serialised by its row lock. Returns the live pairings, added, withdrawn.
    """
    stage = await stage_of(event, stage_id)
    rubric = await rubric_for(stage.id)
    async with in_transaction():
        competition = await Competition.select_for_update().get(id=stage.competition_id)
        entries = await entries_of(stage)
        if not entries:
            raise NoEntries()
        panel = await CompetitionJudge.filter(
            competition_id=competition.id,
            active=True,
            # Only those who still hold the role: an organisation that revokes it takes the judge off the panel.
            user_id__in=Subquery(
                Membership.filter(organisation_id=event.organisation_id, role=Role.JUDGE).values("user_id")
            ),
        )
        # A judge named for some stages only (a later round's own judges) judges those; the others, every stage.
        panel = [judge for judge in panel if not judge.stage_ids or stage.id in judge.stage_ids]
        # One given an organiser's role since joining the panel judges no more: their pairings are withdrawn.
        barred = await barred_judges(competition, [judge.user_id for judge in panel])
        panel = [judge for judge in panel if judge.user_id not in barred]
        live = await JudgeAssignment.filter(stage_id=stage.id, withdrawn_at__isnull=True)
        try:
            result = judging.assign_judges(
                [
                    judging.Entry(
                        id=team.id,
                        track=str(team.track_id),
                        organisation=team.organisation_name,
                        submitted_at=submission.submitted_at,
                    )
                    for team, submission in entries
                ],
                [
                    judging.Judge(
                        id=judge.user_id,
                        organisation=judge.affiliation,
                        tracks=frozenset(str(track_id) for track_id in judge.track_ids),
                    )
                    for judge in panel
                ],
                await conflicted_pairs(competition, [team for team, _ in entries]),
                judges_per_entry=rubric.judges_per_entry,
                seed=data.seed,
                existing=[judging.Pairing(assignment.judge_id, assignment.team_id) for assignment in live],
            )
        except judging.NotEnoughJudges as short:
            # Named as the organiser knows them: the team and its track rather than their ids.
            team = next(team for team, _ in entries if team.id == short.params["entry"])
            short.params.update(entry=team.name, track=(await Track.get(id=team.track_id)).name_zh)
            raise
        wanted = result.pairings()
        now = utcnow()
        withdrawn = [assignment for assignment in live if (assignment.judge_id, assignment.team_id) not in wanted]
        for assignment in withdrawn:
            assignment.withdrawn_at = now
            await assignment.save(update_fields=["withdrawn_at"])
        kept = {(assignment.judge_id, assignment.team_id) for assignment in live}
        added = sorted(wanted - kept)
        for judge_id, team_id in added:
            # A pairing withdrawn before and wanted again is revived, declaration and all to be made anew.
            revived = await JudgeAssignment.filter(stage_id=stage.id, judge_id=judge_id, team_id=team_id).update(
                withdrawn_at=None, cleared_at=None
            )
            if not revived:
                await JudgeAssignment.create(stage=stage, judge_id=judge_id, team_id=team_id)
        await audit.record(
            user,
            "judging.assign",
            stage,
            organisation_id=event.organisation_id,
            after={
                "seed": data.seed,
                "added": [list(pair) for pair in added],
                "withdrawn": [[assignment.judge_id, assignment.team_id] for assignment in withdrawn],
            },
        )
    assignments = await JudgeAssignment.filter(stage_id=stage.id, withdrawn_at__isnull=True).order_by(
        "team_id", "judge_id"
    )
    return assignments, len(added), len(withdrawn)


async def declare(user: User, assignment_id: int, data: DeclarationIn) -> JudgeAssignment:
    """The judge's declaration before an entry opens: no conflict clears it; a conflict withdraws the pairing
    and is kept for the whole competition. Said once: a cleared entry stays cleared (the organiser can still
    record a conflict)."""
    async with in_transaction():
        assignment = await JudgeAssignment.select_for_update().get_or_none(
            id=assignment_id, judge_id=user.id, withdrawn_at__isnull=True
        )
        if assignment is None:
            raise NotFound()
        team = await Team.get(id=assignment.team_id)
        competition = await Competition.get(id=team.competition_id).select_related("event")
        if data.conflict:
            await _conflict(competition, user.id, team, ConflictSource.DECLARED, data.reason, user)
            await assignment.refresh_from_db()
        elif assignment.cleared_at is None:
            assignment.cleared_at = utcnow()
            await assignment.save(update_fields=["cleared_at"])
        await audit.record(
            user,
            "judge_assignment.declare",
            assignment,
            organisation_id=competition.event.organisation_id,
            after={"conflict": data.conflict, "reason": data.reason},
        )
    return assignment


@dataclass(frozen=True)
class QueueEntry:
    """One live pairing of a judge, with what their queue shows of it."""

    assignment: JudgeAssignment
    team: Team
    stage: Stage
    event: Event
    submitted: bool


async def queue(user: User) -> list[QueueEntry]:
    """The caller's live pairings, each with its team, stage and event and whether the sheet is submitted."""
    assignments = await JudgeAssignment.filter(judge_id=user.id, withdrawn_at__isnull=True).order_by("stage_id", "id")
    submitted = cast(
        set[int],
        set(
            await ScoreRecord.filter(
                assignment_id__in=[assignment.id for assignment in assignments], kind=ScoreKind.SCORE
            ).values_list("assignment_id", flat=True)
        ),
    )
    teams = {team.id: team for team in await Team.filter(id__in=[assignment.team_id for assignment in assignments])}
    stages = {stage.id: stage for stage in await Stage.filter(id__in=[a.stage_id for a in assignments])}
    competitions = await Competition.filter(id__in={stage.competition_id for stage in stages.values()})
    events = {event.id: event for event in await Event.filter(id__in=[c.event_id for c in competitions])}
    event_of = {competition.id: events[competition.event_id] for competition in competitions}
    return [
        QueueEntry(
            assignment,
            teams[assignment.team_id],
            stages[assignment.stage_id],
            event_of[stages[assignment.stage_id].competition_id],
            assignment.id in submitted,
        )
        for assignment in assignments
    ]


async def progress(event: Event, stage_id: int) -> list[tuple[User, int, int, int]]:
    """Per judge of the stage: live pairings, those cleared (no conflict declared), sheets submitted."""
    stage = await stage_of(event, stage_id)
    assignments = await JudgeAssignment.filter(stage_id=stage.id, withdrawn_at__isnull=True)
    submitted = cast(
        set[int],
        set(
            await ScoreRecord.filter(assignment__stage_id=stage.id, kind=ScoreKind.SCORE).values_list(
                "assignment_id", flat=True
            )
        ),
    )
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for assignment in assignments:
        row = counts[assignment.judge_id]
        row[0] += 1
        row[1] += assignment.cleared_at is not None
        row[2] += assignment.id in submitted
    users = {user.id: user for user in await User.filter(id__in=list(counts))}
    return [
        (users[judge_id], assigned, cleared, done) for judge_id, (assigned, cleared, done) in sorted(counts.items())
    ]
