"""The resource pool (应用场景需求和解决方案资源池): scenario needs and AI solutions, and their search terms; and the
participants of a matchmaking event (对接会): its rules and grid, parties, their interest in each other, schedules."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from events.models import Event, Registration
from server.models import Domain, Organisation, Region, User


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


class Pairing(StrEnum):
    SUPPLY_DEMAND = "supply_demand"  # a supplier meets a party with needs (the default)
    ANY = "any"  # any two parties may meet


class InterestMode(StrEnum):
    PREFERENCES = "preferences"  # each party marks counterparts must / want / no
    REQUESTS = "requests"  # a party asks for a meeting with a message; the other side accepts or declines


class PartySide(StrEnum):
    DEMAND = "demand"  # 需求方
    SUPPLY = "supply"  # 供给方
    BOTH = "both"


class Level(StrEnum):
    MUST = "must"
    WANT = "want"
    NO = "no"


class RequestState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class Outcome(StrEnum):
    NONE = "none"  # 无后续
    INTERESTED = "interested"  # 有意向
    NEGOTIATING = "negotiating"  # 洽谈中
    SIGNED = "signed"  # 已签约


class RunState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Matchmaking(Model):
    """The rules and session grid of one event of kind `matchmaking`. `sessions` holds `grid.SessionIn` rows
    (validated on the way in); `tables` the tables' names. Slots are numbered across sessions from 0."""

    id = fields.IntField(primary_key=True)
    event: fields.OneToOneRelation[Event] = fields.OneToOneField(
        "events.Event", related_name="matchmaking", on_delete=fields.CASCADE
    )
    pairing = fields.CharEnumField(Pairing, max_length=20, default=Pairing.SUPPLY_DEMAND)
    mode = fields.CharEnumField(InterestMode, max_length=20, default=InterestMode.PREFERENCES)
    meeting_cap = fields.IntField(null=True, description="most meetings one party has, NULL for no cap")
    slot_minutes = fields.IntField()
    sessions = fields.JSONField[list[dict[str, object]]](default=list)
    tables = fields.JSONField[list[str]](default=list)
    updated_at = fields.DatetimeField(auto_now=True)

    event_id: int

    class Meta:
        table = "matchmaking"


class Party(Model):
    """One organisation's team at a matchmaking event: its colleagues share one schedule."""

    id = fields.IntField(primary_key=True)
    matchmaking: fields.ForeignKeyRelation[Matchmaking] = fields.ForeignKeyField(
        "matchmaking.Matchmaking", related_name="parties", on_delete=fields.CASCADE
    )
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "server.Organisation", related_name="matchmaking_parties", on_delete=fields.RESTRICT
    )
    side = fields.CharEnumField(PartySide, max_length=10)
    entries: fields.ManyToManyRelation[PoolEntry] = fields.ManyToManyField(
        "matchmaking.PoolEntry", related_name="parties", through="matchmaking_party_entry"
    )
    fixed_table = fields.IntField(null=True, description="index into Matchmaking.tables: the supplier's own booth")
    unavailable = fields.JSONField[list[int]](default=list, description="slot numbers the party cannot meet in")
    created_at = fields.DatetimeField(auto_now_add=True)

    matchmaking_id: int
    organisation_id: int
    members: fields.ReverseRelation[PartyMember]

    class Meta:
        table = "matchmaking_party"
        unique_together = (("matchmaking", "organisation"),)


class PartyMember(Model):
    """A confirmed registrant of the event in a party, in one party at most."""

    id = fields.IntField(primary_key=True)
    party: fields.ForeignKeyRelation[Party] = fields.ForeignKeyField(
        "matchmaking.Party", related_name="members", on_delete=fields.CASCADE
    )
    registration: fields.OneToOneRelation[Registration] = fields.OneToOneField(
        "events.Registration", related_name="party_member", on_delete=fields.CASCADE
    )

    party_id: int
    registration_id: int

    class Meta:
        table = "matchmaking_party_member"


class Preference(Model):
    """How `party` stands to meeting `counterpart` (mode `preferences`)."""

    id = fields.IntField(primary_key=True)
    party: fields.ForeignKeyRelation[Party] = fields.ForeignKeyField(
        "matchmaking.Party", related_name="preferences", on_delete=fields.CASCADE
    )
    counterpart: fields.ForeignKeyRelation[Party] = fields.ForeignKeyField(
        "matchmaking.Party", related_name="preferred_by", on_delete=fields.CASCADE
    )
    level = fields.CharEnumField(Level, max_length=10)
    updated_at = fields.DatetimeField(auto_now=True)

    party_id: int
    counterpart_id: int

    class Meta:
        table = "matchmaking_preference"
        unique_together = (("party", "counterpart"),)


class MeetingRequest(Model):
    """A meeting `party` asks `counterpart` for (mode `requests`), one per ordered pair."""

    id = fields.IntField(primary_key=True)
    party: fields.ForeignKeyRelation[Party] = fields.ForeignKeyField(
        "matchmaking.Party", related_name="requests_sent", on_delete=fields.CASCADE
    )
    counterpart: fields.ForeignKeyRelation[Party] = fields.ForeignKeyField(
        "matchmaking.Party", related_name="requests_received", on_delete=fields.CASCADE
    )
    message = fields.TextField(default="")
    state = fields.CharEnumField(RequestState, max_length=10, default=RequestState.PENDING)
    created_at = fields.DatetimeField(auto_now_add=True)
    answered_at = fields.DatetimeField(null=True)

    party_id: int
    counterpart_id: int

    class Meta:
        table = "matchmaking_request"
        unique_together = (("party", "counterpart"),)


