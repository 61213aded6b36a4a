"""Helpers for browser tests: the admin's and members' accounts, a seeded forum, a training base, signing in."""

from __future__ import annotations

import json
import shutil
import sqlite3
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
