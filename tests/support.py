"""Helpers every test area shares: accounts through the API, a free port, and the cheap password hasher."""

from __future__ import annotations

import os
import socket
from urllib.parse import parse_qs, urlsplit

import httpx
from argon2 import PasswordHasher

from notifications.models import OutboxMessage
from server import identity
from server.accounts import create_admin

PASSWORD = "correct horse battery"
PG = os.environ.get("QUANCHENG_TEST_PG", "")  # a PostgreSQL server to test on, or empty
# Argon2 at the lowest cost it accepts: tests sign up hundreds of accounts, and what they prove does not depend on
# the hash being slow. The production parameters are tested once, in tests/server/test_accounts.py.
CHEAP_PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


async def sign_up(client: httpx.AsyncClient, email: str, *, locale: str = "zh-CN") -> dict[str, str]:
    """Create an account and sign in; returns the bearer headers."""
    answer = await client.post(
        "/api/v1/auth/signup",
        json={"email": email, "password": PASSWORD, "name": email.split("@")[0], "locale": locale},
    )
    assert answer.status_code == 202, answer.text
    return await log_in(client, email)


async def provisioned(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    """An account the operator made (verified, so no verification mail waits in the outbox), signed in."""
    await identity.create_account(email, PASSWORD, email.split("@")[0])
    return await log_in(client, email)


async def log_in(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    answer = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    client.cookies.clear()
    return {"Authorization": f"Bearer {answer.json()['token']}"}


async def admin_headers(client: httpx.AsyncClient, email: str = "admin@bureau.gov.cn") -> dict[str, str]:
    await create_admin(email, PASSWORD, "管理员")
    return await log_in(client, email)


async def invitation_token(email: str) -> str:
    """The token of the latest organisation invitation link mailed to `email` (read from the outbox)."""
    mail = await OutboxMessage.filter(template="organisation_invitation", to_addr=email).order_by("-id").first()
    assert mail is not None, f"no invitation mailed to {email}"
    return parse_qs(urlsplit(str(mail.context["accept_url"])).query)["token"][0]


async def join(
    client: httpx.AsyncClient, manager: dict[str, str], organisation_id: int, member: dict[str, str], role: str
) -> int:
    """`manager` invites the account behind `member`, which accepts the mailed link; returns the membership id."""
    email = (await client.get("/api/v1/me", headers=member)).json()["email"]
    invited = await client.post(
        f"/api/v1/organisations/{organisation_id}/invitations", json={"email": email, "role": role}, headers=manager
    )
    assert invited.status_code == 202, invited.text
    token = await invitation_token(email)
    accepted = await client.post("/api/v1/invitations/accept", json={"token": token}, headers=member)
    assert accepted.status_code == 200, accepted.text
    return int(accepted.json()["id"])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
