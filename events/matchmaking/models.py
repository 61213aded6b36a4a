"""The resource pool (应用场景需求和解决方案资源池): scenario needs and AI solutions, and their search terms."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from server.models import Domain, Organisation, Region


class EntryKind(StrEnum):
    NEED = "need"  # 需求: an application scenario an organisation wants AI for
    SOLUTION = "solution"  # 方案: an AI solution an organisation offers


class EntryState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    MATCHED = "matched"
    CLOSED = "closed"


class Maturity(StrEnum):
    PROOF_OF_CONCEPT = "proof_of_concept"  # 概念验证
    PILOT = "pilot"  # 试点应用
    SCALED = "scaled"  # 规模化应用


class BudgetBand(StrEnum):
    UNDER_100K = "under_100k"
    FROM_100K_TO_500K = "100k_500k"
    FROM_500K_TO_2M = "500k_2m"
    OVER_2M = "over_2m"


class Limits:
    """Character limits of the pool's texts, declared once: the columns and the request schemas both use them."""

    TITLE = 200
    DESCRIPTION = 20_000
    TIMING = 100
    CASE = 300
    CASES = 10
    CONTACT_NAME = 100
    CONTACT_PHONE = 20
    CONTACT_EMAIL = 254
    TERM = 40
    DOMAINS = 13


class PoolEntry(Model):
    """A need or a solution of one organisation. Its state moves only through `events.matchmaking.pool.transition`."""

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "server.Organisation", related_name="pool_entries", on_delete=fields.RESTRICT
    )
    kind = fields.CharEnumField(EntryKind, max_length=10)
    state = fields.CharEnumField(EntryState, max_length=10, default=EntryState.DRAFT)
    title_zh = fields.CharField(max_length=Limits.TITLE)
    title_en = fields.CharField(max_length=Limits.TITLE, default="")
    description_md = fields.TextField(default="")
    description_html = fields.TextField(default="")
    domains: fields.ManyToManyRelation[Domain] = fields.ManyToManyField(
        "server.Domain", related_name="pool_entries", through="pool_entry_domain"
    )
    region: fields.ForeignKeyNullableRelation[Region] = fields.ForeignKeyField(
        "server.Region", related_name="pool_entries", null=True, on_delete=fields.RESTRICT
    )
    expected_timing = fields.CharField(
        max_length=Limits.TIMING, default="", description="need: when, e.g. 2026年下半年"
    )
    budget_band = fields.CharEnumField(BudgetBand, max_length=10, null=True, description="need: optional")
    maturity = fields.CharEnumField(Maturity, max_length=20, null=True, description="solution: required")
    reference_cases = fields.JSONField[list[str]](default=list, description="solution: where it already runs")
    contact_name = fields.CharField(max_length=Limits.CONTACT_NAME)
    contact_phone = fields.CharField(max_length=Limits.CONTACT_PHONE)
    contact_email = fields.CharField(max_length=Limits.CONTACT_EMAIL)
    term_count = fields.IntField(default=0, description="search terms in title, description and cases (BM25 length)")
    published_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    organisation_id: int
    region_id: int | None
    terms: fields.ReverseRelation[PoolTerm]

    class Meta:
        table = "pool_entry"
        indexes = (("state", "kind"),)


class PoolTerm(Model):
    """The inverted index of the pool: how often each segmented term occurs in an entry. Rewritten with the entry's
    texts, so that a query segments only itself."""

    id = fields.IntField(primary_key=True)
    entry: fields.ForeignKeyRelation[PoolEntry] = fields.ForeignKeyField(
        "matchmaking.PoolEntry", related_name="terms", on_delete=fields.CASCADE
    )
    term = fields.CharField(max_length=Limits.TERM, db_index=True)
    count = fields.IntField()

    entry_id: int

    class Meta:
        table = "pool_term"
        unique_together = (("entry", "term"),)
