"""From an event's parties, interest and grid to the scheduler's problem, and the provisional schedules computed
from it off the request path.

The meetings asked for: in mode `preferences`, every pair where one side marked the other want or must (weight:
want 1 and must 2 from each side; a must from either side makes it a must-meet); in mode `requests`, every
accepted request (weight 2); and the organiser's must-meets (weight 2 more, fixed to their slot if given).
A "no" from either side, a declined request, or a pair the pairing rule no longer allows (a side changed) leaves
the pair out. A run is one row (`ScheduleRun`): queued in the request, solved in a worker thread by a task of
the process (`launch`), its meetings stored in one transaction with the result.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field, replace
from datetime import timedelta

from tortoise.transactions import in_transaction

from events.matchmaking.grid import sessions_of, slots_of
from events.matchmaking.interest import pairable, refusals
from events.matchmaking.meeting_schemas import ScheduledMeetingOut, ScheduleIn, ScheduleOut, StageOut
from events.matchmaking.models import (
    InterestMode,
    Level,
    Matchmaking,
    MeetingRequest,
    OrganiserMeeting,
    Party,
    Preference,
    RequestState,
    RunState,
    ScheduledMeeting,
    ScheduleRun,
)
from events.matchmaking.problem import Meeting, Placement, Priority, Problem, Session
from events.matchmaking.scheduler import Status, solve
from events.models import Event
from server import audit
from server.clock import utcnow
from server.errors import Conflict
from server.models import User

log = logging.getLogger(__name__)
LEVEL_WEIGHT = {Level.WANT: 1, Level.MUST: 2}
ACCEPTED_WEIGHT = 2
ORGANISER_WEIGHT = 2
UNFINISHED = (RunState.QUEUED, RunState.RUNNING)
ABANDONED_AFTER = 120  # seconds past its time limit after which an unfinished run is taken as abandoned
_running: set[asyncio.Task[None]] = set()  # held so that the loop does not drop a run's task


class ScheduleRunning(Conflict):
    key = "error.matchmaking_schedule_running"


@dataclass
class _Wish:
    must: bool = False
    weight: int = 0
    fixed_slot: int | None = None


@dataclass(frozen=True)
class Instance:
    """The problem and what its numbers stand for: `parties[i]` is the id of party i."""

    problem: Problem
    parties: list[int]
    meetings: list[tuple[int, int]] = field(default_factory=list)  # party ids per meeting index


async def instance(matchmaking: Matchmaking) -> Instance:
    """The scheduler's problem for the event as its parties, interest and grid stand now."""
    parties = await Party.filter(matchmaking_id=matchmaking.id).order_by("id")
    by_id = {party.id: party for party in parties}
    index = {party.id: position for position, party in enumerate(parties)}
    wishes: dict[tuple[int, int], _Wish] = {}

    def wish(one: int, other: int) -> _Wish:
        return wishes.setdefault((min(one, other), max(one, other)), _Wish())

    if matchmaking.mode is InterestMode.PREFERENCES:
        for preference in await Preference.filter(party__matchmaking_id=matchmaking.id, level__not=Level.NO):
            found = wish(preference.party_id, preference.counterpart_id)
            found.weight += LEVEL_WEIGHT[preference.level]
            found.must = found.must or preference.level is Level.MUST
    else:
        accepted = MeetingRequest.filter(party__matchmaking_id=matchmaking.id, state=RequestState.ACCEPTED)
        for request in await accepted:
            wish(request.party_id, request.counterpart_id).weight += ACCEPTED_WEIGHT
    for fixed in await OrganiserMeeting.filter(matchmaking_id=matchmaking.id):
        found = wish(fixed.party_a_id, fixed.party_b_id)
        found.must, found.weight, found.fixed_slot = True, found.weight + ORGANISER_WEIGHT, fixed.slot
    refused = await refusals(matchmaking)
    pairs = sorted(
        pair
        for pair in wishes
        if frozenset(pair) not in refused
        and all(party in by_id for party in pair)
        and pairable(matchmaking, by_id[pair[0]], by_id[pair[1]])
    )
    slots = slots_of(matchmaking)
    sessions: list[Session] = []
    for number, _ in enumerate(sessions_of(matchmaking)):
        own = [slot.number for slot in slots if slot.session == number]
        sessions.append(Session(own[0], own[-1]))
    meetings = tuple(
        Meeting(
            index[one],
            index[other],
            Priority.MUST if wishes[one, other].must else Priority.WANT,
            weight=wishes[one, other].weight,
            fixed_slot=wishes[one, other].fixed_slot,
        )
        for one, other in pairs
    )
    tables = len(matchmaking.tables)
    problem = Problem(
        parties=len(parties),
        slots=len(slots),
        tables=tables,
        meetings=meetings,
        sessions=tuple(sessions),
        unavailable={
            index[p.id]: frozenset(s for s in p.unavailable if s < len(slots)) for p in parties if p.unavailable
        },
        fixed_tables={
            index[p.id]: p.fixed_table for p in parties if p.fixed_table is not None and p.fixed_table < tables
        },
        caps={index[p.id]: matchmaking.meeting_cap for p in parties} if matchmaking.meeting_cap else {},
    )
    return Instance(problem, [party.id for party in parties], pairs)


