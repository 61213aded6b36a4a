"""Mail in tests: a real SMTP server on 127.0.0.1 (aiosmtpd) with STARTTLS and AUTH whose answers a test can
script, a capturing transport that drains the outbox, and every kind of mail the service sends, made by real
actions."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from events import mailing
from events.competitions import submissions
from events.competitions.models import Results
from events.competitions.schemas import SubmissionIn
from events.matchmaking import followup
from events.matchmaking.models import MeetingEntry
from events.models import Event
from notifications.transport import SmtpTransport
from notifications.worker import Worker
from server.clock import utcnow
from server.models import User
from talent.mailing import send_report_reminders
from talent.models import Period
from talent.reports import city_today
from tests.events.support import organiser, published_event, register
from tests.matchmaking.support import finished, matchmaking_event, party
from tests.support import sign_up
from tests.talent.support import setup

USER, PASSWORD = "mailer", "s3cret pass"


@dataclass
class Mailbox:
    """What the server received, and the answers it will give to the next DATA commands."""

    received: list[EmailMessage] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    refuse_recipients: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse_recipients:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        answer = self.answers.pop(0) if self.answers else "250 OK"
        if answer.startswith("250"):
            self.received.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return answer


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data.login == USER.encode() and data.password == PASSWORD.encode()
    return AuthResult(success=ok)


@dataclass
class SmtpServer:
    mailbox: Mailbox
    port: int
    ca_file: str
    controller: Controller | None = None

    def url(self, password: str = PASSWORD) -> str:
        return f"smtp+starttls://{USER}:{password.replace(' ', '%20')}@127.0.0.1:{self.port}"

    def transport(self, password: str = PASSWORD) -> SmtpTransport:
        return SmtpTransport.from_url(self.url(password), ca_file=self.ca_file)

    def start(self, tls: ssl.SSLContext) -> None:
        self.controller = Controller(
            self.mailbox,
            hostname="127.0.0.1",
            port=self.port,
            tls_context=tls,
            require_starttls=True,
            auth_required=True,
            authenticator=_authenticate,
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


SENDER = "events@quancheng.localhost"


class Capture:
    """A transport that keeps what it is given."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def connect(self) -> Capture:
        return self

    async def __aenter__(self) -> Capture:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def send(self, message: EmailMessage) -> dict[str, tuple[int, str]]:
        self.sent.append(message_from_bytes(message.as_bytes(), policy=policy.default))
        return {}


async def drain() -> list[EmailMessage]:
    capture = Capture()
    worker = Worker(capture, sender=SENDER)  # type: ignore[arg-type]
    while await worker.drain_once():
        pass
    return capture.sent


def calendar_of(message: EmailMessage) -> tuple[str, bytes] | None:
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return str(part.get_param("method")), part.get_payload(decode=True)  # type: ignore[return-value]
    return None


BASE = "https://q.example.cn"


async def every_kind_of_mail(client: httpx.AsyncClient) -> None:
    """At least one outbox row of every template, each made the way a user or the scheduler makes it."""
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
    today = city_today()
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
    (entry,) = await MeetingEntry.filter(party_a_id=hospital_party)
    tick = f"/api/v1/events/{event_id}/matchmaking/meetings/{entry.id}/check-in"
    assert (await client.post(tick, headers=host)).status_code == 200
    ended = utcnow() - timedelta(days=8)
    await Event.filter(id=event_id).update(starts_at=ended - timedelta(hours=8), ends_at=ended)
    assert await followup.send_outcome_requests() == 2  # a week after the event: how did the meeting go?
    await mark(vendor_party, vendor, hospital_party, "no")
    await publish()
    await request_mails(client)


async def request_mails(client: httpx.AsyncClient) -> None:
    """A meeting request (meeting_request_received) and its answer (meeting_request_answered)."""
    _, event_id = await matchmaking_event(client, "requests@organiser.cn", mode="requests")
    asking, _, asking_party = await party(client, event_id, "it@factory.cn", "demand")
    asked, _, asked_party = await party(client, event_id, "sales@vision.cn", "supply")
    sent = await client.post(
        f"/api/v1/matchmaking-parties/{asking_party}/requests",
        json={"counterpart_id": asked_party, "message": "想了解贵司的带钢表面缺陷检测方案"},
        headers=asking,
    )
    assert sent.status_code == 201, sent.text
    answer = f"/api/v1/matchmaking-parties/{asked_party}/requests/{sent.json()['id']}/answer"
    assert (await client.post(answer, json={"accept": True}, headers=asked)).status_code == 200
