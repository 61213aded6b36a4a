"""The audit log helper: every state change records who did what to which object, before and after."""

from __future__ import annotations

from typing import Any, TypedDict, Unpack

from tortoise.models import Model

from server.db import in_transaction_now, insert_rows
from server.fields import fit
from server.logs import request_id
from server.models import AuditEntry, User


class Details(TypedDict, total=False):
    """What an entry may say besides who did what to which object."""

    before: dict[str, Any] | None
    after: dict[str, Any] | None
    organisation_id: int | None


async def record(actor: User | str | None, action: str, obj: Model, **details: Unpack[Details]) -> None:
    """Write one audit entry inside the caller's transaction, so the change and its record commit together.

    `actor` is the signed-in user, or a label such as "system" or "manage-token" when there is none. The entry
    names the request that made the change (none for background jobs).
    """
    await record_all([entry(actor, action, obj, **details)])


def entry(
    actor: User | str | None, action: str, obj: Model, *, request: str | None = None, **details: Unpack[Details]
) -> dict[str, Any]:
    """One audit entry as a row for `record_all`; `request` is the request id (by default the current request's)."""
    label = actor.email if isinstance(actor, User) else (actor or "anonymous")
    return {
        "actor_id": actor.id if isinstance(actor, User) else None,
        "actor_label": fit(AuditEntry, "actor_label", label),
        "action": action,
        "object_type": type(obj).__name__,
        "object_id": str(getattr(obj, "id", None) or obj.pk),  # the public id where a model has one
        "organisation_id": details.get("organisation_id"),
        "before": details.get("before"),
        "after": details.get("after"),
        "request_id": request if request is not None else request_id.get(),
    }


async def record_all(entries: list[dict[str, Any]]) -> None:
    """Write the entries (made by `entry`) in one go, inside the caller's transaction (a group of registrations)."""
    if not in_transaction_now():
        raise RuntimeError("audit.record must run inside the transaction that makes the change")
    await insert_rows(AuditEntry, entries)
