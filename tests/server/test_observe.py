"""Request ids and logs: the id is accepted or made, echoed, written in JSON log lines, the audit entry and mail."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path

import httpx
import orjson
import pytest
from starlette.routing import Route
from tortoise.transactions import in_transaction

from notifications.models import OutboxMessage
from notifications.transport import FileTransport
from notifications.worker import Worker
from server import audit, logs
from server.models import AuditEntry, Region
from server.observe import RouteTemplates
from server.settings import SettingsError, load_settings
from tests.events.support import organiser, published_event, register


@pytest.fixture
def json_lines() -> tuple[io.StringIO, logging.Handler]:
    """What the JSON handler writes, captured."""
    stream = io.StringIO()
    handler = logs.handler("json")
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    return stream, handler


@pytest.fixture
def captured(json_lines: tuple[io.StringIO, logging.Handler]) -> Iterator[io.StringIO]:
    stream, handler = json_lines
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def records(stream: io.StringIO) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in stream.getvalue().splitlines()]


async def test_a_sane_incoming_request_id_is_echoed(client: httpx.AsyncClient) -> None:
    answer = await client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42:9"})
    assert answer.headers["X-Request-ID"] == "lb-7f3a.42:9"


@pytest.mark.parametrize("incoming", ["", "has space", "x" * 65, 'quote"d', "新"])
async def test_an_insane_or_missing_request_id_is_replaced_by_a_new_one(
    client: httpx.AsyncClient, incoming: str
) -> None:
    headers = {b"X-Request-ID": incoming.encode()} if incoming else {}
    first = (await client.get("/healthz", headers=headers)).headers["X-Request-ID"]
    second = (await client.get("/healthz", headers=headers)).headers["X-Request-ID"]
    assert first != incoming and len(first) == 32 and first != second


async def test_the_access_log_is_one_json_object_per_request_with_route_template_and_request_id(
    client: httpx.AsyncClient, captured: io.StringIO
) -> None:
    await client.get("/api/v1/events/999999", headers={"X-Request-ID": "req-access-1"})
    (line,) = [entry for entry in records(captured) if entry["logger"] == "quancheng.access"]
    assert line["request_id"] == "req-access-1"
    assert line["route"] == "/api/v1/events/{event_id:int}" and line["path"] == "/api/v1/events/999999"
    assert line["status"] == 404 and line["method"] == "GET" and line["level"] == "INFO"
    assert isinstance(line["duration_ms"], float)


async def test_with_the_access_log_off_requests_write_no_line_and_other_logs_still_do(
    client: httpx.AsyncClient, captured: io.StringIO
) -> None:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    logs.configure("json", access=False)
    try:
        await client.get("/api/v1/events/999999", headers={"X-Request-ID": "req-quiet-1"})
        logging.getLogger("quancheng.test").warning("still here")
    finally:
        logs.configure("json")
        root.handlers[:], root.level = handlers, level
    ours = [line for line in records(captured) if str(line["logger"]).startswith("quancheng")]
    assert [line["message"] for line in ours] == ["still here"]
    await client.get("/healthz")
    ours = [line for line in records(captured) if str(line["logger"]).startswith("quancheng")]
    assert [line["logger"] for line in ours] == ["quancheng.test", "quancheng.access"]


async def test_application_log_lines_carry_the_request_id_they_were_written_under(
    json_lines: tuple[io.StringIO, logging.Handler],
) -> None:
    stream, handler = json_lines
    logger = logging.getLogger("quancheng.test")
    logger.addHandler(handler)
    token = logs.request_id.set("req-app-1")
    try:
        logger.warning("quota %s almost full", 3, extra={"event_id": 12})
    finally:
        logs.request_id.reset(token)
        logger.removeHandler(handler)
    (line,) = records(stream)
    assert line["message"] == "quota 3 almost full" and line["event_id"] == 12
    assert line["request_id"] == "req-app-1" and line["level"] == "WARNING" and line["logger"] == "quancheng.test"


def test_text_format_names_the_request_id_too() -> None:
    stream = io.StringIO()
    handler = logs.handler("text")
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    record = logging.LogRecord("quancheng", logging.INFO, __file__, 1, "hello", None, None)
    token = logs.request_id.set("req-text-1")
    try:
        handler.handle(record)
    finally:
        logs.request_id.reset(token)
    assert "[req-text-1] hello" in stream.getvalue() and not stream.getvalue().startswith("{")


async def test_the_request_id_reaches_the_audit_entry_and_the_mail_it_caused(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    made = await register(client, event_id, "trace@example.cn", headers={"X-Request-ID": "req-trace-1"})
    assert made.status_code == 201 and made.headers["X-Request-ID"] == "req-trace-1"
    entry = await AuditEntry.get(action="registration.create")
    assert entry.request_id == "req-trace-1"
    row = await OutboxMessage.get(template="registration_confirmed")
    assert row.request_id == "req-trace-1"
    await Worker(FileTransport(tmp_path / "mail"), sender="events@quancheng.localhost").drain_once()
    (file,) = (tmp_path / "mail").glob("*.eml")
    assert message_from_bytes(file.read_bytes(), policy=policy.default)["X-Request-ID"] == "req-trace-1"


async def test_work_outside_a_request_has_no_request_id(db: str) -> None:
    region = await Region.first()
    assert region is not None and logs.request_id.get() is None
    async with in_transaction():
        await audit.record("system", "region.touch", region)
    assert (await AuditEntry.get(action="region.touch")).request_id is None


def test_route_templates_name_the_route_not_the_path() -> None:
    async def one(request: object) -> None: ...

    async def shared(request: object) -> None: ...

    routes = [Route("/a/{n:int}", one), Route("/p", shared), Route("/q/{rest:path}", shared)]
    templates = RouteTemplates(list(routes))
    assert templates.template({"endpoint": one, "path": "/a/5"}) == "/a/{n:int}"
    assert templates.template({"type": "http", "endpoint": shared, "path": "/q/x/y", "method": "GET"}) == (
        "/q/{rest:path}"
    )
    assert templates.template({"path": "/nowhere"}) == "unmatched"


def test_logs_are_json_in_production_and_text_in_development_unless_set() -> None:
    production = load_settings(MODE="production", SECRET_KEY="s" * 40)
    assert production.LOG_FORMAT == "json"
    assert load_settings(MODE="development").LOG_FORMAT == "text"
    assert load_settings(MODE="production", SECRET_KEY="s" * 40, LOG_FORMAT="text").LOG_FORMAT == "text"
    with pytest.raises(SettingsError, match="bad setting LOG_FORMAT"):
        load_settings(LOG_FORMAT="xml")
