"""The talent-reporting pages in a real browser: a base's reporter fills in, fixes and submits a report with the
server's rules shown as they type; the bureau returns it, then approves it, and reads the dashboard."""

from __future__ import annotations

import os
import re
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import expect

from tests.e2e.support import ADMIN, PASSWORD, NewPage, base_with_reporter, open_period, open_programme, sign_in
from tests.talent.support import edited

SHOTS = Path(os.environ.get("QUANCHENG_SCREENSHOTS", "/tmp"))


async def test_a_report_goes_from_a_base_through_review_to_the_dashboard(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    period = open_period(admin)
    base_name = f"济南人工智能实训基地 {secrets.token_hex(3)}"
    base_id, email = base_with_reporter(admin, base_name, "lixia")
    year = period[:4]
    programme_id = open_programme(admin, base_id, year)
    report_url = f"/talent/reports/{base_id}/{period}/{programme_id}"
    target = {"year": int(year), "occupation": "4-04-05-05", "base_id": base_id, "metric": "enrolled", "value": 40}
    admin.post("/talent/targets", json=target).raise_for_status()

    page = await new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    await sign_in(page, base_url, email)
    await page.get_by_role("link", name="人才报表").click()
    await expect(page.get_by_role("heading", name=base_name)).to_be_visible()
    await expect(page.get_by_role("link", name="下载本期 Excel 模板")).to_be_visible()
    await expect(page.locator(".talent-reports li")).to_contain_text("未填报")
    await page.get_by_role("link", name="数据标注秋季班 · 人工智能训练师").click()

    await page.get_by_label("新增学员（男）").fill("3")
    await page.get_by_label("结业人数").fill("2")
    await page.get_by_label("流失人数").fill("5")
    error = page.locator("#r-dropped + .field-error")  # next to the field the rule names, before any save
    await expect(error).to_have_text("期末在训人数为 -4，不能为负：期初 + 新增 − 结业 − 流失须 ≥ 0")
    await expect(page.locator("#r-closing")).to_have_text("-4")
    await expect(page.get_by_role("button", name="提交审核")).to_be_disabled()
    await expect(page.get_by_role("button", name="提交审核")).to_have_css("opacity", "0.5")  # and looks it
    await expect(page.get_by_text("还没有修改记录")).to_be_visible()  # nothing was saved
    await page.get_by_label("流失人数").fill("0")
    await expect(error).to_have_count(0)
    await expect(page.locator("#r-closing")).to_have_text("1")
    warnings = page.get_by_role("region", name="提醒（不影响提交）")
    await expect(warnings).to_contain_text("本期新增 3 人，但培训课时为 0")
    await page.get_by_role("button", name="保存草稿").click()
    await expect(page.get_by_role("status").filter(has_text="草稿已保存")).to_be_visible()
    await page.get_by_role("button", name="提交审核").click()
    await expect(page.get_by_role("status").filter(has_text="已提交审核")).to_be_visible()
    await expect(page.locator("[data-test=read-only]")).to_have_text("本报表已提交，正在等待主管部门审核。")
    await expect(page.get_by_label("结业人数")).to_be_disabled()

    no_comment = (422, "/api/v1/talent/reports/*/*/*/return")  # returned without a comment: the field says so
    bureau = await new_page(locale="zh-CN", expected_failures=[no_comment])
    await sign_in(bureau, base_url, *ADMIN)
    await bureau.get_by_role("link", name="人才报表").click()
    await bureau.get_by_role("link", name="待审核报表").click()
    await bureau.get_by_role("link", name=f"{base_name} · {period} · 数据标注秋季班").click()
    await expect(bureau.locator("#r-new_male")).to_have_value("3")
    await expect(bureau.get_by_role("region", name="提醒（不影响提交）")).to_contain_text("培训课时为 0")
    await bureau.get_by_role("button", name="退回").click()
    await expect(bureau.locator("#r-comment + .field-error")).to_have_text("至少需要 1 个字符")
    await bureau.get_by_label("退回意见（退回时必填）").fill("请补填培训课时")
    await bureau.get_by_role("button", name="退回").click()
    await expect(bureau.get_by_role("status").filter(has_text="已退回")).to_be_visible()

    await page.reload()
    await expect(page.locator("[data-test=comment]")).to_have_text("请补填培训课时")
    history = page.get_by_role("region", name="修改记录")
    await expect(history).to_contain_text("新增学员（男）：0 → 3")
    await expect(history).to_contain_text("状态：已提交 → 已退回")
    await expect(history).to_contain_text("退回意见：请补填培训课时")
    await page.screenshot(path=str(SHOTS / "talent-returned.png"), full_page=True)
    await page.get_by_label("培训课时").fill("96")
    await expect(page.get_by_role("region", name="提醒（不影响提交）")).to_have_count(0)
    await page.get_by_role("button", name="提交审核").click()
    await expect(page.get_by_role("status").filter(has_text="已提交审核")).to_be_visible()

    await bureau.reload()
    await bureau.get_by_role("button", name="批准").click()
    await expect(bureau.get_by_role("status").filter(has_text="已批准")).to_be_visible()
    await page.reload()
    await expect(page.locator("[data-test=read-only]")).to_have_text("本报表已通过审核并锁定，不能再修改。")
    await expect(page.get_by_label("培训课时")).to_be_disabled()
    await expect(page.get_by_role("button", name="提交审核")).to_have_count(0)

    await bureau.goto(base_url + "/talent/dashboard")
    await bureau.get_by_label("报告期", exact=True).select_option(period)
    row = bureau.locator("[data-test=completeness] tbody tr", has_text=base_name)
    await expect(row.locator("td")).to_have_text(["历下区", "1", "1", "1", "0", "0", "0", "3", "2"])
    await expect(bureau.locator(".talent-chart-box svg").first).to_be_visible()
    by_region = bureau.get_by_role("figure", name="按区域汇总")
    await expect(by_region.get_by_role("img", name=re.compile("^按区域汇总：.*历下区 新增 \\d+"))).to_be_visible()
    targets = bureau.get_by_role("figure", name="目标完成进度")
    await targets.get_by_role("button", name="以表格显示").click()
    await expect(targets.locator("tr", has_text=base_name).locator("td")).to_have_text(["40", "3"])
    await bureau.screenshot(path=str(SHOTS / "talent-dashboard.png"), full_page=True)

    other_id, other_email = base_with_reporter(admin, f"市中区实训基地 {secrets.token_hex(3)}", "shizhong")
    assert other_id != base_id
    stranger = await new_page(locale="zh-CN", expected_failures=[(403, "/api/v1/talent/reports/*/*/*")])
    await sign_in(stranger, base_url, other_email)
    await stranger.goto(base_url + report_url)
    await expect(stranger.get_by_role("alert")).to_have_text("您没有执行此操作的权限。")


async def test_a_base_checks_its_spreadsheet_before_it_is_applied(
    base_url: str, admin: httpx.Client, new_page: NewPage, tmp_path: Path
) -> None:
    period = open_period(admin)
    base_name = f"天桥区实训基地 {secrets.token_hex(3)}"
    base_id, email = base_with_reporter(admin, base_name, "tianqiao")
    open_programme(admin, base_id, period[:4])
    template = admin.get(f"/talent/sheets/{base_id}/{period}")
    template.raise_for_status()
    (tmp_path / "bad.xlsx").write_bytes(edited(template.content, {(3, "D"): -5}))
    (tmp_path / "good.xlsx").write_bytes(edited(template.content, {(3, "D"): 12, (3, "J"): 80}))

    saved_after_submitting = (409, "/api/v1/talent/reports/*/*/*")  # the form keeps what was typed and says why
    page = await new_page(locale="zh-CN", expected_failures=[saved_after_submitting])
    await sign_in(page, base_url, email)
    await page.get_by_role("link", name="人才报表").click()
    upload = page.get_by_label("上传填好的表格（.xlsx）")
    await upload.set_input_files(tmp_path / "bad.xlsx")
    await page.get_by_role("button", name="检查表格（不保存）").click()
    await expect(page.get_by_text("表格有问题，未导入任何数据：")).to_be_visible()
    await expect(page.locator(".talent-sheet tbody tr td")).to_have_text(["3", "D", "应不小于 0"])
    await expect(page.get_by_role("button", name="导入（写入全部行）")).to_have_count(0)
    await upload.set_input_files(tmp_path / "good.xlsx")
    await page.get_by_role("button", name="检查表格（不保存）").click()
    await expect(page.get_by_text("1 行均无问题，可以导入。")).to_be_visible()
    await page.screenshot(path=str(SHOTS / "talent-home.png"), full_page=True)
    await page.get_by_role("button", name="导入（写入全部行）").click()
    await expect(page.get_by_role("status").filter(has_text="已导入 1 行")).to_be_visible()
    await expect(page.locator(".talent-reports li")).to_contain_text("草稿")
    await page.get_by_role("link", name="数据标注秋季班 · 人工智能训练师").click()
    await expect(page.get_by_label("新增学员（男）")).to_have_value("12")
    await expect(page.get_by_label("培训课时")).to_have_value("80")

    # Submitted meanwhile from elsewhere (another tab, an API client): the form's save is refused, and says why.
    login = httpx.post(str(admin.base_url.join("auth/login")), json={"email": email, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    submit = admin.base_url.join("talent/" + page.url.split("/talent/", 1)[1] + "/submit")
    httpx.post(str(submit), headers=headers).raise_for_status()
    await page.get_by_label("培训课时").fill("90")
    await page.get_by_role("button", name="保存草稿").click()
    await expect(page.get_by_role("alert")).to_have_text(
        "该报表已提交，正在等待主管部门审核，审核前不能修改；如需修改请联系主管部门退回。"
    )
    await expect(page.get_by_label("培训课时")).to_have_value("90")  # what was typed stays
    await page.get_by_role("button", name="English").click()
    await expect(page.get_by_role("heading", name=f"Training report {page.url.split('/')[-2]}")).to_be_visible()
    await expect(page.get_by_label("Training hours")).to_be_disabled()
    await expect(page.get_by_text("This report is submitted and awaits the bureau's review.")).to_be_visible()


async def test_a_locked_period_is_found_under_earlier_periods_reads_only_and_an_exception_reopens_it(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    locked = admin.post("/talent/periods", json={"id": "2025-06", "due_days": 5, "lock_days": 10})
    assert locked.status_code in (201, 422), locked.text  # ended 2025-06-30, locked since 2025-07-10
    base_id, email = base_with_reporter(admin, f"槐荫区实训基地 {secrets.token_hex(3)}", "huaiyin")
    programme_id = open_programme(admin, base_id, "2025")
    page = await new_page(locale="zh-CN")
    await sign_in(page, base_url, email)
    await page.goto(f"{base_url}/talent")
    await page.get_by_text("往期报表").click()  # the locked periods, under their own heading
    await page.get_by_role("heading", name="报告期 2025-06").locator("..").get_by_role("link").click()
    await expect(page).to_have_url(f"{base_url}/talent/reports/{base_id}/2025-06/{programme_id}")
    await expect(page.locator("[data-test=read-only]")).to_have_text(
        "报告期已于 2025-07-10 锁定，不能再修改；如需补报，请联系主管部门。"
    )
    await expect(page.get_by_label("新增学员（男）")).to_be_disabled()
    await expect(page.get_by_role("button", name="保存草稿")).to_have_count(0)
    granted = admin.post(
        "/talent/periods/2025-06/exceptions",
        json={"base_id": base_id, "until": "2099-01-01T00:00:00+08:00", "reason": "系统故障补报"},
    )
    assert granted.status_code == 201, granted.text
    await page.reload()  # the exception reopens this base's report
    await expect(page.get_by_label("新增学员（男）")).to_be_enabled()
    await expect(page.get_by_role("button", name="保存草稿")).to_be_visible()
    await page.goto(f"{base_url}/talent/nothing-here")
    await expect(page.get_by_role("alert")).to_contain_text("没有这个页面。")


async def test_an_approved_late_report_reads_as_one_phrase_on_the_base_home(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    last_month = (datetime.now(ZoneInfo("Asia/Shanghai")).replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    opened = admin.post("/talent/periods", json={"id": last_month, "due_days": 0, "lock_days": 120})
    assert opened.status_code in (201, 422), opened.text  # due at the month's end, still open for months
    base_id, email = base_with_reporter(admin, f"天桥区实训基地 {secrets.token_hex(3)}", "tianqiao")
    programme_id = open_programme(admin, base_id, last_month[:4])
    report = f"/talent/reports/{base_id}/{last_month}/{programme_id}"
    values = {"new_male": 2, "new_female": 1, "completed": 0, "dropped": 0, "training_hours": 40}
    admin.put(report, json=values).raise_for_status()
    admin.post(report + "/submit").raise_for_status()  # after the due day: late
    admin.post(report + "/approve").raise_for_status()
    page = await new_page(locale="zh-CN")
    await sign_in(page, base_url, email)
    await page.goto(f"{base_url}/talent")
    section = page.locator(".talent-period", has=page.get_by_role("heading", name=f"报告期 {last_month}"))
    await expect(section.locator(".talent-reports .badge")).to_have_text(["逾期提交，已通过"])


# Every text of each chart (axis labels, legend): those that overlap another, and those outside the chart's box.
CHART_TEXT_PROBLEMS = """() => [...document.querySelectorAll(".talent-chart-box")].flatMap((box, n) => {
  const edge = box.getBoundingClientRect();
  const texts = [...box.querySelectorAll("svg text")].map((text) => [text.textContent, text.getBoundingClientRect()])
    .filter(([label, r]) => label.trim() && r.width > 0);
  const problems = [];
  texts.forEach(([label, r], i) => {
    if (r.left < edge.left - 1 || r.right > edge.right + 1 || r.top < edge.top - 1 || r.bottom > edge.bottom + 1)
      problems.push(`chart ${n}: "${label}" is cut off`);
    for (const [other, s] of texts.slice(i + 1))
      if (r.left < s.right - 1 && s.left < r.right - 1 && r.top < s.bottom - 1 && s.top < r.bottom - 1)
        problems.push(`chart ${n}: "${label}" overlaps "${other}"`);
  });
  return problems;
})"""


@pytest.mark.parametrize("width", [375, 1280])
async def test_chart_labels_neither_overlap_nor_are_cut_off(
    base_url: str, admin: httpx.Client, new_page: NewPage, width: int
) -> None:
    period = open_period(admin)
    year = int(period[:4])
    for region in ("licheng", "zhangqiu", "pingyin"):
        base_id, _ = base_with_reporter(admin, f"长名称的人工智能训练实训基地 {secrets.token_hex(3)}", region)
        programme_id = open_programme(admin, base_id, str(year))
        levels = {level: {"assessed": 3, "certified": 2} for level in ("1", "2", "3", "4", "5")}
        values = {"new_male": 5, "completed": 2, "training_hours": 40, "levels": levels}
        report = f"/talent/reports/{base_id}/{period}/{programme_id}"
        admin.put(report, json=values).raise_for_status()
        admin.post(report + "/submit").raise_for_status()
        for level in ("3", "4", "5"):
            target = {"year": year, "occupation": "4-04-05-05", "base_id": base_id, "metric": "certified"}
            admin.post("/talent/targets", json={**target, "level": level, "value": 30}).raise_for_status()
    page = await new_page(viewport={"width": width, "height": 900}, locale="zh-CN")
    await sign_in(page, base_url, *ADMIN)
    await page.goto(base_url + "/talent/dashboard")
    targets = page.get_by_role("figure", name="目标完成进度")
    await expect(targets.locator("svg text").first).to_be_visible()
    await page.wait_for_timeout(500)  # ECharts animates the bars in; the labels stand from the first frame
    assert await page.evaluate(CHART_TEXT_PROBLEMS) == []
    await targets.screenshot(path=str(SHOTS / f"talent-targets-{width}.png"))
