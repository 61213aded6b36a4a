"""Check-in at the door: by id or signed QR code, idempotent with a nonce, only for confirmed registrations."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import httpx

from tests.events.support import organiser, published_event, register
from tests.support import sign_up


async def setup(client: httpx.AsyncClient) -> tuple[dict[str, str], int, int, dict[str, str]]:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=1)
    checker = await sign_up(client, "door@x.cn")
    added = await client.post(
        f"/api/v1/organisations/{org_id}/members", json={"email": "door@x.cn", "role": "checker"}, headers=headers
    )
    assert added.status_code == 201
    return headers, org_id, event_id, checker


async def test_a_checker_scans_the_qr_code_and_a_repeat_scan_is_refused(client: httpx.AsyncClient) -> None:
    _, _, event_id, checker = await setup(client)
    made = await register(client, event_id, "guest@x.cn")
    token = {"Authorization": f"Bearer {made.json()['manage_token']}"}
    qr = (await client.get(f"/api/v1/registrations/{made.json()['id']}", headers=token)).json()["qr"]
    url = f"/api/v1/events/{event_id}/check-in"
    first = await client.post(url, json={"qr": qr, "nonce": "scan-0001"}, headers=checker)
    assert first.status_code == 200
    assert (first.json()["id"], first.json()["name"]) == (made.json()["id"], "guest")
    retry = await client.post(url, json={"qr": qr, "nonce": "scan-0001"}, headers=checker)
    assert retry.json() == first.json()  # the same scan sent twice (a flaky network) answers the same
    second = await client.post(url, json={"qr": qr, "nonce": "scan-0002"}, headers=checker)
    assert second.status_code == 409 and second.json()["title"] == "已签到"
    first_at = datetime.fromisoformat(first.json()["checked_in_at"]).astimezone(ZoneInfo("Asia/Shanghai"))
    assert second.json()["detail"] == f"该报名已于 {first_at:%Y-%m-%d %H:%M} 签到，请勿重复使用。"  # the event's clock


async def test_forged_or_foreign_codes_are_refused(client: httpx.AsyncClient) -> None:
    headers, org_id, event_id, checker = await setup(client)
    made = await register(client, event_id, "guest@x.cn")
    token = {"Authorization": f"Bearer {made.json()['manage_token']}"}
    qr = (await client.get(f"/api/v1/registrations/{made.json()['id']}", headers=token)).json()["qr"]
    url = f"/api/v1/events/{event_id}/check-in"
    forged = qr[:-4] + ("0000" if not qr.endswith("0000") else "1111")
    answer = await client.post(url, json={"qr": forged, "nonce": "scan-0001"}, headers=checker)
    assert answer.status_code == 400 and answer.json()["errors"][0]["loc"] == ["body", "qr"]
    assert (await client.post(url, json={"qr": "hello", "nonce": "scan-0001"}, headers=checker)).status_code == 400
    other_event = await published_event(client, headers, org_id)
    elsewhere = await client.post(
        f"/api/v1/events/{other_event}/check-in", json={"qr": qr, "nonce": "scan-0003"}, headers=checker
    )
    assert elsewhere.status_code == 404


async def test_only_confirmed_registrations_check_in(client: httpx.AsyncClient) -> None:
    headers, _, event_id, checker = await setup(client)
    await register(client, event_id, "seated@x.cn")
    waiting = await register(client, event_id, "waiting@x.cn")
    answer = await client.post(
        f"/api/v1/registrations/{waiting.json()['id']}/check-in", json={"nonce": "scan-0004"}, headers=checker
    )
    assert answer.status_code == 409
    assert answer.json()["detail"] == "只有已确认的报名才能签到（当前状态：候补中）。"


async def test_check_in_is_for_the_organisations_staff_only(client: httpx.AsyncClient) -> None:
    _, _, event_id, checker = await setup(client)
    made = await register(client, event_id, "guest@x.cn")
    url = f"/api/v1/registrations/{made.json()['id']}/check-in"
    outsider, _ = await organiser(client, "other@organiser.cn")
    assert (await client.post(url, json={"nonce": "scan-0005"}, headers=outsider)).status_code == 403
    guest = {"Authorization": f"Bearer {made.json()['manage_token']}"}
    assert (await client.post(url, json={"nonce": "scan-0005"}, headers=guest)).status_code == 401
    short_nonce = await client.post(url, json={"nonce": "x"}, headers=checker)
    assert short_nonce.status_code == 422 and short_nonce.json()["errors"][0]["loc"] == ["body", "nonce"]


async def test_a_checker_lists_the_organisations_events_for_their_doors_but_cannot_manage_them(
    client: httpx.AsyncClient,
) -> None:
    _, org_id, event_id, checker = await setup(client)
    listed = await client.get(f"/api/v1/organisations/{org_id}/events", headers=checker)
    assert listed.status_code == 200 and [event["id"] for event in listed.json()["items"]] == [event_id]
    assert (await client.patch(f"/api/v1/events/{event_id}", json={"venue": "x"}, headers=checker)).status_code == 403
    assert (await client.get(f"/api/v1/events/{event_id}/registrations", headers=checker)).status_code == 403


async def test_the_entry_qr_code_is_an_svg_for_confirmed_registrations_only(client: httpx.AsyncClient) -> None:
    _, _, event_id, _ = await setup(client)
    seated = await register(client, event_id, "seated@x.cn")
    waiting = await register(client, event_id, "waiting@x.cn")
    image = await client.get(
        f"/api/v1/registrations/{seated.json()['id']}/qr.svg", params={"token": seated.json()["manage_token"]}
    )
    assert image.headers["content-type"] == "image/svg+xml" and image.content.startswith(b"<?xml")
    refused = await client.get(
        f"/api/v1/registrations/{waiting.json()['id']}/qr.svg", params={"token": waiting.json()["manage_token"]}
    )
    assert refused.status_code == 409
    assert (await client.get(f"/api/v1/registrations/{seated.json()['id']}/qr.svg")).status_code == 404


async def test_the_door_finds_confirmed_people_by_name_and_shows_little_else(client: httpx.AsyncClient) -> None:
    _, _, event_id, checker = await setup(client)
    await register(client, event_id, "li.lei@example.cn", name="李雷")
    await register(client, event_id, "li.si@example.cn", name="李四")  # waitlisted: capacity is 1
    url = f"/api/v1/events/{event_id}/check-in/search"
    found = (await client.get(url, params={"q": "李"}, headers=checker)).json()
    assert [(f["name"], f["email_hint"], f["checked_in_at"]) for f in found] == [("李雷", "li***@example.cn", None)]
    assert (await client.get(url, params={"q": ""}, headers=checker)).status_code == 422
    outsider, _ = await organiser(client, "other@organiser.cn")
    assert (await client.get(url, params={"q": "李"}, headers=outsider)).status_code == 403


async def test_the_door_finds_an_email_only_whole_so_prefix_guessing_learns_nothing(client: httpx.AsyncClient) -> None:
    headers, org_id, _, checker = await setup(client)
    event_id = await published_event(client, headers, org_id, capacity=10)
    made = await register(client, event_id, "wang.fang@example.cn", name="王芳")
    await register(client, event_id, "w_x@example.cn", name="吴雪")
    url = f"/api/v1/events/{event_id}/check-in/search"

    async def names(q: str) -> list[str]:
        found = await client.get(url, params={"q": q}, headers=checker)
        assert found.status_code == 200, found.text
        return [entry["name"] for entry in found.json()]

    for guess in ("w", "wang", "wang.fang@", "wang.fang@example.c", "example.cn", "%", "_", "w%"):
        assert await names(guess) == [], guess
    assert await names("Wang.Fang@Example.CN") == ["王芳"]
    assert await names("芳") == ["王芳"]
    assert await names(made.json()["id"].upper()) == ["王芳"]
    assert await names(made.json()["id"][:8]) == []
