"""Events API: events, agenda, ticket types, quotas, questions, registrations, check-in, exports."""

from __future__ import annotations

import hmac
import io
import uuid
from urllib.parse import urlsplit

import segno
from starlette.responses import Response
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from events import editing, exports, listing, mailing, registration
from events.models import (
    AgendaSession,
    Event,
    EventKind,
    EventStatus,
    Question,
    Quota,
    Registration,
    RegistrationStatus,
    TicketType,
)
from events.schemas import (
    CheckInIn,
    CheckInOut,
    DoorEntry,
    DoorQuery,
    EventIn,
    EventOut,
    EventPatch,
    EventQuery,
    MailFailure,
    MailSummary,
    MessageIn,
    MessageOut,
    MessagePreview,
    MessagePreviewIn,
    QrCheckInIn,
    QuestionIn,
    QuestionOut,
    QuotaIn,
    QuotaOut,
    QuotaPatch,
    ReasonIn,
    RegistrationCreated,
    RegistrationIn,
    RegistrationList,
    RegistrationOut,
    RegistrationQuery,
    SessionIn,
    SessionOut,
    TicketAvailability,
    TicketTypeIn,
)
from notifications import delivery
from server import audit, spreadsheets
from server.accounts import require_role
from server.api import Allow, Api, Context, Page, PageQuery, Unchecked
from server.auth import hash_secret
from server.errors import BadRequest, NotFound, PermissionDenied
from server.i18n import Label, translate
from server.models import Role, User
from server.schemas import ReferenceOut

api = Api()
ORGANISERS = "Admins and organisers of the event's organisation."


def _uid_domain(ctx: Context) -> str:
    return urlsplit(ctx.settings.BASE_URL).hostname or "quancheng"


@api.route("GET", "/events", allow=Allow.ANYONE, summary="Published events, filtered and paged", tag="events")
async def list_events(ctx: Context, query: EventQuery) -> Page[EventOut]:
    found = listing.filter_events(listing.public_events(), query, ctx.settings.DEFAULT_TIMEZONE)
    items, total = await listing.event_page(found, query)
    return Page(items=items, total=total, page=query.page, per_page=query.per_page)


@api.route(
    "GET",
    "/organisations/{organisation_id:int}/events",
    allow=Allow.USER,
    summary="An organisation's events, drafts too",
    tag="events",
    rule="Admins and the organisation's organisers.",
)
async def organisation_events(ctx: Context, organisation_id: int, query: EventQuery) -> Page[EventOut]:
    await require_role(ctx.user, organisation_id, Role.ORGANISER)
    found = listing.filter_events(Event.filter(organisation_id=organisation_id), query, ctx.settings.DEFAULT_TIMEZONE)
    items, total = await listing.event_page(found, query)
    return Page(items=items, total=total, page=query.page, per_page=query.per_page)


@api.route(
    "POST",
    "/events",
    allow=Allow.USER,
    summary="Create a draft event",
    tag="events",
    status=201,
    rule="Admins and organisers of the organisation, which must be a bureau, organiser, training base or university.",
)
async def create_event(ctx: Context, body: EventIn) -> EventOut:
    event = await editing.create_event(
        ctx.user, body, default_timezone=ctx.settings.DEFAULT_TIMEZONE, uid_domain=_uid_domain(ctx)
    )
    return await listing.event_out(event)


@api.route(
    "GET",
    "/events/{event_id:int}",
    allow=Allow.ANYONE,
    summary="One event",
    tag="events",
    rule="Drafts only for admins and the organisation's organisers.",
)
async def get_event(ctx: Context, event_id: int) -> EventOut:
    return await listing.event_out(await editing.visible_event(event_id, ctx.caller.user if ctx.caller else None))


@api.route("PATCH", "/events/{event_id:int}", allow=Allow.USER, summary="Edit an event", tag="events", rule=ORGANISERS)
async def update_event(ctx: Context, event_id: int, body: EventPatch) -> EventOut:
    event = await editing.update_event(ctx.user, event_id, body, default_timezone=ctx.settings.DEFAULT_TIMEZONE)
    return await listing.event_out(event)


