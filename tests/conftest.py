"""Every test runs against SQLite, and against PostgreSQL when QUANCHENG_TEST_PG names a server.

Schemas are built by running the migrations once per database; each test then starts from the seeded
reference data alone. Passwords are hashed with the cheap test hasher (tests/support.py) except where a test asks for
`production_password_hasher`. A run with QUANCHENG_TEST_PG set fails if a test skipped for want of PostgreSQL
(tests/postgres_gate.py).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from argon2 import PasswordHasher
from starlette.applications import Starlette
from tortoise import Tortoise, connections
from tortoise.backends.base.executor import EXECUTOR_CACHE

from server import auth
from server.app import create_app
from server.db import REFERENCE_TABLES, migrate, tortoise_config
from server.settings import Settings, load_settings
from tests.support import CHEAP_PASSWORD_HASHER

pytest_plugins = ["tests.postgres_gate"]

PRODUCTION_PASSWORD_HASHER = auth.password_hasher
PG = os.environ.get("QUANCHENG_TEST_PG", "")
PG_UNSET = "QUANCHENG_TEST_PG unset: no PostgreSQL to test on"  # a skip that names it fails a run that sets it
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.skipif(not PG, reason=PG_UNSET))]


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hasher() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(auth, "password_hasher", CHEAP_PASSWORD_HASHER)
        yield


@pytest.fixture
def production_password_hasher(monkeypatch: pytest.MonkeyPatch) -> PasswordHasher:
    """For this test, the hasher the service runs with instead of the cheap one."""
    monkeypatch.setattr(auth, "password_hasher", PRODUCTION_PASSWORD_HASHER)
    return PRODUCTION_PASSWORD_HASHER


@pytest.fixture(scope="session", params=BACKENDS)
async def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A migrated database for the whole session; yields its URL with Tortoise initialised on it."""
    name = f"quancheng_test_{secrets.token_hex(4)}"
    if request.param == "sqlite":
        url = f"sqlite://{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    else:
        url = f"{PG.rstrip('/')}/{name}"
        admin = await asyncpg.connect(f"{PG.rstrip('/')}/postgres")
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
    EXECUTOR_CACHE.clear()  # Tortoise caches SQL per connection name, not per engine: the other backend's is stale
    await migrate(url)
    await Tortoise.init(config=tortoise_config(url))
    yield url
    await Tortoise.close_connections()
    if request.param == "postgres":
        admin = await asyncpg.connect(f"{PG.rstrip('/')}/postgres")
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


async def _empty_tables() -> None:
    models = list(Tortoise.apps.get_models_iterable())
    through = {m._meta.fields_map[name].through for m in models for name in m._meta.m2m_fields}
    tables = sorted(through | {m._meta.db_table for m in models} - REFERENCE_TABLES)
    connection = connections.get("default")
    if connection.capabilities.dialect == "postgres":
        quoted = ", ".join(f'"{table}"' for table in tables)
        await connection.execute_script(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
    else:
        await connection.execute_script(
            "PRAGMA foreign_keys = OFF;" + "".join(f'DELETE FROM "{t}";' for t in tables) + "PRAGMA foreign_keys = ON;"
        )


@pytest.fixture
async def db(database: str) -> AsyncIterator[str]:
    """The session's database, emptied again (but for reference data) after the test."""
    yield database
    await _empty_tables()


@pytest.fixture
async def settings(db: str, tmp_path: Path) -> Settings:
    return load_settings(DATABASE_URL=db, DATA_DIR=tmp_path, SECRET_KEY="k" * 40)


@pytest.fixture
async def app(settings: Settings) -> Starlette:
    return create_app(settings, manage_database=False)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
