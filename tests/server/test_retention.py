"""Old rate-limit windows, ended sessions and idempotency answers are purged; nothing recent, no mail, no audit."""

from __future__ import annotations

from datetime import timedelta

import httpx

from events.models import IdempotencyRecord, Registration
from notifications.models import OutboxMessage
from server import retention
from server.app import RETENTION
from server.clock import utcnow
from server.models import AuditEntry, AuthToken, RateLimitBucket
from tests.events.support import organiser, published_event, register
from tests.support import log_in, sign_up


async def test_old_rows_go_and_recent_ones_stay(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    kept_key = {"Idempotency-Key": "kept-key-0001"}
    old_key = {"Idempotency-Key": "old-key-00001"}
    assert (await register(client, event_id, "old@x.cn", headers=old_key)).status_code == 201
    assert (await register(client, event_id, "new@x.cn", headers=kept_key)).status_code == 201
    await sign_up(client, "member@x.cn")
    ended = await log_in(client, "member@x.cn")
    await client.post("/api/v1/auth/logout", headers=ended)
    long_ago = utcnow() - timedelta(days=40)
    await AuthToken.filter(revoked_at__not_isnull=True).update(revoked_at=long_ago)
    await IdempotencyRecord.filter(registration__email="old@x.cn").update(created_at=long_ago)
    await RateLimitBucket.all().update(window_start=long_ago)
    mails, audit = await OutboxMessage.all().count(), await AuditEntry.all().count()

    deleted = await retention.purge(RETENTION)

    assert deleted["auth_token.revoked_at"] == 1 and deleted["rate_limit_bucket.window_start"] >= 2
    assert deleted["idempotency_record.created_at"] == 1
    assert await IdempotencyRecord.all().count() == 1  # the recent answer is still replayed
    replay = await register(client, event_id, "new@x.cn", headers=kept_key)
    assert replay.status_code == 201 and await Registration.filter(email="new@x.cn").count() == 1
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200  # live sessions stay
    assert (await OutboxMessage.all().count(), await AuditEntry.all().count()) == (mails, audit)
    retry = await register(client, event_id, "old@x.cn", headers=old_key)  # its answer is gone: no second seat
    assert retry.status_code == 409 and await Registration.filter(email="old@x.cn").count() == 1
    assert await retention.purge(RETENTION) == dict.fromkeys(deleted, 0)  # nothing more to do
