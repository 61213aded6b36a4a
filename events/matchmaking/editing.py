"""The organiser's edits of a finished schedule on its grid: move a meeting (swapping with the one in the target
cell), check a move without making it, remove a meeting.

Concurrent edits never lose each other: every edit names the schedule `version` it was made on, and `claim`
bumps the version with one guarded UPDATE (`… WHERE version = N`) as the first write of the edit's transaction.
On PostgreSQL the second of two concurrent edits waits on the row lock the first holds, then finds the version
moved on and is refused (409 `schedule_stale`, with the current schedule); never a read of the version followed
by a write. An edit refused for its conflicts rolls the bump back with the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from events.matchmaking.grid import slots_of
from events.matchmaking.meeting_schemas import ConflictOut, MoveIn
from events.matchmaking.models import Matchmaking, OrganiserMeeting, Party, RunState, ScheduledMeeting, ScheduleRun
from events.matchmaking.planning import schedule_out
from events.matchmaking.publishing import ScheduleNotDone
from events.models import Event
from server import audit
from server.errors import Conflict, InvalidInput, NotFound
from server.i18n import Named, translate
from server.models import User
from server.settings import Locale

PARKED = -1  # the slot a swapped meeting waits in for a moment, so the unique (run, slot, table) holds throughout


class ScheduleStale(Conflict):
    """The edit was made on an older version of the schedule; `details` carry the schedule as it is now."""

    key = "error.schedule_stale"


class MoveConflicts(Conflict):
    key = "error.move_conflicts"


@dataclass(frozen=True)
class MoveConflict:
    """One hard rule a move would break: `code` names its message `matchmaking.conflict.<code>`."""

    code: str
    party_id: int | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def out(self, locale: Locale) -> ConflictOut:
        message = translate(f"matchmaking.conflict.{self.code}", locale, **self.params)
        return ConflictOut(code=self.code, message=message, party_id=self.party_id)


async def run_of(matchmaking: Matchmaking, run_id: int) -> ScheduleRun:
    run = await ScheduleRun.get_or_none(id=run_id, matchmaking_id=matchmaking.id)
    if run is None:
        raise NotFound()
    return run


async def claim(run: ScheduleRun, version: int) -> bool:
    """Take the next version of the schedule if `version` is still its current one: the edit's first write."""
    return bool(await ScheduleRun.filter(id=run.id, version=version).update(version=F("version") + 1))


async def _stale(run: ScheduleRun) -> ScheduleStale:
    await run.refresh_from_db()
    error = ScheduleStale(version=run.version)
    error.details = {"schedule": (await schedule_out(run)).model_dump(mode="json")}
    return error


async def conflicts(matchmaking: Matchmaking, run: ScheduleRun, data: MoveIn) -> list[MoveConflict]:
    """Every hard rule moving `data.meeting_id` to (slot, table) breaks, for the meeting moved and the one it
    swaps with: a cell outside the grid, a party busy or unavailable in the slot, a table that is another party's
    own or not the party's own, a meeting the organisers fixed to another slot. Empty when the move is fine."""
    meetings = await ScheduledMeeting.filter(run_id=run.id)
    moved = next((m for m in meetings if m.id == data.meeting_id), None)
    if moved is None:
        raise InvalidInput(errors=[(("body", "meeting_id"), "validation.matchmaking_no_such_meeting")])
    slots, tables = slots_of(matchmaking), matchmaking.tables
    if not (0 <= data.slot < len(slots) and 0 <= data.table < len(tables)):
        return [MoveConflict("outside_grid", params={"slots": len(slots), "tables": len(tables)})]
    cells = {m.id: (m.slot, m.table) for m in meetings}
    occupant = next((m for m in meetings if cells[m.id] == (data.slot, data.table) and m.id != moved.id), None)
    cells[moved.id] = (data.slot, data.table)
    if occupant is not None:
        cells[occupant.id] = (moved.slot, moved.table)
    changed = [m for m in (moved, occupant) if m is not None]
    party_ids = {p for m in meetings for p in (m.party_a_id, m.party_b_id)}
    parties = {p.id: p for p in await Party.filter(id__in=party_ids).select_related("organisation")}
    owners = {p.fixed_table: p.id for p in parties.values() if p.fixed_table is not None}
    pairs = {(m.party_a_id, m.party_b_id) for m in changed}
    fixed = {
        (f.party_a_id, f.party_b_id): f.slot
        for f in await OrganiserMeeting.filter(matchmaking_id=matchmaking.id, slot__not_isnull=True)
        if (f.party_a_id, f.party_b_id) in pairs or (f.party_b_id, f.party_a_id) in pairs
    }
    found: list[MoveConflict] = []

    def add(code: str, party: Party | None = None, **params: Any) -> None:
        named = {"party": Named(zh=party.organisation.name_zh, en=party.organisation.name_en)} if party else {}
        conflict = MoveConflict(code, party.id if party else None, params | named)
        if conflict not in found:
            found.append(conflict)

    for meeting in changed:
        slot, table = cells[meeting.id]
        when = {"slot": f"{slot + 1}", "table": tables[table]}
        pair = (meeting.party_a_id, meeting.party_b_id)
        pinned = fixed.get(pair, fixed.get((pair[1], pair[0])))
        if pinned is not None and pinned != slot:
            add("fixed_meeting", slot=f"{pinned + 1}")
        for party in (parties[pair[0]], parties[pair[1]]):
            if slot in party.unavailable:
                add("party_unavailable", party, **when)
            if any(
                cells[other.id][0] == slot and party.id in (other.party_a_id, other.party_b_id)
                for other in meetings
                if other.id != meeting.id
            ):
                add("party_busy", party, **when)
            if party.fixed_table is not None and party.fixed_table != table:
                add("own_table", party, table=tables[party.fixed_table] if party.fixed_table < len(tables) else "")
        owner = owners.get(table)
        if owner is not None and owner not in pair:
            add("table_reserved", parties[owner], **when)
    return found


