"""/readyz: ready only when the database answers and has every migration; /healthz says the process is up."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.api import migrate as run_migrations

from server.app import create_app
from server.db import tortoise_config
from server.settings import load_settings
from tests.support import PG


@pytest.fixture
async def elsewhere(database: str) -> AsyncIterator[None]:
    """Lets a test point Tortoise at another database; the session's is restored after it."""
    yield
    await Tortoise.close_connections()
    EXECUTOR_CACHE.clear()
    await Tortoise.init(config=tortoise_config(database))


async def ready(tmp_path: Path, url: str) -> httpx.Response:
    settings = load_settings(DATABASE_URL=url, DATA_DIR=tmp_path, SECRET_KEY="k" * 40)
    transport = httpx.ASGITransport(app=create_app(settings, manage_database=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return await client.get("/readyz", headers={"Accept-Language": "en"})


@pytest.fixture
async def older_database(database: str, tmp_path: Path) -> AsyncIterator[str]:
    """A database of the session's engine, migrated only up to the step before the audit request id."""
    if database.startswith("sqlite"):
        yield f"sqlite://{tmp_path / 'older.sqlite3'}"
        return
    name = f"quancheng_older_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(f"{PG.rstrip('/')}/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG.rstrip('/')}/{name}"
    finally:
        await Tortoise.close_connections()
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


async def test_ready_when_the_database_answers_and_is_migrated(elsewhere: None, database: str, tmp_path: Path) -> None:
    answer = await ready(tmp_path, database)
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}


async def test_not_ready_while_a_migration_is_pending(elsewhere: None, older_database: str, tmp_path: Path) -> None:
    await Tortoise.close_connections()
    EXECUTOR_CACHE.clear()
    await run_migrations(config=tortoise_config(older_database))
    await run_migrations(config=tortoise_config(older_database), target="notifications.0001_initial")  # one step back
    answer = await ready(tmp_path, older_database)
    assert answer.status_code == 503
    problem = answer.json()
    assert problem["title"] == "Migrations pending"
    later = len(list((Path(__file__).parents[2] / "notifications" / "migrations").glob("0*.py"))) - 1
    assert problem["detail"] == (
        f"The database lacks {later} migration(s), first notifications.0002_request_id: run `quancheng migrate`."
    )
    await run_migrations(config=tortoise_config(older_database))
    assert (await ready(tmp_path, older_database)).status_code == 200  # and ready once migrated


async def test_not_ready_when_the_database_is_unreachable(elsewhere: None, tmp_path: Path) -> None:
    await Tortoise.close_connections()
    unreachable = "postgres://postgres@127.0.0.1:1/nowhere"  # nothing listens on port 1
    await Tortoise.init(config=tortoise_config(unreachable))
    answer = await ready(tmp_path, unreachable)
    assert answer.status_code == 503
    assert answer.json()["title"] == "Database unavailable"
    assert answer.json()["detail"] == "The database cannot be reached."
