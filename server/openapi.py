"""The OpenAPI 3.1 document, generated from the endpoint declarations and their pydantic shapes."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, TypeAdapter

from server.api import Endpoint
from server.errors import Problem

REF = "#/components/schemas/{model}"
_ERRORS_ALWAYS = {"400": "Malformed request", "413": "Body too large", "422": "Invalid input"}


def document(endpoints: list[Endpoint], *, version: str) -> dict[str, Any]:
    schemas: dict[str, Any] = {}

    def schema_of(shape: Any, mode: str) -> dict[str, Any]:
        found = TypeAdapter(shape).json_schema(ref_template=REF, mode=mode)  # type: ignore[arg-type]
        schemas.update(found.pop("$defs", {}))
        if isinstance(shape, type) and issubclass(shape, BaseModel) and "properties" in found:
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
                "content": {endpoint.consumes: {"schema": {"type": "string", "contentMediaType": endpoint.consumes}}},
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
        {"name": name, "in": "path", "required": True, "schema": schema_of(kind, "validation")}
        for name, kind in endpoint.path_params.items()
    ]
    if endpoint.query is not None:
        for name, info in endpoint.query.model_fields.items():
            parameters.append(
                {
                    "name": info.alias or name,
                    "in": "query",
                    "required": info.is_required(),
                    "schema": schema_of(info.annotation, "validation"),
                }
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
    if endpoint.guard.signed_in:
        errors |= {"401": "Not signed in", "403": "Not allowed"}
    if endpoint.path_params:
        errors["404"] = "Not found"
    for status, description in errors.items():
        responses[status] = {"description": description, "content": {"application/problem+json": {"schema": problem}}}
    return responses
