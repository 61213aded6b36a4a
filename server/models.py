"""Platform models: reference data, accounts, organisations and roles, tokens, rate limits, audit log."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class OrganisationKind(StrEnum):
    BUREAU = "bureau"
    ORGANISER = "organiser"
    COMPANY = "company"
    TRAINING_BASE = "training_base"
    UNIVERSITY = "university"


class Role(StrEnum):
    """A member's role in one organisation (docs/architecture.md#roles); `manager` administers the members."""

    MANAGER = "manager"
    ORGANISER = "organiser"
    CHECKER = "checker"
    JUDGE = "judge"
    REPORTER = "reporter"


class TokenKind(StrEnum):
    SESSION = "session"
    API = "api"


class ReferenceItem(Model):
    """Reference data seeded by a data migration: a stable code and a `{"zh", "en"}` name."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=40, unique=True)
    name = fields.JSONField[dict[str, str]]()

    class Meta:
        abstract = True


class Region(ReferenceItem):
    """A district, county or park of the city."""

    class Meta:
        table = "region"


class Domain(ReferenceItem):
    """An application domain for AI (工业制造, 医疗健康, ...)."""

    class Meta:
        table = "domain"


class User(Model):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True, description="stored lower-cased: unique in any case")
    name = fields.CharField(max_length=100)
    password_hash = fields.CharField(max_length=200)
    locale = fields.CharField(max_length=8, default="zh-CN")
    is_admin = fields.BooleanField(default=False)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    email_verified_at = fields.DatetimeField(null=True, description="when a mailed link proved the address")
    totp_secret = fields.CharField(max_length=32, null=True, description="base32, set at enrolment")
    totp_confirmed_at = fields.DatetimeField(null=True, description="from then on a login needs the second factor")
    totp_last_step = fields.BigIntField(null=True, description="the 30-second step of the last code used: used once")
    totp_recovery_hashes: fields.Field[list[str]] = fields.JSONField(
        default=list, description="SHA-256 of each unused single-use recovery code"
    )

    class Meta:
        table = "user"

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def second_factor(self) -> bool:
        return self.totp_confirmed_at is not None


class Organisation(Model):
    id = fields.IntField(primary_key=True)
    name_zh = fields.CharField(max_length=200)
    name_en = fields.CharField(max_length=200, default="")
    kind = fields.CharEnumField(OrganisationKind, max_length=20)
    region: fields.ForeignKeyRelation[Region] = fields.ForeignKeyField(
        "server.Region", related_name="organisations", on_delete=fields.RESTRICT
    )
    uscc = fields.CharField(max_length=18, null=True, unique=True)
    contact_email = fields.CharField(max_length=254, default="", description="ORGANIZER of its calendar invitations")
    created_at = fields.DatetimeField(auto_now_add=True)

    region_id: int

    class Meta:
        table = "organisation"


class Membership(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "server.User", related_name="memberships", on_delete=fields.CASCADE
    )
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "server.Organisation", related_name="memberships", on_delete=fields.CASCADE
    )
    role = fields.CharEnumField(Role, max_length=20)
    created_at = fields.DatetimeField(auto_now_add=True)

    user_id: int
    organisation_id: int

    class Meta:
        table = "membership"
        unique_together = (("user", "organisation", "role"),)


class OrganisationInvite(Model):
    """An invitation to hold a role, by email: the accept link signs (id, expiry), and nothing secret is stored."""

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "server.Organisation", related_name="invites", on_delete=fields.CASCADE
    )
    email = fields.CharField(max_length=254)
    role = fields.CharEnumField(Role, max_length=20)
    invited_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "server.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    accepted_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    organisation_id: int
    invited_by_id: int | None

    class Meta:
        table = "organisation_invite"


class AuthToken(Model):
    """A browser session or a named API token: only the SHA-256 of the secret is stored."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "server.User", related_name="tokens", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(TokenKind, max_length=10)
    name = fields.CharField(max_length=100, default="")
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(null=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    user_id: int

    class Meta:
        table = "auth_token"


class RateLimitBucket(Model):
    """Attempts counted per key and fixed window, shared by every process through the database."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=300)
    window_start = fields.DatetimeField()
    count = fields.IntField(default=0)

    class Meta:
        table = "rate_limit_bucket"
        unique_together = (("key", "window_start"),)


class AuditEntry(Model):
    """Who changed what, from which state to which, and when. Written only by `server.audit.record`."""

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField(auto_now_add=True, db_index=True)
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "server.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    actor_label = fields.CharField(max_length=100, default="")
    action = fields.CharField(max_length=60)
    object_type = fields.CharField(max_length=60)
    object_id = fields.CharField(max_length=64)
    organisation_id = fields.IntField(null=True, db_index=True)
    before = fields.JSONField[dict[str, object]](null=True)
    after = fields.JSONField[dict[str, object]](null=True)
    request_id = fields.CharField(max_length=64, null=True, description="X-Request-ID of the request that did it")

    actor_id: int | None

    class Meta:
        table = "audit_entry"
        indexes = (("object_type", "object_id"),)


class JobRun(Model):
    """That an hourly job ran in one hour: the unique row is claimed by one process, and the others skip it."""

    id = fields.BigIntField(primary_key=True)
    job = fields.CharField(max_length=60)
    hour = fields.DatetimeField(description="the start of the hour, UTC")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "job_run"
        unique_together = (("job", "hour"),)
