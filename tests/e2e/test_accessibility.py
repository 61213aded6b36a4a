"""Every page of the web UI checked by axe-core against the WCAG 2 A/AA rules, in its loaded state (and after a
failed submit where a form shows field errors), at a desktop and a phone width; and the keyboard: each control
reached by Tab with a visible focus ring, and the confirmation dialogs keeping and returning the focus."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import FilePayload, Page, expect

from tests.e2e.support import (
    ADMIN,
    PASSWORD,
    Competition,
    NewPage,
    base_with_reporter,
    member,
    open_period,
    open_programme,
    registration,
    reported_with_evidence,
    scheduled_matchmaking,
    seed_competition,
    seed_forum,
    seed_judged_competition,
    seed_matchmaking_agenda,
    sign_in,
    signed_in,
    signed_up,
)

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
# WCAG 2.0-2.2 A and AA, and axe's best practices (landmarks, heading order, unique landmark names, ...).
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
WIDTHS = [pytest.param(DESKTOP, id="1280"), pytest.param(PHONE, id="390")]


async def audit(page: Page, name: str, exclude: tuple[str, ...] = ()) -> list[str]:
    """axe's violations on the page as it is now, one line per rule: id, impact and failing selectors."""
    if not await page.evaluate("typeof window.axe === 'object'"):
        await page.evaluate(AXE.read_text())  # not a <script> tag: the Content-Security-Policy refuses inline ones
    violations: list[dict[str, Any]] = await page.evaluate(
        """async ([tags, exclude]) => (await axe.run(
             { include: [["html"]], exclude: exclude.map((selector) => [selector]) },
             { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] })).violations""",
        [RULES, list(exclude)],
    )
    return [
        f"{name}: {v['id']} ({v['impact']}) {v['help']}: " + ", ".join(" ".join(n["target"]) for n in v["nodes"])
        for v in violations
    ]


def assert_none(found: list[str]) -> None:
    assert not found, "axe found violations:\n" + "\n".join(found)


# The audits look at each page's error states too, so they provoke these answers on purpose.
PUBLIC_ERROR_STATES = [
    (422, "/api/v1/events/*/registrations"),  # a form submitted empty
    (400, "/api/v1/events/*/check-in"),  # a forged code at the door
    (404, "/api/v1/registrations/*"),  # a forged manage link
    (422, "/api/v1/auth/login"),  # the login form submitted empty
]
CONSOLE_ERROR_STATES = [
    (422, "/api/v1/me/totp/confirm"),  # two-step sign-in confirmed without its code
    (422, "/api/v1/events"),
    (422, "/api/v1/events/*/questions"),
    (422, "/api/v1/events/*/privacy-notice"),  # a retention period out of range
    (422, "/api/v1/organisations"),
    (422, "/api/v1/registrations/*/reject"),  # a rejection without its reason
]


async def test_the_audit_reports_what_it_finds(base_url: str, new_page: NewPage) -> None:
    """The negative control: a button without a name and text too faint to read are reported, with their selectors."""
    page = await new_page(locale="zh-CN")
    await page.goto(base_url + "/login")
    await expect(page.get_by_role("heading", name="登录")).to_be_visible()
    await page.evaluate(
        """document.querySelector("form").insertAdjacentHTML("beforeend",
             '<button id="nameless" type="button"></button><p id="faint">浅色文字</p>');
           document.getElementById("faint").style.color = "#ccc";"""
    )
    found = await audit(page, "login")
    assert any(line.startswith("login: button-name (critical)") and "#nameless" in line for line in found), found
    assert any(line.startswith("login: color-contrast (serious)") and "#faint" in line for line in found), found


def event_with_questions(admin: httpx.Client) -> int:
    """A published forum with every kind of question, two ticket types and an agenda."""
    event_id = seed_forum(
        admin,
        capacity=50,
        publish=False,
        title={"zh": f"无障碍检查论坛 {secrets.token_hex(3)}", "en": "Accessibility Forum"},
        description="## 活动介绍\n\n- 主旨演讲\n- [报名须知](https://example.cn)",
    )
    choices = [{"key": "vision", "label": {"zh": "机器视觉"}}, {"key": "llm", "label": {"zh": "大模型"}}]
    questions: list[tuple[str, str, dict[str, Any]]] = [
        ("track", "single_choice", {"choices": choices}),
        ("topics", "multi_choice", {"choices": choices}),
        ("people", "number", {"minimum": 1, "maximum": 5}),
        ("lunch", "bool", {}),
        ("notes", "long_text", {}),
        ("arrival", "date", {}),
        ("phone", "phone", {}),
        ("email2", "email", {}),
    ]
    for key, kind, extra in questions:
        answer = admin.post(
            f"/events/{event_id}/questions",
            json={"key": key, "kind": kind, "label": {"zh": f"问题 {key}"}, "required": kind != "bool", **extra},
        )
        answer.raise_for_status()
    admin.post(f"/events/{event_id}/ticket-types", json={"name": {"zh": "贵宾票"}}).raise_for_status()
    session = {
        "title": {"zh": "主旨演讲"},
        "speakers": ["王教授"],
        "room": "一号厅",
        "starts_at": "2030-03-18T09:00:00+08:00",
        "ends_at": "2030-03-18T10:00:00+08:00",
    }
    admin.post(f"/events/{event_id}/sessions", json=session).raise_for_status()
    admin.post(f"/events/{event_id}/publish").raise_for_status()
    return event_id


