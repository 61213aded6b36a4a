"""Score sheets over the append-only score log, and the ranking they add up to.

The log (`ScoreRecord`) is only ever inserted into. A judge's drafts each carry the criteria saved at that moment;
the sheet is, per criterion, the latest value saved (by log order), so two tabs or a lost reply never drop a score:
nothing is read, merged and written back. Writes to one pairing are serialised by its `JudgeAssignment` row lock,
so a draft saved after the sheet was submitted is refused (`SheetLocked`) rather than lost. Submitting locks the
sheet; an organiser's correction appends a new record with a reason and keeps the original (`judging.replay`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

from tortoise.transactions import in_transaction

from events.competitions import judging
from events.competitions.models import Competition, JudgeAssignment, Rubric, ScoreKind, ScoreRecord, Stage, Team, Track
from events.competitions.panel import barred_judges, entries_of, rubric_for, stage_of, to_rubric
from events.competitions.submissions import judge_cleared_for
from events.models import Event
from server import audit
from server.clock import utcnow
from server.errors import InvalidInput, NotFound
from server.models import User

LOCKED = (ScoreKind.SCORE, ScoreKind.CORRECTION)


def _problems(
    rubric: judging.Rubric, scores: Mapping[str, float], *, complete: bool, where: tuple[str, ...] = ("body",)
) -> None:
    """Refuse unknown criteria and points off a criterion's scale; with `complete`, missing criteria too.
    `where` prefixes the field paths: the request body, or nothing for the sheet as saved."""
    known = {criterion.key: criterion for criterion in rubric.criteria}
    problems: list[tuple[tuple[str | int, ...], str, dict[str, object]]] = [
        ((*where, "scores", key), "validation.unknown_criterion", {}) for key in scores if key not in known
    ]
    filled = scores if complete else {**{key: float(c.minimum) for key, c in known.items()}, **scores}
    try:
        rubric.check({key: value for key, value in filled.items() if key in known})
    except InvalidInput as found:
        problems += [((*where, *loc), key, params) for loc, key, params in found.field_errors]
    if problems:
        raise InvalidInput(errors=problems)


async def _locked_pairing(user: User, assignment_id: int) -> JudgeAssignment:
    """The caller's pairing, row-locked, if they are still cleared for it (checked again under the lock)."""
    assignment = await JudgeAssignment.select_for_update().get_or_none(id=assignment_id, judge_id=user.id)
    if assignment is None or not await judge_cleared_for(user, assignment.team_id, assignment.stage_id):
        raise NotFound()
    return assignment


@dataclass(frozen=True)
class Sheet:
    scores: dict[str, float]
    submitted: bool


async def sheet_of(assignment: JudgeAssignment) -> Sheet:
    """The sheet as it stands: the latest value per criterion, from drafts, or the submitted (or corrected) one."""
    records = await ScoreRecord.filter(assignment_id=assignment.id).order_by("id")
    final = [record for record in records if record.kind in LOCKED]
    if final:
        return Sheet(scores=dict(final[-1].scores), submitted=True)
    scores: dict[str, float] = {}
    for record in records:
        scores.update(record.scores)
    return Sheet(scores=scores, submitted=False)


async def save_draft(user: User, assignment_id: int, scores: Mapping[str, float]) -> Sheet:
    """Append the criteria given to the judge's sheet; the others keep their latest saved value."""
    async with in_transaction():
        assignment = await _locked_pairing(user, assignment_id)
        _problems(to_rubric(await rubric_for(assignment.stage_id)), scores, complete=False)
        if await ScoreRecord.exists(assignment_id=assignment.id, kind__in=LOCKED):
            raise judging.SheetLocked(judge=user.id, entry=assignment.team_id)
        await ScoreRecord.create(assignment=assignment, kind=ScoreKind.DRAFT, scores=dict(scores), by=user, at=utcnow())
    return await sheet_of(assignment)


