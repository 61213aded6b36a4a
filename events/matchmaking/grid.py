"""A matchmaking event's rules and session grid: set by its organisers, and the slots it makes.

Slots are numbered across the sessions from 0, in time order; a break is time between two slots, not a slot,
so the scheduler never counts a coffee break as an idle gap in a party's day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from events.matchmaking.meeting_schemas import MAX_SLOTS, MatchmakingIn, SessionIn
from events.matchmaking.models import Matchmaking, OrganiserMeeting, Party
from events.models import Event, EventKind
from server import audit
from server.errors import Conflict, InvalidInput, NotFound
from server.models import User


class NotMatchmaking(Conflict):
    key = "error.not_matchmaking"


class NoMatchmaking(NotFound):
    key = "error.matchmaking_not_set_up"


class GridInUse(Conflict):
    key = "error.matchmaking_grid_in_use"


@dataclass(frozen=True)
class Slot:
    number: int
    session: int
    starts_at: datetime
    ends_at: datetime


def sessions_of(matchmaking: Matchmaking) -> list[SessionIn]:
    return [SessionIn.model_validate(row) for row in matchmaking.sessions]


def session_slots(sessions: list[SessionIn], slot_minutes: int) -> list[Slot]:
    """Every slot of the grid in time order, numbered from 0."""
    found: list[Slot] = []
    length = timedelta(minutes=slot_minutes)
    for index, session in enumerate(sessions):
        pauses = {pause.after: pause.minutes for pause in session.breaks}
        start = session.starts_at
        for position in range(session.slots):
            if position in pauses:
                start += timedelta(minutes=pauses[position])
            found.append(Slot(len(found), index, start, start + length))
            start += length
    return found


def slots_of(matchmaking: Matchmaking) -> list[Slot]:
    return session_slots(sessions_of(matchmaking), matchmaking.slot_minutes)


async def matchmaking_of(event_id: int) -> Matchmaking:
    found = await Matchmaking.get_or_none(event_id=event_id)
    if found is None:
        raise NoMatchmaking()
    return found


async def set_up(user: User, event: Event, data: MatchmakingIn) -> Matchmaking:
    """Create or replace the rules and grid of a `matchmaking` event. A grid that would leave out a fixed table
    or a fixed meeting's slot is refused (409): move those first."""
    if event.kind is not EventKind.MATCHMAKING:
        raise NotMatchmaking()
    slots = _checked(event, data)
    columns: dict[str, Any] = {
        "pairing": data.pairing,
        "mode": data.mode,
        "meeting_cap": data.meeting_cap,
        "slot_minutes": data.slot_minutes,
        "sessions": [session.model_dump(mode="json") for session in data.sessions],
        "tables": list(data.tables),
    }
    async with in_transaction():
        found = await Matchmaking.filter(event_id=event.id).select_for_update().first()
        if found is None:
            found = await Matchmaking.create(event_id=event.id, **columns)
            await audit.record(user, "matchmaking.create", found, organisation_id=event.organisation_id, after=columns)
            return found
        if await Party.filter(matchmaking_id=found.id, fixed_table__gte=len(data.tables)).exists() or (
            await OrganiserMeeting.filter(matchmaking_id=found.id, slot__gte=len(slots)).exists()
        ):
            raise GridInUse(tables=len(data.tables), slots=len(slots))
        before = {name: getattr(found, name) for name in columns}
        await Matchmaking.filter(id=found.id).update(**columns)
        await found.refresh_from_db()
        await audit.record(
            user,
            "matchmaking.update",
            found,
            organisation_id=event.organisation_id,
            before=before,
            after=columns,
        )
    return found


def _checked(event: Event, data: MatchmakingIn) -> list[Slot]:
    """The grid's slots, once every session is inside the event, after the one before, and its breaks inside it;
    every problem in one answer."""
    errors: list[tuple[tuple[str | int, ...], str, dict[str, Any]]] = []
    slots = session_slots(data.sessions, data.slot_minutes)
    ends: dict[int, datetime] = {}
    for slot in slots:
        ends[slot.session] = slot.ends_at
    for index, session in enumerate(data.sessions):
        where = ("body", "sessions", index)
        if session.starts_at < event.starts_at or ends[index] > event.ends_at:
            errors.append(((*where, "starts_at"), "validation.grid_session_outside_event", {}))
        if index and session.starts_at < ends[index - 1]:
            errors.append(((*where, "starts_at"), "validation.session_overlaps", {}))
        afters = [pause.after for pause in session.breaks]
        for position, after in enumerate(afters):
            if after >= session.slots or after in afters[:position]:
                errors.append(((*where, "breaks", position, "after"), "validation.break_outside_session", {}))
    if len(slots) > MAX_SLOTS:
        errors.append((("body", "sessions"), "validation.too_many_slots", {"most": MAX_SLOTS}))
    names = [name.casefold() for name in data.tables]
    for index, name in enumerate(names):
        if name in names[:index]:
            errors.append((("body", "tables", index), "validation.duplicate_table", {}))
    if errors:
        raise InvalidInput(errors=errors)
    return slots
