"""An event's mail: messages to its registrants, their preview, and how its mail fared."""

from __future__ import annotations

from pydantic import TypeAdapter

from events import disclosure, mailing
from events.access import Organisers
from events.models import Event, Purpose
from events.schemas import (
    MailFailure,
    MailSummary,
    MessageIn,
    MessageOut,
    MessagePreview,
    MessagePreviewIn,
    RefusedRecipient,
)
from notifications import delivery
from server.api import Api, Context

api = Api()

# How the worker stores the recipients a mail server refused: {address: [code, message]}.
_REFUSED = TypeAdapter(dict[str, tuple[int, str]])


@api.route(
    "POST",
    "/events/{event_id:int}/messages",
    guard=Organisers(),
    summary="Mail the registrants",
    tag="mail",
    status=201,
)
async def send_message(ctx: Context, event_id: int, event: Event, body: MessageIn) -> MessageOut:
    """Goes to the registrations in `statuses` (default: confirmed)."""
    return MessageOut(
        recipients=await mailing.organiser_message(ctx.user, event, body.statuses, body.subject, body.body)
    )


@api.route(
    "POST",
    "/events/{event_id:int}/messages/preview",
    guard=Organisers(),
    summary="Preview a message to the registrants",
    tag="mail",
)
async def preview_message(ctx: Context, event_id: int, event: Event, body: MessagePreviewIn) -> MessagePreview:
    """Renders the mail a registrant in `locale` would get, and counts its recipients; sends nothing."""
    rendered, count = await mailing.organiser_message_preview(
        event, body.statuses, body.subject, body.body, body.locale
    )
    return MessagePreview(recipients=count, subject=rendered.subject, text=rendered.text, html=rendered.html)


@api.route(
    "GET",
    "/events/{event_id:int}/mail",
    guard=Organisers(),
    summary="Mail of this event: counts and failures",
    tag="mail",
)
async def mail_summary(ctx: Context, event_id: int, event: Event) -> MailSummary:
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
            refused=[
                RefusedRecipient(recipient=address, code=code, message=message)
                for address, (code, message) in _REFUSED.validate_python(m.refused or {}).items()
            ],
        )
        for m in await delivery.failures(topic)
    ]
    await disclosure.record(ctx.user, event, Purpose.DELIVERY, len({failure.to for failure in failed}))
    total, by_channel = await delivery.counts(topic)
    return MailSummary(counts=total, channels=by_channel, failed=failed)


@api.route(
    "POST",
    "/events/{event_id:int}/mail/retry",
    guard=Organisers(),
    summary="Send failed mail again",
    tag="mail",
)
async def retry_mail(ctx: Context, event_id: int, event: Event) -> MessageOut:
    return MessageOut(recipients=await delivery.retry_failed(f"event:{event.id}"))
