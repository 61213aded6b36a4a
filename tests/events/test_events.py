"""Events: lifecycle, who may manage them, the public listing, agenda sessions, and SEQUENCE bumps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import httpx

from events.models import Event
from server.clock import utcnow
from server.models import AuditEntry
from tests.events.support import event_body, organiser, published_event
from tests.support import join, sign_up


async def test_an_organiser_creates_a_draft_that_only_organisers_can_see(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    created = await client.post("/api/v1/events", json=event_body(org_id, capacity=200), headers=headers)
    assert created.status_code == 201
    event = created.json()
    assert (event["status"], event["capacity"], event["sequence"], event["timezone"]) == (
        "draft",
        200,
        0,
        "Asia/Shanghai",
    )
    assert event["ticket_types"] == [
        {
            "id": event["ticket_types"][0]["id"],
            "name": {"zh": "普通票", "en": "General admission"},
            "is_default": True,
            "available": 200,
        }
    ]
    assert event["description_html"].startswith("<h2>议程</h2>")
    assert (await client.get(f"/api/v1/events/{event['id']}")).status_code == 404
    assert (await client.get("/api/v1/events")).json()["total"] == 0
    assert (await client.get(f"/api/v1/events/{event['id']}", headers=headers)).status_code == 200
    stranger = await sign_up(client, "stranger@example.cn")
    assert (await client.get(f"/api/v1/events/{event['id']}", headers=stranger)).status_code == 404


async def test_markdown_is_rendered_without_scripts_or_javascript_links(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    body = event_body(
        org_id, description="<script>alert(1)</script> [点我](javascript:alert(1)) <img src=x onerror=alert(1)>"
    )
    html = (await client.post("/api/v1/events", json=body, headers=headers)).json()["description_html"]
    assert "<script" not in html and "javascript:" not in html.replace("(javascript:", "") and "<img" not in html


async def test_only_organisers_of_the_owning_organisation_manage_its_events(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client, "a@one.cn")
    other, other_org = await organiser(client, "b@two.cn")
    event_id = await published_event(client, headers, org_id)
    assert (await client.post("/api/v1/events", json=event_body(org_id), headers=other)).status_code == 403
    assert (await client.patch(f"/api/v1/events/{event_id}", json={"venue": "x"}, headers=other)).status_code == 403
    assert (await client.post(f"/api/v1/events/{event_id}/cancel", headers=other)).status_code == 403
    assert (await client.get(f"/api/v1/events/{event_id}/registrations", headers=other)).status_code == 403
    assert (await client.get(f"/api/v1/organisations/{org_id}/events", headers=other)).status_code == 403
    assert (await client.get(f"/api/v1/organisations/{other_org}/events", headers=other)).json()["total"] == 0
    assert (await client.post("/api/v1/events", json=event_body(org_id))).status_code == 401


async def test_a_company_cannot_host_events(client: httpx.AsyncClient) -> None:
    headers = await sign_up(client, "ceo@company.cn")
    org = await client.post(
        "/api/v1/organisations",
        json={"name": {"zh": "某科技公司"}, "kind": "company", "region": "lixia"},
        headers=headers,
    )
    await join(client, headers, org.json()["id"], headers, "organiser")
    refused = await client.post("/api/v1/events", json=event_body(org.json()["id"]), headers=headers)
    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:quancheng:problem:organisation_cannot_host"


async def test_bad_event_input_gets_field_errors(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    starts = utcnow() + timedelta(days=3)
    body = event_body(
        org_id,
        starts_at=starts,
        kind="party",
        timezone="Mars/Base",
        online_url="ftp://x",
        registration_opens_at=(starts - timedelta(days=1)).isoformat(),
        registration_closes_at=(starts - timedelta(days=2)).isoformat(),
    )
    body["ends_at"] = (starts - timedelta(hours=1)).isoformat()
    answer = await client.post("/api/v1/events", json=body, headers=headers)
    assert answer.status_code == 422
    errors = {e["loc"][-1]: e["msg"] for e in answer.json()["errors"]}
    assert errors == {
        "kind": "取值应为以下之一：'conference'、'forum'、'matchmaking'、'competition'、'training'",
        "ends_at": "结束时间须晚于开始时间",
        "timezone": "未知的时区",
        "online_url": "网址格式不正确",
        "registration_closes_at": "报名截止时间须晚于开始时间",
    }
    naive = event_body(org_id)
    naive["starts_at"] = "2027-01-01T09:00:00"
    assert (await client.post("/api/v1/events", json=naive, headers=headers)).json()["errors"][0]["loc"] == [
        "body",
        "starts_at",
    ]
    unknown_tag = await client.post("/api/v1/events", json=event_body(org_id, tags=["space"]), headers=headers)
    assert unknown_tag.json()["errors"][0]["msg"] == "未知的应用领域：space"
    assert await Event.all().count() == 0


async def test_moving_an_event_bumps_sequence_once_and_retitling_does_not(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    assert (await client.get(f"/api/v1/events/{event_id}")).json()["sequence"] == 1  # publishing is a status change
    retitled = await client.patch(f"/api/v1/events/{event_id}", json={"title": {"zh": "新标题"}}, headers=headers)
    assert (retitled.json()["sequence"], retitled.json()["title"]["zh"]) == (1, "新标题")
    event = retitled.json()
    later = {"starts_at": event["starts_at"].replace("Z", "+00:00")}
    moved = await client.patch(
        f"/api/v1/events/{event_id}", json={"venue": "济南国际会展中心", **later}, headers=headers
    )
    assert moved.json()["sequence"] == 2  # the same start and a new venue: one change, one bump
    start = datetime.fromisoformat(event["starts_at"]) + timedelta(hours=5)
    shifted = {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()}
    assert (await client.patch(f"/api/v1/events/{event_id}", json=shifted, headers=headers)).json()["sequence"] == 3
    cancelled = await client.post(f"/api/v1/events/{event_id}/cancel", headers=headers)
    assert (cancelled.json()["status"], cancelled.json()["sequence"]) == ("cancelled", 4)


async def test_a_patch_is_validated_as_the_whole_event(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    event = (await client.get(f"/api/v1/events/{event_id}")).json()
    answer = await client.patch(f"/api/v1/events/{event_id}", json={"ends_at": event["starts_at"]}, headers=headers)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["body", "ends_at"]
    extra = await client.patch(f"/api/v1/events/{event_id}", json={"organisation_id": 99}, headers=headers)
    assert extra.status_code == 422


async def test_status_moves_are_checked(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    again = await client.post(f"/api/v1/events/{event_id}/publish", headers=headers)
    assert again.status_code == 409
    assert again.json()["detail"] == "活动状态为“已发布”，不能变为“已发布”。"
    early = {"reason": "因场地原因整体取消线下环节，线上部分已提前办完"}
    assert (await client.post(f"/api/v1/events/{event_id}/complete", params=early, headers=headers)).status_code == 200
    assert (await client.post(f"/api/v1/events/{event_id}/cancel", headers=headers)).status_code == 409
    assert (await client.patch(f"/api/v1/events/{event_id}", json={"venue": "x"}, headers=headers)).status_code == 409


async def test_public_listing_filters(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    soon = utcnow() + timedelta(days=2)
    later = utcnow() + timedelta(days=40)
    await published_event(client, headers, org_id, starts_at=soon, kind="training", region="lixia", tags=["healthcare"])
    await published_event(client, headers, org_id, starts_at=later, title={"zh": "算法大赛", "en": "Algorithm Contest"})
    await client.post("/api/v1/events", json=event_body(org_id, title={"zh": "草稿"}), headers=headers)

    async def titles(**params: str) -> list[str]:
        page = (await client.get("/api/v1/events", params=params)).json()
        return [item["title"]["zh"] for item in page["items"]]

    assert await titles() == ["人工智能赋能制造业论坛", "算法大赛"]
    assert await titles(kind="training") == ["人工智能赋能制造业论坛"]
    assert await titles(region="lixia") == ["人工智能赋能制造业论坛"]
    assert await titles(tag="healthcare") == ["人工智能赋能制造业论坛"]
    assert await titles(q="algorithm") == ["算法大赛"]
    assert await titles(**{"from": (utcnow() + timedelta(days=20)).date().isoformat()}) == ["算法大赛"]
    assert await titles(to=(utcnow() + timedelta(days=5)).date().isoformat()) == ["人工智能赋能制造业论坛"]
    assert await titles(per_page="1", page="2") == ["算法大赛"]
    bad = await client.get("/api/v1/events", params={"from": "next week"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"][:2] == ["query", "from"]


async def test_agenda_sessions_stay_inside_the_event_and_rooms_do_not_double_book(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    event = (await client.get(f"/api/v1/events/{event_id}")).json()
    start = datetime.fromisoformat(event["starts_at"])

    def session(offset_hours: float, hours: float, room: str = "A厅") -> dict[str, object]:
        begin = start + timedelta(hours=offset_hours)
        return {
            "title": {"zh": "主旨演讲"},
            "speakers": ["张教授"],
            "room": room,
            "starts_at": begin.isoformat(),
            "ends_at": (begin + timedelta(hours=hours)).isoformat(),
        }

    url = f"/api/v1/events/{event_id}/sessions"
    assert (await client.post(url, json=session(0, 1), headers=headers)).status_code == 201
    clash = await client.post(url, json=session(0.5, 1), headers=headers)
    assert clash.status_code == 409 and clash.json()["errors"][0]["msg"] == "该会议室在此时段已有其他议程"
    assert (await client.post(url, json=session(0.5, 1, room="B厅"), headers=headers)).status_code == 201
    assert (await client.post(url, json=session(1, 1), headers=headers)).status_code == 201  # back to back is fine
    outside = await client.post(url, json=session(7.5, 1), headers=headers)
    assert outside.status_code == 422
    agenda = (await client.get(url)).json()
    assert [(s["room"], s["speakers"]) for s in agenda] == [
        ("A厅", ["张教授"]),
        ("B厅", ["张教授"]),
        ("A厅", ["张教授"]),
    ]
    shrink = await client.patch(
        f"/api/v1/events/{event_id}", json={"ends_at": (start + timedelta(hours=1)).isoformat()}, headers=headers
    )
    assert shrink.status_code == 409
    assert (await client.delete(f"{url}/{agenda[0]['id']}", headers=headers)).status_code == 204
    assert (await client.delete(f"{url}/{agenda[0]['id']}", headers=headers)).status_code == 404
    stranger = await sign_up(client, "s@x.cn")
    assert (await client.post(url, json=session(2, 1), headers=stranger)).status_code == 403


async def test_every_event_says_whether_it_takes_registrations_now(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    now = utcnow()
    soon = await published_event(client, headers, org_id)
    later = await published_event(client, headers, org_id, registration_opens_at=(now + timedelta(days=2)).isoformat())
    shut = await published_event(client, headers, org_id, registration_closes_at=(now - timedelta(hours=1)).isoformat())
    gone = await published_event(client, headers, org_id)
    await client.post(f"/api/v1/events/{gone}/cancel", headers=headers)
    draft = (await client.post("/api/v1/events", json=event_body(org_id), headers=headers)).json()["id"]
    windows = {}
    for event_id in (soon, later, shut, gone, draft):
        windows[event_id] = (await client.get(f"/api/v1/events/{event_id}", headers=headers)).json()["registration"]
    assert windows == {soon: "open", later: "not_yet", shut: "closed", gone: "cancelled", draft: "closed"}
    await Event.filter(id=soon).update(ends_at=now - timedelta(minutes=1), starts_at=now - timedelta(hours=2))
    assert (await client.get(f"/api/v1/events/{soon}")).json()["registration"] == "ended"
    listed = (await client.get("/api/v1/events", params={"from": "2000-01-01"})).json()["items"]
    assert {e["id"]: e["registration"] for e in listed if e["id"] in windows} == {
        soon: "ended",
        later: "not_yet",
        shut: "closed",
        gone: "cancelled",
    }


async def test_room_overlap_is_found_whatever_offset_the_client_wrote(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    day = (utcnow() + timedelta(days=10)).date()
    city = timezone(timedelta(hours=8))
    event_id = await published_event(
        client, headers, org_id, starts_at=datetime(day.year, day.month, day.day, 8, tzinfo=city)
    )

    def session(hour: int, minute: int) -> dict[str, object]:
        begin = datetime(day.year, day.month, day.day, hour, minute, tzinfo=city)
        return {
            "title": {"zh": "主旨演讲"},
            "room": "A厅",
            "starts_at": begin.isoformat(),
            "ends_at": (begin + timedelta(hours=1)).isoformat(),
        }

    url = f"/api/v1/events/{event_id}/sessions"
    assert (await client.post(url, json=session(9, 0), headers=headers)).status_code == 201
    clash = await client.post(url, json=session(9, 30), headers=headers)
    assert clash.status_code == 409, clash.text
    stored = (await client.get(url)).json()[0]
    assert datetime.fromisoformat(stored["starts_at"]) == datetime(day.year, day.month, day.day, 1, tzinfo=UTC)


async def test_an_event_is_completed_only_after_its_start_unless_a_reason_is_given(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    future = await published_event(client, headers, org_id, starts_at=utcnow() + timedelta(days=90))
    refused = await client.post(f"/api/v1/events/{future}/complete", headers=headers)
    assert refused.status_code == 409
    assert refused.json()["detail"] == "活动尚未开始，不能标记为已结束；如确需提前结束，请说明原因。"
    await client.patch("/api/v1/me", json={"locale": "en"}, headers=headers)
    english = await client.post(f"/api/v1/events/{future}/complete", headers=headers)
    await client.patch("/api/v1/me", json={"locale": "zh-CN"}, headers=headers)
    assert (
        english.json()["detail"] == "The event has not started yet, so it cannot be marked completed without a reason."
    )
    blank = await client.post(f"/api/v1/events/{future}/complete", params={"reason": "  "}, headers=headers)
    assert blank.status_code == 409
    assert (await client.get(f"/api/v1/events/{future}")).json()["status"] == "published"
    reason = "主办方决定提前结项"
    done = await client.post(f"/api/v1/events/{future}/complete", params={"reason": reason}, headers=headers)
    assert done.status_code == 200 and done.json()["status"] == "completed"
    entry = await AuditEntry.filter(action="event.completed").get()
    assert entry.after == {"status": "completed", "reason": reason}

    started = await published_event(client, headers, org_id, starts_at=utcnow() - timedelta(hours=1))
    assert (await client.post(f"/api/v1/events/{started}/complete", headers=headers)).status_code == 200
