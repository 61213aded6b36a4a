"""The mails that registrations and events cause, enqueued in the transaction of the change.

Invitations (REQUEST) and cancellations (CANCEL) ride along as calendar parts built when the mail leaves, by the
`event_invitation` builder registered here.
"""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic_core import PydanticCustomError
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from events import calendar
from events.feeds import facts
from events.models import Event, EventStatus, Question, QuestionKind, Registration, RegistrationStatus, ReminderRun
from notifications import parts
from notifications.models import Channel, SmsNotice
from notifications.outbox import Mail, enqueue, supersede_topic
from notifications.sms import SMS_PARAMETERS, clip
from notifications.templates import Rendered, render
from server import audit
from server.auth import sign
from server.clock import utcnow
from server.i18n import pick
from server.identifiers import validate_mobile
from server.models import Organisation, User
from server.settings import Locale, Settings

REMINDER_HORIZON_HOURS = 720


@dataclass(frozen=True)
class Site:
    """What mails are made with: the service's public address (links), its sender address (calendar organiser)
    and the key that signs mail links, which may not be empty."""

    base_url: str
    mail_from: str
    secret: str

    def __post_init__(self) -> None:
        if not self.secret:
            raise ValueError("mail links cannot be signed with an empty secret key")

    @classmethod
    def of(cls, settings: Settings) -> Site:
        return cls(base_url=settings.BASE_URL, mail_from=settings.MAIL_FROM, secret=settings.secret_key())


_configured: Site | None = None


def configure(settings: Settings) -> None:
    """Called by every entry point (app, worker, demo seeding) before any mail is made or a link checked."""
    global _configured
    _configured = Site.of(settings)


def site() -> Site:
    """The site `configure` set; an entry point that forgot to call it fails here rather than sign with no key."""
    if _configured is None:
        raise RuntimeError("events.mailing.configure(settings) was not called by this entry point")
    return _configured


def link_token(site: Site, registration_id: uuid.UUID, expires: datetime) -> str:
    """A mail link's credential for one registration, valid until `expires` (the manage token stays hashed)."""
    stamp = int(expires.timestamp())
    return f"qcl_{stamp}_{sign(site.secret, f'link:{registration_id}:{stamp}')[:40]}"


def link_is_valid(token: str, registration_id: uuid.UUID) -> bool:
    _, _, rest = token.partition("qcl_")
    stamp, _, signature = rest.partition("_")
    if not (token.isascii() and stamp.isdigit()) or int(stamp) < utcnow().timestamp():
        return False
    try:
        expires = datetime.fromtimestamp(int(stamp), tz=ZoneInfo("UTC"))
    except (OverflowError, OSError, ValueError):  # beyond year 9999: no link we made
        return False
    expected = link_token(site(), registration_id, expires)
    return hmac.compare_digest(token.encode(), expected.encode())


def _when(event: Event) -> str:
    zone = ZoneInfo(event.timezone)
    starts, ends = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
    end = f"{ends:%H:%M}" if starts.date() == ends.date() else f"{ends:%Y-%m-%d %H:%M}"
    return f"{starts:%Y-%m-%d %H:%M} – {end} ({event.timezone})"


def _locale(registration: Registration) -> Locale:
    return "en" if registration.locale == "en" else "zh-CN"


def _manage_url(site: Site, registration: Registration, expires: datetime) -> str:
    """The registration's page, with a mail link's credential valid until `expires`."""
    return f"{site.base_url}/registrations/{registration.id}?token={link_token(site, registration.id, expires)}"


def _context(site: Site, event: Event, registration: Registration, organisation: Organisation) -> dict[str, object]:
    locale = _locale(registration)
    expires = max(event.ends_at, utcnow()) + timedelta(days=30)
    return {
        "recipient_name": registration.name,
        "event_title": pick({"zh": event.title_zh, "en": event.title_en}, locale),
        "event_when": _when(event),
        "event_where": event.venue or event.online_url,
        "event_url": f"{site.base_url}/events/{event.id}",
        "manage_url": _manage_url(site, registration, expires),
        "organiser_name": pick({"zh": organisation.name_zh, "en": organisation.name_en}, locale),
    }


def _mail(
    event: Event,
    organisation: Organisation,
    registration: Registration,
    template: str,
    *,
    dedupe: str,
    method: calendar.Method | None = None,
    extra: dict[str, object] | None = None,
    supersede_key: str | None = None,
) -> Mail:
    context = _context(site(), event, registration, organisation)
    spec: dict[str, object] | None = None
    if method is not None:
        spec = {"builder": "event_invitation", "args": {"registration": str(registration.id), "method": method.value}}
    return Mail(
        template=template,
        to=registration.email,
        to_name=registration.name,
        locale=_locale(registration),
        context={**context, **(extra or {})},
        dedupe_key=f"{template}:{registration.id}:{dedupe}",
        topic=_topic(event),
        from_name=organisation.name_zh,  # mainland clients show it: Chinese for every reader
        calendar=spec,
        supersede_key=supersede_key,
    )


