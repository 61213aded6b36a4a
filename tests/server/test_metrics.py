"""/metrics: counters move with what happens, the outbox is read at scrape time, and only the right callers see it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator, MutableMapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette

from notifications.models import MailStatus, OutboxMessage
from notifications.transport import FileTransport
from notifications.worker import LEASE_RAN_OUT, Worker
from server import metrics
from server.app import create_app
from server.clock import utcnow
from server.settings import Settings, load_settings
from tests.events.support import organiser, published_event, register

TOKEN = "m" * 40


async def scrape(client: httpx.AsyncClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape as {(name, sorted labels): value}."""
    answer = await client.get("/metrics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def remote_client(app: Starlette) -> httpx.AsyncClient:
    """A client whose address is not loopback (as behind a proxy that passes the real address on)."""
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def token_app(db: str, tmp_path: Path) -> AsyncIterator[Settings]:
    yield load_settings(DATABASE_URL=db, DATA_DIR=tmp_path, SECRET_KEY="k" * 40, METRICS_TOKEN=TOKEN)


def client_for(settings: Settings, host: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(settings, manage_database=False), client=(host, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_a_registration_moves_the_counters_the_histogram_and_the_outbox_depth(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=1, waitlist_enabled=False)
    before = await scrape(client)
    assert (await register(client, event_id, "first@example.cn")).status_code == 201
    assert (await register(client, event_id, "second@example.cn")).status_code == 409  # sold out
    after = await scrape(client)
    registrations = "quancheng_registrations_total"
    confirmed = value(after, registrations, outcome="confirmed", reason="")
    assert confirmed - value(before, registrations, outcome="confirmed", reason="") == 1
    refused = {"outcome": "refused", "reason": "error.sold_out"}
    assert value(after, registrations, **refused) - value(before, registrations, **refused) == 1
    route = {"route": "/api/v1/events/{event_id:int}/registrations", "method": "POST"}
    requests = "quancheng_http_request_duration_seconds_count"
    assert value(after, requests, **route, status="2xx") - value(before, requests, **route, status="2xx") == 1
    assert value(after, requests, **route, status="4xx") - value(before, requests, **route, status="4xx") == 1
    assert value(after, "quancheng_outbox_messages", state="pending") == 1  # the confirmation mail waits
    assert value(before, "quancheng_outbox_messages", state="pending") == 0


async def test_the_oldest_pending_mail_ages_and_drops_to_zero_when_sent(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    await register(client, event_id, "waiting@example.cn")
    await OutboxMessage.all().update(next_attempt_at=utcnow() - timedelta(minutes=10))
    age = value(await scrape(client), "quancheng_outbox_oldest_pending_age_seconds")
    assert 600 <= age < 660
    await Worker(FileTransport(tmp_path / "mail"), sender="events@quancheng.localhost").drain_once()
    after = await scrape(client)
    assert value(after, "quancheng_outbox_oldest_pending_age_seconds") == 0
    assert value(after, "quancheng_outbox_messages", state="sent") == 1
    assert value(after, "quancheng_outbox_messages", state="pending") == 0


async def test_a_worker_taking_over_an_expired_lease_is_counted(client: httpx.AsyncClient, tmp_path: Path) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    for n in range(3):
        await register(client, event_id, f"lease{n}@example.cn")
    mail = FileTransport(tmp_path / "mail")
    crashed = Worker(mail, sender="events@quancheng.localhost", name="crashed")
    survivor = Worker(mail, sender="events@quancheng.localhost", name="survivor")
    before = value(await scrape(client), "quancheng_mail_lease_takeovers_total", worker="survivor")
    assert len(await crashed.claim()) == 3
    assert await survivor.drain_once() == 0  # a live lease is not taken over
    await OutboxMessage.all().update(locked_until=utcnow() - timedelta(seconds=1))
    assert await survivor.drain_once() == 3
    after = value(await scrape(client), "quancheng_mail_lease_takeovers_total", worker="survivor")
    assert after - before == 3
    assert await OutboxMessage.filter(status=MailStatus.SENT).count() == 3


async def test_a_fresh_claim_is_not_a_takeover(client: httpx.AsyncClient, tmp_path: Path) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    await register(client, event_id, "fresh@example.cn")
    before = value(await scrape(client), "quancheng_mail_lease_takeovers_total", worker="first")
    assert await Worker(FileTransport(tmp_path / "m"), sender="e@x.cn", name="first").drain_once() == 1
    assert value(await scrape(client), "quancheng_mail_lease_takeovers_total", worker="first") == before
    assert not (await OutboxMessage.get()).last_error.startswith(LEASE_RAN_OUT)


async def test_without_a_token_only_loopback_clients_are_answered(remote_client: httpx.AsyncClient) -> None:
    async with remote_client:
        answer = await remote_client.get("/metrics", headers={"Accept-Language": "en"})
    assert answer.status_code == 404 and answer.json()["title"] == "Not found"


async def test_with_a_token_every_client_needs_it(token_app: Settings) -> None:
    async with client_for(token_app, "127.0.0.1") as local, client_for(token_app, "203.0.113.9") as remote:
        assert (await local.get("/metrics")).status_code == 401  # loopback alone is not enough once a token is set
        wrong = await remote.get("/metrics", headers={"Authorization": "Bearer " + "x" * 40})
        assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"].startswith("Bearer")
        assert (await remote.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"})).status_code == 401
        accepted = await remote.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert accepted.status_code == 200 and "quancheng_outbox_messages" in accepted.text


def test_several_processes_on_one_host_add_up_in_one_scrape(tmp_path: Path) -> None:
    """Multiprocess mode: counts made in other processes appear in a scrape of this one."""
    script = textwrap.dedent(
        f"""
        import multiprocessing, sys
        from pathlib import Path
        from server import metrics
        from prometheus_client import CollectorRegistry, generate_latest, multiprocess

        def count(outcome):
            metrics.REGISTRATIONS.labels(outcome=outcome, reason="").inc()

        if __name__ == "__main__":
            (Path({str(tmp_path)!r}) / "metrics" / "stale.db").parent.mkdir(parents=True)
            (Path({str(tmp_path)!r}) / "metrics" / "stale.db").write_bytes(b"left by a dead run")
            metrics.use_directory(Path({str(tmp_path)!r}) / "metrics", clean=True)
            context = multiprocessing.get_context("spawn")
            for outcome in ("confirmed", "confirmed", "waitlisted"):
                child = context.Process(target=count, args=(outcome,))
                child.start()
                child.join()
                assert child.exitcode == 0
            count("confirmed")
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            sys.stdout.write(generate_latest(registry).decode())
        """
    )
    (tmp_path / "scrape.py").write_text(script)
    done = subprocess.run(
        [sys.executable, str(tmp_path / "scrape.py")], capture_output=True, text=True, timeout=120, cwd=Path.cwd()
    )
    assert done.returncode == 0, done.stderr
    assert 'quancheng_registrations_total{outcome="confirmed",reason=""} 3.0' in done.stdout
    assert 'quancheng_registrations_total{outcome="waitlisted",reason=""} 1.0' in done.stdout


async def test_the_postgresql_pool_use_is_reported(client: httpx.AsyncClient, db: str) -> None:
    if not db.startswith("postgres"):
        pytest.skip("SQLite has one connection and no pool")
    samples = await scrape(client)
    assert value(samples, "quancheng_db_pool_connections", state="max") == 5  # Tortoise's default maxsize
    in_use, idle = (value(samples, "quancheng_db_pool_connections", state=state) for state in ("in_use", "idle"))
    assert in_use + idle >= 1 and in_use >= 0


async def test_a_process_leaves_the_hosts_live_gauges_when_its_lifespan_ends(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    left: list[int] = []
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    monkeypatch.setattr("prometheus_client.multiprocess.mark_process_dead", left.append)
    incoming = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[str] = []

    async def receive() -> dict[str, str]:
        return incoming.pop(0)

    async def send(message: MutableMapping[str, object]) -> None:
        sent.append(str(message["type"]))
        assert left == ([os.getpid()] if message["type"] == "lifespan.shutdown.complete" else [])

    await create_app(settings, manage_database=False)({"type": "lifespan", "state": {}}, receive, send)
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"] and left == [os.getpid()]


async def test_requests_record_the_pool_use_at_most_once_a_second_and_a_scrape_at_once(
    client: httpx.AsyncClient, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not db.startswith("postgres"):
        pytest.skip("SQLite has one connection and no pool")
    recorded: list[str] = []
    original = metrics.POOL_CONNECTIONS.labels

    def labels(*, state: str) -> Any:
        recorded.append(state)
        return original(state=state)

    monkeypatch.setattr(metrics.POOL_CONNECTIONS, "labels", labels)
    await scrape(client)
    assert recorded == ["in_use", "idle", "max"]
    for _ in range(5):
        assert (await client.get("/api/v1/events")).status_code == 200
    assert recorded == ["in_use", "idle", "max"]  # within the second: not again
    monkeypatch.setattr(metrics, "_pool_observed_at", time.monotonic() - metrics.POOL_OBSERVED_EVERY)
    assert (await client.get("/api/v1/events")).status_code == 200
    assert recorded == ["in_use", "idle", "max"] * 2
