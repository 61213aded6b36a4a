"""Platform endpoints: health, reference data, accounts, tokens, organisations and members."""

from __future__ import annotations

from datetime import timedelta

from starlette.responses import Response
from tortoise.expressions import Q

from server import accounts, identity, markdown, memberships, personal_data, two_factor
from server.access import Admins, Anyone, Members, SignedIn
from server.api import Api, Context, Page, paginate
from server.auth import SESSION_COOKIE, csrf_token
from server.db import pending_migrations, ping
from server.errors import Unavailable
from server.fields import max_length
from server.models import Domain, Membership, Organisation, OrganisationInvite, Region, Role
from server.responses import personal_data_workbook
from server.schemas import (
    AcceptInvitationIn,
    CurrentSessionOut,
    ErasureIn,
    ErasureOut,
    Health,
    InvitationIn,
    InvitationOut,
    LoggedOutOut,
    LoginIn,
    LoginOut,
    MailedOut,
    MarkdownIn,
    MarkdownOut,
    MemberIn,
    MemberOut,
    MembershipOut,
    MeOut,
    OrganisationIn,
    OrganisationOut,
    OrganisationPatch,
    OrganisationQuery,
    PasswordResetIn,
    PasswordResetRequestIn,
    PersonalData,
    ProfilePatch,
    ReferenceOut,
    SignupIn,
    TokenCreated,
    TokenIn,
    TokenOut,
    TotpCodeIn,
    TotpDisableIn,
    TotpEnrolmentOut,
    TotpRecoveryCodesOut,
    UserOut,
    VerifyEmailIn,
)
from server.spreadsheets import XLSX

health = Api(prefix="")
api = Api()
MANAGERS = Members(of_organisation="organisation_id", roles=(Role.MANAGER,))


@health.route("GET", "/healthz", guard=Anyone, summary="The process is up", tag="health")
async def healthz(ctx: Context) -> Health:
    return Health(status="ok")


@health.route("GET", "/readyz", guard=Anyone, summary="The database answers and has every migration", tag="health")
async def readyz(ctx: Context) -> Health:
    try:
        await ping()
        pending = await pending_migrations()
    except Exception:  # any failure to reach the database means "not ready", never a 500
        raise Unavailable("error.database_unavailable") from None
    if pending:
        raise Unavailable("error.migrations_pending", count=len(pending), first=pending[0])
    return Health(status="ok")


@api.route("GET", "/regions", guard=Anyone, summary="Regions (districts, counties, parks)", tag="reference")
async def list_regions(ctx: Context) -> list[ReferenceOut]:
    return [ReferenceOut(code=r.code, name=r.name) for r in await Region.all().order_by("id")]


@api.route("GET", "/domains", guard=Anyone, summary="Application domains", tag="reference")
async def list_domains(ctx: Context) -> list[ReferenceOut]:
    return [ReferenceOut(code=d.code, name=d.name) for d in await Domain.all().order_by("id")]


@api.route(
    "POST",
    "/markdown",
    guard=SignedIn,
    summary="Preview Markdown as the public will see it",
    tag="reference",
)
async def preview_markdown(ctx: Context, body: MarkdownIn) -> MarkdownOut:
    """Rendered and sanitised like event descriptions."""
    return MarkdownOut(html=markdown.render(body.text))


@api.route(
    "POST",
    "/auth/signup",
    guard=Anyone,
    summary="Create an account (its address is then verified by mail)",
    tag="accounts",
    status=202,
    rate_limited=True,
)
async def signup(ctx: Context, body: SignupIn) -> MailedOut:
    """The same answer for a new and a taken address: the new one gets a verification link, the owner of the
    taken one a "you already have an account" mail. Common, too simple or email-like passwords are refused."""
    await identity.signup(body, ctx.settings, client_ip=ctx.client_ip)
    return MailedOut(email=body.email)


@api.route("POST", "/auth/verify", guard=Anyone, summary="Verify an address with its mailed link", tag="accounts")
async def verify_email(ctx: Context, body: VerifyEmailIn) -> UserOut:
    """Each link works once and for two days; earlier registrations made with the address join the account."""
    return UserOut.model_validate(await identity.verify_email(body.token, ctx.settings), from_attributes=True)


@api.route(
    "POST",
    "/me/verification",
    guard=SignedIn,
    summary="Mail my verification link again",
    tag="accounts",
    status=202,
    rate_limited=True,
)
async def resend_verification(ctx: Context) -> MailedOut:
    await identity.resend_verification(ctx.user, ctx.settings)
    return MailedOut(email=ctx.user.email)


