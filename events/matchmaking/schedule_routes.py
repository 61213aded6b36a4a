"""Endpoints of a matchmaking event's schedules, all for its organisers: compute one, read it, edit it on the grid
(move or swap a meeting, check a move, remove a meeting, fill the empty cells for late parties), publish it."""

from __future__ import annotations

from events.access import Organisers
from events.matchmaking import editing, grid, planning, publishing
from events.matchmaking.meeting_schemas import ConflictsOut, MoveIn, ScheduleIn, ScheduleOut, VersionQuery
from events.matchmaking.models import RunState
from events.models import Event
from server.api import Api, Context

api = Api()
TAG = "matchmaking"
SCHEDULE = "/events/{event_id:int}/matchmaking/schedules/{schedule_id:int}"


@api.route(
    "POST",
    "/events/{event_id:int}/matchmaking/schedules",
    guard=Organisers(),
    summary="Compute a provisional schedule",
    tag=TAG,
    status=202,
)
async def start_schedule(ctx: Context, event_id: int, event: Event, body: ScheduleIn) -> ScheduleOut:
    """Queued and solved off the request path within `time_limit` seconds; poll the returned schedule until its
    state is `done` (or `failed`). One run at a time per event (409)."""
    matchmaking = await grid.matchmaking_of(event.id)
    run = await planning.start(ctx.user, event, matchmaking, body)
    planning.launch(run.id)
    return await planning.schedule_out(run)


@api.route(
    "GET",
    "/events/{event_id:int}/matchmaking/schedules/{schedule_id:int}",
    guard=Organisers(),
    summary="A provisional schedule and its solver report",
    tag=TAG,
)
async def get_schedule(ctx: Context, event_id: int, schedule_id: int, event: Event) -> ScheduleOut:
    """Whether the schedule is proved optimal, and each stage's value and bound."""
    matchmaking = await grid.matchmaking_of(event.id)
    return await planning.schedule_out(await editing.run_of(matchmaking, schedule_id))


@api.route(
    "POST",
    "/events/{event_id:int}/matchmaking/schedules/{schedule_id:int}/publish",
    guard=Organisers(),
    summary="Publish a schedule as the event's agenda",
    tag=TAG,
)
async def publish_schedule(ctx: Context, event_id: int, schedule_id: int, event: Event) -> ScheduleOut:
    """A finished schedule only (409); checked again against the parties, their interest and the grid as they
    are now, in the publishing transaction: any clash is 409, naming the first. Each member of
    both parties is mailed a calendar entry per new or moved meeting (REQUEST) and per dropped one (CANCEL)."""
    matchmaking = await grid.matchmaking_of(event.id)
    return await planning.schedule_out(await publishing.publish(ctx.user, event, matchmaking, schedule_id))


@api.route("POST", f"{SCHEDULE}/moves", guard=Organisers(), summary="Move or swap a meeting on the grid", tag=TAG)
async def move_meeting(ctx: Context, event_id: int, schedule_id: int, event: Event, body: MoveIn) -> ScheduleOut:
    """The meeting goes to (slot, table); a meeting already there takes its old cell. Answers the whole schedule
    at its new version. 409 `schedule_stale` when `version` is not current (`details.schedule`: the schedule as it
    is now); 409 `move_conflicts` when a hard rule would break (`details.conflicts`: code, message, party_id)."""
    matchmaking = await grid.matchmaking_of(event.id)
    await editing.move(ctx.user, event, matchmaking, schedule_id, body, ctx.locale)
    return await planning.schedule_out(await editing.run_of(matchmaking, schedule_id))


@api.route("POST", f"{SCHEDULE}/check", guard=Organisers(), summary="What a move would break", tag=TAG)
async def check_move(ctx: Context, event_id: int, schedule_id: int, event: Event, body: MoveIn) -> ConflictsOut:
    """The conflicts of the move in `body` without making it (empty: the move is fine); 409 `schedule_stale` as a
    move."""
    matchmaking = await grid.matchmaking_of(event.id)
    return ConflictsOut(conflicts=await editing.check(matchmaking, schedule_id, body, ctx.locale))


@api.route("DELETE", f"{SCHEDULE}/meetings/{{meeting_id:int}}", guard=Organisers(), summary="Remove a meeting", tag=TAG)
async def remove_meeting(
    ctx: Context, event_id: int, schedule_id: int, meeting_id: int, event: Event, query: VersionQuery
) -> ScheduleOut:
    """Answers the schedule at its new version; 409 `schedule_stale` as a move."""
    matchmaking = await grid.matchmaking_of(event.id)
    await editing.remove(ctx.user, event, matchmaking, schedule_id, meeting_id, query.version)
    return await planning.schedule_out(await editing.run_of(matchmaking, schedule_id))


@api.route(
    "POST",
    f"{SCHEDULE}/fill",
    guard=Organisers(),
    summary="Fill the empty cells for late parties",
    tag=TAG,
    status=202,
)
async def fill_schedule(ctx: Context, event_id: int, schedule_id: int, event: Event) -> ScheduleOut:
    """A new run (poll it as any run) whose solve keeps every meeting of this finished schedule in its cell and
    places further meetings, e.g. of parties that came late, only into empty cells. 409 while another run is
    queued or running, or when this schedule is not finished."""
    matchmaking = await grid.matchmaking_of(event.id)
    kept = await editing.run_of(matchmaking, schedule_id)
    if kept.state is not RunState.DONE:
        raise publishing.ScheduleNotDone()
    run = await planning.start(ctx.user, event, matchmaking, ScheduleIn(), kept=kept)
    planning.launch(run.id)
    return await planning.schedule_out(run)
