"""Endpoints of a matchmaking event: rules and grid, parties, preferences and requests, must-meets, schedules.

Guards: the event's organisers (`Organisers`) for rules, tables, must-meets and schedules; `Participants` (its
organisers and confirmed registrants) to list and create parties; `PartyMembers` for what a party does; and
`Colleagues` (members of the party's organisation) to join one. Whoever may not see a party is told it is not
found; services check the same rules again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from events.access import Organisers, Viewers, visible_event
from events.matchmaking import grid, interest, participants, recommend
from events.matchmaking.meeting_schemas import (
    AnswerIn,
    CounterpartOut,
    MatchmakingIn,
    MatchmakingOut,
    OrganiserMeetingIn,
    OrganiserMeetingOut,
    OwnPartyOut,
    PartyIn,
    PartyOut,
    PartyPatch,
    PreferenceIn,
    PreferenceOut,
    RequestIn,
    RequestOut,
    SessionOut,
    SlotOut,
    TableIn,
)
from events.matchmaking.models import Matchmaking, MeetingRequest, OrganiserMeeting, Party
from events.models import Event
from server.access import Guard
from server.api import Api, Context
from server.errors import NotFound
from server.models import Membership

api = Api()
TAG = "matchmaking"


@dataclass(frozen=True)
class Participants(Guard):
    """Admins, the organisers of the event, and its confirmed registrants (through their account); others 404.
    Provides `event`."""

    of_event: str = "event_id"
    kind: ClassVar[str] = "matchmaking-participants"

    def path_params(self) -> tuple[str, ...]:
        return (self.of_event,)

    def describe(self) -> str:
        return f"admins, the organisers of the event `{self.of_event}` and its confirmed registrants."

    def details(self) -> dict[str, Any]:
        return {"event": self.of_event}

    def provides(self) -> tuple[str, type]:
        return "event", Event

    async def admit(self, ctx: Context, path: Mapping[str, Any]) -> Event:
        event = await visible_event(path[self.of_event], ctx.user)
        if not await participants.is_participant(ctx.user, event):
            raise NotFound()
        return event


@dataclass(frozen=True)
class PartyMembers(Guard):
    """The members of the party in the path (confirmed registrants in it); everyone else 404. Provides `party`."""

    of_party: str = "party_id"
    kind: ClassVar[str] = "matchmaking-party-members"

    def path_params(self) -> tuple[str, ...]:
        return (self.of_party,)

    def describe(self) -> str:
        return f"the members of the matchmaking party `{self.of_party}`."

    def details(self) -> dict[str, Any]:
        return {"party": self.of_party}

    def provides(self) -> tuple[str, type]:
        return "party", Party

    async def admit(self, ctx: Context, path: Mapping[str, Any]) -> Party:
        return await participants.party_of_member(ctx.user, path[self.of_party])


@dataclass(frozen=True)
class Colleagues(PartyMembers):
    """Members of the party's organisation (who may join its schedule); everyone else 404. Provides `party`."""

    kind: ClassVar[str] = "matchmaking-party-colleagues"

    def describe(self) -> str:
        return f"the members of the organisation of the matchmaking party `{self.of_party}`."

    async def admit(self, ctx: Context, path: Mapping[str, Any]) -> Party:
        party = await Party.get_or_none(id=path[self.of_party])
        if party is None or not await Membership.exists(user=ctx.user, organisation_id=party.organisation_id):
            raise NotFound()
        return party


def _matchmaking_out(matchmaking: Matchmaking) -> MatchmakingOut:
    return MatchmakingOut(
        event_id=matchmaking.event_id,
        pairing=matchmaking.pairing,
        mode=matchmaking.mode,
        meeting_cap=matchmaking.meeting_cap,
        slot_minutes=matchmaking.slot_minutes,
        sessions=[
            SessionOut(name=s.name.model_dump(), starts_at=s.starts_at, slots=s.slots, breaks=s.breaks)
            for s in grid.sessions_of(matchmaking)
        ],
        tables=matchmaking.tables,
        slots=[SlotOut(**vars(slot)) for slot in grid.slots_of(matchmaking)],
    )


async def _own(party: Party) -> OwnPartyOut:
    (found,) = await participants.party_outs([party], own=party.id)
    assert isinstance(found, OwnPartyOut)
    return found


