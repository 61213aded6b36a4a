"""Helpers every test area shares: accounts through the API, a free port, and the cheap password hasher."""

from __future__ import annotations

import socket

import httpx
from argon2 import PasswordHasher

from server.accounts import create_admin

PASSWORD = "correct horse battery"
# Argon2 at the lowest cost it accepts: tests sign up hundreds of accounts, and what they prove does not depend on
# the hash being slow. The production parameters are tested once, in tests/server/test_accounts.py.
CHEAP_PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


async def sign_up(client: httpx.AsyncClient, email: str, *, locale: str = "zh-CN") -> dict[str, str]:
    """Create an account and sign in; returns the bearer headers."""
    answer = await client.post(
        "/api/v1/auth/signup",
        json={"email": email, "password": PASSWORD, "name": email.split("@")[0], "locale": locale},
    )
    assert answer.status_code == 201, answer.text
    return await log_in(client, email)


async def log_in(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    answer = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    client.cookies.clear()
    return {"Authorization": f"Bearer {answer.json()['token']}"}


async def admin_headers(client: httpx.AsyncClient, email: str = "admin@bureau.gov.cn") -> dict[str, str]:
    await create_admin(email, PASSWORD, "管理员")
    return await log_in(client, email)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
