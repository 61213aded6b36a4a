"""Request and response shapes of the events API."""

from __future__ import annotations

import re
import uuid
import zoneinfo
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from events.models import Event, EventKind, EventStatus, Purpose, QuestionKind, RegistrationStatus, RegistrationWindow
from notifications.models import Channel, SmsNotice
from server.api import PageQuery
from server.fields import Multiline, max_length
from server.identifiers import Email
from server.models import Domain, Region
from server.schemas import I18nText, In, Instant, Name, OneLine, SearchText, ShortI18nText
from server.settings import Locale

LongText = Annotated[str, StringConstraints(max_length=500), OneLine]
Description = Annotated[str, StringConstraints(max_length=20_000), Multiline]
Venue = Annotated[str, StringConstraints(max_length=300), OneLine]
Room = Annotated[str, StringConstraints(max_length=100), OneLine]
Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


class I18nSummary(In):
    zh: LongText = ""
    en: LongText = ""


def _web_address(value: str) -> str:
    if value and not re.fullmatch(r"https?://[^\s/$.?#][^\s]*", value):
        raise PydanticCustomError("url_parsing", "not a web address")
    return value


def _ends_after_start(value: datetime, info: ValidationInfo) -> datetime:
    starts = info.data.get("starts_at")
    if starts and value <= starts:
        raise PydanticCustomError("ends_before_start", "the end must come after the start")
    return value


