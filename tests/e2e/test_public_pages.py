"""The public pages in a real browser (Debian's Chromium driven by Playwright) against `quancheng serve`."""

from __future__ import annotations

import asyncio
import os
import re
import uuid
from pathlib import Path

import httpx
from playwright.async_api import Route, expect

from tests.e2e.support import ADMIN, PASSWORD, NewPage, registration, seed_forum, sign_in


async def test_a_participant_on_a_phone_registers_waits_and_cancels(site: tuple[str, int], new_page: NewPage) -> None:
    base, event_id = site
    invalid = (422, f"/api/v1/events/{event_id}/registrations")  # the first try's bad email, shown by its field
    page = await new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", expected_failures=[invalid])
    await page.goto(base + "/")
    await page.get_by_label("区域").select_option("shizhong")
    await expect(page.get_by_text("没有找到活动")).to_be_visible()  # the forum is in 历下区
    await page.get_by_label("区域").select_option("lixia")
    await page.get_by_label("开始日期").fill("2030-03-17")  # from its day (conftest.site): it comes first
    await page.locator(f"a[href='/events/{event_id}']").click()  # its card; other tests list forums of that name
    await expect(page.get_by_text("剩余 1 席")).to_be_visible()
    await page.get_by_label("姓名").fill("李雷")
    await page.get_by_label("邮箱").fill("not-an-email")
    await page.get_by_role("button", name="提交报名").click()
    # every field error at once, each next to its field and named by it
    await expect(page.get_by_label("邮箱")).to_have_accessible_description("邮箱地址格式不正确")
    await expect(page.get_by_label("单位名称")).to_have_accessible_description("此字段为必填项")
    await expect(page.get_by_label("邮箱")).to_be_focused()  # the first field in error
    await expect(page.get_by_label("姓名")).to_have_value("李雷")  # nothing typed is lost
    # The privacy notice states purpose and retention, and registering needs it accepted.
    notice = page.get_by_role("group", name="隐私声明")
    await expect(notice).to_contain_text("活动结束180天后匿名化处理")
    await expect(notice).to_have_accessible_description("此字段为必填项")
    await page.get_by_label("邮箱").fill("li.lei@example.cn")
    await page.get_by_label("单位名称").fill("济南智造")
    await page.get_by_role("button", name="提交报名").click()
    await expect(notice).to_be_focused()  # the one field still in error: the notice not accepted
    await notice.get_by_label("我已阅读隐私声明").check()
    await page.get_by_role("button", name="提交报名").click()
    await expect(page.get_by_role("status")).to_have_text("报名成功")
    await page.get_by_text("查看或取消我的报名").click()
    await expect(page.get_by_role("img", name="入场码")).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390  # the code's text wraps on a phone
    await page.go_back()

    second = await new_page(locale="zh-CN")
    await second.goto(f"{base}/events/{event_id}")
    await expect(second.get_by_text("已满，可候补")).to_be_visible()
    await second.get_by_label("姓名").fill("韩梅梅")
    await second.get_by_label("邮箱").fill("han@example.cn")
    await second.get_by_label("单位名称").fill("济南数据")
    await second.get_by_label("我已阅读隐私声明").check()
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
    forged = "00000000-0000-0000-0000-000000000000"
    page = await new_page(expected_failures=[(404, f"/api/v1/registrations/{forged}")])
    await page.goto(f"{base}/events/{event_id}")
    await page.get_by_role("button", name="English").click()
    await expect(page.get_by_role("heading", name="AI for Manufacturing")).to_be_visible()
    await page.goto(f"{base}/registrations/{forged}?token=qcm_forged")
    await expect(page.get_by_text("This link is invalid or has expired")).to_be_visible()