def _status_route(path: str, to: EventStatus, summary: str) -> None:
    async def move(ctx: Context, event_id: int) -> EventOut:
        return await listing.event_out(await editing.set_status(ctx.user, event_id, to))

    move.__name__ = f"{to.value}_event"
    api.route("POST", path, allow=Allow.USER, summary=summary, tag="events", rule=ORGANISERS)(move)


_status_route("/events/{event_id:int}/publish", EventStatus.PUBLISHED, "Publish a draft")
_status_route("/events/{event_id:int}/cancel", EventStatus.CANCELLED, "Cancel an event")
_status_route("/events/{event_id:int}/complete", EventStatus.COMPLETED, "Mark an event completed")


def _session_out(session: AgendaSession) -> SessionOut:
    return SessionOut(
        id=session.id,
        title={"zh": session.title_zh, "en": session.title_en},
        speakers=session.speakers,
        room=session.room,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
    )


@api.route("GET", "/events/{event_id:int}/sessions", allow=Allow.ANYONE, summary="The agenda", tag="agenda")
async def list_sessions(ctx: Context, event_id: int) -> list[SessionOut]:
    event = await editing.visible_event(event_id, ctx.caller.user if ctx.caller else None)
    return [_session_out(s) for s in await event.sessions.all().order_by("starts_at", "room", "id")]


@api.route(
    "POST",
    "/events/{event_id:int}/sessions",
    allow=Allow.USER,
    summary="Add an agenda session",
    tag="agenda",
    status=201,
    rule=ORGANISERS,
)
async def add_session(ctx: Context, event_id: int, body: SessionIn) -> SessionOut:
    return _session_out(await editing.add_session(ctx.user, event_id, body))


@api.route(
    "DELETE",
    "/events/{event_id:int}/sessions/{session_id:int}",
    allow=Allow.USER,
    summary="Remove a session",
    tag="agenda",
    rule=ORGANISERS,
)
async def delete_session(ctx: Context, event_id: int, session_id: int) -> None:
    await editing.delete_session(ctx.user, event_id, session_id)


@api.route("GET", "/events/{event_id:int}/ticket-types", allow=Allow.ANYONE, summary="Ticket types", tag="tickets")
async def list_ticket_types(ctx: Context, event_id: int) -> list[TicketAvailability]:
    event = await editing.visible_event(event_id, ctx.caller.user if ctx.caller else None)
    return (await listing.event_out(event)).ticket_types


@api.route(
    "POST",
    "/events/{event_id:int}/ticket-types",
    allow=Allow.USER,
    summary="Add a ticket type",
    tag="tickets",
    status=201,
    rule=ORGANISERS,
)
async def add_ticket_type(ctx: Context, event_id: int, body: TicketTypeIn) -> TicketAvailability:
    ticket_type = await editing.add_ticket_type(ctx.user, event_id, body)
    event = await Event.get(id=event_id).select_related("region").prefetch_related("tags")
    return next(t for t in (await listing.event_out(event)).ticket_types if t.id == ticket_type.id)


@api.route(
    "DELETE",
    "/events/{event_id:int}/ticket-types/{ticket_type_id:int}",
    allow=Allow.USER,
    summary="Remove a ticket type",
    tag="tickets",
    rule=ORGANISERS + " Not the default one, and only while nobody has registered with it.",
)
async def delete_ticket_type(ctx: Context, event_id: int, ticket_type_id: int) -> None:
    await editing.delete_ticket_type(ctx.user, event_id, ticket_type_id)


async def _quota_out(quota: Quota) -> QuotaOut:
    question = await Question.get_or_none(id=quota.question_id) if quota.question_id is not None else None
    return QuotaOut(
        id=quota.id,
        name=quota.name,
        size=quota.size,
        used=quota.used,
        available=max(quota.size - quota.used, 0),
        covers_all=quota.covers_all,
        ticket_types=sorted(t.id for t in await quota.ticket_types.all()),
        question_key=question.key if question else None,
        choice_key=quota.choice_key,
    )


@api.route(
    "GET",
    "/events/{event_id:int}/quotas",
    allow=Allow.USER,
    summary="Quotas and their use",
    tag="tickets",
    rule=ORGANISERS,
)
async def list_quotas(ctx: Context, event_id: int) -> list[QuotaOut]:
    event = await editing.managed_event(event_id, ctx.user)
    return [await _quota_out(q) for q in await Quota.filter(event_id=event.id).order_by("id")]


