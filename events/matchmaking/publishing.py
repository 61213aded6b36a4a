"""Publishing a provisional schedule as the event's agenda, and each party's agenda.

The published schedule is the event's one run with `published_at` set. A schedule is never published with a
clash: `publish` checks the stored meetings again, in the transaction that publishes them and with the event's
matchmaking row locked, against the parties, interest and grid as they are then (`problem.violations`, the
single statement of the hard rules), and refuses with 409 naming the clashes.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from events.matchmaking import agenda, meeting_mail
from events.matchmaking.models import Matchmaking, RunState, ScheduledMeeting, ScheduleRun
from events.matchmaking.planning import instance
from events.matchmaking.problem import Placement, violations
from events.models import Event
from notifications.outbox import enqueue
from server import audit
from server.clock import utcnow
from server.errors import Conflict, NotFound
from server.models import User


class ScheduleNotDone(Conflict):
    key = "error.matchmaking_schedule_not_done"


class ScheduleClashes(Conflict):
    key = "error.matchmaking_schedule_clashes"


async def clashes(matchmaking: Matchmaking, meetings: list[ScheduledMeeting]) -> list[str]:
    """What keeps the meetings from being held as the event stands now, in words; empty when none."""
    built = await instance(matchmaking)
    index_of = {pair: index for index, pair in enumerate(built.meetings)}
    found: list[str] = []
    placements: list[Placement] = []
    for meeting in meetings:
        pair = (meeting.party_a_id, meeting.party_b_id)
        if pair not in index_of:
            found.append(f"parties {pair[0]} and {pair[1]} no longer want or may not meet")
            continue
        placements.append(Placement(index_of[pair], meeting.slot, meeting.table))
    return found + violations(built.problem, placements)


async def publish(user: User, event: Event, matchmaking: Matchmaking, run_id: int) -> ScheduleRun:
    """Make a finished run the event's published schedule, if it still holds (409 naming each clash), and mail
    each member of both parties a calendar entry per new, moved or dropped meeting (REQUEST or CANCEL)."""
    async with in_transaction():
        locked = await Matchmaking.filter(id=matchmaking.id).select_for_update().get()
        run = await ScheduleRun.get_or_none(id=run_id, matchmaking_id=locked.id)
        if run is None:
            raise NotFound()
        if run.state is not RunState.DONE:
            raise ScheduleNotDone()
        meetings = await ScheduledMeeting.filter(run_id=run.id).order_by("slot", "table")
        found = await clashes(locked, meetings)
        if found:
            raise ScheduleClashes(count=len(found), first=found[0])
        before = await ScheduleRun.get_or_none(matchmaking_id=locked.id, published_at__not_isnull=True)
        await ScheduleRun.filter(matchmaking_id=locked.id, published_at__not_isnull=True).update(published_at=None)
        run.published_at = utcnow()
        await run.save(update_fields=["published_at"])
        changes = await meeting_mail.sync_entries(locked, meetings)
        await enqueue(*await meeting_mail.mails(event, locked, changes))
        touched = {party for change in changes for party in (change.entry.party_a_id, change.entry.party_b_id)}
        await enqueue(*await agenda.mails(event, locked, touched, stamp=run.published_at.isoformat()))
        await audit.record(
            user,
            "matchmaking_schedule.publish",
            run,
            organisation_id=event.organisation_id,
            before={"run": before.id if before else None},
            after={"run": run.id, "meetings": len(meetings), "calendar_changes": len(changes)},
        )
    return run
