"""Organisations and members in the console: the bureau creates a training base and invites an account to a role,
which the person accepts from the mailed link; a company's manager runs their own company and cannot leave it
without a manager."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
from playwright.async_api import expect

from tests.e2e.support import ADMIN, PASSWORD, NewPage, mailed_link, sign_in


async def test_the_bureau_creates_a_base_and_invites_its_members(
    base_url: str, data_dir: Path, admin: httpx.Client, new_page: NewPage
) -> None:
    tag = uuid.uuid4().hex[:6]
    reporter = f"reporter-{tag}@example.cn"
    httpx.post(
        f"{base_url}/api/v1/auth/signup", json={"email": reporter, "password": PASSWORD, "name": "钱填报"}
    ).raise_for_status()
    refused = [(422, "/api/v1/organisations"), (422, "/api/v1/organisations/*/invitations")]  # the forms' field errors
    page = await new_page(locale="zh-CN", expected_failures=refused)
    await sign_in(page, base_url, *ADMIN)
    await page.get_by_role("link", name="活动管理").click()
    await page.get_by_role("link", name="机构与成员").click()
    await page.get_by_label("机构类型").select_option("training_base")
    await page.get_by_label("所在区域").select_option("changqing")
    await page.get_by_label("统一社会信用代码（可选）").fill("91350100M000100Y44")
    await page.get_by_role("button", name="创建机构").click()
    await expect(page.locator("#o-name-zh-error")).to_be_visible()  # no name
    await expect(page.get_by_text("统一社会信用代码校验位不正确")).to_be_visible()
    await page.get_by_label("机构名称（中文）").fill(f"长清人工智能实训基地 {tag}")
    await page.get_by_label("统一社会信用代码（可选）").fill("")
    await page.get_by_role("button", name="创建机构").dblclick()  # an impatient double click creates one
    await expect(page.get_by_role("heading", name=f"长清人工智能实训基地 {tag}")).to_be_visible()
    await expect(page.get_by_text("培训基地", exact=True)).to_be_visible()
    assert admin.get("/organisations", params={"q": tag}).json()["total"] == 1

    await page.get_by_label("受邀人邮箱").fill("not an address")
    await page.get_by_role("button", name="邀请成员").click()
    await expect(page.locator("#m-email-error")).to_be_visible()
    await page.get_by_label("受邀人邮箱").fill(reporter)
    await page.get_by_label("角色", exact=True).select_option("reporter")
    await page.get_by_role("button", name="邀请成员").click()
    await expect(page.get_by_role("status")).to_have_text(f"已向 {reporter} 发出邀请（填报员）")
    await expect(page.locator(f"[data-invitation='{reporter}']")).to_contain_text("填报员")
    await expect(page.locator(f"[data-member='{reporter}']")).to_have_count(0)  # not before they accept

    invitee = await new_page(locale="zh-CN")
    await invitee.goto(mailed_link(data_dir, "organisation_invitation", reporter))
    await invitee.get_by_role("link", name="登录").last.click()
    await invitee.get_by_label("邮箱").fill(reporter)
    await invitee.get_by_label("密码（至少 10 位）").fill(PASSWORD)
    await invitee.get_by_role("button", name="登录").click()
    await invitee.get_by_role("button", name="接受邀请").click()  # back on the invitation after signing in
    await expect(invitee.get_by_role("status")).to_have_text("已完成：您现在拥有角色“填报员”。")
    await page.reload()
    await expect(page.locator(f"[data-member='{reporter}']")).to_contain_text("填报员")
    await expect(page.locator(f"[data-invitation='{reporter}']")).to_have_count(0)

    await page.get_by_label("联系邮箱（可选）").fill("base@changqing.cn")
    await page.get_by_role("button", name="保存").click()
    await expect(page.get_by_role("status").first).to_have_text("已保存")
    org_id = int(page.url.rsplit("/", 1)[1])
    assert admin.get(f"/organisations/{org_id}").json()["contact_email"] == "base@changqing.cn"

    await page.get_by_label("受邀人邮箱").fill(reporter)
    await page.get_by_label("角色", exact=True).select_option("manager")
    await page.get_by_role("button", name="邀请成员").click()
    await expect(page.get_by_text(f"已向 {reporter} 发出邀请（机构管理员）")).to_be_visible()
    await invitee.goto(mailed_link(data_dir, "organisation_invitation", reporter))
    await invitee.get_by_role("button", name="接受邀请").click()
    await expect(invitee.get_by_role("status")).to_have_text("已完成：您现在拥有角色“机构管理员”。")
    await invitee.reload()  # a base's manager fills in reports too
    await expect(invitee.get_by_role("link", name="人才报表")).to_be_visible()
    await page.reload()

    await page.get_by_role("button", name="移除 钱填报 的填报员角色").click()
    dialog = page.get_by_role("dialog", name="移除 钱填报？")
    await expect(dialog).to_contain_text("“填报员”")
    await dialog.get_by_role("button", name="确认移除").click()
    await expect(page.get_by_text("已移除：钱填报（填报员）")).to_be_visible()
    await expect(page.locator(f"[data-member='{reporter}']")).to_have_count(1)
    await expect(page.locator(f"[data-member='{reporter}']")).to_contain_text("机构管理员")  # the other role stays


async def test_a_company_manager_keeps_their_company_managed(base_url: str, new_page: NewPage) -> None:
    tag = uuid.uuid4().hex[:6]
    email = f"boss-{tag}@example.cn"
    httpx.post(
        f"{base_url}/api/v1/auth/signup", json={"email": email, "password": PASSWORD, "name": "孙经理"}
    ).raise_for_status()
    last_manager = (409, "/api/v1/me/memberships/*")
    page = await new_page(locale="zh-CN", viewport={"width": 390, "height": 844}, expected_failures=[last_manager])
    await sign_in(page, base_url, email)
    await page.get_by_role("link", name="机构与成员").click()  # from "my" page: no organisation yet
    kinds = page.get_by_label("机构类型").locator("option")
    await expect(kinds).to_have_text(["企业", "高校"])  # the privileged kinds are the bureau's to create
    await page.get_by_label("机构名称（中文）").fill(f"济南智能装备有限公司 {tag}")
    await page.get_by_role("button", name="创建机构").click()
    await expect(page.locator(f"[data-member='{email}']")).to_contain_text("机构管理员")
    await page.get_by_role("link", name="活动管理").click()
    await expect(page.get_by_role("heading", name=f"济南智能装备有限公司 {tag}")).to_be_visible()
    await expect(page.get_by_role("link", name="新建活动")).to_have_count(0)  # a company hosts no events
    await page.go_back()
    await page.get_by_role("button", name="放弃我的角色：机构管理员").click()
    await page.get_by_role("dialog", name="确定放弃该角色？").get_by_role("button", name="退出").click()
    await expect(page.get_by_role("alert")).to_have_text("机构至少需要一位管理员；请先邀请另一位管理员。")
    await expect(page.locator(f"[data-member='{email}']")).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
