"""A registration rush against `quancheng serve --workers 2` on PostgreSQL, with a raw-asyncpg baseline.

    python bench/registration_rush.py [--attempts 2000] [--clients 50] [--seats 200] [--workers 2] [--pg ...]
    python bench/registration_rush.py --suite   # 2 workers and 200 seats, 4 workers, 500 seats
    python bench/registration_rush.py --limits compare [--rounds 3]   # abuse limits off and on, alternating

2000 attempts from 50 concurrent keep-alive clients at a 200-seat event with the waiting list on. Checks that
exactly 200 are confirmed, that the waiting list holds positions 1..1800 and that the places the answers told
are exactly 1..1800, each the place its registration holds in the waiting list afterwards; then prints
attempts/s, confirmed/s and latency percentiles. In the same run it times the same logical transaction (guarded quota
update, registration insert, audit insert, outbox insert) issued straight through asyncpg at the same
concurrency, and prints our throughput as a ratio of it. The load generator is a plain asyncio HTTP/1.1
client; its own CPU time is printed to show that it is not the bottleneck.

The server starts with every worker up (the rush waits for each one's start-up line), a pool of 10 open
connections per worker, and is warmed by `--warmup` attempts (300) at another event before the timed rush, as a
server that has been up for a while is when registration opens; `--warmup 0` times a cold server, whose first
wave of 50 pays the first statements on fresh connections. The machine line shows how busy both cores were.

All attempts come from one address, so with the abuse limit per client address and event on (`--limits on`) each
attempt is counted and checked, with the limit set to the number of attempts so that none is refused (the cost of
the check, not of refusals); `--limits off` turns it off, `compare` alternates the two and prints the difference.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import asyncpg
from tortoise import Tortoise

from events.editing import create_event, set_status
from events.models import EventStatus
from events.schemas import EventIn
from server.accounts import create_admin, create_organisation
from server.clock import utcnow
from server.db import migrate, tortoise_config
from server.schemas import OrganisationIn

ROOT = Path(__file__).resolve().parent.parent


async def prepare(url: str, seats: int) -> tuple[int, int]:
    """A migrated database with two published events: the rush's, of `seats` seats, and one of 50 seats to warm
    the server up on; returns their ids."""
    await migrate(url)
    await Tortoise.init(config=tortoise_config(url))
    admin = await create_admin("bench@bureau.gov.cn", "bench password 1", "bench")
    organisation = await create_organisation(
        admin, OrganisationIn.model_validate({"name": {"zh": "压测承办"}, "kind": "organiser", "region": "lixia"})
    )
    starts = utcnow() + timedelta(days=30)
    data = EventIn.model_validate(
        {
            "organisation_id": organisation.id,
            "kind": "conference",
            "title": {"zh": "压测大会"},
            "region": "lixia",
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=8),
            "capacity": seats,
        }
    )
    ids = []
    for capacity in (seats, 50):
        event = await create_event(
            admin, data.model_copy(update={"capacity": capacity}), default_timezone="Asia/Shanghai", uid_domain="bench"
        )
        await set_status(admin, event.id, EventStatus.PUBLISHED)
        ids.append(event.id)
    await Tortoise.close_connections()
    return ids[0], ids[1]


async def http_client(
    port: int, path: str, bodies: asyncio.Queue[bytes], latencies: list[float], codes: list[int], told: dict[str, int]
) -> None:
    """One keep-alive connection sending POSTs until the queue is empty."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while not bodies.empty():
        body = bodies.get_nowait()
        started = time.perf_counter()
        writer.write(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
        )
        answer = await reader.readexactly(length)
        latencies.append(time.perf_counter() - started)
        codes.append(int(head.split(b" ", 2)[1]))
        if codes[-1] == 201 and (made := json.loads(answer))["status"] == "waitlisted":
            told[made["id"]] = made["waitlist_position"]
    writer.close()


async def rush(
    port: int, event_id: int, attempts: int, clients: int, told: dict[str, int]
) -> tuple[float, list[float], list[int], float]:
    bodies: asyncio.Queue[bytes] = asyncio.Queue()
    for i in range(attempts):
        bodies.put_nowait(
            json.dumps({"email": f"p{i}@rush.cn", "name": f"参会者{i}", "privacy_notice_version": 0}).encode()
        )
    latencies: list[float] = []
    codes: list[int] = []
    # The load generator's own heap (the app's modules, imported to prepare) is frozen so that its garbage
    # collections, which otherwise pause every client for ~0.2 s twice a run, are not timed as the server's latency.
    gc.collect()
    gc.freeze()
    cpu, wall = time.process_time(), time.perf_counter()
    path = f"/api/v1/events/{event_id}/registrations"
    await asyncio.gather(*(http_client(port, path, bodies, latencies, codes, told) for _ in range(clients)))
    return time.perf_counter() - wall, latencies, codes, time.process_time() - cpu


