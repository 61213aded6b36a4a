"""The demo's full matchmaking event: parties of the demo's companies and supplier bringing their entries,
preferences, and a schedule solved by the real solver, proved optimal and published with its mails."""

from __future__ import annotations

from events.matchmaking.models import Matchmaking, MeetingEntry, Party, Preference, ScheduledMeeting, ScheduleRun
from events.matchmaking.publishing import clashes
from events.models import Event, EventKind
from notifications.models import OutboxMessage
from server import demo
from server.settings import Settings


async def test_the_demo_matchmaking_event_has_parties_preferences_and_a_published_optimal_schedule(
    settings: Settings,
) -> None:
    await demo.seed(settings)
    event = await Event.get(kind=EventKind.MATCHMAKING)
    matchmaking = await Matchmaking.get(event_id=event.id)
    parties = await Party.filter(matchmaking_id=matchmaking.id).prefetch_related("entries")
    assert len(parties) == 4 and sum(len(p.entries) for p in parties) >= 4
    assert await Preference.filter(party__matchmaking_id=matchmaking.id).count() == 4
    run = await ScheduleRun.get(matchmaking_id=matchmaking.id, published_at__not_isnull=True)
    assert (run.status, run.wanted) == ("optimal", 3)
    meetings = await ScheduledMeeting.filter(run_id=run.id)
    assert len(meetings) == 3 and await clashes(matchmaking, meetings) == []
    assert await MeetingEntry.filter(matchmaking_id=matchmaking.id, cancelled=False).count() == 3
    assert await OutboxMessage.filter(template="meeting_agenda").count() == 4  # one per party's one member
    assert await OutboxMessage.filter(template="meeting_scheduled").count() == 6
