"""The mails that registrations and events cause, enqueued in the transaction of the change.

Invitations (REQUEST) and cancellations (CANCEL) ride along as calendar parts built when the mail leaves, by the
`event_invitation` builder registered here.
"""

from __future__ import annotations

import hmac
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from events import calendar
from events.feeds import facts
from events.models import Event, EventStatus, Registration, RegistrationStatus, ReminderRun
from notifications import parts
from notifications.outbox import Mail, enqueue
from notifications.templates import Rendered, render
from server import audit
from server.auth import sign
from server.clock import utcnow
from server.i18n import pick
from server.models import Organisation, User
from server.settings import Locale, Settings

S = RegistrationStatus
REMINDER_HORIZON_HOURS = 720
_site: dict[str, str] = {"base_url": "http://127.0.0.1:8000", "mail_from": "events@quancheng.localhost", "secret": ""}


def configure(settings: Settings) -> None:
    """Called by the composition root: the public address, sender and secret that mail links are made with."""
    _site.update(base_url=settings.BASE_URL, mail_from=settings.MAIL_FROM, secret=settings.secret_key())


def link_token(registration_id: uuid.UUID, expires: datetime) -> str:
    """A mail link's credential for one registration, valid until `expires` (the manage token stays hashed)."""
    stamp = int(expires.timestamp())
    return f"qcl_{stamp}_{sign(_site['secret'], f'link:{registration_id}:{stamp}')[:40]}"


def link_is_valid(token: str, registration_id: uuid.UUID) -> bool:
    _, _, rest = token.partition("qcl_")
    stamp, _, signature = rest.partition("_")
    if not (token.isascii() and stamp.isdigit()) or int(stamp) < utcnow().timestamp():
        return False
    try:
        expires = datetime.fromtimestamp(int(stamp), tz=ZoneInfo("UTC"))
    except (OverflowError, OSError, ValueError):  # beyond year 9999: no link we made
        return False
    expected = link_token(registration_id, expires)
    return hmac.compare_digest(token.encode(), expected.encode())


def _when(event: Event) -> str:
    zone = ZoneInfo(event.timezone)
    starts, ends = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
    end = f"{ends:%H:%M}" if starts.date() == ends.date() else f"{ends:%Y-%m-%d %H:%M}"
    return f"{starts:%Y-%m-%d %H:%M} – {end} ({event.timezone})"


def _locale(registration: Registration) -> Locale:
    return "en" if registration.locale == "en" else "zh-CN"


def _context(event: Event, registration: Registration, organisation: Organisation) -> dict[str, object]:
    locale = _locale(registration)
    base = _site["base_url"]
    expires = max(event.ends_at, utcnow()) + timedelta(days=30)
    return {
        "recipient_name": registration.name,
        "event_title": pick({"zh": event.title_zh, "en": event.title_en}, locale),
        "event_when": _when(event),
        "event_where": event.venue or event.online_url,
        "event_url": f"{base}/events/{event.id}",
        "manage_url": f"{base}/registrations/{registration.id}?token={link_token(registration.id, expires)}",
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
    context = _context(event, registration, organisation)
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
        topic=f"event:{event.id}",
        from_name=str(context["organiser_name"]),
        calendar=spec,
        supersede_key=supersede_key,
    )


async def _organisation(event: Event) -> Organisation:
    return await Organisation.get(id=event.organisation_id)


async def registration_created(
    event: Event, organisation: Organisation, registration: Registration, waitlist_position: int | None
) -> None:
    if registration.status is S.CONFIRMED:
        mail = _mail(
            event, organisation, registration, "registration_confirmed", dedupe="", method=calendar.Method.REQUEST
        )
    elif registration.status is S.PENDING:
        mail = _mail(event, organisation, registration, "registration_received", dedupe="")
    else:
        mail = _mail(
            event,
            organisation,
            registration,
            "registration_waitlisted",
            dedupe="",
            extra={"waitlist_position": waitlist_position},
        )
    await enqueue(mail)


