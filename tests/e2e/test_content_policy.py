"""The Content-Security-Policy holds on every page of the web UI: no page, and no vendored library on it, runs or
styles anything inline. Every browser test fails on a violation (tests/e2e/conftest.py); this one visits every
route of the two routers (static/app/main.js and talent.js), each in the state that loads its libraries: the month
calendar (FullCalendar), the dashboard (ECharts), the entry code, the mail preview, and the API docs (Swagger UI)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from playwright.async_api import Browser, ConsoleMessage, Page, expect

from tests.e2e.support import (
    ADMIN,
    REPORT_POLICY_VIOLATIONS,
    NewPage,
    base_with_reporter,
    matchmaking_pair,
    open_period,
    open_programme,
    registration,
    seed_forum,
    seed_judged_competition,
    seed_matchmaking_agenda,
    sign_in,
    signed_in,
)

APP = Path(__file__).resolve().parents[2] / "static" / "app"
ROUTERS = [APP / "main.js", APP / "talent.js"]


def router_patterns() -> list[re.Pattern[str]]:
    """The path patterns of the web UI's routers, `[/^\\/me$/, "MePage"]` read as Python regular expressions."""
    patterns = []
    for router in ROUTERS:
        for pattern in re.findall(r'^\s*\[/(\^.*\$)/, "\w+"\],$', router.read_text(), flags=re.MULTILINE):
            patterns.append(re.compile(pattern.replace("\\/", "/")))
    assert len(patterns) > 20, patterns  # the parse found the tables
    return patterns


async def visit(page: Page, url: str) -> None:
    await page.goto(url, wait_until="networkidle")
    await expect(page.locator("h1, h2").first).to_be_visible()


async def test_every_page_loads_without_a_policy_violation(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    forum_id = seed_forum(admin, capacity=10)
    organisation_id = int(admin.get(f"/events/{forum_id}").json()["organisation_id"])
    registration_id, token = registration(base_url, forum_id, "王五")
    admin.post(f"/registrations/{registration_id}/approve")  # confirmed already on a forum without approval
    period = open_period(admin)
    base_id, _ = base_with_reporter(admin, "内容安全策略实训基地", "licheng")
    programme_id = open_programme(admin, base_id, period[:4])
    contest = seed_judged_competition(admin, "内容安全策略大赛", teams=("策略队",))
    admin.post(contest.stage() + "/assignment", json={}).raise_for_status()
    judge_email = contest.judges[0][0]
    with signed_in(admin, judge_email) as judge:
        assignment_id = judge.get("/judging/queue").json()[0]["assignment_id"]
    matchmaking = matchmaking_pair(admin)
    entry_id = int(admin.get("/pool-entries").json()["items"][0]["id"])
    member_email, party_id = seed_matchmaking_agenda(admin)
    paths = [
        "/",
        f"/events/{forum_id}",
        f"/events/{forum_id}/door",
        f"/registrations/{registration_id}?token={token}",
        "/login",
        "/signup",
        "/me",
        "/invitations",
        "/verify",
        "/reset",
        "/console",
        "/console/events/new",
        f"/console/events/{forum_id}/edit",
        f"/console/events/{forum_id}",
        "/console/access-log",
        "/console/organisations",
        f"/console/organisations/{organisation_id}",
        "/talent",
        f"/talent/reports/{base_id}/{period}/{programme_id}",
        "/talent/review",
        "/talent/dashboard",
        "/talent/programmes",
        "/talent/periods",
        "/talent/targets",
        "/talent/evidence",
        f"/events/{contest.event_id}/competition",
        f"/console/events/{contest.event_id}/judging",
        "/pool",
        "/pool/new",
        f"/pool/{entry_id}",
        f"/pool/{entry_id}/edit",
        f"/events/{matchmaking['event_id']}/matchmaking",
        f"/console/events/{matchmaking['event_id']}/matchmaking",
    ]
    own_paths = {  # pages of a person's own: a judge's, a team leader's, a party's
        judge_email: ["/judging", f"/judging/{assignment_id}"],
        contest.teams[0][1]: [f"/teams/{contest.teams[0][2]}/stages/{contest.stage_ids[0]}"],
        member_email: [f"/matchmaking/agenda/{party_id}"],
    }
    every = paths + [path for own in own_paths.values() for path in own]
    unvisited = [p.pattern for p in router_patterns() if not any(p.match(path.split("?")[0]) for path in every)]
    assert not unvisited, f"routes this test does not visit: {unvisited}"

    no_results = (404, "/api/v1/events/*/competition/stages/*/results")  # the judging page asks; none before 公示
    page = await new_page(locale="zh-CN", expected_failures=[(422, "/api/v1/auth/verify"), no_results])
    await sign_in(page, base_url, *ADMIN)
    for path in paths:
        await visit(page, base_url + path)
    for email, own in own_paths.items():
        person = await new_page(locale="zh-CN")
        await sign_in(person, base_url, email)
        for path in own:
            await visit(person, base_url + path)

    await page.goto(base_url + "/?view=month")
    await page.get_by_label("开始日期").fill("2030-03-01")
    await expect(page.locator(".fc-event").first).to_be_visible()
    await page.goto(f"{base_url}/registrations/{registration_id}?token={token}")
    await expect(page.locator("[data-test=entry-code] img")).to_be_visible()
    await page.goto(base_url + "/talent/dashboard", wait_until="networkidle")
    await expect(page.locator("figure svg").first).to_be_visible()
    await page.goto(f"{base_url}/console/events/{forum_id}")
    await page.get_by_label("邮件主题").fill("会场变更")
    await page.get_by_label("正文").fill("会场改到 B 厅。")
    await page.get_by_role("button", name="预览").click()
    await expect(page.frame_locator("iframe[title=邮件预览]").get_by_text("会场改到 B 厅。")).to_be_visible()
    await page.goto(base_url + "/api/docs", wait_until="networkidle")
    await expect(page.locator(".swagger-ui .info")).to_be_visible()


async def test_an_inline_style_is_refused_and_reported(base_url: str, browser: Browser) -> None:
    """The negative control: what a page might do wrong is refused by the browser and reported to the test."""
    page = await browser.new_page()
    await page.add_init_script(REPORT_POLICY_VIOLATIONS)
    reported: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        reported.append(message.text)

    page.on("console", on_console)
    await page.goto(base_url + "/login")
    await expect(page.get_by_role("heading", name="登录")).to_be_visible()
    await page.evaluate("""document.body.insertAdjacentHTML("beforeend", '<p id="red" style="color: red">红</p>')""")
    assert await page.evaluate("getComputedStyle(document.getElementById('red')).color") != "rgb(255, 0, 0)"
    for _ in range(50):  # the violation event comes in a later task
        if any(line.startswith("CSP violation: style-src") for line in reported):
            break
        await page.wait_for_timeout(100)
    assert any("inline style violates the following Content Security Policy" in line for line in reported), reported
    assert any(line.startswith("CSP violation: style-src-attr blocked inline") for line in reported), reported
    await page.close()
