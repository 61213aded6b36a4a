"""Check-in at the door: by id, the live entry code or the printed QR code, idempotent with a nonce, only for
confirmed registrations."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from events import entry_codes, registration
from events.models import Registration
from server.models import AuditEntry
from tests.events.support import organiser, published_event, register
from tests.support import join, sign_up


async def setup(client: httpx.AsyncClient) -> tuple[dict[str, str], int, int, dict[str, str]]:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=1)
    checker = await sign_up(client, "door@x.cn")
    await join(client, headers, org_id, checker, "checker")
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


async def live_code(client: httpx.AsyncClient, made: httpx.Response) -> dict[str, object]:
    token = {"Authorization": f"Bearer {made.json()['manage_token']}"}
    answer = await client.get(f"/api/v1/registrations/{made.json()['id']}/entry-code", headers=token)
    assert answer.status_code == 200
    body: dict[str, object] = answer.json()
    return body


async def test_the_live_code_admits_in_its_window_and_a_second_scan_is_already_checked_in(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, _, event_id, checker = await setup(client)
    made = await register(client, event_id, "guest@x.cn")
    live = await live_code(client, made)
    code = str(live["code"])
    assert code.isascii() and len(code) <= 60 and code.startswith("QE.")
    assert 0 < float(str(live["refresh_in"])) <= entry_codes.WINDOW_SECONDS == live["window_seconds"]
    assert str(live["svg"]).startswith("data:image/svg+xml")
    url = f"/api/v1/events/{event_id}/check-in"
    first = await client.post(url, json={"qr": code, "nonce": "scan-0001"}, headers=checker)
    assert first.status_code == 200 and first.json()["id"] == made.json()["id"]
    second = await client.post(url, json={"qr": code, "nonce": "scan-0002"}, headers=checker)
    assert second.status_code == 409 and second.json()["title"] == "已签到"
    later = datetime.now(UTC) + timedelta(seconds=entry_codes.WINDOW_SECONDS * 5)
    monkeypatch.setattr(registration, "utcnow", lambda: later)
    retry = await client.post(url, json={"qr": code, "nonce": "scan-0001"}, headers=checker)
    assert retry.json() == first.json()  # the scan that admitted, resent after its window, answers the same


async def test_a_code_from_an_older_window_is_refused_as_expired_and_one_window_of_skew_is_allowed(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, _, event_id, checker = await setup(client)
    made = await register(client, event_id, "guest@x.cn")
    code = str((await live_code(client, made))["code"])
    url = f"/api/v1/events/{event_id}/check-in"
    window = int(code.split(".")[2])
    two_windows_on = datetime.fromtimestamp((window + 2) * entry_codes.WINDOW_SECONDS, UTC)
    monkeypatch.setattr(registration, "utcnow", lambda: two_windows_on)
    replayed = await client.post(url, json={"qr": code, "nonce": "scan-0001"}, headers=checker)
    assert replayed.status_code == 409
    assert replayed.json()["title"] == "入场码已过期"
    assert replayed.json()["detail"] == "该入场码来自较早的时刻（可能是截图）。请让参会者在报名页面上出示实时入场码。"
    two_windows_early = datetime.fromtimestamp((window - 2) * entry_codes.WINDOW_SECONDS, UTC)
    monkeypatch.setattr(registration, "utcnow", lambda: two_windows_early)
    ahead = await client.post(url, json={"qr": code, "nonce": "scan-0001"}, headers=checker)
    assert ahead.json()["title"] == "入场码已过期"
    last_moment_of_skew = datetime.fromtimestamp((window + 2) * entry_codes.WINDOW_SECONDS - 0.001, UTC)
    monkeypatch.setattr(registration, "utcnow", lambda: last_moment_of_skew)
    admitted = await client.post(url, json={"qr": code, "nonce": "scan-0001"}, headers=checker)
    assert admitted.status_code == 200
    assert (await Registration.get(id=made.json()["id"])).checkin_window == window


async def test_a_forged_live_code_is_refused_as_unreadable(client: httpx.AsyncClient) -> None:
    _, _, event_id, checker = await setup(client)
    made = await register(client, event_id, "guest@x.cn")
    code = str((await live_code(client, made))["code"])
    prefix, hex_id, window, mac = code.split(".")
    url = f"/api/v1/events/{event_id}/check-in"
    for forged in (
        f"{prefix}.{hex_id}.{window}.{'0' * len(mac) if mac != '0' * len(mac) else '1' * len(mac)}",
        f"{prefix}.{hex_id}.{int(window) + 1}.{mac}",
        f"{prefix}.{hex_id}.{window}",
        f"{prefix}.{hex_id}.-{window}.{mac}",
    ):
        answer = await client.post(url, json={"qr": forged, "nonce": "scan-0001"}, headers=checker)
        assert answer.status_code == 400 and answer.json()["errors"][0]["loc"] == ["body", "qr"], forged


async def test_the_live_code_is_for_confirmed_holders_only(client: httpx.AsyncClient) -> None:
    _, _, event_id, _ = await setup(client)
    seated = await register(client, event_id, "seated@x.cn")
    waiting = await register(client, event_id, "waiting@x.cn")
    url = f"/api/v1/registrations/{waiting.json()['id']}/entry-code"
    refused = await client.get(url, headers={"Authorization": f"Bearer {waiting.json()['manage_token']}"})
    assert refused.status_code == 409
    assert (await client.get(f"/api/v1/registrations/{seated.json()['id']}/entry-code")).status_code == 404


async def test_an_event_that_turns_the_printed_code_off_refuses_it_at_the_door(client: httpx.AsyncClient) -> None:
    headers, _, event_id, checker = await setup(client)
    assert (await client.get(f"/api/v1/events/{event_id}", headers=headers)).json()["static_entry_code"] is True
    wrong = await client.patch(f"/api/v1/events/{event_id}", json={"static_entry_code": "maybe"}, headers=headers)
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["loc"] == ["body", "static_entry_code"]
    turned_off = await client.patch(f"/api/v1/events/{event_id}", json={"static_entry_code": False}, headers=headers)
    assert turned_off.status_code == 200 and turned_off.json()["static_entry_code"] is False
    made = await register(client, event_id, "guest@x.cn")
    token = {"Authorization": f"Bearer {made.json()['manage_token']}"}
    printed = (await client.get(f"/api/v1/registrations/{made.json()['id']}", headers=token)).json()["qr"]
    url = f"/api/v1/events/{event_id}/check-in"
    refused = await client.post(url, json={"qr": printed, "nonce": "scan-0001"}, headers=checker)
    assert refused.status_code == 409 and refused.json()["title"] == "不接受打印的签到码"
    assert refused.json()["detail"] == "本活动只接受报名页面上的实时入场码，打印的静态签到码已停用。"
    live = str((await live_code(client, made))["code"])
    admitted = await client.post(url, json={"qr": live, "nonce": "scan-0002"}, headers=checker)
    assert admitted.status_code == 200


async def test_two_doors_scanning_one_live_code_at_once_admit_it_once(client: httpx.AsyncClient) -> None:
    _, _, event_id, checker = await setup(client)
    made = await register(client, event_id, "guest@x.cn")
    code = str((await live_code(client, made))["code"])
    url = f"/api/v1/events/{event_id}/check-in"
    answers = await asyncio.gather(
        *(client.post(url, json={"qr": code, "nonce": f"door-{door:04d}"}, headers=checker) for door in range(4))
    )
    assert sorted(answer.status_code for answer in answers) == [200, 409, 409, 409]
    entries = await AuditEntry.filter(action="registration.check_in", object_id=made.json()["id"]).count()
    assert entries == 1
