"""The judging pages in a real browser: a judge declares, scores as they go and submits, and a conflict takes an
entry off their list for good; the organiser sets the rubric, fills the panel, assigns, follows progress, reads
the ranking, advances the top team, puts the ranking on 公示 and publishes; the team sees its place."""

from __future__ import annotations

import asyncio
import re
import secrets
from datetime import UTC, datetime, timedelta

import httpx
from playwright.async_api import Locator, Page, expect

from tests.e2e.support import NewPage, score_everything, seed_judged_competition, sign_in, signed_in

SUGGESTED_KEYS = ("innovation", "technology", "value", "feasibility", "team")


def title() -> str:
    """A title of its own, so that tests sharing the service never read each other's competition."""
    return f"泉城AI创新应用大赛 {secrets.token_hex(3)}"


def queue_of(admin: httpx.Client, email: str) -> list[dict[str, object]]:
    with signed_in(admin, email) as judge:
        answer = judge.get("/judging/queue")
        answer.raise_for_status()
        return list(answer.json())


def section(page: Page, heading: str) -> Locator:
    return page.get_by_role("region", name=heading, exact=True)


async def test_a_judge_declares_scores_as_they_go_and_submits_and_a_conflict_closes_the_entry(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    competition = seed_judged_competition(admin, title(), judges=4)
    admin.post(competition.stage() + "/assignment", json={}).raise_for_status()
    # Four judges, two entries, three judges each: two of the judges have both entries.
    email = next(email for email, _ in competition.judges if len(queue_of(admin, email)) == 2)
    (first_team, _, first_id), (second_team, _, second_id) = competition.teams
    by_team = {item["team_id"]: item["assignment_id"] for item in queue_of(admin, email)}

    page = await new_page(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},  # judges score on their phones
        expected_failures=[
            (422, "/api/v1/judging/assignments/*/sheet/submit"),  # submitted with a criterion unscored
            (422, "/api/v1/judging/assignments/*/declaration"),  # a conflict declared without its reason
        ],
    )
    await sign_in(page, base_url, email)
    await page.goto(base_url + "/me")
    await page.get_by_role("link", name="我的评审").click()
    stage = page.get_by_role("region", name=re.compile("初审"))
    await expect(stage.get_by_text("已提交 0 / 2")).to_be_visible()
    await expect(stage.get_by_role("listitem")).to_have_count(2)
    # Before the declaration the queue names no team.
    await expect(stage.get_by_text(first_team)).to_have_count(0)
    await expect(stage.get_by_text("待声明")).to_have_count(2)

    await page.get_by_role("link", name=f"作品 #{first_id}（声明无利益冲突后显示）").click()
    await expect(page.get_by_role("heading", name="利益冲突声明")).to_be_visible()
    await expect(page.get_by_label("无利益冲突")).to_be_checked()
    await page.get_by_role("button", name="声明无利益冲突并打开作品").click()
    await expect(page.get_by_role("heading", name=first_team, level=1)).to_be_visible()
    plan = page.get_by_role("link", name=f"方案书：{first_team}方案.pdf")
    await expect(plan).to_have_attribute("href", re.compile(r"^/api/v1/submissions/\d+/files/plan$"))
    async with page.expect_download() as download:
        await plan.click()
    assert (await download.value).suggested_filename == f"{first_team}方案.pdf"

    innovation = page.get_by_role("group", name=re.compile("^创新性"))
    await expect(innovation).to_contain_text("（权重 3，0–10 分）")
    await expect(innovation.get_by_role("listitem")).to_have_text("10 分：国内首创")
    await innovation.get_by_role("radio", name="8", exact=True).check()
    await expect(page.get_by_text(re.compile(r"^已保存 \d{2}:\d{2}:\d{2}$"))).to_be_visible()
    # Submitting with 团队 unscored is refused, naming it.
    await page.get_by_role("button", name="提交评分").click()
    await expect(page.get_by_role("alert")).to_have_text("以下评分项尚未打分：团队")

    await page.reload()  # the saved score is the sheet's
    innovation = page.get_by_role("group", name=re.compile("^创新性"))
    await expect(innovation.get_by_role("radio", name="8", exact=True)).to_be_checked()
    await page.get_by_role("group", name=re.compile("^团队")).get_by_role("radio", name="6", exact=True).check()
    await expect(page.get_by_text(re.compile(r"^已保存 "))).to_be_visible()
    await page.get_by_role("button", name="提交评分").click()
    await expect(page.get_by_text("评分已提交。")).to_be_visible()
    await expect(innovation.get_by_role("radio", name="8", exact=True)).to_be_disabled()
    with signed_in(admin, email) as judge:
        assert judge.get(f"/judging/assignments/{by_team[first_id]}").json()["scores"] == {"innovation": 8, "team": 6}

    await page.get_by_role("link", name="返回我的评审").click()
    await expect(stage.get_by_text("已提交 1 / 2")).to_be_visible()
    await expect(stage.get_by_role("listitem").filter(has_text=first_team)).to_contain_text("已提交")

    # The second entry: a conflict, which needs its reason, closes it for good.
    await page.get_by_role("link", name=f"作品 #{second_id}（声明无利益冲突后显示）").click()
    await page.get_by_label("存在利益冲突").check()
    await page.get_by_role("button", name="声明存在利益冲突").click()
    await expect(page.locator("#declare-reason-error")).to_be_visible()
    await page.get_by_label("冲突说明").fill("曾指导该队的项目")
    await page.get_by_role("button", name="声明存在利益冲突").click()
    await expect(page.get_by_role("status")).to_have_text("已登记利益冲突，该作品已从你的评审列表中移除。")
    await page.goto(base_url + "/judging")
    await expect(stage.get_by_text("已提交 1 / 1")).to_be_visible()
    await expect(stage.get_by_role("listitem")).to_have_count(1)
    await page.goto(f"{base_url}/judging/{by_team[second_id]}")
    await expect(page.get_by_role("alert")).to_have_text("该作品不在你的评审列表中（可能已因利益冲突移除）。")
    await expect(page.get_by_text(second_team)).to_have_count(0)


