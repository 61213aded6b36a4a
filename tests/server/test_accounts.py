"""Accounts: signup, login, sessions with CSRF, API tokens, logout (limits, verification and resets: test_identity)."""

from __future__ import annotations

from datetime import timedelta

import httpx
from argon2 import PasswordHasher

from server.clock import utcnow
from server.models import AuditEntry, AuthToken, User
from tests.support import PASSWORD, log_in, sign_up


async def test_signup_creates_an_account_and_stores_only_an_argon2id_hash_with_the_production_parameters(
    client: httpx.AsyncClient, production_password_hasher: PasswordHasher
) -> None:
    answer = await client.post(
        "/api/v1/auth/signup", json={"email": "Li.Wei@Example.CN", "password": PASSWORD, "name": " 李伟 "}
    )
    assert answer.status_code == 202
    assert answer.json() == {"email": "li.wei@example.cn"}
    user = await User.get(email="li.wei@example.cn")
    assert (user.name, user.locale, user.is_admin, user.email_verified_at) == ("李伟", "zh-CN", False, None)
    assert user.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$") and PASSWORD not in user.password_hash
    assert (
        await client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    ).status_code == 200
    entry = await AuditEntry.get(action="user.signup")
    assert (entry.actor_id, entry.object_id) == (user.id, str(user.id))


async def test_other_tests_hash_passwords_at_the_lowest_cost(client: httpx.AsyncClient) -> None:
    await sign_up(client, "cheap@example.cn")
    user = await User.get(email="cheap@example.cn")
    assert user.password_hash.startswith("$argon2id$v=19$m=8,t=1,p=1$")


async def test_login_with_a_wrong_password_is_a_401_that_does_not_say_which_part_was_wrong(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client, "zhao@example.cn")
    wrong_password = await client.post("/api/v1/auth/login", json={"email": "zhao@example.cn", "password": "nope"})
    unknown_email = await client.post("/api/v1/auth/login", json={"email": "nobody@example.cn", "password": "nope"})
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json()["detail"] == unknown_email.json()["detail"] == "邮箱或密码不正确。"


