"""The public pages in a real browser (Debian's Chromium driven by Playwright) against `quancheng serve`."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
from playwright.async_api import expect

from tests.e2e.conftest import NewPage, seed_forum


async def test_a_participant_on_a_phone_registers_waits_and_cancels(site: tuple[str, int], new_page: NewPage) -> None:
    base, event_id = site
    page = await new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    await page.goto(base + "/")
    await page.get_by_label("区域").select_option("shizhong")
    await expect(page.get_by_text("没有找到活动")).to_be_visible()  # the forum is in 历下区
    await page.get_by_label("区域").select_option("lixia")
    await page.get_by_text("AI赋能制造业对接会").first.click()
    await expect(page.get_by_text("剩余 1 席")).to_be_visible()
    await page.get_by_label("姓名").fill("李雷")
    await page.get_by_label("邮箱").fill("not-an-email")
    await page.get_by_role("button", name="提交报名").click()
    # every field error at once, each next to its field and named by it
    await expect(page.get_by_label("邮箱")).to_have_accessible_description("邮箱地址格式不正确")
    await expect(page.get_by_label("单位名称")).to_have_accessible_description("此字段为必填项")
    await expect(page.get_by_label("邮箱")).to_be_focused()  # the first field in error
    await expect(page.get_by_label("姓名")).to_have_value("李雷")  # nothing typed is lost
    await page.get_by_label("邮箱").fill("li.lei@example.cn")
    await page.get_by_label("单位名称").fill("济南智造")
    await page.get_by_role("button", name="提交报名").click()
    await expect(page.get_by_role("status")).to_have_text("报名成功")
    await page.get_by_text("查看或取消我的报名").click()
    await expect(page.get_by_role("img", name="入场码")).to_be_visible()
    await page.go_back()

    second = await new_page(locale="zh-CN")
    await second.goto(f"{base}/events/{event_id}")
    await expect(second.get_by_text("已满，可候补")).to_be_visible()
    await second.get_by_label("姓名").fill("韩梅梅")
    await second.get_by_label("邮箱").fill("han@example.cn")
    await second.get_by_label("单位名称").fill("济南数据")
    await second.get_by_role("button", name="提交报名").click()
    await expect(second.get_by_role("status")).to_have_text("已进入候补名单，第 1 位")
    await second.get_by_text("查看或取消我的报名").click()
    await expect(second.locator("[data-test=status]")).to_have_text("候补中")
    second.on("dialog", lambda dialog: dialog.accept())
    await second.get_by_role("button", name="取消报名").click()
    await expect(second.locator("[data-test=status]")).to_have_text("已取消")
    await page.screenshot(path=str(Path(os.environ.get("QUANCHENG_SCREENSHOTS", "/tmp")) / "registered.png"))


async def test_english_toggle_and_a_forged_manage_link(site: tuple[str, int], new_page: NewPage) -> None:
    base, event_id = site
    page = await new_page()
    await page.goto(f"{base}/events/{event_id}")
    await page.get_by_role("button", name="English").click()
    await expect(page.get_by_role("heading", name="AI for Manufacturing")).to_be_visible()
    await page.goto(f"{base}/registrations/00000000-0000-0000-0000-000000000000?token=qcm_forged")
    await expect(page.get_by_text("This link is invalid or has expired")).to_be_visible()


async def test_an_account_registers_and_subscribes_to_its_calendar(site: tuple[str, int], new_page: NewPage) -> None:
    base, event_id = site
    page = await new_page(locale="zh-CN")
    await page.goto(base + "/login")
    await page.get_by_text("还没有账号？注册").click()
    await page.get_by_label("姓名").fill("王芳")
    await page.get_by_label("邮箱").fill("wang.fang@example.cn")
    await page.get_by_label("密码（至少 10 位）").fill("short")
    await page.get_by_role("button", name="注册账号").click()
    await expect(page.get_by_text("至少需要 10 个字符")).to_be_visible()
    await page.get_by_label("密码（至少 10 位）").fill("a long password")
    await page.get_by_role("button", name="注册账号").click()
    await expect(page.get_by_role("heading", name="我的报名")).to_be_visible()
    await page.get_by_role("button", name="生成订阅地址").click()
    webcal = await page.locator("[data-test=feed] a").get_attribute("href")
    assert webcal is not None and webcal.startswith("webcal://") and webcal.endswith(".ics")
    feed_url = "http://" + webcal.removeprefix("webcal://")
    assert httpx.get(feed_url).status_code == 200
    await page.get_by_role("button", name="更换地址").click()  # the old address stops working
    await expect(page.locator("[data-test=feed] a")).not_to_have_attribute("href", webcal)
    assert httpx.get(feed_url).status_code == 404
    await page.goto(f"{base}/events/{event_id}")
    await page.get_by_label("姓名").fill("王芳")
    await page.get_by_label("邮箱").fill("wang.fang@example.cn")
    await page.get_by_label("单位名称").fill("济南智造")
    await page.get_by_role("button", name="提交报名").click()
    await expect(page.get_by_role("status")).to_be_visible()
    await page.get_by_role("link", name="王芳").click()
    await expect(page.locator("main p a").first).to_be_visible()  # the registration is listed
    await page.get_by_role("link", name="退出").click()
    await expect(page.get_by_role("link", name="登录")).to_be_visible()


async def test_the_door_checks_people_in_by_name_and_refuses_forged_codes(
    site: tuple[str, int], admin: httpx.Client, new_page: NewPage
) -> None:
    base, _ = site
    event_id = seed_forum(admin)  # its own event, so the seat is free whatever ran before
    httpx.post(
        f"{base}/api/v1/events/{event_id}/registrations",
        json={"email": "zhao.liu@example.cn", "name": "赵六", "answers": {"company": "济南数据"}},
    )
    page = await new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    await page.goto(f"{base}/events/{event_id}/door")
    await expect(page.get_by_text("请先登录")).to_be_visible()
    await page.goto(base + "/login")
    await page.get_by_label("邮箱").fill("admin@bureau.gov.cn")
    await page.get_by_label("密码（至少 10 位）").fill("a long password")
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_role("heading", name="我的报名")).to_be_visible()
    await page.goto(f"{base}/events/{event_id}/door")
    await page.get_by_label("按姓名或邮箱查找").fill("赵六")
    await expect(page.get_by_text("zh***@example.cn")).to_be_visible()
    await page.get_by_role("button", name="签到").last.click()
    await expect(page.get_by_role("status")).to_have_text("签到成功：赵六")
    await expect(page.get_by_text("已签到", exact=True)).to_be_visible()
    await page.get_by_label("扫码或输入入场码").fill("QC1.forged.code")
    await page.get_by_label("扫码或输入入场码").press("Enter")
    await expect(page.get_by_role("status")).to_have_text("二维码无效或已被篡改")
