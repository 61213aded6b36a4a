"""The event list as a month and a week calendar, in a real browser against `quancheng serve`."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
from playwright.async_api import expect

from tests.e2e.support import NewPage, seed_forum

TITLE = {"zh": "泉城月历对接会", "en": "Quancheng Calendar Forum"}


async def test_the_month_view_finds_an_event_and_opens_its_page(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    event_id = seed_forum(
        admin, title=TITLE, starts_at="2031-05-20T09:00:00+08:00", ends_at="2031-05-20T17:00:00+08:00"
    )
    page = await new_page(locale="zh-CN", timezone_id="America/Los_Angeles")  # far from the event's zone
    await page.goto(base_url + "/")
    await page.get_by_role("button", name="月", exact=True).click()
    await expect(page).to_have_url(re.compile(r"\?view=month$"))
    await expect(page.get_by_role("button", name="月", exact=True)).to_have_attribute("aria-pressed", "true")
    await page.get_by_label("开始日期").fill("2031-04-01")
    await expect(page.locator(".fc-toolbar-title")).to_have_text("2031年4月")
    await expect(page.get_by_text(TITLE["zh"])).to_have_count(0)
    await page.get_by_role("button", name="下月").click()
    await expect(page.locator(".fc-toolbar-title")).to_have_text("2031年5月")
    await expect(page.locator(".fc-col-header-cell").first).to_have_text("周一")  # weeks start on Monday
    entry = page.get_by_role("link", name=re.compile(TITLE["zh"]))
    await expect(entry).to_contain_text("09:00")  # the event's own wall-clock time, not the viewer's
    await page.get_by_label("区域").select_option("shizhong")  # the same filters: the forum is in 历下区
    await expect(entry).to_have_count(0)
    await page.get_by_label("区域").select_option("lixia")
    await entry.click()
    await expect(page).to_have_url(f"{base_url}/events/{event_id}")
    await expect(page.get_by_role("heading", name=TITLE["zh"])).to_be_visible()

    await page.go_back()  # the calendar view is in the address
    await expect(page.get_by_role("button", name="月", exact=True)).to_have_attribute("aria-pressed", "true")
    await page.get_by_role("button", name="周", exact=True).click()
    await expect(page).to_have_url(re.compile(r"\?view=week$"))
    await page.get_by_label("开始日期").fill("2031-05-20")
    await expect(page.locator(".fc-timegrid")).to_be_visible()
    await expect(page.get_by_role("link", name=re.compile(TITLE["zh"]))).to_be_visible()
    await page.get_by_role("button", name="列表").click()
    await expect(page).to_have_url(base_url + "/")
    await expect(page.locator(".fc")).to_have_count(0)


async def test_the_calendar_follows_the_english_toggle(base_url: str, new_page: NewPage) -> None:
    page = await new_page(locale="zh-CN")
    await page.goto(base_url + "/?view=month")
    await page.get_by_label("开始日期").fill("2031-05-01")
    await expect(page.locator(".fc-toolbar-title")).to_have_text("2031年5月")
    await page.get_by_role("button", name="English").click()
    await page.get_by_label("From").fill("2031-05-01")
    await expect(page.locator(".fc-toolbar-title")).to_have_text("May 2031")
    await expect(page.locator(".fc-col-header-cell").first).to_have_text("Mon")
    await expect(page.get_by_role("button", name="Month", exact=True)).to_have_attribute("aria-pressed", "true")


async def test_the_month_shows_its_earlier_days_too(base_url: str, admin: httpx.Client, new_page: NewPage) -> None:
    first = datetime.now(ZoneInfo("Asia/Shanghai")).date().replace(day=1)  # shown whatever day it is this month
    title = f"月初沙龙 {uuid.uuid4().hex[:6]}"
    seed_forum(admin, title={"zh": title}, starts_at=f"{first}T00:00:00+08:00", ends_at=f"{first}T00:30:00+08:00")
    page = await new_page(locale="zh-CN", timezone_id="Asia/Shanghai")
    await page.goto(base_url + "/?view=month")
    await expect(page.get_by_role("link", name=re.compile(title))).to_be_visible()  # though the list starts today
