"""Database configuration, migrations and the tables that hold seeded reference data."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
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
    "matchmaking": ["events.matchmaking.models"],
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
            # An app's migrations sit beside its models: events.matchmaking.models → events.matchmaking.migrations
            label: {
                "models": models,
                "migrations": models[0].rpartition(".")[0] + ".migrations",
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


class Params:
    """The values of one raw SQL statement, each bound as a numbered placeholder of the connection's dialect (`$1`,
    `$2`, ... on PostgreSQL, `?1`, `?2`, ... on SQLite, so the text may place them in any order) and collected in
    order: the only way a value reaches raw SQL in this service.

    A statement's text is made of literals in the code and of identifiers or fragments picked from fixed whitelists
    (such as the dashboard's `KEYS`); no value is ever formatted into it (tests/server/test_db.py reads the source
    for that). Usage: `params = Params(connection)`, then `f'... WHERE "id" = {params.bind(event_id)}'` and
    `connection.execute_query_dict(sql, params.values)`.
    """

    def __init__(self, connection: BaseDBAsyncClient) -> None:
        self.postgres = connection.capabilities.dialect == "postgres"
        self.values: list[Any] = []

    def bind(self, value: Any) -> str:
        """The placeholder that stands for `value`."""
        self.values.append(value)
        return f"${len(self.values)}" if self.postgres else f"?{len(self.values)}"

    def bind_each(self, values: Iterable[Any]) -> str:
        """Placeholders for a non-empty list of values, comma-separated (for `IN (...)`)."""
        marks = [self.bind(value) for value in values]
        if not marks:
            raise ValueError("an empty list has no placeholders: `IN ()` is not SQL")
        return ", ".join(marks)


def row_placeholders(connection: BaseDBAsyncClient, count: int) -> str:
    """Placeholders for one row of `count` values, for `execute_many` (which binds every row the same way)."""
    params = Params(connection)
    return params.bind_each([None] * count)


def in_transaction_now() -> bool:
    """Whether this task runs inside a transaction (services that must commit with their caller check it)."""
    return isinstance(connections.get("default"), TransactionalDBClient)


_inserts: dict[tuple[str, str, bool], tuple[str, list[Field[Any]]]] = {}


async def insert_rows(model: type[Model], rows: Sequence[dict[str, Any]], *, ignore_conflicts: bool = False) -> None:
    """Insert rows given as {field name: value} (a field not given takes its default, `auto_now` ones the time),
    with the model's INSERT built once per dialect from its public metadata.

    For write-only rows on busy paths (audit entries, outbox mails): `Model.create` builds an instance and sends
    signals, and `bulk_create(ignore_conflicts=True)` builds its SQL anew on every call; on the registration path
    these were most of the CPU time. No model here has signal listeners, and none is fetched back, so database-
    generated columns (an auto-increment key) are left to the database.
    """
    db = connections.get("default")
    key = (db.capabilities.dialect, model._meta.db_table, ignore_conflicts)
    if key not in _inserts:
        _inserts[key] = _insert_statement(db, model, ignore_conflicts=ignore_conflicts)
    sql, fields = _inserts[key]
    now = utcnow()
    await db.execute_many(
        sql, [[field.to_db_value(_value(field, row, now), model) for field in fields] for row in rows]
    )


async def insert_new(
    model: type[Model], rows: Sequence[dict[str, Any]], *, returning: str, count_before: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Insert rows given as in `insert_rows` in one multi-row statement, skipping each row that would violate a
    unique constraint (`ON CONFLICT DO NOTHING`); returns `id` and the `returning` field of each row inserted.

    For a group of registrations decided together: a row refused by a constraint (an email already registered) is
    left out of the answer, and the caller fails that attempt alone. The model must have an `id` field.

    With `count_before` ({field name: value}), each returned row also carries `counted`: how many rows of the model
    matched those values just before the insert, seen in the insert's own snapshot. On PostgreSQL the count rides
    in the same statement (one round trip less for a caller holding a lock); SQLite serialises writers, so a count
    just before the insert sees the same rows.
    """
    db = connections.get("default")
    head, fields = _insert_head(model)
    column = model._meta.fields_db_projection[returning]  # a field's column name, never a value
    params = Params(db)
    insert = f'{head} VALUES {_values(model, fields, rows, params)} ON CONFLICT DO NOTHING RETURNING "id", "{column}"'
    if count_before is None:
        return list(await db.execute_query_dict(insert, params.values))
    if params.postgres:
        count = _count_sql(model, count_before, params)
        sql = f'WITH "new" AS ({insert}) SELECT "new".*, ({count}) AS "counted" FROM "new"'
        return list(await db.execute_query_dict(sql, params.values))
    before = Params(db)
    (counted,) = await db.execute_query_dict(_count_sql(model, count_before, before), before.values)
    return [{**row, "counted": counted["n"]} for row in await db.execute_query_dict(insert, params.values)]