class EventIn(In):
    """A whole event as the organiser describes it; edits are validated as the merged whole."""

    organisation_id: int
    kind: EventKind
    title: I18nText
    summary: I18nSummary = I18nSummary()
    description: Description = ""
    region: Annotated[str, StringConstraints(max_length=40)]
    venue: Venue = ""
    online_url: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""
    starts_at: Instant
    ends_at: Instant
    timezone: str = Field(
        default="",
        max_length=max_length(Event, "timezone"),
        description="IANA zone; empty means the service default (Asia/Shanghai).",
    )
    registration_opens_at: Instant | None = None
    registration_closes_at: Instant | None = Field(default=None, description="Default: the event's start.")
    requires_approval: bool = False
    waitlist_enabled: bool = True
    offer_hours: int = Field(default=48, ge=1, le=720, description="How long a freed seat is held for an offer.")
    capacity: int | None = Field(default=None, ge=1, le=1_000_000, description="Seats over all ticket types.")
    tags: list[Annotated[str, StringConstraints(max_length=40)]] = Field(default=[], max_length=13)
    agenda_in_calendar: bool = Field(default=False, description="Agenda sessions as their own calendar entries.")
    alarm_minutes: int | None = Field(default=60, ge=0, le=40_320, description="Calendar reminder; null for none.")
    reminder_hours: list[Annotated[int, Field(ge=1, le=720)]] = Field(
        default=[24, 1], max_length=5, description="Reminder mails this many hours before the start."
    )
    sms_notices: list[SmsNotice] = Field(
        default=[], max_length=4, description="Notices also sent by SMS to registrants who gave a phone number."
    )
    static_entry_code: bool = Field(
        default=True, description="The static (printable, offline) QR code admits at the door, besides the dynamic one."
    )

    @field_validator("online_url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _web_address(value)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        if value:
            try:
                zoneinfo.ZoneInfo(value)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise PydanticCustomError("timezone_unknown", "unknown time zone") from None
        return value

    _ends_after_start = field_validator("ends_at")(_ends_after_start)

    @field_validator("registration_closes_at")
    @classmethod
    def _window(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        opens, ends = info.data.get("registration_opens_at"), info.data.get("ends_at")
        if value and opens and value <= opens:
            raise PydanticCustomError("window_inverted", "registration must close after it opens")
        if value and ends and value > ends:
            raise PydanticCustomError("window_after_end", "registration must close before the event ends")
        return value


class EventPatch(In):
    """Any subset of the event's fields (not its organisation)."""

    kind: EventKind | None = None
    title: I18nText | None = None
    summary: I18nSummary | None = None
    description: Description | None = None
    region: Annotated[str, StringConstraints(max_length=40)] | None = None
    venue: Venue | None = None
    online_url: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    starts_at: Instant | None = None
    ends_at: Instant | None = None
    timezone: str | None = None
    registration_opens_at: Instant | None = None
    registration_closes_at: Instant | None = None
    requires_approval: bool | None = None
    waitlist_enabled: bool | None = None
    offer_hours: int | None = Field(default=None, ge=1, le=720)
    capacity: int | None = Field(default=None, ge=1, le=1_000_000)
    tags: list[Annotated[str, StringConstraints(max_length=40)]] | None = Field(default=None, max_length=13)
    agenda_in_calendar: bool | None = None
    alarm_minutes: int | None = Field(default=None, ge=0, le=40_320)
    reminder_hours: list[Annotated[int, Field(ge=1, le=720)]] | None = Field(default=None, max_length=5)
    sms_notices: list[SmsNotice] | None = Field(default=None, max_length=4)
    static_entry_code: bool | None = None


class TicketAvailability(BaseModel):
    id: int
    name: dict[str, str]
    is_default: bool
    available: int | None = Field(description="Seats left for this ticket type; null when unlimited.")


class EventOut(BaseModel):
    id: int
    organisation_id: int
    kind: EventKind
    status: EventStatus
    title: dict[str, str]
    summary: dict[str, str]
    description: str
    description_html: str
    region: str
    venue: str
    online_url: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    registration: RegistrationWindow = Field(description="Whether it takes registrations now, and if not, why not.")
    requires_approval: bool
    waitlist_enabled: bool
    offer_hours: int
    capacity: int | None
    tags: list[str]
    agenda_in_calendar: bool
    alarm_minutes: int | None
    reminder_hours: list[int]
    sms_notices: list[SmsNotice]
    static_entry_code: bool
    ticket_types: list[TicketAvailability]
    waitlist_length: int
    uid: str
    sequence: int
    created_at: datetime
    updated_at: datetime


class EventQuery(PageQuery):
    kind: EventKind | None = None
    region: str | None = Field(default=None, max_length=max_length(Region, "code"))
    tag: str | None = Field(default=None, max_length=max_length(Domain, "code"))
    status: EventStatus | None = Field(default=None, description="Public listing: published, cancelled, completed.")
    starts_from: Instant | date | None = Field(default=None, alias="from")
    starts_to: Instant | date | None = Field(default=None, alias="to")
    q: SearchText | None = None


class CompleteQuery(In):
    reason: Annotated[LongText, Field(description="Required to complete an event before it has started.")] = ""


class SessionIn(In):
    title: I18nText
    speakers: list[Name] = Field(default=[], max_length=30)
    room: Room = ""
    starts_at: Instant
    ends_at: Instant

    _ends_after_start = field_validator("ends_at")(_ends_after_start)


class SessionOut(BaseModel):
    id: int
    title: dict[str, str]
    speakers: list[str]
    room: str
    starts_at: datetime
    ends_at: datetime


class TicketTypeIn(In):
    name: ShortI18nText


class QuotaIn(In):
    name: Name
    size: int = Field(ge=0, le=1_000_000)
    ticket_types: list[int] = Field(default=[], max_length=50, description="Ticket type ids; empty means all.")


class QuotaPatch(In):
    size: int = Field(ge=0, le=1_000_000)


class QuotaOut(BaseModel):
    id: int
    name: str
    size: int
    used: int
    available: int
    covers_all: bool
    ticket_types: list[int]
    question_key: str | None
    choice_key: str | None


class ChoiceIn(In):
    key: Key
    label: I18nText
    limit: int | None = Field(default=None, ge=1, le=1_000_000)


class QuestionIn(In):
    key: Key
    kind: QuestionKind
    label: I18nText
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    choices: list[ChoiceIn] = Field(default=[], max_length=100)

    @model_validator(mode="after")
    def _consistent(self) -> QuestionIn:
        is_choice = self.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTI_CHOICE)
        if is_choice and not self.choices:
            raise PydanticCustomError("choices_missing", "a choice question needs choices")
        if not is_choice and self.choices:
            raise PydanticCustomError("choices_unexpected", "only choice questions have choices")
        if len({c.key for c in self.choices}) != len(self.choices):
            raise PydanticCustomError("choices_duplicate", "choice keys must differ")
        if (self.minimum is not None or self.maximum is not None) and self.kind is not QuestionKind.NUMBER:
            raise PydanticCustomError("bounds_unexpected", "only number questions have bounds")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise PydanticCustomError("bounds_inverted", "the minimum is above the maximum")
        return self


class QuestionOut(BaseModel):
    id: int
    key: str
    kind: QuestionKind
    label: dict[str, str]
    required: bool
    minimum: float | None
    maximum: float | None
    choices: list[dict[str, Any]]


class RegistrationIn(In):
    email: Email | None = Field(default=None, description="Required unless signed in (then the account's).")
    name: Name
    locale: Locale | None = None
    ticket_type: int | None = Field(default=None, description="Default: the event's default ticket type.")
    answers: dict[str, Any] = Field(default={}, max_length=200)
    privacy_notice_version: int = Field(
        ge=0, le=1_000_000, description="The version of the event's privacy notice accepted: the current one."
    )


class RegistrationCreated(BaseModel):
    id: uuid.UUID
    status: RegistrationStatus
    waitlist_position: int | None
    manage_token: str = Field(description="Shown only in this answer (and its Idempotency-Key replays).")
    offered_until: datetime | None


class RegistrationOut(BaseModel):
    id: uuid.UUID
    event_id: int
    ticket_type: int
    email: str
    name: str
    locale: str
    status: RegistrationStatus
    waitlist_position: int | None
    offered_until: datetime | None
    reason: str
    answers: dict[str, Any]
    checked_in_at: datetime | None
    created_at: datetime
    qr: str | None = Field(description="The signed check-in payload, for confirmed registrations.")


class RegistrationList(BaseModel):
    items: list[RegistrationOut]
    total: int
    page: int
    per_page: int
    counts: dict[RegistrationStatus, int]
    checked_in: int = Field(description="Registrations of the event checked in at the door, whatever the filters.")


class RegistrationQuery(PageQuery):
    status: RegistrationStatus | None = None
    ticket_type: int | None = None
    q: SearchText | None = None
    format: str | None = Field(default=None, pattern="^(json|csv|xlsx)$")


class ReasonIn(In):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500), Multiline]