def _topic(event: Event) -> str:
    return f"event:{event.id}"


async def _organisation(event: Event) -> Organisation:
    return await Organisation.get(id=event.organisation_id)


def _sms_params(event: Event, registration: Registration, notice: SmsNotice) -> dict[str, str]:
    zone = ZoneInfo(event.timezone)
    offered_until = registration.offered_until
    values = {
        "name": registration.name,
        "event": event.title_zh,
        "time": f"{event.starts_at.astimezone(zone):%Y-%m-%d %H:%M}",
        "place": event.venue or event.online_url,
        "deadline": f"{offered_until.astimezone(zone):%Y-%m-%d %H:%M}" if offered_until else "",
    }
    return {name: clip(values[name]) for name in SMS_PARAMETERS[notice]}


async def _texts(event: Event, notice: SmsNotice, registrations: list[Registration], *, dedupe: str) -> list[Mail]:
    """The SMS twins of a notice's mails, when the event sends that notice by SMS: one to each registrant whose
    answer to the event's phone question is a mainland mobile number."""
    if notice.value not in event.sms_notices:
        return []
    phone_questions = Question.filter(event_id=event.id, kind=QuestionKind.PHONE).order_by("position")
    keys = [str(key) for key in await phone_questions.values_list("key", flat=True)]
    texts = []
    for registration in registrations:
        phone = next((str(registration.answers[key]) for key in keys if registration.answers.get(key)), "")
        try:
            number = validate_mobile(phone)
        except PydanticCustomError:
            continue  # no phone given (an optional question): the mail is the notice
        texts.append(
            Mail(
                channel=Channel.SMS,
                template=notice.value,
                to=number,
                to_name=registration.name,
                locale="zh-CN",
                context=dict(_sms_params(event, registration, notice)),
                dedupe_key=f"sms:{notice.value}:{registration.id}:{dedupe}",
                topic=f"event:{event.id}",
            )
        )
    return texts


def registration_created(
    event: Event, organisation: Organisation, registration: Registration, waitlist_position: int | None
) -> Mail:
    """The mail that answers a new registration (the caller enqueues it in the registration's transaction)."""
    if registration.status is RegistrationStatus.CONFIRMED:
        return _mail(
            event, organisation, registration, "registration_confirmed", dedupe="", method=calendar.Method.REQUEST
        )
    if registration.status is RegistrationStatus.PENDING:
        return _mail(event, organisation, registration, "registration_received", dedupe="")
    return _mail(
        event,
        organisation,
        registration,
        "registration_waitlisted",
        dedupe="",
        extra={"waitlist_position": waitlist_position},
    )


async def registration_moved(event: Event, registration: Registration, before: RegistrationStatus) -> None:
    """The mail that a transition causes, if any (inside the transition's transaction)."""
    to = registration.status
    organisation = await _organisation(event)
    if to is RegistrationStatus.OFFERED:
        assert registration.offered_until is not None
        deadline = registration.offered_until.astimezone(ZoneInfo(event.timezone))
        extra: dict[str, object] = {
            "offer_deadline": f"{deadline:%Y-%m-%d %H:%M} ({event.timezone})",
            "accept_url": _manage_url(site(), registration, registration.offered_until),
        }
        mail = _mail(
            event, organisation, registration, "registration_offered", dedupe=deadline.isoformat(), extra=extra
        )
        await enqueue(*await _texts(event, SmsNotice.OFFER, [registration], dedupe=deadline.isoformat()))
    elif to is RegistrationStatus.CONFIRMED:
        template = "registration_approved" if before is RegistrationStatus.PENDING else "registration_confirmed"
        mail = _mail(event, organisation, registration, template, dedupe="", method=calendar.Method.REQUEST)
        if before is RegistrationStatus.PENDING:
            await enqueue(*await _texts(event, SmsNotice.APPROVAL, [registration], dedupe=""))
    elif to is RegistrationStatus.PENDING:
        mail = _mail(event, organisation, registration, "registration_received", dedupe="offered")
    elif to is RegistrationStatus.REJECTED:
        mail = _mail(
            event, organisation, registration, "registration_rejected", dedupe="", extra={"reason": registration.reason}
        )
    else:  # cancelled: a calendar CANCEL only for those who were sent an invitation
        method = calendar.Method.CANCEL if before is RegistrationStatus.CONFIRMED else None
        mail = _mail(event, organisation, registration, "registration_cancelled", dedupe="", method=method)
        await enqueue(*await _texts(event, SmsNotice.CANCELLATION, [registration], dedupe=""))
    await enqueue(mail)


async def event_moved(event: Event) -> None:
    """An updated invitation (REQUEST, the new SEQUENCE) to everyone confirmed; older pending updates are replaced."""
    organisation = await _organisation(event)
    confirmed = await Registration.filter(event_id=event.id, status=RegistrationStatus.CONFIRMED)
    mails = [
        _mail(
            event,
            organisation,
            r,
            "event_changed",
            dedupe=str(event.sequence),
            method=calendar.Method.REQUEST,
            supersede_key=f"event_changed:{r.id}",
        )
        for r in confirmed
    ]
    await enqueue(*mails)


