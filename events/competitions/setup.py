"""Setting up a competition on an event of kind `competition`: tracks, stages, eligibility, team sizes; and a
揭榜挂帅 challenge, which is a competition whose need an enterprise states as co-organiser, most often a scenario
need of the resource pool (the one place competitions read matchmaking: `events.matchmaking.pool.published_need`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from events.access import managed_event
from events.calendar import Milestone
from events.competitions.models import OPEN, Competition, Stage, TeamMember, Track
from events.competitions.schemas import ChallengeIn, CompetitionIn, DeadlineIn
from events.editing import changed
from events.feeds import register_milestones
from events.matchmaking.pool import published_need
from events.models import Event, EventKind
from notifications.outbox import Mail, enqueue
from server import audit
from server.errors import Conflict, InvalidInput, NotFound
from server.i18n import pick
from server.models import Organisation, OrganisationKind, Region, Role, User
from server.settings import Locale

# A stage may open up to a year before the event starts (calls for entries run long), and closes by its end.
EARLIEST_OPENING = timedelta(days=366)


class NotACompetition(Conflict):
    key = "error.not_a_competition"


class AlreadySetUp(Conflict):
    key = "error.competition_exists"


def local_time(event: Event, moment: datetime) -> str:
    """A moment as the event's people read it: to the second, in the event's zone, the zone named."""
    return f"{moment.astimezone(ZoneInfo(event.timezone)):%Y-%m-%d %H:%M:%S} ({event.timezone})"


async def set_up(user: User, event_id: int, data: CompetitionIn) -> Competition:
    """Create the competition of an event of kind `competition`, once; only its organisers may."""
    event = await managed_event(event_id, user, Role.ORGANISER)
    if event.kind is not EventKind.COMPETITION:
        raise NotACompetition()
    problems = await _problems(event, data)
    need, need_problems = await _stated_need(data.challenge) if data.challenge else (None, [])
    if problems or need_problems:
        raise InvalidInput(errors=problems + need_problems)
    try:
        async with in_transaction():
            competition = await Competition.create(
                event=event,
                entrants=data.entrants,
                region_codes=sorted(set(data.regions)),
                team_min=data.team_min,
                team_max=data.team_max,
                requires_approval=data.requires_approval,
                co_organiser_id=need.enterprise_id if need else None,
                is_challenge=need is not None,
                need_md=need.text if need else "",
                scenario_need_id=need.scenario_need_id if need else None,
            )
            await Track.bulk_create(
                [
                    Track(competition=competition, name_zh=track.name.zh, name_en=track.name.en, position=position)
                    for position, track in enumerate(data.tracks)
                ]
            )
            await Stage.bulk_create(
                [
                    Stage(
                        competition=competition,
                        name_zh=stage.name.zh,
                        name_en=stage.name.en,
                        position=position,
                        starts_at=stage.starts_at,
                        deadline=stage.deadline,
                        fact_sheet=[field.model_dump(mode="json") for field in stage.fact_sheet],
                        file_slots=[slot.model_dump(mode="json") for slot in stage.file_slots],
                    )
                    for position, stage in enumerate(data.stages)
                ]
            )
            await changed(event.id)  # the deadlines join its calendar feeds
            await audit.record(
                user,
                "competition.create",
                competition,
                organisation_id=event.organisation_id,
                after=data.model_dump(mode="json"),
            )
    except IntegrityError:
        raise AlreadySetUp() from None
    return competition


async def _problems(event: Event, data: CompetitionIn) -> list[tuple[tuple[str | int, ...], str]]:
    """What the database or the event refutes in an otherwise well-formed set-up, field by field."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    if await Competition.exists(event_id=event.id):
        raise AlreadySetUp()
    known = {region.code for region in await Region.filter(code__in=data.regions)}
    problems += [
        (("body", "regions", i), "validation.unknown_region")
        for i, code in enumerate(data.regions)
        if code not in known
    ]
    for i, stage in enumerate(data.stages):
        if stage.starts_at < event.starts_at - EARLIEST_OPENING:
            problems.append((("body", "stages", i, "starts_at"), "validation.stage_opens_too_early"))
        if stage.deadline > event.ends_at:
            problems.append((("body", "stages", i, "deadline"), "validation.stage_after_event"))
    return problems


@dataclass(frozen=True)
class StatedNeed:
    """What a challenge answers: the text, the organisation that states it, and the pool's need it came from."""

    enterprise_id: int
    text: str
    scenario_need_id: int | None


