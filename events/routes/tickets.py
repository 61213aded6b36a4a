"""What a registrant chooses and answers: ticket types, the quotas over them, and registration questions."""

from __future__ import annotations

from events import editing, listing
from events.access import Organisers, Viewers
from events.models import Event, Question, Quota
from events.schemas import (
    QuestionIn,
    QuestionOut,
    QuotaIn,
    QuotaOut,
    QuotaPatch,
    TicketAvailability,
    TicketTypeIn,
)
from server.api import Api, Context

api = Api()


@api.route("GET", "/events/{event_id:int}/ticket-types", guard=Viewers(), summary="Ticket types", tag="tickets")
async def list_ticket_types(ctx: Context, event_id: int, event: Event) -> list[TicketAvailability]:
    return (await listing.event_out(event)).ticket_types


@api.route(
    "POST",
    "/events/{event_id:int}/ticket-types",
    guard=Organisers(),
    summary="Add a ticket type",
    tag="tickets",
    status=201,
)
async def add_ticket_type(ctx: Context, event_id: int, body: TicketTypeIn) -> TicketAvailability:
    ticket_type = await editing.add_ticket_type(ctx.user, event_id, body)
    event = await Event.get(id=event_id).select_related("region").prefetch_related("tags")
    return next(t for t in (await listing.event_out(event)).ticket_types if t.id == ticket_type.id)


@api.route(
    "DELETE",
    "/events/{event_id:int}/ticket-types/{ticket_type_id:int}",
    guard=Organisers(),
    summary="Remove a ticket type",
    tag="tickets",
)
async def delete_ticket_type(ctx: Context, event_id: int, ticket_type_id: int) -> None:
    """Not the default one, and only while nobody has registered with it."""
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


@api.route("GET", "/events/{event_id:int}/quotas", guard=Organisers(), summary="Quotas and their use", tag="tickets")
async def list_quotas(ctx: Context, event_id: int, event: Event) -> list[QuotaOut]:
    return [await _quota_out(q) for q in await Quota.filter(event_id=event.id).order_by("id")]


@api.route(
    "POST",
    "/events/{event_id:int}/quotas",
    guard=Organisers(),
    summary="Add a quota over ticket types",
    tag="tickets",
    status=201,
)
async def add_quota(ctx: Context, event_id: int, body: QuotaIn) -> QuotaOut:
    return await _quota_out(await editing.add_quota(ctx.user, event_id, body))


@api.route(
    "PATCH",
    "/events/{event_id:int}/quotas/{quota_id:int}",
    guard=Organisers(),
    summary="Resize a quota",
    tag="tickets",
)
async def resize_quota(ctx: Context, event_id: int, quota_id: int, body: QuotaPatch) -> QuotaOut:
    """Never below its current holders; more room is offered to the waiting list."""
    return await _quota_out(await editing.resize_quota(ctx.user, event_id, quota_id, body.size))


def _question_out(question: Question, full: frozenset[tuple[int, str]] = frozenset()) -> QuestionOut:
    """`full` holds the (question id, choice key) pairs whose limit is reached: those choices say `full: true`."""
    return QuestionOut(
        id=question.id,
        key=question.key,
        kind=question.kind,
        label={"zh": question.label_zh, "en": question.label_en},
        required=question.required,
        minimum=question.minimum,
        maximum=question.maximum,
        choices=[{**choice, "full": (question.id, choice["key"]) in full} for choice in question.choices],
    )


@api.route("GET", "/events/{event_id:int}/questions", guard=Viewers(), summary="Registration questions", tag="tickets")
async def list_questions(ctx: Context, event_id: int, event: Event) -> list[QuestionOut]:
    """A choice whose limit is reached says so (`full`), so that the form offers only what is left."""
    full = frozenset(
        (quota.question_id, quota.choice_key)
        for quota in await Quota.filter(event_id=event.id, question_id__not_isnull=True)
        if quota.question_id is not None and quota.choice_key is not None and quota.used >= quota.size
    )
    return [_question_out(q, full) for q in await Question.filter(event_id=event.id).order_by("position", "id")]


@api.route(
    "POST",
    "/events/{event_id:int}/questions",
    guard=Organisers(),
    summary="Add a registration question",
    tag="tickets",
    status=201,
)
async def add_question(ctx: Context, event_id: int, body: QuestionIn) -> QuestionOut:
    return _question_out(await editing.add_question(ctx.user, event_id, body))


@api.route(
    "DELETE",
    "/events/{event_id:int}/questions/{question_id:int}",
    guard=Organisers(),
    summary="Remove a registration question",
    tag="tickets",
)
async def delete_question(ctx: Context, event_id: int, question_id: int) -> None:
    """Only while the event has no registrations, so no answer is lost."""
    await editing.delete_question(ctx.user, event_id, question_id)
