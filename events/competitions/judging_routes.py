"""Judging endpoints: the organisers' rubric, panel, conflicts, assignment, progress, ranking and results; the
judges' queue, declaration and score sheet. A judge reaches an entry only through `AssignedJudge`."""

from __future__ import annotations

from starlette.responses import Response

from events.access import Organisers, Viewers
from events.competitions import judging, panel, results, sheets
from events.competitions.access import AssignedJudge
from events.competitions.models import (
    Advancement,
    CompetitionJudge,
    JudgeAssignment,
    JudgeConflict,
    Results,
    Rubric,
    Stage,
    Team,
)
from events.competitions.routes import submission_out
from events.competitions.schemas import (
    AdvanceIn,
    AdvancementOut,
    AssignIn,
    AssignmentOut,
    AssignOut,
    ConflictIn,
    ConflictOut,
    CorrectionIn,
    DeclarationIn,
    DraftIn,
    EntryOut,
    JudgeIn,
    JudgeOut,
    JudgeProgressOut,
    NoticeIn,
    QueueItemOut,
    RankingOut,
    ResultsOut,
    RubricIn,
    RubricOut,
    SheetOut,
    TrackRankingOut,
)
from events.competitions.submissions import counting
from events.models import Event
from server import spreadsheets
from server.access import SignedIn
from server.api import Api, Context
from server.errors import NotFound
from server.models import User
from server.settings import Locale

api = Api()
TAG = "judging"
STAGE = "/events/{event_id:int}/competition/stages/{stage_id:int}"
TIE_BREAK = [rule.value for rule in judging.TIE_BREAK]


def _rubric_out(rubric: Rubric) -> RubricOut:
    return RubricOut(
        stage_id=rubric.stage_id,
        criteria=rubric.criteria,
        judges_per_entry=rubric.judges_per_entry,
        tie_break=TIE_BREAK,
    )


def _assignment_out(assignment: JudgeAssignment) -> AssignmentOut:
    return AssignmentOut(
        id=assignment.id,
        stage_id=assignment.stage_id,
        team_id=assignment.team_id,
        judge_id=assignment.judge_id,
        cleared=assignment.cleared_at is not None,
    )


@api.route("PUT", STAGE + "/rubric", guard=Organisers(), summary="Set a stage's rubric", tag=TAG)
async def set_rubric(ctx: Context, event_id: int, stage_id: int, event: Event, body: RubricIn) -> RubricOut:
    """Weighted criteria with their scales and anchors, and k judges per entry (at least 3). Refused (409) once a
    sheet of the stage has been saved."""
    return _rubric_out(await panel.set_rubric(ctx.user, event, stage_id, body))


@api.route("GET", STAGE + "/rubric", guard=Organisers(), summary="A stage's rubric", tag=TAG)
async def get_rubric(ctx: Context, event_id: int, stage_id: int, event: Event) -> RubricOut:
    stage = await panel.stage_of(event, stage_id)
    return _rubric_out(await panel.rubric_for(stage.id))


def _judge_out(judge: CompetitionJudge, user: User) -> JudgeOut:
    return JudgeOut(
        user_id=judge.user_id,
        name=user.name,
        track_ids=judge.track_ids,
        stage_ids=judge.stage_ids or [],
        affiliation=judge.affiliation,
        active=judge.active,
    )


@api.route(
    "POST", "/events/{event_id:int}/competition/judges", guard=Organisers(), summary="Put a judge on the panel", tag=TAG
)
async def set_judge(ctx: Context, event_id: int, event: Event, body: JudgeIn) -> JudgeOut:
    """A member holding the `judge` role of the event's organisation: their tracks, the stages they judge (none
    listed: every stage; a later round can have judges of its own) and their own organisation (its teams are
    conflicts). Sent again, it changes them; `active: false` takes them off future assignments."""
    judge = await panel.set_judge(ctx.user, event, body)
    return _judge_out(judge, await User.get(id=judge.user_id))


@api.route("GET", "/events/{event_id:int}/competition/judges", guard=Organisers(), summary="The panel", tag=TAG)
async def list_judges(ctx: Context, event_id: int, event: Event) -> list[JudgeOut]:
    competition = await panel.competition_of(event)
    judges = await CompetitionJudge.filter(competition_id=competition.id).select_related("user").order_by("user_id")
    return [_judge_out(judge, judge.user) for judge in judges]


@api.route(
    "POST",
    "/events/{event_id:int}/competition/conflicts",
    guard=Organisers(),
    summary="Record a conflict of interest",
    tag=TAG,
    status=201,
)
async def record_conflict(ctx: Context, event_id: int, event: Event, body: ConflictIn) -> ConflictOut:
    """The judge's live pairings with the team end at once, and their sheets for it stop counting."""
    conflict = await panel.record_conflict(ctx.user, event, body)
    return _conflict_out(conflict)


def _conflict_out(conflict: JudgeConflict) -> ConflictOut:
    return ConflictOut(
        judge_id=conflict.judge_id, team_id=conflict.team_id, source=conflict.source.value, reason=conflict.reason
    )


