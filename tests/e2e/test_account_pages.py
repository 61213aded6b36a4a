"""Account pages: a forgotten password is reset from the mailed link, which signs the account out everywhere;
a new account confirms its address from the mailed link."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
from playwright.async_api import expect

from tests.e2e.support import PASSWORD, NewPage, mailed_link, sign_in


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
