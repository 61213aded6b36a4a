"""Database configuration, migrations and the tables that hold seeded reference data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tortoise import Tortoise, connections
from tortoise.migrations.api import migrate as run_migrations
from tortoise.migrations.executor import MigrationExecutor

from server.settings import get_settings

APPS: dict[str, list[str]] = {
    "server": ["server.models"],
    "notifications": ["notifications.models"],
    "events": ["events.models"],
    "talent": ["talent.models"],
}

# Tables whose rows come from data migrations; test cleanup keeps them.
REFERENCE_TABLES = frozenset({"region", "domain", "occupation"})


def tortoise_config(database_url: str) -> dict[str, Any]:
    """The Tortoise config for a URL: SQLite in WAL mode with a busy timeout, or PostgreSQL."""
    if database_url.startswith("sqlite://"):
        file_path = database_url.removeprefix("sqlite://")
        if file_path != ":memory:":
            Path(file_path).parent.mkdir(parents=True, exist_ok=True)
        connection: str | dict[str, Any] = {
            "engine": "tortoise.backends.sqlite",
            "credentials": {"file_path": file_path, "journal_mode": "WAL", "busy_timeout": 5000},
        }
    else:
        connection = database_url.replace("postgresql://", "postgres://", 1)
    return {
        "connections": {"default": connection},
        "apps": {
            label: {"models": models, "migrations": f"{label}.migrations", "default_connection": "default"}
            for label, models in APPS.items()
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def migrate(database_url: str) -> None:
    """Apply every pending migration, then close the connections the migration opened."""
    try:
        await run_migrations(config=tortoise_config(database_url))
    finally:
        await Tortoise.close_connections()


async def pending_migrations() -> list[str]:
    """Names of the migrations not yet applied to the initialised database."""
    config = tortoise_config("sqlite://:memory:")["apps"]
    executor = MigrationExecutor(connections.get("default"), config)
    return [f"{step.migration.app_label}.{step.migration.name}" for step in await executor.plan()]


async def ping() -> None:
    """Raise if the database does not answer."""
    await connections.get("default").execute_query("SELECT 1")


def __getattr__(name: str) -> Any:
    # `tortoise makemigrations` reads this (pyproject [tool.tortoise]); computed lazily from the settings.
    if name == "TORTOISE_ORM":
        return tortoise_config(get_settings().DATABASE_URL)
    raise AttributeError(name)
