"""What organisers and admins see of delivery: counts by state, failures, and putting failed mail back."""

from __future__ import annotations

from tortoise.functions import Count

from notifications.models import MailStatus, OutboxMessage
from server.clock import utcnow


async def counts(topic: str) -> dict[str, int]:
    rows = await OutboxMessage.filter(topic=topic).group_by("status").annotate(n=Count("id")).values("status", "n")
    result = {status.value: 0 for status in MailStatus}
    result.update({str(row["status"]): int(row["n"]) for row in rows})
    return result


async def failures(topic: str, limit: int = 50) -> list[OutboxMessage]:
    return await OutboxMessage.filter(topic=topic, status=MailStatus.FAILED).order_by("-id").limit(limit)


async def retry_failed(topic: str) -> int:
    """Failed mails of a topic go out again, with a fresh count of attempts."""
    return await OutboxMessage.filter(topic=topic, status=MailStatus.FAILED).update(
        status=MailStatus.PENDING, attempts=0, next_attempt_at=utcnow(), last_error=""
    )
