"""Endpoints of the published schedule: each party's agenda, meeting check-in (a party scans its counterpart's
code; organisers and checkers scan a code or tick a meeting) and each party's outcome of its held meetings."""

from __future__ import annotations

from starlette.responses import Response

from events.access import Organisers
from events.matchmaking import agenda, checkin, grid, summary
from events.matchmaking.meeting_routes import PartyMembers
from events.matchmaking.meeting_schemas import AgendaOut, CheckInIn, HeldOut, OutcomeIn, SummaryOut
from events.matchmaking.models import MeetingEntry, Party
from events.models import Event
from server import spreadsheets
from server.api import Api, Context
from server.models import Role

api = Api()
TAG = "matchmaking"
STAFF = (Role.ORGANISER, Role.CHECKER)


def _held_out(entry: MeetingEntry) -> HeldOut:
    return HeldOut(
        meeting_id=entry.id,
        party_ids=(entry.party_a_id, entry.party_b_id),
        slot=entry.slot,
        table=entry.table,
        held_at=entry.held_at,
    )


@api.route("GET", "/matchmaking-parties/{party_id:int}/agenda", guard=PartyMembers(), summary="Own agenda", tag=TAG)
async def get_agenda(ctx: Context, party_id: int, party: Party) -> AgendaOut:
    """The party's published meetings in time order: slot times, table, the counterpart as others see it, whether
    held, its outcome, and the party's own check-in code (and QR) per meeting."""
    return await agenda.agenda(party)


@api.route(
    "POST",
    "/matchmaking-parties/{party_id:int}/check-in",
    guard=PartyMembers(),
    summary="Check a meeting in by scanning the counterpart's code",
    tag=TAG,
)
async def check_in_by_counterpart(ctx: Context, party_id: int, party: Party, body: CheckInIn) -> HeldOut:
    """The code must be the counterpart's of one of this party's published meetings (422 on `code` otherwise);
    a repeat answers the same."""
    return _held_out(await checkin.scan_by_counterpart(ctx.user, party, body.code))


@api.route(
    "POST",
    "/events/{event_id:int}/matchmaking/check-in",
    guard=Organisers(roles=STAFF),
    summary="Check a meeting in by scanning either party's code",
    tag=TAG,
)
async def check_in_by_code(ctx: Context, event_id: int, event: Event, body: CheckInIn) -> HeldOut:
    """A code of another event, forged, or of a cancelled meeting is refused (422 on `code`); a repeat answers
    the same."""
    matchmaking = await grid.matchmaking_of(event.id)
    entry, _ = await checkin.entry_of_code(matchmaking, body.code)
    return _held_out(await checkin.mark_held(ctx.user, entry, "organiser_scan", event.organisation_id))


@api.route(
    "POST",
    "/events/{event_id:int}/matchmaking/meetings/{meeting_id:int}/check-in",
    guard=Organisers(roles=STAFF),
    summary="Tick a meeting as held",
    tag=TAG,
)
async def check_in_by_tick(ctx: Context, event_id: int, meeting_id: int, event: Event) -> HeldOut:
    """A published meeting of this event (404 otherwise); a repeat answers the same."""
    matchmaking = await grid.matchmaking_of(event.id)
    entry = await checkin.published_entry(matchmaking, meeting_id)
    return _held_out(await checkin.mark_held(ctx.user, entry, "organiser_tick", event.organisation_id))


@api.route(
    "PUT",
    "/matchmaking-parties/{party_id:int}/meetings/{meeting_id:int}/outcome",
    guard=PartyMembers(),
    summary="Record a held meeting's outcome",
    tag=TAG,
)
async def record_outcome(ctx: Context, party_id: int, meeting_id: int, party: Party, body: OutcomeIn) -> HeldOut:
    """无后续 / 有意向 / 洽谈中 / 已签约 as this party sees it; again to change it. 404 for a meeting not the
    party's, 409 for one not checked in."""
    return _held_out(await checkin.record_outcome(ctx.user, party, meeting_id, body.outcome))


@api.route(
    "GET", "/events/{event_id:int}/matchmaking/summary", guard=Organisers(), summary="Meetings and outcomes", tag=TAG
)
async def get_summary(ctx: Context, event_id: int, event: Event) -> SummaryOut:
    """For the bureau (admins) and the organisers: meetings scheduled and held, outcomes in all, by domain and by
    region. Counts only, no party named."""
    return await summary.summary(await grid.matchmaking_of(event.id))


@api.route(
    "GET",
    "/events/{event_id:int}/matchmaking/summary.xlsx",
    guard=Organisers(),
    summary="Meetings and outcomes, as XLSX",
    tag=TAG,
    produces=spreadsheets.XLSX,
)
async def get_summary_workbook(ctx: Context, event_id: int, event: Event) -> Response:
    """The summary's totals, domains and regions, one sheet each, headed in the reader's language."""
    found = await summary.summary(await grid.matchmaking_of(event.id))
    content = spreadsheets.to_workbook(summary.sheets(found, ctx.locale))
    disposition = {"Content-Disposition": f'attachment; filename="matchmaking-{event.id}-summary.xlsx"'}
    return Response(content, media_type=spreadsheets.XLSX, headers=disposition)
