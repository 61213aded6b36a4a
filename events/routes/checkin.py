"""At the door: checking in by id or scanned QR code, the entry QR code, and finding a registrant."""

from __future__ import annotations

import io
import uuid
from contextlib import suppress

import segno
from starlette.responses import Response
from tortoise.expressions import Q

from events import disclosure, entry_codes, registration
from events.access import Organisers, RegistrationAccess, RegistrationHolder
from events.models import Event, Purpose, Registration, RegistrationStatus
from events.schemas import CheckInIn, CheckInOut, DoorEntry, DoorQuery, EntryCodeOut, QrCheckInIn
from server.api import Api, Context
from server.clock import utcnow
from server.errors import BadRequest, NotFound
from server.i18n import Label
from server.models import Role

api = Api()
STAFF = (Role.ORGANISER, Role.CHECKER)


async def _check_in(
    ctx: Context,
    event: Event,
    registration_id: uuid.UUID,
    nonce: str,
    *,
    entry: entry_codes.EntryCode | None = None,
    static_code: bool = False,
) -> CheckInOut:
    found = await Registration.get_or_none(id=registration_id, event_id=event.id)
    if found is None:
        raise NotFound()
    done = await registration.check_in(
        found, nonce, actor=ctx.user, organisation_id=event.organisation_id, entry=entry, static_code=static_code
    )
    assert done.checked_in_at is not None
    return CheckInOut(id=done.id, name=done.name, ticket_type=done.ticket_type_id, checked_in_at=done.checked_in_at)


@api.route(
    "POST",
    "/registrations/{registration_id:uuid}/check-in",
    guard=Organisers(of_event=None, of_registration="registration_id", roles=STAFF),
    summary="Check in by id",
    tag="check-in",
)
async def check_in_by_id(ctx: Context, registration_id: uuid.UUID, event: Event, body: CheckInIn) -> CheckInOut:
    """Same nonce twice answers the same; a second scan is refused."""
    return await _check_in(ctx, event, registration_id, body.nonce)


@api.route(
    "POST",
    "/events/{event_id:int}/check-in",
    guard=Organisers(roles=STAFF),
    summary="Check in by scanned QR code",
    tag="check-in",
)
async def check_in_by_qr(ctx: Context, event_id: int, event: Event, body: QrCheckInIn) -> CheckInOut:
    """The dynamic code of the registrant's page (current window ± one, once) or, where the event allows it,
    the static printed code."""
    secret_key = ctx.settings.secret_key()
    if entry_codes.is_entry_code(body.qr):
        entry = entry_codes.read_entry_code(secret_key, body.qr)
        if entry is None:
            raise _unreadable()
        return await _check_in(ctx, event, entry.registration_id, body.nonce, entry=entry)
    registration_id = registration.registration_from_qr(secret_key, body.qr)
    if registration_id is None:
        raise _unreadable()
    return await _check_in(ctx, event, registration_id, body.nonce, static_code=True)


def _unreadable() -> BadRequest:
    return BadRequest("error.qr_invalid", errors=[(("body", "qr"), "validation.qr_invalid")])


def _confirmed(held: RegistrationAccess) -> Registration:
    if held.registration.status is not RegistrationStatus.CONFIRMED:
        status = Label(f"status.{held.registration.status.value}")
        raise registration.CheckInRefused("error.checkin_not_confirmed", status=status)
    return held.registration


def _svg_data_uri(payload: str) -> str:
    return segno.make(payload, error="m").svg_data_uri(scale=8, border=2)


@api.route(
    "GET",
    "/registrations/{registration_id:uuid}/entry-code",
    guard=RegistrationHolder(),
    summary="The dynamic entry code of this moment",
    tag="check-in",
)
async def registration_entry_code(ctx: Context, registration_id: uuid.UUID, held: RegistrationAccess) -> EntryCodeOut:
    """Only for a confirmed registration; the page polls it, as the code changes every window."""
    found = _confirmed(held)
    now = utcnow()
    window = entry_codes.window_of(now)
    payload = entry_codes.entry_code(ctx.settings.secret_key(), found.id, window)
    return EntryCodeOut(
        code=payload,
        svg=_svg_data_uri(payload),
        refresh_in=round(entry_codes.window_ends_at(window) - now.timestamp(), 3),
        window_seconds=entry_codes.WINDOW_SECONDS,
    )


@api.route(
    "GET",
    "/registrations/{registration_id:uuid}/qr.svg",
    guard=RegistrationHolder(),
    summary="The entry QR code",
    tag="check-in",
    produces="image/svg+xml",
)
async def registration_qr(ctx: Context, registration_id: uuid.UUID, held: RegistrationAccess) -> Response:
    """Only for a confirmed registration."""
    found = _confirmed(held)
    image = io.BytesIO()
    segno.make(registration.qr_payload(ctx.settings.secret_key(), found.id), error="m").save(
        image, kind="svg", scale=8, border=2
    )
    return Response(image.getvalue(), media_type="image/svg+xml", headers={"Cache-Control": "private, no-store"})


def _hint(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:2]}***@{domain}"


@api.route(
    "GET",
    "/events/{event_id:int}/check-in/search",
    guard=Organisers(roles=STAFF),
    summary="Find a confirmed registrant at the door",
    tag="check-in",
)
async def door_search(ctx: Context, event_id: int, event: Event, query: DoorQuery) -> list[DoorEntry]:
    """At most 20 matches, with the email partly hidden: by part of the name, but by the whole email or the whole
    registration id only, so that guessing an address letter by letter finds nobody."""
    wanted = Q(name__icontains=query.q) | Q(email__iexact=query.q)
    with suppress(ValueError):
        wanted |= Q(id=uuid.UUID(query.q))
    found = (
        await Registration.filter(wanted, event_id=event.id, status=RegistrationStatus.CONFIRMED)
        .order_by("name")
        .limit(20)
    )
    await disclosure.record(ctx.user, event, Purpose.DOOR, len(found))
    return [DoorEntry(id=r.id, name=r.name, email_hint=_hint(r.email), checked_in_at=r.checked_in_at) for r in found]
