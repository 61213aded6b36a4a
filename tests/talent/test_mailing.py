"""Report deadline mail: before the due date, once overdue, and the bureau's digest, each sent once."""

from __future__ import annotations

from datetime import timedelta

import httpx

from notifications.models import OutboxMessage
from talent.mailing import send_report_reminders
from talent.models import Period
from talent.reports import city_today
from tests.talent.support import GOOD, setup


async def test_overdue_notices_and_digest_go_once(client: httpx.AsyncClient) -> None:
    _, reporter, base_id, programme_id = await setup(client)  # 2026-10 was due on 2026-11-10
    await Period.filter(id="2026-10").update(locks_on=city_today() + timedelta(days=5))
    assert await send_report_reminders("https://q.example.cn") == 2
    assert await send_report_reminders("https://q.example.cn") == 2  # asked again ...
    sent = await OutboxMessage.filter(topic="talent:2026-10").order_by("id")
    assert [(m.template, m.to_addr) for m in sent] == [  # ... but written once
        ("report_overdue", "reporter@base.cn"),
        ("report_overdue_digest", "admin@bureau.gov.cn"),
    ]
    assert sent[1].context["missing"] == "- 实训基地 reporter@base.cn（历下区）"
    assert sent[1].context["dashboard_url"] == "https://q.example.cn/talent/dashboard"
    assert sent[0].context["report_url"] == f"https://q.example.cn/talent/reports/{base_id}/2026-10/{programme_id}"


async def test_a_reminder_before_the_due_date_and_none_once_submitted(client: httpx.AsyncClient) -> None:
    _, reporter, base_id, programme_id = await setup(client)
    today = city_today()
    await Period.filter(id="2026-10").update(due_on=today + timedelta(days=2), locks_on=today + timedelta(days=20))
    await send_report_reminders("https://q.example.cn")
    assert [m.template for m in await OutboxMessage.filter(topic="talent:2026-10")] == ["report_due"]
    url = f"/api/v1/talent/reports/{base_id}/2026-10/{programme_id}"
    await client.put(url, json=GOOD, headers=reporter)
    await client.post(url + "/submit", headers=reporter)
    await Period.filter(id="2026-10").update(due_on=today - timedelta(days=1))
    await send_report_reminders("https://q.example.cn")
    assert [m.template for m in await OutboxMessage.filter(topic="talent:2026-10")] == ["report_due"]