@api.route("GET", "/events/{event_id:int}/competition/conflicts", guard=Organisers(), summary="Conflicts", tag=TAG)
async def list_conflicts(ctx: Context, event_id: int, event: Event) -> list[ConflictOut]:
    """Recorded and declared; same-organisation conflicts are computed at each assignment and not listed."""
    competition = await panel.competition_of(event)
    return [_conflict_out(c) for c in await JudgeConflict.filter(competition_id=competition.id).order_by("id")]


@api.route("POST", STAGE + "/assignment", guard=Organisers(), summary="Assign judges to entries", tag=TAG)
async def assign(ctx: Context, event_id: int, stage_id: int, event: Event, body: AssignIn) -> AssignOut:
    """k judges per entry of their track, loads balanced, never a conflicted pair; kept pairings stay. 409 when
    some entry has fewer than k eligible judges (naming it), when the stage has no rubric or no entries."""
    assignments, added, withdrawn = await panel.assign(ctx.user, event, stage_id, body)
    return AssignOut(assignments=[_assignment_out(a) for a in assignments], added=added, withdrawn=withdrawn)


@api.route("GET", STAGE + "/entries", guard=Organisers(), summary="A stage's entries", tag=TAG)
async def entries(ctx: Context, event_id: int, stage_id: int, event: Event) -> list[EntryOut]:
    """Each team in the stage with the version that counts (the last before the deadline), in the order they
    entered: what the assignment pairs with judges and conflicts are recorded against."""
    stage = await panel.stage_of(event, stage_id)
    return [
        EntryOut(
            team_id=team.id,
            team_name=team.name,
            track_id=team.track_id,
            organisation_name=team.organisation_name,
            submission_id=submission.id,
            version=submission.version,
            submitted_at=submission.submitted_at,
        )
        for team, submission in await panel.entries_of(stage)
    ]


@api.route("GET", STAGE + "/progress", guard=Organisers(), summary="Judging progress per judge", tag=TAG)
async def progress(ctx: Context, event_id: int, stage_id: int, event: Event) -> list[JudgeProgressOut]:
    return [
        JudgeProgressOut(judge_id=user.id, name=user.name, assigned=assigned, cleared=cleared, submitted=submitted)
        for user, assigned, cleared, submitted in await panel.progress(event, stage_id)
    ]


@api.route("GET", STAGE + "/ranking", guard=Organisers(), summary="The ranking per track", tag=TAG)
async def ranking(ctx: Context, event_id: int, stage_id: int, event: Event) -> RankingOut:
    """Raw mean (points out of 100), per-judge z-normalised mean, and the published tie-break (`tie_break`, in
    order) that decided each place (`decided_by`)."""
    tracks = results.ranking_out(await sheets.rank_stage(event, stage_id))
    return RankingOut(stage_id=stage_id, tie_break=TIE_BREAK, tracks=tracks)


@api.route(
    "POST",
    STAGE + "/assignments/{assignment_id:int}/correction",
    guard=Organisers(),
    summary="Correct a sheet",
    tag=TAG,
)
async def correct(
    ctx: Context, event_id: int, stage_id: int, assignment_id: int, event: Event, body: CorrectionIn
) -> dict[str, float]:
    """The whole sheet anew, with a reason; the original stays in the score log and the export."""
    stage = await panel.stage_of(event, stage_id)
    if not await JudgeAssignment.exists(id=assignment_id, stage_id=stage.id):
        raise NotFound()
    return (await sheets.correct(ctx.user, event, assignment_id, body.scores, body.reason)).scores


@api.route(
    "GET",
    STAGE + "/scores.xlsx",
    guard=Organisers(),
    summary="Export entries, scores by judge and rankings",
    tag=TAG,
    produces=spreadsheets.XLSX,
)
async def export(ctx: Context, event_id: int, stage_id: int, event: Event) -> Response:
    content = await results.export(event, stage_id)
    headers = {"Content-Disposition": f'attachment; filename="scores-{event.id}-{stage_id}.xlsx"'}
    return Response(content, media_type=spreadsheets.XLSX, headers=headers)


def _advancement_out(advancement: Advancement) -> AdvancementOut:
    return AdvancementOut(
        stage_id=advancement.stage_id, team_id=advancement.team_id, rank=advancement.rank, reason=advancement.reason
    )


@api.route("POST", STAGE + "/advance", guard=Organisers(), summary="Carry teams into the next stage", tag=TAG)
async def advance(ctx: Context, event_id: int, stage_id: int, event: Event, body: AdvanceIn) -> list[AdvancementOut]:
    """The top `places` per track, and `chosen` teams with a reason each; the answer lists everyone carried."""
    return [_advancement_out(a) for a in await results.advance(ctx.user, event, stage_id, body)]


def _results_out(found: Results) -> ResultsOut:
    return ResultsOut(
        stage_id=found.stage_id,
        notice_until=found.notice_until,
        noticed_at=found.noticed_at,
        published_at=found.published_at,
        final=found.published_at is not None,
        ranking=[TrackRankingOut.model_validate(track) for track in found.ranking],
    )


