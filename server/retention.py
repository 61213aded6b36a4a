"""Rows that only matter for a while (rate-limit windows, ended sessions, idempotency answers), deleted once old.

Mail and audit rows are never purged here: the outbox is the mail log, and its dedupe keys keep mails from being
sent twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from tortoise.models import Model

from server.clock import utcnow

log = logging.getLogger("quancheng.retention")


@dataclass(frozen=True)
class Rule:
    model: type[Model]
    column: str  # a datetime column; rows where it is older than `keep` go
    keep: timedelta


async def purge(rules: tuple[Rule, ...]) -> dict[str, int]:
    """Delete what each rule says is old; returns the number of rows deleted per table and column."""
    now = utcnow()
    deleted = {}
    for rule in rules:
        count = await rule.model.filter(**{f"{rule.column}__lt": now - rule.keep}).delete()
        deleted[f"{rule.model._meta.db_table}.{rule.column}"] = count
    if any(deleted.values()):
        log.info("purged %s", deleted)
    return deleted
