"""HTTP conventions: problem+json errors, field-level messages in zh-CN and en, size limit, health."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import BaseModel, Field
from starlette.applications import Starlette
from starlette.datastructures import QueryParams
from starlette.routing import Route

from server.api import _query_data
from server.errors import InvalidInput
from tests.support import sign_up


async def test_malformed_json_is_a_400_problem_in_the_asked_language(client: httpx.AsyncClient) -> None:
    answer = await client.post(
        "/api/v1/auth/signup",
        content=b'{"email": ',
        headers={"Content-Type": "application/json", "Accept-Language": "en"},
    )
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert body["type"] == "urn:quancheng:problem:malformed_json"
    assert body["title"] == "Malformed JSON"
    assert body["status"] == 400


async def test_form_encoded_body_is_refused_with_400(client: httpx.AsyncClient) -> None:
    answer = await client.post("/api/v1/auth/signup", data={"email": "a@b.cn"})
    assert answer.status_code == 400
    assert answer.json()["title"] == "内容类型不支持"


async def test_missing_body_is_a_400(client: httpx.AsyncClient) -> None:
    answer = await client.post("/api/v1/auth/signup")
    assert answer.status_code == 400
    assert answer.json()["type"] == "urn:quancheng:problem:body_missing"


async def test_missing_fields_and_wrong_types_get_field_messages_in_chinese_by_default(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.post("/api/v1/auth/signup", json={"email": 42, "password": "short"})
    assert answer.status_code == 422
    errors = {tuple(e["loc"]): e["msg"] for e in answer.json()["errors"]}
    assert errors == {
        ("body", "email"): "应为文本",
        ("body", "password"): "至少需要 10 个字符",
        ("body", "name"): "此字段为必填项",
    }
    assert answer.headers["content-language"] == "zh-CN"


async def test_field_messages_in_english_when_asked(client: httpx.AsyncClient) -> None:
    answer = await client.post(
        "/api/v1/auth/signup",
        json={"email": "not-an-address", "password": "long enough pw", "name": "x", "locale": "fr"},
        headers={"Accept-Language": "en-GB,en;q=0.9,zh;q=0.5"},
    )
    assert answer.status_code == 422
    errors = {tuple(e["loc"]): e["msg"] for e in answer.json()["errors"]}
    assert errors == {
        ("body", "email"): "Not a valid email address",
        ("body", "locale"): "Must be one of: 'zh-CN' or 'en'",
    }


async def test_unknown_fields_are_refused_not_dropped(client: httpx.AsyncClient) -> None:
    answer = await client.post(
        "/api/v1/auth/signup", json={"email": "a@b.cn", "password": "long enough pw", "name": "x", "is_admin": True}
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["body", "is_admin"]


async def test_a_json_array_body_is_a_422_not_a_crash(client: httpx.AsyncClient) -> None:
    answer = await client.post("/api/v1/auth/signup", json=[1, 2, 3])
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["msg"] == "应为 JSON 对象"


async def test_oversized_body_is_refused_with_413_by_content_length(client: httpx.AsyncClient) -> None:
    answer = await client.post(
        "/api/v1/auth/signup", content=b"x" * 1_048_577, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 413
    assert answer.json()["detail"] == "请求体不能超过 1048576 字节。"


async def test_oversized_streamed_body_is_refused_with_413(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b"x" * 100_000

    answer = await client.post("/api/v1/auth/signup", content=chunks(), headers={"Content-Type": "application/json"})
    assert answer.status_code == 413


async def test_unknown_path_and_method_are_problems(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    wrong_method = await client.put("/api/v1/me")
    assert wrong_method.status_code == 405
    assert "GET" in wrong_method.headers["allow"]


async def test_an_unknown_page_is_the_web_ui_with_a_404_and_unknown_machine_paths_stay_problems(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/no-such-page", headers={"Accept": "text/html,application/xhtml+xml"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert '<div id="app">' in page.text
    for machine in ("/api/v1/nothing-here", "/static/app/nothing.js", "/cal/nothing.ics"):
        answer = await client.get(machine, headers={"Accept": "text/html"})
        assert (answer.status_code, answer.headers["content-type"]) == (404, "application/problem+json"), machine
    assert (await client.get("/no-such-page")).headers["content-type"] == "application/problem+json"


async def test_bad_path_parameter_is_a_404_not_a_500(client: httpx.AsyncClient) -> None:
    headers = await sign_up(client, "p@example.cn")
    answer = await client.get("/api/v1/organisations/abc/members", headers=headers)
    assert answer.status_code == 404


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).json() == {"status": "ok"}


async def test_signed_in_users_get_errors_in_their_own_language(client: httpx.AsyncClient) -> None:
    headers = await sign_up(client, "en@example.cn", locale="en")
    answer = await client.post("/api/v1/me/tokens", json={"name": ""}, headers={**headers, "Accept-Language": "zh-CN"})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["msg"] == "Must have at least 1 characters"


async def test_pagination_parameters_are_validated(client: httpx.AsyncClient) -> None:
    answer = await client.get("/api/v1/organisations?per_page=1000&page=0", headers={"Accept-Language": "en"})
    assert answer.status_code == 422
    errors = {tuple(e["loc"]): e["msg"] for e in answer.json()["errors"]}
    assert errors == {("query", "per_page"): "Must be at most 200", ("query", "page"): "Must be at least 1"}


async def test_a_repeated_query_key_for_a_single_value_is_a_422_naming_it(client: httpx.AsyncClient) -> None:
    answer = await client.get(
        "/api/v1/organisations?kind=company&kind=university&q=a", headers={"Accept-Language": "en"}
    )
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"loc": ["query", "kind"], "msg": "Give this parameter once", "type": "query_repeated"}
    ]
    once = await client.get("/api/v1/organisations?kind=company")
    assert once.status_code == 200


def test_a_repeated_query_key_for_a_list_field_is_the_list() -> None:
    class Filter(BaseModel):
        kinds: list[str] = Field(default=[], alias="kind")
        q: str | None = None

    params = QueryParams("kind=a&kind=b&q=x")
    assert Filter.model_validate(_query_data(Filter, params)).kinds == ["a", "b"]
    with pytest.raises(InvalidInput):
        _query_data(Filter, QueryParams("q=x&q=y"))


def test_the_registration_endpoint_is_matched_before_every_other_route(app: Starlette) -> None:
    """A rush's requests skip trying the other routes; the order changes nothing else (each path is unique)."""
    routes = [route for route in app.routes if isinstance(route, Route)]
    assert (routes[0].path, routes[0].methods) == ("/api/v1/events/{event_id:int}/registrations", {"POST"})
    paths = [(route.path, frozenset(route.methods or ())) for route in routes]
    assert len(paths) == len(set(paths))
