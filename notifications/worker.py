"""The outbox workers: claim due rows of their channel, send them outside the claim, and record what happened.

States: pending -> sending -> sent | retry | failed. A claim is a lease: a worker that dies mid-batch leaves
rows in `sending` whose lease runs out, and the next claim takes them again. Delivery is at-least-once; the
Message-ID of a row never changes, so a resent mail is recognisable.
"""

from __future__ import annotations

import abc
import asyncio
import logging
import random
import socket
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from email.mime.multipart import MIMEMultipart
from typing import ClassVar

import aiosmtplib
from tortoise import connections

from notifications import parts
from notifications.mime import build_message
from notifications.models import Channel, MailStatus, OutboxMessage
from notifications.templates import render
from notifications.transport import Connection, Transport
from server.clock import utcnow
from server.db import Params
from server.metrics import LEASE_TAKEOVERS

log = logging.getLogger("quancheng.mail")
MAX_ATTEMPTS = 10
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=2)
SERVER_UNAVAILABLE = 421  # the SMTP answer about the server, not about one mail
RENEW_EVERY = 25  # sends between lease renewals (and recordings of what was sent)
LEASE_RAN_OUT = "lease ran out: "  # then the worker that held it, in last_error of a row taken over


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... up to 2 h, each with ±25 % jitter so that retries do not arrive in step."""
    delay: timedelta = min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP)
    return delay * random.uniform(0.75, 1.25)


async def pull_forward_after_outage() -> int:
    """Make mail that waits only because the server was unreachable due now (the server is back: a send just
    succeeded), instead of leaving each row to its own backoff, up to 2.5 h after the outage ended. Rows deferred by
    an answer about the mail itself (450-452, e.g. greylisting) keep their backoff. Answers how many rows moved."""
    connection = connections.get("default")
    params = Params(connection)
    now = utcnow()
    sql = (
        f'UPDATE "outbox_message" SET "next_attempt_at" = {params.bind(now)} '
        f'WHERE "status" = {params.bind(MailStatus.RETRY.value)} AND "next_attempt_at" > {params.bind(now)} '
        f'AND "channel" = {params.bind(Channel.MAIL.value)} '
        f'AND ("last_code" IS NULL OR "last_code" = {params.bind(SERVER_UNAVAILABLE)})'
    )
    moved, _ = await connection.execute_query(sql, params.values)
    return int(moved)


@dataclass(kw_only=True)
class OutboxWorker(abc.ABC):
    """The lease, retry and outcome bookkeeping shared by the channels; each channel's worker sends its rows."""

    channel: ClassVar[Channel]
    batch: int = 50
    lease: timedelta = timedelta(minutes=5)
    name: str = field(default_factory=lambda: f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}")

    async def run(self, stop: asyncio.Event, *, poll: float = 2.0) -> None:
        """Drain until `stop` is set; a batch under way is finished first (graceful stop)."""
        while not stop.is_set():
            try:
                handled = await self.drain_once()
            except Exception:  # a broken database or template must not end the worker
                log.exception("%s batch failed", self.channel.value)
                handled = 0
            if not handled:
                try:
                    await asyncio.wait_for(stop.wait(), timeout=poll)
                except TimeoutError:
                    pass

    @abc.abstractmethod
    async def drain_once(self) -> int:
        """Claim one batch of due rows of this channel and send them; answers how many were claimed."""

    async def claim(self) -> list[OutboxMessage]:
        """Take up to `batch` due rows (and rows whose lease ran out) in one statement."""
        connection = connections.get("default")
        params = Params(connection)
        now = utcnow()
        lock = " FOR UPDATE SKIP LOCKED" if params.postgres else ""
        due = params.bind_each([MailStatus.PENDING.value, MailStatus.RETRY.value])
        sending = params.bind(MailStatus.SENDING.value)
        # A row still `sending` is taken over from a worker whose lease ran out: the row says so in last_error
        # (SET reads the old values), which is how the takeover is counted from the one statement.
        sql = (
            f'UPDATE "outbox_message" SET "status" = {sending}, '
            f'"locked_by" = {params.bind(self.name)}, "locked_until" = {params.bind(now + self.lease)}, '
            f'"attempts" = "attempts" + 1, "last_error" = CASE WHEN "status" = {sending} '
            f'THEN CAST({params.bind(LEASE_RAN_OUT)} AS TEXT) || COALESCE("locked_by", \'\') ELSE "last_error" END '
            'WHERE "id" IN (SELECT "id" FROM "outbox_message" '
            f'WHERE (("status" IN ({due}) AND "next_attempt_at" <= {params.bind(now)}) '
            f'OR ("status" = {sending} AND "locked_until" < {params.bind(now)})) '
            f'AND "channel" = {params.bind(self.channel.value)} '
            f'ORDER BY "id" LIMIT {params.bind(self.batch)}{lock}) RETURNING "id", "last_error"'
        )
        rows = await connection.execute_query_dict(sql, params.values)
        ids = [row["id"] for row in rows]
        if takeovers := sum(str(row["last_error"]).startswith(LEASE_RAN_OUT) for row in rows):
            LEASE_TAKEOVERS.labels(worker=self.name).inc(takeovers)
        return await OutboxMessage.filter(id__in=ids).order_by("id") if ids else []

    async def _retry(self, row: OutboxMessage, error: str, *, code: int | None, refused: object = None) -> None:
        if row.attempts >= MAX_ATTEMPTS:
            await self._finish(
                row, MailStatus.FAILED, error=f"gave up after {row.attempts} attempts: {error}", code=code
            )
            return
        await self._update(
            row,
            status=MailStatus.RETRY,
            next_attempt_at=utcnow() + backoff(row.attempts),
            last_error=error,
            last_code=code,
            refused=refused,
            sent_at=None,  # an SMS's reservation under the send limits lapses
        )

    async def _requeue(self, rows: list[OutboxMessage], error: str, *, code: int | None = None) -> None:
        """Rows that could not even be tried (no server): they wait, however long the outage lasts."""
        for row in rows:
            await self._update(
                row,
                status=MailStatus.RETRY,
                next_attempt_at=utcnow() + backoff(row.attempts),
                last_error=error,
                last_code=code,
                sent_at=None,
            )

    async def _finish(
        self,
        row: OutboxMessage,
        status: MailStatus,
        *,
        error: str = "",
        code: int | None = None,
        refused: object = None,
    ) -> None:
        sent_at = utcnow() if status is MailStatus.SENT else None
        await self._update(row, status=status, last_error=error, last_code=code, refused=refused, sent_at=sent_at)

    async def _renew(self, sent: list[int]) -> None:
        await self._sent(sent)
        sent.clear()
        await OutboxMessage.filter(status=MailStatus.SENDING, locked_by=self.name).update(
            locked_until=utcnow() + self.lease
        )

    async def _sent(self, ids: list[int]) -> None:
        if ids:
            await OutboxMessage.filter(id__in=ids, status=MailStatus.SENDING, locked_by=self.name).update(
                status=MailStatus.SENT,
                sent_at=utcnow(),
                locked_by=None,
                locked_until=None,
                last_error="",
                last_code=None,
            )

    async def _update(self, row: OutboxMessage, **values: object) -> None:
        """Record an outcome only while this worker still holds the row's lease."""
        await OutboxMessage.filter(id=row.id, status=MailStatus.SENDING, locked_by=self.name).update(
            locked_by=None, locked_until=None, **values
        )


