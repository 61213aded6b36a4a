"""Registrations: creation, the one transition function, the waiting list and its offers, check-in.

Capacity moves only through `events.capacity`; state moves only through `transition`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from events import capacity, mailing
from events.entry_codes import EntryCode, EntryCodeExpired, StaticCodeOff
from events.models import (
    ACTIVE,
    HOLDING,
    Event,
    EventStatus,
    IdempotencyRecord,
    Question,
    Registration,
    RegistrationStatus,
    RegistrationWindow,
    TicketType,
)
from events.questions import validate_registration
from events.schemas import RegistrationIn
from server import audit, identity
from server.auth import hash_secret, sign
from server.clock import utcnow
from server.db import Params
from server.errors import Conflict, InvalidInput, NotFound
from server.i18n import Label
from server.metrics import counts_registrations
from server.models import Organisation, User

TRANSITIONS: dict[RegistrationStatus, frozenset[RegistrationStatus]] = {
    RegistrationStatus.PENDING: frozenset(
        {RegistrationStatus.CONFIRMED, RegistrationStatus.REJECTED, RegistrationStatus.CANCELLED}
    ),
    RegistrationStatus.CONFIRMED: frozenset({RegistrationStatus.CANCELLED}),
    RegistrationStatus.WAITLISTED: frozenset({RegistrationStatus.OFFERED, RegistrationStatus.CANCELLED}),
    RegistrationStatus.OFFERED: frozenset(
        {RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING, RegistrationStatus.CANCELLED}
    ),
    RegistrationStatus.CANCELLED: frozenset(),
    RegistrationStatus.REJECTED: frozenset(),
}
OFFER_EXPIRED = "offer_expired"


class RegistrationClosed(Conflict):
    key = "error.registration_closed"


class SoldOut(Conflict):
    key = "error.sold_out"


class TransitionForbidden(Conflict):
    key = "error.transition_forbidden"


class IdempotencyMismatch(Conflict):
    key = "error.idempotency_mismatch"


class CheckInRefused(Conflict):
    key = "error.checkin_refused"


@dataclass(frozen=True)
class Created:
    registration: Registration
    manage_token: str
    waitlist_position: int | None
    status: RegistrationStatus


Actor = User | str


@counts_registrations
async def register(
    event_id: int, body: Any, *, user: User | None, idempotency_key: str | None, secret_key: str
) -> Created:
    """Register for a published event inside its window: a seat if every quota has room, else the waiting list.

    `body` is the request as sent (a RegistrationIn with the event's answers); one 422 lists all its field errors.
    One active registration per (event, email); a repeated Idempotency-Key with the same request replays the
    first answer, with a different request it is refused.
    """
    key_hash = hash_secret(f"{event_id}:{idempotency_key}") if idempotency_key else None
    request_hash = ""
    try:
        async with in_transaction():
            # The share lock on the event comes first: a quota added meanwhile (which locks the event exclusively)
            # either counts this registration or is seen by it, and the event's form cannot change under it.
            form = await _form(event_id, await capacity.share_event(event_id))
            if form is None or form.event.status is EventStatus.DRAFT:
                raise NotFound()
            event = form.event
            data = validate_registration(form.questions, body, signed_in=user is not None)
            if key_hash:
                request_hash = _request_hash(data, user)
                if replay := await _replay(key_hash, request_hash, idempotency_key, event.id, secret_key):
                    return replay
            _check_open(event)
            email = data.email or (user.email if user else None)
            assert email is not None  # validate_registration requires it of a registrant without an account
            ticket_type = _ticket_type(form, data.ticket_type)
            answers = data.answers
            token = _manage_token(secret_key, event.id, idempotency_key)
            target = RegistrationStatus.PENDING if event.requires_approval else RegistrationStatus.CONFIRMED
            # Written as waiting first: after a sell-out most attempts stay waiting and then need no second write.
            initial = RegistrationStatus.WAITLISTED if event.waitlist_enabled else target
            quotas = (await capacity.quota_map(event.id)).for_registration(ticket_type.id, answers)
            registration = await Registration.create(
                id=uuid.uuid4(),
                event=event,
                ticket_type=ticket_type,
                user=user,
                email=email,
                active_email=email,
                name=data.name,
                locale=data.locale or (user.locale if user else "zh-CN"),
                answers=answers,
                status=initial,
                manage_token_hash=hash_secret(token),
            )
            full = await capacity.hold(registration, quotas)
            if full is not None and full.question_key is not None:
                raise InvalidInput(errors=[(("body", "answers", full.question_key), "validation.choice_full")])
            if full is not None and not event.waitlist_enabled:
                raise SoldOut()
            if full is None and initial is not target:
                registration.status = target
                await registration.save(update_fields=["status"])
            await audit.record(
                user or "registrant",
                "registration.create",
                registration,
                organisation_id=event.organisation_id,
                after={"status": registration.status.value, "email": email, "ticket_type": ticket_type.id},
            )
            position = await waitlist_position(registration)
            await mailing.registration_created(event, form.organisation, registration, position)
            if key_hash:
                await IdempotencyRecord.create(
                    key_hash=key_hash,
                    request_hash=request_hash,
                    registration=registration,
                    status=registration.status,
                    waitlist_position=position,
                )
    except IntegrityError:
        if key_hash and (replay := await _replay(key_hash, request_hash, idempotency_key, event_id, secret_key)):
            return replay
        raise Conflict(
            "error.already_registered", errors=[(("body", "email"), "validation.already_registered")]
        ) from None
    return Created(registration, token, position, registration.status)


@dataclass(frozen=True)
class _Form:
    """What registering needs to know of an event besides its quotas: the event, its organiser, questions and
    ticket types. Kept per process under the event's version (`capacity.share_event`): every edit of these moves
    the event's `updated_at` (`events.editing`), and the version carries the organisation's name and contact."""

    version: tuple[object, ...]
    event: Event
    organisation: Organisation
    questions: list[Question]
    ticket_types: dict[int, TicketType]


_forms: dict[int, _Form] = {}
_FORMS_KEPT = 1000


async def claim_earlier_registrations(user: User) -> None:
    """Registrations made without an account under an address join the account once it proves the address
    (never before: anyone may sign up with any address)."""
    await Registration.filter(user_id=None, email=user.email).update(user_id=user.id)


identity.when_verified(claim_earlier_registrations)


async def _form(event_id: int, version: tuple[object, ...] | None) -> _Form | None:
    """The event's form as of `version`, read under the event's share lock; None if there is no such event."""
    if version is None:
        return None
    known = _forms.get(event_id)
    if known is not None and known.version == version:
        return known
    event = await Event.get_or_none(id=event_id).select_related("organisation")
    if event is None:
        return None
    questions = await Question.filter(event_id=event_id).order_by("position", "id")
    ticket_types = {ticket_type.id: ticket_type for ticket_type in await TicketType.filter(event_id=event_id)}
    if len(_forms) >= _FORMS_KEPT:
        _forms.clear()
    # Read after `version`, so at least as new as it: a later edit moves the version and is read again.
    _forms[event_id] = form = _Form(version, event, event.organisation, questions, ticket_types)
    return form


def _check_open(event: Event) -> None:
    if event.status is not EventStatus.PUBLISHED:
        raise RegistrationClosed("error.event_not_open", status=event.status.value)
    window = event.window(utcnow())
    if window is RegistrationWindow.NOT_YET:
        assert event.registration_opens_at is not None
        raise RegistrationClosed("error.registration_not_yet_open", opens=event.registration_opens_at.isoformat())
    if window is not RegistrationWindow.OPEN:
        raise RegistrationClosed()


def _ticket_type(form: _Form, ticket_type_id: int | None) -> TicketType:
    if ticket_type_id is None:
        found = next((t for t in form.ticket_types.values() if t.is_default), None)
    else:
        found = form.ticket_types.get(ticket_type_id)
    if found is None:
        raise InvalidInput(errors=[(("body", "ticket_type"), "validation.unknown_ticket_type")])
    return found


def _request_hash(data: RegistrationIn, user: User | None) -> str:
    body = orjson.dumps([data.model_dump(mode="json"), user.id if user else None], option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(body).hexdigest()


def _manage_token(secret_key: str, event_id: int, idempotency_key: str | None) -> str:
    """A fresh secret; derived from the Idempotency-Key when there is one, so that a replay can show it again
    although only its hash is stored."""
    if idempotency_key is None:
        return f"qcm_{secrets.token_urlsafe(32)}"
    digest = bytes.fromhex(sign(secret_key, f"manage:{event_id}:{idempotency_key}"))
    return f"qcm_{base64.urlsafe_b64encode(digest).decode().rstrip('=')}"


async def _replay(
    key_hash: str, request_hash: str, idempotency_key: str | None, event_id: int, secret_key: str
) -> Created | None:
    record = await IdempotencyRecord.get_or_none(key_hash=key_hash).select_related("registration")
    if record is None:
        return None
    if record.request_hash != request_hash:
        raise IdempotencyMismatch()
    token = _manage_token(secret_key, event_id, idempotency_key)
    return Created(record.registration, token, record.waitlist_position, record.status)


async def waitlist_position(registration: Registration) -> int | None:
    """1-based place in the event's FIFO waiting list, derived from the registration order (no counter row)."""
    if registration.status is not RegistrationStatus.WAITLISTED:
        return None
    # By hand: the queryset's count costs several times the query on the registration path. With parameters, so
    # that the statement is prepared once per connection rather than once per registration.
    connection = connections.get("default")
    params = Params(connection)
    rows = await connection.execute_query_dict(
        f'SELECT COUNT(*) AS "n" FROM "registration" WHERE "event_id" = {params.bind(registration.event_id)} '
        f'AND "status" = {params.bind(RegistrationStatus.WAITLISTED.value)} '
        f'AND "seq" <= {params.bind(registration.seq)}',
        params.values,
    )
    return int(rows[0]["n"])


async def transition(
    registration: Registration,
    to: RegistrationStatus,
    *,
    actor: Actor,
    event: Event,
    reason: str = "",
    offered_until: datetime | None = None,
) -> None:
    """The only place a registration changes state: checks the move, frees capacity when it leaves a holding
    state (offering it to the waiting list in the same transaction), and writes the audit entry.

    Runs inside the caller's transaction, with the registration row locked by the caller.
    """
    before = registration.status
    if to not in TRANSITIONS[before]:
        raise TransitionForbidden(before=Label(f"status.{before.value}"), to=Label(f"status.{to.value}"))
    if before in HOLDING and to not in HOLDING:
        await capacity.lock_event(event.id)
    registration.status = to
    registration.active_email = registration.email if to in ACTIVE else None
    registration.offered_until = offered_until if to is RegistrationStatus.OFFERED else None
    registration.reason = reason or registration.reason
    await registration.save(update_fields=["status", "active_email", "offered_until", "reason", "updated_at"])
    await mailing.registration_moved(event, registration, before)
    await audit.record(
        actor,
        f"registration.{to.value}",
        registration,
        organisation_id=event.organisation_id,
        before={"status": before.value},
        after={"status": to.value, "reason": reason},
    )
    if before in HOLDING and to not in HOLDING:
        await capacity.release(registration)
        await offer_freed_seats(event)


async def offer_freed_seats(event: Event) -> None:
    """Offer free capacity to the waiting list in FIFO order, inside the transaction that freed it. Switching the
    waiting list off closes it to newcomers only: the people already on it keep their places and their offers."""
    if event.status is not EventStatus.PUBLISHED:
        return
    quotas = await capacity.quota_map(event.id)
    deadline = utcnow() + timedelta(hours=event.offer_hours)
    waiting = (
        Registration.filter(event_id=event.id, status=RegistrationStatus.WAITLISTED)
        .order_by("seq")
        .select_for_update(skip_locked=True)
    )
    for candidate in await waiting.limit(500):
        full = await capacity.hold(candidate, quotas.for_registration(candidate.ticket_type_id, candidate.answers))
        if full is None:
            await transition(candidate, RegistrationStatus.OFFERED, actor="system", event=event, offered_until=deadline)
        elif full.covers_all:
            return  # the event itself is full: nobody further down fits either


async def load_for_change(registration_id: uuid.UUID) -> tuple[Registration, Event]:
    """The registration, row-locked for a transition, and its event; call inside a transaction."""
    registration = await Registration.filter(id=registration_id).select_for_update(no_key=True).first()
    if registration is None:
        raise NotFound()
    return registration, await Event.get(id=registration.event_id)


async def change(
    registration_id: uuid.UUID,
    to: RegistrationStatus,
    *,
    actor: Actor,
    reason: str = "",
    only_from: frozenset[RegistrationStatus] | None = None,
) -> Registration:
    """Move a registration to `to` in its own transaction (cancel, approve, reject); `only_from` narrows the
    states it may move from (an organiser approves pending registrations only)."""
    async with in_transaction():
        registration, event = await load_for_change(registration_id)
        if only_from is not None and registration.status not in only_from:
            raise TransitionForbidden(
                before=Label(f"status.{registration.status.value}"), to=Label(f"status.{to.value}")
            )
        await transition(registration, to, actor=actor, event=event, reason=reason)
    return registration


async def accept_offer(registration_id: uuid.UUID, *, actor: Actor) -> Registration:
    """Take an offered seat: confirmed, or pending where the event needs approval. A lapsed offer is refused."""
    async with in_transaction():
        registration, event = await load_for_change(registration_id)
        if registration.status is not RegistrationStatus.OFFERED or event.status is not EventStatus.PUBLISHED:
            raise TransitionForbidden(before=Label(f"status.{registration.status.value}"), to=Label("status.confirmed"))
        if registration.offered_until and registration.offered_until <= utcnow():
            raise TransitionForbidden("error.offer_expired")
        target = RegistrationStatus.PENDING if event.requires_approval else RegistrationStatus.CONFIRMED
        await transition(registration, target, actor=actor, event=event)
    return registration


async def expire_offers() -> int:
    """Pass on every offer past its deadline (it becomes cancelled and the seat goes to the next in line)."""
    now = utcnow()
    expired = 0
    for registration_id in [
        r.id for r in await Registration.filter(status=RegistrationStatus.OFFERED, offered_until__lte=now)
    ]:
        async with in_transaction():
            registration, event = await load_for_change(registration_id)
            if (
                registration.status is RegistrationStatus.OFFERED
                and registration.offered_until
                and registration.offered_until <= now
            ):
                await transition(
                    registration, RegistrationStatus.CANCELLED, actor="system", event=event, reason=OFFER_EXPIRED
                )
                expired += 1
    return expired


def qr_payload(secret_key: str, registration_id: uuid.UUID) -> str:
    """The check-in code of a registration: its id and a signature, so it cannot be forged."""
    return f"QC1.{registration_id.hex}.{_qr_signature(secret_key, registration_id.hex)}"


def _qr_signature(secret_key: str, hex_id: str) -> str:
    return sign(secret_key, f"qr:{hex_id}")[:32]


def registration_from_qr(secret_key: str, payload: str) -> uuid.UUID | None:
    parts = payload.strip().split(".")
    if len(parts) != 3 or parts[0] != "QC1" or len(parts[1]) != 32 or not payload.isascii():
        return None
    if not hmac.compare_digest(parts[2].encode(), _qr_signature(secret_key, parts[1]).encode()):
        return None
    try:
        return uuid.UUID(hex=parts[1])
    except ValueError:
        return None


async def check_in(
    registration: Registration,
    nonce: str,
    *,
    actor: Actor,
    organisation_id: int,
    entry: EntryCode | None = None,
    static_code: bool = False,
) -> Registration:
    """Mark a confirmed registration as arrived. The same nonce again answers the same; a second scan with
    another nonce is refused, saying when the first was. A dynamic `entry` code must be of the current window
    (± skew) and its window is consumed by the same guarded UPDATE, so each window admits once; a `static_code`
    is refused where the event turned it off."""
    if registration.checked_in_at is not None and registration.checkin_nonce == nonce:
        return registration
    if entry is not None and not entry.is_current(utcnow()):
        raise EntryCodeExpired()
    event = await Event.get(id=registration.event_id)
    if static_code and not event.static_entry_code:
        raise StaticCodeOff()
    if event.status is EventStatus.CANCELLED:
        raise CheckInRefused("error.event_closed", status=Label("event_status.cancelled"))
    if registration.status is not RegistrationStatus.CONFIRMED:
        raise CheckInRefused("error.checkin_not_confirmed", status=Label(f"status.{registration.status.value}"))
    now = utcnow()
    async with in_transaction():
        entry_window = entry.window if entry is not None else None
        unused_window = Q(checkin_window=None)
        if entry_window is not None:
            unused_window |= Q(checkin_window__lt=entry_window)
        marked = await Registration.filter(
            unused_window, seq=registration.seq, status=RegistrationStatus.CONFIRMED, checked_in_at=None
        ).update(checked_in_at=now, checkin_nonce=nonce, checkin_window=entry_window)
        if marked:
            after: dict[str, object] = {"checked_in_at": now.isoformat()}
            if entry_window is not None:
                after["entry_window"] = entry_window
            await audit.record(
                actor,
                "registration.check_in",
                registration,
                organisation_id=organisation_id,
                after=after,
            )
    await registration.refresh_from_db()
    if registration.status is not RegistrationStatus.CONFIRMED or registration.checked_in_at is None:
        raise CheckInRefused("error.checkin_not_confirmed", status=Label(f"status.{registration.status.value}"))
    if registration.checkin_nonce != nonce:
        first = registration.checked_in_at.astimezone(ZoneInfo(event.timezone))  # the door's own clock
        raise CheckInRefused("error.already_checked_in", at=first.strftime("%Y-%m-%d %H:%M"))
    return registration
