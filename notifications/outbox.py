"""Enqueueing mail and SMS: rows written in the caller's transaction, so a message exists exactly when its cause
does."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from notifications.models import Channel, MailStatus, OutboxMessage, SmsNotice
from notifications.sms import SMS_PARAMETERS
from notifications.templates import TEMPLATES
from server.clock import utcnow
from server.db import Rows, in_transaction_now, insert_together
from server.fields import fit
from server.logs import request_id

FORGOTTEN = "forgotten"  # the address of a message whose recipient asked to be forgotten


@dataclass(frozen=True)
class Mail:
    """One message to one recipient. `calendar` names a registered part builder and its arguments. An SMS
    (`channel=Channel.SMS`) names its notice as `template`, a +86 number as `to` and its parameters as `context`."""

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
    channel: Channel = Channel.MAIL
    request: str | None = field(default=None, metadata={"doc": "the request that caused it, if not the current one"})


class NotInTransaction(RuntimeError):
    pass


async def enqueue(*mails: Mail) -> None:
    """Write the mails' outbox rows inside the caller's transaction; refuses to run outside one.

    A dedupe key already present writes nothing (so a retried job never mails twice); pending mails with the
    same supersede key are marked superseded (a later update makes the earlier one pointless).
    """
    await insert_together(await prepare(*mails))


async def prepare(*mails: Mail) -> Rows:
    """What `enqueue` does but the insert: checks the mails, marks superseded mails, and returns the rows for
    `server.db.insert_together`, for a caller that writes them with other rows in one round trip."""
    if not in_transaction_now():
        raise NotInTransaction("enqueue must run inside the transaction of the change that causes the mail")
    for mail in mails:
        if mail.channel is Channel.SMS:
            if set(mail.context) != set(SMS_PARAMETERS[SmsNotice(mail.template)]):
                raise ValueError(f"SMS {mail.template} takes exactly {SMS_PARAMETERS[SmsNotice(mail.template)]}")
            continue
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
            "channel": mail.channel,
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
            "request_id": mail.request if mail.request is not None else request_id.get(),
        }
        for mail in mails
    ]
    return Rows(OutboxMessage, rows, ignore_conflicts=True)


async def supersede_topic(topic: str) -> None:
    """Mails about `topic` not yet sent are not sent: a change (an event cancelled) made what they say untrue.

    Call inside the change's transaction, before enqueueing the mails that tell what is true now."""
    if not in_transaction_now():
        raise NotInTransaction("supersede_topic must run inside the transaction of the change")
    await OutboxMessage.filter(topic=topic, status__in=[MailStatus.PENDING, MailStatus.RETRY]).update(
        status=MailStatus.SUPERSEDED
    )


async def forget(*, about: str | None = None, to_addr: str | None = None) -> int:
    """A person asked to be forgotten: their messages (those whose dedupe key names `about`, e.g. a registration's
    id, or addressed to `to_addr`) lose address, name and content, and those not yet sent are never sent. The
    rows stay, so the mail log keeps its counts. Answers how many rows changed."""
    if not in_transaction_now():
        raise NotInTransaction("forget must run inside the transaction of the erasure")
    if about is None and to_addr is None:
        return 0
    found = OutboxMessage.filter(dedupe_key__contains=about) if about else OutboxMessage.filter(to_addr=to_addr)
    await found.filter(status__in=[MailStatus.PENDING, MailStatus.RETRY]).update(status=MailStatus.SUPERSEDED)
    return await found.exclude(to_addr=FORGOTTEN).update(
        to_addr=FORGOTTEN, to_name="", context={}, calendar=None, refused=None
    )
