"""The access record: each staff read of registrants' personal data writes one entry with the number of people
shown; registrants reading their own write none; the record is the event's organisers' and the bureau's only."""

from __future__ import annotations

import csv
import io

import httpx

from events.models import PersonalDataRead, Purpose
from notifications.models import MailStatus, OutboxMessage
from tests.events.support import organiser, published_event, register
from tests.support import admin_headers, sign_up


async def three_registrants(client: httpx.AsyncClient) -> tuple[dict[str, str], int, int, list[dict[str, str]]]:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=10)
    names = ("王伟", "王芳", "李娜")
    created = [(await register(client, event_id, f"{name}@x.cn", name=name)).json() for name in names]
    return headers, org_id, event_id, created


async def new_entries(since: int) -> list[PersonalDataRead]:
    return await PersonalDataRead.filter(id__gt=since).order_by("id")


async def last_id() -> int:
    last = await PersonalDataRead.all().order_by("-id").first()
    return last.id if last else 0


async def test_each_staff_read_writes_exactly_one_entry_with_the_number_of_people_shown(
    client: httpx.AsyncClient,
) -> None:
    headers, org_id, event_id, created = await three_registrants(client)
    await OutboxMessage.filter(topic=f"event:{event_id}").update(status=MailStatus.FAILED)
    first = await OutboxMessage.filter(topic=f"event:{event_id}").order_by("id").first()
    assert first is not None
    again = first.clone()
    again.dedupe_key = again.message_id = "again"
    await again.save()
    reads: list[tuple[str, dict[str, str | int], Purpose, int]] = [
        (f"/api/v1/events/{event_id}/registrations", {"per_page": 2}, Purpose.LIST, 2),
        (f"/api/v1/events/{event_id}/registrations", {"q": "王"}, Purpose.LIST, 2),
        (f"/api/v1/events/{event_id}/registrations", {"format": "csv"}, Purpose.EXPORT, 3),
        (f"/api/v1/events/{event_id}/registrations", {"format": "xlsx", "q": "李"}, Purpose.EXPORT, 1),
        (f"/api/v1/events/{event_id}/check-in/search", {"q": "王"}, Purpose.DOOR, 2),
        (f"/api/v1/events/{event_id}/check-in/search", {"q": "nobody"}, Purpose.DOOR, 0),
        (f"/api/v1/registrations/{created[0]['id']}", {}, Purpose.DETAIL, 1),
        (f"/api/v1/events/{event_id}/mail", {}, Purpose.DELIVERY, 3),  # two failures to 王伟, one person
    ]
    for path, params, purpose, people in reads:
        since = await last_id()
        answer = await client.get(path, params=params, headers=headers)
        assert answer.status_code == 200, answer.text
        (entry,) = await new_entries(since)
        assert (entry.purpose, entry.people) == (purpose, people)
        assert (entry.event_id, entry.organisation_id) == (event_id, org_id)
        assert entry.actor_label == "host@organiser.cn" and entry.actor_id is not None


async def test_a_registrant_reading_their_own_registration_writes_nothing(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    by_token = (await register(client, event_id, "guest@x.cn")).json()
    account = await sign_up(client, "member@x.cn")
    by_account = (await register(client, event_id, "member@x.cn", headers=account)).json()
    since = await last_id()
    token = {"Authorization": f"Bearer {by_token['manage_token']}"}
    assert (await client.get(f"/api/v1/registrations/{by_token['id']}", headers=token)).status_code == 200
    assert (await client.get(f"/api/v1/registrations/{by_account['id']}", headers=account)).status_code == 200
    assert (await client.get("/api/v1/me/registrations", headers=account)).status_code == 200
    assert await new_entries(since) == []


async def test_the_record_is_for_the_events_organisers_and_the_bureau_only(client: httpx.AsyncClient) -> None:
    headers, org_id, event_id, _ = await three_registrants(client)
    exported = await client.get(f"/api/v1/events/{event_id}/registrations", params={"format": "csv"}, headers=headers)
    watermark = next(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))[0]
    rival, rival_org = await organiser(client, "rival@other.cn")
    rival_event = await published_event(client, rival, rival_org)
    await client.get(f"/api/v1/events/{rival_event}/registrations", headers=rival)

    log = await client.get(f"/api/v1/events/{event_id}/access-log", headers=headers)
    assert log.status_code == 200
    (entry,) = log.json()["items"]
    assert entry["purpose"] == "export" and entry["people"] == 3 and entry["actor"] == "host@organiser.cn"
    assert f"#{entry['id']}" in watermark  # a file found elsewhere leads back to its download
    assert (await client.get(f"/api/v1/events/{event_id}/access-log", headers=rival)).status_code == 403
    assert (await client.get("/api/v1/access-log", headers=headers)).status_code == 403
    assert (await client.get(f"/api/v1/events/{event_id}/access-log")).status_code == 401

    bureau = await admin_headers(client)
    everything = (await client.get("/api/v1/access-log", headers=bureau)).json()
    assert {item["organisation_id"] for item in everything["items"]} == {org_id, rival_org}
    narrowed = (await client.get("/api/v1/access-log", params={"organisation": rival_org}, headers=bureau)).json()
    assert [(item["event_id"], item["purpose"], item["people"]) for item in narrowed["items"]] == [
        (rival_event, "list", 0)
    ]
    by_purpose = await client.get(f"/api/v1/events/{event_id}/access-log", params={"purpose": "door"}, headers=bureau)
    assert by_purpose.json()["total"] == 0


async def test_a_bad_filter_is_a_field_error(client: httpx.AsyncClient) -> None:
    bureau = await admin_headers(client)
    answer = await client.get("/api/v1/access-log", params={"purpose": "curiosity", "event": 0}, headers=bureau)
    assert answer.status_code == 422
    assert {tuple(error["loc"]) for error in answer.json()["errors"]} == {("query", "purpose"), ("query", "event")}
