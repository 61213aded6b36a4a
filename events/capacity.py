"""Scarce capacity. Every seat is taken in `hold` and given back in `release`; nothing else moves `Quota.used`.

Invariant: for every quota, `used` equals its number of `QuotaHold` rows and never exceeds `size`. `hold` keeps it
with one guarded `UPDATE quota SET used = used + 1 WHERE id = ? AND used < size` per quota, in ascending id order,
inside the caller's transaction: never read-then-write. Paths that free capacity and offer it again in the same
transaction first lock all of the event's quota rows in ascending id order, so every path locks in one order.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import F
from tortoise.functions import Count

from events.models import Quota, QuotaHold, Registration
from server.audit import in_transaction_now


@dataclass(frozen=True)
class QuotaMap:
    """An event's quotas, to resolve which ones a registration counts against."""

    quotas: list[Quota]
    ticket_types_of: dict[int, set[int]]
    question_key_of: dict[int, str]  # quota id -> key of the question whose choice it limits

    def for_registration(self, ticket_type_id: int, answers: dict[str, object]) -> list[Quota]:
        return [
            quota
            for quota in self.quotas
            if quota.covers_all
            or ticket_type_id in self.ticket_types_of.get(quota.id, set())
            or (quota.id in self.question_key_of and self._chosen(quota, answers))
        ]

    def _chosen(self, quota: Quota, answers: dict[str, object]) -> bool:
        answer = answers.get(self.question_key_of[quota.id])
        return quota.choice_key in (answer if isinstance(answer, list) else [answer])


async def quota_map(event_id: int) -> QuotaMap:
    quotas = await Quota.filter(event_id=event_id).select_related("question").order_by("id")
    links: dict[int, set[int]] = {}
    for quota_id, ticket_type_id in await Quota.filter(event_id=event_id, ticket_types__id__isnull=False).values_list(
        "id", "ticket_types__id"
    ):
        links.setdefault(quota_id, set()).add(ticket_type_id)
    question_key_of = {q.id: q.question.key for q in quotas if q.question is not None}
    return QuotaMap(quotas=quotas, ticket_types_of=links, question_key_of=question_key_of)


def _require_transaction() -> None:
    if not in_transaction_now():
        raise RuntimeError("capacity changes must run inside the registration transaction")


async def hold(registration: Registration, quotas: list[Quota]) -> Quota | None:
    """Take one unit of every quota for `registration`, all or nothing.

    Returns None when all are held, or the first quota that is full (having given back what it took).
    """
    _require_transaction()
    taken: list[Quota] = []
    for quota in sorted(quotas, key=lambda q: q.id):
        if not await Quota.filter(id=quota.id, used__lt=F("size")).update(used=F("used") + 1):
            for earlier in taken:
                await Quota.filter(id=earlier.id).update(used=F("used") - 1)
            return quota
        taken.append(quota)
    if taken:
        await QuotaHold.bulk_create([QuotaHold(quota_id=q.id, registration_id=registration.seq) for q in taken])
    return None


async def release(registration: Registration) -> None:
    """Give back every unit `registration` holds."""
    _require_transaction()
    quota_ids = (
        await QuotaHold.filter(registration_id=registration.seq).order_by("quota_id").values_list("quota_id", flat=True)
    )
    for quota_id in quota_ids:
        await Quota.filter(id=quota_id).update(used=F("used") - 1)
    await QuotaHold.filter(registration_id=registration.seq).delete()


async def lock_event(event_id: int) -> None:
    """Lock the event's quota rows in ascending id order (PostgreSQL; SQLite serialises writers anyway)."""
    _require_transaction()
    await Quota.filter(event_id=event_id).order_by("id").select_for_update().values_list("id", flat=True)


@dataclass(frozen=True)
class Drift:
    quota_id: int
    event_id: int
    used: int
    holders: int


async def drift() -> list[Drift]:
    """Quotas whose `used` differs from their number of holds, or that are over their size."""
    rows = await Quota.annotate(holders=Count("holds")).values("id", "event_id", "used", "size", "holders")
    return [
        Drift(quota_id=row["id"], event_id=row["event_id"], used=row["used"], holders=row["holders"])
        for row in rows
        if row["used"] != row["holders"] or row["used"] > row["size"]
    ]