async def event_cancelled(event: Event) -> None:
    """A cancellation to every active registrant: with a calendar CANCEL for those who hold an invitation.
    Mails about the event still waiting to leave (a confirmation, a reminder) are withdrawn: they are untrue now."""
    await supersede_topic(_topic(event))
    organisation = await _organisation(event)
    active = await Registration.filter(
        event_id=event.id,
        status__in=[
            RegistrationStatus.CONFIRMED,
            RegistrationStatus.PENDING,
            RegistrationStatus.OFFERED,
            RegistrationStatus.WAITLISTED,
        ],
    )
    mails = [
        _mail(
            event,
            organisation,
            r,
            "event_cancelled",
            dedupe="",
            method=calendar.Method.CANCEL if r.status is RegistrationStatus.CONFIRMED else None,
        )
        for r in active
    ]
    await enqueue(*mails, *await _texts(event, SmsNotice.CANCELLATION, active, dedupe=""))


def _message(
    event: Event, organisation: Organisation, registration: Registration, message: str, subject: str, body: str
) -> Mail:
    extra: dict[str, object] = {"subject": subject, "body": body}
    return _mail(event, organisation, registration, "organiser_message", dedupe=message, extra=extra)


async def organiser_message(
    user: User, event: Event, statuses: list[RegistrationStatus], subject: str, body: str
) -> int:
    """The organiser's own message to the registrants in `statuses`, queued with its audit entry in one
    transaction; answers how many it goes to."""
    message = uuid.uuid4().hex
    organisation = await _organisation(event)
    async with in_transaction():
        recipients = await Registration.filter(event_id=event.id, status__in=statuses)
        mails = [_message(event, organisation, r, message, subject, body) for r in recipients]
        await enqueue(*mails)
        await audit.record(
            user,
            "event.message",
            event,
            organisation_id=event.organisation_id,
            after={"subject": subject, "recipients": len(mails)},
        )
    return len(mails)


async def organiser_message_preview(
    event: Event, statuses: list[RegistrationStatus], subject: str, body: str, locale: Locale
) -> tuple[Rendered, int]:
    """The message as a registrant reading `locale` will get it (same mail, same template), and how many it
    would go to now. The first such recipient stands in for all; a blank one when there is none yet."""
    organisation = await _organisation(event)
    recipients = Registration.filter(event_id=event.id, status__in=statuses)
    count = await recipients.count()
    sample = await recipients.filter(locale=locale).order_by("seq").first()
    if sample is None:
        sample = Registration(id=uuid.uuid4(), event_id=event.id, name="", email="", locale=locale)
    mail = _message(event, organisation, sample, "preview", subject, body)
    return render(mail.template, mail.locale, mail.context), count


async def reminders_due(event: Event, hours_before: int) -> None:
    """Reminders for one offset; the dedupe key makes a second scheduler run (or a restart) send nothing twice."""
    organisation = await _organisation(event)
    confirmed = await Registration.filter(event_id=event.id, status=RegistrationStatus.CONFIRMED)
    dedupe = f"{hours_before}h:{event.starts_at.isoformat()}"
    await enqueue(
        *[_mail(event, organisation, r, "reminder", dedupe=dedupe) for r in confirmed],
        *await _texts(event, SmsNotice.REMINDER, confirmed, dedupe=dedupe),
    )


async def _build_invitation(args: dict[str, object]) -> parts.CalendarPart | None:
    registration = await Registration.get_or_none(id=str(args["registration"]))
    if registration is None:
        return None
    event = await Event.get(id=registration.event_id)
    method = calendar.Method(str(args["method"]))
    if event.status is EventStatus.CANCELLED:
        method = calendar.Method.CANCEL
    mail_site = site()
    (event_facts,) = await facts([event], locale=_locale(registration), mail_from=mail_site.mail_from)
    content = calendar.invitation(event_facts, registration, method, base_url=mail_site.base_url)
    return method.value, content


parts.register("event_invitation", _build_invitation)


async def send_due_reminders() -> int:
    """Enqueue the reminders that have come due (run every minute, by any number of processes).

    Each (event, offset, start) is claimed once through a unique row, so a second scheduler or a restart sends
    nothing twice; cancelled events and registrations get none. Of the offsets that have come due only the
    latest (the nearest the start) is sent: it covers the earlier ones whose moment passed unnoticed.
    """
    now = utcnow()
    horizon = now + timedelta(hours=REMINDER_HORIZON_HOURS)
    started = 0
    for event in await Event.filter(status=EventStatus.PUBLISHED, starts_at__gt=now, starts_at__lte=horizon):
        due = [hours for hours in event.reminder_hours if event.starts_at - timedelta(hours=hours) <= now]
        if not due:
            continue
        try:
            async with in_transaction():
                await ReminderRun.create(event=event, hours=min(due), starts_at=event.starts_at)
                await reminders_due(event, min(due))
            started += 1
        except IntegrityError:
            pass  # already scheduled, by this process earlier or by another one
    return started
