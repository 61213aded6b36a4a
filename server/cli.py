"""The `quancheng` command: serve, migrate, createadmin, check."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import signal
import sys
from collections.abc import Awaitable, Callable
from types import FrameType
from typing import NoReturn, TypeVar

import uvicorn
from pydantic import BaseModel, ValidationError
from starlette.applications import Starlette
from tortoise import Tortoise

from events import capacity, mailing
from events.matchmaking import meeting_mail  # noqa: F401  (registers the meetings' calendar builder)
from server import accounts, db, demo, logs, metrics
from server.app import background, create_app
from server.identifiers import Email
from server.schemas import Name, Password
from server.settings import Settings, SettingsError, get_settings

T = TypeVar("T")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quancheng", description="Quancheng 泉城: AI-industry events and talent.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the web service (migrates the embedded SQLite default)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--demo", action="store_true", help="first add demo data and accounts (not in production)")
    commands.add_parser("migrate", help="apply pending database migrations")
    commands.add_parser("worker", help="send mail from the outbox (and run reminders) until SIGTERM")
    admin = commands.add_parser("createadmin", help="create an admin account (asks, unless given the options)")
    admin.add_argument("--email")
    admin.add_argument("--password")
    admin.add_argument("--name", default="管理员")
    commands.add_parser("demo", help="add demo data and accounts, then exit (not in production)")
    commands.add_parser("check", help="self-test of configuration and database; non-zero exit on any problem")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()
    except SettingsError as exc:
        print(f"quancheng: {exc}", file=sys.stderr)
        return 2
    handler: Callable[[Settings, argparse.Namespace], int] = {
        "serve": _serve,
        "migrate": _migrate,
        "createadmin": _createadmin,
        "check": _check,
        "worker": _worker,
        "demo": _demo,
    }[args.command]
    return handler(settings, args)


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    settings.secret_key()  # generate the embedded key once, before any worker could race to
    if args.demo:
        if status := _demo(settings, args):
            return status
    elif settings.is_embedded:
        asyncio.run(db.migrate(settings.DATABASE_URL))
    metrics.use_directory(settings.DATA_DIR / "metrics", clean=True)
    _configure_logs(settings)
    # On SIGTERM uvicorn stops accepting, lets the requests in flight finish, then runs the lifespan's shutdown
    # (the embedded worker finishes its batch) and raises the signal again; a stop that was asked for exits 0.
    signal.signal(signal.SIGTERM, _stopped)
    uvicorn.run(
        "server.cli:serving_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        # X-Forwarded-For is read by the app, and only from TRUSTED_PROXIES (server.app): never by uvicorn,
        # which trusts 127.0.0.1 by default, where a reverse proxy on the same machine is not a given.
        proxy_headers=False,
        # A worker that has not started within this is killed and started again (uvicorn's default, 5 s, is
        # shorter than an import of the app takes on a busy 2-core host, which then never gets a worker up).
        timeout_worker_healthcheck=60,
        log_config=None,
        access_log=False,
    )
    return 0


def _configure_logs(settings: Settings) -> None:
    logs.configure(settings.LOG_FORMAT or "text", access=settings.ACCESS_LOG)


def _stopped(signal_number: int, frame: FrameType | None) -> NoReturn:
    raise SystemExit(0)


def serving_app() -> Starlette:
    """The app as `serve` runs it in each process: logs in the configured format, then `create_app`."""
    settings = get_settings()
    _configure_logs(settings)
    return create_app(settings)


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    refused = demo.refusal(settings)
    if refused:
        print(f"quancheng: {refused}", file=sys.stderr)
        return 2
    if settings.is_embedded:
        asyncio.run(db.migrate(settings.DATABASE_URL))

    async def seed() -> bool | None:
        return None if await db.pending_migrations() else await demo.seed(settings)

    seeded = asyncio.run(_with_database(settings, seed))
    if seeded is None:
        print("quancheng: the database is not migrated: run `quancheng migrate` first", file=sys.stderr)
        return 2
    print("demo data added" if seeded else "demo data already present", "- demo accounts, password", demo.PASSWORD)
    for account in demo.ACCOUNTS:
        print(f"  {account.email:<30} {account.does}")
    sys.stdout.flush()
    return 0


def _worker(settings: Settings, args: argparse.Namespace) -> int:

    mailing.configure(settings)
    metrics.use_directory(settings.DATA_DIR / "metrics", clean=False)  # counted with the app processes of its host
    _configure_logs(settings)

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signal_number, stop.set)
        print(
            "worker: sending mail", "over SMTP" if settings.SMTP_URL else f"to files in {settings.MAIL_DIR}", flush=True
        )
        await background(settings, stop, with_worker=True)
        print("worker: stopped", flush=True)

    asyncio.run(_with_database(settings, run))
    return 0


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    asyncio.run(db.migrate(settings.DATABASE_URL))
    print("migrations applied")
    return 0


class _AdminInput(BaseModel):
    email: Email
    password: Password
    name: Name


def _createadmin(settings: Settings, args: argparse.Namespace) -> int:
    email = args.email or input("Email: ")
    password = args.password or getpass.getpass("Password (10+ characters): ")
    try:
        given = _AdminInput(email=email, password=password, name=args.name)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            print(f"quancheng: {error['loc'][0]}: {error['msg']}", file=sys.stderr)
        return 2
    user = asyncio.run(_with_database(settings, lambda: accounts.create_admin(given.email, given.password, given.name)))
    print(f"admin {user.email} is ready")
    return 0


def _check(settings: Settings, args: argparse.Namespace) -> int:
    problems = asyncio.run(_with_database(settings, _check_database))
    print(f"settings: ok (database {settings.DATABASE_URL.split('://')[0]}, mode {settings.MODE})")
    for problem in problems:
        print(f"problem: {problem}")
    if not problems:
        print("database: ok, migrations: up to date, quotas: every count matches its holders")
    return 1 if problems else 0


async def _check_database() -> list[str]:
    try:
        await db.ping()
    except Exception as exc:  # report any connection failure as a finding, not a traceback
        return [f"database unreachable: {exc}"]
    pending = await db.pending_migrations()
    if pending:
        return [f"migration not applied: {name} (run `quancheng migrate`)" for name in pending]
    return [
        f"quota {d.quota_id} of event {d.event_id} counts {d.used} holders but {d.holders} hold it"
        for d in await capacity.drift()
    ]


async def _with_database(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
    await Tortoise.init(config=db.tortoise_config(settings.DATABASE_URL))
    try:
        return await work()
    finally:
        await Tortoise.close_connections()


if __name__ == "__main__":
    raise SystemExit(main())
