"""Proving who one is: sign-up without enumeration, password rules, verification, resets, login limits that a
stranger cannot turn into a lock-out, logging out everywhere and a new session id at every login."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from events.models import Registration
from notifications.models import OutboxMessage
from server import identity
from server.auth import hash_secret
from server.clock import utcnow
from server.errors import AuthenticationRequired, RateLimited
from server.models import AuditEntry, AuthToken, User
from server.passwords import common_passwords, weakness
from server.settings import Settings
from tests.events.support import organiser, published_event, register
from tests.support import PASSWORD, log_in, sign_up


async def mailed_token(template: str, to: str) -> str:
    mail = await OutboxMessage.filter(template=template, to_addr=to).order_by("-id").first()
    assert mail is not None, f"no {template} to {to}"
    url = next(str(value) for key, value in mail.context.items() if key.endswith("_url") and "token=" in str(value))
    return parse_qs(urlsplit(url).query)["token"][0]


def signup_body(email: str, password: str = PASSWORD) -> dict[str, str]:
    return {"email": email, "password": password, "name": "王"}


async def test_signup_answers_the_same_for_a_taken_address_and_mails_its_owner_instead(
    client: httpx.AsyncClient,
) -> None:
    fresh = await client.post("/api/v1/auth/signup", json=signup_body("new@example.cn"))
    await sign_up(client, "wang@example.cn")
    taken = await client.post("/api/v1/auth/signup", json=signup_body("WANG@example.CN", "another long secret"))
    assert fresh.status_code == taken.status_code == 202
    assert fresh.json().keys() == taken.json().keys() == {"email"}
    assert await User.filter(email="wang@example.cn").count() == 1
    exists = await OutboxMessage.get(template="account_exists", to_addr="wang@example.cn")
    assert str(exists.context["reset_url"]).endswith("/reset")
    assert await OutboxMessage.filter(template="account_verify", to_addr="new@example.cn").count() == 1
    again = await client.post("/api/v1/auth/signup", json=signup_body("wang@example.cn", "third long secret"))
    assert again.status_code == 202
    assert await OutboxMessage.filter(template="account_exists").count() == 1  # at most one an hour
    not_theirs = {"email": "wang@example.cn", "password": "another long secret"}
    assert (await client.post("/api/v1/auth/login", json=not_theirs)).status_code == 401  # the password stays


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("1234567890", "password_common"),
        ("password12", "password_common"),
        ("iloveyou2024!", "password_common"),
        ("li.wei@example.cn", "password_like_email"),
        ("my-li.wei-secret", "password_like_email"),
        ("aaaaaaaaaaaa", "password_too_simple"),
        ("abcdabcdabcd", "password_too_simple"),
        ("tsrqponmlkj", "password_too_simple"),
        ("hijklmnopqrs", "password_too_simple"),
    ],
)
def test_common_email_like_and_too_simple_passwords_are_refused(password: str, reason: str) -> None:
    assert weakness(password, "li.wei@example.cn") == f"validation.{reason}"


def test_the_shipped_list_is_read_and_good_passwords_pass() -> None:
    assert len(common_passwords()) > 19_000 and "qwerty" in common_passwords()
    assert weakness("correct horse battery", "li.wei@example.cn") is None
    assert weakness("泉城的春天来得早", "li.wei@example.cn") is None


async def test_a_weak_password_is_a_field_error_in_both_languages(client: httpx.AsyncClient) -> None:
    for language, message in (("zh-CN", "该密码过于常见"), ("en", "This password is too common")):
        answer = await client.post(
            "/api/v1/auth/signup", json=signup_body("w@example.cn", "password12"), headers={"Accept-Language": language}
        )
        assert answer.status_code == 422
        [error] = answer.json()["errors"]
        assert error["loc"] == ["body", "password"] and error["msg"].startswith(message)
    assert not await User.exists(email="w@example.cn")


async def test_verification_links_earlier_registrations_once_and_only_then(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    assert (await register(client, event_id, email="early@example.cn")).status_code == 201
    member = await sign_up(client, "early@example.cn")
    assert (await client.get("/api/v1/me", headers=member)).json()["email_verified"] is False
    assert await Registration.filter(user_id=None, email="early@example.cn").count() == 1  # not before proof
    token = await mailed_token("account_verify", "early@example.cn")
    verified = await client.post("/api/v1/auth/verify", json={"token": token})
    assert verified.status_code == 200 and verified.json()["email_verified"] is True
    user = await User.get(email="early@example.cn")
    assert await Registration.filter(user_id=user.id).count() == 1
    used = await client.post("/api/v1/auth/verify", json={"token": token})
    assert used.status_code == 400 and used.json()["type"].endswith("account_link_invalid")
    forged = await client.post("/api/v1/auth/verify", json={"token": token[:-4] + "0000"})
    assert forged.status_code == 400
    assert (
        await client.post("/api/v1/auth/verify", json={"token": "qcv_1_99999999999_" + "0" * 40})
    ).status_code == 400
    assert await AuditEntry.filter(action="user.verify_email").count() == 1


async def test_an_expired_verification_link_is_refused_and_a_new_one_can_be_mailed(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    member = await sign_up(client, "late@example.cn")
    token = await mailed_token("account_verify", "late@example.cn")
    later = utcnow() + identity.VERIFY_LIFETIME + timedelta(seconds=1)
    monkeypatch.setattr(identity, "utcnow", lambda: later)
    assert (await client.post("/api/v1/auth/verify", json={"token": token})).status_code == 400
    monkeypatch.undo()
    assert (await client.post("/api/v1/me/verification", headers=member)).status_code == 202
    assert await OutboxMessage.filter(template="account_verify", to_addr="late@example.cn").count() == 2


async def test_a_password_reset_works_once_ends_every_session_and_token_and_tells_nobody_anything(
    client: httpx.AsyncClient,
) -> None:
    session = await sign_up(client, "reset@example.cn")
    api_token = (await client.post("/api/v1/me/tokens", json={"name": "ci"}, headers=session)).json()["token"]
    known = await client.post("/api/v1/auth/password-reset", json={"email": "RESET@example.cn"})
    unknown = await client.post("/api/v1/auth/password-reset", json={"email": "ghost@example.cn"})
    assert known.status_code == unknown.status_code == 202
    assert (known.json(), unknown.json()) == ({"email": "reset@example.cn"}, {"email": "ghost@example.cn"})
    assert not await OutboxMessage.exists(to_addr="ghost@example.cn")
    token = await mailed_token("password_reset", "reset@example.cn")
    weak = await client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": "password12"})
    assert weak.status_code == 422 and weak.json()["errors"][0]["loc"] == ["body", "password"]
    new = {"token": token, "password": "a brand new secret"}
    assert (await client.post("/api/v1/auth/password-reset/confirm", json=new)).status_code == 204
    assert (await client.get("/api/v1/me", headers=session)).status_code == 401
    assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {api_token}"})).status_code == 401
    again = await client.post("/api/v1/auth/password-reset/confirm", json={**new, "password": "yet another secret"})
    assert again.status_code == 400  # the link died with the password it was bound to
    old = await client.post("/api/v1/auth/login", json={"email": "reset@example.cn", "password": PASSWORD})
    assert old.status_code == 401
    fresh = await client.post(
        "/api/v1/auth/login", json={"email": "reset@example.cn", "password": "a brand new secret"}
    )
    assert fresh.status_code == 200
    assert (await User.get(email="reset@example.cn")).email_verified_at is not None  # the mailbox was proven


async def test_an_expired_reset_link_is_refused(client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    await sign_up(client, "slow@example.cn")
    await client.post("/api/v1/auth/password-reset", json={"email": "slow@example.cn"})
    token = await mailed_token("password_reset", "slow@example.cn")
    later = utcnow() + identity.RESET_LIFETIME + timedelta(seconds=1)
    monkeypatch.setattr(identity, "utcnow", lambda: later)
    answer = await client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": "a brand new secret"}
    )
    assert answer.status_code == 400


async def attempt(email: str, password: str, client_ip: str) -> str:
    """One login from `client_ip`: "ok", "401" or "429"."""
    try:
        await identity.login(email, password, Settings(), client_ip=client_ip, lifetime=timedelta(hours=1))
    except RateLimited:
        return "429"
    except AuthenticationRequired:
        return "401"
    return "ok"


async def test_a_stranger_guessing_from_elsewhere_does_not_lock_the_owner_out(client: httpx.AsyncClient) -> None:
    await sign_up(client, "sun@example.cn")
    tries = [
        await attempt("sun@example.cn", "wrong", "203.0.113.9") for _ in range(identity.LOGIN_LIMIT_PER_EMAIL_AND_IP)
    ]
    assert tries == ["401"] * identity.LOGIN_LIMIT_PER_EMAIL_AND_IP
    assert await attempt("sun@example.cn", PASSWORD, "203.0.113.9") == "429"  # even with the right password
    owner = await client.post("/api/v1/auth/login", json={"email": "SUN@example.cn", "password": PASSWORD})
    assert owner.status_code == 200  # from the owner's own address


async def test_a_campaign_from_many_addresses_meets_the_slower_limit_per_account(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(identity, "LOGIN_LIMIT_PER_EMAIL", 4)
    await sign_up(client, "target@example.cn")  # a successful login: it does not count
    assert [await attempt("target@example.cn", "wrong", f"198.51.100.{n}") for n in range(4)] == ["401"] * 4
    assert await attempt("target@example.cn", PASSWORD, "198.51.100.77") == "429"
    limited = await client.post("/api/v1/auth/login", json={"email": "target@example.cn", "password": PASSWORD})
    assert limited.status_code == 429 and 0 < int(limited.headers["retry-after"]) <= 3600
    assert limited.json()["type"] == "urn:quancheng:problem:rate_limited"


async def test_the_owners_own_successful_logins_never_meet_the_limit_per_account(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(identity, "LOGIN_LIMIT_PER_EMAIL", 4)
    await sign_up(client, "script@example.cn")
    logins = [await attempt("script@example.cn", PASSWORD, f"192.0.2.{n % 3}") for n in range(10)]
    assert logins == ["ok"] * 10  # a script logging in often, from a few addresses
    assert [await attempt("script@example.cn", "wrong", "192.0.2.9") for _ in range(4)] == ["401"] * 4
    assert await attempt("script@example.cn", PASSWORD, "192.0.2.1") == "429"  # failures still add up


async def test_log_out_everywhere_ends_every_session_and_api_token(client: httpx.AsyncClient) -> None:
    first = await sign_up(client, "all@example.cn")
    second = await log_in(client, "all@example.cn")
    api_token = (await client.post("/api/v1/me/tokens", json={"name": "ci"}, headers=first)).json()["token"]
    ended = await client.post("/api/v1/auth/logout-everywhere", headers=second)
    assert ended.status_code == 200 and ended.json() == {"revoked": 3}
    for headers in (first, second, {"Authorization": f"Bearer {api_token}"}):
        assert (await client.get("/api/v1/me", headers=headers)).status_code == 401
    assert await AuditEntry.filter(action="user.logout_everywhere").count() == 1
    assert (await client.post("/api/v1/auth/logout-everywhere")).status_code == 401


async def test_logging_in_again_in_a_browser_ends_its_earlier_session(client: httpx.AsyncClient) -> None:
    await sign_up(client, "rotate@example.cn")
    body = {"email": "rotate@example.cn", "password": PASSWORD}
    csrf = (await client.post("/api/v1/auth/login", json=body)).json()["csrf_token"]
    before = client.cookies["qc_session"]
    again = await client.post("/api/v1/auth/login", json=body, headers={"X-CSRF-Token": csrf})  # as the pages send it
    assert again.status_code == 200
    after = client.cookies["qc_session"]
    assert before != after
    assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {before}"})).status_code == 401
    assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {after}"})).status_code == 200
    assert (await AuthToken.get(token_hash=hash_secret(before))).revoked_at is not None
