"""The scale-out topology, run on one machine: hosts are network namespaces on a bridge (tests/cluster/hosts.py).

db (10.77.0.10): a PostgreSQL made for the test, and PgBouncer for the last scenario;
app1, app2 (.21, .22): `quancheng serve --workers 2` each, the same DATABASE_URL and SECRET_KEY, own DATA_DIR;
lb (.30): HAProxy with deploy/haproxy.cfg (health checks on /readyz), the one entry of the load generator;
w1, w2 (.41, .42): `quancheng worker` each, sending to the test's SMTP sink on the bridge (10.77.0.1:2525).

The scenarios run in the order of this file on one cluster (the module builds it once): the rushes fill the
outbox that the partition scenario drains. Each prints its figures and records them as test properties.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import pytest

from bench.registration_rush import verify
from tests.cluster import hosts
from tests.cluster.hosts import GATEWAY, ROOT, Host
from tests.cluster.load import Attempt, Sink, rush

REASON = hosts.missing()
pytestmark = pytest.mark.skipif(bool(REASON), reason=REASON or "-")
log = logging.getLogger("quancheng.cluster")

SEATS = 100
CLIENTS = 40
SMTP_PORT = 2525
LEASE_SECONDS = 8  # MAIL_LEASE_SECONDS for the workers: a partitioned worker's rows return after this
BATCH = 50  # the worker's batch (notifications.worker.OutboxWorker.batch): the most one worker holds at once


@dataclass
class Cluster:
    workdir: Path
    database_url: str
    db: Host
    app1: Host
    app2: Host
    lb: Host
    w1: Host
    w2: Host
    sink: Sink
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(40))
    serving: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    pooled: str = ""  # the app hosts' DATABASE_URL through PgBouncer, once it runs

    @property
    def workers(self) -> tuple[Host, Host]:
        return self.w1, self.w2

    @property
    def balancer(self) -> tuple[str, int]:
        return self.lb.address, 8000

    def environment(self, host: Host, database_url: str | None = None) -> dict[str, str]:
        return {
            "MODE": "production",
            "DATABASE_URL": database_url or f"{self.database_url}?maxsize=10",
            "SECRET_KEY": self.secret_key,
            "DATA_DIR": str(self.workdir / host.name / "data"),
            # the public address, behind TLS ended before the balancer (production refuses plain http)
            "BASE_URL": "https://events.quancheng.test",
            "SMTP_URL": f"smtp://{GATEWAY}:{SMTP_PORT}",
            "MAIL_LEASE_SECONDS": str(LEASE_SECONDS),
            "TRUSTED_PROXIES": self.lb.address,
        }

    def serve(self, host: Host, database_url: str | None = None) -> None:
        self.serve_together((host,), database_url)

    def serve_together(self, group: tuple[Host, ...], database_url: str | None = None) -> None:
        """Start `serve` on several hosts at once, then wait until each is ready."""
        command = ["serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
        for host in group:
            self.serving[host.name] = host.quancheng(command, self.environment(host, database_url), log="serve.log")
        for host in group:
            hosts.wait_for(
                functools.partial(hosts.ready, f"http://{host.address}:8000/readyz"),
                what=f"{host.name} serve",
                log=functools.partial(host.log, "serve.log"),
                timeout=120,
            )

    def stop_serving(self, host: Host) -> None:
        host.kill(self.serving.pop(host.name))

    def quancheng(self, *command: str, database_url: str | None = None) -> subprocess.CompletedProcess[str]:
        """A `quancheng` command from the root namespace (an operator's shell on the bridge)."""
        environment = {**self.environment(self.app1, database_url), "PYTHONPATH": str(ROOT)}
        return subprocess.run(
            [sys.executable, "-m", "server.cli", *command], cwd=ROOT, env=environment, capture_output=True, text=True
        )

    def event(self, seats: int) -> int:
        """A published event of `seats` seats (the rush event of bench/registration_rush.py's `prepare`)."""
        script = (
            "import asyncio, sys; from bench.registration_rush import prepare; "
            "print(asyncio.run(prepare(sys.argv[1], int(sys.argv[2])))[0])"
        )
        made = subprocess.run(
            [sys.executable, "-c", script, self.database_url, str(seats)],
            cwd=ROOT,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "SECRET_KEY": self.secret_key},
            capture_output=True,
            text=True,
        )
        assert made.returncode == 0, made.stderr
        return int(made.stdout.split()[-1])

    def balanced_across(self, *names: str) -> None:
        """Wait until the balancer sends requests to exactly these app hosts."""

        def seen() -> bool:
            served = set()
            for _ in range(8):
                try:
                    import urllib.request

                    with urllib.request.urlopen(f"http://{self.lb.address}:8000/readyz", timeout=2) as answer:
                        served.add(answer.headers.get("X-Served-By", ""))
                except OSError:
                    return False
            return served == set(names)

        hosts.wait_for(seen, what=f"the balancer on {names}", log=lambda: self.lb.log("haproxy.log"), timeout=30)


