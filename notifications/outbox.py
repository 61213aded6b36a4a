"""Enqueueing mail: rows written in the caller's transaction, so a mail exists exactly when its cause does."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from notifications.models import MailStatus, OutboxMessage
from notifications.templates import TEMPLATES
from server.audit import in_transaction_now
from server.clock import utcnow
from server.db import insert_rows
from server.fields import fit


@dataclass(frozen=True)
class Mail:
    """One mail to one recipient. `calendar` names a registered part builder and its arguments."""

    template: str
    to: str
    locale: str
    context: dict[str, object]
    dedupe_key: str
    topic: str
    to_name: str = ""
    from_name: str = ""
    calendar: dict[str, object] | None = None
    supersede_key: str | None = field(default=None, metadata={"doc": "pending mails with this key are replaced"})


class NotInTransaction(RuntimeError):
    pass


async def enqueue(*mails: Mail) -> None:
    """Write the mails' outbox rows inside the caller's transaction; refuses to run outside one.

    A dedupe key already present writes nothing (so a retried job never mails twice); pending mails with the
    same supersede key are marked superseded (a later update makes the earlier one pointless).
    """
    if not in_transaction_now():
        raise NotInTransaction("enqueue must run inside the transaction of the change that causes the mail")
    for mail in mails:
        unknown = set(mail.context) - set(TEMPLATES[mail.template].placeholders)
        if unknown:
            raise ValueError(f"{mail.template} has no placeholders {sorted(unknown)}")
    replaced = {mail.supersede_key for mail in mails if mail.supersede_key}
    if replaced:
        await OutboxMessage.filter(
            supersede_key__in=replaced, status__in=[MailStatus.PENDING, MailStatus.RETRY]
        ).update(status=MailStatus.SUPERSEDED)
    now = utcnow()
    rows = [
        {
            "dedupe_key": mail.dedupe_key,
            "topic": mail.topic,
            "supersede_key": mail.supersede_key,
            "template": mail.template,
            "locale": mail.locale,
            "to_addr": mail.to,
            "to_name": fit(OutboxMessage, "to_name", mail.to_name),
            "from_name": fit(OutboxMessage, "from_name", mail.from_name),
            "context": mail.context,
            "calendar": mail.calendar,
            "message_id": uuid.uuid4().hex,
            "next_attempt_at": now,
        }
        for mail in mails
    ]
    await insert_rows(OutboxMessage, rows, ignore_conflicts=True)
