"""The participants' competition pages in a browser: founding a team, inviting a colleague who accepts through the
mailed link, uploading an entry with its progress and hash, the server's refusals, and the page after a deadline."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from playwright.async_api import expect

from tests.e2e.support import (
    NewPage,
    company_member,
    mailed_link,
    published_entry,
    seed_competition,
    sign_in,
    signed_up,
)
from tests.matchmaking.support import NEED

PDF = b"%PDF-1.7\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 2000 + b"%%EOF\n"
UPLOAD = "/api/v1/teams/*/stages/*/files/plan"


async def test_a_team_is_founded_joined_by_invitation_and_submits_until_the_deadline(
    base_url: str, admin: httpx.Client, data_dir: Path, new_page: NewPage, tmp_path: Path
) -> None:
    seeded = seed_competition(admin)
    leader_email = signed_up(admin, "韩梅梅", "leader")
    colleague_email = signed_up(admin, "李雷", "colleague")
    refusals = [
        (422, "/api/v1/competitions/*/teams"),
        (422, "/api/v1/teams/*/invites"),
        (422, UPLOAD),
        (413, UPLOAD),
        (409, UPLOAD),
    ]
    leader = await new_page(locale="zh-CN", expected_failures=refusals)
    await sign_in(leader, base_url, leader_email)

    await leader.goto(f"{base_url}/events/{seeded.event_id}")
    await leader.get_by_role("link", name="大赛页面：赛道、阶段与组队").click()
    deadlines = leader.get_by_role("link", name="将各阶段截止时间加入日历")
    await expect(deadlines).to_have_attribute("href", f"/api/v1/events/{seeded.event_id}/calendar.ics")
    first_stage = leader.locator(f"[data-stage='{seeded.stage_ids[0]}']")
    await expect(first_stage.locator("[data-test=countdown]")).to_have_text(re.compile(r"^距截止 (20天|19天23小时)"))
    await expect(leader.locator(f"[data-stage='{seeded.stage_ids[1]}'] [data-test=countdown]")).to_contain_text(
        "距开始"
    )
    await expect(leader.get_by_text("每队 1–3 人")).to_be_visible()

    await leader.get_by_role("button", name="创建团队").click()
    await leader.get_by_role("button", name="创建团队").click()  # the form's own button, nothing filled in
    await expect(leader.get_by_label("团队名称")).to_be_focused()
    await expect(leader.locator("#t-name-error")).to_be_visible()
    await leader.get_by_label("团队名称").fill("泉城智造队")
    await leader.get_by_label("所在地区").select_option(label="历下区")
    await leader.get_by_role("button", name="创建团队").click()
    await expect(leader.get_by_role("status")).to_have_text("团队“泉城智造队”已创建。")
    team = leader.locator("[data-test=team]")
    await expect(team.locator("[data-test=team-status]")).to_have_text("已生效")

    await leader.get_by_label("邀请成员（邮箱）").fill("not an address")
    await leader.get_by_role("button", name="发送邀请").click()
    await expect(leader.locator("#team-email-error")).to_be_visible()
    await leader.get_by_label("邀请成员（邮箱）").fill(colleague_email)
    await leader.get_by_role("button", name="发送邀请").click()
    await expect(leader.get_by_role("status")).to_have_text(f"邀请已发往 {colleague_email}。")
    await expect(team.locator("[data-test=invites]")).to_contain_text(colleague_email)

    link = mailed_link(data_dir, "team_invitation", colleague_email)
    assert link.startswith(f"{base_url}/events/{seeded.event_id}/competition?invite=")
    colleague = await new_page(locale="zh-CN")
    await sign_in(colleague, base_url, colleague_email)
    await colleague.goto(link)
    await colleague.get_by_role("button", name="接受邀请").click()
    await expect(colleague.get_by_role("status")).to_have_text("您已加入团队“泉城智造队”。")
    await expect(colleague.locator("[data-test=members]")).to_have_text(re.compile(r"韩梅梅（队长）\s*李雷"))
    await leader.reload()
    await expect(leader.locator("[data-test=invites]")).to_have_count(0)  # accepted, no longer pending
    await expect(leader.locator("[data-test=members]")).to_contain_text("李雷")

    await leader.goto(f"{base_url}/me")
    await leader.get_by_role("link", name="泉城AI创新应用大赛").click()
    await first_stage.get_by_role("link", name="提交作品").click()
    await expect(leader.get_by_role("heading", name="作品提交：方案提交")).to_be_visible()
    await leader.get_by_label("项目简介").fill("钢材表面缺陷检测")  # the answers first: a draft, the file to come
    await leader.get_by_role("button", name="保存为新版本").click()
    await expect(leader.get_by_role("status")).to_have_text("已保存，生成版本 1。 未完成：缺少文件“方案书”")
    draft = leader.locator("[data-version='1']")
    await expect(draft.locator("[data-test=incomplete]")).to_have_text("未完成：缺少文件“方案书”")
    await expect(draft.locator("[data-test=counting]")).to_have_count(0)
    await expect(leader.locator("[data-test=none-counting]")).to_contain_text("尚无计入评审的版本")

    plan = tmp_path / "方案书.pdf"
    plan.write_bytes(PDF)
    await leader.locator("#slot-plan").set_input_files(plan)
    await leader.get_by_role("button", name="上传").click()
    await expect(leader.locator("[data-test=percent]")).to_have_text("100%")
    await expect(leader.get_by_role("status")).to_have_text("已上传，生成版本 2。")
    await expect(leader.locator("[data-test=none-counting]")).to_have_count(0)
    version = leader.locator("[data-version='2']")
    await expect(version.locator("[data-test=incomplete]")).to_have_count(0)
    await expect(version.locator("dd")).to_have_text("钢材表面缺陷检测")  # the answers carried over
    await expect(version.locator("[data-test=sha256]")).to_have_text(hashlib.sha256(PDF).hexdigest())
    await expect(version.locator("[data-test=counting]")).to_have_text("计入评审")
    await expect(version.get_by_role("link", name="方案书.pdf")).to_be_visible()
    await expect(version.locator("[data-test=size]")).to_have_text(f"（{len(PDF) / 1024:.1f} KB）")

    notes = tmp_path / "notes.txt"
    notes.write_text("不是 PDF")
    await leader.locator("#slot-plan").set_input_files(notes)
    await leader.get_by_role("button", name="上传").click()
    await expect(leader.locator("#slot-plan-error")).to_have_text("不接受此文件类型：此处接受：.pdf。")

    too_large = tmp_path / "大文件.pdf"
    too_large.write_bytes(b"%PDF-1.7\n" + b"0" * (1024 * 1024))  # the slot takes at most 1 MB
    await leader.locator("#slot-plan").set_input_files(too_large)
    await leader.get_by_role("button", name="上传").click()
    await expect(leader.locator("#slot-plan-error")).to_have_text("文件过大：文件不能超过 1048576 字节。")

    await leader.get_by_label("项目简介").fill("基于视觉的钢材表面缺陷检测")
    await leader.get_by_role("button", name="保存为新版本").click()
    await expect(leader.get_by_role("status")).to_have_text("已保存，生成版本 3。")
    await expect(leader.locator("[data-version='3'] [data-test=counting]")).to_be_visible()
    await expect(leader.locator("[data-version='3']")).to_contain_text(hashlib.sha256(PDF).hexdigest())  # carried over

    past = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    moved = admin.post(
        f"/events/{seeded.event_id}/competition/stages/{seeded.stage_ids[0]}/deadline",
        json={"deadline": past.isoformat(), "reason": "测试：截止时间提前"},
    )
    moved.raise_for_status()
    deadline_local = moved.json()["deadline_local"]
    await leader.reload()
    await expect(leader.locator("[data-test=countdown]")).to_have_text("已截止")
    await leader.locator("#slot-plan").set_input_files(plan)
    await leader.get_by_role("button", name="上传").click()
    await expect(leader.locator("#slot-plan-error")).to_contain_text(f"已过截止时间：{deadline_local}")
    await expect(leader.locator("[data-version]")).to_have_count(3)  # nothing new was recorded


async def test_a_team_awaiting_approval_hands_the_lead_over_and_withdraws(
    base_url: str, admin: httpx.Client, data_dir: Path, new_page: NewPage
) -> None:
    seeded = seed_competition(admin, requires_approval=True)
    leader_email = signed_up(admin, "韩梅梅", "leader")
    colleague_email = signed_up(admin, "李雷", "colleague")
    leader = await new_page(locale="zh-CN")
    await sign_in(leader, base_url, leader_email)
    await leader.goto(f"{base_url}/events/{seeded.event_id}/competition")
    await expect(leader.get_by_text("团队须经组织方审核后生效")).to_be_visible()
    await leader.get_by_role("button", name="创建团队").click()
    await leader.get_by_label("团队名称").fill("济南视觉队")
    await leader.get_by_label("所在地区").select_option(label="历下区")
    await leader.get_by_role("button", name="创建团队").click()
    await expect(leader.locator("[data-test=team-status]")).to_have_text("待审核")
    await expect(leader.get_by_text("团队正等待组织方审核，审核通过后方可提交作品。")).to_be_visible()
    await leader.get_by_label("邀请成员（邮箱）").fill(colleague_email)
    await leader.get_by_role("button", name="发送邀请").click()
    await expect(leader.get_by_role("status")).to_have_text(f"邀请已发往 {colleague_email}。")

    colleague = await new_page(locale="zh-CN")
    await sign_in(colleague, base_url, colleague_email)
    await colleague.goto(mailed_link(data_dir, "team_invitation", colleague_email))
    await colleague.get_by_role("button", name="接受邀请").click()
    await expect(colleague.get_by_label("邀请成员（邮箱）")).to_have_count(0)  # a member, not the leader

    await leader.reload()
    await leader.get_by_label("将队长移交给").select_option(label="李雷")
    await leader.get_by_role("button", name="移交队长").click()
    await expect(leader.get_by_role("status")).to_have_text("队长已移交。")
    await expect(leader.locator("[data-test=members]")).to_have_text(re.compile(r"韩梅梅\s*李雷（队长）"))
    await expect(leader.get_by_role("button", name="退出大赛")).to_have_count(0)

    await colleague.reload()
    colleague.once("dialog", lambda dialog: dialog.accept())
    await colleague.get_by_role("button", name="退出大赛").click()
    await expect(colleague.get_by_role("status")).to_have_text("团队已退出大赛。")
    await expect(colleague.get_by_role("button", name="创建团队")).to_be_visible()  # free to found or join another


async def test_a_challenge_set_from_a_pool_need_states_it_and_leads_back_to_it(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    hospital = company_member(admin, f"济南某医院 {uuid.uuid4().hex[:6]}")
    need_id = published_entry(admin, hospital, NEED)
    seeded = seed_competition(admin, challenge={"scenario_need_id": need_id})
    visitor = await new_page(locale="zh-CN")
    await visitor.goto(f"{base_url}/events/{seeded.event_id}/competition")
    await expect(visitor.get_by_role("heading", level=1)).to_have_text("揭榜挂帅")
    await expect(visitor.locator(".comp-need")).to_contain_text("影像辅助诊断")
    await expect(visitor.locator(".comp-need")).to_contain_text("我院放射科每日新增**CT影像**两千余例")
    await visitor.locator("[data-test=pool-need]").get_by_role("link", name="查看原需求").click()
    await expect(visitor).to_have_url(f"{base_url}/pool/{need_id}")
    await expect(visitor.get_by_role("heading", level=1)).to_have_text("影像辅助诊断")
