"""Teams: creation by a leader, invitations by signed expiring links through the outbox, leader handover,
organiser approval. `transition` is the only place a team changes state; every change is audited.

One team per person per competition is the database's unique (competition, holder) on TeamMember: the
checks before the insert only choose a clearer message, the constraint decides a race.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from events.competitions.models import (
    OPEN,
    Competition,
    Entrants,
    Team,
    TeamInvite,
    TeamMember,
    TeamStatus,
    Track,
)
from events.competitions.schemas import InviteIn, TeamIn
from events.competitions.setup import local_time
from events.mailing import Site
from events.models import EventStatus
from notifications.outbox import Mail, enqueue
from server import audit
from server.accounts import require_role
from server.auth import link_claim, link_is_genuine, link_token
from server.clock import utcnow
from server.errors import BadRequest, Conflict, InvalidInput, NotFound, PermissionDenied
from server.i18n import Label, pick
from server.models import Region, Role, User
from server.settings import Locale

TRANSITIONS: dict[TeamStatus, frozenset[TeamStatus]] = {
    TeamStatus.PENDING: frozenset({TeamStatus.ACTIVE, TeamStatus.REJECTED, TeamStatus.WITHDRAWN}),
    TeamStatus.ACTIVE: frozenset({TeamStatus.WITHDRAWN}),
    TeamStatus.REJECTED: frozenset(),
    TeamStatus.WITHDRAWN: frozenset(),
}
INVITE_LIFETIME = timedelta(days=7)


class AlreadyInTeam(Conflict):
    key = "error.already_in_team"


class TeamFull(Conflict):
    key = "error.team_full"


class TeamsClosed(Conflict):
    key = "error.teams_closed"


class TeamTransitionForbidden(Conflict):
    key = "error.team_transition_forbidden"


class InviteInvalid(BadRequest):
    key = "error.invite_invalid"


class InviteExpired(Conflict):
    key = "error.invite_expired"


class InviteForSomeoneElse(PermissionDenied):
    key = "error.invite_for_someone_else"


async def transition(team: Team, to: TeamStatus, actor: User | str, *, reason: str = "") -> None:
    """Move a team (locked by the caller's transaction) along TRANSITIONS; a team that ends frees its members
    to join another team of the competition."""
    if to not in TRANSITIONS[team.status]:
        raise TeamTransitionForbidden(status=Label(f"team_status.{team.status.value}"))
    before = team.status
    team.status, team.reason = to, reason
    await team.save(update_fields=["status", "reason"])
    if to not in OPEN:
        await TeamMember.filter(team_id=team.id, holder__not_isnull=True).update(holder=None, left_at=utcnow())
    competition = await _competition(team)
    await audit.record(
        actor,
        "team.status",
        team,
        organisation_id=competition.event.organisation_id,
        before={"status": before.value},
        after={"status": to.value, "reason": reason},
    )


async def create_team(user: User, competition_id: int, data: TeamIn) -> Team:
    """A signed-in user founds a team in a track and leads it; eligibility (entrants, region, 统一社会信用代码)
    is checked here, and the team waits for approval where the competition asks for it."""
    competition = await Competition.get_or_none(id=competition_id).select_related("event")
    if competition is None or competition.event.status is not EventStatus.PUBLISHED:
        raise NotFound()
    last_deadline = await _last_deadline(competition)
    if utcnow() >= last_deadline:
        raise TeamsClosed(deadline=local_time(competition.event, last_deadline))
    region = await Region.get_or_none(code=data.region)
    problems = _eligibility(competition, data, region)
    if not await Track.exists(id=data.track_id, competition_id=competition.id):
        problems.append((("body", "track_id"), "validation.unknown_track"))
    if await Team.exists(competition_id=competition.id, name=data.name):
        problems.append((("body", "name"), "validation.team_name_taken"))
    if problems:
        raise InvalidInput(errors=problems)
    assert region is not None  # _eligibility reports an unknown region
    if await TeamMember.exists(competition_id=competition.id, holder=user.id):
        raise AlreadyInTeam()
    status = TeamStatus.PENDING if competition.requires_approval else TeamStatus.ACTIVE
    try:
        async with in_transaction():
            team = await Team.create(
                competition=competition,
                track_id=data.track_id,
                name=data.name,
                leader=user,
                region=region,
                organisation_name=data.organisation_name,
                uscc=data.uscc,
                status=status,
            )
            await TeamMember.create(team=team, competition=competition, user=user, holder=user.id)
            await audit.record(
                user,
                "team.create",
                team,
                organisation_id=competition.event.organisation_id,
                after={**data.model_dump(mode="json"), "status": status.value},
            )
    except IntegrityError:
        raise AlreadyInTeam() from None
    return team


def _eligibility(
    competition: Competition, data: TeamIn, region: Region | None
) -> list[tuple[tuple[str | int, ...], str]]:
    problems: list[tuple[tuple[str | int, ...], str]] = []
    if region is None:
        problems.append((("body", "region"), "validation.unknown_region"))
    elif competition.region_codes and region.code not in competition.region_codes:
        problems.append((("body", "region"), "validation.region_ineligible"))
    if competition.entrants is Entrants.ORGANISATIONS and data.uscc is None:
        problems.append((("body", "uscc"), "validation.uscc_required"))
    if competition.entrants is Entrants.INDIVIDUALS and (data.organisation_name or data.uscc):
        problems.append((("body", "organisation_name"), "validation.individuals_only"))
    return problems


async def _competition(team: Team) -> Competition:
    return await Competition.get(id=team.competition_id).select_related("event")


async def _last_deadline(competition: Competition) -> datetime:
    stage = await competition.stages.all().order_by("-position").first()
    assert stage is not None  # set-up makes at least one stage
    return stage.deadline


async def _led_team(user: User, team_id: int) -> Team:
    """The team, locked for the caller's transaction, if `user` leads it."""
    team = await Team.select_for_update().get_or_none(id=team_id)
    if team is None:
        raise NotFound()
    if team.leader_id != user.id:
        raise PermissionDenied()
    return team


def invite_token(secret_key: str, invite_id: int, expires: datetime) -> str:
    """The accept link's credential: the invitation and its expiry, signed; nothing of it is stored."""
    return link_token(secret_key, "qci", "team-invite", invite_id, expires)


def _read_token(secret_key: str, token: str) -> tuple[int, datetime]:
    """The invitation id and expiry a token names, if its signature holds; InviteInvalid otherwise."""
    claim = link_claim(token, "qci")
    if claim is None or not link_is_genuine(secret_key, token, "qci", "team-invite", claim):
        raise InviteInvalid()
    return claim.subject_id, claim.expires


async def invite(user: User, team_id: int, data: InviteIn, site: Site) -> TeamInvite:
    """The leader invites someone by email: an invitation row and its mail, in one transaction."""
    async with in_transaction():
        team = await _led_team(user, team_id)
        if team.status not in OPEN:
            raise TeamTransitionForbidden(status=Label(f"team_status.{team.status.value}"))
        competition = await _competition(team)
        if await TeamMember.filter(team_id=team.id, holder__not_isnull=True).count() >= competition.team_max:
            raise TeamFull(size=competition.team_max)
        expires = utcnow() + INVITE_LIFETIME
        invitation = await TeamInvite.create(team=team, email=data.email, invited_by=user, expires_at=expires)
        token = invite_token(site.secret, invitation.id, expires)
        locale: Locale = "en" if user.locale == "en" else "zh-CN"
        event = competition.event
        await enqueue(
            Mail(
                template="team_invitation",
                to=data.email,
                locale=locale,
                context={
                    "leader_name": user.name,
                    "team_name": team.name,
                    "competition_title": pick({"zh": event.title_zh, "en": event.title_en}, locale),
                    "expires_at": local_time(event, expires),
                    "accept_url": f"{site.base_url}/events/{event.id}/competition?invite={token}",
                },
                dedupe_key=f"team_invitation:{invitation.id}",
                topic=f"event:{event.id}",
            )
        )
        await audit.record(
            user, "team.invite", team, organisation_id=event.organisation_id, after={"email": data.email}
        )
    return invitation


async def accept(user: User, token: str, site: Site) -> TeamMember:
    """The invited person, signed in with the invited address, joins: the link must be genuine and unexpired,
    the team open and not full, and the person in no other team of the competition."""
    invite_id, expires = _read_token(site.secret, token)
    try:
        async with in_transaction():
            invitation = await TeamInvite.select_for_update().get_or_none(id=invite_id)
            if invitation is None or invitation.accepted_at is not None:
                raise InviteInvalid()
            team = await Team.select_for_update().get(id=invitation.team_id)
            competition = await _competition(team)
            if utcnow() >= expires:
                raise InviteExpired(expired=local_time(competition.event, expires))
            if invitation.email != user.email:
                raise InviteForSomeoneElse()
            if team.status not in OPEN:
                raise TeamTransitionForbidden(status=Label(f"team_status.{team.status.value}"))
            if await TeamMember.filter(team_id=team.id, holder__not_isnull=True).count() >= competition.team_max:
                raise TeamFull(size=competition.team_max)
            member = await TeamMember.create(team=team, competition=competition, user=user, holder=user.id)
            invitation.accepted_at = utcnow()
            await invitation.save(update_fields=["accepted_at"])
            await audit.record(
                user,
                "team.join",
                team,
                organisation_id=competition.event.organisation_id,
                after={"user": user.id, "invite": invitation.id},
            )
    except IntegrityError:
        raise AlreadyInTeam() from None
    return member


async def hand_over(user: User, team_id: int, to_user_id: int) -> Team:
    """The leader passes the lead to another current member."""
    async with in_transaction():
        team = await _led_team(user, team_id)
        if team.status not in OPEN:
            raise TeamTransitionForbidden(status=Label(f"team_status.{team.status.value}"))
        if to_user_id == user.id or not await TeamMember.exists(team_id=team.id, holder=to_user_id):
            raise InvalidInput(errors=[(("body", "user_id"), "validation.not_a_member")])
        await _pass_lead(team, to_user_id, user)
    return team


async def _pass_lead(team: Team, to_user_id: int, actor: User | str, **why: str) -> None:
    """The one place a team's leader changes (the team locked by the caller's transaction); audited."""
    before = team.leader_id
    team.leader_id = to_user_id
    await team.save(update_fields=["leader_id"])
    competition = await _competition(team)
    await audit.record(
        actor,
        "team.leader",
        team,
        organisation_id=competition.event.organisation_id,
        before={"leader": before},
        after={"leader": to_user_id, **why},
    )


async def depart(team: Team, user_id: int, actor: User | str, *, reason: str) -> None:
    """A person leaves a team (locked by the caller's transaction) for good: the team keeps its entry; a team
    they led passes to the member who joined next after them, or is withdrawn when nobody else is in it."""
    now = utcnow()
    await TeamMember.filter(team_id=team.id, user_id=user_id, holder__not_isnull=True).update(holder=None, left_at=now)
    if team.leader_id != user_id or team.status not in OPEN:
        return
    successor = await TeamMember.filter(team_id=team.id, holder__not_isnull=True).order_by("joined_at", "id").first()
    if successor is None:
        await transition(team, TeamStatus.WITHDRAWN, actor, reason=reason)
        return
    await _pass_lead(team, successor.user_id, actor, reason=reason)


async def decide(user: User, team_id: int, *, approve: bool, reason: str = "") -> Team:
    """An organiser of the competition's event approves or rejects a waiting team."""
    async with in_transaction():
        team = await Team.select_for_update().get_or_none(id=team_id)
        if team is None:
            raise NotFound()
        competition = await _competition(team)
        await require_role(user, competition.event.organisation_id, Role.ORGANISER)
        await transition(team, TeamStatus.ACTIVE if approve else TeamStatus.REJECTED, user, reason=reason)
    return team


async def teams_of(user: User) -> list[Team]:
    """The open teams the user is a current member of (at most one per competition), newest first."""
    return await Team.filter(members__holder=user.id).order_by("-id")


async def pending_invites(team: Team) -> list[TeamInvite]:
    """The team's invitations not yet accepted and not expired, oldest first."""
    return await TeamInvite.filter(team_id=team.id, accepted_at__isnull=True, expires_at__gt=utcnow()).order_by("id")


async def withdraw(user: User, team_id: int) -> Team:
    """The leader withdraws the team; its members are free to join another."""
    async with in_transaction():
        team = await _led_team(user, team_id)
        await transition(team, TeamStatus.WITHDRAWN, user)
    return team