def figure(record_property: object, name: str, value: object) -> None:
    """A number for the note: printed, logged and kept in the test report."""
    assert callable(record_property)
    record_property(name, value)
    print(f"cluster figure: {name} = {value}")
    log.warning("cluster figure: %s = %s", name, value)


@pytest.fixture(scope="module")
def cluster(request: pytest.FixtureRequest) -> Iterator[Cluster]:
    # Not under pytest's temporary directory, which only root may enter: the database host runs as `postgres`.
    workdir = Path(tempfile.mkdtemp(prefix="quancheng-cluster-"))
    workdir.chmod(0o755)
    made = [
        Host(name, f"10.77.0.{number}", workdir)
        for name, number in (("db", 10), ("app1", 21), ("app2", 22), ("lb", 30), ("w1", 41), ("w2", 42))
    ]
    db, app1, app2, lb, w1, w2 = made
    sink = Sink(GATEWAY, SMTP_PORT)
    hosts.make_bridge()
    try:
        for host in made:
            host.create()
        sink.controller.start()
        database_url = hosts.start_postgres(db)
        cluster = Cluster(workdir, database_url, db, app1, app2, lb, w1, w2, sink)
        migrated = cluster.quancheng("migrate")
        assert migrated.returncode == 0, migrated.stderr
        balancer = {"APP1": f"{cluster.app1.address}:8000", "APP2": f"{cluster.app2.address}:8000"}
        cluster.lb.spawn(["haproxy", "-db", "-f", str(hosts.HAPROXY_CONFIG)], env=balancer, log="haproxy.log")
        yield cluster
    finally:
        for host in made:
            host.destroy()
        sink.controller.stop()
        hosts.remove_bridge()
    if request.session.testsfailed:
        print(f"cluster: the hosts' logs are kept in {workdir}")
    else:
        shutil.rmtree(workdir)


async def database_rows(url: str, sql: str, *args: object) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(url)
    try:
        return list(await connection.fetch(sql, *args))
    finally:
        await connection.close()


def check_clean(cluster: Cluster, database_url: str | None = None) -> None:
    checked = cluster.quancheng("check", database_url=database_url)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "quotas: every count matches its holders" in checked.stdout


async def test_a_rush_through_the_balancer_on_two_app_hosts_never_overbooks(
    cluster: Cluster, record_property: object
) -> None:
    attempts = 700
    alone, shared = cluster.event(SEATS), cluster.event(SEATS)
    cluster.serve(cluster.app1)
    cluster.balanced_across("app1")
    one = await rush(*cluster.balancer, alone, attempts, clients=CLIENTS)
    cluster.serve(cluster.app2)
    cluster.balanced_across("app1", "app2")
    two = await rush(*cluster.balancer, shared, attempts, clients=CLIENTS)

    for event_id, result in ((alone, one), (shared, two)):
        assert Counter(a.status for a in result.attempts) == {201: attempts}
        await verify(cluster.database_url, event_id, SEATS, attempts, result.told())
    served = Counter(a.served_by for a in two.attempts)
    assert set(served) == {"app1", "app2"} and min(served.values()) > attempts // 4, served
    check_clean(cluster)
    figure(record_property, "rush_attempts_per_second_one_app_host", round(one.per_second))
    figure(record_property, "rush_attempts_per_second_two_app_hosts", round(two.per_second))
    figure(record_property, "rush_split_app1_app2", f"{served['app1']}/{served['app2']}")


