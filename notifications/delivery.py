"""What organisers and admins see of delivery (mail and SMS): counts by state, failures, and putting failed
messages back."""

from __future__ import annotations

from tortoise.functions import Count

from notifications.models import Channel, MailStatus, OutboxMessage
from server.clock import utcnow


async def counts(topic: str) -> tuple[dict[str, int], dict[Channel, dict[str, int]]]:
    """Messages of a topic by state: over every channel, and per channel."""
    rows = (
        await OutboxMessage.filter(topic=topic)
        .group_by("channel", "status")
        .annotate(n=Count("id"))
        .values("channel", "status", "n")
    )
    total = {status.value: 0 for status in MailStatus}
    by_channel = {channel: dict(total) for channel in Channel}
    for row in rows:
        total[str(row["status"])] += int(row["n"])
        by_channel[Channel(row["channel"])][str(row["status"])] += int(row["n"])
    return total, by_channel


async def failures(topic: str, limit: int = 50) -> list[OutboxMessage]:
    return await OutboxMessage.filter(topic=topic, status=MailStatus.FAILED).order_by("-id").limit(limit)


async def retry_failed(topic: str) -> int:
    """Failed mails of a topic go out again, with a fresh count of attempts."""
    return await OutboxMessage.filter(topic=topic, status=MailStatus.FAILED).update(
        status=MailStatus.PENDING, attempts=0, next_attempt_at=utcnow(), last_error=""
    )
