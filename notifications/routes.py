"""Mail template previews for organisers, and the outbox for admins."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from notifications.models import MailStatus, OutboxMessage
from notifications.templates import TEMPLATES, render
from server.access import Admins, AnyMember
from server.api import Api, Context, Page, PageQuery, paginate
from server.errors import InvalidInput, NotFound
from server.fields import max_length
from server.models import Role
from server.schemas import In
from server.settings import Locale

api = Api()
ORGANISERS = AnyMember(roles=(Role.ORGANISER,))


class TemplateOut(BaseModel):
    name: str
    placeholders: dict[str, Any] = Field(description="Every placeholder the template may use, with a sample value.")


class PreviewIn(In):
    locale: Locale = "zh-CN"
    context: dict[str, str | int] = Field(default={}, description="Values to use instead of the samples.")


class PreviewOut(BaseModel):
    subject: str
    text: str
    html: str


class OutboxQuery(PageQuery):
    status: MailStatus | None = None
    topic: str | None = Field(default=None, max_length=max_length(OutboxMessage, "topic"))


class OutboxOut(BaseModel):
    id: int
    created_at: datetime
    topic: str
    template: str
    to: str
    status: MailStatus
    attempts: int
    next_attempt_at: datetime
    last_code: int | None
    last_error: str
    sent_at: datetime | None


@api.route(
    "GET",
    "/mail-templates",
    guard=ORGANISERS,
    summary="Mail templates and their placeholders",
    tag="mail",
)
async def list_templates(ctx: Context) -> list[TemplateOut]:
    return [TemplateOut(name=name, placeholders=t.placeholders) for name, t in TEMPLATES.items()]


@api.route(
    "POST",
    "/mail-templates/{name}/preview",
    guard=ORGANISERS,
    summary="Preview a mail",
    tag="mail",
)
async def preview_template(ctx: Context, name: str, body: PreviewIn) -> PreviewOut:
    """Unknown placeholders are refused."""
    template = TEMPLATES.get(name)
    if template is None:
        raise NotFound()
    unknown = sorted(set(body.context) - set(template.placeholders))
    if unknown:
        raise InvalidInput(errors=[(("body", "context", key), "validation.unknown_placeholder") for key in unknown])
    rendered = render(name, body.locale, {**template.placeholders, **body.context})
    return PreviewOut(subject=rendered.subject, text=rendered.text, html=rendered.html)


@api.route("GET", "/outbox", guard=Admins, summary="Every outgoing mail and its delivery state", tag="mail")
async def list_outbox(ctx: Context, query: OutboxQuery) -> Page[OutboxOut]:
    found = OutboxMessage.all()
    if query.status:
        found = found.filter(status=query.status)
    if query.topic:
        found = found.filter(topic=query.topic)
    rows, total = await paginate(found.order_by("-id"), query)
    items = [
        OutboxOut(
            id=r.id,
            created_at=r.created_at,
            topic=r.topic,
            template=r.template,
            to=r.to_addr,
            status=r.status,
            attempts=r.attempts,
            next_attempt_at=r.next_attempt_at,
            last_code=r.last_code,
            last_error=r.last_error,
            sent_at=r.sent,
        )
        for r in rows
    ]
    return Page(items=items, total=total, page=query.page, per_page=query.per_page)
