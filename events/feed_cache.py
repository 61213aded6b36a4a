"""Public calendar feeds built once and served from the database to every app process (docs/architecture.md#calendars).

A feed's ETag is made from its version (`feeds.version`: what its events and their organisers are, read by one
aggregate query) and never from the built bytes, so an ETag that still matches the cached row means nothing the
feed shows has changed: the stored bytes are served as they are. Any change that moves an event's `updated_at` or
SEQUENCE, takes an event in or out of the feed, or renames its organiser gives a new ETag, and the next fetch
builds again. Personal feeds are not stored: they hold a person's registrations, which erasure must not chase.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from datetime import timedelta

from tortoise.transactions import in_transaction

from events.models import FeedCache
from server.clock import utcnow

# A stored feed is served for a day at most, so what its version does not cover (a new release's rendering, a
# renamed domain) shows within a day; older rows are dropped when another feed is built.
KEPT = timedelta(days=1)


def key_of(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


async def cached(key: str, etag: str, build: Callable[[], Awaitable[bytes]]) -> bytes:
    """The feed under `key` as built for `etag`, else built now and stored for the next fetch. Two processes
    building at once both store; the later write wins, and both wrote bytes for the same ETag."""
    now = utcnow()
    row = await FeedCache.get_or_none(key=key, etag=etag, built_at__gte=now - KEPT)
    if row is not None:
        return bytes(row.content)
    content = await build()
    async with in_transaction():
        updated = await FeedCache.filter(key=key).update(etag=etag, content=content, built_at=now)
        if not updated:
            await FeedCache.bulk_create(
                [FeedCache(key=key, etag=etag, content=content, built_at=now)], ignore_conflicts=True
            )
        await FeedCache.filter(built_at__lt=now - KEPT).delete()
    return content