async def test_the_organiser_assigns_ranks_advances_and_puts_the_ranking_on_notice(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    name = title()
    competition = seed_judged_competition(admin, name, judges=3, panel=2, rubric=False)
    (first_team, first_leader, first_id), (second_team, _, second_id) = competition.teams
    stage = f"/api/v1{competition.stage()}"
    page = await new_page(
        locale="zh-CN",
        expected_failures=[
            (409, stage + "/rubric"),  # no rubric yet: the page offers the suggested one
            (409, stage + "/ranking"),  # nor a ranking
            (404, stage + "/results"),  # nothing on notice yet
            (422, stage + "/rubric"),  # a weight of 0
            (409, stage + "/assignment"),  # too few judges on the panel
            (409, stage + "/results/publish"),  # before the notice period is over
        ],
    )
    await sign_in(page, base_url, competition.organiser)
    await page.goto(f"{base_url}/console/events/{competition.event_id}")
    await page.get_by_role("link", name="评审管理").click()
    await expect(page.get_by_role("heading", name=f"评审管理 · {name}")).to_be_visible()

    rubric = section(page, "评分细则")
    first = rubric.get_by_role("group", name="评分项 1")
    await expect(first.get_by_label("名称（中文）")).to_have_value("创新性")
    await first.get_by_label("权重").fill("0")
    await rubric.get_by_role("button", name="保存评分细则").click()
    await expect(first.locator(".field-error")).to_contain_text("权重")
    await first.get_by_label("权重").fill("30")
    await rubric.get_by_role("button", name="保存评分细则").click()
    await expect(rubric.get_by_role("status")).to_have_text("评分细则已保存。")

    # Two judges for three per entry: the assignment is refused, naming an entry.
    assignment = section(page, "分配评委")
    await assignment.get_by_role("button", name="自动分配").click()
    await expect(assignment.get_by_role("alert")).to_contain_text(first_team)
    panel = section(page, "评委名单")
    third_email, _ = competition.judges[2]
    await panel.get_by_label("评委", exact=True).select_option(label=f"评委3（{third_email}）")
    await panel.get_by_label("工业视觉").check()
    await panel.get_by_role("button", name="添加评委").click()
    await expect(panel.get_by_role("status")).to_have_text("已添加评委 评委3。")
    await expect(panel.get_by_role("row")).to_have_count(4)
    await assignment.get_by_role("button", name="自动分配").click()
    await expect(assignment.get_by_role("status")).to_have_text("分配完成：新增 6 项，撤回 0 项。")
    progress = assignment.get_by_role("table", name="评审进度")
    await expect(progress.get_by_role("row")).to_have_count(4)
    await expect(progress.get_by_role("row").filter(has_text="评委1")).to_have_text(re.compile(r"^评委1\s*2\s*0\s*0"))

    score_everything(admin, competition.judges, {first_id: 9, second_id: 6}, SUGGESTED_KEYS)
    await page.reload()
    await expect(progress.get_by_role("row").filter(has_text="评委1")).to_have_text(re.compile(r"^评委1\s*2\s*2\s*2"))
    ranking = page.locator("[data-test^=ranking-]")
    await expect(ranking.get_by_role("row").nth(1)).to_have_text(
        re.compile(f"^1\\s*{first_team}\\s*3\\s*90.00\\s*1.000\\s*—$")
    )
    await expect(ranking.get_by_role("row").nth(2)).to_have_text(
        re.compile(f"^2\\s*{second_team}\\s*3\\s*60.00\\s*-1.000\\s*标准化均分$")
    )
    export = page.get_by_role("link", name="导出评分（XLSX）")
    await expect(export).to_have_attribute("href", f"{stage}/scores.xlsx")

    await page.get_by_label("每个赛道前几名晋级").fill("1")
    await page.get_by_role("button", name="确认晋级").click()
    await expect(page.get_by_text("已有 1 支队伍晋级“决赛”。")).to_be_visible()
    results = section(page, "公示与结果")
    await results.get_by_label("公示天数").fill("7")
    await results.get_by_role("button", name="开始公示").click()
    await expect(results.get_by_role("status")).to_have_text("排名已公示。")
    await expect(results.locator("[data-test=results-state]")).to_contain_text("公示中")
    await results.get_by_role("button", name="发布最终结果").click()
    await expect(results.get_by_role("alert")).to_contain_text("公示")

    with signed_in(admin, first_leader) as leader:
        shown = leader.get(f"{competition.stage()}/results").json()
        assert shown["final"] is False
        assert [(row["rank"], row["team_name"]) for row in shown["ranking"][0]["ranked"]] == [
            (1, first_team),
            (2, second_team),
        ]


async def test_after_the_notice_period_the_organiser_publishes_and_the_team_sees_its_final_place(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    competition = seed_judged_competition(admin, title())
    (first_team, first_leader, first_id), (_, _, second_id) = competition.teams
    admin.post(competition.stage() + "/assignment", json={}).raise_for_status()
    score_everything(admin, competition.judges, {first_id: 5, second_id: 7}, ("innovation", "team"))
    until = datetime.now(UTC) + timedelta(seconds=3)
    admin.post(competition.stage() + "/results/notice", json={"notice_until": until.isoformat()}).raise_for_status()

    page = await new_page(locale="zh-CN")
    await sign_in(page, base_url, competition.organiser)
    await page.goto(f"{base_url}/console/events/{competition.event_id}/judging")
    results = section(page, "公示与结果")
    await expect(results.locator("[data-test=results-state]")).to_contain_text("公示中")
    await asyncio.sleep(max(0.0, (until - datetime.now(UTC)).total_seconds()) + 0.5)
    await results.get_by_role("button", name="发布最终结果").click()
    await expect(results.get_by_role("status")).to_have_text("最终结果已发布，已通知各队。")
    await expect(results.locator("[data-test=results-state]")).to_contain_text("已发布")
    await expect(results.get_by_role("button", name="发布最终结果")).to_have_count(0)

    with signed_in(admin, first_leader) as leader:
        shown = leader.get(f"{competition.stage()}/results").json()
    assert shown["final"] is True
    assert [(row["rank"], row["team_name"]) for row in shown["ranking"][0]["ranked"]][1] == (2, first_team)
