"""The bureau's plan pages in a real browser: programmes and their training events, reporting periods and lock
exceptions, targets, and the evidence cross-check; each with its main path and a refusal shown by its field."""

from __future__ import annotations

import secrets

import httpx
from playwright.async_api import Locator, Page, expect

from tests.e2e.support import (
    ADMIN,
    NewPage,
    base_with_reporter,
    member,
    open_period,
    reported_with_evidence,
    seed_forum,
    sign_in,
)


def error_of(page: Page, field_id: str) -> Locator:
    """The message shown under an input, the one its aria-describedby names."""
    return page.locator(f"#{field_id}-error")


async def test_the_bureau_opens_a_programme_and_links_its_training_events(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    base_name = f"历下区人工智能实训基地 {secrets.token_hex(3)}"
    base_id, _ = base_with_reporter(admin, base_name, "lixia")
    title = f"数据标注实操课 {secrets.token_hex(3)}"
    event_id = seed_forum(admin, kind="training", title={"zh": title}, capacity=30)
    cohort = f"标注冬季班 {secrets.token_hex(2)}"

    page = await new_page(locale="zh-CN", expected_failures=[(422, "/api/v1/talent/programmes")])
    await sign_in(page, base_url, *ADMIN)
    await page.get_by_role("link", name="人才报表").click()
    await page.get_by_role("link", name="培训项目").first.click()
    await expect(page.get_by_role("heading", name="开设培训项目")).to_be_visible()
    await page.get_by_label("培训基地").select_option(label=base_name)
    await page.get_by_label("职业").select_option("4-04-05-05")
    await page.get_by_label("培养等级").select_option("4")
    await page.get_by_label("班次名称").fill(cohort)
    await page.get_by_label("计划人数").fill("30")
    await page.get_by_label("开始日期").fill("2026-12-01")
    await page.get_by_label("结束日期").fill("2026-11-01")
    await page.get_by_role("button", name="开设项目").click()
    await expect(error_of(page, "p-ends_on")).to_have_text("结束时间须晚于开始时间")  # under the end date
    await expect(page.get_by_label("结束日期")).to_have_attribute("aria-describedby", "p-ends_on-error")
    await page.get_by_label("结束日期").fill("2027-03-31")
    await page.get_by_role("button", name="开设项目").click()
    await expect(page.get_by_role("status")).to_have_text(f"已开设项目 {cohort}")
    await expect(error_of(page, "p-ends_on")).to_have_count(0)
    row = page.locator("[data-test=programmes] tbody tr", has_text=cohort)
    cells = [base_name, "人工智能训练师", "四级/中级工", "2026-12-01 – 2027-03-31", "30", "关联活动（0）"]
    await expect(row.locator("td")).to_have_text(cells)

    await row.get_by_role("button", name=f"关联活动（0）：{cohort}").click()
    links = page.get_by_role("group", name=f"{cohort} 的培训活动")
    await links.get_by_label(title).check()
    await page.get_by_role("button", name="保存关联").click()
    await expect(page.get_by_role("status").filter(has_text="已保存")).to_have_text("已保存，关联 1 个培训活动")
    await expect(row.get_by_role("button")).to_have_text("关联活动（1）")
    programmes = admin.get("/talent/programmes", params={"base_id": base_id}).json()
    assert [p["event_ids"] for p in programmes if p["cohort"] == cohort] == [[event_id]]


async def test_a_manager_sees_only_their_bases_and_the_page_in_english(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    base_name = f"章丘区实训基地 {secrets.token_hex(3)}"
    base_id, _ = base_with_reporter(admin, base_name, "zhangqiu")
    manager = member(admin, base_id, "manager", "基地主任")
    page = await new_page(locale="zh-CN")
    await sign_in(page, base_url, manager)
    await page.goto(base_url + "/talent")
    await page.get_by_role("link", name="培训项目").click()
    await expect(page.get_by_label("培训基地").locator("option")).to_have_text(["请选择", base_name])
    await expect(page.get_by_label("培训基地")).to_have_value(str(base_id))  # their only base, chosen for them
    await page.get_by_role("button", name="English").click()
    await expect(page.get_by_role("heading", name="Open a training programme")).to_be_visible()
    await expect(page.get_by_label("Planned size")).to_be_visible()


async def test_the_bureau_opens_a_period_and_grants_a_lock_exception(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    taken = open_period(admin)
    base_name = f"天桥区实训基地 {secrets.token_hex(3)}"
    base_id, _ = base_with_reporter(admin, base_name, "tianqiao")
    fresh = f"{2100 + secrets.randbelow(800)}Q{1 + secrets.randbelow(4)}"

    page = await new_page(
        locale="zh-CN",
        expected_failures=[(422, "/api/v1/talent/periods"), (422, "/api/v1/talent/periods/*/exceptions")],
    )
    await sign_in(page, base_url, *ADMIN)
    await page.goto(base_url + "/talent/periods")
    await page.get_by_label("报告期（月 2026-03 或季度 2026Q1）").fill(taken)
    await page.get_by_role("button", name="开放报告期").click()
    await expect(error_of(page, "o-id")).to_have_text("该报告期已存在")
    await page.get_by_label("报告期（月 2026-03 或季度 2026Q1）").fill(fresh)
    await page.get_by_label("期末后几天截止报送").fill("20")
    await page.get_by_label("期末后几天锁定").fill("5")
    await page.get_by_role("button", name="开放报告期").click()
    await expect(error_of(page, "o-lock_days")).to_have_text("锁定日期不能早于截止日期")
    await expect(error_of(page, "o-id")).to_have_count(0)
    await page.get_by_label("期末后几天锁定").fill("30")
    await page.get_by_role("button", name="开放报告期").click()
    await expect(page.get_by_role("status")).to_contain_text(f"已开放报告期 {fresh}")
    row = page.locator("[data-test=periods] tbody tr", has_text=fresh)
    await expect(row.locator("td").last).to_have_text("开放")

    exception = page.locator("form", has=page.get_by_role("heading", name="锁定例外（准许补报）"))
    await exception.get_by_label("报告期").select_option(fresh)
    await exception.get_by_label("培训基地").select_option(label=base_name)
    await exception.get_by_label("补报截止（北京时间）").fill("2099-01-01T18:00")
    await exception.get_by_role("button", name="准许补报").click()
    await expect(error_of(page, "x-reason")).to_have_text("至少需要 1 个字符")
    await exception.get_by_label("理由").fill("系统故障补报")
    await exception.get_by_role("button", name="准许补报").click()
    await expect(exception.get_by_role("status")).to_have_text(f"已准许 {base_name} 补报 {fresh}")


async def test_the_bureau_sets_a_target_and_reads_its_progress(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    base_name = f"槐荫区实训基地 {secrets.token_hex(3)}"
    base_with_reporter(admin, base_name, "huaiyin")
    page = await new_page(locale="zh-CN", expected_failures=[(422, "/api/v1/talent/targets")])
    await sign_in(page, base_url, *ADMIN)
    await page.goto(base_url + "/talent/targets")
    form = page.locator("form", has=page.get_by_role("heading", name="设定年度目标"))
    await form.get_by_label("年度").fill("2031")
    await form.get_by_label("培训基地").select_option(label=base_name)
    await form.get_by_label("职业").select_option("4-04-05-05")
    await form.get_by_label("等级（仅“取证”指标可选）").select_option("4")
    await form.get_by_label("指标", exact=True).select_option("enrolled")
    await form.get_by_label("目标", exact=True).fill("50")
    await form.get_by_role("button", name="添加目标").click()
    await expect(error_of(page, "g-level")).to_contain_text("只有“取证”指标可以按等级设定目标")
    await form.get_by_label("指标", exact=True).select_option("certified")
    await form.get_by_role("button", name="添加目标").click()
    await expect(form.get_by_role("status")).to_have_text("已添加目标")
    row = page.locator("[data-test=targets] tbody tr", has_text=base_name)
    await expect(row.locator("td")).to_have_text([base_name, "人工智能训练师", "四级/中级工", "取证", "50", "0", "0%"])


async def test_the_evidence_page_flags_a_report_that_claims_more_than_its_events_show(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    base_name = f"历城区实训基地 {secrets.token_hex(3)}"
    period, _ = reported_with_evidence(admin, base_name, "licheng", new_trainees=4)

    page = await new_page(locale="zh-CN", expected_failures=[(404, "/api/v1/talent/evidence")])
    await sign_in(page, base_url, *ADMIN)
    await page.goto(f"{base_url}/talent/evidence?period={period}")
    row = page.locator("[data-test=evidence] tbody tr", has_text=base_name)
    await expect(row.locator("td")).to_have_text([base_name, "4", "0", "0", "0", "新增学员多于报名人数"])
    await expect(page.get_by_label("报告期")).to_have_value(period)
    await page.goto(f"{base_url}/talent/evidence?period=1999-01")  # a period nobody opened: said so, no table
    await expect(page.get_by_role("alert")).to_have_text("所请求的内容不存在或您无权查看。")
    await expect(page.locator("[data-test=evidence]")).to_have_count(0)
