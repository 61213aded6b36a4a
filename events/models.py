"""Events, agenda sessions, ticket types, quotas, questions, registrations and their capacity holds."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from server.models import Domain, Organisation, Region, User


class EventKind(StrEnum):
    CONFERENCE = "conference"
    FORUM = "forum"
    MATCHMAKING = "matchmaking"
    COMPETITION = "competition"
    TRAINING = "training"


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


class RegistrationStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    OFFERED = "offered"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


class RegistrationWindow(StrEnum):
    """Whether an event takes registrations now, and if not, why not."""

    OPEN = "open"
    NOT_YET = "not_yet"  # its registration opens later
    CLOSED = "closed"  # its registration has closed (by default at the start), or it is a draft
    ENDED = "ended"  # completed, or over
    CANCELLED = "cancelled"


# States that hold capacity (a seat in every quota the registration counts against).
HOLDING = frozenset({RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED})
ACTIVE = HOLDING | {RegistrationStatus.WAITLISTED}


class QuestionKind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    SINGLE_CHOICE = "single_choice"
    MULTI_CHOICE = "multi_choice"
    BOOL = "bool"
    DATE = "date"
    PHONE = "phone"
    USCC = "uscc"
    EMAIL = "email"


class Event(Model):
    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "server.Organisation", related_name="events", on_delete=fields.RESTRICT
    )
    kind = fields.CharEnumField(EventKind, max_length=20)
    status = fields.CharEnumField(EventStatus, max_length=20, default=EventStatus.DRAFT)
    title_zh = fields.CharField(max_length=200)
    title_en = fields.CharField(max_length=200, default="")
    summary_zh = fields.CharField(max_length=500, default="")
    summary_en = fields.CharField(max_length=500, default="")
    description_md = fields.TextField(default="")
    description_html = fields.TextField(default="")
    region: fields.ForeignKeyRelation[Region] = fields.ForeignKeyField(
        "server.Region", related_name="events", on_delete=fields.RESTRICT
    )
    venue = fields.CharField(max_length=300, default="")
    online_url = fields.CharField(max_length=500, default="")
    starts_at = fields.DatetimeField(db_index=True)
    ends_at = fields.DatetimeField()
    timezone = fields.CharField(max_length=60)
    registration_opens_at = fields.DatetimeField(null=True)
    registration_closes_at = fields.DatetimeField(null=True)
    requires_approval = fields.BooleanField(default=False)
    waitlist_enabled = fields.BooleanField(default=True)
    offer_hours = fields.IntField(default=48)
    agenda_in_calendar = fields.BooleanField(default=False, description="agenda sessions as their own VEVENTs")
    alarm_minutes = fields.IntField(null=True, default=60, description="VALARM this long before, null for none")
    reminder_hours = fields.JSONField[list[int]](default=[24, 1], description="reminder mails this long before")
    sms_notices = fields.JSONField[list[str]](default=list, description="notice kinds also sent by SMS")
    static_entry_code = fields.BooleanField(default=True, description="the printable static QR code admits too")
    retention_days = fields.IntField(default=180, description="registrants' data anonymised this long after the end")
    privacy_notice_version = fields.IntField(default=0, description="the current notice, 0 for the default text")
    personal_data_erased_at = fields.DatetimeField(null=True, description="when retention anonymised its registrants")
    tags: fields.ManyToManyRelation[Domain] = fields.ManyToManyField(
        "server.Domain", related_name="events", through="event_tag"
    )
    uid = fields.CharField(max_length=100, unique=True, description="iCalendar UID, fixed at creation")
    sequence = fields.IntField(default=0, description="iCalendar SEQUENCE, bumped with time, place or status")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    organisation_id: int
    region_id: int
    sessions: fields.ReverseRelation[AgendaSession]

    class Meta:
        table = "event"

    def window(self, now: datetime) -> RegistrationWindow:
        """The one rule for when an event takes registrations: published, inside its window (by default until
        it starts)."""
        if self.status is EventStatus.CANCELLED:
            return RegistrationWindow.CANCELLED
        if self.status is EventStatus.COMPLETED or self.ends_at <= now:
            return RegistrationWindow.ENDED
        if self.status is not EventStatus.PUBLISHED or now >= (self.registration_closes_at or self.starts_at):
            return RegistrationWindow.CLOSED
        if self.registration_opens_at and now < self.registration_opens_at:
            return RegistrationWindow.NOT_YET
        return RegistrationWindow.OPEN


class AgendaSession(Model):
    id = fields.IntField(primary_key=True)
    event: fields.ForeignKeyRelation[Event] = fields.ForeignKeyField(
        "events.Event", related_name="sessions", on_delete=fields.CASCADE
    )
    title_zh = fields.CharField(max_length=200)
    title_en = fields.CharField(max_length=200, default="")
    speakers = fields.JSONField[list[str]](default=list)
    room = fields.CharField(max_length=100, default="")
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    uid = fields.CharField(max_length=100, unique=True, description="iCalendar UID, fixed at creation")

    event_id: int

    class Meta:
        table = "agenda_session"


class TicketType(Model):
    id = fields.IntField(primary_key=True)
    event: fields.ForeignKeyRelation[Event] = fields.ForeignKeyField(
        "events.Event", related_name="ticket_types", on_delete=fields.CASCADE
    )
    name_zh = fields.CharField(max_length=100)
    name_en = fields.CharField(max_length=100, default="")
    is_default = fields.BooleanField(default=False)

    event_id: int

    class Meta:
        table = "ticket_type"


class Question(Model):
    id = fields.IntField(primary_key=True)
    event: fields.ForeignKeyRelation[Event] = fields.ForeignKeyField(
        "events.Event", related_name="questions", on_delete=fields.CASCADE
    )
    key = fields.CharField(max_length=40)
    kind = fields.CharEnumField(QuestionKind, max_length=20)
    label_zh = fields.CharField(max_length=200)
    label_en = fields.CharField(max_length=200, default="")
    required = fields.BooleanField(default=False)
    position = fields.IntField(default=0)
    minimum = fields.FloatField(null=True)
    maximum = fields.FloatField(null=True)
    choices = fields.JSONField[list[dict[str, object]]](default=list, description="[{key, zh, en, limit}]")

    event_id: int

    class Meta:
        table = "question"
        unique_together = (("event", "key"),)


class Quota(Model):
    """Scarce capacity: `used` counts holders and only ever moves through `events.capacity`.

    A quota covers every ticket type of its event (`covers_all`, the event's capacity), the ticket types linked
    to it, or one limited choice of a question (`question` + `choice_key`).
    """

    id = fields.IntField(primary_key=True)
    event: fields.ForeignKeyRelation[Event] = fields.ForeignKeyField(
        "events.Event", related_name="quotas", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)
    size = fields.IntField()
    used = fields.IntField(default=0)
    covers_all = fields.BooleanField(default=False)
    is_event_capacity = fields.BooleanField(default=False, description="the quota behind Event.capacity")
    ticket_types: fields.ManyToManyRelation[TicketType] = fields.ManyToManyField(
        "events.TicketType", related_name="quotas", through="quota_ticket_type"
    )
    question: fields.ForeignKeyNullableRelation[Question] = fields.ForeignKeyField(
        "events.Question", related_name="choice_quotas", null=True, on_delete=fields.CASCADE
    )
    choice_key = fields.CharField(max_length=40, null=True)

    event_id: int
    question_id: int | None

    class Meta:
        table = "quota"


class Registration(Model):
    """One person's place at an event. `seq` orders the waiting list, `active_email` keeps one active per email."""

    seq = fields.BigIntField(primary_key=True)
    id = fields.UUIDField(unique=True)
    event: fields.ForeignKeyRelation[Event] = fields.ForeignKeyField(
        "events.Event", related_name="registrations", on_delete=fields.CASCADE
    )
    ticket_type: fields.ForeignKeyRelation[TicketType] = fields.ForeignKeyField(
        "events.TicketType", related_name="registrations", on_delete=fields.RESTRICT
    )
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "server.User", related_name="registrations", null=True, on_delete=fields.SET_NULL
    )
    email = fields.CharField(max_length=254)
    active_email = fields.CharField(max_length=254, null=True, description="email while active, else NULL")
    name = fields.CharField(max_length=100)
    locale = fields.CharField(max_length=8, default="zh-CN")
    answers = fields.JSONField[dict[str, object]](default=dict)
    status = fields.CharEnumField(RegistrationStatus, max_length=20)
    manage_token_hash = fields.CharField(max_length=64, unique=True)
    offered_until = fields.DatetimeField(null=True)
    reason = fields.CharField(max_length=500, default="")
    checked_in_at = fields.DatetimeField(null=True)
    checkin_nonce = fields.CharField(max_length=64, null=True)
    checkin_window = fields.BigIntField(null=True, description="the dynamic entry code's window that admitted")
    privacy_notice_version = fields.IntField(default=0, description="the version of the notice accepted")
    anonymised_at = fields.DatetimeField(null=True, description="when its personal data was replaced")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    event_id: int
    ticket_type_id: int
    user_id: int | None

    class Meta:
        table = "registration"
        unique_together = (("event", "active_email"),)
        indexes = (("event_id", "status", "seq"),)


