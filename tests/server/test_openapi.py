"""The generated OpenAPI 3.1 document is valid and covers every endpoint and its guard; declarations that
could not be served as written fail when declared; /api/docs shows the document."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from openapi_spec_validator import validate
from starlette.applications import Starlette
from starlette.routing import Route

from events.access import Organisers, Viewers
from events.models import AgendaSession
from server.access import Anyone, Guard
from server.api import Api, Context
from server.app import ENDPOINTS
from server.spreadsheets import XLSX


async def test_the_document_is_valid_openapi_3_1(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/api/v1/openapi.json")).json()
    assert spec["openapi"] == "3.1.0"
    validate(spec)


async def test_every_served_api_route_is_documented(client: httpx.AsyncClient, app: Starlette) -> None:
    spec = (await client.get("/api/v1/openapi.json")).json()
    documented = {
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        for method in operations
        if path.startswith("/api/v1/")
    }
    served = {
        (method, re.sub(r":\w+}", "}", r.path))
        for r in app.routes
        if isinstance(r, Route) and r.path.startswith("/api/v1/") and r.path != "/api/v1/openapi.json"
        for method in r.methods or ()
        if method != "HEAD"
    }
    assert served == documented
    assert len(documented) > 60


async def test_each_operation_shows_its_guard_as_prose_and_as_x_access(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/api/v1/openapi.json")).json()
    kinds = set()
    for endpoint in ENDPOINTS:
        operation = spec["paths"][endpoint.openapi_path][endpoint.method.lower()]
        assert isinstance(endpoint.guard, Guard)
        assert operation["x-access"] == endpoint.guard.access()
        assert operation["description"].startswith(f"Who may call: {endpoint.guard.describe()}")
        assert ("security" in operation) is endpoint.guard.signed_in
        kinds.add(operation["x-access"]["kind"])
    assert kinds == {
        "anyone",
        "signed-in",
        "admins",
        "organisation-members",
        "role-holders",
        "event-viewers",
        "event-organisers",
        "registration-holder",
        "base-reporters",
        "programme-managers",
        "pool-entry-viewers",
        "pool-entry-parties",
        "team-leader",
        "team-members",
        "team-organisers",
        "entry-readers",
        "matchmaking-participants",
        "matchmaking-party-members",
        "matchmaking-party-colleagues",
        "assigned-judge",
    }


async def test_a_guard_reading_a_resource_is_documented_with_it(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/api/v1/openapi.json")).json()
    accept = spec["paths"]["/api/v1/registrations/{registration_id}/accept"]["post"]
    assert accept["x-access"] == {
        "kind": "registration-holder",
        "signed_in": False,
        "registration": "registration_id",
        "registrant": True,
        "organisers": False,
    }
    assert "security" not in accept
    quotas = spec["paths"]["/api/v1/events/{event_id}/quotas/{quota_id}"]["patch"]
    assert quotas["x-access"]["roles"] == ["organiser"]
    assert quotas["description"].endswith("Never below its current holders; more room is offered to the waiting list.")


async def test_a_raw_upload_is_documented_with_its_media_type(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/api/v1/openapi.json")).json()
    upload = spec["paths"]["/api/v1/talent/sheets/{base_id}/{period_id}"]["post"]
    assert list(upload["requestBody"]["content"]) == [XLSX]
    assert upload["requestBody"]["content"][XLSX]["schema"]["contentMediaType"] == XLSX


def test_a_route_without_a_guard_cannot_be_declared() -> None:
    with pytest.raises(TypeError, match="guard"):
        Api().route("GET", "/x", summary="x", tag="x")  # type: ignore[call-arg]


async def _by_event(ctx: Context, event_id: uuid.UUID) -> None:
    return None


async def _by_name(ctx: Context, name: str) -> None:
    return None


def test_a_path_converter_that_disagrees_with_the_handler_fails_at_declaration() -> None:
    with pytest.raises(TypeError, match="`event_id` is int in the path"):
        Api().route("GET", "/events/{event_id:int}", guard=Anyone, summary="x", tag="x")(_by_event)
    with pytest.raises(TypeError, match="path parameters"):
        Api().route("GET", "/events/{event_id:uuid}/{other}", guard=Anyone, summary="x", tag="x")(_by_event)
    with pytest.raises(TypeError, match="the guard reads"):
        Api().route("GET", "/mail/{name}", guard=Organisers(), summary="x", tag="x")(_by_name)
    api = Api()
    api.route("GET", "/events/{event_id:uuid}", guard=Anyone, summary="x", tag="x")(_by_event)
    assert api.endpoints[0].path_params == {"event_id": uuid.UUID}


async def _wants_a_session(ctx: Context, event_id: int, event: AgendaSession) -> None:
    return None


def test_a_handler_taking_what_the_guard_provides_must_type_it_as_provided() -> None:
    with pytest.raises(TypeError, match="provides `event: Event`"):
        Api().route("GET", "/events/{event_id:int}", guard=Viewers(), summary="x", tag="x")(_wants_a_session)


async def _upload(ctx: Context, body: bytes) -> None:
    return None


def test_a_raw_body_needs_its_media_type() -> None:
    with pytest.raises(TypeError, match="consumes"):
        Api().route("POST", "/upload", guard=Anyone, summary="x", tag="x")(_upload)


async def test_request_and_error_shapes_are_described(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/api/v1/openapi.json")).json()
    signup = spec["paths"]["/api/v1/auth/signup"]["post"]
    body = signup["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/SignupIn"}
    assert set(spec["components"]["schemas"]["SignupIn"]["required"]) == {"email", "password", "name"}
    assert signup["responses"]["422"]["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
    members = spec["paths"]["/api/v1/organisations/{organisation_id}/members"]["post"]
    assert members["parameters"][0] == {
        "name": "organisation_id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    }
    assert {"401", "403", "404", "409", "422"} <= members["responses"].keys()


async def test_query_limits_and_possible_answers_are_documented(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/api/v1/openapi.json")).json()
    events = spec["paths"]["/api/v1/events"]["get"]
    query = {parameter["name"]: parameter["schema"] for parameter in events["parameters"]}
    assert query["per_page"] == {"default": 50, "maximum": 200, "minimum": 1, "title": "Per Page", "type": "integer"}
    assert query["region"]["anyOf"][0] == {"maxLength": 40, "type": "string"}
    assert "401" in events["responses"] and "409" not in events["responses"]  # a stale token, even here
    login = spec["paths"]["/api/v1/auth/login"]["post"]
    assert "Retry-After" in login["responses"]["429"]["headers"]


async def test_api_docs_page_loads_the_vendored_viewer(client: httpx.AsyncClient) -> None:
    page = await client.get("/api/docs")
    assert page.status_code == 200 and "swagger-ui-bundle.js" in page.text
    script = await client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js")
    assert script.status_code == 200 and len(script.content) > 100_000