@dataclass(frozen=True)
class Rows:
    """Rows of one table for `insert_together`, given as in `insert_rows`."""

    model: type[Model]
    rows: Sequence[dict[str, Any]]
    ignore_conflicts: bool = False


async def insert_together(*tables: Rows) -> None:
    """Insert rows into several tables in one round trip on PostgreSQL: each table's rows in one multi-row
    statement, all but the last as data-modifying `WITH` parts of the last. For a caller holding a lock (a group of
    registrations writes its audit entries and mails under the quota lock). SQLite runs them one after another."""
    tables = tuple(table for table in tables if table.rows)
    db = connections.get("default")
    params = Params(db)
    if len(tables) < 2 or not params.postgres:
        for table in tables:
            await insert_rows(table.model, table.rows, ignore_conflicts=table.ignore_conflicts)
        return
    statements = []
    for table in tables:
        head, fields = _insert_head(table.model)
        conflicts = " ON CONFLICT DO NOTHING" if table.ignore_conflicts else ""
        statements.append(f"{head} VALUES {_values(table.model, fields, table.rows, params)}{conflicts}")
    parts = ", ".join(f'"w{number}" AS ({statement})' for number, statement in enumerate(statements[:-1]))
    await db.execute_query(f"WITH {parts} {statements[-1]}", params.values)


def _values(model: type[Model], fields: list[Field[Any]], rows: Sequence[dict[str, Any]], params: Params) -> str:
    """`(…), (…)`: one parenthesised list of placeholders per row, the values converted by their fields."""
    now = utcnow()
    return ", ".join(
        f"({', '.join(params.bind(field.to_db_value(_value(field, row, now), model)) for field in fields)})"
        for row in rows
    )


def _count_sql(model: type[Model], equal: dict[str, Any], params: Params) -> str:
    """`SELECT COUNT(*) AS "n"` of the model's rows whose fields equal the values (column names from the model)."""
    meta = model._meta
    where = " AND ".join(
        f'"{meta.fields_db_projection[name]}" = {params.bind(meta.fields_map[name].to_db_value(value, model))}'
        for name, value in equal.items()
    )
    return f'SELECT COUNT(*) AS "n" FROM "{meta.db_table}" WHERE {where}'


def _insert_head(model: type[Model]) -> tuple[str, list[Field[Any]]]:
    """`INSERT INTO "table" ("column", ...)` for the fields an insert writes, and those fields."""
    meta = model._meta
    fields = [meta.fields_map[name] for name in meta.fields_db_projection if not meta.fields_map[name].generated]
    columns = ", ".join(f'"{meta.fields_db_projection[field.model_field_name]}"' for field in fields)
    return f'INSERT INTO "{meta.db_table}" ({columns})', fields


def _insert_statement(
    db: BaseDBAsyncClient, model: type[Model], *, ignore_conflicts: bool
) -> tuple[str, list[Field[Any]]]:
    head, fields = _insert_head(model)
    conflicts = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    return f"{head} VALUES ({row_placeholders(db, len(fields))}){conflicts}", fields


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
