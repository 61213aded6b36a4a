"""Enqueueing mail: rows written in the caller's transaction, so a mail exists exactly when its cause does."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from notifications.models import MailStatus, OutboxMessage
from notifications.templates import TEMPLATES
from server.audit import in_transaction_now
from server.clock import utcnow


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
        OutboxMessage(
            dedupe_key=mail.dedupe_key,
            topic=mail.topic,
            supersede_key=mail.supersede_key,
            template=mail.template,
            locale=mail.locale,
            to_addr=mail.to,
            to_name=mail.to_name,
            from_name=mail.from_name,
            context=mail.context,
            calendar=mail.calendar,
            message_id=uuid.uuid4().hex,
            next_attempt_at=now,
        )
        for mail in mails
    ]
    db = connections.get("default")
    sql, columns = _insert(db)
    fields = OutboxMessage._meta.fields_map
    await db.execute_many(
        sql, [[fields[name].to_db_value(getattr(row, name), row) for name in columns] for row in rows]
    )


_inserts: dict[str, tuple[str, list[str]]] = {}


def _insert(db: BaseDBAsyncClient) -> tuple[str, list[str]]:
    """The outbox's `INSERT ... ON CONFLICT DO NOTHING` in the connection's dialect, and the fields it takes, built
    once: `bulk_create(ignore_conflicts=True)` builds it anew on every call, the larger part of a registration's
    CPU time."""
    dialect = db.capabilities.dialect
    if dialect not in _inserts:
        executor = db.executor_class(model=OutboxMessage, db=db)
        columns = [OutboxMessage._meta.fields_db_projection[name] for name in executor.regular_columns]
        statement = executor._prepare_insert_statement(columns, has_generated=False, ignore_conflicts=True)
        _inserts[dialect] = (str(statement), executor.regular_columns)
    return _inserts[dialect]
