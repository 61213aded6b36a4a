"""The access record under review: an event's for its organisers, every organisation's for the bureau."""

from __future__ import annotations

from tortoise.queryset import QuerySet

from events import disclosure
from events.access import Organisers
from events.models import Event, PersonalDataRead
from events.schemas import AccessLogQuery, BureauAccessLogQuery, PersonalDataReadOut
from server.access import Admins
from server.api import Api, Context, Page, paginate
from server.i18n import pick
from server.settings import Locale

api = Api()


async def _page(ctx: Context, found: QuerySet[PersonalDataRead], query: AccessLogQuery) -> Page[PersonalDataReadOut]:
    rows, total = await paginate(found.select_related("event"), query)
    items = [_out(entry, ctx.locale) for entry in rows]
    return Page(items=items, total=total, page=query.page, per_page=query.per_page)


def _out(entry: PersonalDataRead, locale: Locale) -> PersonalDataReadOut:
    event = entry.event
    return PersonalDataReadOut(
        id=entry.id,
        at=entry.at,
        actor=entry.actor_label,
        event_id=entry.event_id,
        event_title=pick({"zh": event.title_zh, "en": event.title_en}, locale),
        organisation_id=entry.organisation_id,
        purpose=entry.purpose,
        people=entry.people,
        request_id=entry.request_id,
    )


@api.route(
    "GET",
    "/events/{event_id:int}/access-log",
    guard=Organisers(),
    summary="Who was shown this event's registrants' personal data",
    tag="registrations",
)
async def event_access_log(
    ctx: Context, event_id: int, event: Event, query: AccessLogQuery
) -> Page[PersonalDataReadOut]:
    """Newest first: each list, export, door search and registration opened by staff, with how many people."""
    return await _page(ctx, disclosure.reads(event_id=event.id, purpose=query.purpose), query)


@api.route(
    "GET",
    "/access-log",
    guard=Admins,
    summary="Who was shown registrants' personal data, across organisations",
    tag="registrations",
)
async def access_log(ctx: Context, query: BureauAccessLogQuery) -> Page[PersonalDataReadOut]:
    """The bureau's review, narrowed by `organisation`, `event` and `purpose`."""
    found = disclosure.reads(event_id=query.event, organisation_id=query.organisation, purpose=query.purpose)
    return await _page(ctx, found, query)
