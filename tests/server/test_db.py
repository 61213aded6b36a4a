"""Raw SQL binds every value through `Params`, and `insert_rows` writes what the ORM would."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from notifications.models import MailStatus, OutboxMessage
from server.db import Params, Rows, insert_new, insert_rows, insert_together
from server.models import AuditEntry, Region

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("server", "events", "notifications", "talent")
HOSTILE = ['\'); DELETE FROM "region"; --', "$1", "?", "%s", "\\'", "名字 'quoted' \"double\"", "", None]


async def test_hostile_values_come_back_as_they_went_in_and_touch_nothing(db: str) -> None:
    connection = connections.get("default")
    regions = await Region.all().count()
    for value in HOSTILE:
        params = Params(connection)
        sql = f'SELECT {params.bind(value)} AS "v", COUNT(*) AS "n" FROM "region" WHERE "code" <> {params.bind(value)}'
        rows = await connection.execute_query_dict(sql, params.values)
        assert rows[0]["v"] == value
    assert await Region.all().count() == regions


async def test_numbered_placeholders_may_appear_in_any_order_of_the_text(db: str) -> None:
    connection = connections.get("default")
    params = Params(connection)
    later, sooner = params.bind("b"), params.bind("a")
    rows = await connection.execute_query_dict(f'SELECT {sooner} AS "first", {later} AS "second"', params.values)
    assert (rows[0]["first"], rows[0]["second"]) == ("a", "b")


async def test_a_list_binds_each_value_and_an_empty_one_is_refused(db: str) -> None:
    connection = connections.get("default")
    params = Params(connection)
    codes = ["lixia", "x') OR ('1' = '1"]
    sql = f'SELECT "code" FROM "region" WHERE "code" IN ({params.bind_each(codes)})'
    assert [row["code"] for row in await connection.execute_query_dict(sql, params.values)] == ["lixia"]
    with pytest.raises(ValueError, match="empty list"):
        Params(connection).bind_each([])


async def test_insert_rows_writes_json_datetimes_enums_nulls_and_defaults(db: str) -> None:
    due = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    row = {
        "dedupe_key": "k1",
        "topic": "event:1",
        "template": "reminder",
        "locale": "zh-CN",
        "to_addr": "a@example.com",
        "context": {"name": "张三", "n": 2, "nested": {"list": [1, None]}},
        "message_id": "<m1@x>",
        "status": MailStatus.RETRY,
        "next_attempt_at": due,
        "locked_until": None,
    }
    before = datetime.now(UTC)
    await insert_rows(OutboxMessage, [row, {**row, "dedupe_key": "k2", "calendar": {"builder": "b", "args": {}}}])
    first, second = await OutboxMessage.all().order_by("dedupe_key")
    assert (first.context, first.status, first.next_attempt_at, first.locked_until) == (
        row["context"],
        MailStatus.RETRY,
        due,
        None,
    )
    assert first.calendar is None
    assert second.calendar == {"builder": "b", "args": {}}
    assert (first.to_name, first.attempts, first.last_error) == ("", 0, "")  # defaults of fields not given
    assert before - timedelta(seconds=1) <= first.created_at <= datetime.now(UTC) + timedelta(seconds=1)
    assert second.id > first.id  # the key is left to the database


async def test_insert_rows_skips_conflicting_rows_only_when_asked(db: str) -> None:
    row: dict[str, object] = {
        "dedupe_key": "same",
        "topic": "t",
        "template": "x",
        "locale": "en",
        "to_addr": "a@example.com",
    }
    row |= {"message_id": "<m@x>", "next_attempt_at": datetime.now(UTC)}
    await insert_rows(OutboxMessage, [row, {**row, "template": "y"}], ignore_conflicts=True)
    assert [message.template for message in await OutboxMessage.all()] == ["x"]
    with pytest.raises(Exception, match="(?i)unique"):
        await insert_rows(OutboxMessage, [row])


async def test_insert_new_writes_many_rows_in_one_statement_and_leaves_out_only_the_conflicting_ones(db: str) -> None:
    row: dict[str, object] = {"topic": "t", "template": "x", "locale": "en", "to_addr": "a@example.com"}
    row |= {"message_id": "<m@x>", "next_attempt_at": datetime.now(UTC), "context": {"名": "'; --"}}
    await insert_rows(OutboxMessage, [{**row, "dedupe_key": "taken"}])
    keys = ["first", "taken", "second", "first"]  # one committed before, one repeated within the statement
    returned = await insert_new(OutboxMessage, [{**row, "dedupe_key": key} for key in keys], returning="dedupe_key")
    assert [r["dedupe_key"] for r in returned] == ["first", "second"]
    stored = {m.dedupe_key: (m.id, m.context) for m in await OutboxMessage.all()}
    assert {r["dedupe_key"]: r["id"] for r in returned} == {key: stored[key][0] for key in ("first", "second")}
    assert stored["second"][1] == {"名": "'; --"}
    with pytest.raises(KeyError):
        await insert_new(OutboxMessage, [row], returning='id" FROM "region"; --')


async def test_insert_new_counts_the_rows_before_its_own_in_the_same_statement(db: str) -> None:
    row: dict[str, object] = {"topic": "t", "template": "x", "locale": "en", "to_addr": "a@example.com"}
    row |= {"message_id": "<m@x>", "next_attempt_at": datetime.now(UTC)}
    await insert_rows(OutboxMessage, [{**row, "dedupe_key": "old1"}, {**row, "dedupe_key": "old2", "topic": "u"}])
    fresh = [{**row, "dedupe_key": key} for key in ("new1", "new2", "old1")]
    returned = await insert_new(OutboxMessage, fresh, returning="dedupe_key", count_before={"topic": "t"})
    # One "t" row was there before; the statement's own two are not counted, the conflicting one is not returned.
    assert sorted((r["dedupe_key"], r["counted"]) for r in returned) == [("new1", 1), ("new2", 1)]
    again = await insert_new(OutboxMessage, [{**row, "dedupe_key": "n3"}], returning="id", count_before={"topic": "t"})
    assert [r["counted"] for r in again] == [3]


async def test_insert_together_writes_every_table_or_none(db: str) -> None:
    mail: dict[str, object] = {"topic": "t", "template": "x", "locale": "en", "to_addr": "a@example.com"}
    mail |= {"message_id": "<m@x>", "next_attempt_at": datetime.now(UTC), "dedupe_key": "k", "context": {"名": "$1"}}
    entry: dict[str, object] = {"action": "a", "object_type": "T", "object_id": "1", "after": {"n": "?"}}
    mails = Rows(OutboxMessage, [mail, {**mail, "template": "twin"}], ignore_conflicts=True)
    await insert_together(Rows(AuditEntry, [entry, {**entry, "object_id": "2"}]), mails, Rows(Region, []))
    assert [(e.object_id, e.after) for e in await AuditEntry.all().order_by("id")] == [
        ("1", {"n": "?"}),
        ("2", {"n": "?"}),
    ]
    assert [(m.template, m.context) for m in await OutboxMessage.all()] == [("x", {"名": "$1"})]
    # A refused row fails the whole statement: the audit entries written with it are gone too.
    with pytest.raises(Exception, match="(?i)unique"):
        async with in_transaction():
            await insert_together(Rows(AuditEntry, [{**entry, "object_id": "3"}]), Rows(OutboxMessage, [mail]))
    assert await AuditEntry.filter(object_id="3").count() == 0


async def test_insert_rows_writes_null_json_and_foreign_keys(db: str) -> None:
    entry: dict[str, object] = {
        "action": "a",
        "object_type": "T",
        "object_id": "1",
        "actor_id": None,
        "before": None,
        "after": {},
    }
    await insert_rows(AuditEntry, [entry])
    written = await AuditEntry.get(action="a")
    assert written.actor_id is None and written.before is None
    assert (written.after, written.actor_label) == ({}, "")


# The source check: in a raw SQL f-string, a formatted part is a placeholder from `Params`, a fixed fragment (a
# literal or UPPER_CASE whitelist, or a local built from those), never a value: no conversion of one to text, no
# enum's `.value`, no parameter of the function formatted in.
SQL_WORDS = ("SELECT ", "UPDATE ", "INSERT ", "DELETE ", "WHERE ", " FROM ", "TRUNCATE ")
BINDERS = frozenset({"bind", "bind_each", "row_placeholders"})
TO_TEXT = frozenset({"int", "str", "float", "repr", "format", "hex"})


def _problems_in(source: str, name: str) -> list[str]:
    problems: list[str] = []
    tree = ast.parse(source)
    functions = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]
    owners = {id(inner): function for function in functions for inner in ast.walk(function)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.JoinedStr):
            continue
        text = "".join(str(part.value) for part in node.values if isinstance(part, ast.Constant))
        if not any(word in text.upper() for word in SQL_WORDS):
            continue
        function = owners.get(id(node))
        arguments = {arg.arg for arg in ast.walk(function.args) if isinstance(arg, ast.arg)} if function else set()
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                issues = _issues(part.value, arguments) + (["a conversion (!r, !s)"] if part.conversion != -1 else [])
                problems += [f"{name}:{node.lineno}: {issue}" for issue in issues]
    return problems


def _issues(expression: ast.expr, arguments: set[str]) -> list[str]:
    if (
        isinstance(expression, ast.Call)
        and isinstance(expression.func, ast.Attribute | ast.Name)
        and (expression.func.attr if isinstance(expression.func, ast.Attribute) else expression.func.id) in BINDERS
    ):
        return []  # whatever goes into a placeholder is bound, not formatted
    issues = []
    for inner in ast.walk(expression):
        if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id in TO_TEXT:
            issues.append(f"{inner.func.id}() formats a value into SQL")
        if isinstance(inner, ast.Attribute) and inner.attr == "value":
            issues.append("an enum's .value formatted into SQL")
        if isinstance(inner, ast.Name) and inner.id in arguments and not _whitelist_index(expression, inner):
            issues.append(f"parameter {inner.id!r} formatted into SQL")
    return issues


def _whitelist_index(expression: ast.expr, name: ast.Name) -> bool:
    """`KEYS[key]`: a caller's name picks a fixed fragment from an UPPER_CASE table (unknown names raise)."""
    return any(
        isinstance(inner, ast.Subscript)
        and isinstance(inner.value, ast.Name)
        and inner.value.id.isupper()
        and name in list(ast.walk(inner.slice))
        for inner in ast.walk(expression)
    )


