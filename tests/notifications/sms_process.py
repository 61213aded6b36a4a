"""One SMS worker in a process of its own, on a test's SQLite database (two of them race for the limits as two
`serve --workers` processes would): `python -m tests.notifications.sms_process URL NAME [check-then-reserve]`.
Connected, it prints "ready" and waits for a line on its input; then it drains the due SMS through a slow gateway,
with a pause after each check of the limits, and prints how many rows it handled, how many it sent and what went
wrong, as one JSON line.
`check-then-reserve` is the negative control: the limits checked before the reservation is written."""

from __future__ import annotations

import asyncio
import json
import sys
import time

import pytest
from tortoise import Tortoise
from tortoise.transactions import in_transaction

from notifications.models import OutboxMessage
from notifications.sms import Sms
from notifications.sms_worker import SmsLimits, SmsWorker
from server.clock import utcnow
from server.db import tortoise_config


class SlowGateway:
    """Takes a moment per message, so that two workers' checks interleave."""

    def __init__(self) -> None:
        self.received: list[str] = []

    async def send(self, sms: Sms) -> str:
        await asyncio.sleep(0.002)
        self.received.append(sms.to)
        return sms.id


CHECKED = SmsWorker._limit_reached


async def limit_reached_slowly(worker: SmsWorker, row: OutboxMessage) -> str:
    """The check, then a pause: the moment in which two workers could both see the last place free."""
    reason = await CHECKED(worker, row)
    await asyncio.sleep(0.01)
    return reason


async def check_then_reserve(worker: SmsWorker, row: OutboxMessage) -> str:
    async with in_transaction():
        reason = await worker._limit_reached(row)
        if not reason:
            await OutboxMessage.filter(id=row.id).update(sent_at=utcnow())
    return reason


async def main(url: str, name: str, control: bool) -> None:
    await Tortoise.init(config=tortoise_config(url))
    patch = pytest.MonkeyPatch()
    patch.setattr(SmsWorker, "_limit_reached", limit_reached_slowly)
    if control:
        patch.setattr(SmsWorker, "over_limit", check_then_reserve)
    gateway = SlowGateway()
    worker = SmsWorker(gateway=gateway, limits=SmsLimits(per_number_hour=5), name=name, batch=4)
    handled, errors = 0, []
    print("ready", flush=True)
    await asyncio.to_thread(sys.stdin.readline)  # the go, when both processes are ready
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if not (claimed := await worker.drain_once()):
                break
            handled += claimed
        except Exception as exc:  # reported to the test, as a worker's loop would log it and go on
            errors.append(f"{type(exc).__name__}: {exc}")
    await Tortoise.close_connections()
    print(json.dumps({"handled": handled, "sent": len(gateway.received), "errors": errors}))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3:] == ["check-then-reserve"]))
