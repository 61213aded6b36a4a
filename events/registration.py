"""Registrations after their creation (`events.registering`): the one transition function, the waiting list and
its offers, check-in.

Capacity moves only through `events.capacity`; state moves only through `transition`.
"""

from __future__ import annotations

import hmac
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from events import capacity, mailing
from events.entry_codes import EntryCode, EntryCodeExpired, StaticCodeOff
from events.models import (
    ACTIVE,
    HOLDING,
    Event,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from server import audit, identity
from server.auth import sign
from server.clock import utcnow
from server.errors import Conflict, NotFound
from server.i18n import Label
from server.models import User

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


class TransitionForbidden(Conflict):
    key = "error.transition_forbidden"


class CheckInRefused(Conflict):
    key = "error.checkin_refused"


Actor = User | str


async def claim_earlier_registrations(user: User) -> None:
    """Registrations made without an account under an address join the account once it proves the address
    (never before: anyone may sign up with any address)."""
    await Registration.filter(user_id=None, email=user.email).update(user_id=user.id)


identity.when_verified(claim_earlier_registrations)


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