def test_no_value_is_formatted_into_raw_sql_anywhere_in_the_service() -> None:
    files = [path for package in SOURCES for path in sorted((ROOT / package).rglob("*.py"))]
    assert len(files) > 50
    problems = [p for path in files for p in _problems_in(path.read_text(), str(path.relative_to(ROOT)))]
    assert problems == []


@pytest.mark.parametrize(
    "bad",
    [
        'async def f(event_id: int) -> None:\n    sql = f\'SELECT 1 FROM "quota" WHERE "event_id" = {int(event_id)}\'',
        'def f(ids: list[int]) -> str:\n    return f\'SELECT 1 WHERE "id" IN ({", ".join(str(i) for i in ids)})\'',
        'def f() -> str:\n    return f"SELECT 1 WHERE \\"status\\" = \'{S.WAITLISTED.value}\'"',
        'def f(name: str) -> str:\n    return f\'DELETE FROM "x" WHERE "name" = {name!r}\'',
    ],
)
def test_the_source_check_finds_the_ways_values_used_to_reach_sql(bad: str) -> None:
    assert _problems_in(bad, "sample") != []


def test_the_source_check_lets_placeholders_and_whitelisted_fragments_through() -> None:
    good = (
        "def f(keys: tuple[str, ...], event_id: int, params: Params) -> str:\n"
        "    lock = ' FOR UPDATE' if params.postgres else ''\n"
        '    return f\'SELECT {KEYS[keys[0]][0]} FROM "quota" WHERE "id" = {params.bind(event_id)}{lock}\''
    )
    assert _problems_in(good, "sample") == []