def pending_forum(admin: httpx.Client, base: str, **fields: Any) -> tuple[int, int]:
    """A forum that needs approval with 张三's registration waiting for it: (event id, organisation id)."""
    forum_id = seed_forum(admin, capacity=10, requires_approval=True, **fields)
    registration(base, forum_id, "张三")
    return forum_id, int(admin.get(f"/events/{forum_id}").json()["organisation_id"])


@pytest.mark.parametrize("viewport", WIDTHS)
async def test_the_public_pages_pass_axe(
    base_url: str, admin: httpx.Client, new_page: NewPage, viewport: dict[str, int]
) -> None:
    event_id = event_with_questions(admin)
    forum_id = seed_forum(admin, capacity=10)
    registration_id, token = registration(base_url, forum_id, "李雷")
    page = await new_page(viewport=viewport, locale="zh-CN", expected_failures=PUBLIC_ERROR_STATES)
    found: list[str] = []

    await page.goto(base_url + "/")
    await expect(page.locator("a.card").first).to_be_visible()
    found += await audit(page, "event list")
    await page.get_by_role("button", name="月", exact=True).click()
    await page.get_by_label("开始日期").fill("2030-03-01")
    await expect(page.locator(".fc-event").first).to_be_visible()
    found += await audit(page, "month view")
    await page.get_by_role("button", name="周", exact=True).click()
    await page.get_by_label("开始日期").fill("2030-03-18")
    await expect(page.locator(".fc-event").first).to_be_visible()  # a list of the week's days on a phone
    found += await audit(page, "week view")

    await page.goto(f"{base_url}/events/{event_id}")
    await expect(page.get_by_label("问题 track")).to_be_visible()
    await expect(page.get_by_role("heading", name="议程")).to_be_visible()
    found += await audit(page, "event page")
    await page.get_by_role("button", name="提交报名").click()
    await expect(page.locator("#q-track-error")).to_be_visible()
    found += await audit(page, "event page after a failed submit")

    await page.goto(f"{base_url}/registrations/{registration_id}?token={token}")
    await expect(page.get_by_role("img", name="入场码")).to_be_visible()
    found += await audit(page, "manage page")
    await page.goto(f"{base_url}/registrations/{registration_id}?token=qcm_forged")
    await expect(page.get_by_role("alert")).to_be_visible()
    found += await audit(page, "manage page of a forged link")
    for path in ["/console", "/console/events/new", f"/console/events/{forum_id}", "/talent/nothing-here"]:
        await page.goto(base_url + path)
        await expect(page.get_by_role("alert")).to_be_visible()
        found += await audit(page, f"{path}, signed out")
    await page.goto(f"{base_url}/events/{forum_id}/door")
    await expect(page.get_by_text("请先登录")).to_be_visible()
    found += await audit(page, "door, signed out")

    await page.goto(base_url + "/login")
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_label("邮箱")).to_have_accessible_description(re.compile(r"\S"))  # its error
    found += await audit(page, "login after a failed submit")
    await page.goto(base_url + "/signup")
    await expect(page.get_by_role("heading", name="注册账号")).to_be_visible()
    found += await audit(page, "signup")

    email = member(admin, int(admin.get(f"/events/{forum_id}").json()["organisation_id"]), "checker", "检票员")
    httpx.post(
        f"{base_url}/api/v1/events/{forum_id}/registrations",
        json={"privacy_notice_version": 0, "email": email, "name": "检票员", "answers": {"company": "济南智造"}},
    ).raise_for_status()
    await sign_in(page, base_url, email)
    await page.get_by_role("button", name="生成订阅地址").click()
    await expect(page.locator("[data-test=feed]")).to_be_visible()
    found += await audit(page, "/me")

    await page.goto(f"{base_url}/events/{forum_id}/door")
    await page.get_by_label("按姓名或邮箱查找").fill("李雷")
    await expect(page.get_by_role("button", name="签到")).to_have_count(2)
    await page.get_by_label("扫码或输入入场码").fill("nonsense")
    await page.get_by_label("扫码或输入入场码").press("Enter")
    await expect(page.get_by_role("status")).to_be_visible()
    found += await audit(page, "door")
    assert_none(found)


