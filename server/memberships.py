"""Memberships: who holds which role in an organisation, and how they come to hold it.

A manager invites an address; the person accepts the mailed link while signed in with that address. Nobody is
attached to an organisation without their consent, and the answer to an invitation is the same whether the
address has an account or not (the invitation never looks the account up). Members may leave; an organisation
never loses its last manager that way (409).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from notifications.outbox import Mail, enqueue
from server import audit
from server.accounts import get_organisation, require_role
from server.auth import link_claim, link_is_genuine, link_token
from server.clock import utcnow
from server.errors import BadRequest, Conflict, NotFound, PermissionDenied
from server.i18n import pick, translate
from server.models import Membership, Organisation, OrganisationInvite, Role, User
from server.schemas import InvitationIn, MemberIn
from server.settings import Locale, Settings

INVITE_LIFETIME = timedelta(days=7)
_PREFIX, _PURPOSE = "qco", "organisation-invite"


class InvitationInvalid(BadRequest):
    key = "error.organisation_invite_invalid"


class InvitationExpired(Conflict):
    key = "error.organisation_invite_expired"


class InvitationForSomeoneElse(PermissionDenied):
    key = "error.invite_for_someone_else"


def invitation_token(secret_key: str, invite_id: int, expires: datetime) -> str:
    """The accept link's credential: the invitation and its expiry, signed."""
    return link_token(secret_key, _PREFIX, _PURPOSE, invite_id, expires)


async def invite(user: User, organisation_id: int, data: InvitationIn, settings: Settings) -> OrganisationInvite:
    """Mail an invitation to hold `data.role`; an earlier open invitation of the address to that role is replaced.

    Only managers and admins may. Whether the address has an account is never looked up, so the answer and its
    time say nothing about it."""
    organisation = await get_organisation(organisation_id)
    await require_role(user, organisation.id, Role.MANAGER)
    now = utcnow()
    async with in_transaction():
        await OrganisationInvite.filter(
            organisation_id=organisation.id, email=data.email, role=data.role, accepted_at=None, revoked_at=None
        ).update(revoked_at=now)
        expires = now + INVITE_LIFETIME
        invitation = await OrganisationInvite.create(
            organisation=organisation, email=data.email, role=data.role, invited_by=user, expires_at=expires
        )
        token = invitation_token(settings.secret_key(), invitation.id, invitation.expires_at)
        locale: Locale = "en" if user.locale == "en" else "zh-CN"  # the address may have no account
        name = pick({"zh": organisation.name_zh, "en": organisation.name_en}, locale)
        await enqueue(
            Mail(
                template="organisation_invitation",
                to=data.email,
                locale=locale,
                context={
                    "inviter_name": user.name,
                    "organisation_name": name,
                    "role": translate(f"role.{data.role.value}", locale),
                    "expires_at": invitation.expires_at.strftime("%Y-%m-%d %H:%M UTC"),
                    "accept_url": f"{settings.BASE_URL}/invitations?token={token}",
                },
                dedupe_key=f"organisation_invitation:{invitation.id}",
                topic=f"organisation:{organisation.id}",
                from_name=name,
            )
        )
        await audit.record(
            user,
            "membership.invite",
            invitation,
            organisation_id=organisation.id,
            after={"email": data.email, "role": data.role.value},
        )
    return invitation


async def open_invitations(organisation_id: int) -> list[OrganisationInvite]:
    """Invitations neither accepted, withdrawn nor expired, newest first."""
    return await OrganisationInvite.filter(
        organisation_id=organisation_id, accepted_at=None, revoked_at=None, expires_at__gt=utcnow()
    ).order_by("-id")


async def withdraw(user: User, organisation_id: int, invite_id: int) -> None:
    """A manager takes back an open invitation; its link stops working."""
    async with in_transaction():
        invitation = await OrganisationInvite.select_for_update().get_or_none(
            id=invite_id, organisation_id=organisation_id, accepted_at=None, revoked_at=None
        )
        if invitation is None:
            raise NotFound()
        invitation.revoked_at = utcnow()
        await invitation.save(update_fields=["revoked_at"])
        await audit.record(
            user,
            "membership.withdraw_invite",
            invitation,
            organisation_id=organisation_id,
            before={"email": invitation.email, "role": invitation.role.value},
        )


