"""Prometheus metrics: what the processes count, what the database holds at scrape time, and /metrics.

Several app processes (`serve --workers N`) and a `quancheng worker` on the same host share one view through
prometheus-client's multiprocess mode: `use_directory` (called by the `quancheng` command before any metric
is touched) points every process at DATA_DIR/metrics, where each writes its counters to files named by its
pid, and a scrape of any process sums them. Hosts are scraped one by one. The outbox figures are read from the
database at scrape time, so any host gives the whole cluster's.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import shutil
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import ParamSpec, Protocol, TypeVar

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from tortoise import connections

from server.api import error_locale
from server.clock import utcnow
from server.errors import AuthenticationRequired, DomainError, NotFound, problem_response

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

REQUEST_SECONDS = Histogram(
    "quancheng_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template, method and status class",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
REGISTRATIONS = Counter(
    "quancheng_registrations",
    "Registration attempts by outcome (confirmed, pending, waitlisted, refused) and the refusal's reason",
    ["outcome", "reason"],
)
LEASE_TAKEOVERS = Counter(
    "quancheng_mail_lease_takeovers",
    "Outbox rows a mail worker claimed after another worker's lease on them ran out",
    ["worker"],
)
POOL_CONNECTIONS = Gauge(
    "quancheng_db_pool_connections",
    "Connections in the PostgreSQL pool of the live app processes, by state (in_use, idle, max)",
    ["state"],
    multiprocess_mode="livesum",
)


def use_directory(directory: Path, *, clean: bool) -> None:
    """Keep this process's metrics in `directory` (shared with the other processes of this host).

    `clean` empties it first: the app server does, once, before it starts its workers; stale files of dead
    processes would otherwise keep counting. prometheus-client picks its storage when imported, so the choice
    is made again here, before any labelled metric has a child.
    """
    if clean:
        shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)
    os.environ[MULTIPROCESS_VARIABLE] = str(directory)
    values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]


def leave() -> None:
    """Drop this stopping process's live gauges (pool use) from the host's sum; its counters still count."""
    if MULTIPROCESS_VARIABLE in os.environ:
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


class _Created(Protocol):
    @property
    def status(self) -> object: ...


P = ParamSpec("P")
C = TypeVar("C", bound=_Created)


def counts_registrations(register: Callable[P, Awaitable[C]]) -> Callable[P, Awaitable[C]]:
    """Count each call of `register` by its outcome: the new registration's status, or the refusal's key."""

    @wraps(register)
    async def counted(*args: P.args, **kwargs: P.kwargs) -> C:
        try:
            created = await register(*args, **kwargs)
        except DomainError as refusal:
            REGISTRATIONS.labels(outcome="refused", reason=refusal.key).inc()
            raise
        REGISTRATIONS.labels(outcome=str(created.status), reason="").inc()
        return created

    return counted


# After a request, the pool's use is recorded at most once a second per process: setting the three gauges costs
# about 0.07 ms (each is a write to the process's metrics file), which every request of a rush paid. A scrape
# records it at once, so the gauges are at most a second old for the other processes and current for this one.
POOL_OBSERVED_EVERY = 1.0
_pool_observed_at = float("-inf")


def observe_pool(*, now: bool = False) -> None:
    """Record this process's PostgreSQL pool use (asyncpg's pool; SQLite has one connection and no pool): `now`,
    or if the last record is older than POOL_OBSERVED_EVERY."""
    global _pool_observed_at
    if not now and time.monotonic() - _pool_observed_at < POOL_OBSERVED_EVERY:
        return
    pool = getattr(connections.get("default"), "_pool", None)
    if pool is None or not hasattr(pool, "get_size"):
        return
    _pool_observed_at = time.monotonic()
    size, idle = pool.get_size(), pool.get_idle_size()
    POOL_CONNECTIONS.labels(state="in_use").set(size - idle)
    POOL_CONNECTIONS.labels(state="idle").set(idle)
    POOL_CONNECTIONS.labels(state="max").set(pool.get_max_size())


async def outbox_families() -> list[Metric]:
    """Outbox depth by state and the age of the oldest mail waiting to be sent, read now from the database."""
    connection = connections.get("default")
    counts = await connection.execute_query_dict(
        'SELECT "status", COUNT(*) AS "count" FROM "outbox_message" GROUP BY "status"'
    )
    oldest = await connection.execute_query_dict(
        'SELECT MIN("next_attempt_at") AS "due" FROM "outbox_message" WHERE "status" IN (\'pending\', \'retry\')'
    )
    depth = GaugeMetricFamily("quancheng_outbox_messages", "Outbox rows by state", labels=["state"])
    for row in counts:
        depth.add_metric([str(row["status"])], float(row["count"]))
    age = GaugeMetricFamily(
        "quancheng_outbox_oldest_pending_age_seconds",
        "Seconds since the oldest pending or retrying mail became due (0 when none waits)",
    )
    due = oldest[0]["due"] if oldest else None
    if isinstance(due, str):  # SQLite returns the text it stored
        due = datetime.fromisoformat(due)
    age.add_metric([], max(0.0, (utcnow() - due).total_seconds()) if due else 0.0)
    return [depth, age]


class _Fixed(Collector):
    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterator[Metric]:
        return iter(self.families)


async def exposition() -> bytes:
    """The text exposition: every process's counters on this host, then the database's figures."""
    database = CollectorRegistry()
    database.register(_Fixed(await outbox_families()))
    observe_pool(now=True)  # after the queries: the pool is opened by the first one
    registry = CollectorRegistry()
    if MULTIPROCESS_VARIABLE in os.environ:
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        processes = generate_latest(registry)
    else:
        processes = generate_latest(REGISTRY)
    return processes + generate_latest(database)


def _loopback(request: Request) -> bool:
    try:
        return request.client is not None and ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:  # not an address (a test client's name)
        return False


def _authorised(request: Request, token: str) -> bool:
    if not token:
        return _loopback(request)
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


async def metrics_endpoint(request: Request) -> Response:
    """GET /metrics: with METRICS_TOKEN set, only for its Bearer (else 401); unset, only for loopback (else 404)."""
    token: str = request.app.state.settings.METRICS_TOKEN
    if not _authorised(request, token):
        refusal: DomainError = AuthenticationRequired() if token else NotFound()
        response = problem_response(refusal, error_locale(request))
        if token:
            response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return Response(await exposition(), media_type=CONTENT_TYPE_LATEST)
