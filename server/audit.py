"""The audit log helper: every state change records who did what to which object, before and after."""

from __future__ import annotations

from typing import Any

from tortoise.models import Model

from server.db import in_transaction_now, insert_rows
from server.fields import fit
from server.logs import request_id
from server.models import AuditEntry, User


async def record(
    actor: User | str | None,
    action: str,
    obj: Model,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    organisation_id: int | None = None,
) -> None:
    """Write one audit entry inside the caller's transaction, so the change and its record commit together.

    `actor` is the signed-in user, or a label such as "system" or "manage-token" when there is none. The entry
    names the request that made the change (none for background jobs).
    """
    if not in_transaction_now():
        raise RuntimeError("audit.record must run inside the transaction that makes the change")
    label = actor.email if isinstance(actor, User) else (actor or "anonymous")
    await insert_rows(
        AuditEntry,
        [
            {
                "actor_id": actor.id if isinstance(actor, User) else None,
                "actor_label": fit(AuditEntry, "actor_label", label),
                "action": action,
                "object_type": type(obj).__name__,
                "object_id": str(getattr(obj, "id", None) or obj.pk),  # the public id where a model has one
                "organisation_id": organisation_id,
                "before": before,
                "after": after,
                "request_id": request_id.get(),
            }
        ],
    )
