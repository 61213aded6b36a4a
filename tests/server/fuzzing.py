"""Support for the fuzzing gates: schemathesis cases drawn from the OpenAPI document, sent through the test client.

Cases are drawn synchronously (hypothesis) and sent through the app's ASGI transport inside the test's event loop,
so they reach the same database connections as every other test (SQLite and PostgreSQL).
"""

from __future__ import annotations

import contextlib
import json
from typing import Any
from urllib.parse import urlencode

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation.case import Case
from schemathesis.generation.modes import GenerationMode

from server import openapi
from server.app import ENDPOINTS
from server.spreadsheets import XLSX

schemathesis.serializer.alias(XLSX, "application/octet-stream")  # report sheets are uploaded as raw bytes

AnyCase = Case[Any]


def generated_cases(
    examples: int, *, skip: set[tuple[str, str]], modes: tuple[GenerationMode, ...] = tuple(GenerationMode)
) -> list[AnyCase]:
    """Up to `examples` cases per operation and generation mode (data that fits the document, and data that
    does not), the same on every run."""
    schema = schemathesis.openapi.from_dict(openapi.document(ENDPOINTS, version="test"))
    cases: list[AnyCase] = []
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an invalid document fails here, loudly
        if (operation.method.upper(), operation.path) in skip:
            continue

        for mode in modes:

            @settings(
                max_examples=examples,
                database=None,
                deadline=None,
                derandomize=True,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(operation.as_strategy(generation_mode=mode))
            def collect(case: AnyCase) -> None:
                cases.append(case)

            with contextlib.suppress(Unsatisfiable):  # nothing to get wrong in an operation without input
                collect()
    return cases


async def send(client: httpx.AsyncClient, case: AnyCase, headers: dict[str, str]) -> httpx.Response:
    """Send a case through the test client (the test's event loop and database), cookies not kept."""
    return await send_request(client, case.as_transport_kwargs(base_url=str(client.base_url)), headers)


async def send_request(client: httpx.AsyncClient, request: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
    """Send a case's transport arguments (method, url, headers, params, json or data, cookies). JSON and the query
    are encoded here, so that text no UTF-8 encoder accepts (lone surrogates) still goes out, escaped."""
    extra = {**request.get("headers", {}), **headers}
    if cookies := "; ".join(f"{name}={value}" for name, value in (request.get("cookies") or {}).items()):
        extra["Cookie"] = cookies
    content = request.get("data")
    if "json" in request and request["json"] is not None:
        content = json.dumps(request["json"]).encode()  # ASCII with \u escapes, surrogates included
        extra["Content-Type"] = "application/json"
    url = request["url"]
    if params := request.get("params"):
        url += "?" + urlencode(params, doseq=True, errors="surrogatepass")
    answer = await client.request(request["method"], url, headers=extra, content=content)
    client.cookies.clear()
    return answer
