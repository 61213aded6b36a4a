"""Each published meeting as its own calendar entry, mailed to every member of both parties through the outbox.

`MeetingEntry` keeps one pair's calendar identity at an event: a UID made once, and a SEQUENCE that bumps when
a newly published schedule moves the meeting (another slot or table) or drops it (CANCEL); an unchanged meeting
sends nothing again. The iCalendar part is built when the mail leaves (`_build`, registered with
`notifications.parts`), so it always shows the entry as it is then.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from events import calendar
from events.feeds import facts
from events.mailing import site
from events.matchmaking.grid import Slot, slots_of
from events.matchmaking.models import Matchmaking, MeetingEntry, Party, PartyMember, ScheduledMeeting
from events.models import Event, Registration, RegistrationStatus
from notifications import parts
from notifications.outbox import Mail
from server.i18n import pick
from server.models import Organisation
from server.settings import Locale

BUILDER = "matchmaking_meeting"


@dataclass(frozen=True)
class _Change:
    entry: MeetingEntry
    method: calendar.Method


async def sync_entries(matchmaking: Matchmaking, meetings: list[ScheduledMeeting]) -> list[_Change]:
    """Bring the event's meeting entries in line with the schedule being published: new and moved meetings get a
    REQUEST (a moved one with its SEQUENCE bumped), dropped ones a CANCEL. Runs in the publishing transaction."""
    current = {(e.party_a_id, e.party_b_id): e for e in await MeetingEntry.filter(matchmaking_id=matchmaking.id)}
    changes: list[_Change] = []
    held: set[tuple[int, int]] = set()
    for meeting in meetings:
        pair = (meeting.party_a_id, meeting.party_b_id)
        held.add(pair)
        entry = current.get(pair)
        if entry is None:
            entry = await MeetingEntry.create(
                matchmaking_id=matchmaking.id,
                party_a_id=pair[0],
                party_b_id=pair[1],
                uid=f"meeting-{uuid.uuid4()}@quancheng",
                slot=meeting.slot,
                table=meeting.table,
            )
        elif entry.cancelled or (entry.slot, entry.table) != (meeting.slot, meeting.table):
            entry.slot, entry.table, entry.cancelled, entry.sequence = (
                meeting.slot,
                meeting.table,
                False,
                entry.sequence + 1,
            )
            await entry.save(update_fields=["slot", "table", "cancelled", "sequence", "updated_at"])
        else:
            continue
        changes.append(_Change(entry, calendar.Method.REQUEST))
    for pair, entry in current.items():
        if pair not in held and not entry.cancelled:
            entry.cancelled, entry.sequence = True, entry.sequence + 1
            await entry.save(update_fields=["cancelled", "sequence", "updated_at"])
            changes.append(_Change(entry, calendar.Method.CANCEL))
    return changes


async def mails(event: Event, matchmaking: Matchmaking, changes: list[_Change]) -> list[Mail]:
    """One mail per change and member of either party (confirmed registrations), each with its calendar part."""
    if not changes:
        return []
    organisation = await Organisation.get(id=event.organisation_id)
    party_ids = {p for change in changes for p in (change.entry.party_a_id, change.entry.party_b_id)}
    parties = {p.id: p for p in await Party.filter(id__in=party_ids).select_related("organisation")}
    members = await members_of(party_ids)
    slots = slots_of(matchmaking)
    found: list[Mail] = []
    for change in changes:
        entry = change.entry
        for own, other in ((entry.party_a_id, entry.party_b_id), (entry.party_b_id, entry.party_a_id)):
            for registration in members[own]:
                found.append(_mail(event, organisation, matchmaking, slots, parties[other], registration, change))
    return found


async def members_of(party_ids: Iterable[int]) -> dict[int, list[Registration]]:
    """The confirmed registrations of each party's members: who its mails go to."""
    members: dict[int, list[Registration]] = {party_id: [] for party_id in party_ids}
    for member in await PartyMember.filter(
        party_id__in=list(members), registration__status=RegistrationStatus.CONFIRMED
    ).select_related("registration"):
        members[member.party_id].append(member.registration)
    return members


def locale_of(registration: Registration) -> Locale:
    return "en" if registration.locale == "en" else "zh-CN"


