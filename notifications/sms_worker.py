"""The SMS worker: claims due SMS rows of the outbox (the same lease, retry and backoff as mail) and hands
each to the gateway, after checking the send limits.

Limits are counted from the outbox's own sent rows (indexed by number and time, and by topic), at send time:
no counter row that registrations would queue on. A message over a limit fails with the limit as its reason,
shown to the organiser with the other failures; nothing is dropped silently.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar

import httpx
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from notifications.models import Channel, MailStatus, OutboxMessage, SmsNotice
from notifications.sms import FileGateway, Gateway, GatewayRefused, Sms
from notifications.sms_gateways import gateway_for
from notifications.worker import RENEW_EVERY, OutboxWorker
from server.clock import utcnow
from server.db import Params
from server.settings import Settings, sms_templates

log = logging.getLogger("quancheng.sms")
HOUR, DAY = timedelta(hours=1), timedelta(hours=24)


@dataclass(frozen=True)
class SmsLimits:
    """At most this many SMS per number in any hour and any 24 hours, and per event in any 24 hours."""

    per_number_hour: int = 5
    per_number_day: int = 10
    per_event_day: int = 2000


@dataclass
class SmsWorker(OutboxWorker):
    channel: ClassVar[Channel] = Channel.SMS
    gateway: Gateway
    limits: SmsLimits = SmsLimits()

    async def drain_once(self) -> int:
        rows = await self.claim()
        for index, row in enumerate(rows):
            if index and index % RENEW_EVERY == 0:
                await self._renew([])
            reason = await self.over_limit(row)
            if reason:
                await self._finish(row, MailStatus.FAILED, error=reason)
                continue
            sms = Sms(row.message_id, row.to_addr, SmsNotice(row.template), {k: str(v) for k, v in row.context.items()})
            try:
                await self.gateway.send(sms)
            except GatewayRefused as refused:
                if refused.retry:
                    await self._retry(row, str(refused), code=None)
                else:
                    await self._finish(row, MailStatus.FAILED, error=str(refused))
            except (httpx.TransportError, OSError) as exc:  # the gateway is unreachable: the rest wait with it
                log.warning("sms gateway unavailable: %s", exc)
                await self._requeue(rows[index:], f"gateway unavailable: {type(exc).__name__}: {exc}")
                break
            else:
                await self._finish(row, MailStatus.SENT)
        return len(rows)

    async def over_limit(self, row: OutboxMessage) -> str:
        """The limit this row would exceed if sent now, as the reason it fails; empty when it may go, and then it
        counts against the limits from now on (its `sent_at`, set while it is still `sending`).

        Reserved, then checked, in one transaction under a lock per number and per event (PostgreSQL advisory
        locks, the number's first), so two workers never both take the last place under a limit. On SQLite the
        reservation, the transaction's first statement, takes the database's write lock, so the checks of two
        processes take turns the same way (checked first, a process would read under a snapshot that the other's
        commit leaves stale, and its write would fail as "database is locked"). A reservation over a limit is
        withdrawn before the commit, and one lapses with the row's outcome: only a sent row keeps its `sent_at`."""
        async with in_transaction() as connection:
            await one_at_a_time(connection, row)
            mine = OutboxMessage.filter(id=row.id, status=MailStatus.SENDING, locked_by=self.name)
            await mine.update(sent_at=utcnow())
            reason = await self._limit_reached(row)
            if reason:
                await mine.update(sent_at=None)
        return reason

    async def _limit_reached(self, row: OutboxMessage) -> str:
        now = utcnow()
        # Sent, or reserved by a worker about to send (`sending` with `sent_at`), this row aside.
        counted = OutboxMessage.filter(
            channel=Channel.SMS, status__in=[MailStatus.SENT, MailStatus.SENDING], sent_at__gt=now - DAY
        ).exclude(id=row.id)
        to_number = counted.filter(to_addr=row.to_addr)
        if await to_number.filter(sent_at__gt=now - HOUR).count() >= self.limits.per_number_hour:
            return f"limit: {self.limits.per_number_hour} SMS per number per hour already sent to {row.to_addr}"
        if await to_number.count() >= self.limits.per_number_day:
            return f"limit: {self.limits.per_number_day} SMS per number per 24 hours already sent to {row.to_addr}"
        if await counted.filter(topic=row.topic).count() >= self.limits.per_event_day:
            return f"limit: {self.limits.per_event_day} SMS per event per 24 hours already sent"
        return ""


async def one_at_a_time(connection: BaseDBAsyncClient, row: OutboxMessage) -> None:
    """Until the transaction ends, no other worker checks a row to the same number or about the same event."""
    params = Params(connection)
    if params.postgres:
        keys = (f"sms:number:{row.to_addr}", f"sms:topic:{row.topic}")
        locks = ", ".join(f"pg_advisory_xact_lock(hashtext({params.bind(key)}))" for key in keys)
        await connection.execute_query(f"SELECT {locks}", params.values)


def sms_worker(settings: Settings) -> SmsWorker:
    """The SMS worker the settings describe: a provider when SMS_URL is set, else `.sms.json` files in SMS_DIR."""
    gateway: Gateway = FileGateway(settings.SMS_DIR, settings.SMS_SIGN_NAME)
    if settings.SMS_URL:
        gateway = gateway_for(settings.SMS_URL, settings.SMS_SIGN_NAME, sms_templates(settings.SMS_TEMPLATES))
    limits = SmsLimits(settings.SMS_LIMIT_PER_HOUR, settings.SMS_LIMIT_PER_DAY, settings.SMS_LIMIT_PER_EVENT)
    return SmsWorker(gateway=gateway, limits=limits)
