"""Which notices go by SMS is the event's choice; each goes to the number the registrant gave, in the transaction
of its cause, and a number the gateway refuses shows up in the organiser's delivery summary."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import httpx
from tortoise.transactions import in_transaction

from events import mailing
from events.models import Event, Registration
from notifications.models import Channel, MailStatus, OutboxMessage, SmsNotice
from notifications.sms_gateways import AliyunSms
from notifications.sms_worker import SmsWorker
from tests.events.support import organiser, published_event, register
from tests.notifications.sms_fakes import ALIYUN_CODES, ALIYUN_KEY_ID, ALIYUN_SECRET, fake_aliyun

PHONE = {"key": "mobile", "kind": "phone", "label": {"zh": "手机号", "en": "Mobile"}}


async def event_with_phone(client: httpx.AsyncClient, **fields: Any) -> tuple[dict[str, str], int]:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, **fields)
    added = await client.post(f"/api/v1/events/{event_id}/questions", json=PHONE, headers=headers)
    assert added.status_code == 201, added.text
    return headers, event_id


async def sms_rows() -> list[tuple[str, str, dict[str, object]]]:
    rows = await OutboxMessage.filter(channel=Channel.SMS).order_by("id")
    return [(row.template, row.to_addr, row.context) for row in rows]


async def test_the_chosen_notices_are_part_of_the_event_and_unknown_ones_are_refused(client: httpx.AsyncClient) -> None:
    headers, event_id = await event_with_phone(client, sms_notices=["offer", "approval"])
    event = (await client.get(f"/api/v1/events/{event_id}", headers=headers)).json()
    assert event["sms_notices"] == ["approval", "offer"]
    patched = await client.patch(f"/api/v1/events/{event_id}", json={"sms_notices": ["birthday"]}, headers=headers)
    assert patched.status_code == 422
    (error,) = patched.json()["errors"]
    assert error["loc"] == ["body", "sms_notices", 0]
    assert error["msg"] == "取值应为以下之一：'approval'、'offer'、'reminder'、'cancellation'"
    cleared = await client.patch(f"/api/v1/events/{event_id}", json={"sms_notices": []}, headers=headers)
    assert cleared.json()["sms_notices"] == []


async def test_an_approval_texts_the_registrant_and_a_refused_number_is_shown_to_the_organiser(
    client: httpx.AsyncClient,
) -> None:
    headers, event_id = await event_with_phone(client, requires_approval=True, sms_notices=["approval"])
    with_phone = await register(client, event_id, "wang@x.cn", name="王芳", answers={"mobile": "+86 138-0013-8000"})
    without = await register(client, event_id, "li@x.cn", name="李雷")
    assert await sms_rows() == []  # "received" is not a notice that goes by SMS
    for made in (with_phone, without):
        approved = await client.post(f"/api/v1/registrations/{made.json()['id']}/approve", headers=headers)
        assert approved.status_code == 200, approved.text
    ((notice, to, params),) = await sms_rows()
    assert (notice, to) == ("approval", "+8613800138000")
    assert (
        params["name"] == "王芳"
        and params["event"] == "人工智能赋能制造业论坛"
        and set(params)
        == {
            "name",
            "event",
            "time",
        }
    )

    fake = fake_aliyun()
    fake.answers["13800138000"] = "isv.MOBILE_NUMBER_ILLEGAL"  # an empty number the carrier does not know
    gateway = AliyunSms(ALIYUN_KEY_ID, ALIYUN_SECRET, "泉城活动", ALIYUN_CODES, transport=fake.transport())
    assert await SmsWorker(gateway=gateway).drain_once() == 1
    summary = (await client.get(f"/api/v1/events/{event_id}/mail", headers=headers)).json()
    assert summary["channels"]["sms"]["failed"] == 1 and summary["channels"]["mail"]["failed"] == 0
    assert summary["counts"]["failed"] == 1
    (failure,) = summary["failed"]
    assert (failure["channel"], failure["to"], failure["template"], failure["attempts"]) == (
        "sms",
        "+8613800138000",
        "approval",
        1,
    )
    assert failure["last_error"].startswith("isv.MOBILE_NUMBER_ILLEGAL:")


async def test_notices_the_event_did_not_choose_go_by_mail_only(client: httpx.AsyncClient) -> None:
    headers, event_id = await event_with_phone(client, requires_approval=True, sms_notices=["reminder"])
    made = await register(client, event_id, "wang@x.cn", answers={"mobile": "13800138000"})
    await client.post(f"/api/v1/registrations/{made.json()['id']}/approve", headers=headers)
    assert await OutboxMessage.filter(template="registration_approved").count() == 1
    assert await sms_rows() == []


async def test_reminders_and_a_cancelled_event_text_everyone_with_a_number_once(client: httpx.AsyncClient) -> None:
    headers, event_id = await event_with_phone(client, sms_notices=["reminder", "cancellation"])
    for index in range(2):
        await register(client, event_id, f"p{index}@x.cn", answers={"mobile": f"1380013800{index}"})
    await register(client, event_id, "nophone@x.cn")
    event = await Event.get(id=event_id)
    for _ in range(2):  # a second scheduler run sends nothing twice
        async with in_transaction():
            await mailing.reminders_due(event, 24)
    cancelled = await client.post(f"/api/v1/events/{event_id}/cancel", headers=headers)
    assert cancelled.status_code == 200, cancelled.text
    assert sorted((notice, to) for notice, to, _ in await sms_rows()) == [
        ("cancellation", "+8613800138000"),
        ("cancellation", "+8613800138001"),
        ("reminder", "+8613800138000"),
        ("reminder", "+8613800138001"),
    ]
    reminder = next(params for notice, _, params in await sms_rows() if notice == SmsNotice.REMINDER)
    assert reminder["place"] == "济南高新区会展中心 A 厅"
    waiting = OutboxMessage.filter(channel=Channel.SMS).order_by("template", "to_addr")
    assert [(row.template, row.status) for row in await waiting] == [
        ("cancellation", MailStatus.PENDING),
        ("cancellation", MailStatus.PENDING),
        ("reminder", MailStatus.SUPERSEDED),  # the cancellation made them untrue, as it does the mailed ones
        ("reminder", MailStatus.SUPERSEDED),
    ]


async def test_a_freed_seat_texts_the_offer_with_its_deadline_and_the_cancellation(client: httpx.AsyncClient) -> None:
    headers, event_id = await event_with_phone(client, capacity=1, sms_notices=["offer", "cancellation"])
    first = await register(client, event_id, "a@x.cn", name="甲", answers={"mobile": "13800138000"})
    second = await register(client, event_id, "b@x.cn", name="乙", answers={"mobile": "13900139000"})
    assert second.json()["status"] == "waitlisted"
    manage = {"Authorization": f"Bearer {first.json()['manage_token']}"}
    assert (await client.post(f"/api/v1/registrations/{first.json()['id']}/cancel", headers=manage)).status_code == 200
    rows = {notice: (to, params) for notice, to, params in await sms_rows()}
    assert rows["cancellation"] == ("+8613800138000", {"name": "甲", "event": "人工智能赋能制造业论坛"})
    offered = await Registration.get(id=second.json()["id"])
    assert offered.offered_until is not None
    deadline = offered.offered_until.astimezone(ZoneInfo("Asia/Shanghai"))
    assert rows["offer"] == (
        "+8613900139000",
        {"name": "乙", "event": "人工智能赋能制造业论坛", "deadline": f"{deadline:%Y-%m-%d %H:%M}"},
    )
