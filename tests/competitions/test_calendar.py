"""A competition's stage deadlines in its event's feeds: one entry per deadline, without duration, updated when a
deadline moves (SEQUENCE and ETag) and cancelled with the event; other events gain nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from events.models import Event
from server.clock import utcnow
from tests.events.support import entries, lint, organiser, published_event

SHANGHAI = ZoneInfo("Asia/Shanghai")
EN = {"Accept-Language": "en"}
FORUM_EN = "AI for Manufacturing Forum"  # the title tests/events/support.py gives its events


async def competition_event(
    client: httpx.AsyncClient,
) -> tuple[dict[str, str], int, list[dict[str, object]], int]:
    """An organiser's published competition event (headers, event id, its two stages, the organisation id)."""
    headers, org_id = await organiser(client)
    starts = (utcnow() + timedelta(days=10)).replace(microsecond=0)
    event_id = await published_event(client, headers, org_id, kind="competition", starts_at=starts)
    body = {
        "tracks": [{"name": {"zh": "智能制造"}}],
        "stages": [
            {
                "name": {"zh": "方案提交", "en": "Proposals"},
                "starts_at": (utcnow() - timedelta(hours=1)).isoformat(),
                "deadline": (starts + timedelta(hours=1)).isoformat(),
            },
            {
                "name": {"zh": "决赛路演"},
                "starts_at": (starts + timedelta(hours=2)).isoformat(),
                "deadline": (starts + timedelta(hours=3)).isoformat(),
            },
        ],
    }
    created = await client.post(f"/api/v1/events/{event_id}/competition", json=body, headers=headers)
    assert created.status_code == 201, created.text
    return headers, event_id, created.json()["stages"], org_id


async def test_each_stage_deadline_is_an_entry_of_the_events_calendar(client: httpx.AsyncClient) -> None:
    _, event_id, stages, _ = await competition_event(client)
    content = (await client.get(f"/api/v1/events/{event_id}/calendar.ics")).content
    found = entries(lint(content, method="PUBLISH").to_ical())
    event = await Event.get(id=event_id)
    first = found[f"deadline-{stages[0]['id']}-{event.uid}"]
    assert str(first["SUMMARY"]) == "方案提交截止 · 人工智能赋能制造业论坛"
    assert first.decoded("DTSTART") == datetime.fromisoformat(str(stages[0]["deadline"])).astimezone(SHANGHAI)
    assert first.decoded("DTSTART").tzinfo is not None and str(first["DTSTART"].params["TZID"]) == "Asia/Shanghai"
    assert "DTEND" not in first and "DURATION" not in first  # a moment: it ends where it starts (RFC 5545 3.6.1)
    assert first["TRANSP"] == "TRANSPARENT" and first["STATUS"] == "CONFIRMED"
    assert first.sequence == event.sequence
    assert str(first["URL"]).endswith(f"/events/{event_id}/competition")
    english = entries((await client.get(f"/api/v1/events/{event_id}/calendar.ics", headers=EN)).content)
    assert str(english[f"deadline-{stages[0]['id']}-{event.uid}"]["SUMMARY"]) == f"Deadline: Proposals · {FORUM_EN}"
    assert str(english[f"deadline-{stages[1]['id']}-{event.uid}"]["SUMMARY"]) == f"Deadline: 决赛路演 · {FORUM_EN}"
    public = entries((await client.get("/api/v1/calendar.ics")).content)
    assert {f"deadline-{stage['id']}-{event.uid}" for stage in stages} <= set(public)


async def test_a_moved_deadline_updates_its_entry_and_the_feeds_etag(client: httpx.AsyncClient) -> None:
    headers, event_id, stages, _ = await competition_event(client)
    url = f"/api/v1/events/{event_id}/calendar.ics"
    first = await client.get(url)
    etag = first.headers["etag"]
    uid = f"deadline-{stages[0]['id']}-{(await Event.get(id=event_id)).uid}"
    before = entries(first.content)[uid]
    path = f"/api/v1/events/{event_id}/competition/stages/{stages[0]['id']}/deadline"
    later = datetime.fromisoformat(str(stages[0]["deadline"])) + timedelta(minutes=30)
    refused = await client.post(
        path, json={"deadline": "2020-01-01T00:00:00+08:00", "reason": "误操作"}, headers=headers
    )
    assert refused.status_code == 422
    assert (await client.get(url, headers={"If-None-Match": etag})).status_code == 304  # nothing moved
    moved = await client.post(path, json={"deadline": later.isoformat(), "reason": "专家建议延长"}, headers=headers)
    assert moved.status_code == 200, moved.text
    again = await client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 200
    after = entries(again.content)[uid]
    assert after.decoded("DTSTART") == later.astimezone(SHANGHAI)
    assert after.sequence == before.sequence + 1
    untouched = f"deadline-{stages[1]['id']}-{(await Event.get(id=event_id)).uid}"
    assert entries(again.content)[untouched].sequence == before.sequence


async def test_a_cancelled_competition_cancels_its_deadlines_and_other_events_have_none(
    client: httpx.AsyncClient,
) -> None:
    headers, event_id, stages, org_id = await competition_event(client)
    forum_id = await published_event(client, headers, org_id)
    forum = entries((await client.get(f"/api/v1/events/{forum_id}/calendar.ics")).content)
    assert len(forum) == 1 and not any(uid.startswith("deadline-") for uid in forum)
    cancelled = await client.post(f"/api/v1/events/{event_id}/cancel", headers=headers)
    assert cancelled.status_code == 200, cancelled.text
    found = entries((await client.get(f"/api/v1/events/{event_id}/calendar.ics")).content)
    event = await Event.get(id=event_id)
    deadline = found[f"deadline-{stages[0]['id']}-{event.uid}"]
    assert deadline["STATUS"] == "CANCELLED" and deadline.sequence == event.sequence