class CheckInIn(In):
    nonce: Annotated[str, StringConstraints(min_length=8, max_length=64)]


class QrCheckInIn(CheckInIn):
    qr: Annotated[str, StringConstraints(max_length=200)]


class EntryCodeOut(BaseModel):
    code: str = Field(description="The dynamic entry payload of the current window, short ASCII for hand scanners.")
    svg: str = Field(description="The code as a QR image (an SVG data URI).")
    refresh_in: float = Field(description="Seconds until the window ends and the code changes.")
    window_seconds: int


class CheckInOut(BaseModel):
    id: uuid.UUID
    name: str
    ticket_type: int
    checked_in_at: datetime


class DoorQuery(BaseModel):
    q: Annotated[str, StringConstraints(min_length=1, max_length=100), OneLine]


class DoorEntry(BaseModel):
    """What the door needs to find someone: no more of the registration than that."""

    id: uuid.UUID
    name: str
    email_hint: str = Field(description="The address with most of its local part hidden.")
    checked_in_at: datetime | None


class MessageIn(In):
    subject: Annotated[str, StringConstraints(min_length=1, max_length=150), OneLine]
    body: Annotated[str, StringConstraints(min_length=1, max_length=10_000), Multiline]
    statuses: list[RegistrationStatus] = Field(default=[RegistrationStatus.CONFIRMED], min_length=1)


class MessagePreviewIn(MessageIn):
    locale: Locale = Field(default="zh-CN", description="The language of the registrants to preview it for.")


class MessageOut(BaseModel):
    recipients: int


class MessagePreview(BaseModel):
    recipients: int = Field(description="How many registrations the message would go to now.")
    subject: str
    text: str
    html: str


class RefusedRecipient(BaseModel):
    recipient: str
    code: int
    message: str


class MailFailure(BaseModel):
    id: int
    channel: Channel
    to: str
    template: str
    attempts: int
    last_code: int | None
    last_error: str = Field(description="The mail server's (or the worker's) words for the last failure.")
    refused: list[RefusedRecipient] = Field(description="The recipients the mail server refused, with its answer.")


class MailSummary(BaseModel):
    counts: dict[str, int] = Field(description="Messages of every channel by delivery state.")
    channels: dict[Channel, dict[str, int]] = Field(description="The same counts per channel (mail, sms).")
    failed: list[MailFailure]


class AccessLogQuery(PageQuery):
    purpose: Purpose | None = None


class BureauAccessLogQuery(AccessLogQuery):
    organisation: int | None = Field(default=None, ge=1)
    event: int | None = Field(default=None, ge=1)


class PersonalDataReadOut(BaseModel):
    """One entry of the access record: staff shown registrants' personal data."""

    id: int
    at: datetime
    actor: str = Field(description="The staff member's email when they read it.")
    event_id: int
    event_title: str
    organisation_id: int
    purpose: Purpose
    people: int = Field(description="How many registrants' data the answer held.")
    request_id: str | None


class PrivacyNoticeIn(In):
    text_zh: Description = Field(default="", description="Empty: the default notice, stating the retention period.")
    text_en: Description = ""
    retention_days: int = Field(
        default=180, ge=1, le=3650, description="Registrants' data is anonymised this many days after the event ends."
    )


class PrivacyNoticeOut(BaseModel):
    version: int = Field(description="Send it as `privacy_notice_version` when registering.")
    text_zh: str
    text_en: str
    retention_days: int
    is_default: bool
