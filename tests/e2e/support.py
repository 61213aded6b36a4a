"""Helpers for browser tests: the admin's and members' accounts, a seeded forum, a training base, a seeded competition,
signing in."""

from __future__ import annotations

import json
import secrets
import shutil
import sqlite3
import time
import uuid
from collections.abc import Awaitable, Callable, Collection
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
from playwright.async_api import ConsoleMessage, Page, expect

from notifications.templates import TEMPLATES
from tests.matchmaking.support import NEED, SOLUTION

CHROMIUM = shutil.which("chromium")
PASSWORD = "a long password"
ADMIN = ("admin@bureau.gov.cn", PASSWORD)

NewPage = Callable[..., Awaitable[Page]]

# Each page reports a Content-Security-Policy violation as a console error (Chromium logs most of them itself,
# "… violates the following Content Security Policy directive …", but not all), which fails the test
# (tests/e2e/conftest.py).
REPORT_POLICY_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => console.error(
  "CSP violation: " + event.violatedDirective + " blocked " + (event.blockedURI || "inline")
  + " at " + event.sourceFile + ":" + event.lineNumber));
"""
FAILED_LOAD = "Failed to load resource: the server responded with a status of"

# An idle connection is dropped after 1 s, well before uvicorn closes it (5 s): at the same 5 s on both sides, a
# request sent on a connection the server is closing fails with "Server disconnected without sending a response".
LIMITS = httpx.Limits(keepalive_expiry=1.0)


def expected_failure(message: ConsoleMessage, expected: Collection[tuple[int, str]]) -> bool:
    """Whether `message` is Chromium's line for one of the `expected` (status, path) answers; a path may hold `*`
    for a part the test cannot know in advance (a registration's id)."""
    path = urlsplit(message.location.get("url", "")).path
    return any(
        message.text.startswith(f"{FAILED_LOAD} {status} ") and fnmatchcase(path, want) for status, want in expected
    )


def seed_forum(admin: httpx.Client, *, capacity: int = 1, publish: bool = True, **extra: Any) -> int:
    """A forum in 历下区 with a required company question, published unless told; returns its id."""
    org = admin.post(
        "/organisations", json={"name": {"zh": "济南人工智能产业联盟"}, "kind": "organiser", "region": "lixia"}
    ).json()
    event = admin.post(
        "/events",
        json={
            "organisation_id": org["id"],
            "kind": "forum",
            "title": {"zh": "AI赋能制造业对接会", "en": "AI for Manufacturing"},
            "region": "lixia",
            "venue": "高新区会展中心",
            "starts_at": "2030-03-18T09:00:00+08:00",
            "ends_at": "2030-03-18T17:00:00+08:00",
            "capacity": capacity,
            **extra,
        },
    ).json()
    admin.post(
        f"/events/{event['id']}/questions",
        json={"key": "company", "kind": "text", "label": {"zh": "单位名称", "en": "Company"}, "required": True},
    )
    if publish:
        admin.post(f"/events/{event['id']}/publish").raise_for_status()
    return int(event["id"])


def signed_up(admin: httpx.Client, name: str, prefix: str = "user") -> str:
    """A fresh account (password PASSWORD, in Chinese) of no organisation; returns its email."""
    email = f"{prefix}-{uuid.uuid4().hex[:8]}@example.cn"
    signup = {"email": email, "password": PASSWORD, "name": name, "locale": "zh-CN"}
    httpx.post(str(admin.base_url.join("auth/signup")), json=signup).raise_for_status()  # not as the admin
    return email


def member(admin: httpx.Client, organisation_id: int, role: str, name: str) -> str:
    """A fresh account (password PASSWORD, in Chinese) holding `role` in the organisation; returns its email."""
    email = signed_up(admin, name, role)
    admin.post(f"/organisations/{organisation_id}/members", json={"email": email, "role": role}).raise_for_status()
    return email


def mailed_link(data_dir: Path, template: str, to: str) -> str:
    """The action link of the latest mail of `template` to `to` in the service's outbox, as the recipient opens it."""
    with closing(sqlite3.connect(data_dir / "quancheng.sqlite3")) as database:
        row = database.execute(
            "SELECT template, locale, context FROM outbox_message WHERE template = ? AND to_addr = ? ORDER BY id DESC",
            (template, to),
        ).fetchone()
    assert row is not None, f"no {template} mail to {to}"
    action = TEMPLATES[template].action
    assert action is not None
    return str(json.loads(row[2])[action])


async def sign_in(page: Page, base: str, email: str, password: str = PASSWORD) -> None:
    """Sign in through the login page, as a person does."""
    await page.goto(base + "/login")
    await page.get_by_label("邮箱").fill(email)
    await page.get_by_label("密码（至少 10 位）").fill(password)
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_role("button", name="退出")).to_be_visible()


