"""Database configuration, migrations and the tables that hold seeded reference data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from tortoise import Tortoise, connections
from tortoise.fields import Field
from tortoise.migrations.api import migrate as run_migrations
from tortoise.migrations.executor import MigrationExecutor
from tortoise.models import Model

from server.clock import utcnow
from server.settings import get_settings

APPS: dict[str, list[str]] = {
    "server": ["server.models"],
    "notifications": ["notifications.models"],
    "events": ["events.models"],
    "talent": ["talent.models"],
    "competitions": ["events.competitions.models"],
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
            # each app's migrations live beside its models: `events.competitions.models` -> `.migrations`
            label: {
                "models": models,
                "migrations": f"{models[0].rpartition('.')[0]}.migrations",
                "default_connection": "default",
            }
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


_inserts: dict[tuple[str, str, bool], tuple[str, list[Field[Any]]]] = {}


async def insert_rows(model: type[Model], rows: Sequence[dict[str, Any]], *, ignore_conflicts: bool = False) -> None:
    """Insert rows given as {field name: value} (a field not given takes its default, `auto_now` ones the time),
    with the model's INSERT built once per dialect.

    For write-only rows on busy paths (audit entries, outbox mails): `Model.create` builds an instance and sends
    signals, and `bulk_create(ignore_conflicts=True)` builds its SQL anew on every call; on the registration path
    these were most of the CPU time. No model here has signal listeners, and none is fetched back.
    """
    db = connections.get("default")
    key = (db.capabilities.dialect, model._meta.db_table, ignore_conflicts)
    if key not in _inserts:
        executor = db.executor_class(model=model, db=db)
        columns = [model._meta.fields_db_projection[name] for name in executor.regular_columns]
        statement = executor._prepare_insert_statement(columns, has_generated=False, ignore_conflicts=ignore_conflicts)
        _inserts[key] = (str(statement), [model._meta.fields_map[name] for name in executor.regular_columns])
    sql, fields = _inserts[key]
    now = utcnow()
    await db.execute_many(
        sql, [[field.to_db_value(_value(field, row, now), model) for field in fields] for row in rows]
    )


def _value(field: Field[Any], row: dict[str, Any], now: datetime) -> Any:
    if field.model_field_name in row:
        return row[field.model_field_name]
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    return field.default() if callable(field.default) else field.default


def __getattr__(name: str) -> Any:
    # `tortoise makemigrations` reads this (pyproject [tool.tortoise]); computed lazily from the settings.
    if name == "TORTOISE_ORM":
        return tortoise_config(get_settings().DATABASE_URL)
    raise AttributeError(name)
