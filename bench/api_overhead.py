"""What the platform's HTTP conventions cost per request, as ratios against baselines measured in this run.

    python bench/api_overhead.py [--requests N]

Endpoint under test: GET /api/v1/organisations (a page of 50, with authentication-free parsing, query
validation, the ORM query and pydantic rendering). Baselines, in the same process and database:
  * bare:   a plain Starlette route that runs the same two ORM queries and returns orjson, no conventions;
  * direct: the same ORM queries called without HTTP at all.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise import Tortoise

from server.app import create_app
from server.db import migrate, tortoise_config
from server.models import Organisation, OrganisationKind, Region
from server.settings import load_settings


async def page_rows() -> bytes:
    found = Organisation.all().select_related("region")
    total = await found.count()
    rows = await found.order_by("id").limit(50)
    items = [
        {
            "id": o.id,
            "name": {"zh": o.name_zh, "en": o.name_en},
            "kind": o.kind.value,
            "region": o.region.code,
            "uscc": o.uscc,
            "created_at": o.created_at,
        }
        for o in rows
    ]
    return orjson.dumps({"items": items, "total": total, "page": 1, "per_page": 50})


async def timed(label: str, requests: int, call: Callable[[], Awaitable[object]]) -> float:
    for _ in range(50):  # warm-up
        await call()
    started = time.perf_counter()
    for _ in range(requests):
        await call()
    per_request = (time.perf_counter() - started) / requests
    print(f"{label:<8} {per_request * 1e6:8.1f} µs/request")
    return per_request


async def main(requests: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite://{Path(folder) / 'bench.sqlite3'}"
        await migrate(url)
        await Tortoise.init(config=tortoise_config(url))
        region = await Region.get(code="lixia")
        await Organisation.bulk_create(
            [
                Organisation(name_zh=f"企业{i}", name_en=f"Company {i}", kind=OrganisationKind.COMPANY, region=region)
                for i in range(200)
            ]
        )
        app = create_app(load_settings(DATABASE_URL=url, DATA_DIR=Path(folder)), manage_database=False)

        async def bare_endpoint(request: Request) -> Response:
            return Response(await page_rows(), media_type="application/json")

        bare = Starlette(routes=[Route("/organisations", bare_endpoint)])
        ours_client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench")
        bare_client = httpx.AsyncClient(transport=httpx.ASGITransport(app=bare), base_url="http://bench")
        direct = await timed("direct", requests, page_rows)
        bare_time = await timed("bare", requests, lambda: bare_client.get("/organisations"))
        ours = await timed("ours", requests, lambda: ours_client.get("/api/v1/organisations?per_page=50"))
        print(f"ours/bare   = {ours / bare_time:.2f}  (cost of the conventions over a plain Starlette route)")
        print(f"ours/direct = {ours / direct:.2f}  (cost of HTTP + conventions over the bare queries)")
        await ours_client.aclose()
        await bare_client.aclose()
        await Tortoise.close_connections()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    asyncio.run(main(parser.parse_args().requests))