def base_with_reporter(admin: httpx.Client, name: str, region: str) -> tuple[int, str]:
    """A training base and a new account that reports for it: (base id, the reporter's email)."""
    base = admin.post("/organisations", json={"name": {"zh": name}, "kind": "training_base", "region": region})
    base.raise_for_status()
    return int(base.json()["id"]), member(admin, base.json()["id"], "reporter", "填报员")


def open_period(admin: httpx.Client) -> str:
    """This month in the city, as a reporting period (the service is shared: another test may have opened it)."""
    period = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    answer = admin.post("/talent/periods", json={"id": period})
    assert answer.status_code in (201, 422), answer.text
    return period


def open_programme(admin: httpx.Client, base_id: int, year: str) -> int:
    """An AI-trainer cohort at the base that runs all year."""
    programme = admin.post(
        "/talent/programmes",
        json={
            "occupation": "4-04-05-05",
            "base_id": base_id,
            "target_level": "4",
            "cohort": "数据标注秋季班",
            "starts_on": f"{year}-01-01",
            "ends_on": f"{year}-12-31",
            "planned_size": 40,
        },
    )
    programme.raise_for_status()
    return int(programme.json()["id"])


def reported_with_evidence(admin: httpx.Client, base_name: str, region: str, new_trainees: int) -> tuple[str, int]:
    """This month's report of a new base's programme, submitted with `new_trainees` new trainees, the programme
    linked to a published training event with no registrations: (period, base id)."""
    period = open_period(admin)
    base_id, _ = base_with_reporter(admin, base_name, region)
    programme_id = open_programme(admin, base_id, period[:4])
    event_id = seed_forum(admin, kind="training", title={"zh": "数据标注实操"}, capacity=30)
    admin.put(f"/talent/programmes/{programme_id}/events", json={"event_ids": [event_id]}).raise_for_status()
    report = f"/talent/reports/{base_id}/{period}/{programme_id}"
    admin.put(report, json={"new_male": new_trainees, "training_hours": 20}).raise_for_status()
    admin.post(report + "/submit").raise_for_status()
    return period, base_id


@dataclass(frozen=True)
class SeededCompetition:
    event_id: int
    organisation_id: int
    competition_id: int
    track_ids: list[int]
    stage_ids: list[int]


