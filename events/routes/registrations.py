"""Registrations: registering, the organisers' list and export, one registration and its state changes."""

from __future__ import annotations

import uuid

from starlette.responses import Response
from tortoise.expressions import Q

from events import disclosure, exports, listing, registering, registration
from events.access import Organisers, RegistrationAccess, RegistrationHolder
from events.models import Event, Purpose, Question, Registration, RegistrationStatus, TicketType
from events.schemas import (
    ReasonIn,
    RegistrationCreated,
    RegistrationIn,
    RegistrationList,
    RegistrationOut,
    RegistrationQuery,
)
from server import spreadsheets
from server.access import Anyone, SignedIn
from server.api import Api, Context, Page, PageQuery, Unchecked, paginate
from server.errors import BadRequest
from server.i18n import translate
from server.models import User

api = Api()


@api.route(
    "POST",
    "/events/{event_id:int}/registrations",
    guard=Anyone,
    summary="Register",
    tag="registrations",
    status=201,
    rate_limited=True,
    hot=True,
)
async def register(ctx: Context, event_id: int, body: Unchecked[RegistrationIn]) -> RegistrationCreated:
    """Send an `Idempotency-Key` header to make retries safe: a repeat replays the first answer (and does not count
    against the limit of attempts per client address and event, which answers 429 with `Retry-After`).
    A 422 lists every field error at once, the answers' (`answers.{key}`) with the body's."""
    key = ctx.request.headers.get("idempotency-key")
    if key is not None and not 8 <= len(key) <= 200:
        raise BadRequest("error.idempotency_key")
    created = await registering.register(
        event_id,
        body.data,
        user=ctx.maybe_user,
        idempotency_key=key,
        secret_key=ctx.settings.secret_key(),
        throttle=ctx.request.app.state.registration_throttle,
        client=ctx.client_ip,
    )
    return RegistrationCreated(
        id=created.registration.id,
        status=created.status,
        waitlist_position=created.waitlist_position,
        manage_token=created.manage_token,
        offered_until=created.registration.offered_until,
    )


@api.route(
    "GET",
    "/events/{event_id:int}/registrations",
    guard=Organisers(),
    summary="Registrations, counts, CSV/XLSX export",
    tag="registrations",
)
async def list_registrations(
    ctx: Context, event_id: int, event: Event, query: RegistrationQuery
) -> RegistrationList | Response:
    """`?format=csv|xlsx` downloads every matching row."""
    found = Registration.filter(event_id=event.id)
    if query.status:
        found = found.filter(status=query.status)
    if query.ticket_type:
        found = found.filter(ticket_type_id=query.ticket_type)
    if query.q:
        found = found.filter(Q(email__icontains=query.q) | Q(name__icontains=query.q))
    found = found.order_by("seq")
    if query.format in ("csv", "xlsx"):
        everyone = await found
        entry = await disclosure.record(ctx.user, event, Purpose.EXPORT, len(everyone))
        mark = disclosure.watermark(entry, ctx.user, event.timezone, ctx.locale)
        return await _export(ctx, event, await listing.registrations_out(everyone, {}), query.format, mark)
    rows, total = await paginate(found, query)
    await disclosure.record(ctx.user, event, Purpose.LIST, len(rows))
    return RegistrationList(
        items=await listing.registrations_out(rows, {}),
        total=total,
        page=query.page,
        per_page=query.per_page,
        counts=await listing.status_counts(event.id),
        checked_in=await Registration.filter(event_id=event.id, checked_in_at__isnull=False).count(),
    )


async def _export(ctx: Context, event: Event, rows: list[RegistrationOut], kind: str, watermark: str) -> Response:
    questions = await Question.filter(event_id=event.id).order_by("position", "id")
    ticket_types = await TicketType.filter(event_id=event.id)
    table: list[list[object]] = [[watermark], *exports.table(rows, questions, ticket_types, ctx.locale, event.timezone)]
    filename = f"registrations-{event.id}.{kind}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if kind == "csv":
        return Response(spreadsheets.to_csv(table), media_type=spreadsheets.CSV, headers=headers)
    content = spreadsheets.to_xlsx(table, translate("export.sheet", ctx.locale))
    return Response(content, media_type=spreadsheets.XLSX, headers=headers)


async def _registration_out(ctx: Context, found: Registration) -> RegistrationOut:
    qr = {}
    if found.status is RegistrationStatus.CONFIRMED:
        qr[str(found.id)] = registration.qr_payload(ctx.settings.secret_key(), found.id)
    return (await listing.registrations_out([found], qr))[0]


def _actor(ctx: Context) -> User | str:
    return ctx.maybe_user or "registrant"


@api.route(
    "GET",
    "/registrations/{registration_id:uuid}",
    guard=RegistrationHolder(),
    summary="One registration",
    tag="registrations",
)
async def get_registration(ctx: Context, registration_id: uuid.UUID, held: RegistrationAccess) -> RegistrationOut:
    """Opened by the event's staff, the read is written in the event's access record (`…/access-log`)."""
    await disclosure.opened(ctx.maybe_user, held)
    return await _registration_out(ctx, held.registration)


@api.route(
    "POST",
    "/registrations/{registration_id:uuid}/cancel",
    guard=RegistrationHolder(),
    summary="Cancel a registration",
    tag="registrations",
)
async def cancel_registration(ctx: Context, registration_id: uuid.UUID) -> RegistrationOut:
    changed = await registration.change(registration_id, RegistrationStatus.CANCELLED, actor=_actor(ctx))
    return await _registration_out(ctx, changed)


@api.route(
    "POST",
    "/registrations/{registration_id:uuid}/accept",
    guard=RegistrationHolder(organisers=False),
    summary="Accept an offered seat",
    tag="registrations",
)
async def accept_offer(ctx: Context, registration_id: uuid.UUID) -> RegistrationOut:
    return await _registration_out(ctx, await registration.accept_offer(registration_id, actor=_actor(ctx)))


@api.route(
    "POST",
    "/registrations/{registration_id:uuid}/approve",
    guard=RegistrationHolder(registrant=False),
    summary="Approve a pending registration",
    tag="registrations",
)
async def approve_registration(ctx: Context, registration_id: uuid.UUID) -> RegistrationOut:
    changed = await registration.change(
        registration_id, RegistrationStatus.CONFIRMED, actor=ctx.user, only_from=frozenset({RegistrationStatus.PENDING})
    )
    return await _registration_out(ctx, changed)


@api.route(
    "POST",
    "/registrations/{registration_id:uuid}/reject",
    guard=RegistrationHolder(registrant=False),
    summary="Reject, with a reason",
    tag="registrations",
)
async def reject_registration(ctx: Context, registration_id: uuid.UUID, body: ReasonIn) -> RegistrationOut:
    changed = await registration.change(
        registration_id, RegistrationStatus.REJECTED, actor=ctx.user, reason=body.reason
    )
    return await _registration_out(ctx, changed)


@api.route("GET", "/me/registrations", guard=SignedIn, summary="My registrations", tag="registrations")
async def my_registrations(ctx: Context, query: PageQuery) -> Page[RegistrationOut]:
    rows, total = await paginate(Registration.filter(user=ctx.user).order_by("-seq"), query)
    secret = ctx.settings.secret_key()
    qr = {str(r.id): registration.qr_payload(secret, r.id) for r in rows if r.status is RegistrationStatus.CONFIRMED}
    return Page(items=await listing.registrations_out(rows, qr), total=total, page=query.page, per_page=query.per_page)