async def submit(user: User, assignment_id: int) -> Sheet:
    """Lock the sheet as it stands; every criterion must be scored. Audited."""
    async with in_transaction():
        assignment = await _locked_pairing(user, assignment_id)
        rubric = to_rubric(await rubric_for(assignment.stage_id))
        sheet = await sheet_of(assignment)
        if sheet.submitted:
            raise judging.SheetLocked(judge=user.id, entry=assignment.team_id)
        _problems(rubric, sheet.scores, complete=True, where=())
        record = await ScoreRecord.create(
            assignment=assignment, kind=ScoreKind.SCORE, scores=sheet.scores, by=user, at=utcnow()
        )
        stage = await Stage.get(id=assignment.stage_id).select_related("competition__event")
        await audit.record(
            user,
            "score.submit",
            record,
            organisation_id=stage.competition.event.organisation_id,
            after={"judge": user.id, "team": assignment.team_id, "stage": stage.id, "scores": sheet.scores},
        )
    return Sheet(scores=sheet.scores, submitted=True)


async def correct(user: User, event: Event, assignment_id: int, scores: Mapping[str, float], reason: str) -> Sheet:
    """An organiser replaces a submitted sheet whole, with a reason; the original stays in the log. Audited."""
    async with in_transaction():
        assignment = await JudgeAssignment.select_for_update().get_or_none(
            id=assignment_id, stage__competition__event_id=event.id
        )
        if assignment is None:
            raise NotFound()
        _problems(to_rubric(await rubric_for(assignment.stage_id)), scores, complete=True)
        before = await sheet_of(assignment)
        if not before.submitted:
            raise judging.NothingToCorrect(judge=assignment.judge_id, entry=assignment.team_id)
        record = await ScoreRecord.create(
            assignment=assignment, kind=ScoreKind.CORRECTION, scores=dict(scores), reason=reason, by=user, at=utcnow()
        )
        await audit.record(
            user,
            "score.correct",
            record,
            organisation_id=event.organisation_id,
            before={"scores": before.scores},
            after={"scores": dict(scores), "reason": reason},
        )
    return Sheet(scores=dict(scores), submitted=True)


@dataclass(frozen=True)
class StageRanking:
    rubric: Rubric
    teams: dict[int, Team]
    entries: dict[int, judging.Entry]
    rankings: list[judging.Ranking]  # one per track, in track order
    barred: set[int]  # judges whose sheets do not count: they run the competition (`panel.barred_judges`)


async def rank_stage(event: Event, stage_id: int) -> StageRanking:
    """The stage's ranking per track from the submitted (or corrected) sheets of live pairings: a sheet whose
    judge was found conflicted afterwards, or was given a role running the competition since, no longer counts."""
    stage = await stage_of(event, stage_id)
    rubric = await rubric_for(stage.id)
    live = ScoreRecord.filter(assignment__stage_id=stage.id, assignment__withdrawn_at__isnull=True, kind__in=LOCKED)
    judge_ids = cast(list[int], await live.values_list("assignment__judge_id", flat=True))
    barred = await barred_judges(await Competition.get(id=stage.competition_id), judge_ids)
    records = await live.filter(assignment__judge_id__not_in=list(barred)).select_related("assignment")
    current = judging.replay(
        judging.ScoreEvent(
            sequence=record.id,
            kind=judging.ScoreEventKind(record.kind.value),
            judge=record.assignment.judge_id,
            entry=record.assignment.team_id,
            scores=record.scores,
            at=record.at,
            by=record.by_id,
            reason=record.reason,
        )
        for record in records
    )
    scores = judging.score_entries(to_rubric(rubric), (sheet.sheet for sheet in current.values()))
    teams: dict[int, Team] = {}
    entries: dict[int, judging.Entry] = {}
    for team, submission in await entries_of(stage):
        teams[team.id] = team
        entries[team.id] = judging.Entry(
            id=team.id,
            track=str(team.track_id),
            organisation=team.organisation_name,
            submitted_at=submission.submitted_at,
        )
    track_ids = (
        await Track.filter(competition_id=stage.competition_id).order_by("position").values_list("id", flat=True)
    )
    scored = {entry: score for entry, score in scores.items() if entry in entries}
    rankings = [judging.rank_track(str(track_id), entries.values(), scored) for track_id in track_ids]
    return StageRanking(rubric=rubric, teams=teams, entries=entries, rankings=rankings, barred=barred)
