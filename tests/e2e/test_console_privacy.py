"""The event's privacy notice on its console page, in a real browser: the current version, a refused period shown
next to its field, and saving as a new version that registrants then accept (static/app/console-privacy.js)."""

from __future__ import annotations

import uuid

import httpx
from playwright.async_api import expect

from tests.e2e.support import NewPage, member, sign_in


async def test_an_organiser_publishes_a_new_version_of_the_privacy_notice(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    org = admin.post(
        "/organisations",
        json={"name": {"zh": f"泉城会务 {uuid.uuid4().hex[:6]}"}, "kind": "organiser", "region": "lixia"},
    )
    email = member(admin, org.json()["id"], "organiser", "钱主办")
    event = admin.post(
        "/events",
        json={
            "organisation_id": org.json()["id"],
            "kind": "forum",
            "title": {"zh": "数据合规沙龙"},
            "region": "lixia",
            "starts_at": "2031-07-01T14:00:00+08:00",
            "ends_at": "2031-07-01T17:00:00+08:00",
        },
    ).json()
    page = await new_page(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        expected_failures=[(422, "/api/v1/events/*/privacy-notice")],
    )
    await sign_in(page, base_url, email)
    await page.goto(f"{base_url}/console/events/{event['id']}/edit")
    section = page.locator("section", has=page.get_by_role("heading", name="隐私声明与保存期限"))
    await expect(section.locator("#pn-version")).to_have_text(
        "当前为第 0 版（平台默认文本），报名者的个人信息在活动结束 180 天后匿名化。"
    )
    await section.get_by_text("查看报名者看到的声明").click()
    await expect(section.locator("[lang=zh-CN].notice-text")).to_contain_text("180")
    await expect(section.get_by_label("保存天数")).to_have_value("180")

    await section.get_by_label("声明文本（中文）").fill("本次沙龙仅为签到与会后联络收集您的姓名、单位和手机号。")
    await section.get_by_label("保存天数").fill("0")
    await section.get_by_role("button", name="发布新版本").click()
    await expect(section.locator("#pn-retention_days-error")).to_have_text("应不小于 1")
    await expect(section.get_by_label("保存天数")).to_have_attribute(
        "aria-describedby", "pn-retention-hint pn-retention_days-error"
    )
    await expect(section.get_by_label("声明文本（中文）")).to_have_value(
        "本次沙龙仅为签到与会后联络收集您的姓名、单位和手机号。"
    )  # nothing typed is lost
    assert admin.get(f"/events/{event['id']}/privacy-notice").json()["version"] == 0

    await section.get_by_label("声明文本（英文）").fill("We collect your name, company and phone for check-in only.")
    await section.get_by_label("保存天数").fill("365")
    await section.get_by_label("保存天数").press("Enter")  # the keyboard submits the form
    await expect(section.get_by_role("status")).to_have_text("已发布第 1 版隐私声明。")
    await expect(section.locator("#pn-version")).to_have_text(
        "当前为第 1 版，报名者的个人信息在活动结束 365 天后匿名化。"
    )
    await expect(section.locator("#pn-retention_days-error")).to_have_count(0)
    published = admin.get(f"/events/{event['id']}/privacy-notice").json()
    assert (published["version"], published["retention_days"], published["is_default"]) == (1, 365, False)
    assert published["text_en"] == "We collect your name, company and phone for check-in only."

    await page.reload()  # what the page shows is what was stored
    await expect(section.get_by_label("声明文本（中文）")).to_have_value(
        "本次沙龙仅为签到与会后联络收集您的姓名、单位和手机号。"
    )
    await expect(section.get_by_label("保存天数")).to_have_value("365")
