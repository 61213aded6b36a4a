from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from server.models import OrganisationKind, Role, TokenKind
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="Domain",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("code", fields.CharField(unique=True, max_length=40)),
                ("name", fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={
                "table": "domain",
                "app": "server",
                "pk_attr": "id",
                "table_description": "An application domain for AI (工业制造, 医疗健康, ...).",
            },
            bases=["ReferenceItem"],
        ),
        ops.CreateModel(
            name="RateLimitBucket",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("key", fields.CharField(max_length=300)),
                ("window_start", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("count", fields.IntField(default=0)),
            ],
            options={
                "table": "rate_limit_bucket",
                "app": "server",
                "unique_together": (("key", "window_start"),),
                "pk_attr": "id",
                "table_description": "Attempts counted per key and fixed window, shared by every process through the database.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Region",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("code", fields.CharField(unique=True, max_length=40)),
                ("name", fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={
                "table": "region",
                "app": "server",
                "pk_attr": "id",
                "table_description": "A district, county or park of the city.",
            },
            bases=["ReferenceItem"],
        ),
        ops.CreateModel(
            name="Organisation",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("name_zh", fields.CharField(max_length=200)),
                ("name_en", fields.CharField(default="", max_length=200)),
                (
                    "kind",
                    fields.CharEnumField(
                        description="BUREAU: bureau\nORGANISER: organiser\nCOMPANY: company\nTRAINING_BASE: training_base\nUNIVERSITY: university",
                        enum_type=OrganisationKind,
                        max_length=20,
                    ),
                ),
                (
                    "region",
                    fields.ForeignKeyField(
                        "server.Region",
                        source_field="region_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="organisations",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("uscc", fields.CharField(null=True, unique=True, max_length=18)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={"table": "organisation", "app": "server", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="User",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "email",
                    fields.CharField(unique=True, description="stored lower-cased: unique in any case", max_length=254),
                ),
                ("name", fields.CharField(max_length=100)),
                ("password_hash", fields.CharField(max_length=200)),
                ("locale", fields.CharField(default="zh-CN", max_length=8)),
                ("is_admin", fields.BooleanField(default=False)),
                ("is_active", fields.BooleanField(default=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={"table": "user", "app": "server", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="AuditEntry",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("at", fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                (
                    "actor",
                    fields.ForeignKeyField(
                        "server.User",
                        source_field="actor_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("actor_label", fields.CharField(default="", max_length=100)),
                ("action", fields.CharField(max_length=60)),
                ("object_type", fields.CharField(max_length=60)),
                ("object_id", fields.CharField(max_length=64)),
                ("organisation_id", fields.IntField(null=True, db_index=True)),
                ("before", fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ("after", fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={
                "table": "audit_entry",
                "app": "server",
                "indexes": [Index(fields=["object_type", "object_id"])],
                "pk_attr": "id",
                "table_description": "Who changed what, from which state to which, and when. Written only by `server.audit.record`.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="AuthToken",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "user",
                    fields.ForeignKeyField(
                        "server.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="tokens",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "kind",
                    fields.CharEnumField(description="SESSION: session\nAPI: api", enum_type=TokenKind, max_length=10),
                ),
                ("name", fields.CharField(default="", max_length=100)),
                ("token_hash", fields.CharField(unique=True, max_length=64)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("expires_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("last_used_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("revoked_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "auth_token",
                "app": "server",
                "pk_attr": "id",
                "table_description": "A browser session or a named API token: only the SHA-256 of the secret is stored.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Membership",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "user",
                    fields.ForeignKeyField(
                        "server.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="memberships",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "organisation",
                    fields.ForeignKeyField(
                        "server.Organisation",
                        source_field="organisation_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="memberships",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "role",
                    fields.CharEnumField(
                        description="MANAGER: manager\nORGANISER: organiser\nCHECKER: checker\nJUDGE: judge\nREPORTER: reporter",
                        enum_type=Role,
                        max_length=20,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "membership",
                "app": "server",
                "unique_together": (("user", "organisation", "role"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
    ]