@pytest.mark.parametrize("viewport", WIDTHS)
async def test_the_matchmaking_agenda_passes_axe(
    base_url: str, admin: httpx.Client, new_page: NewPage, viewport: dict[str, int]
) -> None:
    email, party_id = seed_matchmaking_agenda(admin)
    expected = [(422, "/api/v1/matchmaking-parties/*/check-in")]  # a wrong code typed in
    page = await new_page(viewport=viewport, locale="zh-CN", expected_failures=expected)
    found: list[str] = []
    await page.goto(f"{base_url}/matchmaking/agenda/{party_id}")
    await expect(page.get_by_text("请先登录，查看您单位的洽谈日程。")).to_be_visible()
    found += await audit(page, "agenda, signed out")
    await sign_in(page, base_url, email)
    await page.goto(f"{base_url}/matchmaking/agenda/{party_id}")
    await expect(page.get_by_role("heading", name="我的洽谈日程")).to_be_visible()
    await expect(page.locator("[data-test=agenda-meeting]")).to_have_count(1)
    await expect(page.get_by_role("img", name=re.compile("签到码"))).to_be_visible()
    found += await audit(page, "agenda")
    await page.get_by_label("对方的签到码").fill("QM.1.2.forged")
    await page.get_by_role("button", name="签到", exact=True).click()
    await expect(page.get_by_role("status")).to_contain_text("签到码")
    found += await audit(page, "agenda after a wrong code")
    await page.emulate_media(media="print")
    await expect(page.get_by_role("button", name="打印日程")).to_be_hidden()  # paper: the agenda only
    assert_none(found)


async def test_the_english_event_page_passes_axe(base_url: str, admin: httpx.Client, new_page: NewPage) -> None:
    event_id = event_with_questions(admin)
    page = await new_page(
        viewport=PHONE, locale="en", expected_failures=[(422, f"/api/v1/events/{event_id}/registrations")]
    )
    await page.goto(f"{base_url}/events/{event_id}")
    await page.get_by_role("button", name="English").click()
    await page.get_by_role("button", name="Register").click()
    await expect(page.locator("#q-track-error")).to_be_visible()
    assert_none(await audit(page, "event page in English"))


@pytest.mark.parametrize("viewport", WIDTHS)
async def test_the_console_pages_pass_axe(
    base_url: str, admin: httpx.Client, new_page: NewPage, viewport: dict[str, int]
) -> None:
    forum_id, org_id = pending_forum(admin, base_url)
    email = member(admin, org_id, "organiser", "赵主办")
    seed_forum(admin, publish=False, organisation_id=org_id)
    page = await new_page(viewport=viewport, locale="zh-CN", expected_failures=CONSOLE_ERROR_STATES)
    await sign_in(page, base_url, email)
    found: list[str] = []

    await page.goto(base_url + "/console")
    await expect(page.get_by_role("button", name="取消活动").first).to_be_visible()
    found += await audit(page, "console home")
    await page.get_by_role("button", name="取消活动").first.click()
    await expect(page.get_by_role("dialog")).to_be_visible()
    found += await audit(page, "console home with its confirmation")
    await page.keyboard.press("Escape")

    await page.goto(f"{base_url}/console/events/new?org={org_id}")
    await page.get_by_role("button", name="创建草稿").click()
    await expect(page.locator(".field-error").first).to_be_visible()
    found += await audit(page, "new event after a failed save")

    await page.goto(f"{base_url}/console/events/{forum_id}/edit")
    await expect(page.get_by_role("heading", name="报名问题")).to_be_visible()
    await expect(page.locator("[data-quota]").first).to_be_visible()
    await page.get_by_label("题型").select_option("single_choice")
    await page.get_by_role("button", name="添加问题").click()
    await expect(
        page.locator("section").filter(has=page.get_by_role("heading", name="报名问题")).locator(".field-error").first
    ).to_be_visible()
    await expect(page.get_by_label("问题标识")).to_have_attribute("aria-describedby", "qn-key-hint qn-key-error")
    await page.get_by_label("保存天数").fill("0")
    await page.get_by_role("button", name="发布新版本").click()
    await expect(page.locator("#pn-retention_days-error")).to_be_visible()
    found += await audit(page, "event editor with its sections")

    await page.goto(f"{base_url}/console/events/{forum_id}")
    await expect(page.get_by_role("row").filter(has_text="张三")).to_be_visible()
    await page.get_by_label("邮件主题").fill("会议提醒")
    await page.get_by_label("正文").fill("请准时参加。")
    await page.locator("fieldset.admin-states").get_by_label("待审核").check()
    await page.get_by_role("button", name="预览").click()
    await expect(page.locator("iframe")).to_be_visible()
    found += await audit(page, "organiser's event page")
    await page.get_by_role("button", name="拒绝 张三 的报名").click()
    await page.get_by_role("button", name="确认拒绝").click()
    await expect(page.locator("#admin-reason-error")).to_be_visible()
    found += await audit(page, "organiser's event page, reject dialog")

    await page.goto(f"{base_url}/console/organisations")
    await page.get_by_role("button", name="创建机构").click()
    await expect(page.locator("#o-name-zh-error")).to_be_visible()
    found += await audit(page, "organisations after a failed create")
    await page.goto(f"{base_url}/console/organisations/{org_id}")
    await expect(page.get_by_role("heading", name="成员与角色")).to_be_visible()
    found += await audit(page, "one organisation's members")
    await page.goto(base_url + "/me")
    await page.get_by_role("button", name="开启两步验证").click()
    await page.get_by_role("button", name="确认并开启").click()
    await expect(page.locator("#totp-code-error")).to_be_visible()
    found += await audit(page, "me, two-step sign-in after a wrong code")
    assert_none(found)


