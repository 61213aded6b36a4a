"""Calendars: per-event, public and personal feeds, invitations and cancellations, checked by lint and 3 parsers."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from events.models import Event
from server.clock import utcnow
from tests.events.support import entries, event_body, lint, organiser, published_event, register
from tests.support import admin_headers, sign_up

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def ics(client: httpx.AsyncClient, url: str, **kwargs: object) -> bytes:
    answer = await client.get(url, **kwargs)  # type: ignore[arg-type]
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/calendar; charset=utf-8"
    return answer.content


async def test_an_event_calendar_carries_what_a_participant_needs(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    starts = datetime(2027, 3, 18, 9, 0, tzinfo=SHANGHAI)
    event_id = await published_event(
        client,
        headers,
        org_id,
        starts_at=starts,
        description="**地点**：A 厅\n\n[报名](https://x.cn)",
        tags=["manufacturing", "healthcare"],
    )
    content = await ics(client, f"/api/v1/events/{event_id}/calendar.ics")
    calendar = lint(content, method="PUBLISH")
    (entry,) = calendar.events
    event = await Event.get(id=event_id)
    assert str(entry["UID"]) == event.uid and entry.sequence == 1
    assert entry.decoded("DTSTART") == starts and entry["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert entry.decoded("DTEND") == starts + timedelta(hours=8)
    assert str(entry["SUMMARY"]) == "人工智能赋能制造业论坛" and str(entry["STATUS"]) == "CONFIRMED"
    assert str(entry["LOCATION"]) == "济南高新区会展中心 A 厅"
    assert str(entry["DESCRIPTION"]) == "地点：A 厅\n\n报名"
    assert str(entry["URL"]) == f"http://127.0.0.1:8000/events/{event_id}"
    assert entry.categories == ["论坛", "医疗健康", "工业制造"]
    (alarm,) = entry.walk("VALARM")
    assert alarm.decoded("TRIGGER") == timedelta(hours=-1)
    english = lint(
        await ics(client, f"/api/v1/events/{event_id}/calendar.ics", headers={"Accept-Language": "en"}),
        method="PUBLISH",
    )
    assert str(next(iter(english.events))["SUMMARY"]) == "AI for Manufacturing Forum"


async def test_agenda_sessions_become_entries_when_the_organiser_opts_in(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    starts = datetime(2027, 3, 18, 9, 0, tzinfo=SHANGHAI)
    event_id = await published_event(client, headers, org_id, starts_at=starts, alarm_minutes=None)
    session = {
        "title": {"zh": "圆桌对话"},
        "room": "B 厅",
        "starts_at": (starts + timedelta(hours=2)).isoformat(),
        "ends_at": (starts + timedelta(hours=3)).isoformat(),
    }
    await client.post(f"/api/v1/events/{event_id}/sessions", json=session, headers=headers)
    url = f"/api/v1/events/{event_id}/calendar.ics"
    assert len(entries(await ics(client, url))) == 1
    await client.patch(f"/api/v1/events/{event_id}", json={"agenda_in_calendar": True}, headers=headers)
    found = lint(await ics(client, url), method="PUBLISH").events
    assert [str(e["SUMMARY"]) for e in found] == ["人工智能赋能制造业论坛", "圆桌对话 · 人工智能赋能制造业论坛"]
    assert str(found[1]["LOCATION"]) == "济南高新区会展中心 A 厅, B 厅" and found[0]["UID"] != found[1]["UID"]
    assert all(not e.walk("VALARM") for e in found)  # the organiser switched reminders off


async def test_moving_bumps_sequence_once_keeps_the_uid_and_cancelling_shows_cancelled(
    client: httpx.AsyncClient,
) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    url = f"/api/v1/events/{event_id}/calendar.ics"
    ((uid, first),) = entries(await ics(client, url)).items()
    again = entries(await ics(client, url))
    assert list(again) == [uid] and again[uid]["DTSTAMP"].to_ical() == first["DTSTAMP"].to_ical()
    await client.patch(f"/api/v1/events/{event_id}", json={"title": {"zh": "改名不改时间"}}, headers=headers)
    renamed = entries(await ics(client, url))[uid]
    assert renamed.sequence == first.sequence and str(renamed["SUMMARY"]) == "改名不改时间"
    new_start = datetime(2027, 5, 1, 14, 0, tzinfo=SHANGHAI)
    moved_body = {"starts_at": new_start.isoformat(), "ends_at": (new_start + timedelta(hours=3)).isoformat()}
    await client.patch(f"/api/v1/events/{event_id}", json=moved_body, headers=headers)
    moved = entries(await ics(client, url))[uid]
    assert moved.sequence == first.sequence + 1 and moved.decoded("DTSTART") == new_start
    await client.post(f"/api/v1/events/{event_id}/cancel", headers=headers)
    cancelled = entries(lint(await ics(client, url), method="PUBLISH").to_ical())[uid]
    assert str(cancelled["STATUS"]) == "CANCELLED" and cancelled.sequence == moved.sequence + 1
    public = entries(await ics(client, "/api/v1/calendar.ics"))
    assert str(public[uid]["STATUS"]) == "CANCELLED"  # kept in feeds, so subscribers see it


async def test_hostile_text_round_trips_exactly_without_injecting_properties(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    title = "AI;赋能,论坛\\ 🎉" + "济南人工智能产业发展大会" * 12
    venue = "A厅;B厅,\r\nBEGIN:VEVENT\r\nSUMMARY:伪造"  # pasted line breaks in a one-line field become spaces
    description = "第一行\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:forged\n第二行；逗号，分号;"
    event_id = await published_event(
        client, headers, org_id, title={"zh": title[:200]}, venue=venue, description=description
    )
    content = await ics(client, f"/api/v1/events/{event_id}/calendar.ics")
    calendar = lint(content, method="PUBLISH")
    (entry,) = calendar.events
    assert str(entry["SUMMARY"]) == title[:200]
    assert str(entry["LOCATION"]) == "A厅;B厅, BEGIN:VEVENT SUMMARY:伪造"
    stored = (await client.get(f"/api/v1/events/{event_id}")).json()
    assert str(entry["DESCRIPTION"]) == "第一行\nEND:VEVENT\nBEGIN:VEVENT\nUID:forged\n第二行；逗号，分号;"
    assert stored["description"] == description.replace("\r\n", "\n")
    assert "forged" not in [str(e["UID"]) for e in calendar.events]
    assert b"\r\nBEGIN:VEVENT\r\nSUMMARY:" not in content.replace(b"BEGIN:VEVENT\r\nSUMMARY:AI", b"")


async def test_public_feed_filters_and_never_shows_drafts_or_attendees(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    training = await published_event(client, headers, org_id, kind="training", region="lixia", tags=["education"])
    await published_event(client, headers, org_id)
    draft = await client.post("/api/v1/events", json=event_body(org_id, title={"zh": "草稿"}), headers=headers)
    await register(client, training, "someone@x.cn")
    everything = entries(lint(await ics(client, "/api/v1/calendar.ics"), method="PUBLISH").to_ical())
    assert len(everything) == 2 and draft.json()["uid"] not in everything
    uid = (await Event.get(id=training)).uid
    for params in ({"kind": "training"}, {"region": "lixia"}, {"tag": "education"}):
        assert list(entries(await ics(client, "/api/v1/calendar.ics", params=params))) == [uid]
    assert b"someone@x.cn" not in await ics(client, "/api/v1/calendar.ics")
    english = await ics(client, "/api/v1/calendar.ics", params={"lang": "en"})
    assert b"X-WR-CALNAME:Quancheng events" in english
    bad = await client.get("/api/v1/calendar.ics", params={"kind": "party"})
    assert bad.status_code == 422


async def test_cancelled_events_leave_the_feeds_after_30_days(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    await client.post(f"/api/v1/events/{event_id}/cancel", headers=headers)
    assert len(entries(await ics(client, "/api/v1/calendar.ics"))) == 1
    await Event.filter(id=event_id).update(updated_at=utcnow() - timedelta(days=31))
    assert entries(await ics(client, "/api/v1/calendar.ics")) == {}


async def test_etag_and_last_modified_give_304(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    url = f"/api/v1/events/{event_id}/calendar.ics"
    first = await client.get(url)
    assert first.headers["content-disposition"] == f'inline; filename="event-{event_id}.ics"'
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert (await client.get(url, headers={"If-None-Match": etag})).status_code == 304
    assert (await client.get(url, headers={"If-Modified-Since": modified})).status_code == 304
    assert (await client.get(url, headers={"If-None-Match": '"other"'})).status_code == 200
    assert (await client.get(url, headers={"If-Modified-Since": "yesterday"})).status_code == 200
    await client.patch(f"/api/v1/events/{event_id}", json={"venue": "新场馆"}, headers=headers)
    changed = await client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


async def test_personal_feed_shows_only_my_active_registrations(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    mine = await published_event(client, headers, org_id, title={"zh": "我的活动"})
    theirs = await published_event(client, headers, org_id, title={"zh": "别人的活动"})
    dropped = await published_event(client, headers, org_id, title={"zh": "已退出"})
    me = await sign_up(client, "me@x.cn")
    other = await sign_up(client, "other@x.cn")
    await client.post(
        f"/api/v1/events/{mine}/registrations", json={"privacy_notice_version": 0, "name": "我"}, headers=me
    )
    await client.post(
        f"/api/v1/events/{theirs}/registrations", json={"privacy_notice_version": 0, "name": "他"}, headers=other
    )
    left = await client.post(
        f"/api/v1/events/{dropped}/registrations", json={"privacy_notice_version": 0, "name": "我"}, headers=me
    )
    await client.post(f"/api/v1/registrations/{left.json()['id']}/cancel", headers=me)
    created = await client.post("/api/v1/me/calendar-feeds", json={"name": "手机"}, headers=me)
    assert created.status_code == 201
    body = created.json()
    assert body["https_url"] == f"http://127.0.0.1:8000/cal/{body['token']}.ics"
    assert body["webcal_url"] == f"webcal://127.0.0.1:8000/cal/{body['token']}.ics"
    content = await ics(client, f"/cal/{body['token']}.ics")
    calendar = lint(content, method="PUBLISH")
    assert [str(e["SUMMARY"]) for e in calendar.events] == ["我的活动"]
    assert b"me@x.cn" not in content
    listed = (await client.get("/api/v1/me/calendar-feeds", headers=me)).json()
    assert [(f["name"], "token" in f) for f in listed] == [("手机", False)]
    assert (await client.get("/api/v1/me/calendar-feeds", headers=other)).json() == []


async def test_personal_feed_shows_a_waiting_place_as_tentative_in_my_language(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    full = await published_event(
        client, headers, org_id, title={"zh": "满员论坛", "en": "Full forum"}, capacity=1, waitlist_enabled=True
    )
    seated = await published_event(client, headers, org_id, title={"zh": "有座论坛", "en": "Seated forum"})
    await register(client, full, "first@x.cn")
    for email, locale in (("zh@x.cn", "zh-CN"), ("en@x.cn", "en")):
        me = await sign_up(client, email, locale=locale)
        for event_id in (full, seated):
            made = await client.post(
                f"/api/v1/events/{event_id}/registrations", json={"privacy_notice_version": 0, "name": "我"}, headers=me
            )
            assert made.status_code == 201, made.text
        token = (await client.post("/api/v1/me/calendar-feeds", json={}, headers=me)).json()["token"]
        calendar = lint(await ics(client, f"/cal/{token}.ics"), method="PUBLISH")
        shown = sorted((str(e["SUMMARY"]), str(e["STATUS"]), len(e.subcomponents)) for e in calendar.events)
        if locale == "en":
            assert shown == [("Seated forum", "CONFIRMED", 1), ("[On the waiting list] Full forum", "TENTATIVE", 0)]
        else:
            assert shown == [("【候补】满员论坛", "TENTATIVE", 0), ("有座论坛", "CONFIRMED", 1)]


async def test_wrong_rotated_and_revoked_feed_urls_are_not_found(client: httpx.AsyncClient) -> None:
    me = await sign_up(client, "me@x.cn")
    other = await sign_up(client, "other@x.cn")
    created = (await client.post("/api/v1/me/calendar-feeds", json={}, headers=me)).json()
    assert (await client.get("/cal/qcf_wrong.ics")).status_code == 404
    assert (await client.post(f"/api/v1/me/calendar-feeds/{created['id']}/rotate", headers=other)).status_code == 404
    assert (await client.delete(f"/api/v1/me/calendar-feeds/{created['id']}", headers=other)).status_code == 404
    rotated = (await client.post(f"/api/v1/me/calendar-feeds/{created['id']}/rotate", headers=me)).json()
    assert (await client.get(f"/cal/{created['token']}.ics")).status_code == 404
    assert (await client.get(f"/cal/{rotated['token']}.ics")).status_code == 200
    assert (await client.delete(f"/api/v1/me/calendar-feeds/{created['id']}", headers=me)).status_code == 204
    assert (await client.get(f"/cal/{rotated['token']}.ics")).status_code == 404
    assert (await client.get("/api/v1/me/calendar-feeds", headers=me)).json() == []
    assert (await client.post("/api/v1/me/calendar-feeds", json={})).status_code == 401


async def test_invitation_is_a_request_then_a_cancel(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=1)
    made = await register(client, event_id, "Guest@X.cn", name="来宾")
    waiting = await register(client, event_id, "wait@x.cn")
    token = {"Authorization": f"Bearer {made.json()['manage_token']}"}
    url = f"/api/v1/registrations/{made.json()['id']}/invitation.ics"
    answer = await client.get(url, headers=token)
    assert answer.headers["content-disposition"] == f'attachment; filename="invitation-{event_id}.ics"'
    request = lint(answer.content, method="REQUEST")
    (entry,) = request.events
    assert str(entry["ATTENDEE"]) == "mailto:guest@x.cn" and entry["ATTENDEE"].params["CN"] == "来宾"
    assert str(entry["ORGANIZER"]) == "mailto:events@quancheng.localhost"
    assert str(entry["UID"]) == (await Event.get(id=event_id)).uid
    refused = await client.get(
        f"/api/v1/registrations/{waiting.json()['id']}/invitation.ics",
        headers={"Authorization": f"Bearer {waiting.json()['manage_token']}"},
    )
    assert refused.status_code == 409 and refused.json()["detail"] == "报名状态为“候补中”，还没有可加入日历的邀请。"
    assert (await client.get(url)).status_code == 404
    assert (
        await client.get(url, headers={"Authorization": f"Bearer {waiting.json()['manage_token']}"})
    ).status_code == 404
    await client.post(f"/api/v1/registrations/{made.json()['id']}/cancel", headers=token)
    cancel = lint((await client.get(url, headers=token)).content, method="CANCEL")
    (cancelled,) = cancel.events
    assert str(cancelled["UID"]) == str(entry["UID"]) and str(cancelled["STATUS"]) == "CANCELLED"


async def test_a_cancelled_event_cancels_every_invitation_from_the_organisers_address(
    client: httpx.AsyncClient,
) -> None:
    admin = await admin_headers(client, "clerk@bureau.gov.cn")
    org = await client.post(
        "/api/v1/organisations",
        json={"name": {"zh": "联盟"}, "kind": "organiser", "region": "lixia", "contact_email": "Office@Alliance.cn"},
        headers=admin,
    )
    assert org.json()["contact_email"] == "office@alliance.cn"
    event_id = await published_event(client, admin, org.json()["id"])
    made = await register(client, event_id, "g@x.cn")
    await client.post(f"/api/v1/events/{event_id}/cancel", headers=admin)
    token = {"Authorization": f"Bearer {made.json()['manage_token']}"}
    content = (await client.get(f"/api/v1/registrations/{made.json()['id']}/invitation.ics", headers=token)).content
    (entry,) = lint(content, method="CANCEL").events
    assert entry.sequence == 2 and str(entry["ORGANIZER"]) == "mailto:office@alliance.cn"
    assert entry["ORGANIZER"].params["CN"] == "联盟"