async def check(matchmaking: Matchmaking, run_id: int, data: MoveIn, locale: Locale) -> list[ConflictOut]:
    """What a move would break, without making it (stale versions are refused like a move)."""
    run = await run_of(matchmaking, run_id)
    if run.version != data.version:
        raise await _stale(run)
    return [conflict.out(locale) for conflict in await conflicts(matchmaking, run, data)]


async def move(user: User, event: Event, matchmaking: Matchmaking, run_id: int, data: MoveIn, locale: Locale) -> None:
    """Move a meeting to (slot, table), swapping with the meeting there; 409 `schedule_stale` on an old version,
    409 `move_conflicts` (every conflict, in `details.conflicts`) when a hard rule would break."""
    run = await run_of(matchmaking, run_id)
    if run.state is not RunState.DONE:
        raise ScheduleNotDone()
    async with in_transaction():
        if not await claim(run, data.version):
            raise await _stale(run)
        found = await conflicts(matchmaking, run, data)
        if found:
            error = MoveConflicts(count=len(found))
            error.details = {"conflicts": [c.out(locale).model_dump() for c in found]}
            raise error
        moved = await ScheduledMeeting.get(id=data.meeting_id)
        before = (moved.slot, moved.table)
        occupant = await ScheduledMeeting.get_or_none(run_id=run.id, slot=data.slot, table=data.table)
        if occupant is not None and occupant.id != moved.id:
            await ScheduledMeeting.filter(id=occupant.id).update(slot=PARKED)
            await ScheduledMeeting.filter(id=moved.id).update(slot=data.slot, table=data.table)
            await ScheduledMeeting.filter(id=occupant.id).update(slot=before[0], table=before[1])
        else:
            await ScheduledMeeting.filter(id=moved.id).update(slot=data.slot, table=data.table)
        await audit.record(
            user,
            "matchmaking_schedule.move",
            run,
            organisation_id=event.organisation_id,
            before={"meeting": moved.id, "slot": before[0], "table": before[1], "version": data.version},
            after={
                "meeting": moved.id,
                "slot": data.slot,
                "table": data.table,
                "swapped": occupant.id if occupant is not None and occupant.id != moved.id else None,
            },
        )


async def remove(
    user: User, event: Event, matchmaking: Matchmaking, run_id: int, meeting_id: int, version: int
) -> None:
    """Take one meeting out of the schedule; 409 `schedule_stale` on an old version."""
    run = await run_of(matchmaking, run_id)
    async with in_transaction():
        if not await claim(run, version):
            raise await _stale(run)
        meeting = await ScheduledMeeting.get_or_none(id=meeting_id, run_id=run.id)
        if meeting is None:
            raise NotFound()
        await meeting.delete()
        await audit.record(
            user,
            "matchmaking_schedule.remove_meeting",
            run,
            organisation_id=event.organisation_id,
            before={"meeting": meeting_id, "parties": [meeting.party_a_id, meeting.party_b_id], "version": version},
        )