@pytest.mark.parametrize("viewport", WIDTHS)
async def test_the_talent_pages_pass_axe(
    base_url: str, admin: httpx.Client, new_page: NewPage, viewport: dict[str, int]
) -> None:
    period = open_period(admin)
    base_id, email = base_with_reporter(admin, f"历城区实训基地 {secrets.token_hex(3)}", "licheng")
    programme_id = open_programme(admin, base_id, period[:4])
    token = httpx.post(str(admin.base_url.join("auth/login")), json={"email": email, "password": PASSWORD})
    reporter = {"Authorization": f"Bearer {token.json()['token']}"}
    report = str(admin.base_url.join(f"talent/reports/{base_id}/{period}/{programme_id}"))
    httpx.put(report, headers=reporter, json={"new_male": 3}).raise_for_status()
    httpx.post(report + "/submit", headers=reporter).raise_for_status()
    other_base, other_email = base_with_reporter(admin, f"章丘区实训基地 {secrets.token_hex(3)}", "zhangqiu")
    other_programme = open_programme(admin, other_base, period[:4])
    found: list[str] = []

    page = await new_page(viewport=viewport, locale="zh-CN")
    await sign_in(page, base_url, other_email)
    await page.goto(base_url + "/talent")
    await expect(page.locator(".talent-reports li").first).to_be_visible()
    found += await audit(page, "talent home")
    await page.goto(f"{base_url}/talent/reports/{other_base}/{period}/{other_programme}")
    await page.get_by_label("结业人数").fill("2")
    await expect(page.locator("#r-dropped + .field-error, #r-completed + .field-error").first).to_be_visible()
    found += await audit(page, "talent report form with findings")

    bureau = await new_page(viewport=viewport, locale="zh-CN")
    await sign_in(bureau, base_url, *ADMIN)
    await bureau.goto(base_url + "/talent/review")
    await expect(bureau.locator(".talent-queue li").first).to_be_visible()
    found += await audit(bureau, "talent review queue")
    await bureau.locator(".talent-queue a").first.click()
    await expect(bureau.get_by_role("button", name="批准")).to_be_visible()
    found += await audit(bureau, "talent report under review")
    await bureau.goto(base_url + "/talent/dashboard")
    await expect(bureau.locator(".talent-chart-box svg").first).to_be_visible()
    await expect(bureau.locator("[data-test=completeness] tbody tr").first).to_be_visible()
    await bureau.get_by_role("button", name="以表格显示").first.click()
    found += await audit(bureau, "talent dashboard")
    assert_none(found)


def judged_round(admin: httpx.Client) -> tuple[Competition, str, int]:
    """A competition with its first stage assigned: (it, a judge's email, that judge's first assignment)."""
    competition = seed_judged_competition(admin, f"无障碍检查大赛 {secrets.token_hex(3)}")
    admin.post(competition.stage() + "/assignment", json={}).raise_for_status()
    email = competition.judges[0][0]
    with signed_in(admin, email) as judge:
        return competition, email, int(judge.get("/judging/queue").json()[0]["assignment_id"])