async def registration_moved(event: Event, registration: Registration, before: RegistrationStatus) -> None:
    """The mail that a transition causes, if any (inside the transition's transaction)."""
    to = registration.status
    organisation = await _organisation(event)
    if to is S.OFFERED:
        assert registration.offered_until is not None
        deadline = registration.offered_until.astimezone(ZoneInfo(event.timezone))
        accept = f"{_site['base_url']}/registrations/{registration.id}?token="
        accept += link_token(registration.id, registration.offered_until)
        extra: dict[str, object] = {
            "offer_deadline": f"{deadline:%Y-%m-%d %H:%M} ({event.timezone})",
            "accept_url": accept,
        }
        mail = _mail(
            event, organisation, registration, "registration_offered", dedupe=deadline.isoformat(), extra=extra
        )
    elif to is S.CONFIRMED:
        template = "registration_approved" if before is S.PENDING else "registration_confirmed"
        mail = _mail(event, organisation, registration, template, dedupe="", method=calendar.Method.REQUEST)
    elif to is S.PENDING:
        mail = _mail(event, organisation, registration, "registration_received", dedupe="offered")
    elif to is S.REJECTED:
        mail = _mail(
            event, organisation, registration, "registration_rejected", dedupe="", extra={"reason": registration.reason}
        )
    else:  # cancelled: a calendar CANCEL only for those who were sent an invitation
        method = calendar.Method.CANCEL if before is S.CONFIRMED else None
        mail = _mail(event, organisation, registration, "registration_cancelled", dedupe="", method=method)
    await enqueue(mail)


async def event_moved(event: Event) -> None:
    """An updated invitation (REQUEST, the new SEQUENCE) to everyone confirmed; older pending updates are replaced."""
    organisation = await _organisation(event)
    confirmed = await Registration.filter(event_id=event.id, status=S.CONFIRMED)
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
    """A cancellation to every active registrant: with a calendar CANCEL for those who hold an invitation."""
    organisation = await _organisation(event)
    active = await Registration.filter(event_id=event.id, status__in=[S.CONFIRMED, S.PENDING, S.OFFERED, S.WAITLISTED])
    mails = [
        _mail(
            event,
            organisation,
            r,
            "event_cancelled",
            dedupe="",
            method=calendar.Method.CANCEL if r.status is S.CONFIRMED else None,
        )
        for r in active
    ]
    await enqueue(*mails)


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
    confirmed = await Registration.filter(event_id=event.id, status=S.CONFIRMED)
    await enqueue(
        *[
            _mail(event, organisation, r, "reminder", dedupe=f"{hours_before}h:{event.starts_at.isoformat()}")
            for r in confirmed
        ]
    )


async def _build_invitation(args: dict[str, object]) -> parts.CalendarPart | None:
    registration = await Registration.get_or_none(id=str(args["registration"]))
    if registration is None:
        return None
    event = await Event.get(id=registration.event_id)
    method = calendar.Method(str(args["method"]))
    if event.status is EventStatus.CANCELLED:
        method = calendar.Method.CANCEL
    (event_facts,) = await facts([event], locale=_locale(registration), mail_from=_site["mail_from"])
    content = calendar.invitation(event_facts, registration, method, base_url=_site["base_url"])
    return method.value, content


parts.register("event_invitation", _build_invitation)


async def send_due_reminders() -> int:
    """Enqueue the reminders that have come due (run every minute, by any number of processes).

    Each (event, offset, start) is claimed once through a unique row, so a second scheduler or a restart sends
    nothing twice; cancelled events and registrations get none.
    """
    now = utcnow()
    horizon = now + timedelta(hours=REMINDER_HORIZON_HOURS)
    started = 0
    for event in await Event.filter(status=EventStatus.PUBLISHED, starts_at__gt=now, starts_at__lte=horizon):
        for hours in event.reminder_hours:
            if event.starts_at - timedelta(hours=hours) > now:
                continue
            try:
                async with in_transaction():
                    await ReminderRun.create(event=event, hours=hours, starts_at=event.starts_at)
                    await reminders_due(event, hours)
                started += 1
            except IntegrityError:
                pass  # already scheduled, by this process earlier or by another one
    return started
