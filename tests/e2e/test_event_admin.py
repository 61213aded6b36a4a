"""The organiser's page for one event in a real browser: approve and reject, export, message the registrants;
a checker at the door, kept out of another organisation's registrations; the table on a phone."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import httpx
from openpyxl import load_workbook
from playwright.async_api import Locator, Page, expect

from tests.e2e.support import ADMIN, NewPage, member, seed_forum, sign_in

TITLE = {"zh": "大模型产业应用研讨会", "en": "LLM Applications Workshop"}
SCREENSHOTS = Path(os.environ.get("QUANCHENG_SCREENSHOTS", "/tmp"))


def register(base: str, event_id: int, name: str, email: str) -> str:
    answer = httpx.post(
        f"{base}/api/v1/events/{event_id}/registrations",
        json={"privacy_notice_version": 0, "email": email, "name": name, "answers": {"company": f"{name}的公司"}},
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["status"])


def forum(admin: httpx.Client, **fields: Any) -> int:
    """A published forum of its own title, so that the public pages' tests still find theirs first."""
    return seed_forum(admin, title=TITLE, **fields)


def organisation_of(admin: httpx.Client, event_id: int) -> int:
    return int(admin.get(f"/events/{event_id}").json()["organisation_id"])


def count(page: Page, label: str) -> Locator:
    return page.get_by_role("list", name="报名统计").get_by_role("listitem").filter(has_text=label)


def row(page: Page, name: str) -> Locator:
    return page.get_by_role("row").filter(has_text=name)