class PrivacyNotice(Model):
    """One version of an event's privacy notice, as registrants accepted it. Version 0 (no row) is the default text
    of the catalogue; a row's empty text means the default text for its retention period."""

    id = fields.IntField(primary_key=True)
    event: fields.ForeignKeyRelation[Event] = fields.ForeignKeyField(
        "events.Event", related_name="privacy_notices", on_delete=fields.CASCADE
    )
    version = fields.IntField()
    text_zh = fields.TextField(default="")
    text_en = fields.TextField(default="")
    retention_days = fields.IntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    event_id: int

    class Meta:
        table = "privacy_notice"
        unique_together = (("event", "version"),)


class QuotaHold(Model):
    """One unit of a quota held by one registration: `quancheng check` recounts these against `Quota.used`."""

    id = fields.BigIntField(primary_key=True)
    quota: fields.ForeignKeyRelation[Quota] = fields.ForeignKeyField(
        "events.Quota", related_name="holds", on_delete=fields.CASCADE
    )
    registration: fields.ForeignKeyRelation[Registration] = fields.ForeignKeyField(
        "events.Registration", related_name="holds", on_delete=fields.CASCADE
    )

    quota_id: int
    registration_id: int

    class Meta:
        table = "quota_hold"
        unique_together = (("quota", "registration"),)