async def test_me_requires_a_valid_token(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/me")).status_code == 401
    forged = await client.get("/api/v1/me", headers={"Authorization": "Bearer qcs_forged"})
    assert forged.status_code == 401
    assert forged.json()["type"] == "urn:quancheng:problem:token_invalid"
    headers = await sign_up(client, "qian@example.cn")
    me = (await client.get("/api/v1/me", headers=headers)).json()
    assert (me["email"], me["memberships"], me["csrf_token"]) == ("qian@example.cn", [], None)


async def test_the_session_answers_anonymous_callers_with_no_user_and_signed_in_ones_with_their_account(
    client: httpx.AsyncClient,
) -> None:
    anonymous = await client.get("/api/v1/session")
    assert (anonymous.status_code, anonymous.json()) == (200, {"user": None})
    await sign_up(client, "sun@example.cn")
    login = await client.post("/api/v1/auth/login", json={"email": "sun@example.cn", "password": PASSWORD})
    signed_in = (await client.get("/api/v1/session")).json()["user"]
    assert (signed_in["email"], signed_in["csrf_token"]) == ("sun@example.cn", login.json()["csrf_token"])
    await client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": login.json()["csrf_token"]})
    assert (await client.get("/api/v1/session")).json() == {"user": None}


async def test_logout_revokes_the_session(client: httpx.AsyncClient) -> None:
    headers = await sign_up(client, "zhou@example.cn")
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_an_expired_session_is_refused(client: httpx.AsyncClient) -> None:
    headers = await sign_up(client, "wu@example.cn")
    await AuthToken.all().update(expires_at=utcnow() - timedelta(seconds=1))
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_cookie_session_needs_the_csrf_header_on_unsafe_methods(client: httpx.AsyncClient) -> None:
    await sign_up(client, "zheng@example.cn")
    login = await client.post("/api/v1/auth/login", json={"email": "zheng@example.cn", "password": PASSWORD})
    cookie = login.headers["set-cookie"]
    assert "qc_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    me = await client.get("/api/v1/me")  # the cookie alone is enough to read
    assert me.status_code == 200
    csrf = me.json()["csrf_token"]
    assert csrf == login.json()["csrf_token"]
    refused = await client.post("/api/v1/me/tokens", json={"name": "ci"})
    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:quancheng:problem:csrf_failed"
    wrong = await client.post("/api/v1/me/tokens", json={"name": "ci"}, headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403
    accepted = await client.post("/api/v1/me/tokens", json={"name": "ci"}, headers={"X-CSRF-Token": csrf})
    assert accepted.status_code == 201
    assert await AuthToken.filter(kind="api").count() == 1


async def test_logout_by_cookie_clears_the_cookie(client: httpx.AsyncClient) -> None:
    await sign_up(client, "feng@example.cn")
    login = await client.post("/api/v1/auth/login", json={"email": "feng@example.cn", "password": PASSWORD})
    answer = await client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": login.json()["csrf_token"]})
    assert answer.status_code == 204
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_api_tokens_are_shown_once_listed_without_secret_and_revocable(client: httpx.AsyncClient) -> None:
    headers = await sign_up(client, "chen@example.cn")
    created = await client.post("/api/v1/me/tokens", json={"name": "数据同步", "expires_in_days": 30}, headers=headers)
    assert created.status_code == 201
    secret = created.json()["token"]
    assert secret.startswith("qct_") and len(secret) > 40
    stored = await AuthToken.get(id=created.json()["id"])
    assert secret not in stored.token_hash
    listed = (await client.get("/api/v1/me/tokens", headers=headers)).json()
    assert [t["name"] for t in listed] == ["数据同步"] and "token" not in listed[0]
    with_token = {"Authorization": f"Bearer {secret}"}
    assert (await client.get("/api/v1/me", headers=with_token)).status_code == 200
    assert (await client.delete(f"/api/v1/me/tokens/{stored.id}", headers=headers)).status_code == 204
    assert (await client.get("/api/v1/me", headers=with_token)).status_code == 401
    assert (await client.get("/api/v1/me/tokens", headers=headers)).json() == []


async def test_a_user_cannot_revoke_another_users_token(client: httpx.AsyncClient) -> None:
    owner = await sign_up(client, "owner@example.cn")
    other = await sign_up(client, "other@example.cn")
    token_id = (await client.post("/api/v1/me/tokens", json={"name": "x"}, headers=owner)).json()["id"]
    assert (await client.delete(f"/api/v1/me/tokens/{token_id}", headers=other)).status_code == 404
    assert await AuthToken.filter(id=token_id, revoked_at=None).exists()


async def test_token_expiry_is_validated(client: httpx.AsyncClient) -> None:
    headers = await sign_up(client, "he@example.cn")
    answer = await client.post("/api/v1/me/tokens", json={"name": "x", "expires_in_days": "soon"}, headers={**headers})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["msg"] == "应为整数"


async def test_tokens_require_sign_in(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/me/tokens")).status_code == 401
    assert (await client.post("/api/v1/me/tokens", json={"name": "x"})).status_code == 401
    assert (await client.delete("/api/v1/me/tokens/1")).status_code == 401
    assert (await client.post("/api/v1/auth/logout")).status_code == 401


async def test_log_in_helper_keeps_working_after_logout(client: httpx.AsyncClient) -> None:
    headers = await sign_up(client, "lin@example.cn")
    await client.post("/api/v1/auth/logout", headers=headers)
    again = await log_in(client, "lin@example.cn")
    assert (await client.get("/api/v1/me", headers=again)).status_code == 200


async def test_a_stale_session_cookie_is_dropped_not_a_lockout(client: httpx.AsyncClient) -> None:
    await sign_up(client, "stale@example.cn")
    login = await client.post("/api/v1/auth/login", json={"email": "stale@example.cn", "password": PASSWORD})
    await client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {login.json()['token']}"})
    client.cookies.set("qc_session", login.json()["token"])  # another tab still holds the revoked cookie
    listing = await client.get("/api/v1/organisations")
    assert listing.status_code == 200 and 'qc_session=""' in listing.headers["set-cookie"]
    client.cookies.set("qc_session", login.json()["token"])
    again = await client.post("/api/v1/auth/login", json={"email": "stale@example.cn", "password": PASSWORD})
    assert again.status_code == 200


async def test_non_ascii_csrf_header_is_a_403_not_a_crash(client: httpx.AsyncClient) -> None:
    await sign_up(client, "csrf@example.cn")
    await client.post("/api/v1/auth/login", json={"email": "csrf@example.cn", "password": PASSWORD})
    answer = await client.post("/api/v1/me/tokens", json={"name": "x"}, headers={b"X-CSRF-Token": "é".encode()})
    assert answer.status_code == 403


async def test_my_language_and_name_change_and_messages_follow_the_language(client: httpx.AsyncClient) -> None:
    headers = await sign_up(client, "lang@x.cn")
    changed = await client.patch("/api/v1/me", json={"locale": "en"}, headers=headers)
    assert changed.status_code == 200 and (changed.json()["locale"], changed.json()["name"]) == ("en", "lang")
    refused = await client.patch("/api/v1/me", json={"locale": "fr", "name": ""}, headers=headers)
    assert refused.status_code == 422
    assert {tuple(e["loc"]): e["msg"] for e in refused.json()["errors"]}.keys() == {
        ("body", "locale"),
        ("body", "name"),
    }
    assert refused.json()["title"] == "Invalid input"  # in the language just chosen
    renamed = await client.patch("/api/v1/me", json={"name": "李 雷"}, headers=headers)
    assert (renamed.json()["locale"], renamed.json()["name"]) == ("en", "李 雷")  # only what was sent changes
    assert (await client.patch("/api/v1/me", json={"locale": "en"})).status_code == 401
