"""Which mails the events side sends, in which language, with which calendar part; templates and reminders."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest

from events import mailing
from events.models import Event
from notifications.models import MailStatus, OutboxMessage
from notifications.templates import TEMPLATES, preview
from notifications.transport import FileTransport
from notifications.worker import Worker
from server.clock import utcnow
from server.settings import load_settings
from tests.events.support import lint, organiser, published_event, register
from tests.notifications.support import SENDER, calendar_of, drain
from tests.support import admin_headers, sign_up


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


@pytest.mark.parametrize("name", sorted(TEMPLATES))
@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_every_template_renders_its_samples_in_both_languages(name: str, locale: str) -> None:
    rendered = preview(name, locale)
    assert rendered.subject and "\n" not in rendered.subject and "{{" not in rendered.text + rendered.html
    assert (
        ("您好" in rendered.text or name == "organiser_message") if locale == "zh-CN" else "您好" not in rendered.text
    )
    assert rendered.html.startswith("<!doctype html>")


async def test_waitlisted_offered_and_accepted_mails(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=1, offer_hours=24)
    first = await register(client, event_id, "first@x.cn")
    await register(client, event_id, "second@x.cn", locale="en")
    await drain()
    await client.post(
        f"/api/v1/registrations/{first.json()['id']}/cancel",
        headers={"Authorization": f"Bearer {first.json()['manage_token']}"},
    )
    sent = {m["To"].addresses[0].addr_spec: m for m in await drain()}
    cancelled, offered = sent["first@x.cn"], sent["second@x.cn"]
    method, content = calendar_of(cancelled)  # type: ignore[misc]
    assert method == "CANCEL" and lint(content, method="CANCEL")
    assert offered["Subject"].startswith("AI for Manufacturing Forum: a place is held for you until ")
    accept = text_of(offered).split("Accept the place: ")[1].split()[0].replace("http://127.0.0.1:8000", "/api/v1")
    registration_id = accept.split("/registrations/")[1].split("?")[0]
    token = accept.split("token=")[1]
    accepted = await client.post(f"/api/v1/registrations/{registration_id}/accept", params={"token": token})
    assert accepted.json()["status"] == "confirmed"
    (confirmed,) = await drain()
    assert confirmed["Subject"] == "AI for Manufacturing Forum: you are registered" and calendar_of(confirmed)


async def test_a_forged_or_expired_mail_link_opens_nothing(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    made = await register(client, event_id, "a@x.cn")
    registration_id = made.json()["id"]
    good = mailing.link_token(mailing.site(), made.json()["id"], utcnow() + timedelta(hours=1))
    assert (await client.get(f"/api/v1/registrations/{registration_id}", params={"token": good})).status_code == 200
    expired = mailing.link_token(mailing.site(), made.json()["id"], utcnow() - timedelta(seconds=1))
    forged = good[:-4] + "0000"
    for token in (expired, forged, "qcl_x_y", "qcl_"):
        assert (
            await client.get(f"/api/v1/registrations/{registration_id}", params={"token": token})
        ).status_code == 404


async def test_waitlisted_mail_tells_the_position_and_rejection_the_reason(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=1, requires_approval=True)
    pending = await register(client, event_id, "p@x.cn")
    await register(client, event_id, "w@x.cn")
    sent = {m["To"].addresses[0].addr_spec: m for m in await drain()}
    assert sent["p@x.cn"]["Subject"] == "【人工智能赋能制造业论坛】报名已收到，等待审核" and not calendar_of(
        sent["p@x.cn"]
    )
    assert "目前排在第 1 位" in text_of(sent["w@x.cn"])
    await client.post(
        f"/api/v1/registrations/{pending.json()['id']}/reject", json={"reason": "名额优先制造业企业"}, headers=headers
    )
    rejected = next(m for m in await drain() if m["To"].addresses[0].addr_spec == "p@x.cn")
    assert "原因：名额优先制造业企业" in text_of(rejected)


async def test_moving_an_event_sends_one_update_per_confirmed_registrant_with_the_new_sequence(
    client: httpx.AsyncClient,
) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=2)
    for email in ("a@x.cn", "b@x.cn", "waiting@x.cn"):
        await register(client, event_id, email)
    await drain()
    event = (await client.get(f"/api/v1/events/{event_id}")).json()
    for hours in (1, 2):  # two moves before the worker runs: only the latest update goes out
        starts = (await Event.get(id=event_id)).starts_at + timedelta(hours=hours)
        await client.patch(
            f"/api/v1/events/{event_id}",
            json={"starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=8)).isoformat()},
            headers=headers,
        )
    assert await OutboxMessage.filter(status=MailStatus.SUPERSEDED).count() == 2
    updates = await drain()
    assert sorted(m["To"].addresses[0].addr_spec for m in updates) == ["a@x.cn", "b@x.cn"]
    for message in updates:
        method, content = calendar_of(message)  # type: ignore[misc]
        (entry,) = lint(content, method="REQUEST").events
        assert method == "REQUEST" and entry.sequence == event["sequence"] + 2
    await client.patch(f"/api/v1/events/{event_id}", json={"title": {"zh": "只改标题"}}, headers=headers)
    assert await drain() == []  # a new title is not a calendar change


async def test_cancelling_an_event_cancels_everyone(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=1)
    await register(client, event_id, "seated@x.cn")
    await register(client, event_id, "waiting@x.cn")
    await drain()
    await client.post(f"/api/v1/events/{event_id}/cancel", headers=headers)
    sent = {m["To"].addresses[0].addr_spec: m for m in await drain()}
    assert sent["seated@x.cn"]["Subject"] == "【人工智能赋能制造业论坛】活动已取消"
    method, content = calendar_of(sent["seated@x.cn"])  # type: ignore[misc]
    assert method == "CANCEL" and lint(content, method="CANCEL")
    assert calendar_of(sent["waiting@x.cn"]) is None  # never had an invitation


async def test_a_confirmation_still_waiting_when_the_event_is_cancelled_never_leaves(
    client: httpx.AsyncClient,
) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    await register(client, event_id, "late@x.cn")
    await client.post(f"/api/v1/events/{event_id}/cancel", headers=headers)
    sent = await drain()
    assert [m["Subject"] for m in sent] == ["【人工智能赋能制造业论坛】活动已取消"]
    method, _ = calendar_of(sent[0])  # type: ignore[misc]
    assert method == "CANCEL"


async def test_organisers_message_a_filtered_set_and_preview_templates(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=1)
    await register(client, event_id, "seated@x.cn")
    await register(client, event_id, "waiting@x.cn")
    await drain()
    url = f"/api/v1/events/{event_id}/messages"
    body = {"subject": "会场变更\r\nBcc: all@x.cn", "body": "改到 B 厅。<script>x</script>", "statuses": ["waitlisted"]}
    assert (await client.post(url, json=body, headers=headers)).json() == {"recipients": 1}
    (message,) = await drain()
    assert message["Subject"] == "【人工智能赋能制造业论坛】会场变更 Bcc: all@x.cn" and message["Bcc"] is None
    assert "&lt;script&gt;" in message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert (await client.post(url, json={"subject": "", "body": "x"}, headers=headers)).status_code == 422
    outsider, _ = await organiser(client, "other@organiser.cn")
    assert (await client.post(url, json=body, headers=outsider)).status_code == 403
    preview_url = "/api/v1/mail-templates/registration_offered/preview"
    shown = await client.post(preview_url, json={"locale": "en", "context": {"recipient_name": "Li"}}, headers=headers)
    assert shown.json()["text"].startswith("Dear Li,")
    bad = await client.post(preview_url, json={"context": {"password": "x"}}, headers=headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "context", "password"]
    participant = await sign_up(client, "p@x.cn")
    assert (await client.post(preview_url, json={}, headers=participant)).status_code == 403
    assert (await client.get("/api/v1/mail-templates", headers=headers)).status_code == 200
    assert (await client.post("/api/v1/mail-templates/nope/preview", json={}, headers=headers)).status_code == 404


async def test_a_message_preview_is_the_mail_a_registrant_gets_and_sends_nothing(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=1)
    await register(client, event_id, "seated@x.cn", locale="en")
    await register(client, event_id, "waiting@x.cn")
    await drain()
    url = f"/api/v1/events/{event_id}/messages/preview"
    body = {"subject": "会场变更", "body": "改到 B 厅。<script>x</script>", "statuses": ["confirmed", "waitlisted"]}
    shown = (await client.post(url, json=body, headers=headers)).json()
    assert shown["recipients"] == 2 and shown["subject"] == "【人工智能赋能制造业论坛】会场变更"
    assert shown["text"].startswith("改到 B 厅。<script>x</script>") and f"/events/{event_id}" in shown["text"]
    assert "&lt;script&gt;" in shown["html"] and "<script>" not in shown["html"]
    english = (await client.post(url, json={**body, "locale": "en"}, headers=headers)).json()
    assert english["subject"] == "AI for Manufacturing Forum: 会场变更"
    await client.post(url, json=body, headers=headers)
    sent = (await client.post(f"/api/v1/events/{event_id}/messages", json=body, headers=headers)).json()
    assert sent == {"recipients": 2}
    mails = {m["To"].addresses[0].addr_spec: m for m in await drain()}
    assert len(mails) == 2 and mails["waiting@x.cn"]["Subject"] == shown["subject"]  # the preview sent nothing
    assert text_of(mails["waiting@x.cn"]).strip() == shown["text"].strip()
    nobody = (await client.post(url, json={**body, "statuses": ["rejected"]}, headers=headers)).json()
    assert nobody["recipients"] == 0 and nobody["subject"] == shown["subject"]

    empty = await client.post(url, json={"subject": "", "body": "x", "locale": "fr"}, headers=headers)
    assert empty.status_code == 422
    assert {tuple(e["loc"]) for e in empty.json()["errors"]} == {("body", "subject"), ("body", "locale")}
    outsider, _ = await organiser(client, "other@organiser.cn")
    assert (await client.post(url, json=body, headers=outsider)).status_code == 403
    assert (
        await client.post(f"/api/v1/events/{event_id + 1000}/messages/preview", json=body, headers=headers)
    ).status_code == 404


async def test_reminders_go_once_and_not_for_cancelled(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    soon = utcnow() + timedelta(minutes=40)
    event_id = await published_event(client, headers, org_id, starts_at=soon, reminder_hours=[24, 1])
    cancelled_event = await published_event(client, headers, org_id, starts_at=soon)
    await register(client, event_id, "going@x.cn")
    left = await register(client, event_id, "left@x.cn")
    await register(client, cancelled_event, "x@x.cn")
    await client.post(
        f"/api/v1/registrations/{left.json()['id']}/cancel",
        headers={"Authorization": f"Bearer {left.json()['manage_token']}"},
    )
    await client.post(f"/api/v1/events/{cancelled_event}/cancel", headers=headers)
    await drain()
    # The 24 h and the 1 h reminder have both come due: the 1 h one covers the other, which is never sent.
    assert await mailing.send_due_reminders() == 1
    assert list(await asyncio.gather(mailing.send_due_reminders(), mailing.send_due_reminders())) == [0, 0]
    reminders = [m for m in await drain() if "活动提醒" in m["Subject"]]
    assert [m["To"].addresses[0].addr_spec for m in reminders] == ["going@x.cn"]


async def test_each_reminder_goes_when_its_moment_comes(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers, org_id = await organiser(client)
    now = utcnow()
    event_id = await published_event(
        client, headers, org_id, starts_at=now + timedelta(hours=23, minutes=30), reminder_hours=[24, 1]
    )
    await register(client, event_id, "going@x.cn")
    await drain()
    assert await mailing.send_due_reminders() == 1
    monkeypatch.setattr(mailing, "utcnow", lambda: now + timedelta(hours=23))
    assert await mailing.send_due_reminders() == 1
    assert await mailing.send_due_reminders() == 0
    reminders = [m for m in await drain() if "活动提醒" in m["Subject"]]
    assert [m["To"].addresses[0].addr_spec for m in reminders] == ["going@x.cn", "going@x.cn"]


async def test_admins_see_the_outbox(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    await register(client, event_id, "a@x.cn")
    admin = await admin_headers(client, "clerk@bureau.gov.cn")
    listed = (await client.get("/api/v1/outbox", params={"topic": f"event:{event_id}"}, headers=admin)).json()
    assert [(m["to"], m["status"]) for m in listed["items"]] == [("a@x.cn", "pending")]
    assert (await client.get("/api/v1/outbox", headers=headers)).status_code == 403


async def test_the_worker_stops_gracefully(db: str, tmp_path: Path) -> None:
    stop = asyncio.Event()
    worker = Worker(FileTransport(tmp_path), sender=SENDER)
    running = asyncio.create_task(worker.run(stop, poll=0.01))
    await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(running, timeout=5)
    assert running.done() and running.exception() is None


def test_a_mail_link_can_never_be_signed_with_an_empty_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="empty secret"):
        mailing.Site(base_url="http://x", mail_from="a@x.cn", secret="")
    monkeypatch.setattr(mailing, "_configured", None)  # an entry point that never called configure()
    with pytest.raises(RuntimeError, match="configure"):
        mailing.site()
    with pytest.raises(RuntimeError, match="configure"):
        mailing.link_is_valid("qcl_9999999999_abc", uuid.uuid4())


def test_the_site_comes_from_the_settings_with_a_generated_key_when_none_is_set(tmp_path: Path) -> None:
    site = mailing.Site.of(load_settings(DATA_DIR=tmp_path, SECRET_KEY="", BASE_URL="https://events.example"))
    assert site.base_url == "https://events.example" and len(site.secret) >= 40
    expires = utcnow() + timedelta(hours=1)
    registration_id = uuid.uuid4()
    other = mailing.Site(base_url=site.base_url, mail_from=site.mail_from, secret="another key")
    assert mailing.link_token(site, registration_id, expires) != mailing.link_token(other, registration_id, expires)
