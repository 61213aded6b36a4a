"""iCalendar output: feeds (METHOD:PUBLISH) and one attendee's invitation or cancellation (iTIP REQUEST/CANCEL).

Rules kept here (docs/architecture.md#calendars): a UID fixed at creation; DTSTAMP in UTC (the change time in
feeds, the message time in iTIP); SEQUENCE from the event, which bumps only with time, place or status; a VTIMEZONE
for every TZID; no ATTENDEE in feeds; one VEVENT per REQUEST or CANCEL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import partial
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, vCalAddress, vDuration
from icalendar import Event as VEvent
from icalendar.enums import STATUS, TRANSP

from events.models import AgendaSession, Event, EventStatus, Registration
from server.clock import utcnow
from server.i18n import pick
from server.markdown import plain_text
from server.settings import Locale

PRODID = "-//Quancheng//Events//ZH"
REFRESH = timedelta(hours=1)


class Method(StrEnum):
    PUBLISH = "PUBLISH"
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


@dataclass(frozen=True)
class Milestone:
    """A moment of an event with its own feed entry, without duration (a competition stage's deadline), added by
    the subpackage that owns it through `events.feeds.register_milestones`. `sequence` counts its own moves."""

    uid: str
    title: dict[str, str]  # {"zh": ..., "en": ...}
    at: datetime
    sequence: int
    path: str  # the page it leads to, under BASE_URL


@dataclass(frozen=True)
class EventFacts:
    """What a calendar entry shows of an event, loaded once by the caller."""

    event: Event
    sessions: Sequence[AgendaSession]
    categories: Sequence[str]
    organizer_email: str
    organizer_name: str
    standing: str = ""  # the reader's place when it is not a sure seat (a personal feed): the entry is TENTATIVE
    milestones: Sequence[Milestone] = ()


def _title(event: Event | AgendaSession, locale: Locale) -> str:
    return pick({"zh": event.title_zh, "en": event.title_en}, locale)


def _local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


def _location(event: Event, room: str = "") -> str:
    place = ", ".join(part for part in (event.venue, room) if part)
    return place or event.online_url


def _vevent(
    facts: EventFacts,
    *,
    uid: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    room: str,
    locale: Locale,
    base_url: str,
    stamp: datetime,
    cancelled: bool,
) -> VEvent:
    event = facts.event
    if facts.standing:
        title = f"【{facts.standing}】{title}" if locale == "zh-CN" else f"[{facts.standing}] {title}"
    description = plain_text(event.description_md)
    if event.online_url:
        description = f"{description}\n\n{event.online_url}".strip()
    entry = VEvent.new(
        uid=uid,
        stamp=stamp,
        start=_local(starts_at, event.timezone),
        end=_local(ends_at, event.timezone),
        summary=title,
        description=description or None,
        location=_location(event, room) or None,
        url=f"{base_url}/events/{event.id}",
        categories=list(facts.categories),
        sequence=event.sequence,
        status=STATUS.CANCELLED if cancelled else STATUS.TENTATIVE if facts.standing else STATUS.CONFIRMED,
        organizer=vCalAddress.new(facts.organizer_email, cn=facts.organizer_name),
        last_modified=event.updated_at,
    )
    if event.alarm_minutes and not cancelled and not facts.standing:
        entry.add_component(Alarm.new_display(trigger=timedelta(minutes=-event.alarm_minutes), description=title))
    return entry


def event_entries(
    facts: EventFacts, *, locale: Locale, base_url: str, stamp: datetime | None = None, cancelled: bool = False
) -> list[VEvent]:
    """The event's VEVENT, then one per agenda session when the organiser opted in, then its milestones."""
    event = facts.event
    gone = cancelled or event.status is EventStatus.CANCELLED
    entry = partial(
        _vevent,
        facts,
        locale=locale,
        base_url=base_url,
        stamp=stamp or event.updated_at,
        cancelled=gone,
    )
    title = _title(event, locale)
    entries = [entry(uid=event.uid, title=title, starts_at=event.starts_at, ends_at=event.ends_at, room="")]
    if event.agenda_in_calendar:
        entries += [
            entry(
                uid=session.uid,
                title=f"{_title(session, locale)} · {title}",
                starts_at=session.starts_at,
                ends_at=session.ends_at,
                room=session.room,
            )
            for session in facts.sessions
        ]
    moments = partial(_milestone, facts, locale=locale, base_url=base_url, title=title, cancelled=gone)
    return entries + [moments(each) for each in facts.milestones]


def _milestone(
    facts: EventFacts, milestone: Milestone, *, locale: Locale, base_url: str, title: str, cancelled: bool
) -> VEvent:
    """A moment without duration (DTSTART and no DTEND, RFC 5545 3.6.1), transparent so that it blocks no time;
    its SEQUENCE is the event's plus its own moves, so a moved deadline or a cancelled event updates it."""
    event = facts.event
    return VEvent.new(
        uid=milestone.uid,
        stamp=event.updated_at,
        start=_local(milestone.at, event.timezone),
        summary=f"{pick(milestone.title, locale)} · {title}",
        url=f"{base_url}{milestone.path}",
        categories=list(facts.categories),
        sequence=event.sequence + milestone.sequence,
        status=STATUS.CANCELLED if cancelled else STATUS.CONFIRMED,
        transparency=TRANSP.TRANSPARENT,
        organizer=vCalAddress.new(facts.organizer_email, cn=facts.organizer_name),
        last_modified=event.updated_at,
    )


def _calendar(method: Method, entries: Iterable[VEvent], *, name: str | None = None) -> Calendar:
    calendar = Calendar.new(prodid=PRODID, method=method.value, name=name)
    calendar.pop("UID")  # Calendar.new adds a random one: the same data must give the same bytes (and ETag)
    starts: list[date] = []
    for entry in entries:
        calendar.add_component(entry)
        starts.append(entry.start.date() if isinstance(entry.start, datetime) else entry.start)
    first = min(starts, default=utcnow().date())
    # a year earlier, but never before 0001-01-01: a stored date is not always a sane one
    calendar.add_missing_timezones(first_date=max(first, date.min + timedelta(days=366)) - timedelta(days=366))
    return calendar


def feed(facts: Iterable[EventFacts], *, name: str, locale: Locale, base_url: str) -> bytes:
    """A subscription feed: METHOD:PUBLISH, no attendees, with refresh hints."""
    entries = [entry for each in facts for entry in event_entries(each, locale=locale, base_url=base_url)]
    calendar = _calendar(Method.PUBLISH, entries, name=name)
    calendar.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    content: bytes = calendar.to_ical()
    return content


def invitation(facts: EventFacts, registration: Registration, method: Method, *, base_url: str) -> bytes:
    """One attendee's iTIP message about the event itself: REQUEST (invite or update) or CANCEL."""
    locale: Locale = "en" if registration.locale == "en" else "zh-CN"
    entry = event_entries(facts, locale=locale, base_url=base_url, stamp=utcnow(), cancelled=method is Method.CANCEL)[0]
    return _itip(entry, registration, method)


@dataclass(frozen=True)
class MeetingFacts:
    """One meeting of a matchmaking event as its calendar entry shows it: its own UID and SEQUENCE."""

    uid: str
    sequence: int
    title: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    location: str
    url: str
    organizer_email: str
    organizer_name: str
    changed_at: datetime


def meeting_invitation(facts: MeetingFacts, registration: Registration, method: Method) -> bytes:
    """One attendee's iTIP message about one meeting: REQUEST (on publish, and when it moves) or CANCEL."""
    entry = VEvent.new(
        uid=facts.uid,
        stamp=utcnow(),
        start=_local(facts.starts_at, facts.timezone),
        end=_local(facts.ends_at, facts.timezone),
        summary=facts.title,
        location=facts.location or None,
        url=facts.url,
        sequence=facts.sequence,
        status=STATUS.CANCELLED if method is Method.CANCEL else STATUS.CONFIRMED,
        organizer=vCalAddress.new(facts.organizer_email, cn=facts.organizer_name),
        last_modified=facts.changed_at,
    )
    return _itip(entry, registration, method)


def _itip(entry: VEvent, registration: Registration, method: Method) -> bytes:
    """The entry as an iTIP message to this one attendee."""
    entry.add(
        "ATTENDEE",
        vCalAddress.new(
            registration.email,
            cn=registration.name,
            role="REQ-PARTICIPANT",
            rsvp=False,
            partstat="DECLINED" if method is Method.CANCEL else "ACCEPTED",
        ),
    )
    content: bytes = _calendar(method, [entry]).to_ical()
    return content