@pytest.mark.parametrize("viewport", WIDTHS)
async def test_the_judging_pages_pass_axe(
    base_url: str, admin: httpx.Client, new_page: NewPage, viewport: dict[str, int]
) -> None:
    competition, email, assignment = judged_round(admin)
    stage = f"/api/v1{competition.stage()}"
    page = await new_page(
        viewport=viewport,
        locale="zh-CN",
        expected_failures=[
            (422, "/api/v1/judging/assignments/*/declaration"),
            (404, stage + "/results"),
            (422, stage + "/rubric"),
        ],
    )
    found: list[str] = []
    await sign_in(page, base_url, email)
    await page.goto(base_url + "/judging")
    await expect(page.get_by_text("待声明").first).to_be_visible()
    found += await audit(page, "judge's queue")
    await page.goto(f"{base_url}/judging/{assignment}")
    await page.get_by_label("存在利益冲突").check()
    await page.get_by_role("button", name="声明存在利益冲突").click()
    await expect(page.locator("#declare-reason-error")).to_be_visible()
    found += await audit(page, "declaration after a failed submit")
    await page.get_by_label("无利益冲突").check()
    await page.get_by_role("button", name="声明无利益冲突并打开作品").click()
    await page.get_by_role("radio", name="7", exact=True).first.check()
    await expect(page.get_by_text("已保存", exact=False)).to_be_visible()
    found += await audit(page, "score sheet")

    organiser = await new_page(
        viewport=viewport, locale="zh-CN", expected_failures=[(404, stage + "/results"), (422, stage + "/rubric")]
    )
    await sign_in(organiser, base_url, competition.organiser)
    await organiser.goto(f"{base_url}/console/events/{competition.event_id}/judging")
    await expect(organiser.get_by_role("table", name="评审进度")).to_be_visible()
    found += await audit(organiser, "organiser's judging page")
    rubric = organiser.get_by_role("region", name="评分细则")
    await rubric.get_by_role("group", name="评分项 1").get_by_label("权重").fill("0")
    await rubric.get_by_role("button", name="保存评分细则").click()
    await expect(rubric.locator(".field-error")).to_be_visible()
    found += await audit(organiser, "organiser's judging page after a failed save")
    assert_none(found)


