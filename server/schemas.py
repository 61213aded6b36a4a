"""Request and response shapes of the platform endpoints."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from server.api import PageQuery
from server.fields import Multiline, max_length
from server.identifiers import USCC, Email
from server.models import OrganisationKind, Region, Role
from server.settings import Locale


def _one_line(value: object) -> object:
    """Line breaks and tabs pasted into a one-line field become single spaces."""
    return re.sub(r"[\r\n\t\v\f]+", " ", value).strip() if isinstance(value, str) else value


OneLine = BeforeValidator(_one_line)
Name = Annotated[str, StringConstraints(min_length=1, max_length=100), OneLine]
Title = Annotated[str, StringConstraints(min_length=1, max_length=200), OneLine]
SearchText = Annotated[str, StringConstraints(max_length=100), OneLine]
Password = Annotated[str, StringConstraints(min_length=10, max_length=200)]


def _in_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


# An instant from a client, stored and compared in UTC: SQLite keeps datetimes as text, so 09:30+08:00 and 01:00Z
# would compare as strings, not as moments.
Instant = Annotated[AwareDatetime, AfterValidator(_in_utc)]


class In(BaseModel):
    """Base of every request body: unknown fields are refused rather than silently dropped."""

    model_config = ConfigDict(extra="forbid")


class I18nText(In):
    """Text the public sees, in Chinese (required) and English (optional)."""

    zh: Title
    en: Annotated[str, StringConstraints(max_length=200), OneLine] = ""


class ShortI18nText(In):
    """A name the public sees, in Chinese (required) and English (optional), for columns of 100 characters."""

    zh: Name
    en: Annotated[str, StringConstraints(max_length=100), OneLine] = ""


class MarkdownIn(In):
    text: Annotated[str, StringConstraints(max_length=20_000), Multiline]


class MarkdownOut(BaseModel):
    html: str = Field(description="Sanitised HTML, exactly as an event description with this text would show.")


class ReferenceOut(BaseModel):
    code: str
    name: dict[str, str]


class SignupIn(In):
    email: Email
    password: Password
    name: Name
    locale: Locale = "zh-CN"


class MailedOut(BaseModel):
    """The answer of a request whose next step comes by mail: the same whether or not the address has an account."""

    email: str = Field(description="The address the request named.")


class VerifyEmailIn(In):
    token: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="The `token` of the mailed verification link."
    )


class PasswordResetRequestIn(In):
    email: Email


class PasswordResetIn(In):
    token: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="The `token` of the mailed reset link."
    )
    password: Password


class LoggedOutOut(BaseModel):
    revoked: int = Field(description="How many sessions and API tokens ended.")


class ProfilePatch(In):
    name: Name | None = None
    locale: Locale | None = Field(default=None, description="The language of the pages, the API's messages and mail.")


class LoginIn(In):
    email: Email
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    code: Annotated[str, StringConstraints(min_length=1, max_length=20)] | None = Field(
        default=None, description="For an account with a second factor: the app's 6-digit code or a recovery code."
    )


class TotpEnrolmentOut(BaseModel):
    secret: str = Field(description="Base32, for typing into an authenticator app by hand.")
    uri: str = Field(description="The otpauth:// URI the QR code holds.")
    qr_svg: str = Field(description="The URI as a QR image (an SVG data URI).")


class TotpCodeIn(In):
    code: Annotated[str, StringConstraints(min_length=6, max_length=6, pattern=r"^[0-9]{6}$")]


class TotpRecoveryCodesOut(BaseModel):
    recovery_codes: list[str] = Field(description="Ten single-use codes, shown this once.")


class TotpDisableIn(In):
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    code: Annotated[str, StringConstraints(min_length=1, max_length=20)]


class LoginOut(BaseModel):
    token: str = Field(description="A session secret: send it as `Authorization: Bearer`, or rely on the cookie.")
    csrf_token: str = Field(description="Send as the X-CSRF-Token header on unsafe requests that use the cookie.")
    expires_at: datetime


class MembershipOut(BaseModel):
    id: int
    organisation_id: int
    organisation_kind: OrganisationKind
    role: Role


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    locale: Locale
    is_admin: bool
    created_at: datetime
    email_verified: bool = Field(description="Whether a mailed link has proven the address.")
    second_factor: bool = Field(description="Whether a login needs a TOTP code after the password.")


class MeOut(UserOut):
    memberships: list[MembershipOut]
    csrf_token: str | None = Field(description="Present when the request was authenticated by the session cookie.")


class CurrentSessionOut(BaseModel):
    user: MeOut | None = Field(description="The signed-in account, or null for an anonymous caller.")


class TokenIn(In):
    name: Name
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class TokenOut(BaseModel):
    id: int
    name: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The secret, shown only in this answer.")


class OrganisationIn(In):
    name: I18nText
    kind: OrganisationKind
    region: Annotated[str, StringConstraints(max_length=40)] = Field(description="A region code from /regions.")
    uscc: USCC | None = Field(default=None, description="统一社会信用代码, checked against its check character.")
    contact_email: Email | None = Field(default=None, description="Organiser of its calendar invitations.")


class OrganisationPatch(In):
    """Only the fields sent change; `uscc` and `contact_email` are cleared with null. The kind never changes."""

    name: I18nText | None = None
    region: Annotated[str, StringConstraints(max_length=40)] | None = None
    uscc: USCC | None = None
    contact_email: Email | None = None


class OrganisationOut(BaseModel):
    id: int
    name: dict[str, str]
    kind: OrganisationKind
    region: str
    uscc: str | None
    contact_email: str
    created_at: datetime


class OrganisationQuery(PageQuery):
    kind: OrganisationKind | None = None
    region: str | None = Field(default=None, max_length=max_length(Region, "code"))
    q: SearchText | None = None


class MemberIn(In):
    email: Email
    role: Role


class InvitationIn(In):
    email: Email
    role: Role


class InvitationOut(BaseModel):
    id: int
    email: str
    role: Role
    created_at: datetime
    expires_at: datetime


class AcceptInvitationIn(In):
    token: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="The `token` of the mailed link."
    )


class MemberOut(BaseModel):
    id: int
    user_id: int
    email: str
    name: str
    role: Role
    created_at: datetime


class Health(BaseModel):
    status: str


class ErasureIn(In):
    confirm: Literal[True] = Field(description="Must be true: the erasure cannot be undone, not even by organisers.")


class ErasureOut(BaseModel):
    erased: dict[str, int] = Field(description="Rows anonymised or removed, per section of the person's data.")


PersonalData = dict[str, list[dict[str, Any]]]  # section name -> its rows (server/personal_data.py)
