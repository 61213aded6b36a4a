"""The published agenda: one mail per member with every meeting of its party, the agenda page's data with each
party's check-in code, check-in at the table (counterpart's scan, organiser's scan or tick) and outcomes."""

from __future__ import annotations

from email.message import EmailMessage

import httpx

from events.matchmaking.models import MeetingEntry, Outcome
from tests.matchmaking.support import EditedSchedule, edited_schedule, matchmaking_event
from tests.notifications.support import calendar_of, drain
from tests.support import sign_up


def agendas(messages: list[EmailMessage]) -> dict[str, str]:
    """The agenda mails among `messages`: recipient → plain text."""
    found: dict[str, str] = {}
    for message in messages:
        if calendar_of(message) is None and "洽谈日程" in str(message["Subject"]):
            body = message.get_body(("plain",))
            assert body is not None
            found[message["To"].addresses[0].addr_spec] = " ".join(body.get_content().split())
    return found


async def published(client: httpx.AsyncClient) -> EditedSchedule:
    grid = await edited_schedule(client)
    await drain()  # the registration mails
    assert (await client.post(f"{grid.url}/publish", headers=grid.host)).status_code == 200
    return grid


async def test_publishing_mails_each_member_one_agenda_of_all_its_meetings_and_a_republish_only_the_changed(
    client: httpx.AsyncClient,
) -> None:
    grid = await published(client)
    sent = agendas(await drain())
    assert sorted(sent) == ["it@clinic.cn", "it@hospital.cn", "sales@ai.cn", "sales@ai2.cn"]
    hospital = sent["it@hospital.cn"]
    first = "09:00 – 09:20 (Asia/Shanghai) 洽谈桌 A1 企业 sales@ai.cn"
    second = "09:50 – 10:10 (Asia/Shanghai) 洽谈桌 A2 企业 sales@ai2.cn"
    assert first in hospital and second in hospital and hospital.index(first) < hospital.index(second)
    assert f"/matchmaking/agenda/{grid.hospital}" in hospital
    assert "企业 it@clinic.cn" not in hospital  # only its own meetings
    moved = await client.post(
        f"{grid.url}/moves", json={"version": 1, "meeting_id": grid.m1, "slot": 3, "table": 2}, headers=grid.host
    )
    assert moved.status_code == 200
    assert (await client.post(f"{grid.url}/publish", headers=grid.host)).status_code == 200
    again = agendas(await drain())
    assert sorted(again) == ["it@hospital.cn", "sales@ai.cn"]  # the clinic's and vendor2's agendas did not change
    assert "14:00 – 14:20 (Asia/Shanghai) 洽谈桌 A3 企业 sales@ai.cn" in again["it@hospital.cn"]


async def test_the_agenda_shows_the_published_meetings_with_the_partys_own_check_in_code(
    client: httpx.AsyncClient,
) -> None:
    grid = await published(client)
    agenda = await client.get(f"/api/v1/matchmaking-parties/{grid.hospital}/agenda", headers=grid.hospital_headers)
    assert agenda.status_code == 200
    shown = agenda.json()
    assert (shown["published"], shown["timezone"], shown["party_name"]["zh"]) == (
        True,
        "Asia/Shanghai",
        "企业 it@hospital.cn",
    )
    assert [(m["slot"], m["table"], m["counterpart"]["id"], m["held"]) for m in shown["meetings"]] == [
        (0, "A1", grid.vendor, False),
        (2, "A2", grid.vendor2, False),
    ]
    codes = [m["check_in_code"] for m in shown["meetings"]]
    assert all(
        code.startswith(f"QM.{m['id']}.{grid.hospital}.") for code, m in zip(codes, shown["meetings"], strict=True)
    )
    assert shown["meetings"][0]["check_in_svg"].startswith("data:image/svg+xml")
    assert "email" not in agenda.text and "phone" not in agenda.text
    stranger = await sign_up(client, "nobody@x.cn")
    assert (
        await client.get(f"/api/v1/matchmaking-parties/{grid.hospital}/agenda", headers=stranger)
    ).status_code == 404


