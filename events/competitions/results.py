"""Rounds and results: carrying teams into the next stage, 公示 (public notice), final results and their mail,
and the organisers' XLSX export. Every change is audited in its transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from tortoise.transactions import in_transaction

from events.competitions.models import (
    Advancement,
    Competition,
    JudgeAssignment,
    Results,
    ScoreRecord,
    Stage,
    Team,
    TeamMember,
    Track,
)
from events.competitions.panel import entries_of, stage_of, to_rubric
from events.competitions.schemas import AdvanceIn, NoticeIn, RankedOut, TrackRankingOut
from events.competitions.setup import local_time, member_mail
from events.competitions.sheets import LOCKED, StageRanking, rank_stage
from events.models import Event
from notifications.outbox import enqueue
from server import audit
from server.clock import utcnow
from server.errors import Conflict, InvalidInput
from server.models import User
from server.spreadsheets import to_workbook


class NoNextStage(Conflict):
    key = "error.no_next_stage"


class AlreadyNoticed(Conflict):
    key = "error.results_noticed"


class NoticeNotOver(Conflict):
    key = "error.notice_not_over"


class NotNoticed(Conflict):
    key = "error.results_not_noticed"


class AlreadyPublished(Conflict):
    key = "error.results_published"


def ranking_out(ranking: StageRanking) -> list[TrackRankingOut]:
    """The ranking as shown and published: per track, each place with its scores and the rule that decided it."""
    return [
        TrackRankingOut(
            track_id=int(track.track),
            ranked=[
                RankedOut(
                    rank=place.rank,
                    team_id=place.entry,
                    team_name=ranking.teams[place.entry].name,
                    sheets=place.score.sheets,
                    raw_mean=place.score.raw_mean,
                    normalised_mean=place.score.normalised_mean,
                    key_criterion_mean=place.score.key_criterion_mean,
                    submitted_at=ranking.entries[place.entry].submitted_at,
                    decided_by=place.decided_by.value if place.decided_by else None,
                )
                for place in track.ranked
            ],
            unscored=list(track.unscored),
        )
        for track in ranking.rankings
    ]


async def advance(user: User, event: Event, stage_id: int, data: AdvanceIn) -> list[Advancement]:
    """Carry the top `places` of each track, and the organiser's `chosen` (a reason each), into the next stage.
    Teams already carried stay; the next stage's judges are assigned afresh (its own pairings)."""
    stage = await stage_of(event, stage_id)
    following = (
        await Stage.filter(competition_id=stage.competition_id, position__gt=stage.position)
        .order_by("position")
        .first()
    )
    if following is None:
        raise NoNextStage()
    ranking = await rank_stage(event, stage.id)
    unknown: list[tuple[tuple[str | int, ...], str, dict[str, object]]] = [
        (("body", "chosen", index, "team_id"), "validation.not_an_entry", {})
        for index, chosen in enumerate(data.chosen)
        if chosen.team_id not in ranking.entries
    ]
    if unknown:
        raise InvalidInput(errors=unknown)
    carried: dict[int, tuple[int | None, str]] = {}
    for track in ranking.rankings:
        for place in track.ranked[: data.places]:
            carried[place.entry] = (place.rank, "")
    for chosen in data.chosen:
        carried.setdefault(chosen.team_id, (None, chosen.reason))
    async with in_transaction():
        await Competition.select_for_update().get(id=stage.competition_id)
        already = cast(set[int], set(await Advancement.filter(stage_id=following.id).values_list("team_id", flat=True)))
        for team_id, (rank, reason) in sorted(carried.items()):
            if team_id in already:
                continue
            advancement = await Advancement.create(
                stage=following, team_id=team_id, rank=rank, reason=reason, decided_by=user
            )
            await audit.record(
                user,
                "team.advance",
                advancement,
                organisation_id=event.organisation_id,
                after={
                    "from_stage": stage.id,
                    "to_stage": following.id,
                    "team": team_id,
                    "rank": rank,
                    "reason": reason,
                },
            )
    return await Advancement.filter(stage_id=following.id).order_by("team_id")


async def notice(user: User, event: Event, stage_id: int, data: NoticeIn) -> Results:
    """Freeze the stage's ranking and put it on public notice (公示) until `notice_until`. Once per stage."""
    stage = await stage_of(event, stage_id)
    now = utcnow()
    if data.notice_until <= now:
        raise InvalidInput(errors=[(("body", "notice_until"), "validation.in_the_past", {})])
    ranking = [track.model_dump(mode="json") for track in ranking_out(await rank_stage(event, stage.id))]
    async with in_transaction():
        await Stage.select_for_update().get(id=stage.id)
        if await Results.exists(stage_id=stage.id):
            raise AlreadyNoticed()
        results = await Results.create(stage=stage, ranking=ranking, notice_until=data.notice_until, noticed_at=now)
        await audit.record(
            user,
            "results.notice",
            results,
            organisation_id=event.organisation_id,
            after={"stage": stage.id, "notice_until": data.notice_until.isoformat()},
        )
    return results