async def test_an_account_registers_and_subscribes_to_its_calendar(site: tuple[str, int], new_page: NewPage) -> None:
    base, event_id = site
    short_password, registered_twice = (422, "/api/v1/auth/signup"), (409, f"/api/v1/events/{event_id}/registrations")
    page = await new_page(locale="zh-CN", expected_failures=[short_password, registered_twice])
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
    assert page.url == base + "/me"  # the address says where the page went
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
    await page.get_by_label("我已阅读隐私声明").check()
    await page.get_by_role("button", name="提交报名").click()
    await expect(page.get_by_role("status")).to_be_visible()
    await page.get_by_role("link", name="王芳").click()
    await page.get_by_role("link", name="AI赋能制造业对接会").first.click()  # listed under the event's title
    await expect(page.locator("[data-test=status]")).to_be_visible()  # the manage page, by the session alone
    await expect(page.get_by_role("link", name="AI赋能制造业对接会")).to_be_visible()
    await page.get_by_role("link", name="AI赋能制造业对接会").click()
    await page.get_by_role("button", name="English").click()  # the account's language: the API answers in it too
    await expect(page.get_by_label("Email")).to_have_value("wang.fang@example.cn")  # the account's, prefilled
    await page.get_by_label("Company").fill("济南智造")
    await page.get_by_label("I have read the privacy notice").check()
    await page.get_by_role("button", name="Register").click()
    await expect(page.get_by_role("alert")).to_contain_text("This email address is already registered for the event")
    await page.get_by_role("button", name="Log out").click()
    await page.goto(base + "/login")
    await page.get_by_role("button", name="中文").click()  # this browser in Chinese, the account in English
    await page.get_by_label("邮箱").fill("wang.fang@example.cn")
    await page.get_by_label("密码（至少 10 位）").fill("a long password")
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_role("heading", name="My registrations")).to_be_visible()  # back in English


async def test_the_door_checks_people_in_by_name_and_refuses_forged_codes(
    site: tuple[str, int], admin: httpx.Client, new_page: NewPage
) -> None:
    base, _ = site
    event_id = seed_forum(admin)  # its own event, so the seat is free whatever ran before
    made = httpx.post(
        f"{base}/api/v1/events/{event_id}/registrations",
        json={
            "privacy_notice_version": 0,
            "email": "zhao.liu@example.cn",
            "name": "赵六",
            "answers": {"company": "济南数据"},
        },
    ).json()
    manage = {"Authorization": f"Bearer {made['manage_token']}"}
    qr = httpx.get(f"{base}/api/v1/registrations/{made['id']}", headers=manage).json()["qr"]
    check_in = f"/api/v1/events/{event_id}/check-in"
    refused = [(400, check_in), (409, check_in)]  # a forged code, a code used twice
    page = await new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", expected_failures=refused)
    await page.goto(f"{base}/events/{event_id}/door")
    await expect(page.get_by_text("请先登录")).to_be_visible()
    await page.goto(base + "/login")
    await page.get_by_label("邮箱").fill("admin@bureau.gov.cn")
    await page.get_by_label("密码（至少 10 位）").fill("a long password")
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_role("heading", name="我的报名")).to_be_visible()
    await page.goto(f"{base}/events/{event_id}/door")
    await expect(page.locator("[data-test=door-event]")).to_contain_text("AI赋能制造业对接会")  # which event's door
    await expect(page.locator("[data-test=door-event]")).to_contain_text("09:00")  # its own clock, not UTC
    await page.get_by_label("按姓名或邮箱查找").fill("赵六")
    await expect(page.get_by_text("zh***@example.cn")).to_be_visible()
    await page.get_by_role("button", name="签到").last.click()
    await expect(page.get_by_role("status")).to_have_text("签到成功：赵六")
    await expect(page.get_by_text("已签到", exact=True)).to_be_visible()
    await page.get_by_label("扫码或输入入场码").fill("QC1.forged.code")
    await page.get_by_label("扫码或输入入场码").press("Enter")
    await expect(page.get_by_role("status")).to_have_text("二维码无效或已被篡改")
    await page.get_by_label("扫码或输入入场码").fill(qr)
    await page.get_by_label("扫码或输入入场码").press("Enter")
    # when the first check-in was, on the event's clock in words a person reads, not "…T…+00:00"
    await expect(page.get_by_role("status")).to_have_text(re.compile(r"^该报名已于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 签到"))