@api.route("POST", STAGE + "/results/notice", guard=Organisers(), summary="Put results on public notice", tag=TAG)
async def notice(ctx: Context, event_id: int, stage_id: int, event: Event, body: NoticeIn) -> ResultsOut:
    """公示: the ranking is frozen and shown to everyone who can see the event until `notice_until`."""
    return _results_out(await results.notice(ctx.user, event, stage_id, body))


@api.route("POST", STAGE + "/results/publish", guard=Organisers(), summary="Publish the final results", tag=TAG)
async def publish(ctx: Context, event_id: int, stage_id: int, event: Event) -> ResultsOut:
    """After the notice period (409 before, naming its end); each ranked team's members are mailed their place."""
    return _results_out(await results.publish(ctx.user, event, stage_id))


@api.route("GET", STAGE + "/results", guard=Viewers(), summary="A stage's results", tag=TAG)
async def get_results(ctx: Context, event_id: int, stage_id: int, event: Event) -> ResultsOut:
    """Not found before 公示; during the notice period `final` is false."""
    stage = await panel.stage_of(event, stage_id)
    found = await Results.get_or_none(stage_id=stage.id)
    if found is None:
        raise NotFound()
    return _results_out(found)


# The judges' side


@api.route("GET", "/judging/queue", guard=SignedIn, summary="My entries to judge", tag=TAG)
async def queue(ctx: Context) -> list[QueueItemOut]:
    """The caller's live pairings with their event and stage; a team's name shows once they declared no conflict."""
    return [_queue_item(entry) for entry in await panel.queue(ctx.user)]


def _queue_item(entry: panel.QueueEntry) -> QueueItemOut:
    assignment, stage, event = entry.assignment, entry.stage, entry.event
    return QueueItemOut(
        assignment_id=assignment.id,
        competition_id=stage.competition_id,
        event_id=event.id,
        event_title={"zh": event.title_zh, "en": event.title_en},
        stage_id=stage.id,
        stage_name={"zh": stage.name_zh, "en": stage.name_en},
        team_id=entry.team.id,
        team_name=entry.team.name if assignment.cleared_at else None,
        cleared=assignment.cleared_at is not None,
        submitted=entry.submitted,
    )


@api.route(
    "POST",
    "/judging/assignments/{assignment_id:int}/declaration",
    guard=AssignedJudge(cleared=False),
    summary="Declare no conflict, or a conflict",
    tag=TAG,
)
async def declare(ctx: Context, assignment_id: int, assignment: JudgeAssignment, body: DeclarationIn) -> AssignmentOut:
    """No conflict opens the entry and its files; a conflict ends the pairing (the entry stays closed for good)."""
    return _assignment_out(await panel.declare(ctx.user, assignment.id, body))


async def _sheet_out(assignment: JudgeAssignment, sheet: sheets.Sheet, locale: Locale) -> SheetOut:
    team = await Team.get(id=assignment.team_id)
    submission = await counting(team.id, assignment.stage_id)
    stage = await Stage.get(id=assignment.stage_id)
    return SheetOut(
        assignment_id=assignment.id,
        team_id=team.id,
        team_name=team.name,
        submission=await submission_out(submission, locale) if submission else None,
        stage_name={"zh": stage.name_zh, "en": stage.name_en},
        fact_sheet=stage.fact_sheet,
        file_slots=stage.file_slots,
        rubric=_rubric_out(await panel.rubric_for(assignment.stage_id)),
        scores=sheet.scores,
        submitted=sheet.submitted,
    )


@api.route(
    "GET", "/judging/assignments/{assignment_id:int}", guard=AssignedJudge(), summary="An entry to judge", tag=TAG
)
async def get_sheet(ctx: Context, assignment_id: int, assignment: JudgeAssignment) -> SheetOut:
    """The entry's counting version (its files at `/submissions/{id}/files/{slot}`), the rubric and the sheet."""
    return await _sheet_out(assignment, await sheets.sheet_of(assignment), ctx.locale)


@api.route(
    "PATCH", "/judging/assignments/{assignment_id:int}/sheet", guard=AssignedJudge(), summary="Save scores", tag=TAG
)
async def save_draft(ctx: Context, assignment_id: int, assignment: JudgeAssignment, body: DraftIn) -> SheetOut:
    """Saves as you go: the criteria sent are appended to the score log; the others keep their latest value, so
    two tabs never undo each other. 409 once submitted."""
    return await _sheet_out(assignment, await sheets.save_draft(ctx.user, assignment.id, body.scores), ctx.locale)


@api.route(
    "POST",
    "/judging/assignments/{assignment_id:int}/sheet/submit",
    guard=AssignedJudge(),
    summary="Submit the sheet",
    tag=TAG,
)
async def submit(ctx: Context, assignment_id: int, assignment: JudgeAssignment) -> SheetOut:
    """Every criterion must be scored (422 naming the missing ones); then the sheet is locked."""
    return await _sheet_out(assignment, await sheets.submit(ctx.user, assignment.id), ctx.locale)