async def test_a_meeting_is_checked_in_once_by_the_counterparts_scan_or_the_organiser_and_forged_codes_are_refused(
    client: httpx.AsyncClient,
) -> None:
    grid = await published(client)
    vendor_headers = await sign_up(client, "sales@ai.cn")  # a second session of the vendor's manager
    hospital_agenda = (
        await client.get(f"/api/v1/matchmaking-parties/{grid.hospital}/agenda", headers=grid.hospital_headers)
    ).json()
    m1_code = hospital_agenda["meetings"][0]["check_in_code"]
    m3_code = hospital_agenda["meetings"][1]["check_in_code"]
    scan = f"/api/v1/matchmaking-parties/{grid.vendor}/check-in"

    async def refused(url: str, code: str, headers: dict[str, str]) -> None:
        answer = await client.post(url, json={"code": code}, headers=headers)
        assert answer.status_code == 422, answer.text
        assert answer.json()["errors"] == [
            {"loc": ["body", "code"], "msg": "这不是您在本活动中某场洽谈的签到码", "type": "matchmaking_bad_code"}
        ]

    own = f"/api/v1/matchmaking-parties/{grid.hospital}/check-in"
    await refused(own, m1_code, grid.hospital_headers)  # one's own code is for the counterpart to scan
    await refused(scan, m3_code, vendor_headers)  # a meeting of the hospital with someone else
    await refused(scan, m1_code[:-1] + ("0" if m1_code[-1] != "0" else "1"), vendor_headers)  # forged
    await refused(scan, "QM.1.2", vendor_headers)
    assert not await MeetingEntry.filter(held_at__not_isnull=True).exists()
    first = await client.post(scan, json={"code": m1_code}, headers=vendor_headers)
    assert first.status_code == 200, first.text
    assert first.json()["held_at"] is not None
    again = await client.post(scan, json={"code": m1_code}, headers=vendor_headers)
    assert again.json() == first.json()  # idempotent: the first check-in's time stays
    other_host, other_event = await matchmaking_event(client, "other@organiser.cn")
    wrong_event = f"/api/v1/events/{other_event}/matchmaking/check-in"
    await refused(wrong_event, m3_code, other_host)
    by_organiser = await client.post(
        f"/api/v1/events/{grid.event_id}/matchmaking/check-in", json={"code": m3_code}, headers=grid.host
    )
    assert by_organiser.status_code == 200 and by_organiser.json()["meeting_id"] == hospital_agenda["meetings"][1]["id"]
    tick = f"/api/v1/events/{grid.event_id}/matchmaking/meetings"
    m2_entry = await MeetingEntry.get(party_a_id=grid.clinic)
    assert (await client.post(f"{tick}/{m2_entry.id}/check-in", headers=grid.hospital_headers)).status_code == 403
    ticked = await client.post(f"{tick}/{m2_entry.id}/check-in", headers=grid.host)
    assert ticked.status_code == 200 and ticked.json()["held_at"] is not None
    assert (await client.post(f"{tick}/999999/check-in", headers=grid.host)).status_code == 404
    assert (
        await client.post(
            f"/api/v1/events/{other_event}/matchmaking/meetings/{m2_entry.id}/check-in", headers=other_host
        )
    ).status_code == 404
    shown = (
        await client.get(f"/api/v1/matchmaking-parties/{grid.hospital}/agenda", headers=grid.hospital_headers)
    ).json()
    assert [m["held"] for m in shown["meetings"]] == [True, True]


async def test_each_party_records_the_outcome_of_its_held_meetings_only(client: httpx.AsyncClient) -> None:
    grid = await published(client)
    shown = (
        await client.get(f"/api/v1/matchmaking-parties/{grid.hospital}/agenda", headers=grid.hospital_headers)
    ).json()
    m1 = shown["meetings"][0]["id"]
    url = f"/api/v1/matchmaking-parties/{grid.hospital}/meetings/{m1}/outcome"
    early = await client.put(url, json={"outcome": "interested"}, headers=grid.hospital_headers)
    assert early.status_code == 409 and early.json()["title"] == "洽谈尚未签到"
    tick = f"/api/v1/events/{grid.event_id}/matchmaking/meetings/{m1}/check-in"
    assert (await client.post(tick, headers=grid.host)).status_code == 200
    bad = await client.put(url, json={"outcome": "maybe"}, headers=grid.hospital_headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "outcome"]
    for outcome in ("interested", "signed"):
        saved = await client.put(url, json={"outcome": outcome}, headers=grid.hospital_headers)
        assert saved.status_code == 200, saved.text
    m2 = (await MeetingEntry.get(party_a_id=grid.clinic)).id
    foreign = f"/api/v1/matchmaking-parties/{grid.hospital}/meetings/{m2}/outcome"
    assert (await client.put(foreign, json={"outcome": "none"}, headers=grid.hospital_headers)).status_code == 404
    entry = await MeetingEntry.get(id=m1)
    assert (entry.outcome_a, entry.outcome_b is None) == (Outcome.SIGNED, True)  # the vendor has not said yet
    shown = (
        await client.get(f"/api/v1/matchmaking-parties/{grid.hospital}/agenda", headers=grid.hospital_headers)
    ).json()
    assert shown["meetings"][0]["outcome"] == "signed"
