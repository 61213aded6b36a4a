"""The follow-up a week after a matchmaking event: each party that held meetings is asked, by mail to its
members, to record each meeting's outcome (无后续 / 有意向 / 洽谈中 / 已签约) on its agenda page.

Run hourly by the job runner (`server/app.py`, `once_an_hour`); each member is mailed once per party (the outbox's
dedupe key), however often the job runs or however many processes run it. Events that ended between
`AFTER` and `AFTER + WINDOW` ago are looked at, so the job never walks the whole history.
"""

from __future__ import annotations

from datetime import timedelta

from tortoise.transactions import in_transaction

from events.mailing import site
from events.matchmaking.meeting_mail import member_mail, members_of
from events.matchmaking.models import Matchmaking, MeetingEntry
from events.models import Event, EventKind, EventStatus
from notifications.outbox import Mail, enqueue
from server.clock import utcnow
from server.models import Organisation

TEMPLATE = "meeting_outcome_request"
AFTER = timedelta(days=7)
WINDOW = timedelta(days=21)


async def send_outcome_requests() -> int:
    """Enqueue the outcome requests that have come due; answers how many mails were written (or found sent)."""
    now = utcnow()
    events = Event.filter(
        kind=EventKind.MATCHMAKING,
        ends_at__lte=now - AFTER,
        ends_at__gt=now - AFTER - WINDOW,
        status__not=EventStatus.CANCELLED,
    )
    written = 0
    for event in await events:
        matchmaking = await Matchmaking.get_or_none(event_id=event.id)
        if matchmaking is None:
            continue
        mails = await _mails(event, matchmaking)
        async with in_transaction():
            await enqueue(*mails)
        written += len(mails)
    return written


async def _mails(event: Event, matchmaking: Matchmaking) -> list[Mail]:
    held: dict[int, int] = {}
    for entry in await MeetingEntry.filter(matchmaking_id=matchmaking.id, cancelled=False, held_at__not_isnull=True):
        for party_id in (entry.party_a_id, entry.party_b_id):
            held[party_id] = held.get(party_id, 0) + 1
    if not held:
        return []
    host = await Organisation.get(id=event.organisation_id)
    found: list[Mail] = []
    for party_id, members in (await members_of(held)).items():
        context: dict[str, object] = {
            "meetings_held": held[party_id],
            "agenda_url": f"{site().base_url}/matchmaking/agenda/{party_id}",
        }
        found.extend(
            member_mail(TEMPLATE, registration, event, host, context, str(party_id)) for registration in members
        )
    return found