class IdempotencyRecord(Model):
    """The first answer to a registration request sent with an Idempotency-Key (the key itself is stored hashed)."""

    id = fields.BigIntField(primary_key=True)
    key_hash = fields.CharField(max_length=64, unique=True)
    request_hash = fields.CharField(max_length=64)
    registration: fields.ForeignKeyRelation[Registration] = fields.ForeignKeyField(
        "events.Registration", related_name=False, on_delete=fields.CASCADE
    )
    status = fields.CharEnumField(RegistrationStatus, max_length=20)
    waitlist_position = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    registration_id: int

    class Meta:
        table = "idempotency_record"


class ReminderRun(Model):
    """That the reminders of one event at one offset were scheduled: a second scheduler finds it and stops."""

    id = fields.IntField(primary_key=True)
    event: fields.ForeignKeyRelation[Event] = fields.ForeignKeyField(
        "events.Event", related_name="reminder_runs", on_delete=fields.CASCADE
    )
    hours = fields.IntField()
    starts_at = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)
    event_id: int

    class Meta:
        table = "reminder_run"
        unique_together = (("event", "hours", "starts_at"),)


class CalendarFeed(Model):
    """A personal calendar subscription: the secret in its URL is stored hashed, and can be rotated or revoked."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "server.User", related_name="calendar_feeds", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100, default="")
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    user_id: int

    class Meta:
        table = "calendar_feed"


class FeedCache(Model):
    """A public calendar feed as last built, shared by every app process: served while its ETag still matches
    the feed's version (events.feed_cache). Personal feeds are never stored here."""

    key = fields.CharField(max_length=64, primary_key=True, description="SHA-256 of the feed's filter, language, site")
    etag = fields.CharField(max_length=40)
    content = fields.BinaryField()
    built_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "feed_cache"


class Purpose(StrEnum):
    """Why staff read registrants' personal data: the screen or file that showed it."""

    LIST = "list"  # the registrations list, with names, emails and answers
    EXPORT = "export"  # a CSV or XLSX download of it
    DOOR = "door"  # the door's search for a registrant to check in
    DETAIL = "detail"  # one registration opened by its organisers
    DELIVERY = "delivery"  # the event's failed mail and SMS, with their addresses and numbers


class PersonalDataRead(Model):
    """That a member of staff was shown registrants' personal data: who, when, which event, how many people, why.
    Written only by `events.disclosure.record`; it names no registrant, so anonymising one leaves it as it is."""

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField(auto_now_add=True)
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "server.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    actor_label = fields.CharField(max_length=254, description="the staff member's email when it was read")
    event: fields.ForeignKeyRelation[Event] = fields.ForeignKeyField(
        "events.Event", related_name="personal_data_reads", on_delete=fields.CASCADE
    )
    organisation_id = fields.IntField(db_index=True)
    purpose = fields.CharEnumField(Purpose, max_length=20)
    people = fields.IntField(description="how many registrants' data the answer held")
    request_id = fields.CharField(max_length=64, null=True, description="X-Request-ID of the request that read it")

    actor_id: int | None
    event_id: int

    class Meta:
        table = "personal_data_read"
        indexes = (("event_id", "at"),)
