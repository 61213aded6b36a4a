"""Helpers for event tests: an organiser with an organisation, events in a given shape, and a strict iCalendar lint."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import icalendar
import vobject
from ical.calendar_stream import IcsCalendarStream

from server.clock import utcnow
from tests.support import admin_headers, provisioned


async def organiser(client: httpx.AsyncClient, email: str = "host@organiser.cn") -> tuple[dict[str, str], int]:
    """An organiser account and the id of its organiser organisation, both made by the bureau (so no verification
    mail of the organiser's waits among the mails a test looks at)."""
    admin = await admin_headers(client, f"admin-for-{email}")
    org = await client.post(
        "/api/v1/organisations",
        json={"name": {"zh": f"承办单位 {email}"}, "kind": "organiser", "region": "high-tech-zone"},
        headers=admin,
    )
    org_id: int = org.json()["id"]
    headers = await provisioned(client, email)
    for role in ("manager", "organiser"):
        added = await client.post(
            f"/api/v1/organisations/{org_id}/members", json={"email": email, "role": role}, headers=admin
        )
        assert added.status_code == 201, added.text
    return headers, org_id


def event_body(org_id: int, **fields: Any) -> dict[str, Any]:
    starts: datetime = fields.pop("starts_at", utcnow() + timedelta(days=10))
    body: dict[str, Any] = {
        "organisation_id": org_id,
        "kind": "forum",
        "title": {"zh": "人工智能赋能制造业论坛", "en": "AI for Manufacturing Forum"},
        "summary": {"zh": "济南AI赋能专场"},
        "description": "## 议程\n\n- 主旨演讲\n- 圆桌对话",
        "region": "high-tech-zone",
        "venue": "济南高新区会展中心 A 厅",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=8)).isoformat(),
        "tags": ["manufacturing"],
    }
    body.update(fields)
    return body


async def published_event(client: httpx.AsyncClient, headers: dict[str, str], org_id: int, **fields: Any) -> int:
    created = await client.post("/api/v1/events", json=event_body(org_id, **fields), headers=headers)
    assert created.status_code == 201, created.text
    event_id: int = created.json()["id"]
    published = await client.post(f"/api/v1/events/{event_id}/publish", headers=headers)
    assert published.status_code == 200, published.text
    return event_id


async def register(
    client: httpx.AsyncClient, event_id: int, email: str, *, headers: dict[str, str] | None = None, **fields: Any
) -> httpx.Response:
    body = {"email": email, "name": email.split("@")[0], "privacy_notice_version": 0, **fields}
    return await client.post(f"/api/v1/events/{event_id}/registrations", json=body, headers=headers or {})


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
