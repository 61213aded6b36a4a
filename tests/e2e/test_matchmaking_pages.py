"""The matchmaking pages in Chromium: the resource pool (search, filters, the contact hidden from visitors, the
entry editor with its field errors and the curator's publish), a registrant's profile and marks, and the
organiser's rules, schedule run and publish, after which the party's agenda is there."""

from __future__ import annotations

import re
import secrets

import httpx
from playwright.async_api import expect

from tests.e2e.support import (
    ADMIN,
    NewPage,
    company_member,
    matchmaking_forum,
    matchmaking_pair,
    member,
    party_of,
    published_entry,
    registered,
    sign_in,
    signed_in,
)
from tests.matchmaking.support import NEED, SOLUTION


async def test_the_pool_is_searched_by_a_chinese_word_and_filtered_and_hides_contacts_from_visitors(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    mark = secrets.token_hex(3)
    hospital = company_member(admin, f"济南影像医院 {mark}")
    vendor = company_member(admin, f"视觉科技 {mark}")
    need_title = f"带钢表面缺陷检测 {mark}"
    need = {
        **NEED,
        "title": {"zh": need_title},
        "domains": ["manufacturing"],
        "description": "冷轧产线带钢表面的划痕、裂纹靠人工目检，希望用机器视觉在线检测。",
    }
    need_id = published_entry(admin, hospital, need)
    solution_title = f"工业视觉缺陷检测平台 {mark}"
    solution = {
        **SOLUTION,
        "title": {"zh": solution_title},
        "domains": ["manufacturing"],
        "description": "面向带钢和铸件的机器视觉表面缺陷检测。",
    }
    published_entry(admin, vendor, solution)
    page = await new_page(locale="zh-CN", viewport={"width": 390, "height": 844})

    await page.goto(base_url + "/pool")
    await page.get_by_label("搜索需求和方案").fill("带钢")
    await page.get_by_label("搜索需求和方案").press("Enter")
    await expect(page.get_by_role("link", name=re.compile(need_title))).to_be_visible()
    await expect(page.get_by_role("link", name=re.compile(solution_title))).to_be_visible()
    await page.get_by_label("类别").select_option(label="方案")
    await expect(page.get_by_role("link", name=re.compile(solution_title))).to_be_visible()
    await expect(page.get_by_role("link", name=re.compile(need_title))).to_have_count(0)  # the filter narrowed it
    await page.get_by_label("类别").select_option(label="需求")
    await page.get_by_role("link", name=re.compile(need_title)).click()

    await expect(page).to_have_url(f"{base_url}/pool/{need_id}")
    await expect(page.get_by_role("heading", name=need_title)).to_be_visible()
    await expect(page.get_by_text("登录后可查看联系人。")).to_be_visible()
    await expect(page.get_by_text(NEED["contact"]["phone"])).to_have_count(0)
    await expect(page.get_by_text(NEED["contact"]["name"])).to_have_count(0)


async def test_a_member_writes_an_entry_sees_the_missing_title_and_submits_it_for_the_curator(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    mark = secrets.token_hex(3)
    _, email = company_member(admin, f"历下区人民医院 {mark}")
    page = await new_page(locale="zh-CN", expected_failures=[(422, "/api/v1/pool-entries")])
    await sign_in(page, base_url, email)

    await page.goto(base_url + "/pool")
    await page.get_by_role("link", name="新建条目").click()
    await page.get_by_label("医疗健康").check()
    await page.get_by_label("区域 *").select_option(label="历下区")
    await page.get_by_label("预期实施时间 *").fill("2026年下半年")
    await page.get_by_label("联系人姓名 *").fill("王敏")
    await page.get_by_label("联系电话 *").fill("0531-8888 6666")
    await page.get_by_label("联系邮箱 *").fill("wangmin@hospital.cn")
    await page.get_by_role("button", name="保存并提交审核").click()
    title = page.get_by_label("标题（中文） *")
    await expect(page.locator("#pe-title-zh-error")).to_be_visible()
    await expect(title).to_have_accessible_description(re.compile(r"\S"))
    await expect(title).to_have_attribute("aria-invalid", "true")

    await title.fill(f"影像辅助诊断 {mark}")
    await page.get_by_role("button", name="保存并提交审核").click()
    await expect(page.get_by_role("heading", name=f"影像辅助诊断 {mark}")).to_be_visible()
    await expect(page.locator(".badge.wait")).to_have_text("待审核")
    await expect(page.get_by_role("button", name="审核通过并发布")).to_have_count(0)  # the owner does not publish
    entry_url = page.url

    curator = await new_page(locale="zh-CN")
    await sign_in(curator, base_url, *ADMIN)
    await curator.goto(entry_url)
    await curator.get_by_role("button", name="审核通过并发布").click()
    await expect(curator.get_by_role("status")).to_have_text("条目现为：已发布")
    await expect(curator.get_by_text("王敏")).to_be_visible()  # a signed-in reader sees the contact


async def test_profile_marks_then_the_organiser_schedules_and_publishes_and_the_agenda_is_there(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    mark = secrets.token_hex(3)
    event_id, org_id = matchmaking_forum(admin)
    host_email = member(admin, org_id, "organiser", "对接会主办")
    hospital, hospital_email = company_member(admin, f"济南影像医院 {mark}")
    vendor, vendor_email = company_member(admin, f"肺结节AI公司 {mark}")
    need_id = published_entry(admin, (hospital, hospital_email), NEED)
    solution_id = published_entry(admin, (vendor, vendor_email), SOLUTION)
    rules = f"/api/v1/events/{event_id}/matchmaking"
    host = await new_page(locale="zh-CN", expected_failures=[(404, rules), (422, rules)])  # not set up; no name
    await sign_in(host, base_url, host_email)

    # The organiser sets the rules and grid on the page: one morning session from the event's start.
    await host.goto(f"{base_url}/console/events/{event_id}/matchmaking")
    await host.get_by_label("洽谈桌").fill("A1, A2")
    await host.get_by_label("场次数").fill("3")
    await host.get_by_role("button", name="保存规则与时段").click()
    session_name = host.get_by_label("时段名称（中文） *")
    await expect(session_name).to_have_accessible_description(re.compile(r"\S"))  # the session has no name
    await session_name.fill("上午")
    await host.get_by_role("button", name="保存规则与时段").click()
    await expect(host.get_by_role("status")).to_have_text("规则与时段已保存。")
    saved = admin.get(f"/events/{event_id}/matchmaking").json()
    assert saved["tables"] == ["A1", "A2"] and len(saved["slots"]) == 3, saved

    vendor_party = party_of(admin, event_id, vendor_email, vendor, "supply", [solution_id])
    registered(admin, event_id, hospital_email)
    page = await new_page(locale="zh-CN", viewport={"width": 390, "height": 844})
    await sign_in(page, base_url, hospital_email)
    await page.goto(f"{base_url}/events/{event_id}")
    await page.get_by_role("link", name="对接会：参会资料、推荐对接方").click()
    await page.get_by_label("需求方", exact=True).check()
    await page.get_by_label(re.compile("影像辅助诊断")).check()
    await page.get_by_role("button", name="加入对接会").click()
    counterpart = page.locator(f"[data-party='{vendor_party}']")
    await expect(counterpart).to_contain_text("医疗健康")  # the reason names the shared domain
    await counterpart.get_by_label("必须见").check()
    await expect(counterpart.get_by_role("status")).to_contain_text("已记录")

    await host.reload()
    await host.get_by_label("求解时限（秒）").fill("5")
    await host.get_by_role("button", name="开始排期").click()
    await expect(host.locator("[data-test=run-state]")).to_contain_text("已完成", timeout=60_000)
    await expect(host.locator("[data-test=run-state]")).to_contain_text("已证明最优")
    meeting = host.locator(".mm-grid button.mm-meeting")
    await expect(meeting).to_have_count(1)
    await expect(meeting).to_contain_text(f"济南影像医院 {mark}")
    await meeting.focus()
    await host.keyboard.press("Enter")  # selected by the keyboard
    await expect(meeting).to_have_attribute("aria-pressed", "true")
    await expect(host.locator("[data-test=selected]")).to_contain_text(f"肺结节AI公司 {mark}")
    # Then the last empty cell, checked live, and the move.
    target = host.locator(".mm-grid button.mm-empty").last
    place = (await target.get_attribute("aria-label") or "").removeprefix("空位：")
    await target.focus()
    await host.keyboard.press("Enter")
    await expect(host.get_by_text("没有冲突，可以移动。")).to_be_visible()
    await host.get_by_role("button", name="移动到此处").click()
    await expect(host.get_by_role("status").filter(has_text="已移动到")).to_have_text(f"已移动到 {place}。")
    await expect(host.locator(".mm-grid button.mm-meeting")).to_have_count(1)
    await expect(host.locator(".mm-grid tbody tr").last.locator("button.mm-meeting")).to_have_count(1)
    await host.get_by_role("button", name="发布最终日程").click()
    await expect(host.get_by_role("status").filter(has_text="日程已发布")).to_be_visible()

    with signed_in(admin, vendor_email) as vendor_client:
        agenda = vendor_client.get(f"/matchmaking-parties/{vendor_party}/agenda").json()
    assert agenda["published"] is True
    assert [m["counterpart"]["organisation_name"]["zh"] for m in agenda["meetings"]] == [f"济南影像医院 {mark}"]
    assert agenda["meetings"][0]["table"] == "A2"  # moved to the last cell: the last slot's last table
    assert need_id in [e["id"] for e in agenda["meetings"][0]["counterpart"]["entries"]]


async def test_in_requests_mode_a_party_asks_with_a_message_and_the_other_accepts_or_is_told_it_was_answered(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    seeded = matchmaking_pair(admin, mode="requests")
    hospital = await new_page(locale="zh-CN", viewport={"width": 390, "height": 844})
    await sign_in(hospital, base_url, seeded["hospital"])
    await hospital.goto(f"{base_url}/events/{seeded['event_id']}/matchmaking")
    vendor_row = hospital.locator(f"[data-party='{seeded['vendor_party']}']")
    await vendor_row.get_by_label(f"给 {seeded['vendor_name']} 的留言").fill("想了解肺结节筛查在我院的部署方式。")
    await vendor_row.get_by_role("button", name="发送洽谈邀请").click()
    await expect(vendor_row.get_by_role("status")).to_have_text("邀请已发送。")
    await expect(vendor_row).to_contain_text("待回复")
    inbox = hospital.locator("section").filter(has=hospital.get_by_role("heading", name="洽谈邀请"))
    await expect(inbox.get_by_role("heading", name="发出的邀请")).to_be_visible()
    await expect(inbox.locator("li").filter(has_text=seeded["vendor_name"])).to_contain_text("待回复")

    answer = "/api/v1/matchmaking-parties/*/requests/*/answer"
    vendor = await new_page(locale="zh-CN", expected_failures=[(409, answer)])
    await sign_in(vendor, base_url, seeded["vendor"])
    await vendor.goto(f"{base_url}/events/{seeded['event_id']}/matchmaking")
    received = vendor.get_by_role("group", name=seeded["hospital_name"])
    await expect(vendor.get_by_text("想了解肺结节筛查在我院的部署方式。")).to_be_visible()
    # A colleague answers in another tab first: this page's answer comes too late and is told so.
    with signed_in(admin, seeded["vendor"]) as client:
        (request,) = client.get(f"/matchmaking-parties/{seeded['vendor_party']}/requests").json()
        accepted = client.post(
            f"/matchmaking-parties/{seeded['vendor_party']}/requests/{request['id']}/answer", json={"accept": True}
        )
        accepted.raise_for_status()
    await received.get_by_role("button", name="婉拒").click()
    await expect(vendor.get_by_role("alert")).to_be_visible()
    await vendor.reload()
    await expect(vendor.locator("li").filter(has_text=seeded["hospital_name"]).last).to_contain_text("已接受")
    await expect(vendor.get_by_role("button", name="婉拒")).to_have_count(0)


async def test_the_organiser_is_told_what_is_wrong_with_a_run_or_a_must_meet_and_adds_and_removes_one(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    seeded = matchmaking_pair(admin)
    event_path = f"/api/v1/events/{seeded['event_id']}/matchmaking"
    failures = [(422, event_path + "/schedules"), (422, event_path + "/must-meets")]
    host = await new_page(locale="zh-CN", expected_failures=failures)
    await sign_in(host, base_url, seeded["host"])
    await host.goto(f"{base_url}/console/events/{seeded['event_id']}/matchmaking")

    await host.get_by_label("求解时限（秒）").fill("0")
    await host.get_by_role("button", name="开始排期").click()
    await expect(host.get_by_label("求解时限（秒）")).to_have_accessible_description(re.compile(r"\S"))
    await expect(host.locator("[data-test=run-state]")).to_have_count(0)  # nothing started

    await host.get_by_label("参会方一").select_option(label=f"{seeded['hospital_name']}（需求方）")
    await host.get_by_label("参会方二").select_option(label=f"{seeded['hospital_name']}（需求方）")
    await host.get_by_role("button", name="添加指定洽谈").click()
    await expect(host.get_by_label("参会方一")).to_have_accessible_description(re.compile(r"\S"))
    await host.get_by_label("参会方二").select_option(label=f"{seeded['vendor_name']}（供给方）")
    await host.get_by_label("固定场次（可不选）").select_option(index=2)
    await host.get_by_role("button", name="添加指定洽谈").click()
    await expect(host.get_by_role("status")).to_have_text("已添加。")
    listed = host.locator("li").filter(has_text=seeded["hospital_name"]).filter(has_text=seeded["vendor_name"])
    await expect(listed).to_contain_text("09:20–09:40")
    (must,) = admin.get(event_path.removeprefix("/api/v1") + "/must-meets").json()
    assert sorted(must["party_ids"]) == sorted([seeded["hospital_party"], seeded["vendor_party"]]) and must["slot"] == 1
    await host.get_by_role("button", name=re.compile("^删除 .* 的指定洽谈$")).click()
    await expect(host.get_by_text("暂无指定洽谈。")).to_be_visible()
    assert admin.get(event_path.removeprefix("/api/v1") + "/must-meets").json() == []
