"""At the door: checking in by id or scanned QR code, the entry QR code, and finding a registrant."""

from __future__ import annotations

import io
import uuid

import segno
from starlette.responses import Response
from tortoise.expressions import Q

from events import registration
from events.access import Organisers, RegistrationAccess, RegistrationHolder
from events.models import Event, Registration, RegistrationStatus
from events.schemas import CheckInIn, CheckInOut, DoorEntry, DoorQuery, QrCheckInIn
from server.api import Api, Context
from server.errors import BadRequest, NotFound
from server.i18n import Label
from server.models import Role

api = Api()
STAFF = (Role.ORGANISER, Role.CHECKER)


async def _check_in(ctx: Context, event: Event, registration_id: uuid.UUID, nonce: str) -> CheckInOut:
    found = await Registration.get_or_none(id=registration_id, event_id=event.id)
    if found is None:
        raise NotFound()
    done = await registration.check_in(found, nonce, actor=ctx.user, organisation_id=event.organisation_id)
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
    registration_id = registration.registration_from_qr(ctx.settings.secret_key(), body.qr)
    if registration_id is None:
        raise BadRequest("error.qr_invalid", errors=[(("body", "qr"), "validation.qr_invalid")])
    return await _check_in(ctx, event, registration_id, body.nonce)


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
    found = held.registration
    if found.status is not RegistrationStatus.CONFIRMED:
        raise registration.CheckInRefused("error.checkin_not_confirmed", status=Label(f"status.{found.status.value}"))
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
    """At most 20 matches by name or email, with the email partly hidden."""
    found = Registration.filter(event_id=event.id, status=RegistrationStatus.CONFIRMED).filter(
        Q(name__icontains=query.q) | Q(email__icontains=query.q)
    )
    return [
        DoorEntry(id=r.id, name=r.name, email_hint=_hint(r.email), checked_in_at=r.checked_in_at)
        for r in await found.order_by("name").limit(20)
    ]