@api.route(
    "POST",
    "/auth/password-reset",
    guard=Anyone,
    summary="Mail a password reset link",
    tag="accounts",
    status=202,
    rate_limited=True,
)
async def request_password_reset(ctx: Context, body: PasswordResetRequestIn) -> MailedOut:
    """The same answer whether or not the address has an account."""
    await identity.request_password_reset(body.email, ctx.settings, client_ip=ctx.client_ip)
    return MailedOut(email=body.email)


@api.route("POST", "/auth/password-reset/confirm", guard=Anyone, summary="Set a new password", tag="accounts")
async def reset_password(ctx: Context, body: PasswordResetIn) -> None:
    """With the mailed link's token, once, within an hour; every session and API token of the account ends."""
    await identity.reset_password(body, ctx.settings)


@api.route(
    "POST",
    "/auth/login",
    guard=Anyone,
    summary="Open a session (cookie and bearer token)",
    tag="accounts",
    rate_limited=True,
)
async def login(ctx: Context, body: LoginIn) -> LoginOut:
    """Rate limited per client address, per (email, client address) and, more slowly, per email. A session the
    browser already had ends: the session id is new at every login. An account with a second factor answers
    401 `totp_required` to the right password without `code`; send the same request again with it."""
    lifetime = timedelta(days=ctx.settings.SESSION_DAYS)
    secret, token = await identity.login(
        body.email, body.password, ctx.settings, client_ip=ctx.client_ip, lifetime=lifetime, code=body.code
    )
    if ctx.caller is not None and ctx.caller.via_cookie:
        await accounts.revoke(ctx.caller.token)
    ctx.cookies.append(
        {
            "key": SESSION_COOKIE,
            "value": secret,
            "max_age": int(lifetime.total_seconds()),
            "httponly": True,
            "samesite": "lax",
            "secure": ctx.settings.BASE_URL.startswith("https://"),
        }
    )
    assert token.expires_at is not None
    return LoginOut(
        token=secret, csrf_token=csrf_token(ctx.settings.secret_key(), token.token_hash), expires_at=token.expires_at
    )


def _clear_cookie(ctx: Context) -> None:
    ctx.cookies.append({"key": SESSION_COOKIE, "value": "", "max_age": 0, "httponly": True, "samesite": "lax"})


@api.route("POST", "/auth/logout", guard=SignedIn, summary="End this session (or revoke this token)", tag="accounts")
async def logout(ctx: Context) -> None:
    assert ctx.caller is not None
    await accounts.revoke(ctx.caller.token)
    _clear_cookie(ctx)


@api.route(
    "POST",
    "/auth/logout-everywhere",
    guard=SignedIn,
    summary="End all my sessions and revoke all my API tokens",
    tag="accounts",
)
async def logout_everywhere(ctx: Context) -> LoggedOutOut:
    revoked = await identity.log_out_everywhere(ctx.user)
    _clear_cookie(ctx)
    return LoggedOutOut(revoked=revoked)


@api.route("GET", "/me", guard=SignedIn, summary="The signed-in account and its roles", tag="accounts")
async def me(ctx: Context) -> MeOut:
    return await _account(ctx)


@api.route("GET", "/me/data", guard=SignedIn, summary="All data held about me", tag="accounts")
async def my_data(ctx: Context) -> PersonalData:
    """My account, registrations with their answers, the talent reports I filed and the mails sent to me, by
    section."""
    return await personal_data.collect(personal_data.Subject(user=ctx.user))


@api.route(
    "GET", "/me/data.xlsx", guard=SignedIn, summary="All data held about me, as XLSX", tag="accounts", produces=XLSX
)
async def my_data_workbook(ctx: Context) -> Response:
    """The same as `/me/data`, one sheet per section."""
    data = await personal_data.collect(personal_data.Subject(user=ctx.user))
    return personal_data_workbook(data, f"my-data-{ctx.user.id}")


@api.route("POST", "/me/erase", guard=SignedIn, summary="Delete my data and my account", tag="accounts")
async def erase_me(ctx: Context, body: ErasureIn) -> ErasureOut:
    """My registrations are anonymised (a seat of an event still to come is given up, as by cancelling), the mails
    to me lose their address and content, and the account is removed. Nobody can undo it."""
    erased = await personal_data.erase(personal_data.Subject(user=ctx.user))
    ctx.cookies.append({"key": SESSION_COOKIE, "value": "", "max_age": 0, "httponly": True, "samesite": "lax"})
    return ErasureOut(erased=erased)


@api.route("GET", "/session", guard=Anyone, summary="Who is signed in, if anyone", tag="accounts")
async def current_session(ctx: Context) -> CurrentSessionOut:
    """The pages ask this on every load: an anonymous visitor is an answer (`user` null), not a failed request."""
    return CurrentSessionOut(user=await _account(ctx) if ctx.caller is not None else None)


