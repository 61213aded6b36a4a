"""Account pages: a forgotten password is reset from the mailed link, which signs the account out everywhere;
a new account confirms its address from the mailed link; an organiser turns on two-step sign-in."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
from playwright.async_api import expect

from server import totp
from tests.e2e.support import PASSWORD, NewPage, mailed_link, member, seed_forum, sign_in


async def test_a_forgotten_password_is_reset_from_the_mailed_link(
    base_url: str, data_dir: Path, new_page: NewPage
) -> None:
    email = f"forgetful-{uuid.uuid4().hex[:8]}@example.cn"
    signup = {"email": email, "password": PASSWORD, "name": "周忘记"}
    httpx.post(f"{base_url}/api/v1/auth/signup", json=signup).raise_for_status()
    weak, used = (422, "/api/v1/auth/password-reset/confirm"), (400, "/api/v1/auth/password-reset/confirm")
    elsewhere = await new_page(locale="zh-CN", expected_failures=[(401, "/api/v1/*")])
    await sign_in(elsewhere, base_url, email)  # a session on another device, which the reset must end

    page = await new_page(locale="zh-CN", expected_failures=[weak, used])
    await page.goto(base_url + "/login")
    await page.get_by_role("link", name="忘记密码？").click()
    await page.get_by_label("邮箱").fill(email)
    await page.get_by_role("button", name="发送链接").click()
    await expect(page.get_by_role("status")).to_have_text(f"如果 {email} 有账号，链接已发出，请查收邮件。")

    link = mailed_link(data_dir, "password_reset", email)
    await page.goto(link)
    await page.get_by_label("新密码（至少 10 位）").fill("password12")
    await page.get_by_role("button", name="设置密码").click()
    await expect(page.locator("#r-password-error")).to_contain_text("该密码过于常见")
    await page.get_by_label("新密码（至少 10 位）").fill("a fresh spring morning")
    await page.get_by_role("button", name="设置密码").click()
    await expect(page.get_by_role("status")).to_have_text("新密码已设置，所有设备均已退出登录。请用新密码登录。")

    await page.goto(link)  # the link worked once
    await page.get_by_label("新密码（至少 10 位）").fill("yet another long secret")
    await page.get_by_role("button", name="设置密码").click()
    await expect(page.get_by_role("alert")).to_have_text("该链接无效、已过期或已被使用，请重新申请。")

    await sign_in(page, base_url, email, "a fresh spring morning")
    await elsewhere.reload()
    await expect(elsewhere.get_by_role("navigation").get_by_role("link", name="登录")).to_be_visible()  # signed out


async def test_a_new_account_confirms_its_address_from_the_mailed_link(
    base_url: str, data_dir: Path, new_page: NewPage
) -> None:
    email = f"new-{uuid.uuid4().hex[:8]}@example.cn"
    page = await new_page(locale="zh-CN")
    await page.goto(base_url + "/signup")
    await page.get_by_label("姓名").fill("吴新")
    await page.get_by_label("邮箱").fill(email)
    await page.get_by_label("密码（至少 10 位）").fill(PASSWORD)
    await page.get_by_role("button", name="注册账号").click()
    await expect(page.get_by_text(f"您的邮箱 {email} 尚未验证")).to_be_visible()
    await page.goto(mailed_link(data_dir, "account_verify", email))
    await expect(page.get_by_role("status")).to_contain_text("邮箱已验证")
    await page.get_by_role("link", name="我的报名").click()
    await expect(page.get_by_role("heading", name="我的报名")).to_be_visible()
    await expect(page.get_by_text("尚未验证")).to_have_count(0)


async def test_an_organiser_turns_on_two_step_sign_in_and_signs_in_with_a_code_then_a_recovery_code(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    organisation_id = int(admin.get(f"/events/{seed_forum(admin)}").json()["organisation_id"])
    email = member(admin, organisation_id, "organiser", "吴两步")
    refused = [(401, "/api/v1/auth/login"), (422, "/api/v1/me/totp/confirm")]  # asked for the code; a wrong code
    page = await new_page(locale="zh-CN", expected_failures=refused)
    await sign_in(page, base_url, email)
    await page.goto(base_url + "/me")
    section = page.locator("[data-test=totp]")
    await section.get_by_role("button", name="开启两步验证").click()
    await expect(section.get_by_role("img", name="验证器应用的二维码")).to_be_visible()
    secret = await section.locator("[data-test=totp-secret]").inner_text()
    await expect(section.get_by_label("应用中的 6 位验证码")).to_be_focused()
    await section.get_by_label("应用中的 6 位验证码").fill("000000")
    await section.get_by_role("button", name="确认并开启").click()
    await expect(section.locator("#totp-code-error")).to_have_text("验证码不正确、已过期或已被使用")
    await section.get_by_label("应用中的 6 位验证码").fill(app_code(secret))
    await section.get_by_role("button", name="确认并开启").click()
    codes = section.locator("[data-test=recovery-codes] li")
    await expect(codes).to_have_count(10)
    recovery = await codes.nth(0).inner_text()

    await page.get_by_role("button", name="退出").click()
    await page.goto(base_url + "/login")
    await page.get_by_label("邮箱").fill(email)
    await page.get_by_label("密码（至少 10 位）").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_label("验证码或恢复码")).to_be_focused()
    await page.get_by_label("验证码或恢复码").fill(app_code(secret, 1))  # the next step's: confirming used this one
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_role("button", name="退出")).to_be_visible()

    await page.get_by_role("button", name="退出").click()
    await page.goto(base_url + "/login")
    await page.get_by_label("邮箱").fill(email)
    await page.get_by_label("密码（至少 10 位）").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.get_by_label("验证码或恢复码").fill(recovery)
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_role("button", name="退出")).to_be_visible()
    await page.goto(base_url + "/me")
    await expect(page.locator("[data-test=totp]")).to_contain_text("两步验证已开启。如需关闭")


def app_code(secret: str, steps_from_now: int = 0) -> str:
    """What the authenticator app shows now (or that many 30-second steps from now)."""
    return totp.hotp(base64.b32decode(secret), totp.step_at(datetime.now(UTC)) + steps_from_now)
