"""`quancheng serve --demo`: the demo data has every promised state, is added once, is consistent, and never
reaches production."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from tortoise import Tortoise

from events import demo as event_demo
from events.competitions import demo as competition_demo
from events.competitions import results, sheets, teams
from events.competitions.models import (
    Competition,
    JudgeAssignment,
    ScoreKind,
    ScoreRecord,
    Stage,
    Submission,
    Team,
    TeamInvite,
    TeamMember,
    TeamStatus,
    Track,
)
from events.competitions.storage import LocalSubmissionStore
from events.competitions.teams import TeamFull
from events.listing import registrations_out
from events.matchmaking import demo as pool_demo
from events.matchmaking.models import EntryState, PoolEntry
from events.models import Event, EventKind, EventStatus, Registration, RegistrationStatus
from server import demo
from server.clock import utcnow
from server.models import AuditEntry, Membership, Organisation, OrganisationKind, Role, User
from server.settings import Settings, load_settings
from talent import dashboard
from talent.models import Period, ReportStatus, Target, TraineeReport
from tests.server.support import run, serving


async def _rows() -> dict[str, int]:
    return {
        f"{label}.{model.__name__}": await model.all().count()
        for label, app in Tortoise.apps.items()
        for model in app.values()
    }


async def test_demo_has_events_in_every_state_and_kind(settings: Settings) -> None:
    assert await demo.seed(settings)
    events = await Event.all()
    by_status = {status: sum(e.status is status for e in events) for status in EventStatus}
    assert by_status == {
        EventStatus.PUBLISHED: 5,
        EventStatus.DRAFT: 1,
        EventStatus.CANCELLED: 1,
        EventStatus.COMPLETED: 1,
    }
    assert {e.kind for e in events} == set(EventKind)
    now = utcnow()
    for event in events:
        if event.status is EventStatus.COMPLETED:
            assert event.ends_at < now
        else:
            assert now + timedelta(days=6) < event.starts_at < now + timedelta(weeks=8, days=1), event.title_zh


async def test_demo_registrations_wait_for_seats_and_approval(settings: Settings) -> None:
    await demo.seed(settings)
    full = await Event.get(kind=EventKind.MATCHMAKING)
    waiting = await Registration.filter(event=full, status=RegistrationStatus.WAITLISTED).order_by("seq")
    assert len(waiting) == 3 and (await registrations_out(waiting, {}))[0].waitlist_position == 1
    assert await Registration.filter(event=full, status=RegistrationStatus.CONFIRMED).count() == 12
    contest = await Event.get(title_zh=event_demo.CONTEST["zh"])
    assert contest.requires_approval
    assert await Registration.filter(event=contest, status=RegistrationStatus.PENDING).count() == 4
    past = await Event.get(status=EventStatus.COMPLETED)
    assert await Registration.filter(event=past, checked_in_at__not_isnull=True).count() == 7


async def test_demo_talent_reports_are_in_every_state_and_the_dashboard_has_figures(settings: Settings) -> None:
    await demo.seed(settings)
    reports = await TraineeReport.all()
    assert {r.status for r in reports} == set(ReportStatus)
    (returned,) = [r for r in reports if r.status is ReportStatus.RETURNED]
    assert returned.comment
    last = await Period.all().order_by("-id").first()
    assert last is not None
    states = sorted(row.state for row in await dashboard.completeness(last))
    assert "missing" in states and "draft" in states
    assert await dashboard.totals(("region",), None, None) and await Target.exists()
    assert all(actual > 0 for actual in await dashboard.actuals(await Target.filter(metric="enrolled")))


async def test_demo_pool_is_searchable_in_chinese_and_recommends_with_reasons(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await demo.seed(settings)
    states = sorted(entry.state for entry in await PoolEntry.all())
    assert states.count(EntryState.DRAFT) == 1 and states.count(EntryState.SUBMITTED) == 1
    assert states.count(EntryState.PUBLISHED) == len(pool_demo.ENTRIES) - 2
    found = (await client.get("/api/v1/pool-entries", params={"q": "表面缺陷检测"})).json()
    titles = [entry["title"]["zh"] for entry in found["items"]]
    assert set(titles[:2]) == {"钢铁厂热轧带钢表面缺陷检测", "工业视觉表面缺陷检测平台"}, titles
    for waiting in ("厂区屋顶光伏发电功率预测", "中小学课堂教学质量智能分析"):  # the draft and the submitted one
        answer = (await client.get("/api/v1/pool-entries", params={"q": waiting})).json()
        assert waiting not in [entry["title"]["zh"] for entry in answer["items"]]
    need = await PoolEntry.get(title_zh="医院影像辅助诊断")
    answer = await client.get(f"/api/v1/pool-entries/{need.id}/recommendations", headers={"Accept-Language": "zh-CN"})
    assert answer.status_code == 200
    best = answer.json()[0]
    assert best["entry"]["title"]["zh"] == "医学影像辅助诊断系统（肺结节、骨折）"
    assert best["shared_domains"] == ["healthcare"] and "医疗健康" in best["reason"] and "影像" in best["reason"]


async def test_demo_competition_has_an_open_stage_teams_and_a_pending_invitation(settings: Settings) -> None:
    await demo.seed(settings)
    competition = await Competition.get(event__title_zh=event_demo.CONTEST["zh"])
    assert [t.name_zh for t in await Track.filter(competition=competition).order_by("position")] == [
        "工业视觉",
        "大模型应用",
        "具身智能",
    ]  # the tracks the event's registration form offers
    now = utcnow()
    stages = await Stage.filter(competition=competition).order_by("position")
    assert [s.name_zh for s in stages] == ["报名", "方案提交", "初审"]
    assert [s.starts_at <= now < s.deadline for s in stages] == [True, False, False]
    teams = {team.name: team for team in await Team.filter(competition=competition)}
    assert {name: team.status for name, team in teams.items()} == {
        "泉眼视觉": TeamStatus.ACTIVE,
        "齐鲁智语": TeamStatus.PENDING,
        "历山智眼": TeamStatus.ACTIVE,
    }
    sizes = {name: await TeamMember.filter(team=team, holder__not_isnull=True).count() for name, team in teams.items()}
    assert sizes == {"泉眼视觉": 2, "齐鲁智语": 2, "历山智眼": 1}
    (waiting,) = await TeamInvite.filter(team__competition=competition, accepted_at__isnull=True)
    assert waiting.team_id == teams["齐鲁智语"].id and waiting.expires_at > now


async def test_demo_competition_has_a_judged_first_round_ranked_by_the_real_code(settings: Settings) -> None:
    await demo.seed(settings)
    event = await Event.get(title_zh=event_demo.CONTEST["zh"])
    first = await Stage.filter(competition__event=event).order_by("position").first()
    assert first is not None
    entered = await Submission.filter(stage=first).select_related("team")
    assert sorted(entry.team.name for entry in entered) == ["历山智眼", "泉眼视觉"]
    store = LocalSubmissionStore.for_settings(settings)
    for entry in entered:  # small generated PDFs, stored and hashed by the storage module
        [plan] = entry.files
        content = b"".join([chunk async for chunk in await store.open(str(plan["key"]))])
        assert content.startswith(b"%PDF-1.4") and content.rstrip().endswith(b"%%EOF")
        assert hashlib.sha256(content).hexdigest() == plan["sha256"]
    judges = await User.filter(memberships__role=Role.JUDGE).order_by("email")
    assert [judge.email for judge in judges] == [f"judge{n}@{demo.DOMAIN}" for n in (1, 2, 3)]
    assignments = await JudgeAssignment.filter(stage=first, withdrawn_at__isnull=True)
    assert len(assignments) == 6 and all(assignment.cleared_at for assignment in assignments)
    assert await ScoreRecord.filter(assignment__stage=first, kind=ScoreKind.SCORE).count() == 6

    [vision, *others] = results.ranking_out(await sheets.rank_stage(event, first.id))
    assert [(place.team_name, place.sheets, place.decided_by) for place in vision.ranked] == [
        ("泉眼视觉", 3, None),
        ("历山智眼", 3, "normalised_mean"),
    ]
    assert all(not track.ranked and not track.unscored for track in others)
    # Weights 30/25/20/15/10 on 0–10: 泉眼视觉's sheets total 76, 71 and 83 points; each judge scored it the higher
    # of their two, so its normalised mean is +1.
    assert vision.ranked[0].raw_mean == pytest.approx((76 + 71 + 83) / 3)
    assert vision.ranked[0].normalised_mean == pytest.approx(1.0)


async def test_demo_challenge_puts_up_the_published_need(client: httpx.AsyncClient, settings: Settings) -> None:
    await demo.seed(settings)
    need = await PoolEntry.get(title_zh=competition_demo.CHALLENGE_NEED)
    assert need.state is EntryState.PUBLISHED
    event = await Event.get(title_zh=event_demo.CHALLENGE["zh"])
    assert event.kind is EventKind.COMPETITION and event.status is EventStatus.PUBLISHED
    answer = (await client.get(f"/api/v1/events/{event.id}/competition", headers={"Accept-Language": "zh-CN"})).json()
    assert answer["is_challenge"] and answer["scenario_need_id"] == need.id
    assert answer["need"].startswith("钢铁厂热轧带钢表面缺陷检测\n\n## 场景")  # the need's own text is the terms
    company = await Organisation.get(id=answer["co_organiser_id"])
    assert company.id == need.organisation_id and company.name_zh == "济南智造云科技有限公司"
    (team,) = await Team.filter(competition__event=event)
    assert (team.name, team.status) == (competition_demo.CHALLENGE_TEAM, TeamStatus.ACTIVE)
    assert [stage["name"]["zh"] for stage in answer["stages"]] == ["揭榜报名", "现场验证与答辩"]


async def test_demo_accounts_sign_in_with_the_printed_password(client: httpx.AsyncClient, settings: Settings) -> None:
    await demo.seed(settings)
    for account in demo.ACCOUNTS:
        answer = await client.post("/api/v1/auth/login", json={"email": account.email, "password": demo.PASSWORD})
        assert answer.status_code == 200, account.email
        client.cookies.clear()  # else the next login would need the session's CSRF value
    assert (await User.get(email=demo.ADMIN_EMAIL)).is_admin
    bureau = await Organisation.get(kind=OrganisationKind.BUREAU)
    assert bureau.name_en and await Membership.exists(organisation=bureau, user__email=demo.ADMIN_EMAIL)
    listed = (await client.get("/api/v1/events")).json()
    assert listed["total"] == 7  # everything but the draft


async def test_a_second_seeding_adds_nothing(settings: Settings) -> None:
    assert await demo.seed(settings)
    before = await _rows()
    assert before["server.AuditEntry"] > 100
    assert before["matchmaking.PoolEntry"] == len(pool_demo.ENTRIES) and before["competitions.Team"] == 4
    assert not await demo.seed(settings)
    assert await _rows() == before
    assert await AuditEntry.all().count() == before["server.AuditEntry"]


async def test_a_failure_in_the_last_step_leaves_nothing_seeded(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def full_teams(*args: object, **kwargs: object) -> None:
        raise TeamFull(size=4)

    monkeypatch.setattr(teams, "accept", full_teams)
    empty = await _rows()
    with pytest.raises(TeamFull):
        await demo.seed(settings)
    assert await _rows() == empty and not await demo.present()


async def test_check_finds_no_drift_after_seeding(settings: Settings, tmp_path: Path) -> None:
    await demo.seed(settings)
    answer = run(["check"], tmp_path, DATABASE_URL=settings.DATABASE_URL)
    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert "quotas: every count matches its holders" in answer.stdout


def test_production_and_smtp_refuse_the_demo(tmp_path: Path) -> None:
    for command in (["serve", "--demo"], ["demo"]):
        answer = run(command, tmp_path, MODE="production", SECRET_KEY="s" * 40)
        assert answer.returncode == 2
        assert answer.stderr == (
            "quancheng: --demo is for trying Quancheng out and is refused when MODE is production\n"
        )
    assert not (tmp_path / "quancheng.sqlite3").exists()
    mailing = load_settings(DATA_DIR=tmp_path, SMTP_URL="smtp://mail.example.cn:25")
    assert demo.refusal(mailing) == (
        "--demo writes its mail to files; unset SMTP_URL so that nothing leaves this machine"
    )


def test_serve_demo_lists_the_demo_events(tmp_path: Path) -> None:
    with serving(tmp_path, "--demo") as base:
        events = httpx.get(f"{base}/api/v1/events", params={"per_page": 50}).json()
        titles = {event["title"]["zh"] for event in events["items"]}
        assert "泉城人工智能产业发展论坛" in titles and "AI赋能制造业供需对接会" in titles
        assert all(event["title"]["en"] for event in events["items"])
    seeded_again = run(["demo"], tmp_path)
    assert seeded_again.returncode == 0 and seeded_again.stdout.startswith("demo data already present")
    assert demo.ADMIN_EMAIL in seeded_again.stdout
