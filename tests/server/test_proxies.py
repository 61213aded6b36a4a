"""TRUSTED_PROXIES: the client address behind a load balancer, and no other way to choose one's own.

Per-client limits count by the address the app sees. Behind HAProxy every TCP peer is the balancer, so the app
takes the rightmost address of X-Forwarded-For that is not a trusted proxy, and only when the peer itself is one.
Seen through the sign-up limit (one per client here): two sign-ups count as one client or as two.
"""

from __future__ import annotations

import httpx
import pytest

from server.app import create_app
from server.settings import Settings, SettingsError, load_settings
from tests.support import PASSWORD

BALANCER = "10.77.0.30"


async def sign_ups(settings: Settings, peer: str, forwarded_for: list[str]) -> list[int]:
    """The status of one sign-up per X-Forwarded-For value, each from the TCP peer `peer`."""
    limited = settings.model_copy(update={"SIGNUP_LIMIT_PER_CLIENT": 1})
    transport = httpx.ASGITransport(app=create_app(limited, manage_database=False), client=(peer, 41000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        codes = []
        for number, value in enumerate(forwarded_for):
            body = {"email": f"p{number}@proxied.cn", "password": PASSWORD, "name": "代理", "locale": "zh-CN"}
            answer = await client.post("/api/v1/auth/signup", json=body, headers={"X-Forwarded-For": value})
            codes.append(answer.status_code)
        return codes


async def test_behind_a_trusted_balancer_each_forwarded_client_counts_on_its_own(settings: Settings) -> None:
    trusted = settings.model_copy(update={"TRUSTED_PROXIES": f"{BALANCER}, 10.0.0.0/8"})
    assert await sign_ups(trusted, BALANCER, ["198.51.100.1", "198.51.100.2"]) == [202, 202]


async def test_a_client_cannot_choose_its_address_by_writing_x_forwarded_for_itself(settings: Settings) -> None:
    trusted = settings.model_copy(update={"TRUSTED_PROXIES": BALANCER})
    # Through the balancer: what the client wrote is left of what HAProxy appended, and is not looked at.
    spoofed = ["192.0.2.1, 198.51.100.7", "192.0.2.2, 198.51.100.7"]
    assert await sign_ups(trusted, BALANCER, spoofed) == [202, 429]
    # Straight to the app from an address that is not a trusted proxy: the header is ignored altogether.
    assert await sign_ups(trusted, "203.0.113.9", ["198.51.100.1", "198.51.100.2"]) == [202, 429]


async def test_without_trusted_proxies_no_peer_is_believed(settings: Settings) -> None:
    assert settings.TRUSTED_PROXIES == ""
    assert await sign_ups(settings, "127.0.0.1", ["198.51.100.1", "198.51.100.2"]) == [202, 429]


def test_a_trusted_proxy_that_is_not_an_address_is_refused_at_start() -> None:
    with pytest.raises(SettingsError, match="TRUSTED_PROXIES: .*'balancer' is not an IP address or network"):
        load_settings(TRUSTED_PROXIES="10.0.0.1, balancer")
    assert load_settings(TRUSTED_PROXIES=" 10.0.0.1,10.1.0.0/16 ").TRUSTED_PROXIES == "10.0.0.1, 10.1.0.0/16"
