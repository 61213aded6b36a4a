"""The OpenAPI 3.1 document, generated from the endpoint declarations and their pydantic shapes."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, TypeAdapter

from server.api import Endpoint
from server.errors import Problem
from server.fields import INT_MAX

REF = "#/components/schemas/{model}"
_ERRORS_ALWAYS = {"400": "Malformed request", "413": "Body too large", "422": "Invalid input"}
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _path_schema(kind: type, schema_of: Any) -> dict[str, Any]:
    """Path ids are PostgreSQL integers: beyond that range no row exists (a 404, see server.fields)."""
    schema: dict[str, Any] = schema_of(kind, "validation")
    return {**schema, "minimum": 1, "maximum": INT_MAX} if kind is int else schema


def document(endpoints: list[Endpoint], *, version: str) -> dict[str, Any]:
    schemas: dict[str, Any] = {}

    def schema_of(shape: Any, mode: str, *, inline: bool = False) -> dict[str, Any]:
        found = TypeAdapter(shape).json_schema(ref_template=REF, mode=mode)  # type: ignore[arg-type]
        schemas.update(found.pop("$defs", {}))
        if not inline and isinstance(shape, type) and issubclass(shape, BaseModel) and "properties" in found:
            name = re.sub(r"[^a-zA-Z0-9.\-_]", "_", shape.__name__)  # as pydantic names nested models
            schemas[name] = found
            return {"$ref": REF.format(model=name)}
        return found

    problem = schema_of(Problem, "serialization")
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        operation: dict[str, Any] = {
            "operationId": endpoint.handler.__name__,
            "summary": endpoint.summary,
            "tags": [endpoint.tag],
            "description": endpoint.description,
            "x-access": endpoint.guard.access(),
            "parameters": _parameters(endpoint, schema_of),
            "responses": _responses(endpoint, schema_of, problem),
        }
        if endpoint.guard.signed_in:
            operation["security"] = [{"bearer": []}, {"session": []}]
        if endpoint.consumes is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {
                    kind: {"schema": {"type": "string", "contentMediaType": kind}} for kind in endpoint.media_types
                },
            }
        elif endpoint.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": schema_of(endpoint.body, "validation")}},
            }
        paths.setdefault(endpoint.openapi_path, {})[endpoint.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Quancheng 泉城 API", "version": version},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "A session or API token."},
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "qc_session",
                    "description": "Browser session; unsafe methods also need the X-CSRF-Token header.",
                },
            },
        },
    }


def _parameters(endpoint: Endpoint, schema_of: Any) -> list[dict[str, Any]]:
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": _path_schema(kind, schema_of)}
        for name, kind in endpoint.path_params.items()
    ]
    if endpoint.query is not None:
        # the model's own schema keeps each field's limits (ge/le, max_length, pattern) and default
        fields = schema_of(endpoint.query, "validation", inline=True)
        for name, info in endpoint.query.model_fields.items():
            alias = info.alias or name
            parameters.append(
                {"name": alias, "in": "query", "required": info.is_required(), "schema": fields["properties"][alias]}
            )
    return parameters


def _responses(endpoint: Endpoint, schema_of: Any, problem: dict[str, Any]) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    if not endpoint.renders_json:
        file = {"schema": {"type": "string"}}
        responses[str(endpoint.status)] = {"description": "File", "content": {endpoint.produces: file}}
        responses["304"] = {"description": "Not modified (the ETag or Last-Modified matched)"}
    elif endpoint.returns in (None, type(None)):
        responses["204" if endpoint.status == 200 else str(endpoint.status)] = {"description": "Done"}
    else:
        responses[str(endpoint.status)] = {
            "description": "Success",
            "content": {"application/json": {"schema": schema_of(endpoint.returns, "serialization")}},
        }
    parsed = endpoint.body or endpoint.consumes or endpoint.query or endpoint.path_params
    errors = dict(_ERRORS_ALWAYS) if parsed else {}
    # any caller may send a token that has expired or was revoked, even to an endpoint open to anyone
    errors["401"] = "Not signed in, or the session or token is no longer valid"
    if endpoint.guard.signed_in:
        errors["403"] = "Not allowed"
    if endpoint.path_params:
        errors["404"] = "Not found"
    if endpoint.method in _UNSAFE:
        errors["409"] = "Conflicts with the current state (e.g. already registered, report locked)"
    if endpoint.rate_limited:
        errors["429"] = "Too many attempts; retry after the seconds in Retry-After"
    for status, description in errors.items():
        responses[status] = {"description": description, "content": {"application/problem+json": {"schema": problem}}}
        if status == "429":
            responses[status]["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
    return responses
