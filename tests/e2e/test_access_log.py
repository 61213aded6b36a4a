"""The bureau's access record in a real browser: admins see every organisation's reads; an organiser is told the
page is the bureau's and finds their event's record on the event's page."""

from __future__ import annotations

import httpx
from playwright.async_api import expect

from tests.e2e.support import ADMIN, NewPage, member, seed_forum, sign_in
from tests.e2e.test_accessibility import assert_none, audit


async def test_the_bureau_reviews_who_read_registrants_data(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    event_id = seed_forum(admin, capacity=5, title={"zh": "访问记录演示活动"})
    organisation_id = int(admin.get(f"/events/{event_id}").json()["organisation_id"])
    organiser = member(admin, organisation_id, "organiser", "钱主办")
    page = await new_page(locale="zh-CN")
    await sign_in(page, base_url, organiser)
    await page.goto(f"{base_url}/console/access-log")
    await expect(page.get_by_role("alert")).to_contain_text("仅主管部门（管理员）可查看")
    await page.goto(f"{base_url}/console/events/{event_id}")
    await expect(page.get_by_role("heading", name="访问记录演示活动")).to_be_visible()
    await expect(page.get_by_text("没有符合条件的报名")).to_be_visible()
    await page.get_by_role("button", name="退出").click()

    await sign_in(page, base_url, *ADMIN)
    await page.get_by_role("link", name="活动管理").click()
    await page.get_by_role("link", name="个人信息访问记录").click()
    table = page.get_by_role("region", name="访问记录")
    reads = table.get_by_role("row").filter(has_text=organiser)
    await expect(reads).to_have_count(2)  # the event's page shows its registrations and its failed mail
    await expect(reads.filter(has_text="查看报名名单")).to_contain_text("访问记录演示活动")
    await expect(reads.filter(has_text="查看投递失败的邮件和短信")).to_have_count(1)
    assert_none(await audit(page, "the bureau's access record"))
    await page.get_by_label("用途").select_option("export")
    await expect(table.get_by_role("row").filter(has_text=organiser)).to_have_count(0)
