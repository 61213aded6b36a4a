"""A competition from end to end in a browser, each step on the page its person uses: a leader founds a team and
uploads the entry, a judge declares and scores it, the organiser advances the best team and publishes the results
after 公示, and the leader reads the team's place on the competition page."""

from __future__ import annotations

import asyncio
import re
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from playwright.async_api import expect

from tests.e2e.support import NewPage, score_everything, seed_judged_competition, sign_in, signed_up

PDF = b"%PDF-1.7\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 200 + b"%%EOF\n"


async def test_team_submit_judge_advance_and_results(
    base_url: str, admin: httpx.Client, new_page: NewPage, tmp_path: Path
) -> None:
    name = f"泉城AI创新应用大赛 {secrets.token_hex(3)}"
    competition = seed_judged_competition(admin, name, judges=3, teams=("齐鲁智语",))
    (rival, _, rival_id) = competition.teams[0]

    # The leader founds a team and enters a proposal.
    leader_email = signed_up(admin, "韩梅梅", "leader")
    leader = await new_page(locale="zh-CN")
    await sign_in(leader, base_url, leader_email)
    await leader.goto(f"{base_url}/events/{competition.event_id}/competition")
    await leader.get_by_role("button", name="创建团队").click()
    await leader.get_by_label("团队名称").fill("泉城智造队")
    await leader.get_by_label("所在地区").select_option(label="历下区")
    await leader.get_by_role("button", name="创建团队").click()
    await expect(leader.get_by_role("status")).to_have_text("团队“泉城智造队”已创建。")
    first_stage = leader.locator(f"[data-stage='{competition.stage_ids[0]}']")
    await first_stage.get_by_role("link", name="提交作品").click()
    plan = tmp_path / "方案书.pdf"
    plan.write_bytes(PDF)
    await leader.locator("#slot-plan").set_input_files(plan)
    await leader.get_by_role("button", name="上传").click()
    await expect(leader.get_by_role("status")).to_have_text("已上传，生成版本 1。")
    team_id = int(re.findall(r"/teams/(\d+)/", leader.url)[0])

    # The organiser assigns the judges; the first judge scores the new entry on a phone.
    admin.post(competition.stage() + "/assignment", json={}).raise_for_status()
    judge_email, _ = competition.judges[0]
    judge = await new_page(locale="zh-CN", viewport={"width": 390, "height": 844})
    await sign_in(judge, base_url, judge_email)
    await judge.goto(base_url + "/judging")
    await judge.get_by_role("link", name=f"作品 #{team_id}（声明无利益冲突后显示）").click()
    await judge.get_by_role("button", name="声明无利益冲突并打开作品").click()
    await expect(judge.get_by_role("heading", name="泉城智造队", level=1)).to_be_visible()
    for criterion in ("创新性", "团队"):
        group = judge.get_by_role("group", name=re.compile(f"^{criterion}"))
        await group.get_by_role("radio", name="9", exact=True).check()
        await expect(judge.get_by_text(re.compile(r"^已保存 "))).to_be_visible()
    await judge.get_by_role("button", name="提交评分").click()
    await expect(judge.get_by_text("评分已提交。")).to_be_visible()
    score_everything(admin, competition.judges, {team_id: 9, rival_id: 6}, ("innovation", "team"))

    # The organiser reads the ranking, advances the top team, and publishes after the notice period.
    stage = f"/api/v1{competition.stage()}"
    organiser = await new_page(locale="zh-CN", expected_failures=[(404, stage + "/results")])  # none before 公示
    await sign_in(organiser, base_url, competition.organiser)
    await organiser.goto(f"{base_url}/console/events/{competition.event_id}/judging")
    ranking = organiser.locator("[data-test^=ranking-]")
    await expect(ranking.get_by_role("row").nth(1)).to_contain_text("泉城智造队")
    await organiser.get_by_label("每个赛道前几名晋级").fill("1")
    await organiser.get_by_role("button", name="确认晋级").click()
    await expect(organiser.get_by_text("已有 1 支队伍晋级“决赛”。")).to_be_visible()
    until = datetime.now(UTC) + timedelta(seconds=3)
    admin.post(competition.stage() + "/results/notice", json={"notice_until": until.isoformat()}).raise_for_status()

    await leader.goto(f"{base_url}/events/{competition.event_id}/competition")
    results = leader.get_by_role("region", name="初审结果")
    await expect(results.locator("[data-test=results-state]")).to_contain_text("公示中")

    await asyncio.sleep(max(0.0, (until - datetime.now(UTC)).total_seconds()) + 0.5)
    await organiser.reload()
    published = organiser.get_by_role("region", name="公示与结果", exact=True)
    await published.get_by_role("button", name="发布最终结果").click()
    await expect(published.get_by_role("status")).to_have_text("最终结果已发布，已通知各队。")

    await leader.reload()
    await expect(results.locator("[data-test=results-state]")).to_have_text("最终结果。")
    rows = results.get_by_role("row")
    await expect(rows.nth(1)).to_have_text(re.compile(r"^1\s*泉城智造队\s*90\.00$"))
    await expect(rows.nth(2)).to_have_text(re.compile(f"^2\\s*{rival}\\s*60\\.00$"))
