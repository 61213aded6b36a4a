"""The generated OpenAPI 3.1 document is valid and covers every endpoint; /api/docs shows it."""

from __future__ import annotations

import httpx
from openapi_spec_validator import validate
from starlette.applications import Starlette
from starlette.routing import Route

from server.app import ENDPOINTS


async def test_the_document_is_valid_openapi_3_1(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/api/v1/openapi.json")).json()
    assert spec["openapi"] == "3.1.0"
    validate(spec)


async def test_every_route_is_documented_with_its_caller_rule(client: httpx.AsyncClient, app: Starlette) -> None:
    spec = (await client.get("/api/v1/openapi.json")).json()
    documented = {(method.upper(), path) for path, operations in spec["paths"].items() for method in operations}
    served = {(method, endpoint.openapi_path) for endpoint in ENDPOINTS for method in [endpoint.method]}
    assert documented == served
    api_routes = {r.path for r in app.routes if isinstance(r, Route) and r.path.startswith("/api/v1/")}
    assert api_routes - {e.path for e in ENDPOINTS} == {"/api/v1/openapi.json"}
    for operations in spec["paths"].values():
        for operation in operations.values():
            assert operation["x-allow"] in ("anyone", "signed-in user", "admin")


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
        "schema": {"type": "integer"},
    }
    assert {"401", "403", "404"} <= members["responses"].keys()


async def test_api_docs_page_loads_the_vendored_viewer(client: httpx.AsyncClient) -> None:
    page = await client.get("/api/docs")
    assert page.status_code == 200 and "swagger-ui-bundle.js" in page.text
    script = await client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js")
    assert script.status_code == 200 and len(script.content) > 100_000