async def test_an_app_host_killed_mid_rush_fails_only_its_requests_in_flight(
    cluster: Cluster, record_property: object
) -> None:
    attempts = 800
    event_id = cluster.event(SEATS)
    progress: list[Attempt] = []
    running = asyncio.create_task(
        rush(*cluster.balancer, event_id, attempts, clients=CLIENTS, prefix="k", into=progress)
    )
    while sum(a.status == 201 for a in progress) < attempts // 4:
        await asyncio.sleep(0.01)
    killed_at = time.monotonic()
    await asyncio.to_thread(cluster.stop_serving, cluster.app2)  # SIGKILL to serve and its two workers
    dead_at = time.monotonic()  # every process of the host has ended
    result = await running

    # In flight on the dying host: sent before its last process ended, not answered before the kill began.
    failed = [a for a in result.attempts if a.failed]
    in_flight = [a for a in result.attempts if a.started <= dead_at and a.ended >= killed_at]
    late = [(a.status, round(a.started - dead_at, 3)) for a in failed if a.started > dead_at or a.ended < killed_at]
    assert not late, f"errors for requests not in flight while the host died (status, started after death): {late}"
    after = [a for a in result.attempts if a.started > dead_at and a.status == 201]
    assert after and {a.served_by for a in after} == {"app1"}, "the balancer still sends requests to the dead host"
    assert all(a.status in (201, 502, 0) for a in result.attempts), Counter(a.status for a in result.attempts)

    rows = await database_rows(
        cluster.database_url,
        'SELECT "id", "email", "status" FROM "registration" WHERE "event_id" = $1',
        event_id,
    )
    answered = {a.answer["id"]: a for a in result.answered()}
    written = {str(row["id"]): row["email"] for row in rows}
    assert set(answered) <= set(written), "an answered registration has no row"
    unanswered = {email for id_, email in written.items() if id_ not in answered}
    assert unanswered <= {a.email for a in failed}, "a row for a request that was neither answered nor in flight"
    waitlisted = await database_rows(
        cluster.database_url,
        'SELECT row_number() OVER (ORDER BY "seq") AS place FROM "registration" '
        'WHERE "event_id" = $1 AND "status" = \'waitlisted\'',
        event_id,
    )
    confirmed = sum(row["status"] == "confirmed" for row in rows)
    assert confirmed == SEATS and [row["place"] for row in waitlisted] == list(range(1, len(rows) - SEATS + 1))
    check_clean(cluster)
    figure(record_property, "kill_requests_in_flight_on_either_host_while_app2_died", len(in_flight))
    figure(record_property, "kill_seconds_from_sigkill_to_every_process_gone", round(dead_at - killed_at, 3))
    figure(record_property, "kill_errors_seen_by_clients", len(failed))
    figure(record_property, "kill_rows_committed_but_unanswered", len(unanswered))
    cluster.serve(cluster.app2)  # the host comes back; the balancer takes it in again
    cluster.balanced_across("app1", "app2")


async def test_a_worker_cut_off_mid_drain_loses_no_mail(cluster: Cluster, record_property: object) -> None:
    url = cluster.database_url
    waiting = await database_rows(url, 'SELECT "message_id" FROM "outbox_message" WHERE "status" = \'pending\'')
    expected = {row["message_id"] for row in waiting}
    assert len(expected) >= 2000, "the rushes before leave the outbox with at least 2,000 mails to drain"
    workers = [
        host.quancheng(["worker"], cluster.environment(host), log="worker.log") for host in (cluster.w1, cluster.w2)
    ]

    def from_w1() -> int:
        return sum(mail.peer == cluster.w1.address for mail in cluster.sink.snapshot())

    async def held_by_w1() -> set[str]:
        held = await database_rows(
            url, 'SELECT "message_id" FROM "outbox_message" WHERE "status" = \'sending\' AND "locked_by" LIKE \'w1:%\''
        )
        return {row["message_id"] for row in held}

    hosts.wait_for(lambda: from_w1() >= 100, what="w1 sending", log=lambda: cluster.w1.log("worker.log"), timeout=120)
    # The cut comes while w1 holds a batch: between two batches it holds nothing, and a cut there would test nothing
    # (one CI run cut in that gap).
    seen_holding = time.monotonic() + 30
    while not await held_by_w1():
        assert time.monotonic() < seen_holding, "w1 was never seen holding a batch"
    cut_at = time.monotonic()
    cluster.w1.cut()
    await asyncio.sleep(1)  # a claim w1 sent just before the cut commits or not; then its rows stay as they are
    held_ids = await held_by_w1()
    assert 0 < len(held_ids) <= BATCH, "w1 held one batch at most when it was cut off"

    def all_arrived() -> bool:
        return expected <= {mail.message_id for mail in cluster.sink.snapshot()}

    hosts.wait_for(all_arrived, what="every mail at the sink", log=lambda: cluster.w2.log("worker.log"), timeout=180)
    received = [mail for mail in cluster.sink.snapshot() if mail.message_id in expected]
    copies = Counter(mail.message_id for mail in received)
    duplicated = {message_id for message_id, count in copies.items() if count > 1}
    assert duplicated <= held_ids, "a mail came twice that the cut worker did not hold"
    resent = [mail for mail in received if mail.message_id in held_ids and mail.peer == cluster.w2.address]
    assert {mail.message_id for mail in resent} == held_ids, "w2 sent every row the cut worker held"
    assert all(mail.at > cut_at for mail in resent)
    states = await database_rows(url, 'SELECT "status", count(*) AS n FROM "outbox_message" GROUP BY "status"')
    assert {row["status"]: row["n"] for row in states} == {"sent": len(expected)}
    for process in workers:
        cluster.w1.kill(process)
    cluster.w1.mend()
    figure(record_property, "partition_mails_drained", len(expected))
    figure(record_property, "partition_mails_lost", len(expected - set(copies)))
    figure(record_property, "partition_mails_duplicated", len(duplicated))
    figure(record_property, "partition_rows_held_by_the_cut_worker", len(held_ids))
    figure(
        record_property,
        "partition_seconds_until_the_cut_workers_mails_went_out",
        round(max(m.at for m in resent) - cut_at, 1),
    )
    figure(record_property, "partition_lease_seconds", LEASE_SECONDS)


