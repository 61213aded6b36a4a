"""Events: the public list, an organisation's list, one event, creating, editing and moving its status."""

from __future__ import annotations

from urllib.parse import urlsplit

from events import editing, listing
from events.access import Organisers, Viewers
from events.models import Event, EventKind, EventStatus
from events.schemas import CompleteQuery, EventIn, EventOut, EventPatch, EventQuery
from server.access import Anyone, Members, SignedIn
from server.api import Api, Context, Page
from server.i18n import translate
from server.models import Role
from server.schemas import ReferenceOut

api = Api()


def _uid_domain(ctx: Context) -> str:
    return urlsplit(ctx.settings.BASE_URL).hostname or "quancheng"


@api.route("GET", "/events", guard=Anyone, summary="Published events, filtered and paged", tag="events")
async def list_events(ctx: Context, query: EventQuery) -> Page[EventOut]:
    found = listing.filter_events(listing.public_events(), query, ctx.settings.DEFAULT_TIMEZONE)
    items, total = await listing.event_page(found, query)
    return Page(items=items, total=total, page=query.page, per_page=query.per_page)


@api.route(
    "GET",
    "/organisations/{organisation_id:int}/events",
    guard=Members(of_organisation="organisation_id", roles=(Role.ORGANISER, Role.CHECKER)),
    summary="An organisation's events, drafts too (checkers see them for their door links)",
    tag="events",
)
async def organisation_events(ctx: Context, organisation_id: int, query: EventQuery) -> Page[EventOut]:
    found = listing.filter_events(Event.filter(organisation_id=organisation_id), query, ctx.settings.DEFAULT_TIMEZONE)
    items, total = await listing.event_page(found, query)
    return Page(items=items, total=total, page=query.page, per_page=query.per_page)


@api.route("POST", "/events", guard=SignedIn, summary="Create a draft event", tag="events", status=201)
async def create_event(ctx: Context, body: EventIn) -> EventOut:
    """Only admins and organisers of the organisation in the body, which must be a bureau, organiser,
    training base or university (403 otherwise)."""
    event = await editing.create_event(
        ctx.user, body, default_timezone=ctx.settings.DEFAULT_TIMEZONE, uid_domain=_uid_domain(ctx)
    )
    return await listing.event_out(event)


@api.route("GET", "/events/{event_id:int}", guard=Viewers(), summary="One event", tag="events")
async def get_event(ctx: Context, event_id: int, event: Event) -> EventOut:
    return await listing.event_out(event)


@api.route("PATCH", "/events/{event_id:int}", guard=Organisers(), summary="Edit an event", tag="events")
async def update_event(ctx: Context, event_id: int, body: EventPatch) -> EventOut:
    event = await editing.update_event(ctx.user, event_id, body, default_timezone=ctx.settings.DEFAULT_TIMEZONE)
    return await listing.event_out(event)


def _status_route(path: str, to: EventStatus, summary: str) -> None:
    async def move(ctx: Context, event_id: int) -> EventOut:
        return await listing.event_out(await editing.set_status(ctx.user, event_id, to))

    move.__name__ = f"{to.value}_event"
    api.route("POST", path, guard=Organisers(), summary=summary, tag="events")(move)


_status_route("/events/{event_id:int}/publish", EventStatus.PUBLISHED, "Publish a draft")
_status_route("/events/{event_id:int}/cancel", EventStatus.CANCELLED, "Cancel an event")


@api.route(
    "POST", "/events/{event_id:int}/complete", guard=Organisers(), summary="Mark an event completed", tag="events"
)
async def complete_event(ctx: Context, event_id: int, query: CompleteQuery) -> EventOut:
    """Only once the event has started, or earlier with a `reason`, which the audit entry keeps."""
    return await listing.event_out(
        await editing.set_status(ctx.user, event_id, EventStatus.COMPLETED, reason=query.reason)
    )


@api.route("GET", "/event-kinds", guard=Anyone, summary="Event kinds with their names", tag="reference")
async def list_event_kinds(ctx: Context) -> list[ReferenceOut]:
    """In the order of the EventKind enum, named from the server catalogue in both languages."""
    keys = {kind.value: f"event_kind.{kind.value}" for kind in EventKind}
    return [
        ReferenceOut(code=code, name={"zh": translate(key, "zh-CN"), "en": translate(key, "en")})
        for code, key in keys.items()
    ]
