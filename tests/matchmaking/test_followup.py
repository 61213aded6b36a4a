"""A week after a matchmaking event, each party that held meetings is asked once for their outcomes."""

from __future__ import annotations

from datetime import timedelta

import httpx

from events.matchmaking import followup
from events.matchmaking.models import MeetingEntry
from events.models import Event
from server.clock import utcnow
from tests.matchmaking.support import edited_schedule
from tests.notifications.support import drain


async def ended(event_id: int, ago: timedelta) -> None:
    end = utcnow() - ago
    await Event.filter(id=event_id).update(starts_at=end - timedelta(hours=8), ends_at=end)


async def test_a_week_after_the_event_each_party_that_held_meetings_is_asked_once_for_their_outcomes(
    client: httpx.AsyncClient,
) -> None:
    grid = await edited_schedule(client)
    assert (await client.post(f"{grid.url}/publish", headers=grid.host)).status_code == 200
    m1 = await MeetingEntry.get(party_a_id=grid.hospital, party_b_id=grid.vendor)
    tick = f"/api/v1/events/{grid.event_id}/matchmaking/meetings/{m1.id}/check-in"
    assert (await client.post(tick, headers=grid.host)).status_code == 200
    await drain()
    assert await followup.send_outcome_requests() == 0  # the event has not even begun
    await ended(grid.event_id, timedelta(days=6))
    assert await followup.send_outcome_requests() == 0  # not a week yet
    await ended(grid.event_id, timedelta(days=7, minutes=1))
    assert await followup.send_outcome_requests() == 2
    sent = {message["To"].addresses[0].addr_spec: message for message in await drain()}
    assert sorted(sent) == ["it@hospital.cn", "sales@ai.cn"]  # the clinic and vendor2 held no meeting
    text = sent["it@hospital.cn"].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "进行了 1 场洽谈" in text and f"/matchmaking/agenda/{grid.hospital}" in text
    await followup.send_outcome_requests()  # the next hour's run
    assert await drain() == []  # once per member
