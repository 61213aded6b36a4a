"""Our own lint of calendar output, plus parsing by three independent libraries (icalendar, ical, vobject)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import icalendar
import vobject
from ical.calendar_stream import IcsCalendarStream


def lint(content: bytes, *, method: str) -> icalendar.Calendar:
    """Parse `content` three ways and check the rules of docs/architecture.md#calendars; returns the calendar."""
    text = content.decode("utf-8")
    assert "\r\n" in text and not any(len(line.encode()) > 75 for line in text.split("\r\n"))
    calendar = icalendar.Calendar.from_ical(content)
    assert calendar["METHOD"] == method and calendar["VERSION"] == "2.0" and calendar["PRODID"]
    events = list(calendar.events)
    assert events, "no VEVENT"
    if method in ("REQUEST", "CANCEL"):
        assert len(events) == 1, "one VEVENT per iTIP message"
        attendees = events[0].get("ATTENDEE")
        assert attendees is not None and not isinstance(attendees, list), "exactly one ATTENDEE"
    for event in events:
        assert event.get("UID"), "UID missing"
        stamp = event.decoded("DTSTAMP")
        assert isinstance(stamp, datetime) and stamp.utcoffset() == UTC.utcoffset(None), "DTSTAMP not in UTC"
        assert "ORGANIZER" in event and int(event.get("SEQUENCE", 0)) >= 0
        if method == "PUBLISH":
            assert "ATTENDEE" not in event, "feeds carry no attendees"
        if method == "CANCEL":
            assert event["STATUS"] == "CANCELLED"
    assert calendar.get_missing_tzids() == set(), "a TZID without its VTIMEZONE"
    if method == "PUBLISH":
        refresh = calendar["REFRESH-INTERVAL"]
        assert refresh.params.get("VALUE") == "DURATION" and "X-PUBLISHED-TTL" in calendar
    IcsCalendarStream.calendar_from_ics(text)
    parsed = vobject.readOne(io.StringIO(text))
    assert len(parsed.vevent_list) == len(events)
    return calendar


def entries(content: bytes) -> dict[str, icalendar.Event]:
    """The VEVENTs of a calendar by UID."""
    return {str(event["UID"]): event for event in icalendar.Calendar.from_ical(content).events}