def seed_competition(
    admin: httpx.Client, *, requires_approval: bool = False, challenge: dict[str, Any] | None = None
) -> SeededCompetition:
    """A published competition event (it starts in 30 days, in Asia/Shanghai) of a new organiser organisation,
    set up with two tracks (智能制造, 智慧医疗), teams of 1–3 from any region, and two stages: 方案提交, open since
    an hour ago with a 20-day deadline, an optional fact `summary` (项目简介) and a required PDF slot `plan`
    (方案书, at most 1 MB); then 决赛路演 (a PDF or PPTX `deck`); a 揭榜挂帅 challenge with `challenge`. Move a
    deadline with `POST /events/{event}/competition/stages/{stage}/deadline`."""
    now = datetime.now(UTC).replace(microsecond=0)
    organisation = admin.post(
        "/organisations",
        json={"name": {"zh": f"泉城大赛组委会 {uuid.uuid4().hex[:6]}"}, "kind": "organiser", "region": "lixia"},
    )
    organisation.raise_for_status()
    event = admin.post(
        "/events",
        json={
            "organisation_id": organisation.json()["id"],
            "kind": "competition",
            "title": {"zh": "泉城AI创新应用大赛", "en": "Quancheng AI Innovation Challenge"},
            "region": "lixia",
            "venue": "高新区会展中心",
            "starts_at": (now + timedelta(days=30)).isoformat(),
            "ends_at": (now + timedelta(days=60)).isoformat(),
            "capacity": 500,
        },
    )
    event.raise_for_status()
    event_id = int(event.json()["id"])
    admin.post(f"/events/{event_id}/publish").raise_for_status()
    set_up = {
        "team_min": 1,
        "team_max": 3,
        "requires_approval": requires_approval,
        "challenge": challenge,
        "tracks": [
            {"name": {"zh": "智能制造", "en": "Smart manufacturing"}},
            {"name": {"zh": "智慧医疗", "en": "Health"}},
        ],
        "stages": [
            {
                "name": {"zh": "方案提交", "en": "Proposals"},
                "starts_at": (now - timedelta(hours=1)).isoformat(),
                "deadline": (now + timedelta(days=20)).isoformat(),
                "fact_sheet": [{"key": "summary", "label": {"zh": "项目简介", "en": "Summary"}, "max_length": 500}],
                "file_slots": [
                    {
                        "key": "plan",
                        "label": {"zh": "方案书", "en": "Plan"},
                        "required": True,
                        "kinds": ["pdf"],
                        "max_mb": 1,
                    }
                ],
            },
            {
                "name": {"zh": "决赛路演", "en": "Finals"},
                "starts_at": (now + timedelta(days=21)).isoformat(),
                "deadline": (now + timedelta(days=50)).isoformat(),
                "file_slots": [{"key": "deck", "label": {"zh": "路演材料", "en": "Deck"}, "kinds": ["pdf", "pptx"]}],
            },
        ],
    }
    competition = admin.post(f"/events/{event_id}/competition", json=set_up)
    competition.raise_for_status()
    created = competition.json()
    return SeededCompetition(
        event_id=event_id,
        organisation_id=int(organisation.json()["id"]),
        competition_id=int(created["id"]),
        track_ids=[int(track["id"]) for track in created["tracks"]],
        stage_ids=[int(stage["id"]) for stage in created["stages"]],
    )


# A judged competition, seeded through the API as its organiser, leaders and judges would.

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 8
RUBRIC = {
    "criteria": [
        {
            "key": "innovation",
            "label": {"zh": "创新性", "en": "Innovation"},
            "weight": 3,
            "maximum": 10,
            "anchors": [{"score": 10, "text": {"zh": "国内首创", "en": "A first in China"}}],
        },
        {"key": "team", "label": {"zh": "团队", "en": "Team"}, "weight": 1, "maximum": 10},
    ],
    "judges_per_entry": 3,
}


@dataclass
class Competition:
    """A published competition event whose first stage is open now: its ids, its organiser's email, the judges'
    (email, user id) and the teams' (name, leader's email, team id), all with password PASSWORD."""

    event_id: int
    org_id: int
    competition_id: int
    stage_ids: list[int]
    track_id: int
    organiser: str
    judges: list[tuple[str, int]]
    teams: list[tuple[str, str, int]]

    def stage(self, index: int = 0) -> str:
        return f"/events/{self.event_id}/competition/stages/{self.stage_ids[index]}"


def signed_in(admin: httpx.Client, email: str) -> httpx.Client:
    """An API client signed in as `email` (close it after use)."""
    answer = httpx.post(str(admin.base_url.join("auth/login")), json={"email": email, "password": PASSWORD})
    answer.raise_for_status()
    token = answer.json()["token"]
    return httpx.Client(base_url=admin.base_url, headers={"Authorization": f"Bearer {token}"}, limits=LIMITS)


