"""Accounts (profile, admins), API tokens and organisations: the services behind the platform API. Signing up and
in, verification and resets are `server/identity.py`; memberships are `server/memberships.py`."""

from __future__ import annotations

from datetime import timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from server import audit
from server.auth import hash_password, issue_token
from server.clock import utcnow
from server.errors import InvalidInput, NotFound, PermissionDenied
from server.models import AuthToken, Membership, Organisation, OrganisationKind, Region, Role, TokenKind, User
from server.schemas import OrganisationIn, OrganisationPatch, ProfilePatch, TokenIn

# Kinds that carry privileges (running events, reporting as a base) are created by the bureau only.
SELF_SERVICE_KINDS = frozenset({OrganisationKind.COMPANY, OrganisationKind.UNIVERSITY})


async def create_admin(email: str, password: str, name: str) -> User:
    """Create an admin, or make an existing account an admin and set its password."""
    password_hash = await hash_password(password)
    async with in_transaction():
        user = await User.get_or_none(email=email)
        if user is None:
            user = await User.create(
                email=email, name=name, password_hash=password_hash, is_admin=True, email_verified_at=utcnow()
            )
        else:
            user.is_admin, user.password_hash = True, password_hash
            await user.save(update_fields=["is_admin", "password_hash"])
        await audit.record("cli", "user.make_admin", user, after={"email": email, "is_admin": True})
    return user


async def update_profile(user: User, data: ProfilePatch) -> User:
    """Change one's own name or language; only the fields sent change."""
    changes = data.model_dump(exclude_none=True)
    async with in_transaction():
        before = {field: getattr(user, field) for field in changes}
        await User.filter(id=user.id).update(**changes)
        await audit.record(user, "user.update", user, before=before, after=changes)
    await user.refresh_from_db()
    return user


async def revoke(token: AuthToken) -> None:
    await AuthToken.filter(id=token.id, revoked_at=None).update(revoked_at=utcnow())


async def create_api_token(user: User, data: TokenIn) -> tuple[str, AuthToken]:
    lifetime = timedelta(days=data.expires_in_days) if data.expires_in_days else None
    async with in_transaction():
        secret, token = await issue_token(user, TokenKind.API, name=data.name, lifetime=lifetime)
        await audit.record(user, "token.create", token, after={"name": data.name})
    return secret, token


async def api_tokens(user: User) -> list[AuthToken]:
    return await AuthToken.filter(user=user, kind=TokenKind.API, revoked_at=None).order_by("-created_at")


async def revoke_api_token(user: User, token_id: int) -> None:
    """Revoke one of the user's own API tokens; another user's token is simply not found."""
    async with in_transaction():
        token = await AuthToken.get_or_none(id=token_id, user=user, kind=TokenKind.API, revoked_at=None)
        if token is None:
            raise NotFound()
        await revoke(token)
        await audit.record(user, "token.revoke", token, before={"name": token.name})


async def require_role(user: User, organisation_id: int, *roles: Role) -> None:
    """The one check that keeps organisations apart: admins, or members holding one of `roles`."""
    if user.is_admin:
        return
    if not await Membership.exists(user=user, organisation_id=organisation_id, role__in=roles):
        raise PermissionDenied()


async def create_organisation(user: User, data: OrganisationIn) -> Organisation:
    """Admins create any kind; anyone else a company or university, of which they become the manager."""
    if not user.is_admin and data.kind not in SELF_SERVICE_KINDS:
        raise PermissionDenied("error.organisation_kind_forbidden", kind=data.kind.value)
    region = await _region(data.region)
    if data.uscc and await Organisation.exists(uscc=data.uscc):
        raise _duplicate_uscc()
    try:
        async with in_transaction():
            organisation = await Organisation.create(
                name_zh=data.name.zh,
                name_en=data.name.en,
                kind=data.kind,
                region=region,
                uscc=data.uscc,
                contact_email=data.contact_email or "",
            )
            if not user.is_admin:
                await Membership.create(user=user, organisation=organisation, role=Role.MANAGER)
            await audit.record(
                user,
                "organisation.create",
                organisation,
                organisation_id=organisation.id,
                after=data.model_dump(mode="json"),
            )
    except IntegrityError:
        raise _duplicate_uscc() from None
    return organisation


async def update_organisation(user: User, organisation_id: int, data: OrganisationPatch) -> None:
    """Rename, move or correct an organisation; its managers and admins may."""
    organisation = await get_organisation(organisation_id)
    await require_role(user, organisation.id, Role.MANAGER)
    columns: dict[str, object] = {}
    if data.name is not None:
        columns |= {"name_zh": data.name.zh, "name_en": data.name.en}
    if data.region is not None:
        columns["region_id"] = (await _region(data.region)).id
    if "uscc" in data.model_fields_set:
        if data.uscc and await Organisation.exists(uscc=data.uscc, id__not=organisation.id):
            raise _duplicate_uscc()
        columns["uscc"] = data.uscc
    if "contact_email" in data.model_fields_set:
        columns["contact_email"] = data.contact_email or ""
    before = {column: getattr(organisation, column) for column in columns}
    try:
        async with in_transaction():
            await Organisation.filter(id=organisation.id).update(**columns)
            await audit.record(
                user, "organisation.update", organisation, organisation_id=organisation.id, before=before, after=columns
            )
    except IntegrityError:
        raise _duplicate_uscc() from None


def _duplicate_uscc() -> InvalidInput:
    return InvalidInput(errors=[(("body", "uscc"), "validation.uscc_taken")])


async def _region(code: str) -> Region:
    region = await Region.get_or_none(code=code)
    if region is None:
        raise InvalidInput(errors=[(("body", "region"), "validation.unknown_region")])
    return region


async def get_organisation(organisation_id: int) -> Organisation:
    organisation = await Organisation.get_or_none(id=organisation_id).select_related("region")
    if organisation is None:
        raise NotFound()
    return organisation
