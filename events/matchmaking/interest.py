"""Who wants to meet whom: preferences (must / want / no) or meeting requests (accepted or declined), by the
event's mode, and the organiser's must-meets.

Interest is possible only between two parties of the same event that the pairing rule lets meet (`pairable`);
a "no" from either side, or a declined request, means no meeting, whatever else is asked (`planning` applies it).
"""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from events.matchmaking import request_mail
from events.matchmaking.grid import matchmaking_of, slots_of
from events.matchmaking.meeting_schemas import OrganiserMeetingIn, RequestIn
from events.matchmaking.models import (
    InterestMode,
    Level,
    Matchmaking,
    MeetingRequest,
    OrganiserMeeting,
    Pairing,
    Party,
    PartySide,
    Preference,
    RequestState,
)
from events.models import Event
from notifications.outbox import enqueue
from server import audit
from server.clock import utcnow
from server.errors import Conflict, InvalidInput, NotFound
from server.i18n import Label
from server.models import User


class WrongMode(Conflict):
    key = "error.matchmaking_wrong_mode"


class RequestExists(Conflict):
    key = "error.matchmaking_request_exists"


class RequestAnswered(Conflict):
    key = "error.matchmaking_request_answered"


class MeetingRefused(Conflict):
    key = "error.matchmaking_meeting_refused"


class MeetingExists(Conflict):
    key = "error.matchmaking_meeting_exists"


def pairable(matchmaking: Matchmaking, one: Party, other: Party) -> bool:
    """Whether the event's pairing rule lets the two parties meet (never two parties of one organisation)."""
    if one.id == other.id or one.organisation_id == other.organisation_id:
        return False
    if matchmaking.pairing is Pairing.ANY:
        return True
    supplies = {PartySide.SUPPLY, PartySide.BOTH}
    demands = {PartySide.DEMAND, PartySide.BOTH}
    return (one.side in supplies and other.side in demands) or (one.side in demands and other.side in supplies)


async def counterpart(matchmaking: Matchmaking, party: Party, counterpart_id: int, field: str) -> Party:
    """The other party of the same event, if the pairing rule lets the two meet; else a field error."""
    other = await Party.get_or_none(id=counterpart_id, matchmaking_id=matchmaking.id)
    if other is None:
        raise InvalidInput(errors=[(("body", field), "validation.unknown_party", {})])
    if not pairable(matchmaking, party, other):
        raise InvalidInput(errors=[(("body", field), "validation.not_pairable", {})])
    return other


async def set_preference(user: User, party: Party, counterpart_id: int, level: Level) -> Preference:
    """Mark a counterpart must / want / no (mode `preferences`); marking again replaces the mark."""
    matchmaking = await _in_mode(party, InterestMode.PREFERENCES)
    other = await counterpart(matchmaking, party, counterpart_id, "counterpart_id")
    try:
        return await _mark(user, party, other, level)
    except IntegrityError:  # a colleague marked the same counterpart at the same moment: now there is a row
        return await _mark(user, party, other, level)


async def _mark(user: User, party: Party, other: Party, level: Level) -> Preference:
    async with in_transaction():
        found = await Preference.filter(party_id=party.id, counterpart_id=other.id).select_for_update().first()
        before = found.level.value if found else None
        if found is None:
            found = await Preference.create(party=party, counterpart=other, level=level)
        else:
            found.level = level
            await found.save(update_fields=["level", "updated_at"])
        await audit.record(
            user,
            "matchmaking_preference.set",
            found,
            organisation_id=party.organisation_id,
            before={"level": before},
            after={"counterpart": other.id, "level": level.value},
        )
    return found


async def clear_preference(user: User, party: Party, counterpart_id: int) -> None:
    async with in_transaction():
        found = await Preference.get_or_none(party_id=party.id, counterpart_id=counterpart_id)
        if found is None:
            raise NotFound()
        await found.delete()
        await audit.record(
            user,
            "matchmaking_preference.clear",
            found,
            organisation_id=party.organisation_id,
            before={"counterpart": counterpart_id, "level": found.level.value},
        )


async def preferences_of(party: Party) -> list[Preference]:
    return await Preference.filter(party_id=party.id).order_by("counterpart_id")