def _request_out(request: MeetingRequest) -> RequestOut:
    return RequestOut(
        id=request.id,
        party_id=request.party_id,
        counterpart_id=request.counterpart_id,
        message=request.message,
        state=request.state,
        created_at=request.created_at,
        answered_at=request.answered_at,
    )


def _must_meet_out(meeting: OrganiserMeeting) -> OrganiserMeetingOut:
    return OrganiserMeetingOut(id=meeting.id, party_ids=(meeting.party_a_id, meeting.party_b_id), slot=meeting.slot)


@api.route("PUT", "/events/{event_id:int}/matchmaking", guard=Organisers(), summary="Set rules and grid", tag=TAG)
async def set_up_matchmaking(ctx: Context, event_id: int, event: Event, body: MatchmakingIn) -> MatchmakingOut:
    """Events of kind `matchmaking` only (409 otherwise). Sessions inside the event and in order; a grid that
    would drop a fixed table or a fixed meeting's slot is 409."""
    return _matchmaking_out(await grid.set_up(ctx.user, event, body))


@api.route("GET", "/events/{event_id:int}/matchmaking", guard=Viewers(), summary="Rules and grid", tag=TAG)
async def get_matchmaking(ctx: Context, event_id: int, event: Event) -> MatchmakingOut:
    """With every slot's number and times."""
    return _matchmaking_out(await grid.matchmaking_of(event.id))


@api.route(
    "GET", "/events/{event_id:int}/matchmaking/parties", guard=Participants(), summary="The event's parties", tag=TAG
)
async def list_parties(ctx: Context, event_id: int, event: Event) -> list[PartyOut]:
    """Organisations, sides and the entries they bring; never their members' names or contacts."""
    matchmaking = await grid.matchmaking_of(event.id)
    return await participants.party_outs(await participants.parties_of(matchmaking))


@api.route(
    "POST",
    "/events/{event_id:int}/matchmaking/parties",
    guard=Participants(),
    summary="Join as a party",
    tag=TAG,
    status=201,
)
async def create_party(ctx: Context, event_id: int, event: Event, body: PartyIn) -> OwnPartyOut:
    """The caller needs a confirmed registration (409) and membership of the organisation (403); one party per
    organisation (409: join it instead) and one per registrant."""
    return await _own(await participants.create_party(ctx.user, event, body))


@api.route(
    "POST",
    "/matchmaking-parties/{party_id:int}/members",
    guard=Colleagues(),
    summary="Join a colleague's party",
    tag=TAG,
)
async def join_party(ctx: Context, party_id: int, party: Party) -> OwnPartyOut:
    """A colleague with a confirmed registration shares the party's schedule."""
    return await _own(await participants.join_party(ctx.user, party))


@api.route("GET", "/matchmaking-parties/{party_id:int}", guard=PartyMembers(), summary="One's own party", tag=TAG)
async def get_party(ctx: Context, party_id: int, party: Party) -> OwnPartyOut:
    return await _own(party)


@api.route("PATCH", "/matchmaking-parties/{party_id:int}", guard=PartyMembers(), summary="Edit one's party", tag=TAG)
async def update_party(ctx: Context, party_id: int, party: Party, body: PartyPatch) -> OwnPartyOut:
    """Side, the published entries of its organisation it brings, and the slots it cannot meet in."""
    return await _own(await participants.update_party(ctx.user, party, body))


@api.route(
    "PUT",
    "/events/{event_id:int}/matchmaking/parties/{party_id:int}/table",
    guard=Organisers(),
    summary="Give a party its own table",
    tag=TAG,
)
async def set_party_table(ctx: Context, event_id: int, party_id: int, event: Event, body: TableIn) -> PartyOut:
    """One party per table (409); null takes the table away."""
    party = await participants.set_table(ctx.user, event, party_id, body.table)
    (found,) = await participants.party_outs([party])
    return found


@api.route(
    "GET",
    "/matchmaking-parties/{party_id:int}/recommendations",
    guard=PartyMembers(),
    summary="Parties of the event worth meeting, with reasons",
    tag=TAG,
)
async def list_counterparts(ctx: Context, party_id: int, party: Party) -> list[CounterpartOut]:
    """Parties the pairing rule lets this one meet, ranked by the best match of their published entries with its
    own (the pool's recommendation score), each with its reason in the caller's language."""
    found = await recommend.counterparts(party)
    shown = await participants.party_outs([c.party for c in found])
    return [
        CounterpartOut(
            party=out,
            score=c.score,
            own_entry_id=c.own_entry.id,
            their_entry_id=c.their_entry.id,
            reason=c.recommendation.reason(c.own_entry, ctx.locale),
        )
        for c, out in zip(found, shown, strict=True)
    ]