@api.route(
    "POST",
    "/events/{event_id:int}/quotas",
    allow=Allow.USER,
    summary="Add a quota over ticket types",
    tag="tickets",
    status=201,
    rule=ORGANISERS,
)
async def add_quota(ctx: Context, event_id: int, body: QuotaIn) -> QuotaOut:
    return await _quota_out(await editing.add_quota(ctx.user, event_id, body))


@api.route(
    "PATCH",
    "/events/{event_id:int}/quotas/{quota_id:int}",
    allow=Allow.USER,
    summary="Resize a quota",
    tag="tickets",
    rule=ORGANISERS + " Never below its current holders; more room is offered to the waiting list.",
)
async def resize_quota(ctx: Context, event_id: int, quota_id: int, body: QuotaPatch) -> QuotaOut:
    return await _quota_out(await editing.resize_quota(ctx.user, event_id, quota_id, body.size))


def _question_out(question: Question) -> QuestionOut:
    return QuestionOut(
        id=question.id,
        key=question.key,
        kind=question.kind,
        label={"zh": question.label_zh, "en": question.label_en},
        required=question.required,
        minimum=question.minimum,
        maximum=question.maximum,
        choices=question.choices,
    )


@api.route(
    "GET", "/events/{event_id:int}/questions", allow=Allow.ANYONE, summary="Registration questions", tag="tickets"
)
async def list_questions(ctx: Context, event_id: int) -> list[QuestionOut]:
    event = await editing.visible_event(event_id, ctx.caller.user if ctx.caller else None)
    return [_question_out(q) for q in await Question.filter(event_id=event.id).order_by("position", "id")]


@api.route(
    "POST",
    "/events/{event_id:int}/questions",
    allow=Allow.USER,
    summary="Add a registration question",
    tag="tickets",
    status=201,
    rule=ORGANISERS,
)
async def add_question(ctx: Context, event_id: int, body: QuestionIn) -> QuestionOut:
    return _question_out(await editing.add_question(ctx.user, event_id, body))


@api.route(
    "DELETE",
    "/events/{event_id:int}/questions/{question_id:int}",
    allow=Allow.USER,
    summary="Remove a registration question",
    tag="tickets",
    rule=ORGANISERS + " Only while the event has no registrations, so no answer is lost.",
)
async def delete_question(ctx: Context, event_id: int, question_id: int) -> None:
    await editing.delete_question(ctx.user, event_id, question_id)


@api.route(
    "POST",
    "/events/{event_id:int}/registrations",
    allow=Allow.ANYONE,
    summary="Register",
    tag="registrations",
    status=201,
    rule="Send an `Idempotency-Key` header to make retries safe: a repeat replays the first answer. "
    "A 422 lists every field error at once, the answers' (`answers.{key}`) with the body's.",
)
async def register(ctx: Context, event_id: int, body: Unchecked[RegistrationIn]) -> RegistrationCreated:
    key = ctx.request.headers.get("idempotency-key")
    if key is not None and not 8 <= len(key) <= 200:
        raise BadRequest("error.idempotency_key")
    created = await registration.register(
        event_id,
        body.data,
        user=ctx.caller.user if ctx.caller else None,
        idempotency_key=key,
        secret_key=ctx.settings.secret_key(),
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
    allow=Allow.USER,
    summary="Registrations, counts, CSV/XLSX export",
    tag="registrations",
    rule=ORGANISERS + " `?format=csv|xlsx` downloads every matching row.",
)
async def list_registrations(ctx: Context, event_id: int, query: RegistrationQuery) -> RegistrationList | Response:
    event = await editing.managed_event(event_id, ctx.user)
    found = Registration.filter(event_id=event.id)
    if query.status:
        found = found.filter(status=query.status)
    if query.ticket_type:
        found = found.filter(ticket_type_id=query.ticket_type)
    if query.q:
        found = found.filter(Q(email__icontains=query.q) | Q(name__icontains=query.q))
    found = found.order_by("seq")
    if query.format in ("csv", "xlsx"):
        return await _export(ctx, event, await listing.registrations_out(await found, {}), query.format)
    total = await found.count()
    rows = await found.offset((query.page - 1) * query.per_page).limit(query.per_page)
    return RegistrationList(
        items=await listing.registrations_out(rows, {}),
        total=total,
        page=query.page,
        per_page=query.per_page,
        counts=await listing.status_counts(event.id),
        checked_in=await Registration.filter(event_id=event.id, checked_in_at__isnull=False).count(),
    )


