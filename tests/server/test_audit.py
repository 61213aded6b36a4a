"""The audit helper writes inside the caller's transaction, or refuses."""

from __future__ import annotations

import pytest
from tortoise.transactions import in_transaction

from server import audit
from server.models import AuditEntry, Region


async def test_record_refuses_to_run_outside_a_transaction(db: str) -> None:
    region = await Region.get(code="lixia")
    with pytest.raises(RuntimeError, match="inside the transaction"):
        await audit.record("system", "region.touch", region)


async def test_an_entry_rolls_back_with_the_change_it_records(db: str) -> None:
    region = await Region.get(code="lixia")
    with pytest.raises(ZeroDivisionError):
        async with in_transaction():
            await audit.record("system", "region.touch", region, before={"a": 1}, after={"a": 2})
            raise ZeroDivisionError
    assert not await AuditEntry.filter(action="region.touch").exists()
    async with in_transaction():
        await audit.record("system", "region.touch", region, before={"a": 1}, after={"a": 2})
    entry = await AuditEntry.get(action="region.touch")
    assert (entry.actor_label, entry.object_type, entry.object_id, entry.after) == (
        "system",
        "Region",
        str(region.id),
        {"a": 2},
    )