async def test_every_judging_control_is_reached_by_tab_with_a_visible_ring(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    competition, email, assignment = judged_round(admin)
    with signed_in(admin, email) as judge:
        judge.post(f"/judging/assignments/{assignment}/declaration", json={"conflict": False}).raise_for_status()
    stage = f"/api/v1{competition.stage()}"
    page = await new_page(viewport=DESKTOP, locale="zh-CN", expected_failures=[(404, stage + "/results")])
    problems: list[str] = []
    await sign_in(page, base_url, email)
    await page.goto(base_url + "/judging")
    await expect(page.get_by_role("listitem").first).to_be_visible()
    problems += await tab_through(page, "judge's queue")
    await page.goto(f"{base_url}/judging/{assignment}")
    await expect(page.get_by_role("button", name="提交评分")).to_be_visible()
    problems += await tab_through(page, "score sheet")
    organiser = await new_page(viewport=DESKTOP, locale="zh-CN", expected_failures=[(404, stage + "/results")])
    await sign_in(organiser, base_url, competition.organiser)
    await organiser.goto(f"{base_url}/console/events/{competition.event_id}/judging")
    await expect(organiser.get_by_role("table", name="评审进度")).to_be_visible()
    problems += await tab_through(organiser, "organiser's judging page")
    assert not problems, "\n".join(problems)


PLAN_ERROR_STATES = [
    (422, "/api/v1/talent/programmes"),
    (422, "/api/v1/talent/periods"),
    (422, "/api/v1/talent/targets"),
]


def open_plan_pages(admin: httpx.Client) -> tuple[str, int]:
    """A period with a submitted report of a programme with a linked training event, so that every plan page has
    rows: (period, base id)."""
    period, base_id = reported_with_evidence(admin, f"平阴县实训基地 {secrets.token_hex(3)}", "pingyin", new_trainees=2)
    target = {"year": int(period[:4]), "occupation": "4-04-05-05", "base_id": base_id, "metric": "enrolled"}
    admin.post("/talent/targets", json={**target, "value": 20}).raise_for_status()
    return period, base_id


@pytest.mark.parametrize("viewport", WIDTHS)
async def test_the_talent_plan_pages_pass_axe(
    base_url: str, admin: httpx.Client, new_page: NewPage, viewport: dict[str, int]
) -> None:
    period, _ = open_plan_pages(admin)
    page = await new_page(viewport=viewport, locale="zh-CN", expected_failures=PLAN_ERROR_STATES)
    await sign_in(page, base_url, *ADMIN)
    found: list[str] = []
    for path, button, table in [
        ("/talent/programmes", "开设项目", "programmes"),
        ("/talent/periods", "开放报告期", "periods"),
        ("/talent/targets", "添加目标", "targets"),
    ]:
        await page.goto(base_url + path)
        await expect(page.locator(f"[data-test={table}] tbody tr").first).to_be_visible()
        found += await audit(page, path)
        await page.get_by_role("button", name=button).click()  # submitted empty: errors under the fields
        await expect(page.locator(".field-error").first).to_be_visible()
        found += await audit(page, path + " with field errors")
    await page.goto(base_url + "/talent/programmes")
    await page.locator("[data-test=programmes] tbody tr button").first.click()
    await expect(page.get_by_role("button", name="保存关联")).to_be_visible()
    found += await audit(page, "programme's training events")
    await page.goto(f"{base_url}/talent/evidence?period={period}")
    await expect(page.locator("[data-test=evidence] tbody tr").first).to_be_visible()
    found += await audit(page, "evidence")
    assert_none(found)


async def test_every_talent_plan_control_is_reached_by_tab_with_a_visible_ring(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    period, _ = open_plan_pages(admin)
    page = await new_page(viewport=DESKTOP, locale="zh-CN")
    await sign_in(page, base_url, *ADMIN)
    problems: list[str] = []
    for path, table in [
        ("/talent/programmes", "programmes"),
        ("/talent/periods", "periods"),
        ("/talent/targets", "targets"),
        (f"/talent/evidence?period={period}", "evidence"),
    ]:
        await page.goto(base_url + path)
        await expect(page.locator(f"[data-test={table}] tbody tr").first).to_be_visible()
        problems += await tab_through(page, path)
    assert not problems, "\n".join(problems)


# Marks every control a keyboard user must be able to reach (visible, enabled, not taken out of the tab order).
MARK_TABBABLE = """() => {
  const all = [...document.querySelectorAll("a[href], button, input, select, textarea, summary, iframe, [tabindex]")]
    .filter((el) => el.tabIndex >= 0 && !el.disabled && !el.closest("[inert], fieldset:disabled")
                    && el.checkVisibility({ visibilityProperty: true }))
    // A radio group is one Tab stop, its checked radio (or its first); the arrow keys move inside it.
    .filter((el) => {
      if (el.type !== "radio") return true;
      const group = [...document.querySelectorAll(`input[type=radio][name="${el.name}"]`)];
      return el === (group.find((radio) => radio.checked) || group[0]);
    });
  all.forEach((el, n) => { el.dataset.tabbable = n; });
  return all.map((el) => el.outerHTML.slice(0, 120));
}"""
# The focused element: its mark, and whether it shows a ring (an outline of 2 px or more, as style.css draws).
FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  // On a date input's calendar button (inside the input, so the input itself is not :focus) Chrome draws its own ring.
  const pickerButton = /^(date|datetime-local)$/.test(el.type) && !el.matches(":focus");
  return { n: el.dataset?.tabbable ?? null, body: el === document.body, html: el.outerHTML.slice(0, 120),
           ring: pickerButton || (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) };
}"""


async def tab_through(page: Page, name: str) -> list[str]:
    """Tab from the top of a freshly loaded page to its end: every control is reached and shows a focus ring."""
    expected: list[str] = await page.evaluate(MARK_TABBABLE)
    reached: set[str] = set()
    problems: list[str] = []
    for _ in range(3 * len(expected) + 20):
        await page.keyboard.press("Tab")
        focused: dict[str, Any] = await page.evaluate(FOCUSED)
        if focused["body"] or (focused["n"] is not None and focused["n"] in reached and focused["n"] == "0"):
            break
        if not focused["ring"]:
            problems.append(f"{name}: no focus ring on {focused['html']}")
        if focused["n"] is not None:
            reached.add(focused["n"])
    problems += [f"{name}: not reached by Tab: {html}" for n, html in enumerate(expected) if str(n) not in reached]
    return sorted(set(problems))


@pytest.mark.parametrize("viewport", WIDTHS)
async def test_every_public_control_is_reached_by_tab_with_a_visible_ring(
    base_url: str, admin: httpx.Client, new_page: NewPage, viewport: dict[str, int]
) -> None:
    event_id = event_with_questions(admin)
    page = await new_page(viewport=viewport, locale="zh-CN")
    problems: list[str] = []
    await page.goto(base_url + "/")
    await expect(page.locator("a.card").first).to_be_visible()
    problems += await tab_through(page, "event list")
    await page.goto(base_url + "/?view=month")
    await expect(page.locator(".fc-daygrid-day").first).to_be_visible()
    problems += await tab_through(page, "month view")
    await page.goto(f"{base_url}/events/{event_id}")
    await expect(page.get_by_label("问题 track")).to_be_visible()
    problems += await tab_through(page, "event page")
    await page.goto(base_url + "/login")
    await expect(page.get_by_role("heading", name="登录")).to_be_visible()
    problems += await tab_through(page, "login")
    assert not problems, "\n".join(problems)


async def test_every_console_and_talent_control_is_reached_by_tab_with_a_visible_ring(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    forum_id, org_id = pending_forum(admin, base_url)
    page = await new_page(viewport=DESKTOP, locale="zh-CN")
    await sign_in(page, base_url, member(admin, org_id, "organiser", "赵主办"))
    problems: list[str] = []
    await page.goto(base_url + "/console")
    await expect(page.get_by_role("button", name="取消活动").first).to_be_visible()
    problems += await tab_through(page, "console home")
    await page.goto(f"{base_url}/console/events/{forum_id}/edit")
    await expect(page.locator("[data-quota]").first).to_be_visible()
    problems += await tab_through(page, "event editor")
    await page.goto(f"{base_url}/console/events/{forum_id}")
    await expect(page.get_by_role("row").filter(has_text="张三")).to_be_visible()
    problems += await tab_through(page, "organiser's event page")

    bureau = await new_page(viewport=DESKTOP, locale="zh-CN")
    await sign_in(bureau, base_url, *ADMIN)
    await bureau.goto(base_url + "/talent/dashboard")
    await expect(bureau.locator(".talent-chart-box svg").first).to_be_visible()
    problems += await tab_through(bureau, "talent dashboard")
    assert not problems, "\n".join(problems)


async def assert_focus_stays_in_the_dialog(page: Page) -> None:
    for key in ["Tab"] * 4 + ["Shift+Tab"] * 4:
        await page.keyboard.press(key)
        assert await page.evaluate("!!document.activeElement.closest('dialog[open]')"), f"{key} left the dialog"


async def test_the_confirmations_keep_the_focus_and_give_it_back(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    forum_id, org_id = pending_forum(admin, base_url)
    page = await new_page(viewport=DESKTOP, locale="zh-CN")
    await sign_in(page, base_url, member(admin, org_id, "organiser", "赵主办"))

    await page.goto(base_url + "/console")
    cancel = page.locator(f"[data-event='{forum_id}']").get_by_role("button", name="取消活动")
    await cancel.focus()
    await page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    await expect(dialog.get_by_role("button", name="确认取消活动")).to_be_focused()
    await assert_focus_stays_in_the_dialog(page)
    await page.keyboard.press("Escape")
    await expect(dialog).to_have_count(0)
    await expect(cancel).to_be_focused()  # back where it was
    await page.keyboard.press("Enter")
    await expect(dialog.get_by_role("button", name="确认取消活动")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_be_focused()  # the button is gone with the event: the answer has it
    await expect(page.get_by_role("status")).to_contain_text("已取消")

    forum_id, _ = pending_forum(admin, base_url, organisation_id=org_id)
    await page.goto(f"{base_url}/console/events/{forum_id}")
    reject = page.get_by_role("button", name="拒绝 张三 的报名")
    await reject.focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_label("拒绝理由（将通过邮件告知报名人）")).to_be_focused()
    await assert_focus_stays_in_the_dialog(page)
    await page.keyboard.press("Escape")
    await expect(page.get_by_role("dialog")).to_have_count(0)
    await expect(reject).to_be_focused()
    await page.keyboard.press("Enter")
    await page.keyboard.type("名额已满")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_have_text("已拒绝 张三 的报名")
    await expect(page.get_by_role("status")).to_be_focused()


def competition_with_an_entry(admin: httpx.Client, base: str) -> tuple[int, str, str]:
    """A seeded competition, a leader's team with a colleague invited and, for the first stage, an incomplete
    version (the answers alone) then one PDF: (event id, the submission page's path, the leader's email)."""
    seeded = seed_competition(admin)
    email = signed_up(admin, "韩梅梅", "leader")
    token = httpx.post(f"{base}/api/v1/auth/login", json={"email": email, "password": PASSWORD}).json()["token"]
    with httpx.Client(base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {token}"}) as leader:
        body = {"name": f"泉城智造队 {secrets.token_hex(3)}", "track_id": seeded.track_ids[0], "region": "lixia"}
        team = leader.post(f"/competitions/{seeded.competition_id}/teams", json=body)
        team.raise_for_status()
        team_id = team.json()["id"]
        leader.post(f"/teams/{team_id}/invites", json={"email": "mate@example.cn"}).raise_for_status()
        path = f"/teams/{team_id}/stages/{seeded.stage_ids[0]}"
        pdf = b"%PDF-1.7\n" + b"0" * 4000
        upload = {"Content-Type": "application/pdf"}
        leader.put(f"{path}/facts", json={"facts": {"summary": "产线视觉质检"}}).raise_for_status()
        leader.put(f"{path}/files/plan", params={"name": "方案书.pdf"}, content=pdf, headers=upload).raise_for_status()
    return seeded.event_id, path, email


@pytest.mark.parametrize("viewport", WIDTHS)
async def test_the_competition_pages_pass_axe(
    base_url: str, admin: httpx.Client, new_page: NewPage, viewport: dict[str, int]
) -> None:
    event_id, submission, leader = competition_with_an_entry(admin, base_url)
    other = seed_competition(admin)
    refusals = [(422, "/api/v1/competitions/*/teams"), (422, "/api/v1/teams/*/stages/*/files/plan")]
    page = await new_page(viewport=viewport, locale="zh-CN", expected_failures=refusals)
    found: list[str] = []
    await page.goto(f"{base_url}/events/{other.event_id}/competition?invite=qci_forged")
    await expect(page.get_by_role("heading", name="团队邀请")).to_be_visible()
    found += await audit(page, "competition page with an invitation, signed out")

    await sign_in(page, base_url, leader)
    await page.goto(f"{base_url}/events/{other.event_id}/competition")
    await page.get_by_role("button", name="创建团队").click()
    await page.get_by_role("button", name="创建团队").click()
    await expect(page.locator("#t-name-error")).to_be_visible()
    found += await audit(page, "team founding after a failed submit")
    await page.goto(f"{base_url}/events/{event_id}/competition")
    await expect(page.locator("[data-test=invites]")).to_contain_text("mate@example.cn")
    found += await audit(page, "competition page with the leader's team")
    await page.goto(base_url + submission)
    await expect(page.locator("[data-test=sha256]")).to_be_visible()
    notes: FilePayload = {"name": "notes.txt", "mimeType": "text/plain", "buffer": "不是 PDF".encode()}
    await page.locator("#slot-plan").set_input_files(notes)
    await page.get_by_role("button", name="上传").click()
    await expect(page.locator("#slot-plan-error")).to_be_visible()
    await expect(page.locator("[data-test=incomplete]")).to_have_text("未完成：缺少文件“方案书”")
    found += await audit(page, "submission page with an incomplete and a complete version and a refusal")
    assert_none(found)


async def test_every_competition_control_is_reached_by_tab_with_a_visible_ring(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    event_id, submission, leader = competition_with_an_entry(admin, base_url)
    page = await new_page(viewport=DESKTOP, locale="zh-CN")
    await sign_in(page, base_url, leader)
    problems: list[str] = []
    await page.goto(f"{base_url}/events/{event_id}/competition")
    await expect(page.locator("[data-test=team]")).to_be_visible()
    problems += await tab_through(page, "competition page")
    await page.goto(base_url + submission)
    await expect(page.locator("[data-test=sha256]")).to_be_visible()
    problems += await tab_through(page, "submission page")


@pytest.mark.parametrize("viewport", WIDTHS)
async def test_the_matchmaking_pages_pass_axe(
    base_url: str, admin: httpx.Client, new_page: NewPage, viewport: dict[str, int]
) -> None:
    seeded = scheduled_matchmaking(admin)
    found: list[str] = []
    visitor = await new_page(viewport=viewport, locale="zh-CN")
    await visitor.goto(base_url + "/pool")
    await expect(visitor.locator("[data-test=pool-entry]").first).to_be_visible()
    found += await audit(visitor, "pool")
    await visitor.locator("[data-test=pool-entry]").first.click()
    await expect(visitor.locator("[data-test=contact-hidden]")).to_be_visible()
    found += await audit(visitor, "pool entry, signed out")

    page = await new_page(viewport=viewport, locale="zh-CN", expected_failures=[(422, "/api/v1/pool-entries")])
    await sign_in(page, base_url, seeded["hospital"])
    await page.goto(base_url + "/pool")
    await page.get_by_role("link", name="新建条目").click()
    await page.get_by_role("button", name="保存草稿").click()
    await expect(page.locator(".field-error").first).to_be_visible()
    found += await audit(page, "pool editor with field errors")
    await page.goto(f"{base_url}/events/{seeded['event_id']}/matchmaking")
    await expect(page.get_by_label("想见").first).to_be_checked()
    found += await audit(page, "matchmaking profile and counterparts")

    host = await new_page(viewport=viewport, locale="zh-CN")
    await sign_in(host, base_url, seeded["host"])
    await host.goto(f"{base_url}/console/events/{seeded['event_id']}/matchmaking?schedule={seeded['schedule_id']}")
    meeting = host.locator(".mm-grid button.mm-meeting")
    await meeting.click()
    await expect(meeting).to_have_attribute("aria-pressed", "true")
    found += await audit(host, "organiser's matchmaking grid with a meeting selected")
    # The grid scrolls inside its region: the page itself never gets wider than the screen.
    assert await host.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert_none(found)


async def test_every_matchmaking_control_is_reached_by_tab_with_a_visible_ring(
    base_url: str, admin: httpx.Client, new_page: NewPage
) -> None:
    seeded = scheduled_matchmaking(admin)
    problems: list[str] = []
    page = await new_page(viewport=PHONE, locale="zh-CN")
    await sign_in(page, base_url, seeded["host"])
    await page.goto(f"{base_url}/console/events/{seeded['event_id']}/matchmaking?schedule={seeded['schedule_id']}")
    await expect(page.locator(".mm-grid button.mm-meeting")).to_be_visible()
    problems += await tab_through(page, "organiser's matchmaking grid")
    await page.goto(f"{base_url}/events/{seeded['event_id']}/matchmaking")
    await expect(page.get_by_role("heading", name="对接会参会资料")).to_be_visible()
    await page.goto(base_url + "/pool")
    await expect(page.locator("[data-test=pool-entry]").first).to_be_visible()
    problems += await tab_through(page, "pool")
    assert not problems, "\n".join(problems)