def member_mail(
    template: str, registration: Registration, event: Event, host: Organisation, context: dict[str, object], key: str
) -> Mail:
    """A mail of the event's organisers to one party member, in the member's language: `context` adds to the
    recipient's name, the event's title and the organiser's name; `key` identifies it (dedupe key)."""
    locale = locale_of(registration)
    organiser_name = pick({"zh": host.name_zh, "en": host.name_en}, locale)
    return Mail(
        template=template,
        to=registration.email,
        to_name=registration.name,
        locale=locale,
        context={
            "recipient_name": registration.name,
            "event_title": pick({"zh": event.title_zh, "en": event.title_en}, locale),
            "organiser_name": organiser_name,
            **context,
        },
        dedupe_key=f"{template}:{key}:{registration.id}",
        topic=f"event:{event.id}",
        from_name=organiser_name,
    )


def _mail(
    event: Event,
    organisation: Organisation,
    matchmaking: Matchmaking,
    slots: list[Slot],
    counterpart: Party,
    registration: Registration,
    change: _Change,
) -> Mail:
    locale = locale_of(registration)
    entry = change.entry
    context: dict[str, object] = {
        "recipient_name": registration.name,
        "event_title": pick({"zh": event.title_zh, "en": event.title_en}, locale),
        "counterpart_name": pick(
            {"zh": counterpart.organisation.name_zh, "en": counterpart.organisation.name_en}, locale
        ),
        "event_url": f"{site().base_url}/events/{event.id}",
        "organiser_name": pick({"zh": organisation.name_zh, "en": organisation.name_en}, locale),
    }
    template = "meeting_cancelled"
    if change.method is calendar.Method.REQUEST:
        template = "meeting_scheduled"
        context |= {"meeting_when": when(slots[entry.slot], event), "table_name": matchmaking.tables[entry.table]}
    return Mail(
        template=template,
        to=registration.email,
        to_name=registration.name,
        locale=locale,
        context=context,
        dedupe_key=f"{template}:{entry.uid}:{entry.sequence}:{registration.id}",
        topic=f"event:{event.id}",
        from_name=str(context["organiser_name"]),
        calendar={
            "builder": BUILDER,
            "args": {"entry": entry.id, "registration": str(registration.id), "method": change.method.value},
        },
    )


def when(slot: Slot, event: Event) -> str:
    """A slot's date and times in the event's zone, for mails."""
    zone = ZoneInfo(event.timezone)
    return (
        f"{slot.starts_at.astimezone(zone):%Y-%m-%d %H:%M} – {slot.ends_at.astimezone(zone):%H:%M} ({event.timezone})"
    )


async def _build(args: dict[str, object]) -> parts.CalendarPart | None:
    entry = await MeetingEntry.get_or_none(id=int(str(args["entry"])))
    registration = await Registration.get_or_none(id=str(args["registration"]))
    if entry is None or registration is None:
        return None
    matchmaking = await Matchmaking.get(id=entry.matchmaking_id)
    event = await Event.get(id=matchmaking.event_id)
    locale = locale_of(registration)
    method = calendar.Method.CANCEL if entry.cancelled else calendar.Method(str(args["method"]))
    mail_site = site()
    (event_facts,) = await facts([event], locale=locale, mail_from=mail_site.mail_from)
    names = {
        p.id: pick({"zh": p.organisation.name_zh, "en": p.organisation.name_en}, locale)
        for p in await Party.filter(id__in=[entry.party_a_id, entry.party_b_id]).select_related("organisation")
    }
    slots = slots_of(matchmaking)
    slot = slots[min(entry.slot, len(slots) - 1)]
    event_title = pick({"zh": event.title_zh, "en": event.title_en}, locale)
    title = f"{names[entry.party_a_id]} × {names[entry.party_b_id]} · {event_title}"
    table = matchmaking.tables[entry.table] if entry.table < len(matchmaking.tables) else ""
    meeting = calendar.MeetingFacts(
        uid=entry.uid,
        sequence=entry.sequence,
        title=title,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        timezone=event.timezone,
        location=", ".join(part for part in (event.venue, table) if part),
        url=f"{mail_site.base_url}/events/{event.id}",
        organizer_email=event_facts.organizer_email,
        organizer_name=event_facts.organizer_name,
        changed_at=entry.updated_at,
    )
    return method.value, calendar.meeting_invitation(meeting, registration, method)


parts.register(BUILDER, _build)