def seed_judged_competition(
    admin: httpx.Client,
    title: str,
    *,
    judges: int = 3,
    panel: int | None = None,
    teams: tuple[str, ...] = ("泉眼视觉", "齐鲁智语"),
    rubric: bool = True,
) -> Competition:
    """A competition of one track and two stages (the first open now, asking for a PDF `plan`),
    `judges` members with the judge role of which the first `panel` (default all) are on its panel, and `teams`,
    each with a PDF entered by its leader; the rubric set unless told."""
    org = admin.post("/organisations", json={"name": {"zh": f"{title}组委会"}, "kind": "organiser", "region": "lixia"})
    org.raise_for_status()
    org_id = int(org.json()["id"])
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    event = admin.post(
        "/events",
        json={
            "organisation_id": org_id,
            "kind": "competition",
            "title": {"zh": title, "en": "AI Innovation Challenge"},
            "region": "lixia",
            "venue": "高新区会展中心",
            "starts_at": (now + timedelta(days=20)).isoformat(),
            "ends_at": (now + timedelta(days=40)).isoformat(),
        },
    )
    event.raise_for_status()
    event_id = int(event.json()["id"])
    admin.post(f"/events/{event_id}/publish").raise_for_status()
    windows = [
        (now - timedelta(hours=1), now + timedelta(days=10)),
        (now + timedelta(days=11), now + timedelta(days=12)),
    ]
    created = admin.post(
        f"/events/{event_id}/competition",
        json={
            "tracks": [{"name": {"zh": "工业视觉", "en": "Industrial vision"}}],
            "stages": [
                {
                    "name": {"zh": name, "en": english},
                    "starts_at": opens.isoformat(),
                    "deadline": closes.isoformat(),
                    "file_slots": [{"key": "plan", "label": {"zh": "方案书", "en": "Plan"}, "kinds": ["pdf"]}],
                }
                for (name, english), (opens, closes) in zip(
                    [("初审", "First review"), ("决赛", "Finals")], windows, strict=True
                )
            ],
        },
    )
    created.raise_for_status()
    competition = created.json()
    stage_ids = [int(stage["id"]) for stage in competition["stages"]]
    track_id = int(competition["tracks"][0]["id"])
    base = f"/events/{event_id}/competition"
    if rubric:
        admin.put(f"{base}/stages/{stage_ids[0]}/rubric", json=RUBRIC).raise_for_status()
    members = [member(admin, org_id, "judge", f"评委{n + 1}") for n in range(judges)]
    ids = {row["email"]: int(row["user_id"]) for row in admin.get(f"/organisations/{org_id}/members").json()}
    for email in members[: judges if panel is None else panel]:
        admin.post(f"{base}/judges", json={"user_id": ids[email], "track_ids": [track_id]}).raise_for_status()
    entered = []
    for name in teams:
        leader = signed_up(admin, f"{name}队长", "leader")
        with signed_in(admin, leader) as client:
            team = client.post(
                f"/competitions/{competition['id']}/teams", json={"name": name, "track_id": track_id, "region": "lixia"}
            )
            team.raise_for_status()
            team_id = int(team.json()["id"])
            client.put(
                f"/teams/{team_id}/stages/{stage_ids[0]}/files/plan",
                params={"name": f"{name}方案.pdf"},
                content=PDF,
                headers={"Content-Type": "application/pdf"},
            ).raise_for_status()
        entered.append((name, leader, team_id))
    organiser = member(admin, org_id, "organiser", "大赛主办方")
    return Competition(
        event_id,
        org_id,
        int(competition["id"]),
        stage_ids,
        track_id,
        organiser,
        [(email, ids[email]) for email in members],
        entered,
    )


def company_member(admin: httpx.Client, name: str) -> tuple[int, str]:
    """A new company in 历下区 and a new account that manages it: (organisation id, email)."""
    company = admin.post("/organisations", json={"name": {"zh": name}, "kind": "company", "region": "lixia"})
    company.raise_for_status()
    return int(company.json()["id"]), member(admin, company.json()["id"], "manager", f"{name}经理")


def published_entry(admin: httpx.Client, owner: tuple[int, str], body: dict[str, Any]) -> int:
    """A pool entry (`NEED` or `SOLUTION` of tests/matchmaking/support.py, or like them) that the owner (organisation
    id, a member's email) writes and submits, published by the admin (a curator): its id."""
    organisation_id, email = owner
    with signed_in(admin, email) as client:
        created = client.post("/pool-entries", json={**body, "organisation_id": organisation_id})
        created.raise_for_status()
        entry_id = int(created.json()["id"])
        client.post(f"/pool-entries/{entry_id}/state", json={"state": "submitted"}).raise_for_status()
    admin.post(f"/pool-entries/{entry_id}/state", json={"state": "published"}).raise_for_status()
    return entry_id


def registered(admin: httpx.Client, event_id: int, email: str) -> None:
    """`email`'s account registers for the forum-like event of `seed_forum` (confirmed: it needs no approval)."""
    with signed_in(admin, email) as client:
        body = {"privacy_notice_version": 0, "email": email, "name": "参会代表", "answers": {"company": "参会单位"}}
        answer = client.post(f"/events/{event_id}/registrations", json=body)
        answer.raise_for_status()
        assert answer.json()["status"] == "confirmed", answer.text


