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

from notifications.models import Channel, MailStatus, OutboxMessage, SmsNotice
from notifications.sms import FileGateway, Gateway, GatewayRefused, Sms
from notifications.sms_gateways import gateway_for
from notifications.worker import RENEW_EVERY, OutboxWorker
from server.clock import utcnow
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
        """The limit this row would exceed if sent now, as the reason it fails; empty when it may go."""
        now = utcnow()
        sent = OutboxMessage.filter(channel=Channel.SMS, status=MailStatus.SENT)
        to_number = sent.filter(to_addr=row.to_addr)
        if await to_number.filter(sent_at__gt=now - HOUR).count() >= self.limits.per_number_hour:
            return f"limit: {self.limits.per_number_hour} SMS per number per hour already sent to {row.to_addr}"
        if await to_number.filter(sent_at__gt=now - DAY).count() >= self.limits.per_number_day:
            return f"limit: {self.limits.per_number_day} SMS per number per 24 hours already sent to {row.to_addr}"
        if await sent.filter(topic=row.topic, sent_at__gt=now - DAY).count() >= self.limits.per_event_day:
            return f"limit: {self.limits.per_event_day} SMS per event per 24 hours already sent"
        return ""


def sms_worker(settings: Settings) -> SmsWorker:
    """The SMS worker the settings describe: a provider when SMS_URL is set, else `.sms.json` files in SMS_DIR."""
    gateway: Gateway = FileGateway(settings.SMS_DIR, settings.SMS_SIGN_NAME)
    if settings.SMS_URL:
        gateway = gateway_for(settings.SMS_URL, settings.SMS_SIGN_NAME, sms_templates(settings.SMS_TEMPLATES))
    limits = SmsLimits(settings.SMS_LIMIT_PER_HOUR, settings.SMS_LIMIT_PER_DAY, settings.SMS_LIMIT_PER_EVENT)
    return SmsWorker(gateway=gateway, limits=limits)