async def _account(ctx: Context) -> MeOut:
    assert ctx.caller is not None
    held = await Membership.filter(user=ctx.user).select_related("organisation").order_by("id")
    csrf = csrf_token(ctx.settings.secret_key(), ctx.caller.token.token_hash) if ctx.caller.via_cookie else None
    return MeOut(
        **UserOut.model_validate(ctx.user, from_attributes=True).model_dump(),
        memberships=[_membership_out(m) for m in held],
        csrf_token=csrf,
    )


def _membership_out(membership: Membership) -> MembershipOut:
    return MembershipOut(
        id=membership.id,
        organisation_id=membership.organisation_id,
        organisation_kind=membership.organisation.kind,
        role=membership.role,
    )


@api.route("PATCH", "/me", guard=SignedIn, summary="Change my name or language", tag="accounts")
async def update_me(ctx: Context, body: ProfilePatch) -> MeOut:
    await accounts.update_profile(ctx.user, body)
    return await _account(ctx)


@api.route(
    "POST", "/me/totp", guard=SignedIn, summary="Start turning on the second factor (TOTP)", tag="accounts", status=201
)
async def enrol_totp(ctx: Context) -> TotpEnrolmentOut:
    """Admins and organisers (and managers) only. The secret is not required at login until confirmed with a code
    from the app (`POST /me/totp/confirm`)."""
    enrolment = await two_factor.enrol(ctx.user)
    return TotpEnrolmentOut(secret=enrolment.secret, uri=enrolment.uri, qr_svg=enrolment.qr_svg)


@api.route("POST", "/me/totp/confirm", guard=SignedIn, summary="Turn the second factor on", tag="accounts")
async def confirm_totp(ctx: Context, body: TotpCodeIn) -> TotpRecoveryCodesOut:
    """With a first code from the app; answers ten single-use recovery codes, shown only this once."""
    return TotpRecoveryCodesOut(recovery_codes=await two_factor.confirm(ctx.user, body.code))


@api.route("POST", "/me/totp/disable", guard=SignedIn, summary="Turn the second factor off", tag="accounts")
async def disable_totp(ctx: Context, body: TotpDisableIn) -> None:
    """With the password and a current code (or a recovery code)."""
    await two_factor.disable(ctx.user, body.password, body.code)


@api.route("GET", "/me/tokens", guard=SignedIn, summary="My API tokens", tag="accounts")
async def list_tokens(ctx: Context) -> list[TokenOut]:
    return [TokenOut.model_validate(t, from_attributes=True) for t in await accounts.api_tokens(ctx.user)]


@api.route("POST", "/me/tokens", guard=SignedIn, summary="Create an API token", tag="accounts", status=201)
async def create_token(ctx: Context, body: TokenIn) -> TokenCreated:
    secret, token = await accounts.create_api_token(ctx.user, body)
    return TokenCreated(**TokenOut.model_validate(token, from_attributes=True).model_dump(), token=secret)


@api.route(
    "DELETE",
    "/me/tokens/{token_id:int}",
    guard=SignedIn,
    summary="Revoke an API token",
    tag="accounts",
)
async def revoke_token(ctx: Context, token_id: int) -> None:
    """Only the token's owner (another's is not found)."""
    await accounts.revoke_api_token(ctx.user, token_id)


def _organisation_out(organisation: Organisation) -> OrganisationOut:
    return OrganisationOut(
        id=organisation.id,
        name={"zh": organisation.name_zh, "en": organisation.name_en},
        kind=organisation.kind,
        region=organisation.region.code,
        uscc=organisation.uscc,
        contact_email=organisation.contact_email,
        created_at=organisation.created_at,
    )


@api.route("GET", "/organisations", guard=Anyone, summary="The directory of organisations", tag="organisations")
async def list_organisations(ctx: Context, query: OrganisationQuery) -> Page[OrganisationOut]:
    found = Organisation.all().select_related("region")
    if query.kind:
        found = found.filter(kind=query.kind)
    if query.region:
        found = found.filter(region__code=query.region)
    if query.q:
        by_name = Q(name_zh__icontains=query.q) | Q(name_en__icontains=query.q)
        is_uscc = len(query.q) == max_length(Organisation, "uscc")  # a longer one would fail the column's check
        found = found.filter(by_name | Q(uscc=query.q.upper()) if is_uscc else by_name)
    rows, total = await paginate(found.order_by("id"), query)
    return Page(items=[_organisation_out(o) for o in rows], total=total, page=query.page, per_page=query.per_page)