async def baseline(url: str, attempts: int, clients: int, seats: int) -> float:
    """The same logical transaction through asyncpg alone, at the same concurrency; returns seconds."""
    pool = await asyncpg.create_pool(url, min_size=20, max_size=20)
    async with pool.acquire() as connection:
        event = await connection.fetchrow('SELECT "id", "organisation_id" FROM "event" LIMIT 1')
        ticket_type = await connection.fetchval('SELECT "id" FROM "ticket_type" WHERE "event_id" = $1', event["id"])
        quota = await connection.fetchval(
            'INSERT INTO "quota" ("event_id", "name", "size", "used", "covers_all", "is_event_capacity") '
            "VALUES ($1, 'baseline', $2, 0, TRUE, FALSE) RETURNING \"id\"",
            event["id"],
            seats,
        )
    counter = iter(range(attempts))

    async def worker() -> None:
        for i in counter:
            async with pool.acquire() as connection, connection.transaction():
                held = await connection.fetchval(
                    'UPDATE "quota" SET "used" = "used" + 1 WHERE "id" = $1 AND "used" < "size" RETURNING 1', quota
                )
                email = f"b{i}@baseline.cn"
                seq = await connection.fetchval(
                    'INSERT INTO "registration" ("id", "event_id", "ticket_type_id", "email", "active_email", "name", '
                    '"locale", "answers", "status", "manage_token_hash", "reason", "privacy_notice_version", '
                    '"created_at", "updated_at") '
                    "VALUES ($1, $2, $3, $4, $4, 'b', 'zh-CN', '{}', $5, $6, '', 0, now(), now()) RETURNING \"seq\"",
                    uuid.uuid4(),
                    event["id"],
                    ticket_type,
                    email,
                    "confirmed" if held else "waitlisted",
                    secrets.token_hex(32),
                )
                await connection.execute(
                    'INSERT INTO "audit_entry" ("at", "actor_label", "action", "object_type", "object_id", '
                    '"organisation_id", "after") VALUES (now(), $1, $2, $3, $4, $5, $6)',
                    "registrant",
                    "registration.create",
                    "Registration",
                    str(seq),
                    event["organisation_id"],
                    json.dumps({"email": email}),
                )
                await connection.execute(
                    'INSERT INTO "outbox_message" ("created_at", "dedupe_key", "topic", "channel", "template", '
                    '"locale", "to_addr", "to_name", "from_name", "context", "message_id", "status", "attempts", '
                    '"next_attempt_at", "last_error") '
                    "VALUES (now(), $1, $2, 'mail', 'registration_confirmed', 'zh-CN', $3, 'b', '', $4, $5, "
                    "'pending', 0, now(), '')",
                    f"baseline:{seq}",
                    f"event:{event['id']}",
                    email,
                    json.dumps({"recipient_name": "b"}),
                    uuid.uuid4().hex,
                )

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    await pool.close()
    return elapsed


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and its children so far (Linux /proc): the server's cost, which a loaded machine
    disturbs less than throughput."""
    ticks = os.sysconf("SC_CLK_TCK")
    pids = [pid, *(int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
    fields = [Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split() for each in pids]
    return sum(int(stat[11]) + int(stat[12]) for stat in fields) / ticks


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all cores, Linux /proc/stat): with the server's and the
    client's own, it shows what the database and the kernel took, and whether the cores were saturated."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = Path("/proc/stat").read_text().split()[1:9]
    return sum(int(ticks) for ticks in (user, nice, system, irq, softirq, steal)) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def wait_ready(port: int, log: Path, workers: int) -> None:
    """Until every worker has started (its line in the server's output) and the server answers /readyz: one
    worker answers while the others still start, and the rush would otherwise time their start-up."""
    for _ in range(900):  # a loaded machine takes a while to start the workers
        if log.read_bytes().count(b"Application startup complete.") >= workers:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(b"GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n")
                if b" 200 " in await reader.readuntil(b"\r\n"):
                    writer.close()
                    return
            except OSError:
                pass
        await asyncio.sleep(0.1)
    raise SystemExit("the server did not become ready (its output: .bench-server.log)")


async def verify(url: str, event_id: int, seats: int, attempts: int, told: dict[str, int]) -> None:
    connection = await asyncpg.connect(url)
    rows = await connection.fetch(
        'SELECT "status", count(*) AS n FROM "registration" '
        'WHERE "event_id" = $1 AND "email" LIKE $2 GROUP BY "status"',
        event_id,
        "%@rush.cn",
    )
    counts = {row["status"]: row["n"] for row in rows}
    positions = await connection.fetch(
        'SELECT "id", row_number() OVER (ORDER BY "seq") AS position FROM "registration" '
        'WHERE "event_id" = $1 AND "status" = \'waitlisted\' AND "email" LIKE $2',
        event_id,
        "%@rush.cn",
    )
    used = await connection.fetchval(
        'SELECT "used" FROM "quota" WHERE "event_id" = $1 AND "is_event_capacity"', event_id
    )
    await connection.close()
    assert counts.get("confirmed") == seats, counts
    assert [row["position"] for row in positions] == list(range(1, attempts - seats + 1)), "waiting list has gaps"
    assert used == seats, used
    held = {str(row["id"]): row["position"] for row in positions}
    assert sorted(told.values()) == list(range(1, attempts - seats + 1)), "told places are not exactly 1..N"
    assert told == held, "a told place differs from the place the registration holds"
    print(
        f"verified: {seats} confirmed, waiting list 1..{attempts - seats}, told places exactly 1..{attempts - seats} "
        f"(each as held), quota used {used}/{seats}, 0 oversold"
    )


async def main(args: argparse.Namespace) -> None:
    if args.limits == "compare":
        await compare(args)
        return
    if not args.suite:
        await run(args)
        return
    for workers, seats in ((2, args.seats), (4, args.seats), (2, 500)):
        print(f"--- {workers} workers, {seats} seats, {args.attempts} attempts, {args.clients} clients")
        await run(argparse.Namespace(**{**vars(args), "workers": workers, "seats": seats}))


async def compare(args: argparse.Namespace) -> None:
    """Alternate runs with the abuse limits off and on; print the server's CPU per attempt of each run and the
    mean cost of the limits (CPU rather than throughput: on a shared machine throughput is mostly noise)."""
    measured: dict[str, list[float]] = {"off": [], "on": []}
    for round_ in range(args.rounds):
        for limits in ("off", "on"):
            print(f"--- round {round_ + 1}, limits {limits}")
            measured[limits].append(await run(argparse.Namespace(**{**vars(args), "limits": limits})))
    off, on = (statistics.mean(measured[limits]) for limits in ("off", "on"))
    print(f"limits off: {', '.join(f'{value * 1000:.2f}' for value in measured['off'])} ms CPU/attempt")
    print(f"limits on:  {', '.join(f'{value * 1000:.2f}' for value in measured['on'])} ms CPU/attempt")
    print(f"cost of the limits: {(on - off) / off * 100:+.1f} % of the server's CPU per attempt (means)")


async def run(args: argparse.Namespace) -> float:
    """One rush; returns the server's CPU seconds per attempt."""
    name = f"quancheng_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(f"{args.pg}/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{args.pg}/{name}"
    try:
        event_id, warmup_event_id = await prepare(url, args.seats)
        port = free_port()
        environment = {
            **os.environ,
            "DATABASE_URL": f"{url}?minsize=10&maxsize=10",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "REGISTRATION_LIMIT_PER_CLIENT": str(args.attempts if args.limits == "on" else 0),
        }
        log = (ROOT / ".bench-server.log").open("wb")  # noqa: SIM115 - closed after the server stops
        server = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--workers", str(args.workers), "--port", str(port)],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            await wait_ready(port, ROOT / ".bench-server.log", args.workers)
            if args.warmup:
                await rush(port, warmup_event_id, args.warmup, args.clients, {})
            told: dict[str, int] = {}
            server_cpu, machine_cpu = cpu_seconds(server.pid), machine_busy_seconds()
            elapsed, latencies, codes, client_cpu = await rush(port, event_id, args.attempts, args.clients, told)
            server_cpu = cpu_seconds(server.pid) - server_cpu
            machine_cpu = machine_busy_seconds() - machine_cpu
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
        assert codes.count(201) == args.attempts, {code: codes.count(code) for code in set(codes)}
        await verify(url, event_id, args.seats, args.attempts, told)
        baseline_seconds = await baseline(url, args.attempts, args.clients, args.seats)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    quantiles = statistics.quantiles(latencies, n=100)
    ours: float = args.attempts / elapsed
    raw = args.attempts / baseline_seconds
    print(f"quancheng: {ours:8.0f} attempts/s  {args.seats / elapsed:6.0f} confirmed/s (seats sold within the run)")
    p50, p95, p99 = (quantiles[i] * 1000 for i in (49, 94, 98))
    print(f"latency:   p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  p99 {p99:6.1f} ms")
    print(f"baseline:  {raw:8.0f} attempts/s  (asyncpg, same transaction, same concurrency)")
    print(f"ratio:     {ours / raw:8.2f}  (quancheng / baseline)")
    print(f"client:    {client_cpu / elapsed * 100:5.0f}% of one core during the rush")
    per_attempt: float = server_cpu / args.attempts
    print(f"server:    {per_attempt * 1000:8.2f} ms CPU per attempt")
    rest = (machine_cpu - server_cpu - client_cpu) / args.attempts
    print(
        f"machine:   {machine_cpu / elapsed:8.2f} of {os.cpu_count()} cores busy; the database and the rest "
        f"{rest * 1000:.2f} ms CPU per attempt"
    )
    return per_attempt


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--attempts", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seats", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2, help="app worker processes (`serve --workers`)")
    parser.add_argument(
        "--warmup", type=int, default=300, help="attempts at another event first, not timed (0: time a cold server)"
    )
    parser.add_argument("--suite", action="store_true", help="three runs: 2 and 4 workers, then 500 seats")
    parser.add_argument(
        "--limits", choices=("on", "off", "compare"), default="on", help="abuse limits per client and event"
    )
    parser.add_argument("--rounds", type=int, default=3, help="with --limits compare: runs of each")
    parser.add_argument("--pg", default=os.environ.get("QUANCHENG_TEST_PG", "postgres://postgres@127.0.0.1:5432"))
    asyncio.run(main(parser.parse_args()))