async def _export(ctx: Context, event: Event, rows: list[RegistrationOut], kind: str) -> Response:
    questions = await Question.filter(event_id=event.id).order_by("position", "id")
    ticket_types = await TicketType.filter(event_id=event.id)
    table = exports.table(rows, questions, ticket_types, ctx.locale, event.timezone)
    filename = f"registrations-{event.id}.{kind}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if kind == "csv":
        return Response(spreadsheets.to_csv(table), media_type=spreadsheets.CSV, headers=headers)
    content = spreadsheets.to_xlsx(table, translate("export.sheet", ctx.locale))
    return Response(content, media_type=spreadsheets.XLSX, headers=headers)


def _manage_token(ctx: Context) -> str | None:
    scheme, _, value = ctx.request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip().startswith(("qcm_", "qcl_")):
        return value.strip()
    return ctx.request.query_params.get("token")


async def registration_access(ctx: Context, registration_id: uuid.UUID) -> tuple[Registration, bool, bool]:
    """The registration and whether the caller is its registrant and/or organises its event; else 404."""
    found = await Registration.get_or_none(id=registration_id)
    if found is None:
        raise NotFound()
    token = _manage_token(ctx)
    user: User | None = ctx.caller.user if ctx.caller else None
    is_registrant = (
        bool(token and hmac.compare_digest(hash_secret(token), found.manage_token_hash))
        or bool(token and token.startswith("qcl_") and mailing.link_is_valid(token, found.id))
        or bool(user and found.user_id == user.id)
    )
    is_organiser = False
    if user is not None:
        event = await Event.get(id=found.event_id)
        try:
            await require_role(user, event.organisation_id, Role.ORGANISER)
            is_organiser = True
        except PermissionDenied:
            pass
    if not (is_registrant or is_organiser):
        raise NotFound()
    return found, is_registrant, is_organiser


async def _registration_out(ctx: Context, found: Registration) -> RegistrationOut:
    qr = {}
    if found.status is RegistrationStatus.CONFIRMED:
        qr[str(found.id)] = registration.qr_payload(ctx.settings.secret_key(), found.id)
    return (await listing.registrations_out([found], qr))[0]


def _actor(ctx: Context) -> User | str:
    return ctx.caller.user if ctx.caller else "registrant"


REGISTRANT = "The registrant (manage token as bearer or `?token=`, or their account), or the event's organisers."


@api.route(
    "GET",
    "/registrations/{registration_id:uuid}",
    allow=Allow.ANYONE,
    summary="One registration",
    tag="registrations",
    rule=REGISTRANT,
)
async def get_registration(ctx: Context, registration_id: uuid.UUID) -> RegistrationOut:
    found, _, _ = await registration_access(ctx, registration_id)
    return await _registration_out(ctx, found)


@api.route(
    "POST",
    "/registrations/{registration_id:uuid}/cancel",
    allow=Allow.ANYONE,
    summary="Cancel a registration",
    tag="registrations",
    rule=REGISTRANT,
)
async def cancel_registration(ctx: Context, registration_id: uuid.UUID) -> RegistrationOut:
    await registration_access(ctx, registration_id)
    changed = await registration.change(registration_id, RegistrationStatus.CANCELLED, actor=_actor(ctx))
    return await _registration_out(ctx, changed)


@api.route(
    "POST",
    "/registrations/{registration_id:uuid}/accept",
    allow=Allow.ANYONE,
    summary="Accept an offered seat",
    tag="registrations",
    rule="The registrant only.",
)
async def accept_offer(ctx: Context, registration_id: uuid.UUID) -> RegistrationOut:
    _, is_registrant, _ = await registration_access(ctx, registration_id)
    if not is_registrant:
        raise PermissionDenied()
    return await _registration_out(ctx, await registration.accept_offer(registration_id, actor=_actor(ctx)))


