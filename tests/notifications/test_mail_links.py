"""Every kind of mail, made by real actions, links only to pages the web UI serves or API paths that answer."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from events import mailing
from events.competitions import submissions
from events.competitions.models import Results
from events.competitions.schemas import SubmissionIn
from notifications.models import OutboxMessage
from notifications.templates import TEMPLATES, render
from server.clock import utcnow
from server.models import User
from talent.mailing import send_report_reminders
from talent.models import Period
from talent.reports import CITY_ZONE
from tests.events.support import organiser, published_event, register
from tests.matchmaking.test_meetings import finished, matchmaking_event, party
from tests.support import sign_up
from tests.talent.support import setup

APP = Path(__file__).resolve().parents[2] / "static" / "app"
BASE = "https://q.example.cn"


def page_table(script: str, table: str) -> list[re.Pattern[str]]:
    """The path patterns of a page table in the web UI (`const PAGES = [[/^...$/, "Page"], ...]`)."""
    source = (APP / script).read_text("utf-8")
    body = source.split(f"const {table} = [", 1)[1].split("];", 1)[0]
    return [re.compile(literal) for literal in re.findall(r"\[/(\^.*?\$)/,", body)]


PAGES = page_table("main.js", "PAGES")
TALENT_PAGES = page_table("talent.js", "ROUTES")


def is_page(path: str) -> bool:
    if path == "/":
        return True
    if not any(pattern.match(path) for pattern in PAGES):
        return False
    return not path.startswith("/talent") or any(pattern.match(path) for pattern in TALENT_PAGES)


async def every_kind_of_mail(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    full = await published_event(client, headers, org_id, capacity=1, offer_hours=24)
    first = await register(client, full, "first@x.cn")
    await register(client, full, "second@x.cn", locale="en")  # waitlisted, then offered
    owner = {"Authorization": f"Bearer {first.json()['manage_token']}"}
    await client.post(f"/api/v1/registrations/{first.json()['id']}/cancel", headers=owner)
    vetted = await published_event(client, headers, org_id, requires_approval=True)
    for email, verdict, body in (("yes@x.cn", "approve", {}), ("no@x.cn", "reject", {"reason": "名额已满"})):
        pending = await register(client, vetted, email)
        answer = await client.post(
            f"/api/v1/registrations/{pending.json()['id']}/{verdict}", json=body, headers=headers
        )
        assert answer.status_code == 200, answer.text
    soon = await published_event(client, headers, org_id, starts_at=utcnow() + timedelta(minutes=40))
    await register(client, soon, "going@x.cn")
    await mailing.send_due_reminders()
    message = {"statuses": ["confirmed"], "subject": "会场变更", "body": "请走东门"}
    assert (await client.post(f"/api/v1/events/{soon}/messages", json=message, headers=headers)).is_success
    await client.patch(f"/api/v1/events/{vetted}", json={"venue": "新场馆"}, headers=headers)
    await client.post(f"/api/v1/events/{vetted}/cancel", headers=headers)
    await setup(client)
    today = utcnow().astimezone(CITY_ZONE).date()
    await Period.filter(id="2026-10").update(due_on=today - timedelta(days=1), locks_on=today + timedelta(days=5))
    await Period.filter(id="2026-11").update(due_on=today + timedelta(days=2), locks_on=today + timedelta(days=20))
    await send_report_reminders(BASE)
    await competition_mails(client, headers, org_id)
    await meeting_mails(client)
    invited = {"email": "new-member@x.cn", "role": "checker"}
    assert (await client.post(f"/api/v1/organisations/{org_id}/invitations", json=invited, headers=headers)).is_success
    again = {"email": "leader@x.cn", "password": "another long secret", "name": "又一次"}  # a taken address
    assert (await client.post("/api/v1/auth/signup", json=again)).is_success
    assert (await client.post("/api/v1/auth/password-reset", json={"email": "leader@x.cn"})).is_success


async def competition_mails(client: httpx.AsyncClient, headers: dict[str, str], org_id: int) -> None:
    """A team invitation, a submission receipt, a moved deadline and final results."""
    starts = utcnow() + timedelta(days=10)
    event_id = await published_event(client, headers, org_id, kind="competition", starts_at=starts)
    stage = {"name": {"zh": "方案提交"}, "starts_at": utcnow().isoformat(), "deadline": starts.isoformat()}
    body = {"tracks": [{"name": {"zh": "智能制造"}}], "stages": [stage]}
    created = (await client.post(f"/api/v1/events/{event_id}/competition", json=body, headers=headers)).json()
    leader = await sign_up(client, "leader@x.cn")
    team_body = {"name": "队", "track_id": created["tracks"][0]["id"], "region": "lixia"}
    team = (await client.post(f"/api/v1/competitions/{created['id']}/teams", json=team_body, headers=leader)).json()
    assert (
        await client.post(f"/api/v1/teams/{team['id']}/invites", json={"email": "m@x.cn"}, headers=leader)
    ).is_success
    user = await User.get(email="leader@x.cn")
    await submissions.submit(user, team["id"], created["stages"][0]["id"], SubmissionIn(), [])
    path = f"/api/v1/events/{event_id}/competition/stages/{created['stages'][0]['id']}/deadline"
    moved = {"deadline": (starts - timedelta(hours=1)).isoformat(), "reason": "调整"}
    assert (await client.post(path, json=moved, headers=headers)).is_success
    # Results whose notice period is over, with the team first: publishing mails its members.
    place = {
        "rank": 1,
        "team_id": team["id"],
        "team_name": team["name"],
        "sheets": 3,
        "raw_mean": 80.0,
        "normalised_mean": 0.0,
        "key_criterion_mean": 8.0,
        "submitted_at": utcnow().isoformat(),
        "decided_by": None,
    }
    ranking = [{"track_id": created["tracks"][0]["id"], "ranked": [place], "unscored": []}]
    stage_id = created["stages"][0]["id"]
    await Results.create(stage_id=stage_id, ranking=ranking, notice_until=utcnow(), noticed_at=utcnow())
    assert (await client.post(path.replace("/deadline", "/results/publish"), headers=headers)).is_success


async def meeting_mails(client: httpx.AsyncClient) -> None:
    """A meeting published between two parties (meeting_scheduled), then dropped when one says no (cancelled)."""
    host, event_id = await matchmaking_event(client, "meetings@organiser.cn")
    hospital, _, hospital_party = await party(client, event_id, "it@hospital.cn", "demand")
    vendor, _, vendor_party = await party(client, event_id, "sales@ai.cn", "supply")

    async def mark(by: int, headers: dict[str, str], of: int, level: str) -> None:
        url = f"/api/v1/matchmaking-parties/{by}/preferences/{of}"
        assert (await client.put(url, json={"level": level}, headers=headers)).status_code == 200

    async def publish() -> None:
        schedule = await finished(client, host, event_id, {"time_limit": 5})
        url = f"/api/v1/events/{event_id}/matchmaking/schedules/{schedule['id']}/publish"
        assert (await client.post(url, headers=host)).status_code == 200

    await mark(hospital_party, hospital, vendor_party, "want")
    await publish()
    await mark(vendor_party, vendor, hospital_party, "no")
    await publish()


async def test_every_link_in_every_mail_opens_a_real_page_or_answers(client: httpx.AsyncClient) -> None:
    await every_kind_of_mail(client)
    mails = await OutboxMessage.all().order_by("id")
    assert {mail.template for mail in mails} == set(TEMPLATES)
    broken = []
    linked = set()
    for mail in mails:
        rendered = render(mail.template, mail.locale, mail.context)
        for url in re.findall(r"https?://[^\s<>\"')]+", rendered.text):
            parts = urlsplit(url)
            linked.add(mail.template)
            if parts.path.startswith("/api/"):
                if not (await client.get(f"{parts.path}?{parts.query}")).is_success:
                    broken.append((mail.template, url))
            elif not is_page(parts.path):
                broken.append((mail.template, url))
    assert {"registration_offered", "reminder", "report_due", "report_overdue", "report_overdue_digest"} <= linked
    assert broken == []