async def test_reminders_scheduled_from_both_app_hosts_fire_once(cluster: Cluster, record_property: object) -> None:
    registrants, event_id = 20, cluster.event(SEATS)
    assert Counter(
        a.status for a in (await rush(*cluster.balancer, event_id, registrants, clients=4, prefix="r")).attempts
    ) == {201: registrants}
    # Time passes: the event now starts in half an hour, so its 1-hour reminder is due (the clock moved, as if
    # 30 days went by; the service's own paths for moving an event are tested elsewhere).
    await database_rows(
        cluster.database_url,
        'UPDATE "event" SET "starts_at" = now() + interval \'30 minutes\', '
        '"ends_at" = now() + interval \'8 hours\' WHERE "id" = $1 RETURNING "id"',
        event_id,
    )
    # Every serve process runs the reminder job when it starts and then each minute: restart both app hosts at
    # once (onto PgBouncer, for the next scenario), and four processes on two hosts race for the same reminder.
    # asyncpg's statement cache off: its named prepared statements live on one server connection, which
    # transaction pooling hands to another client after each transaction (PgBouncer 1.18 here: no
    # max_prepared_statements, which came in 1.21). Tortoise passes the URL's option to asyncpg.
    cluster.pooled = f"{hosts.start_pgbouncer(cluster.db)}?maxsize=10&statement_cache_size=0"
    for host in (cluster.app1, cluster.app2):
        cluster.stop_serving(host)
    cluster.serve_together((cluster.app1, cluster.app2), cluster.pooled)

    async def scheduled() -> list[asyncpg.Record]:
        return await database_rows(
            cluster.database_url,
            'SELECT "to_addr" FROM "outbox_message" WHERE "template" = \'reminder\' AND "topic" = $1',
            f"event:{event_id}",
        )

    deadline = time.monotonic() + 90
    while len(await scheduled()) < registrants:
        assert time.monotonic() < deadline, "no reminders 90 s after the app hosts started"
        await asyncio.sleep(0.5)
    await asyncio.sleep(5)  # the other processes' runs, had they sent anything, would be in the outbox by now
    runs = await database_rows(
        cluster.database_url, 'SELECT "hours" FROM "reminder_run" WHERE "event_id" = $1', event_id
    )
    mails = await scheduled()
    assert [row["hours"] for row in runs] == [1]
    assert len(mails) == registrants and len({row["to_addr"] for row in mails}) == registrants
    figure(record_property, "reminders_scheduled_for_registrants", f"{len(mails)} mails for {registrants}")


async def test_the_rush_through_pgbouncer_in_transaction_pooling_never_overbooks(
    cluster: Cluster, record_property: object
) -> None:
    # The app hosts serve through PgBouncer since the reminder scenario restarted them on it.
    assert cluster.pooled and set(cluster.serving) == {"app1", "app2"}
    cluster.balanced_across("app1", "app2")
    attempts, event_id = 700, cluster.event(SEATS)
    result = await rush(*cluster.balancer, event_id, attempts, clients=CLIENTS, prefix="b")

    assert Counter(a.status for a in result.attempts) == {201: attempts}
    await verify(cluster.database_url, event_id, SEATS, attempts, result.told())
    check_clean(cluster, database_url=cluster.pooled)
    clients = pgbouncer_console(cluster, "SHOW CLIENTS")
    assert {cluster.app1.address, cluster.app2.address} <= {row[4] for row in clients if row[2] == "quancheng"}
    figure(record_property, "pgbouncer_rush_attempts_per_second_two_app_hosts", round(result.per_second))


def pgbouncer_console(cluster: Cluster, command: str) -> list[list[str]]:
    """The rows PgBouncer's admin console answers (SHOW CLIENTS: type, user, database, state, address, ...)."""
    psql = [str(hosts.PG_BIN[-1] / "psql"), "-h", cluster.db.address, "-p", "6432", "-U", "postgres", "-At"]
    shown = subprocess.run([*psql, "-F", "|", "-c", command, "pgbouncer"], capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    return [line.split("|") for line in shown.stdout.splitlines()]