@api.route(
    "POST",
    "/organisations",
    guard=SignedIn,
    summary="Create an organisation",
    tag="organisations",
    status=201,
)
async def create_organisation(ctx: Context, body: OrganisationIn) -> OrganisationOut:
    """Admins create any kind; other users a company or university, which they then manage."""
    organisation = await accounts.create_organisation(ctx.user, body)
    return _organisation_out(await accounts.get_organisation(organisation.id))


@api.route("GET", "/organisations/{organisation_id:int}", guard=Anyone, summary="One organisation", tag="organisations")
async def get_organisation(ctx: Context, organisation_id: int) -> OrganisationOut:
    return _organisation_out(await accounts.get_organisation(organisation_id))


@api.route(
    "PATCH",
    "/organisations/{organisation_id:int}",
    guard=MANAGERS,
    summary="Edit an organisation",
    tag="organisations",
)
async def update_organisation(ctx: Context, organisation_id: int, body: OrganisationPatch) -> OrganisationOut:
    """The kind never changes."""
    await accounts.update_organisation(ctx.user, organisation_id, body)
    return _organisation_out(await accounts.get_organisation(organisation_id))


def _member_out(membership: Membership) -> MemberOut:
    return MemberOut(
        id=membership.id,
        user_id=membership.user.id,
        email=membership.user.email,
        name=membership.user.name,
        role=membership.role,
        created_at=membership.created_at,
    )


@api.route(
    "GET",
    "/organisations/{organisation_id:int}/members",
    guard=Members(of_organisation="organisation_id", roles=tuple(Role)),
    summary="Members and roles",
    tag="organisations",
)
async def list_members(ctx: Context, organisation_id: int) -> list[MemberOut]:
    return [_member_out(m) for m in await memberships.members(ctx.user, organisation_id)]


@api.route(
    "POST",
    "/organisations/{organisation_id:int}/members",
    guard=Admins,
    summary="Place an existing account in a role (admins)",
    tag="organisations",
    status=201,
)
async def add_member(ctx: Context, organisation_id: int, body: MemberIn) -> MemberOut:
    """Provisioning by the bureau; managers invite instead (`/invitations`), so nobody is attached without consent."""
    membership = await memberships.grant(ctx.user, organisation_id, body)
    await membership.fetch_related("user")
    return _member_out(membership)


@api.route(
    "DELETE",
    "/organisations/{organisation_id:int}/members/{membership_id:int}",
    guard=MANAGERS,
    summary="Take a role away",
    tag="organisations",
)
async def remove_member(ctx: Context, organisation_id: int, membership_id: int) -> None:
    """The last manager stays (409) unless an admin removes them."""
    await memberships.remove(ctx.user, organisation_id, membership_id)


@api.route(
    "DELETE",
    "/me/memberships/{membership_id:int}",
    guard=SignedIn,
    summary="Leave an organisation (give up one of my roles)",
    tag="organisations",
)
async def leave_organisation(ctx: Context, membership_id: int) -> None:
    """Only one's own roles (another's is not found); the last manager cannot leave (409)."""
    await memberships.leave(ctx.user, membership_id)


def _invitation_out(invitation: OrganisationInvite) -> InvitationOut:
    return InvitationOut.model_validate(invitation, from_attributes=True)


@api.route(
    "POST",
    "/organisations/{organisation_id:int}/invitations",
    guard=MANAGERS,
    summary="Invite someone by email to hold a role",
    tag="organisations",
    status=202,
)
async def invite_member(ctx: Context, organisation_id: int, body: InvitationIn) -> InvitationOut:
    """The same answer whether or not the address has an account; the person accepts the mailed link."""
    return _invitation_out(await memberships.invite(ctx.user, organisation_id, body, ctx.settings))


@api.route(
    "GET",
    "/organisations/{organisation_id:int}/invitations",
    guard=MANAGERS,
    summary="Open invitations",
    tag="organisations",
)
async def list_invitations(ctx: Context, organisation_id: int) -> list[InvitationOut]:
    return [_invitation_out(i) for i in await memberships.open_invitations(organisation_id)]


@api.route(
    "DELETE",
    "/organisations/{organisation_id:int}/invitations/{invitation_id:int}",
    guard=MANAGERS,
    summary="Withdraw an invitation",
    tag="organisations",
)
async def withdraw_invitation(ctx: Context, organisation_id: int, invitation_id: int) -> None:
    await memberships.withdraw(ctx.user, organisation_id, invitation_id)


@api.route(
    "POST",
    "/invitations/accept",
    guard=SignedIn,
    summary="Accept an invitation to an organisation",
    tag="organisations",
)
async def accept_invitation(ctx: Context, body: AcceptInvitationIn) -> MembershipOut:
    """Signed in with the invited address; each link works once and until it expires."""
    membership = await memberships.accept(ctx.user, body.token, ctx.settings)
    await membership.fetch_related("organisation")
    return _membership_out(membership)