async def _stated_need(challenge: ChallengeIn) -> tuple[StatedNeed | None, list[tuple[tuple[str | int, ...], str]]]:
    """A pool need must be published (open to answers); its organisation co-organises, whatever its kind, and the
    challenge keeps the need's text as it reads now, so that a later edit of the entry never rewrites the terms
    teams answered. A need stated here names a company. Either way, a named enterprise_id must be that organisation."""
    if challenge.scenario_need_id is not None:
        entry = await published_need(challenge.scenario_need_id)
        if entry is None:
            return None, [(("body", "challenge", "scenario_need_id"), "validation.not_a_published_need")]
        if challenge.enterprise_id not in (None, entry.organisation_id):
            return None, [(("body", "challenge", "enterprise_id"), "validation.not_the_needs_organisation")]
        text = f"{entry.title_zh}\n\n{entry.description_md}".strip()
        return StatedNeed(entry.organisation_id, text, entry.id), []
    assert challenge.enterprise_id is not None and challenge.need is not None  # the schema requires both
    enterprise = await Organisation.get_or_none(id=challenge.enterprise_id)
    if enterprise is None or enterprise.kind is not OrganisationKind.COMPANY:
        return None, [(("body", "challenge", "enterprise_id"), "validation.not_an_enterprise")]
    return StatedNeed(enterprise.id, challenge.need, None), []


async def competition_of(event_id: int) -> Competition:
    competition = await Competition.get_or_none(event_id=event_id).select_related("event")
    if competition is None:
        raise NotFound()
    return competition


async def move_deadline(user: User, event_id: int, stage_id: int, data: DeadlineIn) -> Stage:
    """An organiser moves a stage's deadline, never silently: the change is audited with its reason, and every
    current member of an open team is mailed the old and the new deadline, in the transaction of the change.
    The new deadline stays after the stage opens, before the next stage opens and by the event's end."""
    event = await managed_event(event_id, user, Role.ORGANISER)
    async with in_transaction():
        stage = await Stage.select_for_update().get_or_none(id=stage_id, competition__event_id=event.id)
        if stage is None:
            raise NotFound()
        following = await Stage.filter(competition_id=stage.competition_id, position=stage.position + 1).first()
        if data.deadline <= stage.starts_at:
            problem = "validation.deadline_before_start"
        elif following is not None and data.deadline > following.starts_at:
            problem = "validation.stages_overlap"
        elif data.deadline > event.ends_at:
            problem = "validation.stage_after_event"
        else:
            problem = ""
        if problem:
            raise InvalidInput(errors=[(("body", "deadline"), problem)])
        before = stage.deadline
        if before == data.deadline:
            return stage
        stage.deadline = data.deadline
        stage.sequence += 1
        await stage.save(update_fields=["deadline", "sequence"])
        await changed(event.id)  # the calendar feeds changed
        await audit.record(
            user,
            "stage.deadline",
            stage,
            organisation_id=event.organisation_id,
            before={"deadline": before.isoformat()},
            after={"deadline": data.deadline.isoformat(), "reason": data.reason},
        )
        await _mail_deadline(event, stage, before, data.reason)
    return stage


def member_mail(member: User, event: Event, stage: Stage, template: str, dedupe_key: str, **context: object) -> Mail:
    """A mail to a team member about a stage, in their language: the competition and stage named, `context` added."""
    locale: Locale = "en" if member.locale == "en" else "zh-CN"
    return Mail(
        template=template,
        to=member.email,
        to_name=member.name,
        locale=locale,
        context={
            "recipient_name": member.name,
            "competition_title": pick({"zh": event.title_zh, "en": event.title_en}, locale),
            "stage_name": pick({"zh": stage.name_zh, "en": stage.name_en}, locale),
            **{key: pick(value, locale) if isinstance(value, dict) else value for key, value in context.items()},
        },
        dedupe_key=dedupe_key,
        topic=f"event:{event.id}",
    )


async def _mail_deadline(event: Event, stage: Stage, before: datetime, reason: str) -> None:
    members = await TeamMember.filter(
        competition_id=stage.competition_id, holder__not_isnull=True, team__status__in=list(OPEN)
    ).select_related("user")
    await enqueue(
        *(
            member_mail(
                member.user,
                event,
                stage,
                "deadline_changed",
                f"deadline_changed:{stage.id}:{int(stage.deadline.timestamp())}:{member.user_id}",
                old_deadline=local_time(event, before),
                new_deadline=local_time(event, stage.deadline),
                reason=reason,
            )
            for member in members
        )
    )


async def stage_deadlines(events: list[Event]) -> dict[int, list[Milestone]]:
    """Each stage's deadline as an entry of its competition event's feeds (`events.feeds.register_milestones`)."""
    by_id = {event.id: event for event in events if event.kind is EventKind.COMPETITION}
    if not by_id:
        return {}
    found: dict[int, list[Milestone]] = {}
    stages = Stage.filter(competition__event_id__in=list(by_id)).select_related("competition")
    for stage in await stages.order_by("position"):
        event = by_id[stage.competition.event_id]
        found.setdefault(event.id, []).append(
            Milestone(
                uid=f"deadline-{stage.id}-{event.uid}",
                title={"zh": f"{stage.name_zh}截止", "en": f"Deadline: {stage.name_en or stage.name_zh}"},
                at=stage.deadline,
                sequence=stage.sequence,
                path=f"/events/{event.id}/competition",
            )
        )
    return found


register_milestones(stage_deadlines)
