"""The README's backup procedure, run: pg_dump -Fc a database filled through the service, pg_restore it into a
fresh database, then `quancheng check` is clean and the app serves the restored event and registration."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE

from server.app import create_app
from server.db import tortoise_config
from server.settings import load_settings
from tests.events.support import organiser, published_event, register
from tests.support import PG


def _major(version_text: str) -> int:
    found = re.search(r"(\d+)(?:\.\d+)?", version_text)
    assert found, version_text
    return int(found.group(1))


@pytest.fixture
async def fresh_database(db: str) -> AsyncIterator[str]:
    """An empty PostgreSQL database to restore into; the session's database is current again afterwards."""
    if not db.startswith("postgres"):
        pytest.skip("pg_dump/pg_restore back up PostgreSQL; the embedded SQLite file is copied instead (README)")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("the PostgreSQL client tools (pg_dump, pg_restore) are not installed")
    name = f"quancheng_restored_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(f"{PG.rstrip('/')}/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG.rstrip('/')}/{name}"
    finally:
        await Tortoise.close_connections()
        EXECUTOR_CACHE.clear()
        await Tortoise.init(config=tortoise_config(db))
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


async def test_a_dump_restored_into_a_fresh_database_is_clean_and_served(
    client: httpx.AsyncClient, db: str, fresh_database: str, tmp_path: Path
) -> None:
    server = await asyncpg.connect(db)
    server_version = await server.fetchval("SHOW server_version")
    await server.close()
    tools = subprocess.run(["pg_dump", "--version"], capture_output=True, text=True, check=True).stdout
    assert _major(tools.partition("(PostgreSQL)")[2]) >= _major(server_version), (
        f"{tools.strip()} is older than {server_version}"
    )

    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, title={"zh": "备份恢复演练"})
    made = await register(client, event_id, "restore@example.cn", name="李雷")
    assert made.status_code == 201

    dump = tmp_path / "quancheng.dump"
    subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", str(dump), "-d", db], check=True, timeout=120)
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "-d", fresh_database, str(dump)], check=True, timeout=120
    )

    environment = {**os.environ, "DATABASE_URL": fresh_database, "DATA_DIR": str(tmp_path)}
    check = subprocess.run(
        [sys.executable, "-m", "server.cli", "check"], env=environment, capture_output=True, text=True, timeout=120
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "database: ok, migrations: up to date" in check.stdout

    await Tortoise.close_connections()
    EXECUTOR_CACHE.clear()
    await Tortoise.init(config=tortoise_config(fresh_database))
    settings = load_settings(DATABASE_URL=fresh_database, DATA_DIR=tmp_path, SECRET_KEY="k" * 40)
    transport = httpx.ASGITransport(app=create_app(settings, manage_database=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as restored:
        event = await restored.get(f"/api/v1/events/{event_id}")
        assert event.status_code == 200 and event.json()["title"]["zh"] == "备份恢复演练"
        registration_id, token = made.json()["id"], made.json()["manage_token"]
        mine = await restored.get(f"/api/v1/registrations/{registration_id}", params={"token": token})
        assert mine.status_code == 200, mine.text
        assert mine.json()["status"] == "confirmed" and mine.json()["name"] == "李雷"
        organisers_view = await restored.get(f"/api/v1/events/{event_id}/registrations", headers=headers)
        assert organisers_view.status_code == 200  # the organiser's session came back with the data
        assert [row["email"] for row in organisers_view.json()["items"]] == ["restore@example.cn"]
