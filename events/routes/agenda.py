"""An event's agenda: its sessions, listed, added and removed."""

from __future__ import annotations

from events import editing
from events.access import Organisers, Viewers
from events.models import AgendaSession, Event
from events.schemas import SessionIn, SessionOut
from server.api import Api, Context

api = Api()


def _session_out(session: AgendaSession) -> SessionOut:
    return SessionOut(
        id=session.id,
        title={"zh": session.title_zh, "en": session.title_en},
        speakers=session.speakers,
        room=session.room,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
    )


@api.route("GET", "/events/{event_id:int}/sessions", guard=Viewers(), summary="The agenda", tag="agenda")
async def list_sessions(ctx: Context, event_id: int, event: Event) -> list[SessionOut]:
    return [_session_out(s) for s in await event.sessions.all().order_by("starts_at", "room", "id")]


@api.route(
    "POST",
    "/events/{event_id:int}/sessions",
    guard=Organisers(),
    summary="Add an agenda session",
    tag="agenda",
    status=201,
)
async def add_session(ctx: Context, event_id: int, body: SessionIn) -> SessionOut:
    return _session_out(await editing.add_session(ctx.user, event_id, body))


@api.route(
    "DELETE",
    "/events/{event_id:int}/sessions/{session_id:int}",
    guard=Organisers(),
    summary="Remove a session",
    tag="agenda",
)
async def delete_session(ctx: Context, event_id: int, session_id: int) -> None:
    await editing.delete_session(ctx.user, event_id, session_id)