async def start(
    user: User, event: Event, matchmaking: Matchmaking, data: ScheduleIn, kept: ScheduleRun | None = None
) -> ScheduleRun:
    """Queue a run; one at a time per event (409 while one is queued or running, unless it outlived its time limit
    by `ABANDONED_AFTER`: then it is marked failed). The caller then `launch`es it. With `kept` (a finished run)
    it is a fill: every meeting of `kept` stays in its cell, only empty cells get meetings."""
    async with in_transaction():
        await Matchmaking.filter(id=matchmaking.id).select_for_update().first()
        now = utcnow()
        for unfinished in await ScheduleRun.filter(matchmaking_id=matchmaking.id, state__in=list(UNFINISHED)):
            if unfinished.created_at + timedelta(seconds=unfinished.time_limit + ABANDONED_AFTER) > now:
                raise ScheduleRunning()
            # its process ended before the run did (a restart): it will never finish
            unfinished.state, unfinished.error, unfinished.finished_at = RunState.FAILED, "abandoned", now
            await unfinished.save(update_fields=["state", "error", "finished_at"])
        run = await ScheduleRun.create(
            matchmaking=matchmaking,
            time_limit=data.time_limit,
            fairness_d=data.fairness_d,
            created_by=user,
            kept_id=kept.id if kept else None,
        )
        after = data.model_dump() | {"kept": kept.id if kept else None}
        await audit.record(user, "matchmaking_schedule.start", run, organisation_id=event.organisation_id, after=after)
    return run


def launch(run_id: int) -> asyncio.Task[None]:
    task = asyncio.get_running_loop().create_task(execute(run_id))
    _running.add(task)
    task.add_done_callback(_running.discard)
    return task


async def execute(run_id: int) -> None:
    """Solve a queued run in a worker thread and store its schedule; a failure is recorded on the run."""
    await ScheduleRun.filter(id=run_id).update(state=RunState.RUNNING)
    try:
        await _solve_and_store(await ScheduleRun.get(id=run_id))
    except Exception as error:  # the run must not stay "running": record why, and log it whole
        log.exception("schedule run %s failed", run_id)
        await ScheduleRun.filter(id=run_id).update(state=RunState.FAILED, error=str(error)[:500], finished_at=utcnow())


