"""Delivery through a real SMTP server: STARTTLS + AUTH, retries, failures, outages, leases, two workers."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from tortoise.transactions import in_transaction

from notifications.models import MailStatus, OutboxMessage
from notifications.outbox import Mail, NotInTransaction, enqueue
from notifications.transport import FileTransport, SmtpTransport
from notifications.worker import Worker
from server.clock import utcnow
from tests.events.support import lint, organiser, published_event, register
from tests.notifications.support import SENDER, SmtpServer


def worker(transport: SmtpTransport | FileTransport, name: str = "w1") -> Worker:
    return Worker(transport, sender=SENDER, name=name)


async def due_now() -> None:
    """Let every waiting retry come due (instead of sleeping through the backoff)."""
    await OutboxMessage.filter(status=MailStatus.RETRY).update(next_attempt_at=utcnow() - timedelta(seconds=1))


def parts(message: EmailMessage) -> list[tuple[str, str | None]]:
    return [(part.get_content_type(), part.get_param("method")) for part in message.walk()]  # type: ignore[misc]


async def simple_mails(count: int, prefix: str = "m") -> None:
    mails = [
        Mail(
            template="organiser_message",
            to=f"{prefix}{i}@x.cn",
            locale="zh-CN",
            dedupe_key=f"{prefix}:{i}",
            topic="test",
            context={
                "recipient_name": "x",
                "event_title": "t",
                "event_when": "w",
                "event_where": "p",
                "event_url": "u",
                "manage_url": "m",
                "organiser_name": "o",
                "subject": "s",
                "body": "b",
            },
        )
        for i in range(count)
    ]
    async with in_transaction():
        await enqueue(*mails)


async def test_a_confirmation_arrives_over_starttls_with_auth_in_the_registrants_language(
    client: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    made = await register(client, event_id, "Wang.Fang@Example.cn", name="王芳")
    row = await OutboxMessage.get(template="registration_confirmed")
    assert await worker(smtp.transport()).drain_once() == 1
    (message,) = smtp.mailbox.received
    assert message["To"].addresses[0].addr_spec == "wang.fang@example.cn"
    assert message["Subject"] == "【人工智能赋能制造业论坛】报名成功"
    assert message["Message-ID"] == f"<{row.message_id}@quancheng.localhost>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert parts(message) == [
        ("multipart/mixed", None),
        ("multipart/alternative", None),
        ("text/plain", None),
        ("text/html", None),
        ("text/calendar", "REQUEST"),
        ("application/ics", None),
    ]
    calendar = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    (entry,) = lint(calendar.get_payload(decode=True), method="REQUEST").events  # type: ignore[arg-type]
    assert str(entry["ATTENDEE"]) == "mailto:wang.fang@example.cn"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "王芳，您好" in text and f"/registrations/{made.json()['id']}?token=qcl_" in text
    link = text.split("入场二维码：")[1].split()[0].replace("http://127.0.0.1:8000", "")
    assert (await client.get("/api/v1" + link)).json()["status"] == "confirmed"  # the mailed link opens it
    assert (await OutboxMessage.get(id=row.id)).status is MailStatus.SENT


async def test_451_then_250_delivers_once_after_a_retry(smtp: SmtpServer, db: str) -> None:
    await simple_mails(1)
    smtp.mailbox.answers = ["451 4.3.0 try again later"]
    await worker(smtp.transport()).drain_once()
    row = await OutboxMessage.get(dedupe_key="m:0")
    assert (row.status, row.last_code, row.attempts) == (MailStatus.RETRY, 451, 1)
    assert row.next_attempt_at > utcnow() + timedelta(seconds=20)
    assert await worker(smtp.transport()).drain_once() == 0  # not due yet
    await due_now()
    await worker(smtp.transport()).drain_once()
    assert len(smtp.mailbox.received) == 1
    assert (await OutboxMessage.get(id=row.id)).status is MailStatus.SENT


async def mail_summary_after_one_registration(
    client: httpx.AsyncClient, smtp: SmtpServer, email: str
) -> tuple[dict[str, str], int, dict[str, Any]]:
    """An organiser's event with one registrant whose confirmation the worker has tried: (headers, id, summary)."""
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    await register(client, event_id, email)
    await worker(smtp.transport()).drain_once()
    return headers, event_id, (await client.get(f"/api/v1/events/{event_id}/mail", headers=headers)).json()


