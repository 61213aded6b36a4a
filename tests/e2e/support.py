"""Helpers for browser tests: the admin's and members' accounts, a seeded forum, a training base, signing in."""

from __future__ import annotations

import json
import secrets
import shutil
import sqlite3
import time
import uuid
from collections.abc import Awaitable, Callable, Collection
from contextlib import closing
from datetime import datetime
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

FAILED_LOAD = "Failed to load resource: the server responded with a status of"


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


def member(admin: httpx.Client, organisation_id: int, role: str, name: str) -> str:
    """A fresh account (password PASSWORD, in Chinese) holding `role` in the organisation; returns its email."""
    email = f"{role}-{uuid.uuid4().hex[:8]}@example.cn"
    signup = {"email": email, "password": PASSWORD, "name": name, "locale": "zh-CN"}
    httpx.post(str(admin.base_url.join("auth/signup")), json=signup).raise_for_status()  # not as the admin
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


def company_member(admin: httpx.Client, name: str) -> tuple[int, str]:
    """A new company in 历下区 and a new account that manages it: (organisation id, email)."""
    company = admin.post("/organisations", json={"name": {"zh": name}, "kind": "company", "region": "lixia"})
    company.raise_for_status()
    return int(company.json()["id"]), member(admin, company.json()["id"], "manager", f"{name}经理")


def published_entry(admin: httpx.Client, owner: tuple[int, str], body: dict[str, Any]) -> int:
    """A pool entry (`NEED` or `SOLUTION` of tests/matchmaking/support.py, or like them) that the owner (organisation
    id, a member's email) writes and submits, published by the admin (a curator): its id."""
    organisation_id, email = owner
    with client_of(admin, email) as client:
        created = client.post("/pool-entries", json={**body, "organisation_id": organisation_id})
        created.raise_for_status()
        entry_id = int(created.json()["id"])
        client.post(f"/pool-entries/{entry_id}/state", json={"state": "submitted"}).raise_for_status()
    admin.post(f"/pool-entries/{entry_id}/state", json={"state": "published"}).raise_for_status()
    return entry_id


def client_of(admin: httpx.Client, email: str) -> httpx.Client:
    """An API client signed in as `email` (password PASSWORD); close it after use."""
    token = httpx.post(str(admin.base_url.join("auth/login")), json={"email": email, "password": PASSWORD})
    token.raise_for_status()
    return httpx.Client(base_url=admin.base_url, headers={"Authorization": f"Bearer {token.json()['token']}"})


def registered(admin: httpx.Client, event_id: int, email: str) -> None:
    """`email`'s account registers for the forum-like event of `seed_forum` (confirmed: it needs no approval)."""
    with client_of(admin, email) as client:
        body = {"privacy_notice_version": 0, "email": email, "name": "参会代表", "answers": {"company": "参会单位"}}
        answer = client.post(f"/events/{event_id}/registrations", json=body)
        answer.raise_for_status()
        assert answer.json()["status"] == "confirmed", answer.text


def matchmaking_forum(admin: httpx.Client) -> tuple[int, int]:
    """A published matchmaking event like `seed_forum`'s but on 2032-03-18, 09:00–17:00 (after the events other
    browser tests look for on the list's first page), without rules yet: (event id, organisation id)."""
    day = {"starts_at": "2032-03-18T09:00:00+08:00", "ends_at": "2032-03-18T17:00:00+08:00"}
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
    with client_of(admin, email) as client:
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
    with client_of(admin, seeded["hospital"]) as client:
        path = f"/matchmaking-parties/{seeded['hospital_party']}/preferences/{seeded['vendor_party']}"
        client.put(path, json={"level": "want"}).raise_for_status()
    with client_of(admin, seeded["host"]) as client:
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