def matchmaking_forum(admin: httpx.Client) -> tuple[int, int]:
    """A published matchmaking event like `seed_forum`'s but on 2032-03-18, 09:00–17:00 (after the events other
    browser tests look for on the list's first page), without rules yet: (event id, organisation id)."""
    day: dict[str, Any] = {"starts_at": "2032-03-18T09:00:00+08:00", "ends_at": "2032-03-18T17:00:00+08:00"}
    event_id = seed_forum(admin, capacity=50, kind="matchmaking", title={"zh": "AI赋能医疗专场对接会"}, **day)
    return event_id, int(admin.get(f"/events/{event_id}").json()["organisation_id"])


# The grid of `matchmaking_forum`'s day: 上午 three 20-minute slots from 09:00, three tables.
FORUM_GRID: dict[str, Any] = {
    "slot_minutes": 20,
    "sessions": [{"name": {"zh": "上午", "en": "Morning"}, "starts_at": "2032-03-18T09:00:00+08:00", "slots": 3}],
    "tables": ["A1", "A2", "A3"],
}


def party_of(
    admin: httpx.Client, event_id: int, email: str, organisation_id: int, side: str, entry_ids: list[int]
) -> int:
    """`email` registers for the matchmaking event and creates its organisation's party: the party's id."""
    registered(admin, event_id, email)
    with signed_in(admin, email) as client:
        body = {"organisation_id": organisation_id, "side": side, "entry_ids": entry_ids}
        created = client.post(f"/events/{event_id}/matchmaking/parties", json=body)
        created.raise_for_status()
        return int(created.json()["id"])


def matchmaking_pair(admin: httpx.Client, **rules: Any) -> dict[str, Any]:
    """A matchmaking event with `FORUM_GRID` (and `rules`), a hospital (需求方) and an AI vendor (供给方) as its
    parties, each with its published entry: the ids and the emails of the host and both companies' managers."""
    mark = secrets.token_hex(3)
    event_id, org_id = matchmaking_forum(admin)
    admin.put(f"/events/{event_id}/matchmaking", json=FORUM_GRID | rules).raise_for_status()
    host = member(admin, org_id, "organiser", "对接会主办")
    hospital = company_member(admin, f"济南影像医院 {mark}")
    vendor = company_member(admin, f"肺结节AI公司 {mark}")
    solution_id, need_id = published_entry(admin, vendor, SOLUTION), published_entry(admin, hospital, NEED)
    return {
        "event_id": event_id,
        "host": host,
        "hospital": hospital[1],
        "hospital_name": f"济南影像医院 {mark}",
        "hospital_party": party_of(admin, event_id, hospital[1], hospital[0], "demand", [need_id]),
        "vendor": vendor[1],
        "vendor_name": f"肺结节AI公司 {mark}",
        "vendor_party": party_of(admin, event_id, vendor[1], vendor[0], "supply", [solution_id]),
    }


def scheduled_matchmaking(admin: httpx.Client) -> dict[str, Any]:
    """`matchmaking_pair` where the hospital wants to meet the vendor, with a finished provisional schedule
    (`schedule_id`)."""
    seeded = matchmaking_pair(admin)
    with signed_in(admin, seeded["hospital"]) as client:
        path = f"/matchmaking-parties/{seeded['hospital_party']}/preferences/{seeded['vendor_party']}"
        client.put(path, json={"level": "want"}).raise_for_status()
    with signed_in(admin, seeded["host"]) as client:
        started = client.post(f"/events/{seeded['event_id']}/matchmaking/schedules", json={"time_limit": 5})
        started.raise_for_status()
        run = started.json()
        for _ in range(300):
            if run["state"] in ("done", "failed"):
                break
            time.sleep(0.1)
            run = client.get(f"/events/{seeded['event_id']}/matchmaking/schedules/{run['id']}").json()
    assert run["state"] == "done" and len(run["meetings"]) == 1, run
    return seeded | {"schedule_id": run["id"]}


