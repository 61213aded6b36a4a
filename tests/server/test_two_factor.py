"""The optional second factor (TOTP and recovery codes) of admins and organisers, through the API."""

from __future__ import annotations

import base64

import httpx

from server import totp
from server.clock import utcnow
from server.models import User
from tests.events.support import organiser
from tests.support import PASSWORD, admin_headers, provisioned, sign_up

HOST = "host@organiser.cn"


def code(secret: str, steps_from_now: int = 0) -> str:
    """What the authenticator app shows now (or that many 30-second steps from now)."""
    return totp.hotp(base64.b32decode(secret), totp.step_at(utcnow()) + steps_from_now)


async def login(client: httpx.AsyncClient, **extra: str) -> httpx.Response:
    answer = await client.post("/api/v1/auth/login", json={"email": HOST, "password": PASSWORD, **extra})
    client.cookies.clear()
    return answer


async def turned_on(client: httpx.AsyncClient, headers: dict[str, str]) -> tuple[str, list[str]]:
    """Enrol and confirm with the app's current code: (secret, recovery codes)."""
    enrolled = await client.post("/api/v1/me/totp", headers=headers)
    assert enrolled.status_code == 201, enrolled.text
    secret = enrolled.json()["secret"]
    confirmed = await client.post("/api/v1/me/totp/confirm", json={"code": code(secret)}, headers=headers)
    assert confirmed.status_code == 200, confirmed.text
    return secret, confirmed.json()["recovery_codes"]


async def test_an_organiser_turns_it_on_and_then_a_login_needs_a_code_used_once(client: httpx.AsyncClient) -> None:
    headers, _ = await organiser(client, HOST)
    enrolled = await client.post("/api/v1/me/totp", headers=headers)
    body = enrolled.json()
    assert body["uri"].startswith("otpauth://totp/") and f"secret={body['secret']}" in body["uri"]
    assert body["qr_svg"].startswith("data:image/svg+xml")
    assert (await login(client)).status_code == 200  # not required before it is confirmed
    wrong = await client.post("/api/v1/me/totp/confirm", json={"code": "000000"}, headers=headers)
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["msg"] == "验证码不正确、已过期或已被使用"
    used = code(body["secret"])  # one string for both: the clock may cross a 30 s step between them
    confirmed = await client.post("/api/v1/me/totp/confirm", json={"code": used}, headers=headers)
    codes = confirmed.json()["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert (await client.get("/api/v1/me", headers=headers)).json()["second_factor"] is True

    asked = await login(client)
    assert asked.status_code == 401
    assert asked.json()["type"] == "urn:quancheng:problem:totp_required"
    assert (await login(client, code=used)).status_code == 401  # the step confirm used
    fresh = code(body["secret"], 1)
    assert (await login(client, code=fresh)).status_code == 200
    replayed = await login(client, code=fresh)
    assert replayed.status_code == 401
    assert replayed.json()["detail"] == "验证码不正确、已过期或已被使用。"


async def test_a_recovery_code_signs_in_once(client: httpx.AsyncClient) -> None:
    headers, _ = await organiser(client, HOST)
    _, codes = await turned_on(client, headers)
    assert (await login(client, code=codes[3].upper())).status_code == 200  # as typed from paper
    assert (await login(client, code=codes[3])).status_code == 401
    assert (await login(client, code=codes[4].replace("-", ""))).status_code == 200


async def test_wrong_codes_count_in_the_login_limits(client: httpx.AsyncClient) -> None:
    headers, _ = await organiser(client, HOST)
    secret, _ = await turned_on(client, headers)
    assert (await login(client)).status_code == 401
    for _ in range(9):
        assert (await login(client, code="123456")).status_code == 401
    limited = await login(client, code=code(secret, 1))  # the right code, after ten attempts from here
    assert limited.status_code == 429


async def test_turning_it_off_needs_the_password_and_a_code(client: httpx.AsyncClient) -> None:
    headers, _ = await organiser(client, HOST)
    secret, codes = await turned_on(client, headers)
    bad_password = await client.post(
        "/api/v1/me/totp/disable", json={"password": "not the password", "code": code(secret, 1)}, headers=headers
    )
    assert bad_password.status_code == 422
    assert bad_password.json()["errors"][0] == {
        "loc": ["body", "password"],
        "msg": "密码不正确",
        "type": "password_wrong",
    }
    bad_code = await client.post(
        "/api/v1/me/totp/disable", json={"password": PASSWORD, "code": "999999"}, headers=headers
    )
    assert bad_code.status_code == 422 and bad_code.json()["errors"][0]["loc"] == ["body", "code"]
    off = await client.post("/api/v1/me/totp/disable", json={"password": PASSWORD, "code": codes[0]}, headers=headers)
    assert off.status_code == 204, off.text
    assert (await login(client)).status_code == 200
    again = await client.post("/api/v1/me/totp/disable", json={"password": PASSWORD, "code": codes[1]}, headers=headers)
    assert again.status_code == 409


async def test_only_admins_and_organisers_may_enrol_and_not_twice(client: httpx.AsyncClient) -> None:
    participant = await sign_up(client, "someone@example.cn")
    refused = await client.post("/api/v1/me/totp", headers=participant)
    assert refused.status_code == 403
    assert refused.json()["title"] == "此账号不可用"
    headers, _ = await organiser(client, HOST)
    await turned_on(client, headers)
    assert (await client.post("/api/v1/me/totp", headers=headers)).status_code == 409
    ready = await client.post("/api/v1/me/totp/confirm", json={"code": "12345"}, headers=headers)
    assert ready.status_code == 422 and ready.json()["errors"][0]["loc"] == ["body", "code"]


async def test_erasing_the_account_forgets_its_secret_and_recovery_codes(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client, HOST)
    await turned_on(client, headers)
    # The only manager cannot erase their account: a second manager first.
    await provisioned(client, "deputy@organiser.cn")
    deputy = {"email": "deputy@organiser.cn", "role": "manager"}
    added = await client.post(
        f"/api/v1/organisations/{org_id}/members", json=deputy, headers=await admin_headers(client)
    )
    assert added.status_code == 201, added.text
    erased = await client.post("/api/v1/me/erase", json={"confirm": True}, headers=headers)
    assert erased.status_code == 200, erased.text
    gone = await User.get(name="", is_active=False)
    assert (gone.totp_secret, gone.totp_confirmed_at, gone.totp_recovery_hashes) == (None, None, [])
