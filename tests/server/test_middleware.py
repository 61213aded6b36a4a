"""The browser hardening headers on every answer: pages, the API, its errors and static files."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from server.app import create_app
from server.settings import Settings, load_settings

POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-eval'; "
    "style-src 'self' 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='; img-src 'self' data:; "
    "font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
ANSWERS = ["/login", "/api/docs", "/healthz", "/api/v1/events", "/api/v1/no-such-thing", "/static/app/main.js"]


def client_for(settings: Settings) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(settings, manage_database=False))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.mark.parametrize("path", ANSWERS)
async def test_every_answer_carries_the_hardening_headers_and_no_hsts_over_http(
    client: httpx.AsyncClient, path: str
) -> None:
    answer = await client.get(path)
    assert answer.status_code in (200, 404)
    assert answer.headers["content-security-policy"] == POLICY
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "strict-transport-security" not in answer.headers


async def test_hsts_only_when_the_site_is_https(db: str, tmp_path: Path) -> None:
    settings = load_settings(DATABASE_URL=db, DATA_DIR=tmp_path, SECRET_KEY="k" * 40, BASE_URL="https://hd.jinan.cn")
    async with client_for(settings) as client:
        for path in ANSWERS:
            answer = await client.get(path)
            assert answer.headers["strict-transport-security"] == "max-age=31536000"


async def test_images_come_only_from_this_site_and_the_allowed_hosts(db: str, tmp_path: Path) -> None:
    settings = load_settings(
        DATABASE_URL=db, DATA_DIR=tmp_path, SECRET_KEY="k" * 40, MARKDOWN_IMAGE_HOSTS="IMG.example.cn, cdn.jinan.cn"
    )
    async with client_for(settings) as client:
        policy = (await client.get("/")).headers["content-security-policy"]
    assert "; img-src 'self' data: https://img.example.cn https://cdn.jinan.cn; " in policy