async def test_550_fails_and_is_visible_to_the_organiser_who_can_retry(
    client: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    smtp.mailbox.answers = ["550 5.1.1 mailbox unavailable"]
    headers, event_id, summary = await mail_summary_after_one_registration(client, smtp, "gone@x.cn")
    assert summary["counts"]["failed"] == 1
    assert [(f["to"], f["last_code"]) for f in summary["failed"]] == [("gone@x.cn", 550)]
    retried = await client.post(f"/api/v1/events/{event_id}/mail/retry", headers=headers)
    assert retried.json() == {"recipients": 1}
    await worker(smtp.transport()).drain_once()
    assert (await client.get(f"/api/v1/events/{event_id}/mail", headers=headers)).json()["counts"]["sent"] == 1


async def test_a_refused_recipient_is_recorded(smtp: SmtpServer, db: str) -> None:
    await simple_mails(2)
    smtp.mailbox.refuse_recipients = {"m0@x.cn"}
    await worker(smtp.transport()).drain_once()
    refused = await OutboxMessage.get(dedupe_key="m:0")
    assert refused.status is MailStatus.FAILED and refused.refused == {"m0@x.cn": [550, "5.1.1 no such user"]}
    assert (refused.last_code, refused.last_error) == (550, "5.1.1 no such user")  # words, not a Python dict
    assert (await OutboxMessage.get(dedupe_key="m:1")).status is MailStatus.SENT


async def test_the_organiser_sees_a_refused_recipient_as_recipient_code_and_message(
    client: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    smtp.mailbox.refuse_recipients = {"bad1@x.cn"}
    _, _, summary = await mail_summary_after_one_registration(client, smtp, "bad1@x.cn")
    [failure] = summary["failed"]
    assert (failure["to"], failure["last_code"], failure["last_error"]) == ("bad1@x.cn", 550, "5.1.1 no such user")
    assert failure["refused"] == [{"recipient": "bad1@x.cn", "code": 550, "message": "5.1.1 no such user"}]


async def test_nothing_is_lost_while_the_server_is_down(
    smtp: SmtpServer, certificates: tuple[object, str], db: str
) -> None:
    await simple_mails(5)
    smtp.stop()
    for _ in range(3):
        await worker(smtp.transport()).drain_once()
        assert await OutboxMessage.filter(status=MailStatus.RETRY).count() == 5
        await due_now()
    smtp.start(certificates[0])  # type: ignore[arg-type]
    await worker(smtp.transport()).drain_once()
    assert sorted(m["To"].addresses[0].addr_spec for m in smtp.mailbox.received) == [f"m{i}@x.cn" for i in range(5)]
    assert await OutboxMessage.filter(status=MailStatus.SENT).count() == 5


async def test_a_crashed_workers_rows_return_when_its_lease_runs_out(smtp: SmtpServer, db: str) -> None:
    await simple_mails(3)
    crashed = worker(smtp.transport(), name="crashed")
    assert len(await crashed.claim()) == 3  # ...and then the process died before sending
    survivor = worker(smtp.transport(), name="survivor")
    assert await survivor.drain_once() == 0  # leased rows are not taken while the lease lasts
    await OutboxMessage.all().update(locked_until=utcnow() - timedelta(seconds=1))
    assert await survivor.drain_once() == 3
    assert len(smtp.mailbox.received) == 3
    late = await OutboxMessage.get(dedupe_key="m:0")
    await crashed._finish(late, MailStatus.FAILED, error="too late")  # the lost worker cannot overwrite it
    assert (await OutboxMessage.get(id=late.id)).status is MailStatus.SENT


async def test_two_workers_on_postgresql_send_1000_rows_exactly_once(smtp: SmtpServer, db: str) -> None:
    if not db.startswith("postgres"):
        pytest.skip("SKIP LOCKED is proven on PostgreSQL")
    await simple_mails(1000)

    async def drain(name: str) -> None:
        busy = worker(smtp.transport(), name=name)
        while await busy.drain_once():
            pass

    await asyncio.gather(drain("a"), drain("b"))
    ids = [m["Message-ID"] for m in smtp.mailbox.received]
    assert len(ids) == 1000 and len(set(ids)) == 1000
    assert await OutboxMessage.filter(status=MailStatus.SENT).count() == 1000
    assert {row.attempts for row in await OutboxMessage.all()} == {1}


async def test_the_embedded_default_writes_eml_files(db: str, tmp_path: Path) -> None:
    await simple_mails(2)
    await worker(FileTransport(tmp_path / "mail")).drain_once()
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2 and not list((tmp_path / "mail").glob("*.tmp"))
    message = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert message["Subject"] == "【t】s"


async def test_enqueue_needs_a_transaction_and_writes_one_row_per_dedupe_key(db: str) -> None:
    with pytest.raises(NotInTransaction):
        await enqueue(Mail(template="reminder", to="a@x.cn", locale="en", context={}, dedupe_key="k", topic="t"))
    await simple_mails(2)
    await simple_mails(2)
    assert await OutboxMessage.all().count() == 2


async def test_a_rolled_back_transaction_leaves_no_mail(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await enqueue(Mail(template="reminder", to="a@x.cn", locale="en", context={}, dedupe_key="k", topic="t"))
            raise RuntimeError("the change failed")
    await register(client, event_id, "dup@x.cn")
    duplicate = await register(client, event_id, "dup@x.cn")
    assert duplicate.status_code == 409
    assert await OutboxMessage.all().count() == 1  # the first registration's mail only


async def test_unknown_placeholders_are_refused_at_enqueue(db: str) -> None:
    with pytest.raises(ValueError, match="no placeholders"):
        async with in_transaction():
            await enqueue(
                Mail(template="reminder", to="a@x.cn", locale="en", context={"secret": 1}, dedupe_key="k", topic="t")
            )


async def test_after_an_outage_the_first_success_brings_all_waiting_mail_into_the_next_batch(
    smtp: SmtpServer, certificates: tuple[object, str], db: str
) -> None:
    await simple_mails(5)
    smtp.stop()
    for _ in range(3):  # three rounds of outage: the backoff has grown to about two minutes
        await worker(smtp.transport()).drain_once()
        await due_now()
    await worker(smtp.transport()).drain_once()
    assert min(r.next_attempt_at for r in await OutboxMessage.all()) > utcnow() + timedelta(seconds=80)
    smtp.start(certificates[0])  # type: ignore[arg-type]
    await simple_mails(1, prefix="new")  # the first mail after recovery goes out at once...
    assert await worker(smtp.transport()).drain_once() == 1
    assert await worker(smtp.transport()).drain_once() == 5  # ...and all waiting mail follows in the next batch
    assert await OutboxMessage.filter(status=MailStatus.SENT).count() == 6 and len(smtp.mailbox.received) == 6


async def test_mail_deferred_for_itself_keeps_its_backoff_when_other_mail_goes_out(smtp: SmtpServer, db: str) -> None:
    await simple_mails(3)
    smtp.mailbox.answers = ["451 4.7.1 greylisted, come back later", "421 4.3.2 shutting down"]
    await worker(smtp.transport()).drain_once()
    greylisted, unavailable, _ = [await OutboxMessage.get(dedupe_key=f"m:{i}") for i in range(3)]
    assert (greylisted.status, greylisted.last_code, unavailable.last_code) == (MailStatus.RETRY, 451, 421)
    await simple_mails(1, prefix="new")
    assert await worker(smtp.transport()).drain_once() == 1
    assert await worker(smtp.transport()).drain_once() == 2  # 421 and the row requeued after it; 451 waits
    assert (await OutboxMessage.get(id=greylisted.id)).next_attempt_at > utcnow() + timedelta(seconds=20)
    assert len(smtp.mailbox.received) == 3 and await OutboxMessage.filter(status=MailStatus.SENT).count() == 3