@dataclass
class Worker(OutboxWorker):
    """The mail worker: one SMTP connection (or folder of `.eml` files) per batch."""

    channel: ClassVar[Channel] = Channel.MAIL
    transport: Transport
    sender: str
    sender_name: str = ""  # for mails that name no sender of their own (settings.MAIL_FROM_NAME)

    async def drain_once(self) -> int:
        """Claim one batch of due rows and send them over one connection; answers how many were claimed."""
        rows = await self.claim()
        if not rows:
            return 0
        sent: list[int] = []
        try:
            async with self.transport.connect() as connection:
                for index, row in enumerate(rows):
                    if index and index % RENEW_EVERY == 0:
                        await self._renew(sent)  # a slow server must not let the lease run out mid-batch
                    if not await self._send(connection, row, sent):
                        await self._requeue(rows[index + 1 :], "connection lost")
                        break
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:  # could not connect (or log in) at all
            log.warning("mail server unavailable: %s", exc)
            await self._requeue(
                [row for row in rows if row.id not in sent],
                f"{type(exc).__name__}: {exc}",
                code=getattr(exc, "code", None),
            )
        finally:
            await self._sent(sent)
        if sent:
            await pull_forward_after_outage()
        return len(rows)

    async def compose(self, row: OutboxMessage) -> MIMEMultipart:
        """The mail of an outbox row as it leaves: rendered now, with the calendar part as the event is now."""
        return build_message(
            render(row.template, row.locale, row.context),
            to=row.to_addr,
            to_name=row.to_name,
            sender=self.sender,
            sender_name=row.from_name or self.sender_name,
            message_id=row.message_id,
            calendar=await parts.build(row.calendar),
        )

    async def _send(self, connection: Connection, row: OutboxMessage, sent: list[int]) -> bool:
        """Send one row and record the outcome; False when the connection is gone (the rest must wait)."""
        try:
            message = await self.compose(row)
            if row.request_id:
                message["X-Request-ID"] = row.request_id  # traces the mail back to the request that caused it
        except Exception as exc:  # a template or builder that cannot render this row will never succeed
            log.exception("cannot build mail %s", row.id)
            await self._finish(row, MailStatus.FAILED, error=f"build: {type(exc).__name__}: {exc}")
            return True
        try:
            refused = await connection.send(message)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = {r.recipient: (r.code, r.message) for r in exc.recipients}
            worst = max(code for code, _ in codes.values())
            # the server's own words; the codes stay structured in `refused`
            await self._outcome(row, worst, "; ".join(message for _, message in codes.values()), refused=codes)
            return True
        except aiosmtplib.SMTPResponseException as exc:
            await self._outcome(row, exc.code, exc.message)
            return exc.code != SERVER_UNAVAILABLE
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self._requeue([row], f"{type(exc).__name__}: {exc}")
            return False
        if refused:
            await self._finish(row, MailStatus.SENT, refused=dict(refused))
        else:
            sent.append(row.id)  # recorded with the rest of the batch: one statement instead of one per mail
        return True

    async def _outcome(self, row: OutboxMessage, code: int, error: str, *, refused: object = None) -> None:
        if 400 <= code < 500:
            await self._retry(row, error, code=code, refused=refused)
        else:
            await self._finish(row, MailStatus.FAILED, error=error, code=code, refused=refused)