async def publish(user: User, event: Event, stage_id: int) -> Results:
    """Make the noticed results final once the notice period is over, and mail every current member of each
    ranked team their place (through the outbox, in the same transaction)."""
    stage = await stage_of(event, stage_id)
    async with in_transaction():
        results = await Results.select_for_update().get_or_none(stage_id=stage.id)
        if results is None:
            raise NotNoticed()
        if results.published_at is not None:
            raise AlreadyPublished()
        now = utcnow()
        if now < results.notice_until:
            raise NoticeNotOver(until=local_time(event, results.notice_until))
        results.published_at = now
        await results.save(update_fields=["published_at"])
        await audit.record(
            user, "results.publish", results, organisation_id=event.organisation_id, after={"stage": stage.id}
        )
        await _mail_results(event, stage, results)
    return results


async def _mail_results(event: Event, stage: Stage, results: Results) -> None:
    places = {
        place.team_id: (place.rank, track.track_id)
        for track in (TrackRankingOut.model_validate(track) for track in results.ranking)
        for place in track.ranked
    }
    tracks = {track.id: track for track in await Track.filter(competition_id=stage.competition_id)}
    teams = {team.id: team for team in await Team.filter(id__in=list(places))}
    members = await TeamMember.filter(team_id__in=list(places), holder__not_isnull=True).select_related("user")
    mails = []
    for member in members:
        rank, track_id = places[member.team_id]
        track = tracks[track_id]
        mails.append(
            member_mail(
                member.user,
                event,
                stage,
                "competition_results",
                f"competition_results:{results.id}:{member.user_id}",
                team_name=teams[member.team_id].name,
                track_name={"zh": track.name_zh, "en": track.name_en},
                rank=rank,
            )
        )
    await enqueue(*mails)


async def export(event: Event, stage_id: int) -> bytes:
    """An XLSX workbook: the stage's entries (each team and its counting version), the scores by judge (every
    sheet, corrections beside the original) and the rankings."""
    ranking = await rank_stage(event, stage_id)
    entries: list[list[object]] = [
        ["team", "track", "organisation", "uscc", "version", "submitted_at", "files (slot: name sha256)"]
    ]
    tracks = {track.id: track.name_zh for track in await Track.filter(competition__event_id=event.id)}
    for team, submission in await entries_of(await stage_of(event, stage_id)):
        entries.append(
            [
                team.name,
                tracks[team.track_id],
                team.organisation_name,
                team.uscc or "",
                submission.version,
                _naive(submission.submitted_at),
                "\n".join(f"{file['slot']}: {file['name']} {file['sha256']}" for file in submission.files),
            ]
        )
    criteria = [str(criterion["key"]) for criterion in ranking.rubric.criteria]
    records = (
        await ScoreRecord.filter(assignment__stage_id=stage_id, kind__in=LOCKED)
        .select_related("assignment__judge", "assignment__team")
        .order_by("assignment__judge_id", "assignment__team_id", "id")
    )
    by_judge: list[list[object]] = [["judge", "team", "kind", *criteria, "total", "reason", "at", "counts"]]
    rubric = to_rubric(ranking.rubric)
    latest = _latest_per_pairing(records)
    for record in records:
        assignment: JudgeAssignment = record.assignment
        by_judge.append(
            [
                assignment.judge.name,
                assignment.team.name,
                record.kind.value,
                *(record.scores.get(key) for key in criteria),
                round(rubric.total(record.scores), 4),
                record.reason,
                _naive(record.at),
                "yes"
                if record.id in latest and assignment.withdrawn_at is None and assignment.judge_id not in ranking.barred
                else "no",
            ]
        )
    rankings: list[list[object]] = [
        ["track", "rank", "team", "sheets", "raw_mean", "normalised_mean", "key_criterion_mean", "decided_by"]
    ]
    for track in ranking_out(ranking):
        for place in track.ranked:
            rankings.append(
                [
                    tracks[track.track_id],
                    place.rank,
                    place.team_name,
                    place.sheets,
                    round(place.raw_mean, 4),
                    round(place.normalised_mean, 4),
                    round(place.key_criterion_mean, 4),
                    place.decided_by or "",
                ]
            )
    return to_workbook({"entries": entries, "scores by judge": by_judge, "rankings": rankings})


def _latest_per_pairing(records: Sequence[ScoreRecord]) -> set[int]:
    latest: dict[int, int] = {}
    for record in records:
        latest[record.assignment_id] = record.id
    return set(latest.values())


def _naive(moment: datetime) -> datetime:
    """Spreadsheets hold no zone: times are written in UTC."""
    return moment.replace(tzinfo=None)
