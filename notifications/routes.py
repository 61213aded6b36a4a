"""Mail template previews for organisers, and the outbox for admins."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from notifications.models import MailStatus, OutboxMessage
from notifications.templates import TEMPLATES, render
from server.api import Allow, Api, Context, Page, PageQuery
from server.errors import InvalidInput, NotFound, PermissionDenied
from server.models import Membership, Role
from server.schemas import In
from server.settings import Locale

api = Api()


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
    topic: str | None = None


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


async def _organiser_or_admin(ctx: Context) -> None:
    if not ctx.user.is_admin and not await Membership.exists(user=ctx.user, role=Role.ORGANISER):
        raise PermissionDenied()


@api.route(
    "GET",
    "/mail-templates",
    allow=Allow.USER,
    summary="Mail templates and their placeholders",
    tag="mail",
    rule="Admins and organisers.",
)
async def list_templates(ctx: Context) -> list[TemplateOut]:
    await _organiser_or_admin(ctx)
    return [TemplateOut(name=name, placeholders=t.placeholders) for name, t in TEMPLATES.items()]


@api.route(
    "POST",
    "/mail-templates/{name}/preview",
    allow=Allow.USER,
    summary="Preview a mail",
    tag="mail",
    rule="Admins and organisers. Unknown placeholders are refused.",
)
async def preview_template(ctx: Context, name: str, body: PreviewIn) -> PreviewOut:
    await _organiser_or_admin(ctx)
    template = TEMPLATES.get(name)
    if template is None:
        raise NotFound()
    unknown = sorted(set(body.context) - set(template.placeholders))
    if unknown:
        raise InvalidInput(errors=[(("body", "context", key), "validation.unknown_placeholder") for key in unknown])
    rendered = render(name, body.locale, {**template.placeholders, **body.context})
    return PreviewOut(subject=rendered.subject, text=rendered.text, html=rendered.html)


@api.route("GET", "/outbox", allow=Allow.ADMIN, summary="Every outgoing mail and its delivery state", tag="mail")
async def list_outbox(ctx: Context, query: OutboxQuery) -> Page[OutboxOut]:
    found = OutboxMessage.all()
    if query.status:
        found = found.filter(status=query.status)
    if query.topic:
        found = found.filter(topic=query.topic)
    total = await found.count()
    rows = await found.order_by("-id").offset((query.page - 1) * query.per_page).limit(query.per_page)
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
            sent_at=r.sent_at,
        )
        for r in rows
    ]
    return Page(items=items, total=total, page=query.page, per_page=query.per_page)
