"""The audit log helper: every state change records who did what to which object, before and after."""

from __future__ import annotations

from typing import Any, TypedDict, Unpack

from tortoise.models import Model

from server.db import Rows, in_transaction_now, insert_together
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
    await insert_together(rows(entries))


def rows(entries: list[dict[str, Any]]) -> Rows:
    """The entries as rows for `server.db.insert_together`, for a caller that writes them with other rows in one
    round trip; refuses outside a transaction."""
    if not in_transaction_now():
        raise RuntimeError("audit.record must run inside the transaction that makes the change")
    return Rows(AuditEntry, entries)


PERSONAL_KEYS = frozenset({"email", "name", "phone"})
FORGOTTEN = "forgotten"


async def forget(object_type: str, object_ids: list[str], *, actor_id: int | None = None) -> int:
    """The audit entries about these objects (and those `actor_id` wrote) keep their actions, times and numbers
    but lose the identity: personal values in `before`/`after` and the actor's label become FORGOTTEN. Call inside
    the erasure's transaction; answers how many entries changed."""
    if not in_transaction_now():
        raise RuntimeError("audit.forget must run inside the transaction of the erasure")
    changed = 0
    about = await AuditEntry.filter(object_type=object_type, object_id__in=object_ids) if object_ids else []
    for row in about:
        before, after = _forgotten(row.before), _forgotten(row.after)
        if (before, after) != (row.before, row.after):
            await AuditEntry.filter(id=row.id).update(before=before, after=after)
            changed += 1
    if actor_id is not None:
        changed += (
            await AuditEntry.filter(actor_id=actor_id).exclude(actor_label=FORGOTTEN).update(actor_label=FORGOTTEN)
        )
    return changed


def _forgotten(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {key: FORGOTTEN if key in PERSONAL_KEYS and value else value for key, value in values.items()}