async def _solve_and_store(run: ScheduleRun) -> None:
    built = await instance(await Matchmaking.get(id=run.matchmaking_id))
    kept: dict[tuple[int, int], tuple[int, int]] = {}
    if run.kept_id is not None:
        kept = {
            (m.party_a_id, m.party_b_id): (m.slot, m.table) for m in await ScheduledMeeting.filter(run_id=run.kept_id)
        }
        built = _keeping(built, kept)
    schedule = await asyncio.to_thread(solve, built.problem, run.time_limit, run.fairness_d)
    placements = _in_kept_cells(built, schedule.placements, kept) if run.kept_id is not None else schedule.placements
    async with in_transaction():
        await ScheduledMeeting.bulk_create(
            [
                ScheduledMeeting(
                    run_id=run.id,
                    party_a_id=built.meetings[placement.meeting][0],
                    party_b_id=built.meetings[placement.meeting][1],
                    slot=placement.slot,
                    table=placement.table,
                    must=built.problem.meetings[placement.meeting].priority is Priority.MUST,
                )
                for placement in placements
            ]
        )
        await ScheduleRun.filter(id=run.id).update(
            state=RunState.DONE,
            status=schedule.status.value,
            stages=[{"name": s.name, "value": s.value, "bound": s.bound, "proved": s.proved} for s in schedule.stages],
            objective=vars(schedule.objective) if schedule.objective else None,
            wanted=len(built.problem.meetings),
            seconds=round(schedule.seconds, 3),
            finished_at=utcnow(),
        )


async def schedule_out(run: ScheduleRun) -> ScheduleOut:
    meetings = await ScheduledMeeting.filter(run_id=run.id).order_by("slot", "table")
    return ScheduleOut(
        id=run.id,
        version=run.version,
        kept_id=run.kept_id,
        state=run.state,
        status=run.status,
        proved=run.status in (Status.OPTIMAL.value, Status.INFEASIBLE.value),
        stages=[StageOut.model_validate(stage) for stage in run.stages],
        wanted=run.wanted,
        placed=len(meetings),
        seconds=run.seconds,
        error=run.error,
        meetings=[
            ScheduledMeetingOut(
                id=m.id, party_ids=(m.party_a_id, m.party_b_id), slot=m.slot, table=m.table, must=m.must
            )
            for m in meetings
        ],
    )


def _keeping(built: Instance, kept: dict[tuple[int, int], tuple[int, int]]) -> Instance:
    """The problem with every kept meeting a must-meet fixed to its slot (added if interest has since lapsed)."""
    index = {party: position for position, party in enumerate(built.parties)}
    meetings = list(built.problem.meetings)
    pairs = list(built.meetings)
    for pair, (slot, _) in sorted(kept.items()):
        if pair in pairs:
            position = pairs.index(pair)
            meetings[position] = replace(meetings[position], priority=Priority.MUST, fixed_slot=slot)
        elif pair[0] in index and pair[1] in index and slot < built.problem.slots:
            meetings.append(Meeting(index[pair[0]], index[pair[1]], Priority.MUST, fixed_slot=slot))
            pairs.append(pair)
    return Instance(replace(built.problem, meetings=tuple(meetings)), built.parties, pairs)


def _in_kept_cells(
    built: Instance, placements: tuple[Placement, ...], kept: dict[tuple[int, int], tuple[int, int]]
) -> list[Placement]:
    """Kept meetings at their own table; new ones at the tables left free in their slot (their party's own table if
    it has one and it is free, else dropped rather than moving a kept meeting)."""
    taken = {cell for cell in kept.values()}
    found = [
        Placement(p.meeting, p.slot, kept[built.meetings[p.meeting]][1])
        for p in placements
        if built.meetings[p.meeting] in kept
    ]
    for placement in placements:
        if built.meetings[placement.meeting] in kept:
            continue
        booth = built.problem.table_of(placement.meeting)
        free = [t for t in range(built.problem.tables) if (placement.slot, t) not in taken and booth in (None, t)]
        if free:
            taken.add((placement.slot, free[0]))
            found.append(Placement(placement.meeting, placement.slot, free[0]))
    return found