@api.route("GET", "/matchmaking-parties/{party_id:int}/preferences", guard=PartyMembers(), summary="Own marks", tag=TAG)
async def list_preferences(ctx: Context, party_id: int, party: Party) -> list[PreferenceOut]:
    return [PreferenceOut(counterpart_id=p.counterpart_id, level=p.level) for p in await interest.preferences_of(party)]


@api.route(
    "PUT",
    "/matchmaking-parties/{party_id:int}/preferences/{counterpart_id:int}",
    guard=PartyMembers(),
    summary="Mark a counterpart must / want / no",
    tag=TAG,
)
async def set_preference(
    ctx: Context, party_id: int, counterpart_id: int, party: Party, body: PreferenceIn
) -> PreferenceOut:
    """Events in mode `preferences` (409 otherwise); the counterpart must be a party of the same event that the
    pairing rule lets meet (422)."""
    found = await interest.set_preference(ctx.user, party, counterpart_id, body.level)
    return PreferenceOut(counterpart_id=found.counterpart_id, level=found.level)


@api.route(
    "DELETE",
    "/matchmaking-parties/{party_id:int}/preferences/{counterpart_id:int}",
    guard=PartyMembers(),
    summary="Clear a mark",
    tag=TAG,
)
async def clear_preference(ctx: Context, party_id: int, counterpart_id: int, party: Party) -> None:
    await interest.clear_preference(ctx.user, party, counterpart_id)


@api.route(
    "GET", "/matchmaking-parties/{party_id:int}/requests", guard=PartyMembers(), summary="Sent and received", tag=TAG
)
async def list_meeting_requests(ctx: Context, party_id: int, party: Party) -> list[RequestOut]:
    return [_request_out(request) for request in await interest.requests_of(party)]


@api.route(
    "POST",
    "/matchmaking-parties/{party_id:int}/requests",
    guard=PartyMembers(),
    summary="Ask for a meeting",
    tag=TAG,
    status=201,
)
async def send_meeting_request(ctx: Context, party_id: int, party: Party, body: RequestIn) -> RequestOut:
    """Events in mode `requests` (409 otherwise); one request per pair (409)."""
    return _request_out(await interest.send_request(ctx.user, party, body))


@api.route(
    "POST",
    "/matchmaking-parties/{party_id:int}/requests/{request_id:int}/answer",
    guard=PartyMembers(),
    summary="Accept or decline a request",
    tag=TAG,
)
async def answer_meeting_request(
    ctx: Context, party_id: int, request_id: int, party: Party, body: AnswerIn
) -> RequestOut:
    """Only a request the party received, and once (409)."""
    return _request_out(await interest.answer_request(ctx.user, party, request_id, body.accept))


@api.route(
    "GET", "/events/{event_id:int}/matchmaking/must-meets", guard=Organisers(), summary="Organiser must-meets", tag=TAG
)
async def list_must_meets(ctx: Context, event_id: int, event: Event) -> list[OrganiserMeetingOut]:
    matchmaking = await grid.matchmaking_of(event.id)
    return [_must_meet_out(m) for m in await OrganiserMeeting.filter(matchmaking_id=matchmaking.id).order_by("id")]


@api.route(
    "POST",
    "/events/{event_id:int}/matchmaking/must-meets",
    guard=Organisers(),
    summary="Add a must-meet, optionally at a fixed slot",
    tag=TAG,
    status=201,
)
async def add_must_meet(ctx: Context, event_id: int, event: Event, body: OrganiserMeetingIn) -> OrganiserMeetingOut:
    """Refused (409) where either party said no; the slot must be one both can attend (422)."""
    return _must_meet_out(await interest.add_must_meet(ctx.user, event, body))


@api.route(
    "DELETE",
    "/events/{event_id:int}/matchmaking/must-meets/{meeting_id:int}",
    guard=Organisers(),
    summary="Remove a must-meet",
    tag=TAG,
)
async def remove_must_meet(ctx: Context, event_id: int, meeting_id: int, event: Event) -> None:
    await interest.remove_must_meet(ctx.user, event, meeting_id)
