"""Scarce capacity. Nothing outside this module writes `Quota.used` or `QuotaHold` rows; the paths that do:

- `take`: a group of registrations decided together takes seats (`registering.register`);
- `hold`: a registration takes a seat (the waiting list moving up in `offer_freed_seats`);
- `release`: a registration leaves a holding state (`registration.transition`);
- `adopt`: a new quota counts the registrations already holding seats of what it covers (`editing.add_quota`,
  and the event's capacity quota made on its first `capacity`).
Elsewhere a quota's `size` changes only where `used <= size` still holds (`editing._resize`), and deleting a quota
drops its holds with it.

Invariant: for every quota, `used` equals its number of `QuotaHold` rows and never exceeds `size`. `hold` keeps it
with one guarded `UPDATE quota SET used = used + 1 WHERE id = ? AND used + 1 <= size` per quota, in ascending id
order, inside the caller's transaction: never read-then-write. `take` reads the quotas only under their row locks
(`quota_map(..., lock=True)`, taken in ascending id order) and still writes with the same guard. Paths that free
capacity and offer it again in the same transaction first lock all of the event's quota rows in ascending id order,
so every path locks in one order.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise import connections
from tortoise.functions import Count

from events.models import HOLDING, Quota, QuotaHold, Registration
from server.db import Params, in_transaction_now


@dataclass(frozen=True)
class QuotaRef:
    """What a registration needs to know of a quota: which ticket types or which answer it limits."""

    id: int
    size: int
    used: int
    covers_all: bool
    is_event_capacity: bool
    ticket_types: frozenset[int]
    question_key: str | None
    choice_key: str | None

    def applies(self, ticket_type_id: int, answers: dict[str, object]) -> bool:
        if self.question_key is not None:
            answer = answers.get(self.question_key)
            return self.choice_key in (answer if isinstance(answer, list) else [answer])
        return self.covers_all or ticket_type_id in self.ticket_types


@dataclass(frozen=True)
class QuotaMap:
    """An event's quotas, to resolve which ones a registration counts against."""

    quotas: list[QuotaRef]
    locked: bool = False

    def for_registration(self, ticket_type_id: int, answers: dict[str, object]) -> list[QuotaRef]:
        return [quota for quota in self.quotas if quota.applies(ticket_type_id, answers)]


async def quota_map(event_id: int, *, lock: bool = False) -> QuotaMap:
    """The event's quotas in one query (this runs on every registration). With `lock`, their rows stay locked
    `FOR UPDATE` until the transaction ends (PostgreSQL; SQLite serialises writers anyway): registrations of the
    event then join its waiting list one transaction at a time, so each is told its true place."""
    connection = connections.get("default")
    params = Params(connection)
    for_update = ' FOR UPDATE OF "q"' if lock and params.postgres else ""
    rows = await connection.execute_query_dict(
        'SELECT q."id", q."size", q."used", q."covers_all", q."is_event_capacity", q."choice_key", '
        'qu."key" AS "question_key", qt."tickettype_id" FROM "quota" q '
        'LEFT JOIN "question" qu ON qu."id" = q."question_id" '
        'LEFT JOIN "quota_ticket_type" qt ON qt."quota_id" = q."id" '
        f'WHERE q."event_id" = {params.bind(event_id)} ORDER BY q."id"{for_update}',
        params.values,
    )
    ticket_types: dict[int, set[int]] = {}
    for row in rows:
        ticket_types.setdefault(row["id"], set()).update([row["tickettype_id"]] if row["tickettype_id"] else [])
    first_rows = {row["id"]: row for row in reversed(rows)}
    return QuotaMap(
        [
            QuotaRef(
                id=quota_id,
                size=row["size"],
                used=row["used"],
                covers_all=bool(row["covers_all"]),
                is_event_capacity=bool(row["is_event_capacity"]),
                ticket_types=frozenset(ticket_types[quota_id]),
                question_key=row["question_key"],
                choice_key=row["choice_key"],
            )
            for quota_id, row in sorted(first_rows.items())
        ],
        locked=lock,
    )


def _require_transaction() -> None:
    if not in_transaction_now():
        raise RuntimeError("capacity changes must run inside the registration transaction")


async def _add(quota_id: int, step: int, *, guarded: bool) -> bool:
    connection = connections.get("default")
    params = Params(connection)
    by = params.bind(step)
    guard = f' AND "used" + {by} <= "size"' if guarded else ""
    sql = f'UPDATE "quota" SET "used" = "used" + {by} WHERE "id" = {params.bind(quota_id)}{guard}'
    changed, _ = await connection.execute_query(sql, params.values)
    return bool(changed)