class OrganiserMeeting(Model):
    """A must-meet the organiser adds, optionally fixed to a slot. `party_a` has the smaller party id."""

    id = fields.IntField(primary_key=True)
    matchmaking: fields.ForeignKeyRelation[Matchmaking] = fields.ForeignKeyField(
        "matchmaking.Matchmaking", related_name="organiser_meetings", on_delete=fields.CASCADE
    )
    party_a: fields.ForeignKeyRelation[Party] = fields.ForeignKeyField(
        "matchmaking.Party", related_name="organiser_meetings_a", on_delete=fields.CASCADE
    )
    party_b: fields.ForeignKeyRelation[Party] = fields.ForeignKeyField(
        "matchmaking.Party", related_name="organiser_meetings_b", on_delete=fields.CASCADE
    )
    slot = fields.IntField(null=True, description="the slot the organiser fixes it to, NULL for any")

    matchmaking_id: int
    party_a_id: int
    party_b_id: int

    class Meta:
        table = "matchmaking_organiser_meeting"
        unique_together = (("party_a", "party_b"),)


class ScheduleRun(Model):
    """One computation of a provisional schedule, run off the request path, with its meetings once `done`."""

    id = fields.IntField(primary_key=True)
    matchmaking: fields.ForeignKeyRelation[Matchmaking] = fields.ForeignKeyField(
        "matchmaking.Matchmaking", related_name="schedule_runs", on_delete=fields.CASCADE
    )
    state = fields.CharEnumField(RunState, max_length=10, default=RunState.QUEUED)
    time_limit = fields.FloatField()
    fairness_d = fields.IntField(null=True)
    status = fields.CharField(max_length=12, default="", description="scheduler.Status once done")
    stages = fields.JSONField[list[dict[str, object]]](default=list)
    objective = fields.JSONField[dict[str, int]](null=True)
    wanted = fields.IntField(default=0, description="meetings the problem asked for")
    seconds = fields.FloatField(null=True)
    error = fields.CharField(max_length=500, default="")
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "server.User", related_name="schedule_runs", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)
    published_at = fields.DatetimeField(null=True, description="set on the event's published schedule only")
    version = fields.IntField(default=1, description="bumped by every organiser edit of its meetings")
    kept: fields.ForeignKeyNullableRelation[ScheduleRun] = fields.ForeignKeyField(
        "matchmaking.ScheduleRun",
        related_name="fills",
        null=True,
        on_delete=fields.SET_NULL,
        description="a fill: every meeting of this schedule stays in its cell, only empty cells get new ones",
    )

    matchmaking_id: int
    kept_id: int | None

    class Meta:
        table = "matchmaking_schedule_run"


class ScheduledMeeting(Model):
    """A meeting of a provisional schedule: two parties at one slot and table."""

    id = fields.IntField(primary_key=True)
    run: fields.ForeignKeyRelation[ScheduleRun] = fields.ForeignKeyField(
        "matchmaking.ScheduleRun", related_name="meetings", on_delete=fields.CASCADE
    )
    party_a: fields.ForeignKeyRelation[Party] = fields.ForeignKeyField(
        "matchmaking.Party", related_name="scheduled_a", on_delete=fields.CASCADE
    )
    party_b: fields.ForeignKeyRelation[Party] = fields.ForeignKeyField(
        "matchmaking.Party", related_name="scheduled_b", on_delete=fields.CASCADE
    )
    slot = fields.IntField()
    table = fields.IntField()
    must = fields.BooleanField(default=False)

    run_id: int
    party_a_id: int
    party_b_id: int

    class Meta:
        table = "matchmaking_scheduled_meeting"
        unique_together = (("run", "slot", "table"),)


class MeetingEntry(Model):
    """The calendar identity of one pair's meeting at an event: its UID stays, its SEQUENCE bumps when a published
    schedule moves it or drops it (then `cancelled`)."""

    id = fields.IntField(primary_key=True)
    matchmaking: fields.ForeignKeyRelation[Matchmaking] = fields.ForeignKeyField(
        "matchmaking.Matchmaking", related_name="meeting_entries", on_delete=fields.CASCADE
    )
    party_a: fields.ForeignKeyRelation[Party] = fields.ForeignKeyField(
        "matchmaking.Party", related_name="entries_a", on_delete=fields.CASCADE
    )
    party_b: fields.ForeignKeyRelation[Party] = fields.ForeignKeyField(
        "matchmaking.Party", related_name="entries_b", on_delete=fields.CASCADE
    )
    uid = fields.CharField(max_length=100, unique=True)
    sequence = fields.IntField(default=0)
    slot = fields.IntField()
    table = fields.IntField()
    cancelled = fields.BooleanField(default=False)
    updated_at = fields.DatetimeField(auto_now=True)
    held_at = fields.DatetimeField(null=True, description="checked in at the table: the meeting took place")
    outcome_a = fields.CharEnumField(Outcome, max_length=12, null=True, description="as party_a tells it")
    outcome_b = fields.CharEnumField(Outcome, max_length=12, null=True, description="as party_b tells it")

    matchmaking_id: int
    party_a_id: int
    party_b_id: int

    class Meta:
        table = "matchmaking_meeting_entry"
        unique_together = (("party_a", "party_b"),)