def score_everything(
    admin: httpx.Client, judges: list[tuple[str, int]], points: dict[int, int], keys: tuple[str, ...]
) -> None:
    """Each judge declares no conflict with each entry still open on their list and submits `points[team]` on
    every criterion (sheets a judge already submitted, in a page, are left as they are)."""
    for email, _ in judges:
        with signed_in(admin, email) as judge:
            for item in judge.get("/judging/queue").json():
                if item["submitted"]:
                    continue
                path = f"/judging/assignments/{item['assignment_id']}"
                if not item["cleared"]:
                    judge.post(path + "/declaration", json={"conflict": False}).raise_for_status()
                scores = dict.fromkeys(keys, points[item["team_id"]])
                judge.patch(path + "/sheet", json={"scores": scores}).raise_for_status()
                judge.post(path + "/sheet/submit").raise_for_status()


def seed_matchmaking_agenda(admin: httpx.Client) -> tuple[str, int]:
    """A matchmaking event with a published schedule: a hospital meets an AI vendor. Answers the hospital
    member's email (password PASSWORD) and its party id."""
    host = admin.post(
        "/organisations", json={"name": {"zh": "济南人工智能产业联盟"}, "kind": "organiser", "region": "lixia"}
    ).json()
    event = admin.post(
        "/events",
        json={
            "organisation_id": host["id"],
            "kind": "matchmaking",
            "title": {"zh": "AI赋能医疗专场对接会", "en": "AI for Healthcare Matchmaking"},
            "region": "lixia",
            "venue": "高新区会展中心",
            "starts_at": "2032-03-18T09:00:00+08:00",
            "ends_at": "2032-03-18T17:00:00+08:00",
            "capacity": 20,
        },
    ).json()
    event_id = event["id"]
    admin.post(f"/events/{event_id}/publish").raise_for_status()
    session = {"name": {"zh": "上午", "en": "Morning"}, "starts_at": "2032-03-18T09:00:00+08:00", "slots": 3}
    grid = {"slot_minutes": 20, "sessions": [session], "tables": ["A1", "A2"]}
    admin.put(f"/events/{event_id}/matchmaking", json=grid).raise_for_status()
    parties: list[tuple[str, int, dict[str, str]]] = []
    for name, side in (("济南市第一人民医院", "demand"), ("山东智算科技", "supply")):
        company = admin.post("/organisations", json={"name": {"zh": name}, "kind": "company", "region": "lixia"})
        org_id = company.json()["id"]
        email = member(admin, org_id, "manager", "对接联络人")
        login = httpx.post(str(admin.base_url.join("auth/login")), json={"email": email, "password": PASSWORD})
        auth = {"Authorization": f"Bearer {login.json()['token']}"}
        registration = {"privacy_notice_version": 0, "email": email, "name": "对接联络人"}
        httpx.post(
            str(admin.base_url.join(f"events/{event_id}/registrations")), json=registration, headers=auth
        ).raise_for_status()
        party = httpx.post(
            str(admin.base_url.join(f"events/{event_id}/matchmaking/parties")),
            json={"organisation_id": org_id, "side": side},
            headers=auth,
        )
        party.raise_for_status()
        parties.append((email, party.json()["id"], auth))
    (hospital, hospital_party, hospital_auth), (_, vendor_party, _) = parties
    httpx.put(
        str(admin.base_url.join(f"matchmaking-parties/{hospital_party}/preferences/{vendor_party}")),
        json={"level": "want"},
        headers=hospital_auth,
    ).raise_for_status()
    run = admin.post(f"/events/{event_id}/matchmaking/schedules", json={"time_limit": 5}).json()
    for _ in range(200):
        if admin.get(f"/events/{event_id}/matchmaking/schedules/{run['id']}").json()["state"] == "done":
            break
        time.sleep(0.05)
    admin.post(f"/events/{event_id}/matchmaking/schedules/{run['id']}/publish").raise_for_status()
    return hospital, hospital_party


def registration(base: str, event_id: int, name: str) -> tuple[str, str]:
    """A registration for the forum of one question (company): (id, manage token)."""
    answer = httpx.post(
        f"{base}/api/v1/events/{event_id}/registrations",
        json={
            "privacy_notice_version": 0,
            "email": f"{uuid.uuid4().hex[:8]}@example.cn",
            "name": name,
            "answers": {"company": "济南智造"},
        },
    )
    answer.raise_for_status()
    return str(answer.json()["id"]), str(answer.json()["manage_token"])