async def hold(registration: Registration, quotas: list[QuotaRef]) -> QuotaRef | None:
    """Take one unit of every quota for `registration`, all or nothing.

    Returns None when all are held, or the first quota that is full (having given back what it took).
    """
    _require_transaction()
    taken: list[QuotaRef] = []
    for quota in sorted(quotas, key=lambda q: q.id):
        if not await _add(quota.id, +1, guarded=True):
            for earlier in taken:
                await _add(earlier.id, -1, guarded=False)
            return quota
        taken.append(quota)
    if taken:
        await QuotaHold.bulk_create([QuotaHold(quota_id=q.id, registration_id=registration.seq) for q in taken])
    return None


async def take(quotas: QuotaMap, wanted: list[tuple[int, list[QuotaRef]]]) -> list[QuotaRef | None]:
    """Seats for a group of registrations decided together, given as (registration seq, the quotas that apply) in
    FIFO order: each in turn takes one unit of every quota that applies if all have room, all or nothing. Returns,
    in the same order, None for a seat or the first full quota.

    `quotas` must have been read by `quota_map(..., lock=True)` in this transaction, so their `used` is current and
    stays so; each quota is then moved once with the same guard (`used + n <= size`), and a guard that matches
    nothing (which the lock rules out) fails the whole group.
    """
    _require_transaction()
    if not quotas.locked:
        raise RuntimeError("take needs the quotas read under their lock (quota_map(..., lock=True))")
    used = {quota.id: quota.used for quota in quotas.quotas}
    holds: list[QuotaHold] = []
    outcomes: list[QuotaRef | None] = []
    for seq, applying in wanted:
        ordered = sorted(applying, key=lambda q: q.id)
        full = next((quota for quota in ordered if used[quota.id] >= quota.size), None)
        if full is None:
            for quota in ordered:
                used[quota.id] += 1
                holds.append(QuotaHold(quota_id=quota.id, registration_id=seq))
        outcomes.append(full)
    for quota in quotas.quotas:
        step = used[quota.id] - quota.used
        if step and not await _add(quota.id, step, guarded=True):
            raise RuntimeError(f"quota {quota.id} moved although it was locked")
    if holds:
        await QuotaHold.bulk_create(holds)
    return outcomes


async def release(registration: Registration) -> None:
    """Give back every unit `registration` holds."""
    _require_transaction()
    holds = await QuotaHold.filter(registration_id=registration.seq).order_by("quota_id")
    quota_ids = [held.quota_id for held in holds]
    for quota_id in quota_ids:
        await _add(quota_id, -1, guarded=False)
    await QuotaHold.filter(registration_id=registration.seq).delete()


async def adopt(quota: Quota) -> None:
    """Give a quota just made one hold for each registration already holding a seat of what it covers, and `used`
    their count (which may exceed its size: the caller decides whether that stands).

    The caller holds the event row locked, so no registration of the event takes or frees a seat meanwhile.
    """
    _require_transaction()
    holders = Registration.filter(event_id=quota.event_id, status__in=HOLDING)
    if not quota.covers_all:
        holders = holders.filter(ticket_type_id__in=[t.id for t in await quota.ticket_types.all()])
    seqs = await holders.values_list("seq", flat=True)
    await QuotaHold.bulk_create([QuotaHold(quota_id=quota.id, registration_id=seq) for seq in seqs])
    await Quota.filter(id=quota.id).update(used=len(seqs))


async def share_event(event_id: int) -> tuple[object, ...] | None:
    """Hold the event row in share mode (PostgreSQL): changes to the event's quotas wait for this transaction.

    Returns the event's version in the same statement (None if there is no such event): its uid, when it last
    changed, and its organisation's name and contact (what registration mails show), so that a registration can tell
    whether what it knows of the event still holds.
    """
    _require_transaction()
    connection = connections.get("default")
    params = Params(connection)
    share = ' FOR SHARE OF "e"' if params.postgres else ""
    rows = await connection.execute_query_dict(
        'SELECT "e"."uid", "e"."updated_at", "o"."name_zh", "o"."name_en", "o"."contact_email" FROM "event" "e" '
        f'JOIN "organisation" "o" ON "o"."id" = "e"."organisation_id" WHERE "e"."id" = {params.bind(event_id)}{share}',
        params.values,
    )
    return tuple(rows[0].values()) if rows else None


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