async def send_request(user: User, party: Party, data: RequestIn) -> MeetingRequest:
    """Ask a counterpart for a meeting (mode `requests`); one request per pair, whichever side asked first."""
    matchmaking = await _in_mode(party, InterestMode.REQUESTS)
    other = await counterpart(matchmaking, party, data.counterpart_id, "counterpart_id")
    try:
        async with in_transaction():
            if await MeetingRequest.exists(party_id=party.id, counterpart_id=other.id) or await MeetingRequest.exists(
                party_id=other.id, counterpart_id=party.id
            ):
                raise RequestExists()
            request = await MeetingRequest.create(party=party, counterpart=other, message=data.message)
            await audit.record(
                user,
                "matchmaking_request.create",
                request,
                organisation_id=party.organisation_id,
                after={"counterpart": other.id},
            )
            await enqueue(*await request_mail.mails(request))
    except IntegrityError:
        raise RequestExists() from None
    return request


async def answer_request(user: User, party: Party, request_id: int, accept: bool) -> MeetingRequest:
    """The asked party accepts or declines a pending request, once."""
    async with in_transaction():
        request = await MeetingRequest.filter(id=request_id, counterpart_id=party.id).select_for_update().first()
        if request is None:
            raise NotFound()
        if request.state is not RequestState.PENDING:
            raise RequestAnswered(state=Label(f"request_state.{request.state.value}"))
        request.state = RequestState.ACCEPTED if accept else RequestState.DECLINED
        request.answered_at = utcnow()
        await request.save(update_fields=["state", "answered_at"])
        await audit.record(
            user,
            f"matchmaking_request.{request.state.value}",
            request,
            organisation_id=party.organisation_id,
            after={"state": request.state.value},
        )
        await enqueue(*await request_mail.mails(request))
    return request


async def requests_of(party: Party) -> list[MeetingRequest]:
    """Sent and received, newest first."""
    sent = MeetingRequest.filter(party_id=party.id)
    received = MeetingRequest.filter(counterpart_id=party.id)
    found = [*await sent, *await received]
    return sorted(found, key=lambda request: -request.id)


async def refusals(matchmaking: Matchmaking) -> set[frozenset[int]]:
    """Pairs of parties that must not meet: a "no" from either side, or a declined request."""
    noes = await Preference.filter(party__matchmaking_id=matchmaking.id, level=Level.NO).values_list(
        "party_id", "counterpart_id"
    )
    declined = await MeetingRequest.filter(
        party__matchmaking_id=matchmaking.id, state=RequestState.DECLINED
    ).values_list("party_id", "counterpart_id")
    return {frozenset(pair) for pair in [*noes, *declined]}


async def add_must_meet(user: User, event: Event, data: OrganiserMeetingIn) -> OrganiserMeeting:
    """An organiser's must-meet, optionally fixed to a slot both parties can attend; refused where either party
    said no."""
    matchmaking = await matchmaking_of(event.id)
    first_id, second_id = sorted(data.party_ids)
    first = await Party.get_or_none(id=first_id, matchmaking_id=matchmaking.id)
    if first is None or first_id == second_id:
        raise InvalidInput(errors=[(("body", "party_ids", 0), "validation.unknown_party", {})])
    second = await counterpart(matchmaking, first, second_id, "party_ids")
    if frozenset((first.id, second.id)) in await refusals(matchmaking):
        raise MeetingRefused()
    if data.slot is not None:
        count = len(slots_of(matchmaking))
        if data.slot >= count:
            raise InvalidInput(errors=[(("body", "slot"), "validation.unknown_slot", {"count": count})])
        if data.slot in first.unavailable or data.slot in second.unavailable:
            raise InvalidInput(errors=[(("body", "slot"), "validation.slot_unavailable", {})])
    try:
        async with in_transaction():
            meeting = await OrganiserMeeting.create(
                matchmaking=matchmaking, party_a=first, party_b=second, slot=data.slot
            )
            await audit.record(
                user,
                "matchmaking_must_meet.create",
                meeting,
                organisation_id=event.organisation_id,
                after={"parties": [first.id, second.id], "slot": data.slot},
            )
    except IntegrityError:
        raise MeetingExists() from None
    return meeting


async def remove_must_meet(user: User, event: Event, meeting_id: int) -> None:
    matchmaking = await matchmaking_of(event.id)
    async with in_transaction():
        meeting = await OrganiserMeeting.get_or_none(id=meeting_id, matchmaking_id=matchmaking.id)
        if meeting is None:
            raise NotFound()
        await meeting.delete()
        await audit.record(
            user,
            "matchmaking_must_meet.delete",
            meeting,
            organisation_id=event.organisation_id,
            before={"parties": [meeting.party_a_id, meeting.party_b_id], "slot": meeting.slot},
        )


async def _in_mode(party: Party, mode: InterestMode) -> Matchmaking:
    matchmaking = await Matchmaking.get(id=party.matchmaking_id)
    if matchmaking.mode is not mode:
        raise WrongMode(mode=Label(f"interest_mode.{matchmaking.mode.value}"))
    return matchmaking