async def accept(user: User, token: str, settings: Settings) -> Membership:
    """The invited person, signed in with the invited address, takes the role: once, before the link expires."""
    claim = link_claim(token, _PREFIX)
    if claim is None or not link_is_genuine(settings.secret_key(), token, _PREFIX, _PURPOSE, claim):
        raise InvitationInvalid()
    try:
        async with in_transaction():
            invitation = await OrganisationInvite.select_for_update().get_or_none(id=claim.subject_id)
            if invitation is None or invitation.accepted_at is not None or invitation.revoked_at is not None:
                raise InvitationInvalid()
            if utcnow() >= claim.expires:
                raise InvitationExpired(expired=claim.expires.strftime("%Y-%m-%d %H:%M UTC"))
            if invitation.email != user.email:
                raise InvitationForSomeoneElse()
            membership = await Membership.create(
                user=user, organisation_id=invitation.organisation_id, role=invitation.role
            )
            invitation.accepted_at = utcnow()
            await invitation.save(update_fields=["accepted_at"])
            await audit.record(
                user,
                "membership.accept",
                membership,
                organisation_id=invitation.organisation_id,
                after={"user": user.email, "role": invitation.role.value, "invite": invitation.id},
            )
    except IntegrityError:
        raise Conflict("error.already_member") from None
    return membership


async def grant(admin: User, organisation_id: int, data: MemberIn) -> Membership:
    """An admin places an existing account in a role directly (provisioning by the bureau, and the demo)."""
    organisation = await get_organisation(organisation_id)
    if not admin.is_admin:
        raise PermissionDenied()
    member = await User.get_or_none(email=data.email)
    if member is None:
        raise NotFound()
    try:
        async with in_transaction():
            membership = await Membership.create(user=member, organisation=organisation, role=data.role)
            await audit.record(
                admin,
                "membership.add",
                membership,
                organisation_id=organisation.id,
                after={"user": member.email, "role": data.role.value},
            )
    except IntegrityError:
        raise Conflict("error.already_member") from None
    return membership


async def members(user: User, organisation_id: int) -> list[Membership]:
    organisation = await get_organisation(organisation_id)
    await require_role(user, organisation.id, *Role)
    return await Membership.filter(organisation=organisation).select_related("user").order_by("id")


async def remove(user: User, organisation_id: int, membership_id: int) -> None:
    """A manager takes a role away; the last manager stays unless an admin removes them."""
    await require_role(user, organisation_id, Role.MANAGER)
    await _end(user, organisation_id, membership_id=membership_id, by_admin=user.is_admin)


async def leave(user: User, membership_id: int) -> None:
    """A member gives up one of their own roles; the last manager cannot leave the organisation ownerless."""
    own = await Membership.get_or_none(id=membership_id, user=user)
    if own is None:
        raise NotFound()
    await _end(user, own.organisation_id, membership_id=membership_id, by_admin=False, own=True)


async def _end(user: User, organisation_id: int, *, membership_id: int, by_admin: bool, own: bool = False) -> None:
    async with in_transaction():
        # The organisation row is the lock that serialises the last-manager check of concurrent removals.
        await Organisation.select_for_update().get_or_none(id=organisation_id)
        membership = await Membership.get_or_none(id=membership_id, organisation_id=organisation_id).select_related(
            "user"
        )
        if membership is None or (own and membership.user_id != user.id):
            raise NotFound()
        if (
            membership.role is Role.MANAGER
            and not by_admin
            and await Membership.filter(organisation_id=organisation_id, role=Role.MANAGER).count() == 1
        ):
            raise Conflict("error.last_manager")
        await membership.delete()
        await audit.record(
            user,
            "membership.leave" if own else "membership.remove",
            membership,
            organisation_id=organisation_id,
            before={"user": membership.user.email, "role": membership.role.value},
        )