async def _organiserregistration_access(ctx: Context, registration_id: uuid.UUID) -> None:
    _, _, is_organiser = await registration_access(ctx, registration_id)
    if not is_organiser:
        raise PermissionDenied()


@api.route(
    "POST",
    "/registrations/{registration_id:uuid}/approve",
    allow=Allow.USER,
    summary="Approve a pending registration",
    tag="registrations",
    rule=ORGANISERS,
)
async def approve_registration(ctx: Context, registration_id: uuid.UUID) -> RegistrationOut:
    await _organiserregistration_access(ctx, registration_id)
    changed = await registration.change(
        registration_id, RegistrationStatus.CONFIRMED, actor=ctx.user, only_from=frozenset({RegistrationStatus.PENDING})
    )
    return await _registration_out(ctx, changed)


@api.route(
    "POST",
    "/registrations/{registration_id:uuid}/reject",
    allow=Allow.USER,
    summary="Reject, with a reason",
    tag="registrations",
    rule=ORGANISERS,
)
async def reject_registration(ctx: Context, registration_id: uuid.UUID, body: ReasonIn) -> RegistrationOut:
    await _organiserregistration_access(ctx, registration_id)
    changed = await registration.change(
        registration_id, RegistrationStatus.REJECTED, actor=ctx.user, reason=body.reason
    )
    return await _registration_out(ctx, changed)


async def _check_in(ctx: Context, event_id: int, registration_id: uuid.UUID, nonce: str) -> CheckInOut:
    event = await editing.managed_event(event_id, ctx.user, Role.ORGANISER, Role.CHECKER)
    found = await Registration.get_or_none(id=registration_id, event_id=event.id)
    if found is None:
        raise NotFound()
    done = await registration.check_in(found, nonce, actor=ctx.user, organisation_id=event.organisation_id)
    assert done.checked_in_at is not None
    return CheckInOut(id=done.id, name=done.name, ticket_type=done.ticket_type_id, checked_in_at=done.checked_in_at)


CHECKERS = "Admins, and organisers and checkers of the event's organisation."


@api.route(
    "POST",
    "/registrations/{registration_id:uuid}/check-in",
    allow=Allow.USER,
    summary="Check in by id",
    tag="check-in",
    rule=CHECKERS + " Same nonce twice answers the same; a second scan is refused.",
)
async def check_in_by_id(ctx: Context, registration_id: uuid.UUID, body: CheckInIn) -> CheckInOut:
    found = await Registration.get_or_none(id=registration_id)
    if found is None:
        raise NotFound()
    return await _check_in(ctx, found.event_id, registration_id, body.nonce)


@api.route(
    "POST",
    "/events/{event_id:int}/check-in",
    allow=Allow.USER,
    summary="Check in by scanned QR code",
    tag="check-in",
    rule=CHECKERS,
)
async def check_in_by_qr(ctx: Context, event_id: int, body: QrCheckInIn) -> CheckInOut:
    await editing.managed_event(event_id, ctx.user, Role.ORGANISER, Role.CHECKER)
    registration_id = registration.registration_from_qr(ctx.settings.secret_key(), body.qr)
    if registration_id is None:
        raise BadRequest("error.qr_invalid", errors=[(("body", "qr"), "validation.qr_invalid")])
    return await _check_in(ctx, event_id, registration_id, body.nonce)


@api.route("GET", "/me/registrations", allow=Allow.USER, summary="My registrations", tag="registrations")
async def my_registrations(ctx: Context, query: PageQuery) -> Page[RegistrationOut]:
    found = Registration.filter(user=ctx.user).order_by("-seq")
    total = await found.count()
    rows = await found.offset((query.page - 1) * query.per_page).limit(query.per_page)
    secret = ctx.settings.secret_key()
    qr = {str(r.id): registration.qr_payload(secret, r.id) for r in rows if r.status is RegistrationStatus.CONFIRMED}
    return Page(items=await listing.registrations_out(rows, qr), total=total, page=query.page, per_page=query.per_page)


