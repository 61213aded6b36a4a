"""Registrants' personal data: the privacy notice they accept, their copy, erasure on request and retention
(docs/architecture.md#personal-data).

Anonymising a registration is the one place a registrant's identity is replaced (`anonymise`): name, email,
identifying answers, the account link and the manage link go; status, ticket type, check-in and the choices that
quotas and counts rest on stay. It is idempotent (`anonymised_at`) and touches the registrations it is given and
the mails and audit entries about them, nothing else.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from tortoise.transactions import in_transaction

from events import registration as registrations
from events.models import (
    ACTIVE,
    CalendarFeed,
    Event,
    EventStatus,
    PrivacyNotice,
    Question,
    QuestionKind,
    Registration,
    RegistrationStatus,
    TicketType,
)
from notifications import outbox
from notifications.models import OutboxMessage
from server import audit, personal_data
from server.auth import hash_secret
from server.clock import utcnow
from server.i18n import LOCALES, translate
from server.models import Organisation, User
from server.personal_data import Row, Subject, plain
from server.settings import Locale

ERASED = "erased"  # the reason of a registration cancelled because its registrant asked to be forgotten
# Answers that identify nobody and that quotas and counts rest on; every other answer is dropped.
KEPT_ANSWERS = frozenset({QuestionKind.SINGLE_CHOICE, QuestionKind.MULTI_CHOICE, QuestionKind.BOOL})
RETENTION_BATCH = 200


@dataclass(frozen=True)
class Notice:
    version: int
    text: dict[Locale, str]
    retention_days: int
    is_default: bool


async def current_notice(event: Event) -> Notice:
    """The notice registrants accept now: the organiser's latest text, or the catalogue's default stating the
    purpose, the organiser and the retention period."""
    row = await PrivacyNotice.get_or_none(event_id=event.id, version=event.privacy_notice_version)
    organisation = await Organisation.get(id=event.organisation_id)
    default = {
        locale: translate(
            "privacy.default_notice",
            locale,
            organiser=organisation.name_en if locale == "en" and organisation.name_en else organisation.name_zh,
            days=event.retention_days,
        )
        for locale in LOCALES
    }
    if row is None:
        return Notice(event.privacy_notice_version, default, event.retention_days, is_default=True)
    text: dict[Locale, str] = {
        "zh-CN": row.text_zh or default["zh-CN"],
        "en": row.text_en or row.text_zh or default["en"],
    }
    return Notice(row.version, text, row.retention_days, is_default=not row.text_zh)


async def set_notice(event_id: int, *, text_zh: str, text_en: str, retention_days: int, actor: User) -> Event:
    """A new version of the event's notice (and retention period); registrations accept the newest only. An empty
    text keeps the default wording, which states the new period."""
    async with in_transaction():
        event = await Event.filter(id=event_id).select_for_update().get()
        version = event.privacy_notice_version + 1
        await PrivacyNotice.create(
            event_id=event.id, version=version, text_zh=text_zh, text_en=text_en, retention_days=retention_days
        )
        before = {"version": event.privacy_notice_version, "retention_days": event.retention_days}
        event.privacy_notice_version, event.retention_days = version, retention_days
        # `updated_at` moves with it: the registration path's cached form is read again (events.registering._form).
        await event.save(update_fields=["privacy_notice_version", "retention_days", "updated_at"])
        await audit.record(
            actor,
            "event.privacy_notice",
            event,
            organisation_id=event.organisation_id,
            before=before,
            after={"version": version, "retention_days": retention_days},
        )
    return event


async def anonymise(registration_id: uuid.UUID, *, actor: registrations.Actor, reason: str) -> bool:
    """Replace one registration's identity, inside the caller's transaction. A registration still active for an
    event that has not ended is first cancelled (its seat goes to the waiting list, as any cancellation's does);
    one of an ended event keeps its state, so counts and check-ins keep their numbers. Answers False when it was
    anonymised already."""
    registration, event = await registrations.load_for_change(registration_id)
    if registration.anonymised_at is not None:
        return False
    now = utcnow()
    upcoming = event.ends_at > now and event.status not in (EventStatus.CANCELLED, EventStatus.COMPLETED)
    if upcoming and registration.status in ACTIVE:
        cancelled = RegistrationStatus.CANCELLED
        await registrations.transition(registration, cancelled, actor=actor, event=event, reason=ERASED)
    kept_kinds = {q.key for q in await Question.filter(event_id=event.id) if q.kind in KEPT_ANSWERS}
    placeholder = f"{ERASED}-{registration.seq}@{ERASED}.invalid"
    await Registration.filter(seq=registration.seq, anonymised_at=None).update(
        name="",
        email=placeholder,
        active_email=placeholder if registration.status in ACTIVE else None,
        answers={key: value for key, value in registration.answers.items() if key in kept_kinds},
        user_id=None,
        manage_token_hash=hash_secret(secrets.token_urlsafe(32)),  # the manage link and mailed links stop working
        anonymised_at=now,
    )
    await outbox.forget(about=str(registration.id))
    await audit.forget("Registration", [str(registration.id)])
    await audit.record(
        actor,
        "registration.anonymise",
        registration,
        organisation_id=event.organisation_id,
        after={"reason": reason},
    )
    return True


async def anonymise_expired() -> int:
    """The retention rule, run by the hourly job: every event ended more than its `retention_days` ago loses its
    registrants' identities, in batches of one transaction each; aggregates and talent reports stay. Answers how
    many registrations it anonymised."""
    now = utcnow()
    done = 0
    for event in await Event.filter(personal_data_erased_at=None, ends_at__lt=now).order_by("ends_at"):
        if event.ends_at + timedelta(days=event.retention_days) > now:
            continue
        while batch := await Registration.filter(event_id=event.id, anonymised_at=None).limit(RETENTION_BATCH):
            async with in_transaction():
                for each in batch:
                    done += await anonymise(each.id, actor="system", reason="retention")
        await Event.filter(id=event.id).update(personal_data_erased_at=now)
    return done


async def _subject_registrations(subject: Subject) -> list[Registration]:
    if subject.registration_id is not None:
        return await Registration.filter(id=subject.registration_id, anonymised_at=None)
    assert subject.user is not None
    return await Registration.filter(user_id=subject.user.id).order_by("seq")


async def _collect_registrations(subject: Subject) -> list[Row]:
    found = await _subject_registrations(subject)
    events = {e.id: e for e in await Event.filter(id__in={r.event_id for r in found})}
    tickets = {t.id: t for t in await TicketType.filter(id__in={r.ticket_type_id for r in found})}
    return [
        {
            "id": plain(r.id),
            "event_id": r.event_id,
            "event": events[r.event_id].title_zh,
            "ticket_type": tickets[r.ticket_type_id].name_zh,
            "status": r.status.value,
            "name": r.name,
            "email": r.email,
            "locale": r.locale,
            "answers": r.answers,
            "privacy_notice_version": r.privacy_notice_version,
            "reason": r.reason,
            "checked_in_at": plain(r.checked_in_at),
            "created_at": plain(r.created_at),
        }
        for r in found
    ]


async def _erase_registrations(subject: Subject, actor: str) -> int:
    return sum([await anonymise(r.id, actor=actor, reason="request") for r in await _subject_registrations(subject)])


async def _subject_mails(subject: Subject) -> list[OutboxMessage]:
    ids = [str(r.id) for r in await _subject_registrations(subject)]
    mails: dict[int, OutboxMessage] = {}
    for registration_id in ids:
        mails |= {m.id: m for m in await OutboxMessage.filter(dedupe_key__contains=registration_id)}
    if subject.user is not None:
        mails |= {m.id: m for m in await OutboxMessage.filter(to_addr=subject.user.email)}
    return sorted(mails.values(), key=lambda m: m.id)


async def _collect_mails(subject: Subject) -> list[Row]:
    return [
        {
            "channel": m.channel.value,
            "template": m.template,
            "to": m.to_addr,
            "locale": m.locale,
            "context": m.context,
            "status": m.status.value,
            "created_at": plain(m.created_at),
            "sent_at": plain(m.sent),
        }
        for m in await _subject_mails(subject)
    ]


async def _erase_mails(subject: Subject, actor: str) -> int:
    """Mails about their registrations went with the registrations; what is left is addressed to the account."""
    return await outbox.forget(to_addr=subject.user.email) if subject.user is not None else 0


async def _collect_feeds(subject: Subject) -> list[Row]:
    if subject.user is None:
        return []
    feeds = await CalendarFeed.filter(user_id=subject.user.id).order_by("id")
    return [{"name": f.name, "created_at": plain(f.created_at), "revoked_at": plain(f.revoked_at)} for f in feeds]


async def _erase_feeds(subject: Subject, actor: str) -> int:
    return await CalendarFeed.filter(user_id=subject.user.id).delete() if subject.user is not None else 0


personal_data.register("registrations", _collect_registrations, _erase_registrations)
personal_data.register("mails", _collect_mails, _erase_mails)
personal_data.register("calendar_feeds", _collect_feeds, _erase_feeds)