async def test_the_registration_form_works_by_keyboard_alone(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    event_id = seed_forum(admin, capacity=5)
    registrations = f"/api/v1/events/{event_id}/registrations"
    page = await new_page(locale="zh-CN", expected_failures=[(422, registrations)])
    await page.goto(f"{base_url}/events/{event_id}")
    await expect(page.get_by_label("姓名")).to_be_visible()
    language = page.get_by_role("button", name="English")
    await expect(language.locator("[lang]")).to_have_attribute("lang", "en")  # read out in English
    await page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到主要内容")
    await expect(skip).to_be_focused()
    await expect(skip).to_be_in_viewport()  # hidden until focused, then shown
    await page.keyboard.press("Enter")
    await expect(page.locator("main")).to_be_focused()
    name = page.get_by_label("姓名")
    for _ in range(10):  # past the calendar links to the first field
        await page.keyboard.press("Tab")
        if await name.evaluate("input => input === document.activeElement"):
            break
    await expect(name).to_be_focused()
    assert await name.evaluate("input => getComputedStyle(input).outlineStyle") == "solid"  # a visible focus ring
    await page.keyboard.type("李雷")
    await page.keyboard.press("Tab")
    await page.keyboard.type("li.lei@")
    await page.keyboard.press("Enter")  # the company left empty
    email = page.get_by_label("邮箱")
    await expect(email).to_be_focused()  # the first field in error takes the focus
    await expect(email).to_have_accessible_description("邮箱地址格式不正确")
    await expect(email).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_label("单位名称")).to_have_accessible_description("此字段为必填项")
    await page.keyboard.press("ControlOrMeta+a")
    await page.keyboard.type("li.lei@example.cn")
    await page.keyboard.press("Tab")
    await page.keyboard.type("济南智造")
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("我已阅读隐私声明")).to_be_focused()
    await page.keyboard.press("Space")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_have_text("报名成功")
    await expect(page.get_by_role("status")).to_be_focused()

    # the same person again: the banner says why, and has the focus
    again = await new_page(locale="zh-CN", expected_failures=[(409, registrations)])
    await again.goto(f"{base_url}/events/{event_id}")
    await again.get_by_label("姓名").fill("李雷")
    await again.get_by_label("邮箱").fill("li.lei@example.cn")
    await again.get_by_label("单位名称").fill("济南智造")
    await again.get_by_label("我已阅读隐私声明").check()
    await again.get_by_label("单位名称").press("Enter")
    await expect(again.get_by_role("alert")).to_be_focused()
    await expect(again.get_by_role("alert")).not_to_be_empty()