@api.route(
    "POST",
    "/events/{event_id:int}/messages",
    allow=Allow.USER,
    summary="Mail the registrants",
    tag="mail",
    status=201,
    rule=ORGANISERS + " Goes to the registrations in `statuses` (default: confirmed).",
)
async def send_message(ctx: Context, event_id: int, body: MessageIn) -> MessageOut:
    event = await editing.managed_event(event_id, ctx.user)
    async with in_transaction():
        count = await mailing.organiser_message(event, body.statuses, body.subject, body.body)
        await audit.record(
            ctx.user,
            "event.message",
            event,
            organisation_id=event.organisation_id,
            after={"subject": body.subject, "recipients": count},
        )
    return MessageOut(recipients=count)


@api.route(
    "POST",
    "/events/{event_id:int}/messages/preview",
    allow=Allow.USER,
    summary="Preview a message to the registrants",
    tag="mail",
    rule=ORGANISERS + " Renders the mail a registrant in `locale` would get, and counts its recipients; sends nothing.",
)
async def preview_message(ctx: Context, event_id: int, body: MessagePreviewIn) -> MessagePreview:
    event = await editing.managed_event(event_id, ctx.user)
    rendered, count = await mailing.organiser_message_preview(
        event, body.statuses, body.subject, body.body, body.locale
    )
    return MessagePreview(recipients=count, subject=rendered.subject, text=rendered.text, html=rendered.html)


@api.route(
    "GET",
    "/events/{event_id:int}/mail",
    allow=Allow.USER,
    summary="Mail of this event: counts and failures",
    tag="mail",
    rule=ORGANISERS,
)
async def mail_summary(ctx: Context, event_id: int) -> MailSummary:
    event = await editing.managed_event(event_id, ctx.user)
    topic = f"event:{event.id}"
    failed = [
        MailFailure(
            id=m.id,
            channel=m.channel,
            to=m.to_addr,
            template=m.template,
            attempts=m.attempts,
            last_code=m.last_code,
            last_error=m.last_error,
        )
        for m in await delivery.failures(topic)
    ]
    total, by_channel = await delivery.counts(topic)
    return MailSummary(counts=total, channels=by_channel, failed=failed)


@api.route(
    "POST",
    "/events/{event_id:int}/mail/retry",
    allow=Allow.USER,
    summary="Send failed mail again",
    tag="mail",
    rule=ORGANISERS,
)
async def retry_mail(ctx: Context, event_id: int) -> MessageOut:
    event = await editing.managed_event(event_id, ctx.user)
    return MessageOut(recipients=await delivery.retry_failed(f"event:{event.id}"))


@api.route(
    "GET",
    "/registrations/{registration_id:uuid}/qr.svg",
    allow=Allow.ANYONE,
    summary="The entry QR code",
    tag="check-in",
    produces="image/svg+xml",
    rule=REGISTRANT + " Only for a confirmed registration.",
)
async def registration_qr(ctx: Context, registration_id: uuid.UUID) -> Response:
    found, _, _ = await registration_access(ctx, registration_id)
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
    allow=Allow.USER,
    summary="Find a confirmed registrant at the door",
    tag="check-in",
    rule=CHECKERS + " At most 20 matches by name or email, with the email partly hidden.",
)
async def door_search(ctx: Context, event_id: int, query: DoorQuery) -> list[DoorEntry]:
    event = await editing.managed_event(event_id, ctx.user, Role.ORGANISER, Role.CHECKER)
    found = Registration.filter(event_id=event.id, status=RegistrationStatus.CONFIRMED).filter(
        Q(name__icontains=query.q) | Q(email__icontains=query.q)
    )
    return [
        DoorEntry(id=r.id, name=r.name, email_hint=_hint(r.email), checked_in_at=r.checked_in_at)
        for r in await found.order_by("name").limit(20)
    ]


@api.route(
    "GET",
    "/event-kinds",
    allow=Allow.ANYONE,
    summary="Event kinds with their names",
    tag="reference",
    rule="Anyone. In the order of the EventKind enum, named from the server catalogue in both languages.",
)
async def list_event_kinds(ctx: Context) -> list[ReferenceOut]:
    keys = {kind.value: f"event_kind.{kind.value}" for kind in EventKind}
    return [
        ReferenceOut(code=code, name={"zh": translate(key, "zh-CN"), "en": translate(key, "en")})
        for code, key in keys.items()
    ]