async def test_an_organiser_reviews_exports_and_messages_the_registrants(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    event_id = forum(admin, capacity=10, requires_approval=True)
    organiser = member(admin, organisation_of(admin, event_id), "organiser", "主办方")
    assert register(base_url, event_id, "张三", "zhang.san@example.cn") == "pending"
    assert register(base_url, event_id, "李四", "li.si@example.cn") == "pending"

    no_reason, empty_message = (
        (422, "/api/v1/registrations/*/reject"),
        (422, f"/api/v1/events/{event_id}/messages/preview"),
    )
    page = await new_page(locale="zh-CN", expected_failures=[no_reason, empty_message])
    await sign_in(page, base_url, organiser)
    await page.goto(f"{base_url}/console/events/{event_id}")
    await expect(page.get_by_role("heading", name="大模型产业应用研讨会")).to_be_visible()
    await expect(page.get_by_role("link", name="编辑活动")).to_have_attribute(
        "href", f"/console/events/{event_id}/edit"
    )
    await expect(page.get_by_role("link", name="现场签到")).to_have_attribute("href", f"/events/{event_id}/door")
    await expect(count(page, "待审核")).to_have_text("2 待审核")
    await expect(row(page, "张三")).to_contain_text("单位名称：张三的公司")

    await page.get_by_label("按姓名或邮箱搜索").fill("李四")
    await page.get_by_role("button", name="查找").click()
    await expect(page.get_by_text("共 1 条")).to_be_visible()
    await expect(row(page, "张三")).to_have_count(0)
    await page.get_by_label("按姓名或邮箱搜索").fill("")
    await page.get_by_role("button", name="查找").click()
    await expect(page.get_by_text("共 2 条")).to_be_visible()

    await page.get_by_role("button", name="拒绝 张三 的报名").click()
    dialog = page.get_by_role("dialog", name="拒绝 张三 的报名")
    await dialog.get_by_role("button", name="确认拒绝").click()
    await expect(dialog.get_by_text("至少需要 1 个字符")).to_be_visible()  # the API's field error, by the field
    await dialog.get_by_label("拒绝理由（将通过邮件告知报名人）").fill("本场名额优先面向制造业企业。")
    await dialog.get_by_role("button", name="确认拒绝").click()
    await expect(dialog).to_be_hidden()
    await expect(page.get_by_role("status")).to_have_text("已拒绝 张三 的报名")
    await expect(row(page, "张三")).to_contain_text("未通过")

    await page.get_by_role("button", name="通过 李四 的报名").click()
    await expect(page.get_by_role("status")).to_have_text("已通过 李四 的报名")
    await expect(row(page, "李四")).to_contain_text("已确认")
    await expect(count(page, "待审核")).to_have_text("0 待审核")
    await expect(count(page, "已确认")).to_have_text("1 已确认")
    await expect(count(page, "未通过")).to_have_text("1 未通过")

    async with page.expect_download() as downloading:
        await page.get_by_role("link", name="XLSX").click()
    download = await downloading.value
    assert download.suggested_filename == f"registrations-{event_id}.xlsx"
    sheet = load_workbook(io.BytesIO((await download.path()).read_bytes())).active
    assert sheet is not None
    watermark, *rows = [[cell.value for cell in line] for line in sheet.iter_rows()]
    assert str(watermark[0]).startswith("由 ") and f"<{organiser}>" in str(watermark[0])  # who exported it
    assert rows[0][:4] == ["报名编号", "状态", "姓名", "邮箱"] and rows[0][-1] == "单位名称"
    assert sorted((r[2], r[1]) for r in rows[1:]) == [("张三", "未通过"), ("李四", "已确认")]
    record = page.locator("section", has=page.get_by_role("heading", name="个人信息访问记录"))
    await record.get_by_role("button", name="刷新").click()
    exported = record.get_by_role("row").filter(has_text="导出名单")
    await expect(exported).to_have_count(1)
    await expect(exported).to_contain_text(organiser)
    await expect(exported.get_by_role("cell").nth(3)).to_have_text("2")  # the two people in the file

    await page.get_by_label("正文").fill("会场改到 B 厅，请提前 15 分钟入场。")
    await page.get_by_role("button", name="预览").click()
    await expect(page.get_by_text("至少需要 1 个字符")).to_be_visible()  # the subject is required
    await expect(page.get_by_label("正文")).to_have_value("会场改到 B 厅，请提前 15 分钟入场。")
    await page.get_by_label("邮件主题").fill("会场变更")
    await page.get_by_role("button", name="预览").click()
    await expect(page.locator("[data-test=preview-subject]")).to_have_text("【大模型产业应用研讨会】会场变更")
    frame = page.frame_locator("iframe[title=邮件预览]")
    await expect(frame.get_by_text("会场改到 B 厅，请提前 15 分钟入场。")).to_be_visible()
    await expect(page.get_by_text("将发送给 1 人")).to_be_visible()  # only the confirmed registrant
    await page.locator(".admin-preview").screenshot(path=str(SCREENSHOTS / "event-admin-preview.png"))
    await page.get_by_role("button", name="确认发送（1 人）").click()
    await expect(page.get_by_role("status")).to_have_text("已加入发送队列：1 封邮件")
    await expect(page.get_by_role("list", name="邮件投递统计")).to_be_visible()
    await page.screenshot(path=str(SCREENSHOTS / "event-admin.png"), full_page=True)


async def test_a_checker_checks_in_at_the_door_and_sees_no_other_organisations_registrations(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    event_id = forum(admin, capacity=5)
    other_event = forum(admin, capacity=5)  # another organisation's
    checker = member(admin, organisation_of(admin, event_id), "checker", "签到员")
    assert register(base_url, event_id, "王五", "wang.wu@example.cn") == "confirmed"

    kept_out = [(403, f"/api/v1/events/{other_event}/{part}") for part in ("registrations", "mail", "access-log")]
    page = await new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", expected_failures=kept_out)
    await sign_in(page, base_url, checker)
    await page.goto(f"{base_url}/console")  # the checker's console lists the organisation's events with their doors
    listed = page.locator(f"[data-event='{event_id}']")
    await expect(listed.get_by_role("link", name="编辑")).to_have_count(0)  # an organiser's links only
    await listed.get_by_role("link", name="签到").click()
    await expect(page).to_have_url(f"{base_url}/events/{event_id}/door")
    await page.get_by_label("按姓名或邮箱查找").fill("王五")
    await expect(page.get_by_text("wa***@example.cn")).to_be_visible()
    await page.get_by_role("button", name="签到").last.click()
    await expect(page.get_by_role("status")).to_have_text("签到成功：王五")

    await page.goto(f"{base_url}/console/events/{other_event}")
    await expect(page.get_by_role("heading", name="大模型产业应用研讨会")).to_be_visible()
    await expect(page.get_by_role("alert")).to_have_text("您没有执行此操作的权限。")
    await expect(page.get_by_role("table")).to_have_count(0)


async def test_on_a_phone_the_table_scrolls_inside_its_box_and_a_stale_approval_is_refused(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    event_id = forum(admin, capacity=5, requires_approval=True)
    organiser = member(admin, organisation_of(admin, event_id), "organiser", "主办方")
    created = httpx.post(
        f"{base_url}/api/v1/events/{event_id}/registrations",
        json={
            "privacy_notice_version": 0,
            "email": "ouyang.mingyuan.long.address@example.cn",
            "name": "欧阳明远",
            "answers": {"company": "济南智造"},
        },
    ).json()
    stale = (409, f"/api/v1/registrations/{created['id']}/approve")
    page = await new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", expected_failures=[stale])
    await sign_in(page, base_url, organiser)
    await page.goto(f"{base_url}/console/events/{event_id}")
    table = page.get_by_role("region", name="报名列表")
    await expect(table.get_by_role("cell", name="欧阳明远", exact=True)).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    widths = await table.evaluate("box => [box.scrollWidth, box.clientWidth]")
    assert widths[0] > widths[1]  # the table is wider than its box, and the box scrolls
    await page.screenshot(path=str(SCREENSHOTS / "event-admin-phone.png"), full_page=True)

    cancelled = httpx.post(
        f"{base_url}/api/v1/registrations/{created['id']}/cancel",
        headers={"Authorization": f"Bearer {created['manage_token']}"},
    )
    assert cancelled.status_code == 200  # the registrant cancels while the organiser looks at the list
    await page.get_by_role("button", name="通过 欧阳明远 的报名").click()
    await expect(page.get_by_role("alert")).to_have_text("报名状态为“已取消”，不能变为“已确认”。")
    await expect(row(page, "欧阳明远")).to_contain_text("已取消")
    await expect(count(page, "已取消")).to_have_text("1 已取消")
    await page.get_by_role("button", name="English").click()
    await expect(page.get_by_role("heading", name="Registrations")).to_be_visible()
    await expect(row(page, "欧阳明远")).to_contain_text("Company: 济南智造")


async def test_many_registrations_come_in_pages_and_the_filter_starts_again_at_the_first(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    event_id = forum(admin, capacity=30)
    organiser = member(admin, organisation_of(admin, event_id), "organiser", "主办方")
    for n in range(1, 22):
        register(base_url, event_id, f"参会者{n:02d}", f"p{n:02d}@example.cn")
    page = await new_page(locale="zh-CN")
    await sign_in(page, base_url, organiser)
    await page.goto(f"{base_url}/console/events/{event_id}")
    await expect(page.get_by_text("第 1 / 2 页，共 21 条")).to_be_visible()
    await expect(row(page, "参会者21")).to_have_count(0)
    await page.get_by_role("button", name="下一页").click()
    await expect(page.get_by_text("第 2 / 2 页，共 21 条")).to_be_visible()
    await expect(row(page, "参会者21")).to_be_visible()
    await page.get_by_label("状态").select_option("pending")
    await expect(page.get_by_text("没有符合条件的报名")).to_be_visible()
    await page.get_by_label("状态").select_option("confirmed")
    await expect(page.get_by_text("第 1 / 2 页，共 21 条")).to_be_visible()


async def test_the_registrations_table_names_the_choices_and_fits_a_laptop_screen(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    event_id = forum(admin, capacity=10, requires_approval=True, publish=False)
    topics = {
        "key": "topics",
        "kind": "multi_choice",
        "label": {"zh": "关注方向"},
        "choices": [{"key": "llm", "label": {"zh": "大模型"}}, {"key": "vision", "label": {"zh": "机器视觉"}}],
    }
    admin.post(f"/events/{event_id}/questions", json=topics).raise_for_status()
    admin.post(f"/events/{event_id}/publish").raise_for_status()
    httpx.post(
        f"{base_url}/api/v1/events/{event_id}/registrations",
        json={
            "privacy_notice_version": 0,
            "email": "wang.wu@example.cn",
            "name": "王五",
            "answers": {"company": "济南人工智能计算中心有限公司", "topics": ["vision", "llm"]},
        },
    ).raise_for_status()
    page = await new_page(locale="zh-CN", viewport={"width": 1280, "height": 800})
    await sign_in(page, base_url, *ADMIN)
    await page.goto(f"{base_url}/console/events/{event_id}")
    answers = row(page, "王五")
    await expect(answers).to_contain_text("机器视觉")  # the choices' labels, not their codes
    await expect(answers).to_contain_text("大模型")
    await expect(answers).not_to_contain_text("vision")
    box = page.get_by_role("region", name="报名列表")
    assert await box.evaluate("box => box.scrollWidth <= box.clientWidth")  # nothing hidden to the right
    await expect(page.get_by_role("button", name="通过 王五 的报名")).to_be_in_viewport()
    await expect(page.get_by_role("button", name="拒绝 王五 的报名")).to_be_in_viewport()