async def test_the_event_page_shows_the_agenda_and_each_ticket_type(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    event_id = seed_forum(admin, capacity=2, waitlist_enabled=False)
    for session in (
        {"title": {"zh": "开幕致辞", "en": "Opening"}, "room": "一号厅", "speakers": ["王主任"], "hour": 9},
        {"title": {"zh": "大模型赋能质检", "en": "LLMs for inspection"}, "room": "二号厅", "speakers": [], "hour": 10},
    ):
        hour = session.pop("hour")
        added = admin.post(
            f"/events/{event_id}/sessions",
            json={
                **session,
                "starts_at": f"2030-03-18T{hour:02}:00:00+08:00",
                "ends_at": f"2030-03-18T{hour:02}:45:00+08:00",
            },
        )
        assert added.status_code == 201, added.text
    vip = admin.post(f"/events/{event_id}/ticket-types", json={"name": {"zh": "嘉宾票", "en": "Guest"}})
    assert vip.status_code == 201, vip.text
    quota = admin.post(
        f"/events/{event_id}/quotas", json={"name": "guests", "size": 0, "ticket_types": [vip.json()["id"]]}
    )
    assert quota.status_code == 201, quota.text
    page = await new_page(locale="zh-CN", timezone_id="Europe/London")
    await page.goto(f"{base_url}/events/{event_id}")
    agenda = page.get_by_role("region", name="议程")
    await expect(agenda.get_by_role("listitem")).to_have_count(2)
    await expect(agenda.get_by_role("listitem").first).to_contain_text("09:00")  # the event's own zone
    await expect(agenda.get_by_role("listitem").first).to_contain_text("会场：一号厅")
    await expect(agenda.get_by_role("listitem").first).to_contain_text("嘉宾：王主任")
    await expect(agenda.get_by_role("listitem").last).to_contain_text("大模型赋能质检")
    await expect(page.get_by_role("heading", name="票种与名额")).to_be_visible()
    tickets = page.locator(".tickets li")
    await expect(tickets).to_have_count(2)
    await expect(tickets.filter(has_text="嘉宾票")).to_contain_text("已满")
    await expect(tickets.first).to_contain_text("剩余 2 席")


async def test_an_offered_seat_is_accepted_on_the_manage_page(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    event_id = seed_forum(admin, capacity=1)
    (first_id, first_token), (second_id, second_token) = (registration(base_url, event_id, who) for who in ("甲", "乙"))
    second = f"{base_url}/registrations/{second_id}?token={second_token}"
    page = await new_page(locale="zh-CN", viewport={"width": 390, "height": 844}, timezone_id="America/Los_Angeles")
    await page.goto(second)
    await expect(page.locator("[data-test=status]")).to_have_text("候补中")
    await expect(page.get_by_text("候补位次：1")).to_be_visible()
    await expect(page.get_by_role("button", name="确认参加")).to_have_count(0)
    cancelled = httpx.post(
        f"{base_url}/api/v1/registrations/{first_id}/cancel",
        headers={"Authorization": f"Bearer {first_token}"},
    )
    assert cancelled.status_code == 200, cancelled.text
    await page.reload()
    await expect(page.locator("[data-test=status]")).to_have_text("为您保留了名额")
    await expect(page.get_by_text("请在此前确认")).to_be_visible()
    # the deadline on the event's clock, its zone named in words, not "GMT+8"
    await expect(page.get_by_text(re.compile(r"\d{2}:\d{2}（中国标准时间）"))).to_be_visible()
    shown = await page.get_by_text("AI赋能制造业对接会").locator("..").inner_text()
    assert shown.count("2030") == 1  # a one-day event's date is said once
    taken = (409, f"/api/v1/registrations/{second_id}/accept")
    stale = await new_page(locale="zh-CN", expected_failures=[taken])  # the same link open in a second tab
    await stale.goto(second)
    await expect(stale.get_by_role("button", name="确认参加")).to_be_visible()  # loaded before the other tab accepts
    await page.get_by_role("button", name="确认参加").click()
    await expect(page.locator("[data-test=status]")).to_have_text("已确认")
    await expect(page.get_by_role("img", name="入场码")).to_be_visible()
    await stale.get_by_role("button", name="确认参加").click()
    await expect(stale.get_by_role("alert")).to_contain_text("不能变为")  # already taken: the API's reason


async def test_closed_and_past_events_say_so_and_past_ones_wait_behind_the_date(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    tag = uuid.uuid4().hex[:6]
    closed = seed_forum(
        admin, title={"zh": f"报名已截的论坛 {tag}"}, registration_closes_at="2026-01-01T00:00:00+08:00"
    )
    seed_forum(
        admin,
        title={"zh": f"往期沙龙 {tag}"},
        starts_at="2025-05-01T09:00:00+08:00",
        ends_at="2025-05-01T12:00:00+08:00",
    )
    page = await new_page(locale="zh-CN")
    await page.goto(base_url + "/")
    await page.get_by_label("搜索活动").fill(tag)
    await page.get_by_label("搜索活动").press("Enter")
    await expect(page.locator("a.card", has_text="报名已截的论坛")).to_contain_text("报名已截止")
    await expect(page.get_by_text("往期沙龙")).to_be_hidden()  # the list starts today
    await page.get_by_label("开始日期").fill("")
    await expect(page.locator("a.card", has_text="往期沙龙")).to_contain_text("已结束")
    await page.goto(f"{base_url}/events/{closed}")
    await expect(page.get_by_text("报名已截止")).to_be_visible()
    await expect(page.get_by_role("button", name="提交报名")).to_have_count(0)


async def test_choice_phone_and_email_questions_are_answered_in_the_form(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    event_id = seed_forum(admin, capacity=10, title={"zh": f"问题题型测试 {uuid.uuid4().hex[:6]}"}, publish=False)
    questions = [
        {
            "key": "topics",
            "kind": "multi_choice",
            "label": {"zh": "关注方向"},
            "required": True,
            "choices": [{"key": "llm", "label": {"zh": "大模型"}}, {"key": "vision", "label": {"zh": "机器视觉"}}],
        },
        {"key": "mobile", "kind": "phone", "label": {"zh": "手机号"}, "required": True},
        {"key": "note", "kind": "text", "label": {"zh": "备注"}},
    ]
    for question in questions:
        admin.post(f"/events/{event_id}/questions", json=question).raise_for_status()
    media = admin.post(f"/events/{event_id}/ticket-types", json={"name": {"zh": "媒体票"}}).json()["id"]
    admin.post(f"/events/{event_id}/publish").raise_for_status()
    invalid = (422, f"/api/v1/events/{event_id}/registrations")
    page = await new_page(locale="zh-CN", viewport={"width": 390, "height": 844}, expected_failures=[invalid])
    await page.goto(f"{base_url}/events/{event_id}")
    await page.get_by_label("姓名").fill("周九")
    await page.get_by_label("邮箱").fill("zhou.jiu@example.cn")
    await page.get_by_label("单位名称").fill("济南智造")
    await page.get_by_label("手机号").fill("12345")
    await page.get_by_role("button", name="提交报名").click()
    topics = page.get_by_role("group", name="关注方向")
    await expect(page.locator("#q-topics-error")).to_be_visible()  # nothing ticked
    await expect(page.locator("#q-mobile-error")).to_be_visible()  # not a mainland mobile number
    await expect(page.get_by_label("手机号")).to_have_attribute("type", "tel")
    await topics.get_by_label("大模型").check()
    await topics.get_by_label("机器视觉").check()
    await page.get_by_label("手机号").fill("138 1234 5678")
    await page.get_by_label("备注").fill("x")
    await page.get_by_label("备注").fill("")  # typed and cleared: an optional question left unanswered
    await page.get_by_role("group", name="票种").get_by_label("媒体票").check()
    await page.get_by_label("我已阅读隐私声明").check()
    await page.get_by_role("button", name="提交报名").click()
    await expect(page.get_by_role("status")).to_have_text("报名成功")
    listed = admin.get(f"/events/{event_id}/registrations").json()["items"]
    assert [(r["name"], r["answers"]["topics"], r["ticket_type"]) for r in listed] == [
        ("周九", ["llm", "vision"], media)
    ]
    assert "note" not in listed[0]["answers"]


async def test_the_manage_page_names_the_event_and_says_when_it_is_cancelled(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    title = f"取消测试论坛 {uuid.uuid4().hex[:6]}"
    event_id = seed_forum(admin, capacity=5, title={"zh": title})
    made = httpx.post(
        f"{base_url}/api/v1/events/{event_id}/registrations",
        json={
            "privacy_notice_version": 0,
            "email": "wu.shi@example.cn",
            "name": "吴十",
            "answers": {"company": "济南智造"},
        },
    ).json()
    manage = f"{base_url}/registrations/{made['id']}?token={made['manage_token']}"
    page = await new_page(locale="zh-CN")
    await page.goto(manage)
    await expect(page.get_by_role("link", name=title)).to_be_visible()
    await expect(page.get_by_role("button", name="取消报名")).to_be_visible()
    admin.post(f"/events/{event_id}/cancel").raise_for_status()
    await page.reload()
    await expect(page.get_by_text("本活动已取消")).to_be_visible()
    await expect(page.get_by_role("button", name="取消报名")).to_have_count(0)  # nothing left to cancel
    await expect(page.get_by_role("img", name="入场码")).to_have_count(0)  # no entry code for a cancelled event


async def test_the_list_pages_through_many_events_and_a_bad_search_says_so(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    tag = uuid.uuid4().hex[:8]
    for n in range(23):
        seed_forum(admin, capacity=5, title={"zh": f"分页论坛 {tag} {n:02d}"})
    page = await new_page(locale="zh-CN", expected_failures=[(429, "/api/v1/events")])
    await page.goto(base_url + "/")
    await page.get_by_label("搜索活动").fill(tag)
    await page.get_by_label("搜索活动").press("Enter")
    cards = page.locator("a.card", has_text=tag)
    await expect(cards).to_have_count(20)
    await page.get_by_role("button", name="显示更多（已显示 20 / 共 23 个）").click()
    await expect(cards).to_have_count(23)
    await expect(page.get_by_role("button", name=re.compile("显示更多"))).to_have_count(0)
    await page.get_by_label("区域").select_option("shizhong")  # new filters start again at the first page
    await expect(cards).to_have_count(0)
    await page.route(
        "**/api/v1/events?*", lambda route: route.fulfill(status=429, json={"title": "x", "detail": "请求过于频繁"})
    )
    await page.get_by_label("区域").select_option("lixia")
    await expect(page.get_by_role("alert")).to_have_text("请求过于频繁")  # not the old cards as if they matched


async def test_the_door_search_shows_the_answer_to_what_is_typed_now(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    event_id = seed_forum(admin, capacity=5, title={"zh": f"签到搜索 {uuid.uuid4().hex[:6]}"})
    for name, mail in (("王五", "wang.wu@example.cn"), ("赵六", "zhao.liu@example.cn")):
        httpx.post(
            f"{base_url}/api/v1/events/{event_id}/registrations",
            json={"privacy_notice_version": 0, "email": mail, "name": name, "answers": {"company": "济南数据"}},
        ).raise_for_status()
    page = await new_page(locale="zh-CN")
    await sign_in(page, base_url, *ADMIN)

    async def slow_for_wang(route: Route) -> None:
        if "q=%E7%8E%8B" in route.request.url:  # 王: the first keystroke's answer arrives last
            await asyncio.sleep(1.5)
        await route.continue_()

    await page.route("**/check-in/search?*", slow_for_wang)
    await page.goto(f"{base_url}/events/{event_id}/door")
    search = page.get_by_label("按姓名或邮箱查找")
    await search.press_sequentially("王")
    await search.fill("赵六")
    await expect(page.get_by_text("zh***@example.cn")).to_be_visible()
    await page.wait_for_timeout(2000)  # the slow answer for 王 has come by now
    await expect(page.get_by_text("王五")).to_have_count(0)
    await expect(page.get_by_text("赵六")).to_be_visible()


async def test_logging_out_after_the_session_ended_elsewhere_still_signs_out(base_url: str, new_page: NewPage) -> None:
    page = await new_page(locale="zh-CN", expected_failures=[(401, "/api/v1/auth/logout")])
    await sign_in(page, base_url, *ADMIN)
    await expect(page.get_by_text("生成订阅地址").or_(page.get_by_text("更换地址")).first).to_be_visible()  # /me loaded
    await page.context.clear_cookies()  # the session ended in another tab, or expired
    await page.get_by_role("button", name="退出").click()
    await expect(page.get_by_role("link", name="登录")).to_be_visible()
    await page.goto(base_url + "/me")
    await expect(page.get_by_role("alert")).to_contain_text("请先登录")


async def test_the_kind_filter_offers_the_apis_kinds_and_names_them_in_the_pages_language(
    site: tuple[str, int], new_page: NewPage
) -> None:
    base, event_id = site
    page = await new_page(locale="zh-CN")
    await page.goto(base + "/")
    kind = page.get_by_label("类型")
    await expect(kind.locator("option")).to_have_text(["全部", "大会", "论坛", "对接会", "大赛", "培训"])
    await page.get_by_label("开始日期").fill("2030-03-17")  # from the forum's day (conftest.site): it comes first
    card = page.locator(f"a.card[href='/events/{event_id}']")
    await expect(card).to_contain_text("论坛 · ")  # the card names its kind from the same list
    await kind.select_option("training")
    await expect(card).to_have_count(0)
    await kind.select_option("forum")
    await expect(card).to_be_visible()
    await page.get_by_role("button", name="English").click()
    await expect(page.get_by_label("Kind").locator("option")).to_have_text(
        ["All", "Conference", "Forum", "Matchmaking", "Competition", "Training"]
    )


async def test_the_list_says_so_when_the_event_kinds_cannot_be_had(base_url: str, new_page: NewPage) -> None:
    page = await new_page(locale="zh-CN", expected_failures=[(429, "/api/v1/event-kinds")])
    await page.route(
        "**/api/v1/event-kinds", lambda route: route.fulfill(status=429, json={"title": "x", "detail": "请求过于频繁"})
    )
    await page.goto(base_url + "/")
    await expect(page.get_by_role("alert")).to_have_text("请求过于频繁")
    await expect(page.get_by_label("类型").locator("option")).to_have_text(["全部"])
    await page.unroute("**/api/v1/event-kinds")
    await page.get_by_role("button", name="English").click()  # the list page again, in the same page load
    await expect(page.get_by_label("Kind").locator("option")).to_have_count(6)  # asked again: the failure not kept


async def test_an_anonymous_visit_makes_no_request_that_fails(base_url: str, new_page: NewPage) -> None:
    page = await new_page(locale="zh-CN")
    failed: list[str] = []
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    await page.goto(base_url + "/")
    await expect(page.get_by_role("link", name="登录")).to_be_visible()  # anonymous is an answer, not a 401
    assert not failed


async def test_a_missing_or_draft_event_and_an_unknown_path_show_the_not_found_page(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    draft = seed_forum(admin, publish=False)
    missing = [(404, f"/api/v1/events/{draft}"), (404, "/api/v1/events/999999"), (404, "/no/such/page")]
    page = await new_page(locale="zh-CN", expected_failures=missing)
    for path in (f"/events/{draft}", "/events/999999"):
        await page.goto(base_url + path)
        await expect(page.get_by_role("heading", name="没有这个页面")).to_be_visible()
        await expect(page.get_by_role("link", name="登录")).to_be_visible()  # in the app's frame
    answer = await page.goto(base_url + "/no/such/page")
    assert answer is not None and answer.status == 404
    await expect(page.get_by_role("heading", name="没有这个页面")).to_be_visible()
    await page.get_by_role("link", name="返回活动列表").click()
    await expect(page.get_by_role("heading", name="近期活动")).to_be_visible()
    assert page.url == base_url + "/"


async def test_a_full_choice_is_marked_and_cannot_be_chosen(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    event_id = seed_forum(admin, capacity=10, title={"zh": f"分论坛名额 {uuid.uuid4().hex[:6]}"}, publish=False)
    choices = [{"key": "mfg", "label": {"zh": "智能制造"}, "limit": 1}, {"key": "health", "label": {"zh": "智慧医疗"}}]
    track = {"key": "track", "kind": "single_choice", "label": {"zh": "分论坛"}, "required": True, "choices": choices}
    admin.post(f"/events/{event_id}/questions", json=track).raise_for_status()
    admin.post(f"/events/{event_id}/publish").raise_for_status()
    httpx.post(
        f"{base_url}/api/v1/events/{event_id}/registrations",
        json={
            "privacy_notice_version": 0,
            "email": "first@example.cn",
            "name": "先到",
            "answers": {"company": "济南智造", "track": "mfg"},
        },
    ).raise_for_status()
    page = await new_page(locale="zh-CN")
    await page.goto(f"{base_url}/events/{event_id}")
    offered = page.get_by_label("分论坛").locator("option")
    await expect(offered.filter(has_text="智能制造")).to_have_text("智能制造（已满）")
    await expect(offered.filter(has_text="智能制造")).to_be_disabled()
    await expect(offered.filter(has_text="智慧医疗")).to_be_enabled()


async def test_signing_in_or_up_goes_back_to_the_page_the_person_came_from(
    site: tuple[str, int], new_page: NewPage
) -> None:
    base, event_id = site
    page = await new_page(locale="zh-CN")
    await page.goto(f"{base}/events/{event_id}")
    await page.get_by_role("link", name="登录").click()
    await page.get_by_text("还没有账号？注册").click()  # on to the sign-up page: where they came from is kept
    await page.get_by_label("姓名").fill("李雷")
    await page.get_by_label("邮箱").fill(f"li.lei-{uuid.uuid4().hex[:8]}@example.cn")
    await page.get_by_label("密码（至少 10 位）").fill("a long password")
    await page.get_by_role("button", name="注册账号").click()
    await expect(page).to_have_url(f"{base}/events/{event_id}")
    await expect(page.get_by_role("button", name="退出")).to_be_visible()

    await page.get_by_role("button", name="退出").click()
    await sign_in(page, base, *ADMIN)  # straight to the login page: then to their own page
    await expect(page).to_have_url(base + "/me")


async def test_a_registrant_downloads_and_deletes_their_data_through_the_manage_link(
    site: tuple[str, int], new_page: NewPage
) -> None:
    base, event_id = site
    made = httpx.post(
        f"{base}/api/v1/events/{event_id}/registrations",
        json={
            "privacy_notice_version": 0,
            "email": "qian.er@example.cn",
            "name": "钱二",
            "answers": {"company": "济南数据"},
        },
    ).json()
    page = await new_page(locale="zh-CN")
    await page.goto(f"{base}/registrations/{made['id']}?token={made['manage_token']}")
    mine = page.get_by_role("region", name="我的个人信息")
    download = await mine.get_by_role("link", name="下载我的信息（JSON）").get_attribute("href")
    assert download is not None
    copy = httpx.get(base + download).json()
    assert [r["name"] for r in copy["registrations"]] == ["钱二"]
    page.once("dialog", lambda dialog: dialog.dismiss())  # thought better of it
    await mine.get_by_role("button", name="删除我的信息").click()
    await expect(page.locator("[data-test=status]")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    await mine.get_by_role("button", name="删除我的信息").click()
    await expect(page.get_by_role("status")).to_have_text("您的信息已删除。")
    assert httpx.get(base + download).status_code == 404  # the link died with the data


async def test_a_signed_in_person_deletes_their_data_and_account_from_my_page(base_url: str, new_page: NewPage) -> None:
    email = f"forget-{uuid.uuid4().hex[:8]}@example.cn"
    signup = {"email": email, "password": PASSWORD, "name": "孙悟", "locale": "zh-CN"}
    httpx.post(f"{base_url}/api/v1/auth/signup", json=signup).raise_for_status()
    page = await new_page(locale="zh-CN")
    await sign_in(page, base_url, email)
    await page.goto(base_url + "/me")
    # The page's lists have loaded (none of its requests is still out when the account goes, to come back 401).
    await expect(page.get_by_text("还没有报名")).to_be_visible()
    mine = page.get_by_role("region", name="我的个人信息")
    await expect(mine.get_by_role("link", name="下载我的信息（Excel）")).to_have_attribute(
        "href", "/api/v1/me/data.xlsx"
    )
    page.once("dialog", lambda dialog: dialog.accept())
    await mine.get_by_role("button", name="删除我的信息").click()
    await expect(page.get_by_role("status")).to_have_text("您的信息已删除。")
    await expect(page.get_by_role("link", name="登录")).to_be_visible()  # signed out: the account is gone
    login = httpx.post(f"{base_url}/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 401
